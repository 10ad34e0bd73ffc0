"""e-Kinerja ``arahan_gubernur``: the governor's directives (*arahan*) and when each was followed up."""

from kinerja.extracts import (
    Column,
    Extract,
    ValidationContext,
    build_schema,
    in_order,
    not_after,
    not_before,
    one_of,
)


def schema(ctx: ValidationContext):
    rules = ctx.catalog.indicator("arahan_gubernur").rules
    checks = {
        "channel": [one_of(rules["channels"])],
        "issued_at": [not_after(ctx.cutoff), not_before(ctx.year_start, "the start of the PK year")],
        "completed_at": [not_after(ctx.cutoff), not_before(ctx.year_start, "the start of the PK year")],
    }
    order = in_order("issued_at", "completed_at", "has completed_at before issued_at")
    return build_schema(EXTRACT, ctx, checks, [order])


EXTRACT = Extract(
    source="ekinerja",
    name="arahan_gubernur",
    description="Governor's directives (rapim, e-office, electronic media, other) with issue and completion.",
    key=("directive_id",),
    columns=(
        Column("directive_id", "text", "Directive identifier in e-Kinerja"),
        Column("channel", "text", "Channel: rapim, e-office, media-elektronik or lainnya"),
        Column("issued_at", "datetime", "When the directive was issued"),
        Column("completed_at", "datetime", "When its follow-up (tindak lanjut) was completed; blank while open",
               nullable=True),
    ),
    schema=schema,
)
