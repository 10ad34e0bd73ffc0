"""BPK ``rekomendasi``: the recommendations of BPK audit reports (LHP) since the first LHP year,
with their resolution (*tindak lanjut*) and its verification by the Inspektorat."""

import pandas as pd

from kinerja.extracts import (
    Column,
    Extract,
    ValidationContext,
    between,
    build_schema,
    in_order,
    not_after,
    not_before,
    row_rule,
)


def _year(s: pd.Series) -> pd.Series:
    return s.dt.year.astype("Int64")


def _resolved_in_or_after_lhp_year(df):
    return (df["resolved_at"].isna() | (_year(df["resolved_at"]) >= df["lhp_year"])).fillna(True).astype(bool)


def _verified_consistent(df):
    # a verification needs a resolution to verify and a date that places it in a quarter
    verified = df["verified"].fillna(False).astype(bool)
    has_date = df["verified_at"].notna()
    return ((verified == has_date) & (~verified | df["resolved_at"].notna())).astype(bool)


def _verified_resolved(df):
    # a file without verified_at: a verification still needs a resolution to verify
    verified = df["verified"].fillna(False).astype(bool)
    return (~verified | df["resolved_at"].notna()).astype(bool)


def schema(ctx: ValidationContext):
    rules = ctx.catalog.indicator("rekomendasi_bpk").rules
    # a follow-up may be resolved (and verified) in any year since the first LHP year, not before it
    first = not_before(ctx.start_of(rules["first_lhp_year"]), "the first LHP year")
    checks = {
        "lhp_year": [between(rules["first_lhp_year"], ctx.catalog.pk_year)],
        "resolved_at": [not_after(ctx.cutoff), first],
        "verified_at": [not_after(ctx.cutoff), first],
    }
    rows = [
        row_rule("date_window", _resolved_in_or_after_lhp_year, "is resolved before its LHP year",
                 columns=("lhp_year", "resolved_at")),
        row_rule("verification", _verified_resolved, "must be resolved when verified is true",
                 columns=("resolved_at", "verified"))
        if "verified_at" in ctx.absent else
        row_rule("verification", _verified_consistent,
                 "must be resolved and have verified_at exactly when verified is true",
                 columns=("resolved_at", "verified", "verified_at")),
        in_order("resolved_at", "verified_at", "is verified before it was resolved"),
    ]
    return build_schema(EXTRACT, ctx, checks, rows)


EXTRACT = Extract(
    source="bpk",
    name="rekomendasi",
    description="BPK audit recommendations since LHP 2005: resolution date and Inspektorat verification.",
    key=("rec_id",),
    columns=(
        Column("rec_id", "text", "Recommendation identifier (LHP, finding, recommendation number)"),
        Column("lhp_year", "int", "Year of the BPK audit report (LHP) the recommendation comes from"),
        Column("unit_code", "text", "Perangkat Daerah or UKPD responsible for the follow-up"),
        Column("resolved_at", "datetime", "When the follow-up was completed; blank while unresolved",
               nullable=True),
        Column("verified", "bool", "The follow-up is verified by the Inspektorat"),
        # beyond the contract (SPEC section 4): without it a verified recommendation counts when resolved
        Column("verified_at", "datetime", "When the Inspektorat verified it; blank while unverified, or when the "
               "file has no such column (optional)", nullable=True, optional=True),
    ),
    schema=schema,
)
