"""e-Kinerja ``komunikasi_publik``: per Perangkat Daerah and month, the public-communication record of
its priority and strategic programs (strategy, publications, crises, netizen questions)."""

from kinerja.extracts import (
    Column,
    Extract,
    ValidationContext,
    at_least,
    at_most_count,
    build_schema,
    month_in_file_window,
    row_rule,
)

COUNTS = ("crises", "crises_responded", "netizen_questions", "netizen_answered")



def schema(ctx: ValidationContext):
    checks = {"month": [month_in_file_window(ctx)], **{c: [at_least(0), at_most_count()] for c in COUNTS}}
    responded = row_rule("responded_le_total", lambda df: df["crises_responded"] <= df["crises"],
                         "has more crises responded than crises", columns=("crises_responded", "crises"))
    answered = row_rule("answered_le_total", lambda df: df["netizen_answered"] <= df["netizen_questions"],
                        "has more netizen questions answered than asked",
                        columns=("netizen_answered", "netizen_questions"))
    return build_schema(EXTRACT, ctx, checks, [responded, answered])


EXTRACT = Extract(
    source="ekinerja",
    name="komunikasi_publik",
    description="Public-communication implementation per Perangkat Daerah (PD) and month.",
    key=("month", "pd_code"),
    columns=(
        Column("month", "month", "Reporting month (YYYY-MM)"),
        Column("pd_code", "text", "Perangkat Daerah code"),
        Column("has_priority_program", "bool", "The PD runs a priority/strategic program of the Daerah this month"),
        Column("strategy_compiled", "bool", "The PD's communication strategy for its priority programs is compiled"),
        Column("materials_published", "bool",
               "Communication materials published this month (internal media, mass media, social media, other)"),
        Column("crises", "int", "Communication crises about the programs this month"),
        Column("crises_responded", "int", "Of those crises, the ones the PD responded to"),
        Column("netizen_questions", "int", "Relevant netizen questions/comments this month"),
        Column("netizen_answered", "int", "Of those questions/comments, the ones answered interactively"),
    ),
    schema=schema,
)
