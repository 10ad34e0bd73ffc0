"""Indicator 8: competency development of 40 JP (*jam pelajaran*) per PNS per year, percent.

Population: the active PNS of the latest snapshot at or before the period's
last month. Per PNS: verified JP of trainings ending from 1 January of the PK
year to the period's end. Value = mean over the population of
min(JP / threshold, 1) x 100 (threshold: catalog ``jp_threshold``). Training of
a NIP outside the population is reported in components, not counted. A training
counts once per NIP: staging keeps one row per (NIP, training).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from kinerja.catalog import Indicator
from kinerja.indicators.base import ALL, Computed, latest_snapshot
from kinerja.indicators.ipasn import snapshot_yyyymm
from kinerja.periods import Window

CODE = "kompetensi"
PNS = "simpeg/pns_snapshot"
TRAINING = "simdiklat/training"
NIP = "nip_pseudonym"


@dataclass
class Encoded:
    """Both inputs with one integer code per NIP, so that a window is a few array operations
    (a year is 65,000 PNS x 12 snapshots and over a million training rows)."""

    n_nips: int
    pns_code: np.ndarray
    pns_month: np.ndarray
    pns_active: np.ndarray
    code: np.ndarray  # training rows from here on
    end: np.ndarray
    jp: np.ndarray
    verified: np.ndarray

    @classmethod
    def of(cls, snapshot: pd.DataFrame, training: pd.DataFrame) -> Encoded:
        # staging keeps one row per (NIP, training); this guards any other caller
        training = training.drop_duplicates([NIP, "training_id"], keep="last")
        codes, uniques = pd.factorize(pd.concat([snapshot[NIP], training[NIP]], ignore_index=True))
        n = len(snapshot)
        return cls(
            n_nips=len(uniques),
            pns_code=codes[:n],
            pns_month=snapshot["snapshot_month"].to_numpy(dtype=object),
            pns_active=snapshot["active"].fillna(False).to_numpy(dtype=bool),
            code=codes[n:],
            end=training["end_date"].to_numpy(dtype="datetime64[us]"),
            jp=training["jp"].astype(float).to_numpy(dtype=float, na_value=0.0),
            verified=training["verified"].fillna(False).to_numpy(dtype=bool),
        )

    def population(self, month: str) -> np.ndarray:
        """A mask over NIP codes: the active PNS of the snapshot month."""
        members = np.zeros(self.n_nips, dtype=bool)
        members[self.pns_code[(self.pns_month == month) & self.pns_active]] = True
        return members

    def ended_between(self, start: date, end: date) -> np.ndarray:
        """A mask over training rows: those ending in [start, end]."""
        return (self.end >= np.datetime64(start, "us")) & (self.end <= np.datetime64(end, "us"))


def jp_score(data: Encoded, members: np.ndarray, in_range: np.ndarray, threshold: float
             ) -> tuple[float | None, dict[str, float | None]]:
    """The value and components for one population and the training rows of the window."""
    verified = in_range & data.verified
    inside = members[data.code]
    counted = verified & inside
    outside = verified & ~inside
    jp = np.bincount(data.code[counted], weights=data.jp[counted], minlength=data.n_nips)[members]
    components: dict[str, float | None] = {
        "n_pns": int(members.sum()),
        "n_training_records": int(counted.sum()),
        "n_training_outside_population": int(outside.sum()),
        "n_nip_outside_population": len(np.unique(data.code[outside])),
        "n_training_unverified": int((in_range & ~data.verified).sum()),
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
    months = pd.unique(data.pns_month).tolist()
    out = Computed()
    done: dict[tuple[str, date, date], tuple[float | None, dict, int]] = {}
    for w in windows:
        month = latest_snapshot(months, w.as_of_month)
        if month is None:
            out.add(w, None, 0)
            continue
        key = (month, w.year_start, w.end)  # a month, its quarter and the year to date often coincide
        if key not in done:
            in_range = data.ended_between(w.year_start, w.end)
            value, components = jp_score(data, data.population(month), in_range, threshold)
            components["snapshot_month"] = snapshot_yyyymm(month)
            done[key] = (value, components, int(in_range.sum()))
        value, components, n_rows = done[key]
        out.add(w, value, n_rows, ALL, components)
    return out
