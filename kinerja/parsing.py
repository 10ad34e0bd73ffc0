"""Vectorised parsers for the values source systems export (SPEC section 2).

Each parser takes a Series of raw text (``None`` for null) and returns the typed
Series plus a boolean mask of cells that were present but could not be parsed.

- Null: blank, ``-``, ``N/A`` (any case, surrounding spaces ignored).
- Numbers: ``1234.5`` / ``1,234.5`` / ``1e12`` in a file with a decimal point;
  ``1234,5`` / ``1.234.567,89`` in a file with a decimal comma (Indonesian Excel).
  A ``.`` in a decimal-comma file is only ever a thousands separator, so ``1.5``
  there is rejected rather than guessed.
- Dates: ``YYYY-MM-DD``, ``DD/MM/YYYY``, ``DD-MM-YYYY``; a time part (an Excel
  date cell) is accepted and dropped; an Excel serial day number (a date column
  that holds a number) is accepted between 2000 and 2100.
- Booleans: ``ya/tidak``, ``true/false``, ``1/0``, ``Y/N`` (any case).

:func:`problem` explains in words why one rejected cell was rejected.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

NULL_TOKENS = frozenset({"", "-", "n/a"})

TRUE_TOKENS = frozenset({"ya", "true", "1", "y", "yes", "benar"})
FALSE_TOKENS = frozenset({"tidak", "false", "0", "n", "no", "salah"})

_EXP = r"(?:[eE][+-]?[0-9]+)?"
_NUM_POINT = re.compile(r"^[+-]?(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)?(?:\.[0-9]+)?" + _EXP + "$")
_NUM_COMMA = re.compile(r"^[+-]?(?:[0-9]{1,3}(?:\.[0-9]{3})+|[0-9]+)?(?:,[0-9]+)?" + _EXP + "$")
# the largest integer a float holds exactly: beyond it a count or an id has lost digits
MAX_EXACT_INT = 2**53

_DATE_FORMATS = (
    (re.compile(r"^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}$"), "%Y-%m-%d"),
    (re.compile(r"^[0-9]{1,2}/[0-9]{1,2}/[0-9]{4}$"), "%d/%m/%Y"),
    (re.compile(r"^[0-9]{1,2}-[0-9]{1,2}-[0-9]{4}$"), "%d-%m-%Y"),
)
_TIME_PART = re.compile(
    r"^(?P<date>[^ T]+)(?:[ T](?P<time>(?:[01]?[0-9]|2[0-3]):[0-5][0-9](?::[0-5][0-9](?:\.[0-9]{1,9})?)?)"
    r"(?P<tz>Z|[+-][0-9]{2}:?[0-9]{2})?)?$"
)
_MONTH = re.compile(r"^([0-9]{4})-([0-9]{2})(?:-[0-9]{2}(?:[ T].*)?)?$")

# Excel serial day numbers: day 0 is 1899-12-30 (the 1900 date system, as Excel and LibreOffice
# write it). Only serials between 2000-01-01 and 2100-12-31 are read as dates, so that a year
# (``2024``) or an amount in a date column is rejected, not turned into a date in 1905.
EXCEL_EPOCH = pd.Timestamp("1899-12-30")
SERIAL_MIN = (pd.Timestamp("2000-01-01") - EXCEL_EPOCH).days  # 36526
SERIAL_MAX = (pd.Timestamp("2100-12-31") - EXCEL_EPOCH).days  # 73415
_SERIAL = re.compile(r"^[0-9]{5}(?:[.,][0-9]+)?$")

_MINUS = str.maketrans({"\u2212": "-", "\u2013": "-"})  # a typographic minus from a word processor


def normalise_text(raw: pd.Series) -> pd.Series:
    """Strip cells and turn the null tokens (blank, ``-``, ``N/A``) into None."""
    s = raw.astype("string").str.strip()
    return s.mask(s.str.lower().isin(NULL_TOKENS))


def _bad(present: pd.Series, parsed: pd.Series) -> pd.Series:
    return (present & parsed.isna()).astype(bool)


def _canonical_number(s: pd.Series, decimal: str) -> pd.Series:
    """Number text in the file's convention -> text ``float()`` reads; None where not a number."""
    s = s.str.translate(_MINUS)
    pattern = _NUM_COMMA if decimal == "," else _NUM_POINT
    shaped = s.str.fullmatch(pattern).fillna(False) & s.str.contains(r"[0-9]", regex=True).fillna(False)
    if decimal == ",":
        canon = s.str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
    else:
        canon = s.str.replace(",", "", regex=False)
    return canon.where(shaped)


