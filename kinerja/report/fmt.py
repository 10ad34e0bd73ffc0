"""Display helpers every renderer shares: Indonesian month names, statuses, component layout."""

from __future__ import annotations

import math

from kinerja.indicators.base import ALL, TANPA_TARGET, TERCAPAI, TIDAK_ADA_DATA, TIDAK_TERCAPAI
from kinerja.report.data import NOT_COMPUTED, PERIODS, ReportData, period_key
from kinerja.scorecard import id_number

MONTH_NAMES = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September",
               "Oktober", "November", "Desember")
STATUS_ORDER = (TERCAPAI, TIDAK_TERCAPAI, TANPA_TARGET, TIDAK_ADA_DATA, NOT_COMPUTED)


def month_label(month: str | None, short: bool = False) -> str:
    """``2024-08`` -> ``Agustus 2024`` (short: ``Agu``)."""
    if not month:
        return ""
    year, mm = month.split("-")
    name = MONTH_NAMES[int(mm) - 1]
    return ("Agu" if name == "Agustus" else name[:3]) if short else f"{name} {year}"


def short_run(run_id: str | None) -> str:
    """A UUID run id shortened for display (the full id stays in a tooltip and the spreadsheet)."""
    if not run_id:
        return ""
    return run_id if len(run_id) <= 16 else run_id[:8] + "…"


def component_value(value, name: str = "") -> str:
    """Counts without decimals, ratios below 1 with 4, everything else with 2; a month stored as
    a number (``202403`` in a component named ``*_month``) as ``2024-03``."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    v = float(value)
    if name.endswith("month") and v.is_integer() and 190001 <= v <= 299912:
        return f"{int(v) // 100}-{int(v) % 100:02d}"
    if v.is_integer():
        return id_number(v, 0)
    return id_number(v, 4 if abs(v) < 1 else 2)


def component_pivot(data: ReportData) -> list[dict]:
    """Agency-level components, one item per (indicator, component) with its quarter and year values."""
    c = data.components
    keys = {period_key(data.year, key): key for key, _ in PERIODS}
    sel = c[(c["unit_code"] == ALL) & (c["period"].isin(list(keys)))]
    names = dict(zip(data.indicators["indicator_no"], data.indicators["short_name"], strict=True))
    items: dict[tuple[int, str], dict] = {}
    for r in sel.itertuples(index=False):
        item = items.setdefault((int(r.indicator_no), str(r.component)), {
            "indicator_no": int(r.indicator_no), "indicator": names.get(r.indicator_no, ""),
            "component": str(r.component), "values": {}})
        item["values"][keys[r.period]] = None if r.value is None or r.value != r.value else float(r.value)
    return [items[k] for k in sorted(items)]
