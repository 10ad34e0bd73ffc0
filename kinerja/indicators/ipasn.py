"""Indicator 2: IP ASN, the dimensions kualifikasi, kinerja and disiplin (max 60).

Per active PNS of the month-end snapshot: kualifikasi points for the education,
kinerja points for the SKP predicate, disiplin points for the penalty in force
(the tables are catalog rules). Value = mean over active PNS of the sum.
A period counts through its latest snapshot month at or before its last month
(SPEC section 2). Breakdown rows per unit.

Its whole story: the decisions in docs/decisions/personnel.md, section "Indicator 2, IP ASN"; the
catalog entry ``ipasn`` in catalog/pk-2024.toml; the extract ``simpeg/pns_snapshot``
(schemas/pns_snapshot.py); the tests in tests/indicators/test_ipasn.py.
"""

from __future__ import annotations

import numpy as np
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


def points_of(codes: pd.Series, table: dict, dimension: str, scored: np.ndarray) -> np.ndarray:
    """The catalog points of each code, NaN for a missing code.

    Each distinct code is looked up once (a year of snapshots repeats a handful of codes
    hundreds of thousands of times). A code of a ``scored`` row without points fails loudly.
    """
    index, distinct = pd.factorize(codes)
    lookup = np.array([table.get(code, np.nan) for code in distinct] + [np.nan], dtype=float)
    points = lookup[index]  # a missing code (index -1) takes the trailing NaN
    unscored = [distinct[i] for i in np.unique(index[scored & np.isnan(points) & (index >= 0)])]
    if unscored:
        raise ValueError(f"catalog table {dimension} has no points for {', '.join(map(str, unscored))}")
    return points


def dimension_points(snapshot: pd.DataFrame, rules: dict, active: np.ndarray) -> pd.DataFrame:
    """Per snapshot row: the points of each dimension and their total."""
    out = pd.DataFrame({d: points_of(snapshot[c], rules[d], d, active) for d, c in DIMENSIONS.items()},
                       index=snapshot.index)
    out["total"] = out[list(DIMENSIONS)].sum(axis=1)
    return out


def pns_points(snapshot: pd.DataFrame, rules: dict) -> pd.DataFrame:
    """The active PNS of a snapshot with their points per dimension and their total."""
    active = snapshot["active"].fillna(False).to_numpy(dtype=bool)
    points = dimension_points(snapshot, rules, active)
    return pd.concat([snapshot[["snapshot_month", "unit_code"]], points], axis=1)[active]


def monthly_means(snapshot: pd.DataFrame, rules: dict) -> dict[str, list[tuple[str, dict[str, float], int]]]:
    """Per snapshot month: ``(unit, means, n_pns)`` for ``ALL``, then for each unit (sorted);
    ``means``: the mean points of each dimension and of the total over the active PNS (none
    when nobody in the snapshot is active).

    The sums are kept in a grid of snapshot months x units (and a last column for PNS
    without a unit code), one ``np.bincount`` per measure: a unit's means come from its
    cell, the month's from the whole row.
    """
    active = snapshot["active"].fillna(False).to_numpy(dtype=bool)
    points = dimension_points(snapshot, rules, active)
    month, months = pd.factorize(snapshot["snapshot_month"], sort=True)
    unit, units = pd.factorize(snapshot["unit_code"], sort=True)
    shape = (len(months), len(units) + 1)
    counted = active & (month >= 0)
    cell = (month * shape[1] + np.where(unit >= 0, unit, len(units)))[counted]
    points = points[counted]

    def grid(weights: np.ndarray | None = None) -> np.ndarray:
        return np.bincount(cell, weights=weights, minlength=shape[0] * shape[1]).reshape(shape)

    n_pns = grid()
    sums = {c: grid(points[c].fillna(0).to_numpy()) for c in points}
    scored = {c: grid(points[c].notna().to_numpy()) for c in points}
    out: dict[str, list[tuple[str, dict[str, float], int]]] = {}
    with np.errstate(invalid="ignore"):  # 0 / 0: nobody with points (NaN: no value)
        for m, name in enumerate(months):
            if n_pns[m].sum() == 0:  # nobody active in the snapshot
                out[name] = []
                continue
            out[name] = [(ALL, {c: sums[c][m].sum() / scored[c][m].sum() for c in points}, int(n_pns[m].sum()))]
            out[name] += [(units[u], {c: sums[c][m, u] / scored[c][m, u] for c in points}, int(n_pns[m, u]))
                          for u in np.flatnonzero(n_pns[m, :-1])]
    return out


def compute(inputs: dict[str, pd.DataFrame], windows: list[Window], indicator: Indicator) -> Computed:
    by_month = monthly_means(inputs[EXTRACT], indicator.rules)
    out = Computed()
    for w in windows:
        month = latest_snapshot(by_month, w.as_of_month)
        if not by_month.get(month):  # no snapshot, or nobody active in it
            out.add(w, None, 0)
            continue
        for unit, means, n_pns in by_month[month]:
            components: dict[str, float | None] = {f"mean_{d}": means[d] for d in DIMENSIONS}
            components["n_pns"] = n_pns
            components["snapshot_month"] = snapshot_yyyymm(month)
            out.add(w, means["total"], n_pns, unit, components)
    return out
