"""Indicator 7: realisation of procurement spending on domestic products (PDN), TKDN-certified goods
or services, or products of micro and small enterprises and cooperatives (UMK).

Value = in-scope realisation flagged / in-scope realisation x 100, from 1 January to the
period's end. An account is in scope when it equals a catalog ``account_codes`` entry or
lies below one on a segment boundary. Negative amounts are corrections and net out; a
non-positive denominator has no value.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import pandas as pd

from kinerja.catalog import Indicator
from kinerja.indicators.base import ALL, Computed
from kinerja.periods import Window

CODE = "pdn"
EXTRACT = "sipd/belanja_realisasi"


def account_in_scope(account_code: pd.Series, scope_codes: Iterable[str]) -> pd.Series:
    """True where the code equals one of ``scope_codes`` or continues it after a dot (one regex pass)."""
    pattern = "^(?:" + "|".join(re.escape(c) for c in scope_codes) + r")(?:\.|$)"
    return account_code.astype("string").str.contains(pattern, regex=True).fillna(False).astype(bool)


def pdn_share(amount: pd.Series, pdn_flag: pd.Series) -> tuple[float | None, float, float]:
    """(value, flagged sum, total sum) over in-scope rows; value None when the total is not positive."""
    total = float(amount.sum())
    flagged = float(amount[pdn_flag.fillna(False).astype(bool)].sum())
    return (flagged / total * 100 if total > 0 else None), flagged, total


def compute(inputs: dict[str, pd.DataFrame], windows: list[Window], indicator: Indicator) -> Computed:
    spending = inputs[EXTRACT]
    scoped = spending[account_in_scope(spending["account_code"], indicator.rules["account_codes"])]
    spj = scoped["spj_date"].dt.normalize()
    out = Computed()
    for w in windows:
        ytd = scoped[(spj >= pd.Timestamp(w.year_start)) & (spj <= pd.Timestamp(w.end))]
        value, flagged, total = pdn_share(ytd["amount"], ytd["pdn_flag"])
        out.add(w, value, len(ytd), ALL, {"belanja_pdn": flagged, "belanja_pengadaan": total})
    return out
