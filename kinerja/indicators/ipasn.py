"""Indicator 2: IP ASN, the dimensions kualifikasi, kinerja and disiplin (max 60).

Per active PNS of the month-end snapshot: kualifikasi points for the education,
kinerja points for the SKP predicate, disiplin points for the penalty in force
(the tables are catalog rules). Value = mean over active PNS of the sum.
A period counts through its latest snapshot month at or before its last month
(SPEC section 2). Breakdown rows per unit.
"""

from __future__ import annotations

import pandas as pd

from kinerja.catalog import Indicator
from kinerja.indicators.base import ALL, Computed, latest_snapshot
from kinerja.periods import Window

CODE = "ipasn"
EXTRACT = "simpeg/pns_snapshot"
# dimension (catalog table) -> the snapshot column it scores
DIMENSIONS = {"kualifikasi": "education", "kinerja": "skp_predicate", "disiplin": "discipline_penalty"}


def snapshot_yyyymm(month: str) -> int:
    """A snapshot month as a number (``2024-03`` -> 202403), for the numeric component tables."""
    return int(month.replace("-", ""))


def pns_points(snapshot: pd.DataFrame, rules: dict) -> pd.DataFrame:
    """The active PNS of a snapshot with their points per dimension and their total."""
    active = snapshot[snapshot["active"].fillna(False).astype(bool)]
    out = active[["snapshot_month", "unit_code"]].copy()
    for dimension, column in DIMENSIONS.items():
        table = rules[dimension]
        points = active[column].map(table)
        unscored = active.loc[points.isna(), column].dropna().unique()
        if len(unscored):
            raise ValueError(f"catalog table {dimension} has no points for {', '.join(map(str, unscored))}")
        out[dimension] = points.astype(float)
    out["total"] = out[list(DIMENSIONS)].sum(axis=1)
    return out


def _summary(points: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    cols = [*DIMENSIONS, "total"]
    summary = points.groupby(by, sort=True)[cols].mean()
    summary["n_pns"] = points.groupby(by, sort=True).size()
    return summary


def compute(inputs: dict[str, pd.DataFrame], windows: list[Window], indicator: Indicator) -> Computed:
    snapshot = inputs[EXTRACT]
    points = pns_points(snapshot, indicator.rules)
    overall = _summary(points, ["snapshot_month"])
    per_unit = _summary(points, ["snapshot_month", "unit_code"])
    months = snapshot["snapshot_month"].dropna().unique().tolist()
    out = Computed()
    for w in windows:
        month = latest_snapshot(months, w.as_of_month)
        if month is None or month not in overall.index:  # no snapshot, or nobody active in it
            out.add(w, None, 0)
            continue
        rows = [(ALL, overall.loc[month])]
        rows += [(unit, row) for unit, row in per_unit.loc[month].iterrows()]
        for unit, row in rows:
            components = {f"mean_{d}": row[d] for d in DIMENSIONS}
            components["n_pns"] = row["n_pns"]
            components["snapshot_month"] = snapshot_yyyymm(month)
            out.add(w, row["total"], int(row["n_pns"]), unit, components)
    return out
