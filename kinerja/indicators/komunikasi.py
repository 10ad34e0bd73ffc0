"""Indicator 4: implementation of the public-communication strategy (*komunikasi publik*).

For a window, over the Perangkat Daerah (PD) with a priority program in it:
a = % of PDs whose communication strategy is compiled by the window's end;
b = % of PDs that published communication materials in the window;
c = crises responded / crises x 100; d = netizen questions answered / relevant x 100.
Value = the catalog-weighted mean of a-d; a component with a zero denominator is
not applicable and the weights of the others are rescaled to 100%.

Its whole story: the decisions in docs/decisions/finance.md, section "Komunikasi publik (4)"; the
catalog entry ``komunikasi`` in catalog/pk-2024.toml; the extract ``ekinerja/komunikasi_publik``
(schemas/komunikasi_publik.py); the tests in tests/indicators/test_komunikasi.py.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kinerja.catalog import Indicator
from kinerja.indicators.base import ALL, Computed, rows_by_period, window_months
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


def pd_tallies(records: pd.DataFrame, windows: list[Window]) -> pd.DataFrame:
    """Per window and PD in scope (a priority program in a month of the window): the tallies of a-d,
    indexed by (``period``, ``pd_code``).

    A PD-month without a priority program is out of scope: its publications, crises and
    questions do not count. The strategy counts when compiled in any month of the PK year
    up to the window's last month (a strategy once compiled stays compiled).
    """
    in_scope = records[records["has_priority_program"].fillna(False).astype(bool)]
    scope = window_months(windows).merge(in_scope, on="month")
    g = scope.groupby(["period", "pd_code"], sort=True)
    t = g[["crises", "crises_responded", "netizen_questions", "netizen_answered"]].sum().astype("int64")
    t["n_published"] = g["materials_published"].any().astype("int64")
    t["n_rows"] = g.size()
    compiled = records[records["strategy_compiled"].fillna(False).astype(bool)]
    compiled = window_months(windows, from_january=True).merge(compiled, on="month")
    t["n_strategy"] = t.index.isin(pd.MultiIndex.from_frame(compiled[["period", "pd_code"]])).astype("int64")
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
    weights = indicator.rules["weights"]
    tallies = pd_tallies(inputs[EXTRACT], windows)
    total = tallies.groupby(level="period").sum()  # the agency: the tallies of its PDs added up
    agency = scores(total, weights).join(total[["n_rows", "n_pd"]]).to_dict("index")
    per_pd = rows_by_period(scores(tallies, weights).join(tallies["n_rows"]))
    out = Computed()
    for w in windows:
        if w.period not in agency:  # no PD in scope
            out.add(w, None, 0, ALL, {"n_pd": 0})
            continue
        row = agency[w.period]
        out.add(w, row["value"], row["n_rows"], ALL, {**{c: row[c] for c in COMPONENTS}, "n_pd": row["n_pd"]})
        for pd_code, row in per_pd[w.period].items():  # one row per PD (about 40), not per record
            out.add(w, row["value"], row["n_rows"], str(pd_code), {c: row[c] for c in COMPONENTS})
    return out
