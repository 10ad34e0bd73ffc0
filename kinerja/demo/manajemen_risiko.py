"""Demo risk-monitoring documents (e-SAKIP): the required FLPR of TW II and TW IV.

Each is submitted near its quarter's end and verified by the Inspektorat a few
days later, in time for the quarter's cutoff. A document first shows in the
file of its submission month, unverified when the verification came after that
file's cutoff, and again, verified, in a later file.
"""

from __future__ import annotations

import pandas as pd

from kinerja.demo import DemoContext, Landing
from kinerja.demo.followup_events import file_month, stamp
from kinerja.periods import Month

EXTRACTS = ["esakip/risk_documents"]


def generate(ctx: DemoContext) -> list[Landing]:
    rng = ctx.rng("manajemen_risiko")
    day = ctx.catalog.collection_deadline_day
    docs = []
    for i, req in enumerate(ctx.catalog.indicator("manajemen_risiko").rules["required_documents"], start=1):
        quarter_end = pd.Timestamp(Month(ctx.year, 1).plus(3 * req["quarter"] - 1).last_day)
        submitted = quarter_end - pd.Timedelta(days=int(rng.integers(2, 12)), hours=int(rng.integers(6, 14)))
        verified = quarter_end + pd.Timedelta(days=int(rng.integers(1, day)), hours=10)
        docs.append({"doc_id": f"FLPR-{ctx.year}-{i:02d}", "doc_type": req["doc_type"],
                     "submitted_at": submitted, "verified_at": verified})
    df = pd.DataFrame(docs)
    first = df.assign(file_month=file_month(df["submitted_at"], day).astype(str))
    seen_by = file_month(df["verified_at"], day).astype(str)
    first["verified_at"] = df["verified_at"].where(seen_by == first["file_month"])
    later = seen_by != first["file_month"]
    second = df[later].assign(file_month=seen_by[later])
    versions = pd.concat([first, second], ignore_index=True)
    versions["verified"] = versions["verified_at"].notna().map({True: "ya", False: "tidak"})
    for col in ("submitted_at", "verified_at"):
        versions[col] = stamp(versions[col], "%Y-%m-%d %H:%M")
    columns = ["doc_id", "doc_type", "submitted_at", "verified", "verified_at"]
    return [Landing("esakip/risk_documents", m,
                    versions.loc[versions["file_month"] == str(m), columns].reset_index(drop=True), "csv")
            for m in ctx.months]
