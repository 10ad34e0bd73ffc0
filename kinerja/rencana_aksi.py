"""Rencana aksi: the status of every action-plan output (catalog ``action_plan``) per period.

An output is due by the last day of its due quarter. As of a window's last day
(``Window.end``) it is:

- ``selesai tepat waktu``: completed by the end of its due quarter;
- ``selesai terlambat``: completed, but after its due quarter;
- ``belum jatuh tempo``: not completed, and its due quarter has not ended yet;
- ``terlambat``: not completed, and its due quarter has ended (overdue).

A completion dated after the window's last day does not exist for that window.
An output without a completion row, or with a blank ``completed_on``, is not done.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kinerja.catalog import Catalog
from kinerja.periods import Window

SELESAI_TEPAT_WAKTU = "selesai tepat waktu"
SELESAI_TERLAMBAT = "selesai terlambat"
BELUM_JATUH_TEMPO = "belum jatuh tempo"
TERLAMBAT = "terlambat"
STATUSES = (SELESAI_TEPAT_WAKTU, SELESAI_TERLAMBAT, BELUM_JATUH_TEMPO, TERLAMBAT)

COLUMNS = ["pk_year", "iku_no", "output_code", "period", "period_type", "as_of_month", "completed_on", "status"]


def outputs(catalog: Catalog) -> pd.DataFrame:
    """The catalog's outputs with the last day of their due quarter."""
    plan = pd.DataFrame([{"iku_no": p.iku_no, "output_code": p.output_code, "due_quarter": p.due_quarter}
                         for p in catalog.action_plan], columns=["iku_no", "output_code", "due_quarter"])
    quarters = pd.PeriodIndex.from_fields(year=[catalog.pk_year] * len(plan), quarter=plan["due_quarter"],
                                          freq="Q-DEC")
    plan["due_end"] = quarters.end_time.normalize().astype("datetime64[us]")
    return plan.astype({"iku_no": "Int64", "output_code": "string"})


def compute(completions: pd.DataFrame, catalog: Catalog, windows: list[Window]) -> pd.DataFrame:
    """One row per output and window with its status as of the window's last day."""
    plan = outputs(catalog)
    done = completions[["iku_no", "output_code", "completed_on"]].astype(
        {"iku_no": "Int64", "output_code": "string", "completed_on": "datetime64[us]"})
    plan = plan.merge(done, on=["iku_no", "output_code"], how="left")
    win = pd.DataFrame({"period": [w.period for w in windows], "period_type": [w.period_type for w in windows],
                        "as_of_month": [str(w.as_of_month) for w in windows],
                        "window_end": pd.to_datetime([w.end for w in windows]).astype("datetime64[us]")})
    df = plan.merge(win, how="cross")
    completed = df["completed_on"].notna() & (df["completed_on"] <= df["window_end"])
    on_time = completed & (df["completed_on"] <= df["due_end"])
    due_passed = df["due_end"] <= df["window_end"]
    df["status"] = np.select([on_time, completed, due_passed], [SELESAI_TEPAT_WAKTU, SELESAI_TERLAMBAT, TERLAMBAT],
                             BELUM_JATUH_TEMPO)  # the first condition that holds
    # the completion date shown is the one the window knows of
    df["completed_on"] = df["completed_on"].where(completed)
    df["pk_year"] = catalog.pk_year
    return df[COLUMNS].reset_index(drop=True)
