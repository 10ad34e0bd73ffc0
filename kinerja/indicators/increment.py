"""What the increment-window indicators (9, 14) share: the year's value is the sum of its quarters.

No ``CODE``: a helper, not an indicator.

Decisions: docs/decisions/follow-up.md, section "Shared" (the year as the sum of the quarter
windows to date).
"""

from __future__ import annotations

import pandas as pd

from kinerja.periods import Window, quarter_window


def quarters_to_date(year: Window) -> list[Window]:
    """The quarter windows (to date) a year-to-date window is the sum of.

    They are the windows a run builds for the same month: each quarter ends at
    ``min(as_of_month, quarter end)`` and has its own cutoff. The collection day
    and time zone are read back from the year window's cutoff, which was built
    from them.
    """
    as_of = year.as_of_month
    day, tz = year.cutoff.day, year.cutoff.tzinfo.key
    return [quarter_window(year.start.year, q, as_of, day, tz) for q in range(1, as_of.quarter + 1)]


def local_day(ts: pd.Series) -> pd.Series:
    """The local calendar day of a tz-aware series (already in the agreement's time zone)."""
    return ts.dt.tz_localize(None).dt.normalize()
