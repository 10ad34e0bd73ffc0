"""Indicator 14: follow-up of BPK audit recommendations (*tindak lanjut rekomendasi BPK*).

Base = recommendations of an LHP year before the PK year still unresolved on
1 January (resolved_at blank or on/after 1 January). A recommendation of the
base is done when it is resolved and verified by the Inspektorat; it counts in
the window holding the later of the two dates (``resolved_at``, ``verified_at``),
so it counts once. ``verified_at`` is optional (beyond the contract): a verified
recommendation staged from a file without it counts in the window of
``resolved_at``. Value = done in the window / (``base_share`` x base) x 100;
the year is the sum of its quarters (increment), a month row the month's
contribution. Breakdown rows per responsible unit, on the unit's own base.

Its whole story: the decisions in docs/decisions/follow-up.md, section "Rekomendasi BPK (14)"; the
catalog entry ``rekomendasi_bpk`` in catalog/pk-2024.toml; the extract ``bpk/rekomendasi``
(schemas/rekomendasi.py); the tests in tests/indicators/test_rekomendasi_bpk.py.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from kinerja.catalog import Indicator
from kinerja.indicators.base import ALL, Computed, month_of, rows_by_period, window_table
from kinerja.indicators.increment import local_day
from kinerja.periods import Window

CODE = "rekomendasi_bpk"
EXTRACT = "bpk/rekomendasi"


def with_base_and_done(recs: pd.DataFrame, pk_year: int) -> pd.DataFrame:
    """Adds ``in_base`` and ``done_at`` (resolved and verified: the later of the two dates, ``resolved_at``
    when the verification date is not known, else NaT)."""
    df = recs[["rec_id", "lhp_year", "unit_code", "resolved_at", "verified", "verified_at"]].copy()
    year_start = pd.Timestamp(date(pk_year, 1, 1))
    unresolved_on_jan1 = df["resolved_at"].isna() | (local_day(df["resolved_at"]) >= year_start)
    df["in_base"] = ((df["lhp_year"] < pk_year).fillna(False) & unresolved_on_jan1).astype(bool)
    ra, va = df["resolved_at"], df["verified_at"]
    done = df["verified"].fillna(False).astype(bool) & ra.notna()
    df["done_at"] = ra.where(va.isna() | (ra >= va), va).where(done)
    return df


def _measures(base: pd.DataFrame, windows: list[Window]) -> pd.DataFrame:
    """Per window and base recommendation, 0/1 flags (a window is a run of whole months;
    a year's quarters to date cover January to its last month)."""
    months = {"done": month_of(base["done_at"]), "resolved": month_of(base["resolved_at"])}
    df = base[["unit_code", "done_at"]].assign(**months).merge(window_table(windows), how="cross")
    done_in = ((df["done"] >= df["first"]) & (df["done"] <= df["last"])).fillna(False)
    resolved_in = ((df["resolved"] >= df["first"]) & (df["resolved"] <= df["last"])).fillna(False)
    verified_by_cutoff = df["done_at"].notna() & (df["done_at"] <= df["cutoff"])
    open_at_end = df["resolved"].isna() | (df["resolved"] > df["last"])
    return pd.DataFrame({
        "period": df["period"],
        "unit_code": df["unit_code"],
        "n_base": 1,
        "n_done": done_in.astype(int),
        "n_resolved_not_verified": (resolved_in & ~verified_by_cutoff).astype(int),
        "n_open_at_end": open_at_end.astype(int),
    })


def compute(inputs: dict[str, pd.DataFrame], windows: list[Window], indicator: Indicator) -> Computed:
    out = Computed()
    if not windows:
        return out
    share = float(indicator.rules["base_share"])
    recs = with_base_and_done(inputs[EXTRACT], windows[0].start.year)
    m = _measures(recs[recs["in_base"]], windows)
    totals = m.drop(columns="unit_code").groupby("period").sum().to_dict("index")
    per_unit = rows_by_period(m.groupby(["period", "unit_code"], sort=True).sum())
    empty = {"n_base": 0, "n_done": 0, "n_resolved_not_verified": 0, "n_open_at_end": 0}
    for w in windows:
        for unit, row in [(ALL, totals.get(w.period, empty)), *per_unit.get(w.period, {}).items()]:
            n_base = int(row["n_base"])
            denominator = share * n_base
            # each quarter's value is n_q / denominator x 100, so their sum is the count over the quarters
            value = int(row["n_done"]) / denominator * 100 if n_base else None
            comps = {"base": n_base, "denominator": denominator, "n_done": int(row["n_done"]),
                     "n_resolved_not_verified": int(row["n_resolved_not_verified"]),
                     "n_open_at_end": int(row["n_open_at_end"])}
            out.add(w, value, n_base, unit, comps)
    return out
