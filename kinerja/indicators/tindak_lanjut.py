"""What indicators 12 (governor's directives) and 13 (public complaints) share.

Both count the records opened in a window (directives issued, complaints
received) and, of those, the ones closed (completed, resolved) by the window's
cutoff: value = closed / opened x 100; nothing opened gives no value (``tidak
ada data``). A record closed after the cutoff is open for that window, whatever
later files say. No ``CODE``: a helper, not an indicator.

Decisions: docs/decisions/follow-up.md, sections "Shared" and "Arahan Gubernur (12) and
pengaduan (13)".
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from kinerja.indicators.base import ALL, Computed, month_of, window_months
from kinerja.periods import Window

SECONDS_PER_DAY = 86_400


def closure_counts(rows: pd.DataFrame, opened: str, closed: str, by: list[str]) -> pd.DataFrame:
    """Per group of ``rows`` (records, each with the ``cutoff`` of its window): opened, closed by
    the cutoff, still open, closed after the cutoff, the median days to close, and the value."""
    closed_at = rows[closed]
    by_cutoff = closed_at.notna() & (closed_at <= rows["cutoff"])
    flags = pd.DataFrame({
        "closed": by_cutoff.astype(int),
        "after_cutoff": (closed_at.notna() & ~by_cutoff).astype(int),
        "days": ((closed_at - rows[opened]).dt.total_seconds() / SECONDS_PER_DAY).where(by_cutoff),
    })
    grouped = flags.groupby([rows[k] for k in by], sort=False)
    out = pd.DataFrame({"n_opened": grouped.size(), "n_closed": grouped["closed"].sum()})
    out["n_open"] = out["n_opened"] - out["n_closed"]
    out["n_closed_after_cutoff"] = grouped["after_cutoff"].sum()
    out["median_days_to_close"] = grouped["days"].median()
    out["value"] = out["n_closed"] / out["n_opened"] * 100
    return out


def closure_rate(records: pd.DataFrame, opened: str, closed: str, windows: list[Window],
                 names: tuple[str, str], group: str | None = None, groups: Iterable[str] = ()) -> Computed:
    """Per window: records with ``opened`` in it, and those with ``closed`` by its cutoff.

    ``names`` are the domain words for opened/closed in component names (e.g. issued,
    completed). With ``group``, components per value in ``groups`` are added
    (``pct_<group value>``, ``n_<opened>_<group value>``).
    """
    opened_name, closed_name = names
    rename = {"n_opened": f"n_{opened_name}", "n_closed": f"n_{closed_name}",
              "n_closed_after_cutoff": f"n_{closed_name}_after_cutoff",
              "median_days_to_close": f"median_days_to_{closed_name}"}
    groups = list(groups)
    # a record belongs to every window that holds the month it was opened in
    columns = [opened, closed] + ([group] if group else [])
    rows = window_months(windows).merge(records[columns].assign(month=month_of(records[opened])), on="month")
    rows["cutoff"] = rows["period"].map({w.period: pd.Timestamp(w.cutoff) for w in windows})
    totals = closure_counts(rows, opened, closed, ["period"]).to_dict("index")
    per_group = closure_counts(rows, opened, closed, ["period", group]).to_dict("index") if group else {}
    out = Computed()
    for w in windows:
        c = totals.get(w.period, {"n_opened": 0, "n_closed": 0, "n_open": 0, "n_closed_after_cutoff": 0,
                                  "median_days_to_close": None, "value": None})
        value = c.pop("value")
        comps = {rename.get(k, k): v for k, v in c.items()}
        for g in groups:
            gc = per_group.get((w.period, g), {"n_opened": 0, "value": None})
            key = g.replace("-", "_")
            comps[f"n_{opened_name}_{key}"] = gc["n_opened"]
            comps[f"pct_{key}"] = gc["value"]
        out.add(w, value, comps[rename["n_opened"]], ALL, comps)
    return out
