"""Indicator 10: implementation of risk management (*penerapan manajemen risiko*).

The required documents (catalog ``required_documents``: the Formulir Laporan
Pemantauan Risiko of TW II and TW IV) count once verified by the Inspektorat.
Year to date: value = required document types with a document verified by the
window's cutoff / all document types required in the year x 100.

"By the period's end" is read as by the window's cutoff (the 5th of the month
after the window, 23:59:59 WIB), the agreement's data-collection deadline: a
quarter's monitoring report can only be written once the quarter is over, so
its verification falls in the first days of the next month.
"""

from __future__ import annotations

import pandas as pd

from kinerja.catalog import Indicator
from kinerja.indicators.base import ALL, Computed
from kinerja.periods import Window

CODE = "manajemen_risiko"
EXTRACT = "esakip/risk_documents"


def component_name(prefix: str, doc_type: str) -> str:
    return f"{prefix}_{doc_type.lower().replace('-', '_')}"


def status_by(documents: pd.DataFrame, required: list[str], limit: pd.Timestamp) -> pd.DataFrame:
    """Per required document type: submitted and verified by ``limit`` (any document of the type)."""
    docs = documents[documents["doc_type"].isin(required)]
    submitted = docs[docs["submitted_at"] <= limit]
    verified = submitted[submitted["verified"].fillna(False).astype(bool) & (submitted["verified_at"] <= limit)]
    out = pd.DataFrame(index=pd.Index(required, name="doc_type"))
    out["submitted"] = out.index.isin(submitted["doc_type"])
    out["verified"] = out.index.isin(verified["doc_type"])
    out.attrs["n_documents"] = len(submitted)
    return out


def compute(inputs: dict[str, pd.DataFrame], windows: list[Window], indicator: Indicator) -> Computed:
    required = [d["doc_type"] for d in indicator.rules["required_documents"]]
    documents = inputs[EXTRACT]
    out = Computed()
    for w in windows:
        st = status_by(documents, required, pd.Timestamp(w.cutoff))
        comps: dict[str, float | None] = {"n_required": len(required), "n_verified": int(st["verified"].sum())}
        for doc_type, row in st.iterrows():
            comps[component_name("submitted", doc_type)] = float(row["submitted"])
            comps[component_name("verified", doc_type)] = float(row["verified"])
        value = st["verified"].sum() / len(required) * 100 if required else None
        out.add(w, value, st.attrs["n_documents"], ALL, comps)
    return out
