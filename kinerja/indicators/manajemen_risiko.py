"""Indicator 10: implementation of risk management (*penerapan manajemen risiko*).

The required documents (catalog ``required_documents``: the Formulir Laporan
Pemantauan Risiko of TW II and TW IV) count once verified by the Inspektorat.
Year to date: value = required document types with a document verified by the
window's cutoff / all document types required in the year x 100.

"By the period's end" is read as by the window's cutoff (the 5th of the month
after the window, 23:59:59 WIB), the agreement's data-collection deadline: a
quarter's monitoring report can only be written once the quarter is over, so
its verification falls in the first days of the next month.

Its whole story: the decisions in docs/decisions/follow-up.md, section "Manajemen risiko (10)"; the
catalog entry ``manajemen_risiko`` in catalog/pk-2024.toml; the extract ``esakip/risk_documents``
(schemas/risk_documents.py); the tests in tests/indicators/test_manajemen_risiko.py.
"""

from __future__ import annotations

import pandas as pd

from kinerja.catalog import Indicator
from kinerja.indicators.base import ALL, Computed, window_table
from kinerja.periods import Window

CODE = "manajemen_risiko"
EXTRACT = "esakip/risk_documents"


def component_name(prefix: str, doc_type: str) -> str:
    return f"{prefix}_{doc_type.lower().replace('-', '_')}"


def status_by(documents: pd.DataFrame, required: list[str], windows: list[Window]) -> pd.DataFrame:
    """Per window and document (of a required type): submitted and verified by the window's cutoff."""
    docs = documents[documents["doc_type"].isin(required)][["doc_type", "submitted_at", "verified", "verified_at"]]
    docs = docs.merge(window_table(windows)[["period", "cutoff"]], how="cross")
    submitted = (docs["submitted_at"] <= docs["cutoff"]).fillna(False).astype(bool)
    verified_in_time = (docs["verified_at"] <= docs["cutoff"]).fillna(False).astype(bool)
    verified = submitted & docs["verified"].fillna(False).astype(bool) & verified_in_time
    return pd.DataFrame({"period": docs["period"], "doc_type": docs["doc_type"],
                         "submitted": submitted, "verified": verified})


def compute(inputs: dict[str, pd.DataFrame], windows: list[Window], indicator: Indicator) -> Computed:
    required = [d["doc_type"] for d in indicator.rules["required_documents"]]
    st = status_by(inputs[EXTRACT], required, windows)
    by_type = st.groupby(["period", "doc_type"])[["submitted", "verified"]].any().to_dict("index")
    n_documents = st.groupby("period")["submitted"].sum().to_dict()  # documents submitted by the cutoff
    no = {"submitted": False, "verified": False}
    out = Computed()
    for w in windows:
        status = {doc_type: by_type.get((w.period, doc_type), no) for doc_type in required}
        n_verified = sum(s["verified"] for s in status.values())
        comps: dict[str, float | None] = {"n_required": len(required), "n_verified": n_verified}
        for doc_type, s in status.items():
            comps[component_name("submitted", doc_type)] = float(s["submitted"])
            comps[component_name("verified", doc_type)] = float(s["verified"])
        value = n_verified / len(required) * 100 if required else None
        out.add(w, value, n_documents.get(w.period, 0), ALL, comps)
    return out
