"""Indicator 4: implementation of the public-communication strategy (*komunikasi publik*).

For a window, over the Perangkat Daerah (PD) with a priority program in it:
a = % of PDs whose communication strategy is compiled by the window's end;
b = % of PDs that published communication materials in the window;
c = crises responded / crises x 100; d = netizen questions answered / relevant x 100.
Value = the catalog-weighted mean of a-d; a component with a zero denominator is
not applicable and the weights of the others are rescaled to 100%.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kinerja.catalog import Indicator
from kinerja.indicators.base import ALL, Computed
from kinerja.periods import Window

CODE = "komunikasi"
EXTRACT = "ekinerja/komunikasi_publik"
# component name -> (numerator, denominator) tallies; the weights come from the catalog by these names
COMPONENTS = {
    "a_strategi": ("n_strategy", "n_pd"),
    "b_publikasi": ("n_published", "n_pd"),
    "c_krisis": ("crises_responded", "crises"),
    "d_warganet": ("netizen_answered", "netizen_questions"),
}
TALLIES = ["n_pd", "n_strategy", "n_published", "crises", "crises_responded", "netizen_questions",
           "netizen_answered", "n_rows"]


def pd_tallies(records: pd.DataFrame, year_first: str, first: str, last: str) -> pd.DataFrame:
    """Per PD in scope (a priority program in a month of ``first``..``last``, ``YYYY-MM``): the tallies of a-d.

    A PD-month without a priority program is out of scope: its publications, crises and
    questions do not count. The strategy counts when compiled in any month of the PK year
    up to ``last`` (a strategy once compiled stays compiled).
    """
    month = records["month"]
    scope = records[(month >= first) & (month <= last) & records["has_priority_program"].fillna(False)]
    g = scope.groupby("pd_code", sort=True)
    t = g[["crises", "crises_responded", "netizen_questions", "netizen_answered"]].sum().astype("int64")
    t["n_published"] = g["materials_published"].any().astype("int64")
    t["n_rows"] = g.size()
    compiled = records[(month >= year_first) & (month <= last) & records["strategy_compiled"].fillna(False)]
    t["n_strategy"] = t.index.isin(compiled["pd_code"].unique()).astype("int64")
    t["n_pd"] = 1
    return t[TALLIES]


def scores(tallies: pd.DataFrame, weights: dict[str, float]) -> pd.DataFrame:
    """Components a-d (percent; NaN where not applicable) and the weighted value of each row of tallies."""
    out = pd.DataFrame(index=tallies.index)
    for name, (num, den) in COMPONENTS.items():
        d = tallies[den].to_numpy(dtype=float)
        with np.errstate(divide="ignore", invalid="ignore"):
            out[name] = np.where(d > 0, tallies[num].to_numpy(dtype=float) / d * 100, np.nan)
    comp = out[list(COMPONENTS)].to_numpy(dtype=float)
    w = np.array([weights[name] for name in COMPONENTS], dtype=float)
    applicable = ~np.isnan(comp)
    w_sum = (applicable * w).sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        out["value"] = np.where(w_sum > 0, np.nansum(comp * w, axis=1) / w_sum, np.nan)
    return out


def compute(inputs: dict[str, pd.DataFrame], windows: list[Window], indicator: Indicator) -> Computed:
    records = inputs[EXTRACT]
    weights = indicator.rules["weights"]
    out = Computed()
    for w in windows:
        year_first, first, last = f"{w.start.year:04d}-01", str(w.months[0]), str(w.as_of_month)
        per_pd = pd_tallies(records, year_first, first, last)
        if per_pd.empty:
            out.add(w, None, 0, ALL, {"n_pd": 0})
            continue
        total = per_pd.sum().to_frame().T
        agency = scores(total, weights).iloc[0]
        out.add(w, agency["value"], int(total["n_rows"].iloc[0]), ALL,
                {**{c: agency[c] for c in COMPONENTS}, "n_pd": int(total["n_pd"].iloc[0])})
        per_pd_scores = scores(per_pd, weights)
        for pd_code, row in per_pd_scores.iterrows():  # one row per PD (about 40), not per record
            out.add(w, row["value"], int(per_pd.at[pd_code, "n_rows"]), str(pd_code),
                    {c: row[c] for c in COMPONENTS})
    return out
