"""Indicator 3: SKM, the personnel-service satisfaction index (*Survei Kepuasan Masyarakat*).

Per unit and month the NRR (*nilai rata-rata*, mean answer) of each element
(*unsur*) over its non-blank answers; IKM (*indeks kepuasan masyarakat*) =
conversion x sum(NRR) / number of elements. The month's agency value is the
mean of the unit-month IKMs; a quarter or the year is the mean of its monthly
agency values (the agreement's "rata-rata selama 12 bulan").
"""

from __future__ import annotations

import math

import pandas as pd

from kinerja.catalog import Indicator
from kinerja.indicators.base import ALL, Computed, is_missing, mean_or_none
from kinerja.periods import Month, Window

CODE = "skm"
EXTRACT = "ekinerja/skm_responses"


def krejcie_morgan(population: int, chi_square: float, proportion: float, margin: float) -> int:
    """Minimum sample size for a finite population (Krejcie & Morgan, 1970), rounded up."""
    pq = proportion * (1 - proportion)
    return math.ceil(chi_square * population * pq / (margin * margin * (population - 1) + chi_square * pq))


def unit_months(responses: pd.DataFrame, elements: list[str], conversion: float) -> pd.DataFrame:
    """One row per unit and month: NRR per element, IKM, responses and blank answers."""
    df = responses.copy()
    df["month"] = df["submitted_on"].dt.strftime("%Y-%m")
    grouped = df.groupby(["unit_code", "month"], sort=True)
    nrr = grouped[elements].mean()
    nrr.columns = [f"nrr_{e}" for e in elements]
    out = nrr.astype(float)
    nrr_cols = list(out.columns)
    # exact conversion x sum / n; an element nobody answered in the unit-month is left out of the mean
    out["ikm"] = conversion * out[nrr_cols].mean(axis=1, skipna=True)
    out["n_responses"] = grouped.size()
    out["n_blank_answers"] = grouped[elements].apply(lambda g: int(g.isna().to_numpy().sum()))
    return out.reset_index()


def compute(inputs: dict[str, pd.DataFrame], windows: list[Window], indicator: Indicator) -> Computed:
    rules = indicator.rules
    elements = list(rules["elements"])
    um = unit_months(inputs[EXTRACT], elements, rules["conversion"])
    population = {u["code"]: u.get("population") for u in rules["units"]}
    km = rules["krejcie_morgan"]
    nrr_cols = [f"nrr_{e}" for e in elements]

    monthly_all = um.groupby("month")["ikm"].mean().to_dict()
    monthly_nrr = um.groupby("month")[nrr_cols].mean()
    monthly_n = um.groupby("month")["n_responses"].sum().to_dict()
    monthly_blank = um.groupby("month")["n_blank_answers"].sum().to_dict()
    out = Computed()

    def rolling(month: Month) -> float | None:
        keys = [str(month.plus(-k)) for k in range(rules["rolling_months"])]
        return mean_or_none(monthly_all.get(k) for k in keys)

    for w in windows:
        months = [str(m) for m in w.months]
        in_w = um[um["month"].isin(months)]
        # agency level
        values = [monthly_all[m] for m in months if m in monthly_all]
        comps: dict[str, float | None] = {
            c: mean_or_none(monthly_nrr.loc[m, c] for m in months if m in monthly_nrr.index) for c in nrr_cols
        }
        comps["n_responses"] = sum(monthly_n.get(m, 0) for m in months)
        comps["n_blank_answers"] = sum(monthly_blank.get(m, 0) for m in months)
        if w.period_type == "month":
            comps["skm_rolling_12m"] = rolling(w.as_of_month)
        out.add(w, mean_or_none(values), comps["n_responses"], ALL, comps)
        # breakdown per unit
        for unit, rows in in_w.groupby("unit_code", sort=True):
            ucomps: dict[str, float | None] = {c: rows[c].mean() for c in nrr_cols}
            ucomps["n_responses"] = int(rows["n_responses"].sum())
            ucomps["n_blank_answers"] = int(rows["n_blank_answers"].sum())
            pop = population.get(unit)
            if w.period_type == "month" and pop:
                need = krejcie_morgan(pop, km["chi_square"], km["proportion"], km["margin"])
                ucomps["km_min_sample"] = need
                ucomps["sample_short"] = float(ucomps["n_responses"] < need)
            value = rows["ikm"].mean()
            out.add(w, None if is_missing(value) else value, ucomps["n_responses"], unit, ucomps)
    return out
