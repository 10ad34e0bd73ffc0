"""Parsers of the values source systems export (SPEC section 2): property-based round trips and the
edge cases named in the spec."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kinerja import parsing

TZ = "Asia/Jakarta"


def s(*values) -> pd.Series:
    return pd.Series(list(values), dtype="string")


# -- writers, independent of the parsers: how an Indonesian or an English export writes a value ----------

def id_number(d: Decimal, thousands: bool = True) -> str:
    """Indonesian Excel: '.' thousands, ',' decimals: 1.234.567,89."""
    sign = "-" if d < 0 else ""
    whole, frac = f"{abs(d):.2f}".split(".")
    if thousands:
        groups = []
        while len(whole) > 3:
            groups.insert(0, whole[-3:])
            whole = whole[:-3]
        whole = ".".join([whole, *groups])
    return f"{sign}{whole},{frac}"


def en_number(d: Decimal, thousands: bool = True) -> str:
    return (f"{d:,.2f}" if thousands else f"{d:.2f}")


amounts = st.decimals(min_value=Decimal("-1e12"), max_value=Decimal("1e12"), places=2, allow_nan=False,
                      allow_infinity=False)


@given(amounts, st.booleans())
def test_an_indonesian_number_parses_back_to_the_value_it_was_written_from(d, thousands):
    text = id_number(d, thousands)
    values, bad = parsing.parse_number(s(text), ",")
    assert not bad.iloc[0], text
    assert values.iloc[0] == float(d)  # float("1234567.89") is the nearest double to the decimal


@given(amounts, st.booleans())
def test_a_decimal_point_number_parses_back(d, thousands):
    values, bad = parsing.parse_number(s(en_number(d, thousands)), ".")
    assert not bad.iloc[0] and values.iloc[0] == float(d)


@given(st.integers(min_value=-(10**15), max_value=10**15))
def test_whole_numbers_with_thousands_dots_parse_back_exactly(n):
    text = id_number(Decimal(n)).split(",")[0]  # 1.234.567
    values, bad = parsing.parse_int(s(text), ",")
    assert not bad.iloc[0] and int(values.iloc[0]) == n


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31)),
       st.sampled_from(["%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "excel", "unpadded", "midnight"]))
def test_a_date_written_in_each_accepted_format_parses_back(d, fmt):
    if fmt == "excel":
        text = str((d - date(1899, 12, 30)).days)
    elif fmt == "unpadded":
        text = f"{d.day}/{d.month}/{d.year}"
    elif fmt == "midnight":  # an Excel date cell read as a timestamp
        text = f"{d:%Y-%m-%d} 00:00:00"
    else:
        text = d.strftime(fmt)
    values, bad = parsing.parse_date(s(text), TZ)
    assert not bad.iloc[0], text
    assert values.iloc[0] == pd.Timestamp(d)
    assert str(values.dtype) == "datetime64[us]"


@given(st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 12, 30)),
       st.sampled_from(["%Y-%m-%d %H:%M:%S", "%d/%m/%Y %H:%M:%S", "%d-%m-%Y %H:%M:%S", "%Y-%m-%dT%H:%M:%S"]),
       st.sampled_from(["", "Z", "+07:00", "-03:30", "+0545"]))
def test_a_timestamp_written_in_each_format_parses_back(dt, fmt, offset):
    dt = dt.replace(microsecond=0)
    text = dt.strftime(fmt) + offset
    values, bad = parsing.parse_datetime(s(text), TZ)
    assert not bad.iloc[0], text
    expected = pd.Timestamp(dt, tz=TZ) if offset == "" else pd.Timestamp(dt.strftime("%Y-%m-%dT%H:%M:%S") + offset)
    assert values.iloc[0] == expected
    assert str(values.iloc[0].tz) == TZ


TRUE_SPELLINGS = ["ya", "true", "1", "y"]
FALSE_SPELLINGS = ["tidak", "false", "0", "n"]


@given(st.booleans(), st.integers(0, 3), st.sampled_from(["lower", "upper", "title"]), st.sampled_from(["", " "]))
def test_booleans_round_trip_in_every_spelling(value, which, case, pad):
    word = (TRUE_SPELLINGS if value else FALSE_SPELLINGS)[which]
    text = pad + getattr(word, case)() + pad
    values, bad = parsing.parse_bool(s(text))
    assert not bad.iloc[0] and bool(values.iloc[0]) is value


cells = st.lists(st.sampled_from(["1", "2,5", "1.234", "x", "", "-", "N/A", "2024-03-05", "05/03/2024", "ya",
                                  "45366", "2024-03", "31/02/2024", None, "1e12", "tidak"]), max_size=40)


@settings(max_examples=60)
@given(cells, st.sampled_from(["int", "float", "bool", "date", "datetime", "month"]), st.sampled_from([".", ","]))
def test_a_cell_parses_the_same_in_any_column(values, kind, decimal):
    """Each distinct text of a column is parsed once: the result must be what the cell gives on its own."""
    raw = pd.Series(values, dtype="string")
    column, column_bad = parsing.parse(kind, raw, decimal, TZ)
    assert len(column) == len(raw) and column.index.equals(raw.index)
    for i, value in enumerate(values):
        alone, alone_bad = parsing.parse(kind, s(value), decimal, TZ)
        assert column.dtype == alone.dtype
        assert (pd.isna(column.iloc[i]) and pd.isna(alone.iloc[0])) or column.iloc[i] == alone.iloc[0]
        assert column_bad.iloc[i] == alone_bad.iloc[0]


def test_columns_parsed_in_threads_at_once_give_the_same_result():
    from concurrent.futures import ThreadPoolExecutor

    columns = [s(*(f"{day:02d}/0{month}/2024" for day in range(1, 29))) for month in range(1, 10)]
    with ThreadPoolExecutor(4) as pool:
        parsed = list(pool.map(lambda raw: parsing.parse("date", raw, ".", TZ), columns))
    for raw, (values, bad) in zip(columns, parsed, strict=True):
        pd.testing.assert_series_equal(values, parsing.parse_date(raw, TZ)[0], check_names=False)
        assert not bad.any()


@given(st.text(alphabet="0123456789.,-+eE \u2212\u2013\uff11a", max_size=12), st.sampled_from([".", ","]))
def test_one_number_is_read_for_its_reason_as_in_a_column(text, decimal):
    in_column = parsing._canonical_number(s(text), decimal).iloc[0]
    assert parsing._canonical_text(text, decimal) == (None if pd.isna(in_column) else in_column)


# -- edge cases --------------------------------------------------------------------------------------

def test_null_tokens_are_blank_not_bad():
    for kind in ("int", "float", "bool", "date", "datetime", "month", "text"):
        values, bad = parsing.parse(kind, s("", "-", "N/A", " n/a ", "  ", None), ",", TZ)
        assert values.isna().all() and not bad.any(), kind


def test_a_dot_in_a_decimal_comma_file_is_only_a_thousands_separator():
    values, bad = parsing.parse_number(s("1.234", "1.5", "1.234,5", "12,5", "1,234.5"), ",")
    assert values.tolist()[:1] == [1234.0] and values.iloc[2] == 1234.5 and values.iloc[3] == 12.5
    assert bad.tolist() == [False, True, False, False, True]


def test_a_comma_in_a_decimal_point_file_is_only_a_thousands_separator():
    values, bad = parsing.parse_number(s("1,234", "1,234.5", "1,5", "1.234,5", "1e12", "−3.5"), ".")
    assert values.iloc[0] == 1234 and values.iloc[1] == 1234.5 and values.iloc[4] == 1e12
    assert values.iloc[5] == -3.5  # a typographic minus
    assert bad.tolist() == [False, False, True, True, False, False]


def test_whole_numbers_too_large_or_fractional_are_bad():
    values, bad = parsing.parse_int(s("3", "3,0", "3,5", "99999999999999999999", "9007199254740993"), ",")
    assert values.iloc[0] == 3 and values.iloc[1] == 3
    assert bad.tolist() == [False, False, True, True, True]


def test_excel_serials_only_between_2000_and_2100():
    values, bad = parsing.parse_date(s("36526", "73415", "36525", "73416", "2024", "45366.0"), TZ)
    assert values.iloc[0] == pd.Timestamp("2000-01-01") and values.iloc[1] == pd.Timestamp("2100-12-31")
    assert values.iloc[5] == pd.Timestamp("2024-03-15")
    assert bad.tolist() == [False, False, True, True, True, False]
    dt, dt_bad = parsing.parse_datetime(s("45366.75", "45366,5"), TZ)
    assert dt.iloc[0] == pd.Timestamp("2024-03-15 18:00", tz=TZ) and dt.iloc[1] == pd.Timestamp("2024-03-15 12:00",
                                                                                                    tz=TZ)
    assert not dt_bad.any()


def test_a_date_column_takes_a_timestamp_as_its_local_date():
    values, bad = parsing.parse_date(s("2024-03-05 14:30", "2024-03-05T20:00:00Z", "05/03/2024 23:59:59"), TZ)
    # 20:00 UTC on 5 March is 03:00 on 6 March in Jakarta
    assert values.tolist() == [pd.Timestamp("2024-03-05"), pd.Timestamp("2024-03-06"), pd.Timestamp("2024-03-05")]
    assert not bad.any()


def test_impossible_dates_and_times_are_bad():
    _, bad = parsing.parse_date(s("31/02/2024", "13/13/2024", "2024-02-30", "5 Maret 2024", "24"), TZ)
    assert bad.all()
    _, bad = parsing.parse_datetime(s("2024-03-05 24:00", "2024-03-05 10:61", "2024-03-05 10:00+0700"), TZ)
    assert bad.tolist() == [True, True, False]


def test_months():
    values, bad = parsing.parse_month(s("2024-03", "2024-03-31", "2024-03-01 00:00:00", "2024-13", "03/2024"))
    assert values.tolist()[:3] == ["2024-03"] * 3
    assert bad.tolist() == [False, False, False, True, True]


def test_the_decimal_separator_is_detected_from_the_cells():
    assert parsing.detect_decimal(s("1.234.567,89", "12"), ".")[0] == ","
    assert parsing.detect_decimal(s("12.5", "3.25"), ",")[0] == "."
    assert parsing.detect_decimal(s("1.234", "5.000"), ",")[0] == ","  # dotted thousands decide nothing
    assert parsing.detect_decimal(s("1.234", "5.000"), ".")[0] == "."
    assert parsing.detect_decimal(s("1,234", "2,000,000"), ",")[0] == "."
    decimal, why = parsing.detect_decimal(s("12,5", "1.5"), ",", "the delimiter ';'")
    assert decimal == "," and "cells disagree" in why and "the delimiter ';'" in why
    assert parsing.detect_decimal(s("1", "2", None), ";")[1].endswith("no cell decides)")


@pytest.mark.parametrize(("kind", "value", "decimal", "words"), [
    ("float", "1.5", ",", "the file uses a decimal comma"),
    ("float", "1.234,5", ".", "the file uses a decimal point"),
    ("float", "abc", ".", "is not a number like 1234.5 or 1,234.5"),
    ("int", "3.5", ".", "is not a whole number"),
    ("int", "1e20", ".", "too large for a whole number"),
    ("date", "03/13/2024", ".", "dates are DD/MM/YYYY (day first)"),
    ("date", "30/02/2024", ".", "is not a real calendar date"),
    ("date", "2024", ".", "is a number, not a date"),
    ("datetime", "2024-03-05 25:00", ".", "has a time that is not HH:MM[:SS]"),
    ("date", "5 Maret 2024", ".", "is not a date (YYYY-MM-DD, DD/MM/YYYY or DD-MM-YYYY)"),
    ("bool", "mungkin", ".", "is not a yes/no value"),
    ("month", "Maret", ".", "is not a month (YYYY-MM)"),
])
def test_reasons_in_words(kind, value, decimal, words):
    assert words in parsing.problem(kind, value, decimal)
