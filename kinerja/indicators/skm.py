"""Indicator 3: SKM, the personnel-service satisfaction index (*Survei Kepuasan Masyarakat*).

Per unit and month the NRR (*nilai rata-rata*, mean answer) of each element
(*unsur*) over its non-blank answers; IKM (*indeks kepuasan masyarakat*) =
conversion x sum(NRR) / number of elements. The month's agency value is the
mean of the unit-month IKMs; a quarter or the year is the mean of its monthly
agency values (the agreement's "rata-rata selama 12 bulan").

Its whole story: the decisions in docs/decisions/skeleton.md, section "SKM (indicator 3)"; the
catalog entry ``skm`` in catalog/pk-2024.toml; the extract ``ekinerja/skm_responses``
(schemas/skm_responses.py); the tests in tests/indicators/test_skm.py.
"""

from __future__ import annotations

import math

import pandas as pd

from kinerja.catalog import Indicator
from kinerja.indicators.base import ALL, Computed, mean_or_none, month_of, rows_by_period, window_months
from kinerja.periods import Month, Window

CODE = "skm"
EXTRACT = "ekinerja/skm_responses"


def krejcie_morgan(population: int, chi_square: float, proportion: float, margin: float) -> int:
    """Minimum sample size for a finite population (Krejcie & Morgan, 1970), rounded up."""
    pq = proportion * (1 - proportion)
    return math.ceil(chi_square * population * pq / (margin * margin * (population - 1) + chi_square * pq))


def unit_months(responses: pd.DataFrame, elements: list[str], conversion: float) -> pd.DataFrame:
    """One row per unit and month: NRR per element, IKM, responses and blank answers."""
    df = responses[["unit_code", *elements]].assign(month=month_of(responses["submitted_on"]))
    grouped = df.groupby(["unit_code", "month"], sort=True)
    nrr = grouped[elements].mean()
    nrr.columns = [f"nrr_{e}" for e in elements]
    out = nrr.astype(float)
    nrr_cols = list(out.columns)
    # exact conversion x sum / n; an element nobody answered in the unit-month is left out of the mean
    out["ikm"] = conversion * out[nrr_cols].mean(axis=1, skipna=True)
    out["n_responses"] = grouped.size()
    out["n_blank_answers"] = len(elements) * out["n_responses"] - grouped[elements].count().sum(axis=1)
    return out.reset_index()


def compute(inputs: dict[str, pd.DataFrame], windows: list[Window], indicator: Indicator) -> Computed:
    rules = indicator.rules
    elements = list(rules["elements"])
    um = unit_months(inputs[EXTRACT], elements, rules["conversion"])
    population = {u["code"]: u.get("population") for u in rules["units"]}
    km = rules["krejcie_morgan"]
    nrr_cols = [f"nrr_{e}" for e in elements]
    means = {c: "mean" for c in [*nrr_cols, "ikm"]}
    sums = {"n_responses": "sum", "n_blank_answers": "sum"}

    # agency level: per month the mean over units; a quarter or the year the mean over its months
    monthly = um.groupby("month").agg(means | sums)
    monthly_all = monthly["ikm"].to_dict()
    by_window = window_months(windows)
    agency = by_window.merge(monthly.reset_index(), on="month").groupby("period").agg(means | sums)
    agency = agency.to_dict("index")
    per_unit = by_window.merge(um, on="month").groupby(["period", "unit_code"], sort=True).agg(means | sums)
    per_unit = rows_by_period(per_unit)
    out = Computed()

    def rolling(month: Month) -> float | None:
        keys = [str(month.plus(-k)) for k in range(rules["rolling_months"])]
        return mean_or_none(monthly_all.get(k) for k in keys)

    for w in windows:
        row = agency.get(w.period, {})
        comps: dict[str, float | None] = {c: row.get(c) for c in nrr_cols}
        comps["n_responses"] = row.get("n_responses", 0)
        comps["n_blank_answers"] = row.get("n_blank_answers", 0)
        if w.period_type == "month":
            comps["skm_rolling_12m"] = rolling(w.as_of_month)
        out.add(w, row.get("ikm"), comps["n_responses"], ALL, comps)
        # breakdown per unit
        for unit, row in per_unit.get(w.period, {}).items():
            ucomps: dict[str, float | None] = {c: row[c] for c in nrr_cols}
            ucomps["n_responses"] = int(row["n_responses"])
            ucomps["n_blank_answers"] = int(row["n_blank_answers"])
            pop = population.get(unit)
            if w.period_type == "month" and pop:
                need = krejcie_morgan(pop, km["chi_square"], km["proportion"], km["margin"])
                ucomps["km_min_sample"] = need
                ucomps["sample_short"] = float(ucomps["n_responses"] < need)
            out.add(w, row["ikm"], ucomps["n_responses"], unit, ucomps)
    return out
