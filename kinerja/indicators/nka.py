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

Its whole story: the decisions in docs/decisions/finance.md, section "Nilai kinerja anggaran (11)";
the catalog entry ``nka`` in catalog/pk-2024.toml; the extracts ``apbd/budget_monthly``
(schemas/budget_monthly.py) and ``esakip/output_realisasi`` (schemas/output_realisasi.py); the tests in
tests/indicators/test_nka.py.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kinerja.catalog import Indicator
from kinerja.indicators.base import ALL, Computed, window_months
from kinerja.periods import Window

CODE = "nka"
BUDGET = "apbd/budget_monthly"
OUTPUT = "esakip/output_realisasi"
KEY = "sub_activity_code"
PERCENT = 100.0
# catalog weight key -> component that carries it
WEIGHTED = {"penyerapan": "P", "konsistensi": "K", "capaian_keluaran": "CK", "efisiensi": "NE"}


def _latest(frame: pd.DataFrame) -> pd.DataFrame:
    """Per window, each sub-activity's row of its latest month (frame: the rows of the window's months)."""
    key = ["period", KEY]
    return frame.sort_values([*key, "month"], kind="stable").drop_duplicates(key, keep="last").set_index(key)


def penyerapan(total_pagu: float, total_realisation: float) -> float | None:
    if not total_pagu > 0:
        return None
    return min(total_realisation / total_pagu, 1.0) * PERCENT


def konsistensi(monthly: pd.DataFrame) -> float | None:
    """``monthly``: one row per month with the totals ``rpd`` and ``realisasi``; months with RPD 0 are skipped."""
    planned = monthly[monthly["rpd"] > 0]
    if planned.empty:
        return None
    rpd, realisasi = planned["rpd"].to_numpy(dtype=float), planned["realisasi"].to_numpy(dtype=float)
    deviation = np.minimum(np.abs(realisasi - rpd) / rpd * PERCENT, PERCENT)
    return max(0.0, PERCENT - float(deviation.mean()))


def nilai_efisiensi(e: float | None, ne_base: float, ne_e_span: float) -> float | None:
    if e is None:
        return None
    return min(max(ne_base + e / ne_e_span * ne_base, 0.0), PERCENT)


def ytd_sums(budget: pd.DataFrame, outputs: pd.DataFrame, windows: list[Window]) -> pd.DataFrame:
    """Per window (``period``), from 1 January to its last month: the sums that P, CK and E are made of.

    ``pagu``/``realisation``: totals over sub-activities (each with its latest pagu); ``ck_mean``
    and ``n_ck``: capaian keluaran (a fraction) over sub-activities with a target;
    ``expected``/``saving``: sum(pagu_i x ck_i) and sum(pagu_i x ck_i - realisation_i) over the
    sub-activities with both; ``n_rows``: the input rows used.
    """
    ytd = window_months(windows, from_january=True)
    b = ytd.merge(budget[[KEY, "month", "pagu", "realisasi"]], on="month").astype({"pagu": float, "realisasi": float})
    o = ytd.merge(outputs[[KEY, "month", "output_target", "output_realised"]], on="month")
    per_sub = pd.DataFrame({"pagu": _latest(b)["pagu"], "realisation": b.groupby(["period", KEY])["realisasi"].sum()})
    latest_out = _latest(o)
    target = latest_out["output_target"].astype(float)
    with_target = latest_out[target.notna() & (target > 0)]
    ck = (with_target["output_realised"].astype(float) / with_target["output_target"].astype(float)).clip(upper=1.0)
    both = per_sub.join(ck.rename("ck"), how="inner")
    expected = both["pagu"] * both["ck"]
    by_period = {
        "pagu": per_sub["pagu"].groupby(level="period").sum(),
        "realisation": per_sub["realisation"].groupby(level="period").sum(),
        "ck_mean": ck.groupby(level="period").mean(),
        "n_ck": ck.groupby(level="period").size(),
        "expected": expected.groupby(level="period").sum(),
        "saving": (expected - both["realisation"]).groupby(level="period").sum(),
        "n_rows": b.groupby("period").size().add(o.groupby("period").size(), fill_value=0),
    }
    return pd.DataFrame(by_period)


def ytd_components(sums: dict, monthly: pd.DataFrame, rules: dict) -> dict[str, float | None]:
    """P, K, CK, E and NE from a window's ``ytd_sums`` row and the monthly totals of its months."""
    e = sums["saving"] / sums["expected"] * PERCENT if sums.get("expected", 0) > 0 else None
    return {
        "P": penyerapan(sums.get("pagu", 0.0), sums.get("realisation", 0.0)),
        "K": konsistensi(monthly),
        "CK": sums["ck_mean"] * PERCENT if sums.get("n_ck", 0) > 0 else None,
        "E": e,
        "NE": nilai_efisiensi(e, rules["ne_base"], rules["ne_e_span"]),
    }


def nka_value(comps: dict[str, float | None], weights: dict[str, float]) -> float | None:
    parts = [(weights[key], comps[name]) for key, name in WEIGHTED.items()]
    if any(v is None for _, v in parts):
        return None
    return sum(w * v for w, v in parts)


def compute(inputs: dict[str, pd.DataFrame], windows: list[Window], indicator: Indicator) -> Computed:
    rules = indicator.rules
    budget, outputs = inputs[BUDGET], inputs[OUTPUT]
    sums = ytd_sums(budget, outputs, windows).to_dict("index")
    monthly = budget.astype({"rpd": float, "realisasi": float}).groupby("month")[["rpd", "realisasi"]].sum()
    out = Computed()
    by_month: dict[str, dict] = {}
    for w in windows:
        first, last = f"{w.start.year:04d}-01", str(w.as_of_month)
        if last not in by_month:  # a quarter or the year ends on a month already computed
            months = monthly[(monthly.index >= first) & (monthly.index <= last)]
            by_month[last] = ytd_components(sums.get(w.period, {}), months, rules)
        comps = by_month[last]
        out.add(w, nka_value(comps, rules["weights"]), sums.get(w.period, {}).get("n_rows", 0), ALL, comps)
    return out
