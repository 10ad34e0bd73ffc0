"""Indicator 5: the SDI data-quality score (*Satu Data Indonesia*), 0-4.

A dataset of the *daftar data* is due in a window when its release date falls
in it. Four ratios over the due datasets, summed: timeliness (first submitted
by the collection deadline), completeness, uniqueness and validity (of the
latest version received by the correction deadline).

Its whole story: the decisions in docs/decisions/skeleton.md, section "SDI (indicator 5)"; the
catalog entry ``sdi`` in catalog/pk-2024.toml; the extracts ``portal_data/daftar_data``
(schemas/daftar_data.py) and ``portal_data/submissions`` (schemas/submissions.py); the tests in
tests/indicators/test_sdi.py.
"""

from __future__ import annotations

import pandas as pd

from kinerja.catalog import Indicator
from kinerja.indicators.base import ALL, Computed, month_of, rows_by_period, window_months
from kinerja.periods import Window

CODE = "sdi"
DAFTAR = "portal_data/daftar_data"
SUBMISSIONS = "portal_data/submissions"
ASPECTS = ("ketepatan_waktu", "kelengkapan", "keunikan", "validitas")


def deadlines(days: pd.Series, deadline_day: int, tz: str) -> pd.Series:
    """``periods.deadline_after`` for a column of dates: ``deadline_day`` of the following month,
    23:59:59 local time."""
    next_month = days.dt.to_period("M").dt.to_timestamp() + pd.DateOffset(months=1)
    return (next_month + pd.Timedelta(days=deadline_day - 1, hours=23, minutes=59, seconds=59)).dt.tz_localize(tz)


def dataset_flags(daftar: pd.DataFrame, submissions: pd.DataFrame, collection_day: int,
                  correction_day: int, tz: str) -> pd.DataFrame:
    """Per dataset of the daftar data: the four pass/fail flags of SPEC section 3."""
    ds = daftar[["dataset_id", "producer_pd", "release_date"]].copy()
    ds["collection_deadline"] = deadlines(ds["release_date"], collection_day, tz)
    ds["correction_deadline"] = deadlines(ds["release_date"], correction_day, tz)
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


def scores(due: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Per group of due datasets: the four ratios, ``n_due`` and the value (the sum of the ratios)."""
    grouped = due.groupby(by, sort=True)
    out = grouped[list(ASPECTS)].sum().astype(float).div(grouped.size(), axis=0)
    out["n_due"] = grouped.size()
    out["value"] = sum(out[a] for a in ASPECTS)
    return out


def _add(out: Computed, period: str, unit: str, row: dict) -> None:
    out.add(period, row["value"], row["n_due"], unit, {**{a: row[a] for a in ASPECTS}, "n_due": row["n_due"]})


def compute(inputs: dict[str, pd.DataFrame], windows: list[Window], indicator: Indicator) -> Computed:
    if not windows:
        return Computed()
    rules = indicator.rules
    tz = str(windows[0].cutoff.tzinfo)  # the catalog's time zone, which the windows carry
    flags = dataset_flags(inputs[DAFTAR], inputs[SUBMISSIONS], rules["collection_deadline_day"],
                          rules["correction_deadline_day"], tz)
    # a dataset is due in every window that holds the month of its release date
    flags = flags[["producer_pd", *ASPECTS]].assign(month=month_of(flags["release_date"]))
    due = window_months(windows).merge(flags, on="month")
    overall = scores(due, ["period"]).to_dict("index")
    per_producer = rows_by_period(scores(due, ["period", "producer_pd"]))
    out = Computed()
    for w in windows:
        if w.period not in overall:
            out.add(w, None, 0, ALL, {"n_due": 0})
            continue
        _add(out, w.period, ALL, overall[w.period])
        for producer, row in per_producer.get(w.period, {}).items():
            _add(out, w.period, producer, row)
    return out
