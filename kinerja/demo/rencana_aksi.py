"""Demo rencana aksi completions (e-SAKIP): every catalog output, exported whole each month
with the completion dates known at the file's cutoff.

Most outputs are done within their due quarter; one (the first due in TW I) is
done late, in the next quarter; one (the last due in TW IV) is never done, so
it stays pending until its quarter ends and is overdue at the year's end.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kinerja.demo import DemoContext, Landing, defect_mask
from kinerja.demo.followup_events import cutoff_of, stamp
from kinerja.periods import Month

EXTRACTS = ["esakip/rencana_aksi"]


def completions(ctx: DemoContext) -> pd.DataFrame:
    rng = ctx.rng("rencana_aksi")
    plan = list(ctx.catalog.action_plan)
    first_q = min(p.due_quarter for p in plan)
    last_q = max(p.due_quarter for p in plan)
    late = next(i for i, p in enumerate(plan) if p.due_quarter == first_q)
    never = max(i for i, p in enumerate(plan) if p.due_quarter == last_q)
    rows = []
    for i, p in enumerate(plan):
        quarter_start = pd.Timestamp(Month(ctx.year, 1).plus(3 * (p.due_quarter - 1)).first_day)
        done = quarter_start + pd.Timedelta(days=int(rng.integers(10, 85)))
        if i == late:
            done += pd.Timedelta(days=int(rng.integers(95, 120)))  # into the next quarter
        rows.append({"iku_no": p.iku_no, "output_code": p.output_code, "completed_on": None if i == never else done})
    return pd.DataFrame(rows).astype({"completed_on": "datetime64[us]"})


def generate(ctx: DemoContext) -> list[Landing]:
    rng = ctx.rng("rencana_aksi-files")
    df = completions(ctx)
    out = []
    for m in ctx.months:
        cutoff = cutoff_of(pd.Series([pd.Period(str(m), "M")]), ctx.catalog.collection_deadline_day).iloc[0]
        frame = pd.DataFrame({"iku_no": df["iku_no"].astype(str), "output_code": df["output_code"],
                              "completed_on": stamp(df["completed_on"].where(df["completed_on"] <= cutoff),
                                                    "%d/%m/%Y")})
        for i in np.flatnonzero(defect_mask(rng, len(frame), ctx.defect_rate)):
            frame.loc[i, "completed_on"] = f"31/02/{ctx.year}"  # no such day
        out.append(Landing("esakip/rencana_aksi", m, frame, "xlsx"))
    return out
