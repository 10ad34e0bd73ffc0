"""e-Kinerja ``skm_responses``: one survey response (*Survei Kepuasan Masyarakat*) per row."""

from datetime import date

from kinerja.extracts import (
    Column,
    Extract,
    ValidationContext,
    between,
    build_schema,
    not_after,
    not_before,
    one_of,
    row_rule,
)

ELEMENTS = tuple(f"u{i}" for i in range(1, 10))


def schema(ctx: ValidationContext):
    rules = ctx.catalog.indicator("skm").rules
    answer = between(rules["answer_min"], rules["answer_max"])
    checks = {
        "unit_code": [one_of(ctx.catalog.skm_unit_codes)],
        "submitted_on": [not_after(ctx.cutoff_date),
                         not_before(date(ctx.catalog.pk_year, 1, 1), "the start of the PK year")],
        **{e: [answer] for e in rules["elements"]},
    }
    any_answer = row_rule("all_blank", lambda df: df[list(rules["elements"])].notna().any(axis=1),
                          "has every element (U1-U9) blank", columns=tuple(rules["elements"]))
    return build_schema(EXTRACT, ctx, checks, [any_answer])


EXTRACT = Extract(
    source="ekinerja",
    name="skm_responses",
    description="Personnel-service satisfaction survey responses, 9 elements answered 1-4 or blank.",
    key=("response_id",),
    columns=(
        Column("response_id", "text", "Survey response identifier"),
        Column("unit_code", "text", "Service unit: BKD or a Suku Badan"),
        Column("submitted_on", "date", "Date the response was submitted"),
        *(Column(e, "int", f"Answer to element (unsur) {e.upper()}, 1-4", nullable=True) for e in ELEMENTS),
    ),
    schema=schema,
)
