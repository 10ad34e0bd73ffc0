"""Indicator 8: competency development of 40 JP (*jam pelajaran*) per PNS per year, percent.

Population: the active PNS of the latest snapshot at or before the period's
last month. Per PNS: verified JP of trainings ending from 1 January of the PK
year to the period's end. Value = mean over the population of
min(JP / threshold, 1) x 100 (threshold: catalog ``jp_threshold``). Training of
a NIP outside the population is reported in components, not counted. A training
counts once per NIP: staging keeps one row per (NIP, training).

Its whole story: the decisions in docs/decisions/personnel.md, section "Indicator 8, 40 JP"; the
catalog entry ``kompetensi`` in catalog/pk-2024.toml; the extracts ``simpeg/pns_snapshot``
(schemas/pns_snapshot.py) and ``simdiklat/training`` (schemas/training.py); the tests in
tests/indicators/test_kompetensi.py.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from kinerja.catalog import Indicator
from kinerja.indicators.base import ALL, Computed, latest_snapshot
from kinerja.indicators.ipasn import snapshot_yyyymm
from kinerja.periods import Month, Window, month_range

CODE = "kompetensi"
PNS = "simpeg/pns_snapshot"
TRAINING = "simdiklat/training"
NIP = "nip_pseudonym"


@dataclass
class Encoded:
    """Both inputs with one integer code per NIP, so that a window is a few array operations
    (a year is 65,000 PNS x 12 snapshots and over a million training rows)."""

    n_nips: int
    months: list[str]  # the snapshot months, by code
    pns_code: np.ndarray
    pns_month: np.ndarray  # snapshot month code
    pns_active: np.ndarray
    code: np.ndarray  # training rows from here on
    end: np.ndarray
    jp: np.ndarray
    verified: np.ndarray

    @classmethod
    def of(cls, snapshot: pd.DataFrame, training: pd.DataFrame) -> Encoded:
        codes, uniques = pd.factorize(pd.concat([snapshot[NIP], training[NIP]], ignore_index=True))
        n = len(snapshot)
        # staging keeps one row per (NIP, training); this guards any other caller: one integer
        # per (NIP, training) pair (codes start at -1 for a missing value), the last row kept
        training_code, training_ids = pd.factorize(training["training_id"])
        pair = codes[n:].astype(np.int64) * (len(training_ids) + 1) + (training_code + 1)
        once = ~pd.Series(pair).duplicated(keep="last").to_numpy()
        month_code, months = pd.factorize(snapshot["snapshot_month"])
        return cls(
            n_nips=len(uniques),
            months=[str(m) for m in months],
            pns_code=codes[:n],
            pns_month=month_code,
            pns_active=snapshot["active"].fillna(False).to_numpy(dtype=bool),
            code=codes[n:][once],
            end=training["end_date"].to_numpy(dtype="datetime64[us]")[once],
            jp=training["jp"].astype(float).to_numpy(dtype=float, na_value=0.0)[once],
            verified=training["verified"].fillna(False).to_numpy(dtype=bool)[once],
        )

    def population(self, month: str) -> np.ndarray:
        """A mask over NIP codes: the active PNS of the snapshot month."""
        members = np.zeros(self.n_nips, dtype=bool)
        members[self.pns_code[(self.pns_month == self.months.index(month)) & self.pns_active]] = True
        return members


@dataclass
class YearToDate:
    """Training ending from 1 January of a year to the end of each of its months (column or
    item ``k``: through month ``k + 1``): per NIP the verified JP and verified records, and
    the unverified and all records."""

    jp: np.ndarray  # NIP code x month
    records: np.ndarray  # NIP code x month
    unverified: np.ndarray  # month
    ended: np.ndarray  # month

    @classmethod
    def of(cls, data: Encoded, year: int) -> YearToDate:
        # the first days of the year's months and of the next January
        starts = np.array([m.first_day for m in month_range(Month(year, 1), Month(year + 1, 1))], dtype=data.end.dtype)
        n_months = len(starts) - 1
        month = np.searchsorted(starts, data.end, side="right") - 1  # -1: before the year; n_months: after, or NaT
        in_year = (month >= 0) & (month < n_months)
        verified = in_year & data.verified
        cell = data.code[verified] * n_months + month[verified]
        size = data.n_nips * n_months
        return cls(
            jp=np.bincount(cell, weights=data.jp[verified], minlength=size).reshape(-1, n_months).cumsum(axis=1),
            records=np.bincount(cell, minlength=size).reshape(-1, n_months).cumsum(axis=1),
            unverified=np.bincount(month[in_year & ~data.verified], minlength=n_months).cumsum(),
            ended=np.bincount(month[in_year], minlength=n_months).cumsum(),
        )


def jp_score(ytd: YearToDate, k: int, members: np.ndarray, threshold: float
             ) -> tuple[float | None, dict[str, float | None]]:
    """The value and components for one population and the training through month ``k + 1``."""
    records = ytd.records[:, k]
    outside = records[~members]
    jp = ytd.jp[members, k]
    components: dict[str, float | None] = {
        "n_pns": int(members.sum()),
        "n_training_records": int(records[members].sum()),
        "n_training_outside_population": int(outside.sum()),
        "n_nip_outside_population": int((outside > 0).sum()),
        "n_training_unverified": int(ytd.unverified[k]),
        "share_reaching_40jp": None,
        "mean_jp": None,
    }
    if len(jp) == 0:
        return None, components
    components["share_reaching_40jp"] = float((jp >= threshold).mean()) * 100
    components["mean_jp"] = float(jp.mean())
    return float(np.minimum(jp / threshold, 1.0).mean()) * 100, components


def compute(inputs: dict[str, pd.DataFrame], windows: list[Window], indicator: Indicator) -> Computed:
    threshold = float(indicator.rules["jp_threshold"])
    data = Encoded.of(inputs[PNS], inputs[TRAINING])
    years: dict[int, YearToDate] = {}
    out = Computed()
    done: dict[tuple[str, int, int], tuple[float | None, dict, int]] = {}
    for w in windows:
        month = latest_snapshot(data.months, w.as_of_month)
        if month is None:
            out.add(w, None, 0)
            continue
        year, k = w.start.year, w.as_of_month.month - 1  # the window ends with its as-of month
        key = (month, year, k)  # a month, its quarter and the year to date often coincide
        if key not in done:
            if year not in years:
                years[year] = YearToDate.of(data, year)
            value, components = jp_score(years[year], k, data.population(month), threshold)
            components["snapshot_month"] = snapshot_yyyymm(month)
            done[key] = (value, components, int(years[year].ended[k]))
        value, components, n_rows = done[key]
        out.add(w, value, n_rows, ALL, components)
    return out
