"""Indicator 6: the BMD inventory (*Inventarisasi Barang Milik Daerah*), percent.

Per UPB at a month-end: preparation weight x share of the preparation documents
done + entry weight x min(items entered / items owned, 1) + reporting weight x
share of the reporting documents done (weights and document lists: catalog).
A UPB that owns no items has nothing to enter: the entry part does not apply,
and the document parts are rescaled to the full weight (the rule SPEC sets for
a zero denominator in indicator 4). Value = mean over UPBs; breakdown per PD.
A period counts through its latest snapshot month at or before its last month.

Its whole story: the decisions in docs/decisions/personnel.md, section "Indicator 6, BMD"; the
catalog entry ``bmd`` in catalog/pk-2024.toml; the extract ``einventarisasi/bmd_progress``
(schemas/bmd_progress.py); the tests in tests/indicators/test_bmd.py.
"""

from __future__ import annotations

import pandas as pd

from kinerja.catalog import Indicator
from kinerja.indicators.base import ALL, Computed, latest_snapshot, rows_by_period
from kinerja.indicators.ipasn import snapshot_yyyymm
from kinerja.periods import Window

CODE = "bmd"
EXTRACT = "einventarisasi/bmd_progress"


def upb_scores(progress: pd.DataFrame, rules: dict) -> pd.DataFrame:
    """One row per UPB row of the input: the three parts (shares 0-1) and the score."""
    prep_w, entry_w, report_w = rules["preparation_weight"], rules["entry_weight"], rules["reporting_weight"]
    out = progress[["snapshot_month", "upb_code", "pd_code"]].copy()
    out["preparation"] = progress[list(rules["preparation_documents"])].astype(float).mean(axis=1)
    out["reporting"] = progress[list(rules["reporting_documents"])].astype(float).mean(axis=1)
    owned = progress["items_owned"].astype(float)
    entered = progress["items_entered"].astype(float)
    has_items = owned > 0
    out["entry"] = (entered / owned.where(has_items)).clip(upper=1.0)  # NaN where nothing is owned
    documents = prep_w * out["preparation"] + report_w * out["reporting"]
    full = documents + entry_w * out["entry"]
    rescaled = documents / (prep_w + report_w) * (prep_w + entry_w + report_w)
    out["score"] = full.where(has_items, rescaled)
    out["no_items"] = ~has_items
    return out


def _summary(scores: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    grouped = scores.groupby(by, sort=True)
    summary = grouped[["score", "preparation", "entry", "reporting"]].mean()  # entry: UPBs owning items
    summary["n_upb"] = grouped.size()
    summary["n_upb_no_items"] = grouped["no_items"].sum()
    return summary


def _components(row: dict, month: str) -> dict[str, float | None]:
    return {
        "preparation_pct": row["preparation"] * 100,
        "entry_pct": row["entry"] * 100,
        "reporting_pct": row["reporting"] * 100,
        "n_upb": row["n_upb"],
        "n_upb_no_items": row["n_upb_no_items"],
        "snapshot_month": snapshot_yyyymm(month),
    }


def compute(inputs: dict[str, pd.DataFrame], windows: list[Window], indicator: Indicator) -> Computed:
    progress = inputs[EXTRACT]
    scores = upb_scores(progress, indicator.rules)
    overall = _summary(scores, ["snapshot_month"]).to_dict("index")
    per_pd = rows_by_period(_summary(scores, ["snapshot_month", "pd_code"]))  # by snapshot month
    out = Computed()
    for w in windows:
        month = latest_snapshot(overall, w.as_of_month)
        if month is None:
            out.add(w, None, 0)
            continue
        for unit, row in [(ALL, overall[month]), *per_pd.get(month, {}).items()]:
            out.add(w, row["score"], int(row["n_upb"]), unit, _components(row, month))
    return out
