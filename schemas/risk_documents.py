"""e-SAKIP ``risk_documents``: risk-monitoring reports (Formulir Laporan Pemantauan Risiko) and
their verification by the Inspektorat."""

from kinerja.extracts import (
    Column,
    Extract,
    ValidationContext,
    build_schema,
    in_order,
    not_after,
    not_before,
    one_of,
    row_rule,
)


def _verified_consistent(df):
    # verified and verified_at go together: a verification without a date cannot be placed in a period
    has_date = df["verified_at"].notna()
    return (df["verified"].fillna(False).astype(bool) == has_date)



def schema(ctx: ValidationContext):
    rules = ctx.catalog.indicator("manajemen_risiko").rules
    checks = {
        "doc_type": [one_of(d["doc_type"] for d in rules["required_documents"])],
        "submitted_at": [not_after(ctx.cutoff), not_before(ctx.year_start, "the start of the PK year")],
        "verified_at": [not_after(ctx.cutoff), not_before(ctx.year_start, "the start of the PK year")],
    }
    rows = [
        row_rule("verification_date", _verified_consistent,
                 "must have verified_at exactly when verified is true", columns=("verified", "verified_at")),
        in_order("submitted_at", "verified_at", "is verified before it was submitted"),
    ]
    return build_schema(EXTRACT, ctx, checks, rows)


EXTRACT = Extract(
    source="esakip",
    name="risk_documents",
    description="Risk-monitoring report documents (FLPR TW II, TW IV) with their Inspektorat verification.",
    key=("doc_id",),
    columns=(
        Column("doc_id", "text", "Document identifier in e-SAKIP"),
        Column("doc_type", "text", "Document type: FLPR-TW2 or FLPR-TW4"),
        Column("submitted_at", "datetime", "When the document was submitted"),
        Column("verified", "bool", "Verified by the Inspektorat"),
        Column("verified_at", "datetime", "When the Inspektorat verified it; blank while unverified",
               nullable=True),
    ),
    schema=schema,
)
