"""Indicator 11: budget performance score (*Nilai Kinerja Anggaran*), implementation aspect.

From 1 January to the period's end (month rows too, year to date through the month):
- P penyerapan = min(sum realisation / sum pagu, 1) x 100, with each sub-activity's latest pagu;
- K konsistensi = max(0, 100 - mean over months with RPD > 0 of min(|R - RPD| / RPD x 100, 100)),
  on the monthly totals over sub-activities;
- CK capaian keluaran = mean over sub-activities with a target of min(realised / target, 1) x 100,
  on each sub-activity's latest output row (cumulative volume);
- E efisiensi = sum(pagu_i x ck_i - realisation_i) / sum(pagu_i x ck_i) x 100, over sub-activities
  with both a budget and a target; NE = clamp(ne_base + E / ne_e_span x ne_base, 0, 100);
- value = the catalog-weighted sum of P, K, CK and NE; ``tidak ada data`` unless all four exist.
"""

from __future__ import annotations

import pandas as pd

from kinerja.catalog import Indicator
from kinerja.indicators.base import ALL, Computed
from kinerja.periods import Window

CODE = "nka"
BUDGET = "apbd/budget_monthly"
OUTPUT = "esakip/output_realisasi"
KEY = "sub_activity_code"
PERCENT = 100.0
# catalog weight key -> component that carries it
WEIGHTED = {"penyerapan": "P", "konsistensi": "K", "capaian_keluaran": "CK", "efisiensi": "NE"}


def _latest(frame: pd.DataFrame) -> pd.DataFrame:
    """Each sub-activity's row of its latest month (frame already restricted to the window)."""
    return frame.sort_values([KEY, "month"], kind="stable").drop_duplicates(KEY, keep="last").set_index(KEY)


def penyerapan(pagu: pd.Series, realisation: pd.Series) -> float | None:
    total_pagu = float(pagu.sum())
    if total_pagu <= 0:
        return None
    return min(float(realisation.sum()) / total_pagu, 1.0) * PERCENT


def konsistensi(monthly: pd.DataFrame) -> float | None:
    """``monthly``: one row per month with the totals ``rpd`` and ``realisasi``; months with RPD 0 are skipped."""
    planned = monthly[monthly["rpd"] > 0]
    if planned.empty:
        return None
    deviation = ((planned["realisasi"] - planned["rpd"]).abs() / planned["rpd"] * PERCENT).clip(upper=PERCENT)
    return max(0.0, PERCENT - float(deviation.mean()))


def capaian_keluaran(ck: pd.Series) -> float | None:
    return float(ck.mean()) * PERCENT if len(ck) else None


def efisiensi(pagu: pd.Series, realisation: pd.Series, ck: pd.Series) -> float | None:
    """Over the sub-activities present in both ``pagu``/``realisation`` and ``ck`` (fractions)."""
    both = pd.concat({"pagu": pagu, "real": realisation, "ck": ck}, axis=1, join="inner")
    expected = both["pagu"] * both["ck"]
    denominator = float(expected.sum())
    if denominator <= 0:
        return None
    return float((expected - both["real"]).sum()) / denominator * PERCENT


def nilai_efisiensi(e: float | None, ne_base: float, ne_e_span: float) -> float | None:
    if e is None:
        return None
    return min(max(ne_base + e / ne_e_span * ne_base, 0.0), PERCENT)


def ytd_components(budget: pd.DataFrame, outputs: pd.DataFrame, year_first: str, last: str,
                   rules: dict) -> tuple[dict[str, float | None], int]:
    """P, K, CK, E and NE over the months ``year_first``..``last`` (``YYYY-MM``), and the rows used."""
    b = budget[(budget["month"] >= year_first) & (budget["month"] <= last)]
    o = outputs[(outputs["month"] >= year_first) & (outputs["month"] <= last)]
    b_num = b[[KEY, "month"]].assign(pagu=b["pagu"].astype(float), rpd=b["rpd"].astype(float),
                                     realisasi=b["realisasi"].astype(float))
    pagu = _latest(b_num)["pagu"]
    realisation = b_num.groupby(KEY)["realisasi"].sum()
    monthly = b_num.groupby("month")[["rpd", "realisasi"]].sum()
    latest_out = _latest(o)
    target = latest_out["output_target"].astype(float)
    with_target = latest_out[target.notna() & (target > 0)]
    ck = (with_target["output_realised"].astype(float) / with_target["output_target"].astype(float)).clip(upper=1.0)
    e = efisiensi(pagu, realisation, ck)
    comps = {
        "P": penyerapan(pagu, realisation),
        "K": konsistensi(monthly),
        "CK": capaian_keluaran(ck),
        "E": e,
        "NE": nilai_efisiensi(e, rules["ne_base"], rules["ne_e_span"]),
    }
    return comps, len(b) + len(o)


def nka_value(comps: dict[str, float | None], weights: dict[str, float]) -> float | None:
    parts = [(weights[key], comps[name]) for key, name in WEIGHTED.items()]
    if any(v is None for _, v in parts):
        return None
    return sum(w * v for w, v in parts)


def compute(inputs: dict[str, pd.DataFrame], windows: list[Window], indicator: Indicator) -> Computed:
    rules = indicator.rules
    budget, outputs = inputs[BUDGET], inputs[OUTPUT]
    out = Computed()
    by_month: dict[str, tuple[dict, int]] = {}
    for w in windows:
        last = str(w.as_of_month)
        if last not in by_month:  # a quarter or the year ends on a month already computed
            by_month[last] = ytd_components(budget, outputs, f"{w.start.year:04d}-01", last, rules)
        comps, n_rows = by_month[last]
        out.add(w, nka_value(comps, rules["weights"]), n_rows, ALL, comps)
    return out
