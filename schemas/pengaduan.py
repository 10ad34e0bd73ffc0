"""CRM ``pengaduan``: public complaints (*pengaduan masyarakat*), received and resolved."""

from kinerja.extracts import Column, Extract, ValidationContext, build_schema, in_order, not_after, not_before


def schema(ctx: ValidationContext):
    checks = {
        "received_at": [not_after(ctx.cutoff),
                        not_before(ctx.year_start, "the start of the PK year")],
        "resolved_at": [not_after(ctx.cutoff), not_before(ctx.year_start, "the start of the PK year")],
    }
    order = in_order("received_at", "resolved_at", "has resolved_at before received_at")
    return build_schema(EXTRACT, ctx, checks, [order])


EXTRACT = Extract(
    source="crm",
    name="pengaduan",
    description="Public complaints from the CRM, with received and resolved timestamps.",
    key=("ticket_id",),
    columns=(
        Column("ticket_id", "text", "CRM ticket identifier"),
        Column("received_at", "datetime", "When the complaint was received"),
        Column("category", "text", "Complaint category as the CRM classifies it"),
        Column("resolved_at", "datetime", "When it was resolved; blank while open", nullable=True),
    ),
    schema=schema,
)
