"""Indicator 7: realisation of procurement spending on domestic products (PDN), TKDN-certified goods
or services, or products of micro and small enterprises and cooperatives (UMK).

Value = in-scope realisation flagged / in-scope realisation x 100, from 1 January to the
period's end. An account is in scope when it equals a catalog ``account_codes`` entry or
lies below one on a segment boundary. Negative amounts are corrections and net out; a
non-positive denominator has no value.

Its whole story: the decisions in docs/decisions/finance.md, section "Belanja PDN/TKDN/UMK (7)"; the
catalog entry ``pdn`` in catalog/pk-2024.toml; the extract ``sipd/belanja_realisasi``
(schemas/belanja_realisasi.py); the tests in tests/indicators/test_pdn.py.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import pandas as pd

from kinerja.catalog import Indicator
from kinerja.indicators.base import ALL, Computed, month_of, window_months
from kinerja.periods import Window

CODE = "pdn"
EXTRACT = "sipd/belanja_realisasi"


def account_in_scope(account_code: pd.Series, scope_codes: Iterable[str]) -> pd.Series:
    """True where the code equals one of ``scope_codes`` or continues it after a dot (one regex pass)."""
    pattern = "^(?:" + "|".join(re.escape(c) for c in scope_codes) + r")(?:\.|$)"
    return account_code.astype("string").str.contains(pattern, regex=True).fillna(False).astype(bool)


def pdn_share(flagged: float, total: float) -> float | None:
    """The flagged share of in-scope realisation in percent; None when the total is not positive."""
    return flagged / total * 100 if total > 0 else None


def compute(inputs: dict[str, pd.DataFrame], windows: list[Window], indicator: Indicator) -> Computed:
    spending = inputs[EXTRACT]
    scoped = spending[account_in_scope(spending["account_code"], indicator.rules["account_codes"])]
    amount = scoped["amount"].astype(float)
    # per SPJ month, then from January to each window's last month
    monthly = pd.DataFrame({
        "month": month_of(scoped["spj_date"]),
        "total": amount,
        "flagged": amount.where(scoped["pdn_flag"].fillna(False).astype(bool), 0.0),
        "n_rows": 1,
    }).groupby("month").sum()
    ytd = window_months(windows, from_january=True).merge(monthly, left_on="month", right_index=True)
    by_period = ytd.groupby("period")[["total", "flagged", "n_rows"]].sum().to_dict("index")
    out = Computed()
    for w in windows:
        sums = by_period.get(w.period, {"total": 0.0, "flagged": 0.0, "n_rows": 0})
        out.add(w, pdn_share(sums["flagged"], sums["total"]), sums["n_rows"], ALL,
                {"belanja_pdn": sums["flagged"], "belanja_pengadaan": sums["total"]})
    return out