def _canonical_text(text: str, decimal: str) -> str | None:
    """:func:`_canonical_number` of one text (to explain a rejected cell without a Series per cell)."""
    text = text.translate(_MINUS)
    pattern = _NUM_COMMA if decimal == "," else _NUM_POINT
    if pattern.fullmatch(text) is None or re.search(r"[0-9]", text) is None:
        return None
    return text.replace(".", "").replace(",", ".") if decimal == "," else text.replace(",", "")


def parse_number(raw: pd.Series, decimal: str = ".") -> tuple[pd.Series, pd.Series]:
    s = normalise_text(raw)
    values = pd.to_numeric(_canonical_number(s, decimal), errors="coerce").astype("Float64")
    values = values.mask(~np.isfinite(values.fillna(0).to_numpy(dtype=float)))
    return values, _bad(s.notna(), values)


def parse_int(raw: pd.Series, decimal: str = ".") -> tuple[pd.Series, pd.Series]:
    values, bad = parse_number(raw, decimal)
    integral = values.isna() | ((values % 1) == 0).fillna(False)
    exact = values.isna() | (values.abs() < MAX_EXACT_INT).fillna(False)
    values = values.where(integral & exact)
    return values.round().astype("Int64"), (bad | ~integral.astype(bool) | ~exact.astype(bool)).astype(bool)


def parse_bool(raw: pd.Series) -> tuple[pd.Series, pd.Series]:
    s = normalise_text(raw).str.lower()
    out = pd.Series(pd.NA, index=s.index, dtype="boolean")
    out[s.isin(TRUE_TOKENS).fillna(False)] = True
    out[s.isin(FALSE_TOKENS).fillna(False)] = False
    return out, _bad(s.notna(), out)


def _parse_date_part(s: pd.Series) -> pd.Series:
    out = pd.Series(pd.NaT, index=s.index, dtype="datetime64[us]")
    for pattern, fmt in _DATE_FORMATS:
        hit = s.str.fullmatch(pattern).fillna(False)
        if hit.any():
            out[hit] = pd.to_datetime(s[hit], format=fmt, errors="coerce")
    return out


def _serials(s: pd.Series) -> pd.Series:
    """Excel serial day numbers (fraction = time of day) as Float64; NA where not a serial."""
    shaped = s.str.fullmatch(_SERIAL).fillna(False)
    days = pd.to_numeric(s.where(shaped).str.replace(",", ".", regex=False), errors="coerce").astype("Float64")
    return days.where((days >= SERIAL_MIN) & (days < SERIAL_MAX + 1))


def _from_serial(days: pd.Series) -> pd.Series:
    micros = (days.fillna(0).to_numpy(dtype=float) * 86_400_000_000).round().astype("int64")
    out = pd.Series(EXCEL_EPOCH + pd.to_timedelta(micros, unit="us"), index=days.index).astype("datetime64[us]")
    return out.where(days.notna())


def _to_timedelta(times: pd.Series) -> pd.Series:
    t = times.fillna("0:00")
    t = t.where(t.str.count(":") == 2, t + ":00")
    return pd.to_timedelta(t, errors="coerce")


def _localise(naive: pd.Series, offsets: pd.Series, tz: str) -> pd.Series:
    """Naive local times with their offset text ('' = local, 'Z', '+07:00') -> aware values in ``tz``."""
    out = pd.Series(pd.NaT, index=naive.index, dtype=f"datetime64[us, {tz}]")
    local = offsets == ""
    if local.any():
        out[local] = naive[local].dt.tz_localize(tz, ambiguous="NaT", nonexistent="NaT")
    for off in offsets[~local].unique():
        hit = offsets == off
        sign = -1 if off.startswith("-") else 1
        digits = off.replace(":", "").lstrip("+-")
        delta = pd.Timedelta(0) if off == "Z" else sign * pd.Timedelta(hours=int(digits[:2]),
                                                                        minutes=int(digits[2:]))
        out[hit] = (naive[hit] - delta).dt.tz_localize("UTC").dt.tz_convert(tz)
    return out


