"""Indicator 9: stages of knowledge management (*tahapan manajemen pengetahuan*).

Four reports (video or written) are due on km-bpsdm: a quota per quarter with a
submission deadline (catalog ``quotas``). A quarter's value = reports due in it
and submitted by its deadline, at most its quota, / ``reports_required`` x 100;
quarters without a quota are 0. The year is the sum of its quarters (increment).
Late reports are reported as a component, never counted.

Month rows (monitoring) are the month's contribution: the counted reports
submitted in that month / ``reports_required`` x 100, so the months of the year
add up to the year's value.
"""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pandas as pd

from kinerja.catalog import Indicator
from kinerja.indicators.base import ALL, Computed, in_window
from kinerja.indicators.increment import quarters_to_date
from kinerja.periods import Window

CODE = "manajemen_pengetahuan"
EXTRACT = "km_portal/reports"


def quota_table(rules: dict, tz: str) -> pd.DataFrame:
    """Per due quarter: the quota and the deadline (that day, 23:59:59 local), from the catalog."""
    rows = [{"due_quarter": int(q["quarter"]), "quota": int(q["reports"]),
             "deadline": pd.Timestamp(datetime.combine(date.fromisoformat(str(q["deadline"])), time(23, 59, 59),
                                                       ZoneInfo(tz)))}
            for q in rules["quotas"]]
    return pd.DataFrame(rows, columns=["due_quarter", "quota", "deadline"])


def report_flags(reports: pd.DataFrame, quotas: pd.DataFrame) -> pd.DataFrame:
    """Per report: its deadline, ``on_time`` and ``counted`` (on time and within its quarter's quota,
    earliest submissions first)."""
    df = reports[["report_id", "format", "due_quarter", "submitted_at"]].copy()
    df["due_quarter"] = df["due_quarter"].astype("Int64")
    df = df.merge(quotas.astype({"due_quarter": "Int64"}), on="due_quarter", how="left")
    df["quota"] = df["quota"].fillna(0).astype(int)
    df["on_time"] = (df["submitted_at"] <= df["deadline"]).fillna(False).astype(bool)
    df = df.sort_values(["due_quarter", "submitted_at", "report_id"], kind="stable")
    rank = df[df["on_time"]].groupby("due_quarter").cumcount() + 1
    df["counted"] = False
    df.loc[rank.index, "counted"] = (rank <= df.loc[rank.index, "quota"]).to_numpy()
    df["late"] = df["deadline"].notna() & ~df["on_time"]
    return df.reset_index(drop=True)


def quarter_counts(flags: pd.DataFrame, quotas: pd.DataFrame, w: Window, formats: list[str]) -> dict[str, int]:
    """Counts for quarter ``w.quarter``, on the reports submitted by the window's cutoff."""
    due = flags[(flags["due_quarter"] == w.quarter) & (flags["submitted_at"] <= pd.Timestamp(w.cutoff))]
    quota = quotas.loc[quotas["due_quarter"] == w.quarter, "quota"].sum()
    counts = {"n_quota": int(quota), "n_submitted": len(due), "n_on_time": int(due["on_time"].sum()),
              "n_counted": int(due["counted"].sum()), "n_late": int(due["late"].sum())}
    for fmt in formats:
        counts[f"n_counted_{fmt}"] = int((due["counted"] & (due["format"] == fmt)).sum())
    return counts


def compute(inputs: dict[str, pd.DataFrame], windows: list[Window], indicator: Indicator) -> Computed:
    rules = indicator.rules
    required = rules["reports_required"]
    tz = windows[0].cutoff.tzinfo.key if windows else "Asia/Jakarta"
    quotas = quota_table(rules, tz)
    flags = report_flags(inputs[EXTRACT], quotas)
    out = Computed()
    for w in windows:
        if w.period_type == "month":
            rows = flags[in_window(flags["submitted_at"], w)]
            comps = {"n_submitted": len(rows), "n_counted": int(rows["counted"].sum()),
                     "n_late": int(rows["late"].sum())}
            out.add(w, comps["n_counted"] / required * 100, len(rows), ALL, comps)
            continue
        quarters = [w] if w.period_type == "quarter" else quarters_to_date(w)
        counts = [quarter_counts(flags, quotas, q, rules["formats"]) for q in quarters]
        comps = {k: sum(c[k] for c in counts) for k in counts[0]}
        # the year is the sum of its quarters' values (increment window)
        value = sum(c["n_counted"] / required * 100 for c in counts)
        out.add(w, value, comps["n_submitted"], ALL, comps)
    return out
