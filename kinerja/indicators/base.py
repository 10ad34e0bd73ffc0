"""What every indicator shares: the shape of its output, and capaian, status and category.

*Capaian* is achievement against the target; *status* is ``tercapai`` (met),
``tidak tercapai`` (not met), ``tanpa target`` (no target) or ``tidak ada data``
(no data).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field

import pandas as pd

from kinerja.catalog import Indicator
from kinerja.periods import Month, Window, month_range

ALL = "ALL"
TERCAPAI = "tercapai"
TIDAK_TERCAPAI = "tidak tercapai"
TANPA_TARGET = "tanpa target"
TIDAK_ADA_DATA = "tidak ada data"

COMPONENT_VALUE_COLUMNS = ["unit_code", "period", "component", "value"]


@dataclass
class Computed:
    """Raw output of an indicator formula: values per unit and period, and components."""

    values: list[dict] = field(default_factory=list)
    components: list[dict] = field(default_factory=list)

    def add(self, window: Window | str, value: float | None, n_source_rows: int, unit: str = ALL,
            components: dict[str, float | None] | None = None) -> None:
        period = window if isinstance(window, str) else window.period
        self.values.append({"unit_code": unit, "period": period, "value": _num(value),
                            "n_source_rows": int(n_source_rows)})
        for name, v in (components or {}).items():
            self.components.append({"unit_code": unit, "period": period, "component": name, "value": _num(v)})

    def value(self, period: str, unit: str = ALL) -> float | None:
        for row in self.values:
            if row["period"] == period and row["unit_code"] == unit:
                return row["value"]
        raise KeyError((period, unit))

    def component(self, period: str, name: str, unit: str = ALL) -> float | None:
        for row in self.components:
            if row["period"] == period and row["unit_code"] == unit and row["component"] == name:
                return row["value"]
        raise KeyError((period, name, unit))

    def units(self, period: str) -> set[str]:
        return {r["unit_code"] for r in self.values if r["period"] == period}


def _num(v) -> float | None:
    if v is None or v is pd.NA:
        return None
    v = float(v)
    return None if math.isnan(v) else v


def is_missing(v) -> bool:
    return v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v))


def capaian(value: float | None, target: float | None, polarity: str) -> float | None:
    """Achievement in percent, uncapped; None where the target is N/A or 0 or there is no value."""
    if is_missing(value) or target is None or target == 0:
        return None
    ratio = value / target
    return ratio * 100 if polarity == "higher" else (2 - ratio) * 100


def status(value: float | None, target: float | None, polarity: str) -> str:
    if is_missing(value):
        return TIDAK_ADA_DATA
    if target is None:
        return TANPA_TARGET
    met = value >= target if polarity == "higher" else value <= target
    return TERCAPAI if met else TIDAK_TERCAPAI


def finish(computed: Computed, indicator: Indicator, windows: Iterable[Window], pk_year: int
           ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Result rows with target, capaian, status and category; an ``ALL`` row for every window."""
    windows = list(windows)
    by_period = {w.period: w for w in windows}
    as_of = {w.period: str(w.as_of_month) for w in windows}
    targets = {w.period: indicator.target_for(w.period_type, w.quarter) for w in windows}
    rows = [r for r in computed.values if r["period"] in by_period]
    have_all = {r["period"] for r in rows if r["unit_code"] == ALL}
    rows += [{"unit_code": ALL, "period": w.period, "value": None, "n_source_rows": 0}
             for w in windows if w.period not in have_all]
    out = []
    for r in rows:
        w = by_period[r["period"]]
        target = targets[w.period] if r["unit_code"] == ALL else None
        out.append({
            "pk_year": pk_year, "indicator_no": indicator.no, "unit_code": r["unit_code"],
            "period": w.period, "period_type": w.period_type, "as_of_month": as_of[w.period],
            "value": r["value"], "target": target,
            "capaian_pct": capaian(r["value"], target, indicator.polarity),
            "status": status(r["value"], target, indicator.polarity),
            "category": indicator.category(r["value"]),
            "n_source_rows": r["n_source_rows"],
        })
    results = pd.DataFrame(out)
    comps = pd.DataFrame([c for c in computed.components if c["period"] in by_period],
                         columns=COMPONENT_VALUE_COLUMNS)
    comps.insert(0, "pk_year", pk_year)
    comps.insert(1, "indicator_no", indicator.no)
    comps["as_of_month"] = comps["period"].map(as_of.get)
    return results, comps


def no_data(indicator: Indicator, windows: Iterable[Window], pk_year: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every window ``tidak ada data`` (an extract it needs failed)."""
    return finish(Computed(), indicator, windows, pk_year)


def month_of(dates: pd.Series) -> pd.Series:
    """The calendar month (``YYYY-MM``) of each date, or of each aware timestamp in its own (local)
    time zone; missing stays missing."""
    local = dates.dt.tz_localize(None) if getattr(dates.dt, "tz", None) is not None else dates
    codes, months = pd.factorize(local.dt.to_period("M"))  # each distinct month is formatted once
    labels = pd.array([str(m) for m in months] + [pd.NA], dtype="string")
    return pd.Series(labels[codes], index=dates.index)  # code -1 (no date) takes the trailing NA


def window_months(windows: Iterable[Window], from_january: bool = False) -> pd.DataFrame:
    """The months (``YYYY-MM``) each window covers, one row per (``period``, ``month``).

    A window is a union of whole months, so a measure summed (or averaged) per month
    is combined per window by a merge on ``month`` and a groupby on ``period``. With
    ``from_january`` the months run from January of the window's year (year to date).
    """
    rows = [(w.period, str(m)) for w in windows
            for m in (month_range(Month(w.start.year, 1), w.as_of_month) if from_january else w.months)]
    return pd.DataFrame(rows, columns=["period", "month"]).astype("string")


def window_table(windows: Iterable[Window]) -> pd.DataFrame:
    """One row per window: ``period``, its ``first`` and ``last`` month (``YYYY-MM``; a window is a
    run of whole months) and its ``cutoff``."""
    windows = list(windows)
    return pd.DataFrame({
        "period": pd.array([w.period for w in windows], dtype="string"),
        "first": pd.array([str(w.months[0]) for w in windows], dtype="string"),
        "last": pd.array([str(w.as_of_month) for w in windows], dtype="string"),
        "cutoff": [pd.Timestamp(w.cutoff) for w in windows],
    })


def rows_by_period(frame: pd.DataFrame) -> dict[str, dict[str, dict]]:
    """A frame indexed by (period, unit) as ``{period: {unit: row as a dict}}``, in index order
    (the first level may also be a snapshot month)."""
    out: dict[str, dict[str, dict]] = {}
    for (period, unit), row in frame.to_dict("index").items():
        out.setdefault(period, {})[unit] = row
    return out


def mean_or_none(values: Iterable[float | None]) -> float | None:
    vals = [v for v in values if not is_missing(v)]
    return sum(vals) / len(vals) if vals else None


def latest_snapshot(months: Iterable[str], as_of) -> str | None:
    """The latest snapshot month (``YYYY-MM``) at or before ``as_of``, or None when there is none."""
    eligible = [m for m in months if m <= str(as_of)]
    return max(eligible) if eligible else None
