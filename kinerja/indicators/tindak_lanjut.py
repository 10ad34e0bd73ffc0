"""What indicators 12 (governor's directives) and 13 (public complaints) share.

Both count the records opened in a window (directives issued, complaints
received) and, of those, the ones closed (completed, resolved) by the window's
cutoff: value = closed / opened x 100; nothing opened gives no value (``tidak
ada data``). A record closed after the cutoff is open for that window, whatever
later files say. No ``CODE``: a helper, not an indicator.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from kinerja.indicators.base import ALL, Computed, in_window
from kinerja.periods import Window

SECONDS_PER_DAY = 86_400


def _counts(opened_at: pd.Series, closed_at: pd.Series, cutoff: pd.Timestamp) -> dict[str, float | None]:
    closed = closed_at.notna() & (closed_at <= cutoff)
    n_opened, n_closed = len(opened_at), int(closed.sum())
    days = (closed_at[closed] - opened_at[closed]).dt.total_seconds() / SECONDS_PER_DAY
    return {
        "n_opened": n_opened,
        "n_closed": n_closed,
        "n_open": n_opened - n_closed,
        "n_closed_after_cutoff": int((closed_at.notna() & ~closed).sum()),
        "median_days_to_close": float(days.median()) if len(days) else None,
        "value": n_closed / n_opened * 100 if n_opened else None,
    }


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
    out = Computed()
    for w in windows:
        rows = records[in_window(records[opened], w)]
        cutoff = pd.Timestamp(w.cutoff)
        c = _counts(rows[opened], rows[closed], cutoff)
        value = c.pop("value")
        comps = {rename.get(k, k): v for k, v in c.items()}
        if group is not None:
            for g in groups:
                part = rows[rows[group] == g]
                gc = _counts(part[opened], part[closed], cutoff)
                key = g.replace("-", "_")
                comps[f"n_{opened_name}_{key}"] = gc["n_opened"]
                comps[f"pct_{key}"] = gc["value"]
        out.add(w, value, len(rows), ALL, comps)
    return out
