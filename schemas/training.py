"""Simdiklat ``training``: one competency-development activity (training) completed by one PNS, with its JP."""

from kinerja.extracts import (
    Column,
    Extract,
    ValidationContext,
    above,
    at_most,
    build_schema,
    matches,
    not_after,
    not_before,
    row_rule,
)
from schemas.pns_snapshot import NIP_FORMAT, NIP_PATTERN

JP_MAX = 1000  # SPEC section 4: 0 < jp <= 1000


def schema(ctx: ValidationContext):
    checks = {
        "nip": [matches(NIP_PATTERN, NIP_FORMAT)],
        # a training of last December is exported in January: the year before is within reach
        "start_date": [not_after(ctx.cutoff_date), not_before(ctx.previous_year_start, "the start of the year before")],
        "end_date": [not_after(ctx.cutoff_date), not_before(ctx.previous_year_start, "the start of the year before")],
        "jp": [above(0), at_most(JP_MAX)],
    }
    ordered = row_rule("date_order", lambda df: df["start_date"] <= df["end_date"],
                       "ends before it starts (end_date before start_date)", columns=("start_date", "end_date"))
    return build_schema(EXTRACT, ctx, checks, [ordered])


EXTRACT = Extract(
    source="simdiklat",
    name="training",
    description="Simdiklat / PintAr BPSDM: competency development per PNS with its hours (jam pelajaran, JP).",
    key=("nip", "training_id"),
    columns=(
        Column("nip", "text", "NIP of the participant, 18 digits", pii=True),
        Column("training_id", "text", "Training (course run) identifier in Simdiklat"),
        Column("start_date", "date", "First day of the training"),
        Column("end_date", "date", "Last day of the training (it counts in the year it ends)"),
        Column("jp", "float", "Jam pelajaran (lesson hours) credited, 0 < jp <= 1000"),
        Column("verified", "bool", "Verified by BPSDM (only verified JP count)"),
    ),
    schema=schema,
)
