"""CRM ``pengaduan``: public complaints (*pengaduan masyarakat*), received and resolved."""

from datetime import datetime
from zoneinfo import ZoneInfo

from kinerja.extracts import Column, Extract, ValidationContext, build_schema, not_after, not_before
from schemas.arahan_gubernur import closed_not_before_opened


def schema(ctx: ValidationContext):
    year_start = datetime(ctx.catalog.pk_year, 1, 1, tzinfo=ZoneInfo(ctx.tz))
    checks = {
        "received_at": [not_after(ctx.cutoff),
                        not_before(year_start, "the start of the PK year")],
        "resolved_at": [not_after(ctx.cutoff)],
    }
    return build_schema(EXTRACT, ctx, checks, [closed_not_before_opened("received_at", "resolved_at")])


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
