"""Demo BPK recommendations: the register of LHP recommendations since the first LHP year.

Every month the register is exported whole, as known at the file's cutoff:
the recommendations still open on 1 January (the base, about 400 at scale 1),
some resolved in earlier years, and, from June, those of the PK year's own LHP.
Base recommendations are resolved through the year at a pace near the quarterly
target; the Inspektorat verifies each a week or three later, and a few wait.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kinerja.demo import DemoContext, Landing, defect_mask
from kinerja.demo.followup_events import cutoff_of, stamp

EXTRACTS = ["bpk/rekomendasi"]
OPEN_ON_JAN_1 = 400  # at scale 1
RESOLVED_BEFORE = 60  # resolved in earlier years, still in the register
NEW_LHP = 30  # recommendations of the PK year's own LHP (not in the base)
NEW_LHP_MONTH = 6  # the LHP on the previous year's accounts comes out mid-year
RESOLVED_IN_YEAR = 0.93  # share of the base resolved during the year
UNITS = ["BKD", "BPKD", "BPAD", "BAPPEDA", "DINKES", "DISDIK", "DISHUB", "DSDA", "DLH", "DINSOS", "DPRKP",
         "DCKTRP", "DPMPTSP", "DISPAREKRAF", "DKPKP", "SATPOLPP", "DPPAPP", "DISNAKERTRANSGI", "DKIS", "BPBD"]


def _lhp_years(rng: np.random.Generator, first: int, last: int, n: int) -> np.ndarray:
    years = np.arange(first, last + 1)
    weights = np.linspace(1, 4, len(years))  # recent reports leave more open recommendations
    return rng.choice(years, size=n, p=weights / weights.sum())


def register(ctx: DemoContext) -> pd.DataFrame:
    rng = ctx.rng("rekomendasi_bpk")
    first = ctx.catalog.indicator("rekomendasi_bpk").rules["first_lhp_year"]
    year_start = pd.Timestamp(ctx.year, 1, 1)
    n_open, n_old, n_new = ctx.count(OPEN_ON_JAN_1, 10), ctx.count(RESOLVED_BEFORE), ctx.count(NEW_LHP)
    lhp = np.concatenate([_lhp_years(rng, first, ctx.year - 1, n_open + n_old), np.full(n_new, ctx.year)])
    df = pd.DataFrame({"lhp_year": lhp, "unit_code": rng.choice(UNITS, size=len(lhp))})
    df["rec_id"] = [f"LHP{y}-{i:05d}" for i, y in enumerate(df["lhp_year"], start=1)]
    kind = np.array(["open"] * n_open + ["old"] * n_old + ["new"] * n_new)
    # resolution: the base through the year; old ones some time between their LHP and last December
    days_in_year = (pd.Timestamp(ctx.year, 12, 20) - year_start).days
    resolved = year_start + pd.to_timedelta(rng.integers(0, days_in_year, size=len(df)), unit="D")
    resolved = resolved.where(~((kind == "open") & (rng.random(len(df)) >= RESOLVED_IN_YEAR)))
    old_span = ((year_start - pd.to_datetime(df["lhp_year"].astype(str) + "-07-01")).dt.days - 1).clip(lower=1)
    old = pd.to_datetime(df["lhp_year"].astype(str) + "-07-01") + pd.to_timedelta(
        (rng.random(len(df)) * old_span).astype(int), unit="D")
    resolved = resolved.where(kind != "old", old)
    new_start = pd.Timestamp(ctx.year, NEW_LHP_MONTH, 1)
    new = new_start + pd.to_timedelta(rng.integers(20, 180, size=len(df)), unit="D")
    resolved = resolved.where(kind != "new", new.where(rng.random(len(df)) < 0.3))
    df["resolved_at"] = pd.Series(resolved, index=df.index)
    verified = df["resolved_at"] + pd.to_timedelta(rng.integers(5, 25, size=len(df)), unit="D")
    df["verified_at"] = verified.where(rng.random(len(df)) >= 0.05)  # a few wait for the Inspektorat
    df["appears"] = np.where(kind == "new", f"{ctx.year}-{NEW_LHP_MONTH:02d}", f"{ctx.year}-01")
    return df


def generate(ctx: DemoContext) -> list[Landing]:
    rng = ctx.rng("rekomendasi_bpk-files")
    df = register(ctx)
    out = []
    for m in ctx.months:
        cutoff = cutoff_of(pd.Series([pd.Period(str(m), "M")]), ctx.catalog.collection_deadline_day).iloc[0]
        part = df[df["appears"] <= str(m)].reset_index(drop=True)
        resolved = part["resolved_at"].where(part["resolved_at"] <= cutoff)
        verified_at = part["verified_at"].where(resolved.notna() & (part["verified_at"] <= cutoff))
        frame = pd.DataFrame({
            "rec_id": part["rec_id"], "lhp_year": part["lhp_year"].astype(str), "unit_code": part["unit_code"],
            "resolved_at": stamp(resolved, "%d-%m-%Y"),
            "verified": np.where(verified_at.notna(), "ya", "tidak"),
            "verified_at": stamp(verified_at, "%d-%m-%Y"),
        })
        for k, i in enumerate(np.flatnonzero(defect_mask(rng, len(frame), ctx.defect_rate))):
            defect = (k + m.month) % 3  # rotate the kinds of defect through the year
            if defect == 0:
                frame.loc[i, "lhp_year"] = "2004"  # before the first LHP year of the catalog
            elif defect == 1:
                frame.loc[i, ["resolved_at", "verified", "verified_at"]] = ["", "ya", ""]  # verified, unresolved
            else:
                frame.loc[i, "unit_code"] = ""
        out.append(Landing("bpk/rekomendasi", m, frame, "csv-id"))
    return out
