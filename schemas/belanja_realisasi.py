"""SIPD ``belanja_realisasi``: spending realisations (SPJ), one row per transaction, for the PDN/TKDN/UMK
share of procurement spending."""

from datetime import date

from kinerja.extracts import (
    Column,
    Extract,
    ValidationContext,
    amount_range,
    build_schema,
    matches,
    not_after,
    not_before,
)

ACCOUNT_CODE = r"^[0-9]+(?:\.[0-9]+)*$"


def schema(ctx: ValidationContext):
    checks = {
        "account_code": [matches(ACCOUNT_CODE, "dotted numeric segments (e.g. 5.1.02.01.01.0024)")],
        # amount may be negative: a correction (koreksi) nets out an earlier realisation
        "amount": [amount_range()],
        "spj_date": [not_after(ctx.cutoff_date),
                     not_before(date(ctx.catalog.pk_year, 1, 1), "the start of the PK year")],
    }
    return build_schema(EXTRACT, ctx, checks)


EXTRACT = Extract(
    source="sipd",
    name="belanja_realisasi",
    description="SIPD spending realisations (SPJ) per transaction, with the PDN/TKDN/UMK flag.",
    key=("transaction_id",),
    columns=(
        Column("transaction_id", "text", "SIPD transaction (SPJ) identifier"),
        Column("account_code", "text", "Account code (kode rekening), dotted numeric segments"),
        Column("amount", "float", "Realised amount in IDR; negative for a correction"),
        Column("spj_date", "date", "Date of the SPJ (accountability document)"),
        Column("pdn_flag", "bool", "Goods/services TKDN-certified, domestic product (PDN) or from UMK"),
    ),
    schema=schema,
)