def parse_date(raw: pd.Series, tz: str | None = None) -> tuple[pd.Series, pd.Series]:
    """A calendar date. A time part is dropped; with an offset it is first converted to ``tz``
    (without ``tz`` a value with an offset is rejected). An Excel serial number is a date."""
    s = normalise_text(raw)
    parts = s.str.extract(_TIME_PART)
    day = _parse_date_part(parts["date"])
    offsets = parts["tz"].fillna("")
    with_offset = offsets != ""
    if with_offset.any():
        if tz is None:
            day = day.mask(with_offset)
        else:
            naive = day + _to_timedelta(parts["time"])
            local = _localise(naive[with_offset], offsets[with_offset], tz)
            day = day.mask(with_offset, local.dt.tz_localize(None).dt.normalize().astype("datetime64[us]"))
    days = _serials(s)
    if days.notna().any():
        day = day.mask(days.notna(), _from_serial(days.floordiv(1)))
    day = day.dt.normalize().astype("datetime64[us]")
    return day, _bad(s.notna(), day)


def parse_datetime(raw: pd.Series, tz: str) -> tuple[pd.Series, pd.Series]:
    """A timestamp; without an offset it is local time in ``tz``. Returns tz-aware values in ``tz``.
    A date alone is midnight; an Excel serial number's fraction is the time of day."""
    s = normalise_text(raw)
    parts = s.str.extract(_TIME_PART)
    naive = _parse_date_part(parts["date"]) + _to_timedelta(parts["time"])
    days = _serials(s)
    if days.notna().any():
        naive = naive.mask(days.notna(), _from_serial(days))
    out = _localise(naive, parts["tz"].fillna(""), tz)
    return out, _bad(s.notna(), out)


def parse_month(raw: pd.Series) -> tuple[pd.Series, pd.Series]:
    """A month ``YYYY-MM`` (a date in it is accepted); returned as ``YYYY-MM`` text."""
    s = normalise_text(raw)
    m = s.str.extract(_MONTH)
    month = pd.to_numeric(m[1], errors="coerce")
    ok = month.between(1, 12)
    out = (m[0] + "-" + m[1]).where(ok).astype("string")
    return out, _bad(s.notna(), out)


def parse_text(raw: pd.Series) -> tuple[pd.Series, pd.Series]:
    s = normalise_text(raw)
    return s, pd.Series(False, index=s.index)


def parse(kind: str, raw: pd.Series, decimal: str, tz: str) -> tuple[pd.Series, pd.Series]:
    """The parser of a column kind (``text``, ``int``, ``float``, ``bool``, ``date``, ``datetime``, ``month``);
    ``tz`` is the catalog's time zone, that of a timestamp without an offset.

    A column repeats its values (the same dates, codes and answers row after row), and every parser works
    cell by cell, so each distinct text is parsed once and its result spread over the rows that hold it."""
    if kind == "text":
        return parse_text(raw)
    codes, uniques = pd.factorize(raw.astype("string"), use_na_sentinel=True)
    values, bad = _parse(kind, pd.Series(uniques, dtype="string"), decimal, tz)
    spread = pd.Series(values.array.take(codes, allow_fill=True), index=raw.index, name=raw.name)
    return spread, pd.Series(np.append(bad.to_numpy(dtype=bool), False)[codes], index=raw.index)


def _parse(kind: str, raw: pd.Series, decimal: str, tz: str) -> tuple[pd.Series, pd.Series]:
    if kind == "text":
        return parse_text(raw)
    if kind == "int":
        return parse_int(raw, decimal)
    if kind == "float":
        return parse_number(raw, decimal)
    if kind == "bool":
        return parse_bool(raw)
    if kind == "date":
        return parse_date(raw, tz)
    if kind == "datetime":
        return parse_datetime(raw, tz)
    if kind == "month":
        return parse_month(raw)
    raise ValueError(f"unknown column kind {kind!r}")


# -- detection ----------------------------------------------------------------------------

# evidence for the decimal separator of a file, from the cells of its numeric columns
_COMMA_DECIMAL = re.compile(r"^[+-]?(?:[0-9]{1,3}(?:\.[0-9]{3})+|[0-9]+),[0-9]+(?:[eE][+-]?[0-9]+)?$")
_POINT_DECIMAL = re.compile(r"^[+-]?(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)\.[0-9]+(?:[eE][+-]?[0-9]+)?$")
_THOUSANDS_DOTS = re.compile(r"^[+-]?[0-9]{1,3}(?:\.[0-9]{3})+$")  # 1.234 or 1.234.567: ambiguous alone
_THOUSANDS_COMMAS = re.compile(r"^[+-]?[0-9]{1,3}(?:,[0-9]{3})+$")


