"""Demo knowledge-management reports (km-bpsdm): the year's required reports, each submitted
some days before its quarter's deadline; each month's file lists that month's submissions."""

from __future__ import annotations

from datetime import date

import pandas as pd

from kinerja.demo import DemoContext, Landing
from kinerja.demo.followup_events import file_month, stamp

EXTRACTS = ["km_portal/reports"]
COLUMNS = ["report_id", "title", "format", "due_quarter", "submitted_at"]
TITLES = {"video": "Video berbagi pengetahuan", "tulisan": "Tulisan praktik baik"}


def generate(ctx: DemoContext) -> list[Landing]:
    rng = ctx.rng("manajemen_pengetahuan")
    rules = ctx.catalog.indicator("manajemen_pengetahuan").rules
    rows = []
    for quota in rules["quotas"]:
        deadline = pd.Timestamp(date.fromisoformat(str(quota["deadline"])))
        for _ in range(quota["reports"]):
            fmt = rules["formats"][len(rows) % len(rules["formats"])]
            # one to five weeks before the deadline, in office hours
            submitted = deadline - pd.Timedelta(days=int(rng.integers(7, 36))) + pd.Timedelta(
                minutes=int(rng.integers(8 * 60, 16 * 60)))
            rows.append((f"KM-{ctx.year}-{len(rows) + 1:03d}", f"{TITLES[fmt]} TW {quota['quarter']}", fmt,
                         quota["quarter"], submitted))
    df = pd.DataFrame(rows, columns=COLUMNS)
    df["file_month"] = file_month(df["submitted_at"], ctx.catalog.collection_deadline_day).astype(str)
    df["submitted_at"] = stamp(df["submitted_at"], "%Y-%m-%d %H:%M:%S")
    out = []
    for m in ctx.months:
        part = df[df["file_month"] == str(m)].drop(columns="file_month").reset_index(drop=True)
        out.append(Landing("km_portal/reports", m, part, "csv"))
    return out

