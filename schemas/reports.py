"""km-bpsdm portal ``reports``: knowledge-management reports (*laporan manajemen pengetahuan*)."""


from kinerja.extracts import Column, Extract, ValidationContext, build_schema, not_after, not_before, one_of


def schema(ctx: ValidationContext):
    rules = ctx.catalog.indicator("manajemen_pengetahuan").rules
    checks = {
        "format": [one_of(rules["formats"])],
        "due_quarter": [one_of(q["quarter"] for q in rules["quotas"])],
        "submitted_at": [not_after(ctx.cutoff),
                         not_before(ctx.year_start, "the start of the PK year")],
    }
    return build_schema(EXTRACT, ctx, checks)


EXTRACT = Extract(
    source="km_portal",
    name="reports",
    description="Knowledge-management reports submitted to km-bpsdm, with the quarter they are due in.",
    key=("report_id",),
    columns=(
        Column("report_id", "text", "Report identifier on the portal"),
        Column("title", "text", "Report title"),
        Column("format", "text", "Report format: video or tulisan (written)"),
        Column("due_quarter", "int", "Quarter (triwulan) whose quota the report is due for: 3 or 4"),
        Column("submitted_at", "datetime", "When the report was submitted"),
    ),
    schema=schema,
)
