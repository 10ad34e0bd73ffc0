"""e-SAKIP ``rencana_aksi``: the completion date of each output of the IKU action plans."""

from datetime import date

import pandas as pd

from kinerja.extracts import (
    Column,
    Extract,
    ValidationContext,
    build_schema,
    matches,
    not_after,
    not_before,
    one_of,
    row_rule,
)


def schema(ctx: ValidationContext):
    plan = ctx.catalog.action_plan
    known = pd.MultiIndex.from_tuples([(p.iku_no, p.output_code) for p in plan], names=["iku_no", "output_code"])

    def in_catalog(df):
        keys = pd.MultiIndex.from_arrays([df["iku_no"].astype("Int64"), df["output_code"].astype(object)])
        return pd.Series(keys.isin(known), index=df.index)

    checks = {
        "iku_no": [one_of(sorted({p.iku_no for p in plan}))],
        "output_code": [matches(r"^T/O[0-9]+(\.[0-9]+)+$", "an output code like T/O1.1.1")],
        "completed_on": [not_after(ctx.cutoff_date),
                         not_before(date(ctx.catalog.pk_year, 1, 1), "the start of the PK year")],
    }
    rows = [row_rule("unknown_output", in_catalog, "is not an output of the catalog's action plan",
                     columns=("iku_no", "output_code"))]
    return build_schema(EXTRACT, ctx, checks, rows)


EXTRACT = Extract(
    source="esakip",
    name="rencana_aksi",
    description="Completion of each rencana aksi output (Target/Output) of IKU 1 and 2.",
    key=("iku_no", "output_code"),
    columns=(
        Column("iku_no", "int", "IKU number the action plan belongs to"),
        Column("output_code", "text", "Output code (Target/Output), e.g. T/O1.1.1"),
        Column("completed_on", "date", "Date the output was completed; blank while not done", nullable=True),
    ),
    schema=schema,
)
