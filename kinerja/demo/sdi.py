"""Demo SDI: a daftar data of datasets per producer, and the portal's submission log."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import numpy as np
import pandas as pd

from kinerja.demo import DemoContext, Landing, defect_mask
from kinerja.periods import Month

EXTRACTS = ["portal_data/daftar_data", "portal_data/submissions"]
DATASETS = 3_000  # at scale 1
PRODUCERS = [f"PD-{i:03d}" for i in range(1, 41)]


def generate(ctx: DemoContext) -> list[Landing]:
    rng = ctx.rng("sdi")
    n = ctx.count(DATASETS, minimum=24)
    release = [date(ctx.year, int(m), 1) + timedelta(days=int(d))
               for m, d in zip(rng.integers(1, 13, size=n), rng.integers(0, 28, size=n), strict=True)]
    daftar = pd.DataFrame({
        "dataset_id": [f"DS-{ctx.year}-{i:05d}" for i in range(n)],
        "producer_pd": rng.choice(PRODUCERS, size=n),
        "title": [f"Data statistik sektoral {i}" for i in range(n)],
        "key_variables": "kode_wilayah,tahun",
        "release_date": [d.isoformat() for d in release],
    })
    subs = []
    for ds, rel in zip(daftar["dataset_id"], release, strict=True):
        roll = rng.random()
        if roll < 0.03:
            continue  # never submitted
        nxt = Month(rel.year, rel.month).next()
        on_time = datetime(nxt.year, nxt.month, 1) - timedelta(days=int(rng.integers(0, 20)))
        first = on_time if roll < 0.85 else datetime(nxt.year, nxt.month, int(rng.integers(6, 19)))
        first = max(first, datetime(rel.year, rel.month, rel.day)) + timedelta(hours=int(rng.integers(8, 17)))
        complete, dups, valid = rng.random() < 0.85, int(rng.random() < 0.1) * int(rng.integers(1, 30)), \
            rng.random() < 0.8
        subs.append((ds, 1, first, complete, dups, valid))
        if not (complete and dups == 0 and valid) and rng.random() < 0.5:
            fix = datetime(nxt.year, nxt.month, int(rng.integers(8, 25)), 10)
            subs.append((ds, 2, max(fix, first + timedelta(hours=1)), True, 0, True))
    log = pd.DataFrame(subs, columns=["dataset_id", "version", "submitted_at", "components_complete",
                                      "duplicate_key_rows", "validated"])
    # a file holds what arrived in its month, up to its cutoff (the 5th of the next month)
    cutoff_next_year = datetime(ctx.year + 1, 1, ctx.catalog.collection_deadline_day, 23, 59, 59)
    log = log[log["submitted_at"] <= cutoff_next_year].copy()
    log["file_month"] = log["submitted_at"].dt.strftime("%Y-%m").where(
        log["submitted_at"].dt.year == ctx.year, f"{ctx.year}-12")
    log["components_complete"] = log["components_complete"].map({True: "ya", False: "tidak"})
    log["validated"] = log["validated"].map({True: "Y", False: "N"})
    out = []
    for m in ctx.months:
        # the daftar data lands once, in January, before its first release date (it lands on change)
        if m.month == 1:
            out.append(Landing("portal_data/daftar_data", m, daftar, "xlsx"))
        part = log[log["file_month"] == str(m)].drop(columns="file_month").reset_index(drop=True)
        part["submitted_at"] = part["submitted_at"].dt.strftime("%d/%m/%Y %H:%M")
        bad = np.flatnonzero(defect_mask(rng, len(part), ctx.defect_rate))
        for k, i in enumerate(bad):
            if k % 2 == 0:
                part.loc[i, "duplicate_key_rows"] = -3
            else:
                part.loc[i, "submitted_at"] = "31/02/2024 10:00"
        out.append(Landing("portal_data/submissions", m, part, "csv-id"))
    return out
