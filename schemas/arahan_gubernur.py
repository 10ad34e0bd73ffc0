"""e-Kinerja ``arahan_gubernur``: the governor's directives (*arahan*) and when each was followed up."""

from datetime import datetime
from zoneinfo import ZoneInfo

from kinerja.extracts import (
    Column,
    Extract,
    ValidationContext,
    build_schema,
    not_after,
    not_before,
    one_of,
    row_rule,
)


def closed_not_before_opened(opened: str, closed: str):
    """A row rule: a record cannot be closed before it was opened (blank = still open)."""
    def check(df):
        return (df[closed].isna() | (df[closed] >= df[opened])).astype(bool)

    return row_rule("date_order", check, f"has {closed} before {opened}", columns=(opened, closed))


def schema(ctx: ValidationContext):
    rules = ctx.catalog.indicator("arahan_gubernur").rules
    year_start = datetime(ctx.catalog.pk_year, 1, 1, tzinfo=ZoneInfo(ctx.tz))
    checks = {
        "channel": [one_of(rules["channels"])],
        "issued_at": [not_after(ctx.cutoff), not_before(year_start, "the start of the PK year")],
        "completed_at": [not_after(ctx.cutoff)],
    }
    return build_schema(EXTRACT, ctx, checks, [closed_not_before_opened("issued_at", "completed_at")])


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
