"""Shared by the follow-up demo generators (indicators 9, 10, 12, 13, 14, rencana aksi):
which monthly landing file shows an event. No ``generate``: a helper, not a generator.

The file of month M is exported at M's cutoff (the collection day of M+1,
23:59:59 local): it shows what happened up to then. A record that changes later
(a complaint resolved after the cutoff) arrives again, changed, in the file of
the month whose cutoff first follows the change.
"""

from __future__ import annotations

import pandas as pd


def cutoff_of(month: pd.Series, collection_day: int) -> pd.Series:
    """The cutoff (naive local) of each month (``Period[M]`` values)."""
    return (month + 1).dt.start_time + pd.Timedelta(days=collection_day - 1, hours=23, minutes=59, seconds=59)


def file_month(ts: pd.Series, collection_day: int) -> pd.Series:
    """The month (``Period[M]``) of the first file whose cutoff is at or after ``ts`` (naive local)."""
    return (ts - pd.Timedelta(days=collection_day)).dt.to_period("M")


def open_and_close_versions(records: pd.DataFrame, opened: str, closed: str, collection_day: int,
                            year: int) -> pd.DataFrame:
    """Each record as its files show it, with ``file_month`` (``YYYY-MM``).

    First version: in the month it was opened, closed only if closed by that
    month's cutoff. Second version, for a record closed later but by the cutoff
    of December: in the file of the month of its closing.
    """
    own = records[opened].dt.to_period("M")
    cutoff = cutoff_of(own, collection_day)
    closed_in_time = records[closed].notna() & (records[closed] <= cutoff)
    first = records.assign(file_month=own.astype(str))
    first[closed] = records[closed].where(closed_in_time)
    last_cutoff = cutoff_of(pd.Series(pd.Period(f"{year}-12", "M"), index=records.index), collection_day)
    later = records[closed].notna() & ~closed_in_time & (records[closed] <= last_cutoff)
    second = records[later].assign(file_month=file_month(records.loc[later, closed], collection_day).astype(str))
    return pd.concat([first, second], ignore_index=True)


def stamp(ts: pd.Series, fmt: str) -> pd.Series:
    """Timestamps as an export shows them; blank for none."""
    return ts.dt.strftime(fmt).fillna("")
