from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from kinerja.periods import Month, PeriodError, deadline_after, month_range, previous_month, windows_to_date

WIB = ZoneInfo("Asia/Jakarta")


@pytest.mark.parametrize("bad", ["2024-13", "2024-00", "24-03", "2024/03", "2024-3", "", "2024-03; DROP", "../2024"])
def test_malformed_period_is_rejected(bad):
    with pytest.raises(PeriodError):
        Month.parse(bad)


@pytest.mark.parametrize(("bad", "problem"), [
    ("2024-13", "period month must be 01-12, got '2024-13'"), ("2024-00", "period month must be 01-12"),
    ("2024-3", "period must look like YYYY-MM (e.g. 2024-03), got '2024-3'"),
    ("1999-01", "period year 1999 is outside 2000-2100")])
def test_a_bad_period_says_what_is_wrong_with_it(bad, problem):
    with pytest.raises(PeriodError) as raised:
        Month.parse(bad)
    assert str(raised.value).startswith(problem)


def test_cutoff_is_the_fifth_of_the_next_month_end_of_day_in_jakarta():
    assert deadline_after(date(2024, 3, 31), 5, "Asia/Jakarta") == datetime(2024, 4, 5, 23, 59, 59, tzinfo=WIB)
    assert deadline_after(date(2024, 12, 15), 5, "Asia/Jakarta") == datetime(2025, 1, 5, 23, 59, 59, tzinfo=WIB)


def test_windows_to_date_for_may_has_five_months_two_quarters_and_the_year():
    windows = windows_to_date(Month(2024, 5), 5, "Asia/Jakarta")
    assert [w.period for w in windows] == ["2024-01", "2024-02", "2024-03", "2024-04", "2024-05",
                                           "2024-Q1", "2024-Q2", "2024"]
    q1, q2, year = windows[5], windows[6], windows[7]
    assert (q1.start, q1.end, str(q1.as_of_month), q1.is_complete) == (date(2024, 1, 1), date(2024, 3, 31),
                                                                       "2024-03", True)
    # the second quarter is partial: it ends with May and says so
    assert (q2.start, q2.end, str(q2.as_of_month), q2.is_complete) == (date(2024, 4, 1), date(2024, 5, 31),
                                                                       "2024-05", False)
    assert q2.cutoff == datetime(2024, 6, 5, 23, 59, 59, tzinfo=WIB)
    assert (year.start, year.end, str(year.as_of_month)) == (date(2024, 1, 1), date(2024, 5, 31), "2024-05")


def test_previous_month_uses_jakarta_time():
    # 31 Jan 2024 20:00 UTC is already 1 Feb in Jakarta: the previous month is January
    assert previous_month(now=datetime(2024, 1, 31, 20, 0, tzinfo=ZoneInfo("UTC"))) == Month(2024, 1)
    assert previous_month(now=datetime(2024, 1, 31, 16, 0, tzinfo=ZoneInfo("UTC"))) == Month(2023, 12)


def test_month_range_and_arithmetic():
    assert [str(m) for m in month_range(Month(2023, 11), Month(2024, 2))] == ["2023-11", "2023-12", "2024-01",
                                                                              "2024-02"]
    assert Month(2024, 3).plus(-11) == Month(2023, 4)
    with pytest.raises(PeriodError):
        month_range(Month(2024, 5), Month(2024, 4))
