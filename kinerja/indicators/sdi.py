"""Indicator 5: the SDI data-quality score (*Satu Data Indonesia*), 0-4.

A dataset of the *daftar data* is due in a window when its release date falls
in it. Four ratios over the due datasets, summed: timeliness (first submitted
by the collection deadline), completeness, uniqueness and validity (of the
latest version received by the correction deadline).
"""

from __future__ import annotations

import pandas as pd

from kinerja.catalog import Indicator
from kinerja.indicators.base import ALL, Computed, in_window
from kinerja.periods import Window, deadline_after

CODE = "sdi"
DAFTAR = "portal_data/daftar_data"
SUBMISSIONS = "portal_data/submissions"
ASPECTS = ("ketepatan_waktu", "kelengkapan", "keunikan", "validitas")


def dataset_flags(daftar: pd.DataFrame, submissions: pd.DataFrame, collection_day: int,
                  correction_day: int, tz: str) -> pd.DataFrame:
    """Per dataset of the daftar data: the four pass/fail flags of SPEC section 3."""
    ds = daftar[["dataset_id", "producer_pd", "release_date"]].copy()
    ds["collection_deadline"] = [pd.Timestamp(deadline_after(d.date(), collection_day, tz))
                                 for d in ds["release_date"]]
    ds["correction_deadline"] = [pd.Timestamp(deadline_after(d.date(), correction_day, tz))
                                 for d in ds["release_date"]]
    subs = submissions.merge(ds[["dataset_id", "collection_deadline", "correction_deadline"]], on="dataset_id")
    first = subs.groupby("dataset_id")["submitted_at"].min()
    by_correction = subs[subs["submitted_at"] <= subs["correction_deadline"]]
    latest = (by_correction.sort_values(["dataset_id", "version", "submitted_at"])
              .groupby("dataset_id").tail(1).set_index("dataset_id"))
    ds = ds.set_index("dataset_id")
    ds["first_submitted_at"] = first
    ds["ketepatan_waktu"] = (ds["first_submitted_at"] <= ds["collection_deadline"]).fillna(False)
    ds["kelengkapan"] = latest["components_complete"].reindex(ds.index).fillna(False).astype(bool)
    ds["keunikan"] = (latest["duplicate_key_rows"] == 0).reindex(ds.index).fillna(False).astype(bool)
    ds["validitas"] = latest["validated"].reindex(ds.index).fillna(False).astype(bool)
    ds["ketepatan_waktu"] = ds["ketepatan_waktu"].astype(bool)
    return ds.reset_index()


def _score(due: pd.DataFrame) -> tuple[float | None, dict[str, float | None]]:
    n = len(due)
    if n == 0:
        return None, {"n_due": 0}
    ratios = {a: float(due[a].sum()) / n for a in ASPECTS}
    return sum(ratios.values()), {**ratios, "n_due": n}


def compute(inputs: dict[str, pd.DataFrame], windows: list[Window], indicator: Indicator) -> Computed:
    rules = indicator.rules
    tz = str(windows[0].cutoff.tzinfo) if windows else "Asia/Jakarta"
    flags = dataset_flags(inputs[DAFTAR], inputs[SUBMISSIONS], rules["collection_deadline_day"],
                          rules["correction_deadline_day"], tz)
    out = Computed()
    for w in windows:
        due = flags[in_window(flags["release_date"], w)]
        value, comps = _score(due)
        out.add(w, value, len(due), ALL, comps)
        for producer, rows in due.groupby("producer_pd", sort=True):
            value, comps = _score(rows)
            out.add(w, value, len(rows), producer, comps)
    return out
