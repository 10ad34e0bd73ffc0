"""Period keys and the windows a run computes.

Period keys: month ``2024-03``, quarter ``2024-Q1`` (*triwulan*), year ``2024``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

MONTH_RE = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")  # a valid month: the deployments' parameter pattern
# The shape alone, so that a month outside 01-12 gets a message of its own.
_MONTH_SHAPE = re.compile(r"^(\d{4})-(\d{2})$", re.ASCII)


class PeriodError(ValueError):
    """A malformed or out-of-range period parameter."""


@dataclass(frozen=True, order=True)
class Month:
    year: int
    month: int

    @classmethod
    def parse(cls, text: str) -> Month:
        m = _MONTH_SHAPE.match(str(text).strip())
        if not m:
            raise PeriodError(f"period must look like YYYY-MM (e.g. 2024-03), got {text!r}")
        year, month = int(m.group(1)), int(m.group(2))
        if not 1 <= month <= 12:
            raise PeriodError(f"period month must be 01-12, got {text!r}")
        if not 2000 <= year <= 2100:
            raise PeriodError(f"period year {year} is outside 2000-2100")
        return cls(year, month)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def quarter(self) -> int:
        return (self.month - 1) // 3 + 1

    @property
    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def last_day(self) -> date:
        return self.next().first_day - timedelta(days=1)

    def next(self) -> Month:
        return Month(self.year + (self.month == 12), self.month % 12 + 1)

    def previous(self) -> Month:
        return Month(self.year - (self.month == 1), (self.month - 2) % 12 + 1)

    def plus(self, months: int) -> Month:
        idx = self.year * 12 + self.month - 1 + months
        return Month(idx // 12, idx % 12 + 1)


def month_range(start: Month, end: Month) -> list[Month]:
    if end < start:
        raise PeriodError(f"range end {end} is before its start {start}")
    out, m = [], start
    while m <= end:
        out.append(m)
        m = m.next()
    return out


def previous_month(tz: str = "Asia/Jakarta", now: datetime | None = None) -> Month:
    """The month before the current one in the agreement's time zone (the default run period)."""
    now = now or datetime.now(ZoneInfo(tz))
    local = now.astimezone(ZoneInfo(tz))
    return Month(local.year, local.month).previous()


def deadline_after(day: date, deadline_day: int, tz: str) -> datetime:
    """``deadline_day`` of the month after ``day``, 23:59:59 local time (aware)."""
    nxt = Month(day.year, day.month).next()
    return datetime.combine(date(nxt.year, nxt.month, deadline_day), time(23, 59, 59), ZoneInfo(tz))


@dataclass(frozen=True)
class Window:
    """The slice of time one result row covers.

    ``end`` is the last day included so far (a partial quarter or year ends at
    ``as_of_month``); ``cutoff`` is the data-collection deadline after ``end``.
    """

    period: str
    period_type: str  # month | quarter | year
    start: date
    end: date
    as_of_month: Month
    cutoff: datetime
    quarter: int | None = None

    @property
    def year_start(self) -> date:
        return date(self.start.year, 1, 1)

    @property
    def months(self) -> list[Month]:
        return month_range(Month(self.start.year, self.start.month), self.as_of_month)

    @property
    def is_complete(self) -> bool:
        return self.end == self.full_end

    @property
    def full_end(self) -> date:
        if self.period_type == "month":
            return self.end
        if self.period_type == "quarter":
            return Month(self.start.year, self.quarter * 3).last_day
        return date(self.start.year, 12, 31)


def month_window(m: Month, collection_day: int, tz: str) -> Window:
    return Window(str(m), "month", m.first_day, m.last_day, m,
                  deadline_after(m.last_day, collection_day, tz))


def quarter_window(year: int, q: int, as_of: Month, collection_day: int, tz: str) -> Window:
    last = min(as_of, Month(year, q * 3))
    return Window(f"{year}-Q{q}", "quarter", Month(year, q * 3 - 2).first_day, last.last_day, last,
                  deadline_after(last.last_day, collection_day, tz), quarter=q)


def year_window(year: int, as_of: Month, collection_day: int, tz: str) -> Window:
    return Window(str(year), "year", date(year, 1, 1), as_of.last_day, as_of,
                  deadline_after(as_of.last_day, collection_day, tz))


def windows_to_date(as_of: Month, collection_day: int, tz: str) -> list[Window]:
    """Every month, quarter (to date) and the year (to date) of ``as_of``'s year, up to ``as_of``."""
    year = as_of.year
    months = [month_window(m, collection_day, tz) for m in month_range(Month(year, 1), as_of)]
    quarters = [quarter_window(year, q, as_of, collection_day, tz) for q in range(1, as_of.quarter + 1)]
    return months + quarters + [year_window(year, as_of, collection_day, tz)]