def detect_decimal(cells: pd.Series, default: str, basis: str = "the delimiter") -> tuple[str, str]:
    """The decimal separator the numeric cells of a file use, and why.

    A cell like ``12,5`` or ``1.234,5`` can only be a decimal comma; ``12.5`` or
    ``1,234.5`` only a decimal point; ``1.234`` (dots in groups of three) is read
    as thousands in a comma file and as a decimal in a point file, so it decides
    nothing alone (``1,234`` likewise), but two groupings (``1.234.567``,
    ``1,234,567``) are thousands for sure. ``default`` (from ``basis``, e.g. the delimiter) wins when the
    cells do not decide or contradict each other.
    """
    s = normalise_text(cells).dropna()
    s = s[s.str.contains(r"[.,]", regex=True)]
    if s.empty:
        return default, f"decimal {default!r} (from {basis}; no cell decides)"
    dotted = s.str.fullmatch(_THOUSANDS_DOTS)  # 1.234 or 1.234.567
    commaed = s.str.fullmatch(_THOUSANDS_COMMAS)  # 1,234 or 1,234,567
    # unambiguous evidence: a decimal that is not also a thousands grouping, or two or more groupings
    comma = int((s.str.fullmatch(_COMMA_DECIMAL) & ~commaed).sum() + (dotted & (s.str.count(r"\.") > 1)).sum())
    point = int((s.str.fullmatch(_POINT_DECIMAL) & ~dotted).sum() + (commaed & (s.str.count(",") > 1)).sum())
    if comma and not point:
        return ",", f"decimal ',' ({_cells(comma)} like 1.234,5 or 1.234.567)"
    if point and not comma:
        return ".", f"decimal '.' ({_cells(point)} like 1234.5 or 1,234,567)"
    if comma and point:
        return default, (f"decimal {default!r} (from {basis}; cells disagree: {comma} with a decimal "
                         f"comma, {point} with a decimal point)")
    return default, f"decimal {default!r} (from {basis}; no cell decides)"


def _cells(n: int) -> str:
    return f"{n} cell" if n == 1 else f"{n} cells"


# -- explanations ---------------------------------------------------------------------------

NUMBER_FORMATS = {".": "a number like 1234.5 or 1,234.5", ",": "a number like 1234,5 or 1.234.567,89"}


def problem(kind: str, value: str | None, decimal: str = ".") -> str:
    """Why one present cell failed its parser, in words (without the column name)."""
    text = "" if value is None else str(value).strip()
    if kind in {"int", "float"}:
        canon = _canonical_text(text, decimal)
        if canon is None:
            other = "," if decimal == "." else "."
            if _canonical_text(text, other) is not None:
                return (f"is not a number in this file's format ({NUMBER_FORMATS[decimal]}): "
                        f"the file uses a decimal {'comma' if decimal == ',' else 'point'}")
            return f"is not {NUMBER_FORMATS[decimal]}"
        number = float(canon)
        if not np.isfinite(number):
            return "is too large to be a number"
        if kind == "int" and abs(number) >= MAX_EXACT_INT:
            return "is too large for a whole number (more than 15 digits)"
        if kind == "int":
            return "is not a whole number"
        return "is not a number"
    if kind == "bool":
        return "is not a yes/no value (ya/tidak, true/false, 1/0, Y/N)"
    if kind in {"date", "datetime"}:
        if _SERIAL.fullmatch(text) or re.fullmatch(r"[0-9]+(?:[.,][0-9]+)?", text):
            return ("is a number, not a date (an Excel day number is read only between "
                    f"{SERIAL_MIN} = 2000-01-01 and {SERIAL_MAX} = 2100-12-31)")
        m = _TIME_PART.match(text)
        if m is None:
            return ("has a time that is not HH:MM[:SS] with an optional offset"
                    if re.match(r"^\S+[ T][0-9]{1,2}:", text) else
                    "is not a date (YYYY-MM-DD, DD/MM/YYYY or DD-MM-YYYY)")
        part = m.group("date")
        for pattern, fmt in _DATE_FORMATS:
            if pattern.fullmatch(part):
                if fmt == "%d/%m/%Y" and int(part.split("/")[1]) > 12:
                    return "is not a real date: dates are DD/MM/YYYY (day first), and the month is above 12"
                return "is not a real calendar date"
        if kind == "date" and m.group("tz"):
            return "has a time offset; a date is expected"
        return "is not a date (YYYY-MM-DD, DD/MM/YYYY or DD-MM-YYYY)"
    if kind == "month":
        return "is not a month (YYYY-MM)"
    return "could not be read"
