"""Indicator 9: stages of knowledge management (*tahapan manajemen pengetahuan*).

Four reports (video or written) are due on km-bpsdm: a quota per quarter with a
submission deadline (catalog ``quotas``). A quarter's value = reports due in it
and submitted by its deadline, at most its quota, / ``reports_required`` x 100;
quarters without a quota are 0. The year is the sum of its quarters (increment).
Late reports are reported as a component, never counted.

Month rows (monitoring) are the month's contribution: the counted reports
submitted in that month / ``reports_required`` x 100, so the months of the year
add up to the year's value.

Its whole story: the decisions in docs/decisions/follow-up.md, section "Manajemen pengetahuan (9)";
the catalog entry ``manajemen_pengetahuan`` in catalog/pk-2024.toml; the extract
``km_portal/reports`` (schemas/reports.py); the tests in tests/indicators/test_manajemen_pengetahuan.py.
"""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pandas as pd

from kinerja.catalog import Indicator
from kinerja.indicators.base import ALL, Computed, month_of
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


def quarter_counts(flags: pd.DataFrame, quotas: pd.DataFrame, quarters: list[Window], formats: list[str]
                   ) -> list[dict[str, int]]:
    """Counts per quarter window (in the order given), on the reports due in its quarter and
    submitted by its cutoff."""
    table = pd.DataFrame({"window": range(len(quarters)), "due_quarter": [q.quarter for q in quarters],
                          "cutoff": [pd.Timestamp(q.cutoff) for q in quarters]})
    due = table.merge(flags.astype({"due_quarter": "Int64"}), on="due_quarter")
    due = due[(due["submitted_at"] <= due["cutoff"]).fillna(False)]
    per_format = {f"n_counted_{fmt}": due["counted"] & (due["format"] == fmt).fillna(False) for fmt in formats}
    tallies = pd.DataFrame({"n_submitted": 1, "n_on_time": due["on_time"], "n_counted": due["counted"],
                            "n_late": due["late"], **per_format}).groupby(due["window"]).sum()
    tallies = tallies.reindex(range(len(quarters)), fill_value=0)
    quota = quotas.groupby("due_quarter")["quota"].sum()
    return [{"n_quota": int(quota.get(q.quarter, 0)), **{k: int(v) for k, v in counts.items()}}
            for q, (_, counts) in zip(quarters, tallies.iterrows(), strict=True)]


def month_counts(flags: pd.DataFrame) -> dict[str, dict[str, int]]:
    """Counts per month (``YYYY-MM``) of submission."""
    tallies = pd.DataFrame({"n_submitted": 1, "n_counted": flags["counted"], "n_late": flags["late"]})
    return tallies.groupby(month_of(flags["submitted_at"])).sum().to_dict("index")


def compute(inputs: dict[str, pd.DataFrame], windows: list[Window], indicator: Indicator) -> Computed:
    if not windows:
        return Computed()
    rules = indicator.rules
    required = rules["reports_required"]
    tz = windows[0].cutoff.tzinfo.key  # the catalog's time zone, which the windows carry
    quotas = quota_table(rules, tz)
    flags = report_flags(inputs[EXTRACT], quotas)
    by_month = month_counts(flags)
    # a quarter window is its own quarter; the year to date is the sum of its quarters
    quarters_of = {w: [w] if w.period_type == "quarter" else quarters_to_date(w)
                   for w in windows if w.period_type != "month"}
    needed = list(dict.fromkeys(q for quarters in quarters_of.values() for q in quarters))
    by_quarter = dict(zip(needed, quarter_counts(flags, quotas, needed, rules["formats"]), strict=True))
    out = Computed()
    for w in windows:
        if w.period_type == "month":
            comps = by_month.get(str(w.as_of_month), {"n_submitted": 0, "n_counted": 0, "n_late": 0})
            out.add(w, comps["n_counted"] / required * 100, comps["n_submitted"], ALL, comps)
            continue
        counts = [by_quarter[q] for q in quarters_of[w]]
        comps = {k: sum(c[k] for c in counts) for k in counts[0]}
        # the year is the sum of its quarters' values (increment window)
        value = sum(c["n_counted"] / required * 100 for c in counts)
        out.add(w, value, comps["n_submitted"], ALL, comps)
    return out
