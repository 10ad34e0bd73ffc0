"""e-SAKIP ``output_realisasi``: per sub-activity and month, the annual output target and the cumulative
output volume realised by the month's end."""

from kinerja.extracts import (
    Column,
    Extract,
    ValidationContext,
    at_least,
    at_most_count,
    build_schema,
    matches,
    month_in_file_window,
)

SUB_ACTIVITY_CODE = r"^[0-9]+(?:\.[0-9]+)*$"



def schema(ctx: ValidationContext):
    checks = {
        "sub_activity_code": [matches(SUB_ACTIVITY_CODE, "dotted numeric segments (e.g. 5.03.02.1.01.0001)")],
        "month": [month_in_file_window(ctx)],
        "output_target": [at_least(0), at_most_count()],
        "output_realised": [at_least(0), at_most_count()],
    }
    return build_schema(EXTRACT, ctx, checks)


EXTRACT = Extract(
    source="esakip",
    name="output_realisasi",
    description="Output (keluaran) realisation per sub-activity and month: annual target, cumulative volume.",
    key=("sub_activity_code", "month"),
    columns=(
        Column("sub_activity_code", "text", "Sub-activity (sub kegiatan) code"),
        Column("month", "month", "Reporting month (YYYY-MM)"),
        Column("output_target", "float", "Annual target volume of the sub-activity's output indicator",
               nullable=True),
        Column("output_realised", "float", "Cumulative output volume realised by the month's end"),
    ),
    schema=schema,
)
