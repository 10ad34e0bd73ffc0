"""Proyeksi APBD ``budget_monthly``: per sub-activity and month, the annual pagu as known that month and
that month's planned (RPD) and actual disbursement."""

from kinerja.extracts import (
    Column,
    Extract,
    ValidationContext,
    at_least,
    at_most_amount,
    build_schema,
    matches,
    month_in_file_window,
)

SUB_ACTIVITY_CODE = r"^[0-9]+(?:\.[0-9]+)*$"


def schema(ctx: ValidationContext):
    checks = {
        "sub_activity_code": [matches(SUB_ACTIVITY_CODE, "dotted numeric segments (e.g. 5.03.02.1.01.0001)")],
        "month": [month_in_file_window(ctx)],
        "pagu": [at_least(0), at_most_amount()],
        "rpd": [at_least(0), at_most_amount()],
        "realisasi": [at_least(0), at_most_amount()],
    }
    return build_schema(EXTRACT, ctx, checks)


EXTRACT = Extract(
    source="apbd",
    name="budget_monthly",
    description="Monthly budget per sub-activity: annual pagu as known that month, RPD and realisation.",
    key=("sub_activity_code", "month"),
    columns=(
        Column("sub_activity_code", "text", "Sub-activity (sub kegiatan) code"),
        Column("month", "month", "Budget month (YYYY-MM)"),
        Column("pagu", "float", "Annual pagu of the sub-activity as known that month (IDR)"),
        Column("rpd", "float", "Planned disbursement (rencana penarikan dana) of that month (IDR)"),
        Column("realisasi", "float", "Actual disbursement (realisasi) of that month (IDR)"),
    ),
    schema=schema,
)
