"""Vectorised parsers for the values source systems export.

Each parser takes a Series of raw text (``None`` for null) and returns the typed
Series plus a boolean mask of cells that were present but could not be parsed.
Numbers: ``1234.5`` / ``1,234.5`` with a decimal point, or ``1.234,5`` with a
decimal comma. Dates: ``YYYY-MM-DD``, ``DD/MM/YYYY``, ``DD-MM-YYYY``.
Booleans: ``ya/tidak``, ``true/false``, ``1/0``, ``Y/N``.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

NULL_TOKENS = frozenset({"", "-", "n/a"})

TRUE_TOKENS = frozenset({"ya", "true", "1", "y", "yes", "benar"})
FALSE_TOKENS = frozenset({"tidak", "false", "0", "n", "no", "salah"})

_NUM_POINT = re.compile(r"^[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)?(?:\.\d+)?(?:[eE][+-]?\d+)?$")
_NUM_COMMA = re.compile(r"^[+-]?(?:\d{1,3}(?:\.\d{3})+|\d+)?(?:,\d+)?$")

_DATE_FORMATS = (
    (re.compile(r"^\d{4}-\d{1,2}-\d{1,2}$"), "%Y-%m-%d"),
    (re.compile(r"^\d{1,2}/\d{1,2}/\d{4}$"), "%d/%m/%Y"),
    (re.compile(r"^\d{1,2}-\d{1,2}-\d{4}$"), "%d-%m-%Y"),
)
_TIME_PART = re.compile(
    r"^(?P<date>[^ T]+)(?:[ T](?P<time>\d{1,2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)"
    r"(?P<tz>Z|[+-]\d{2}:?\d{2})?)?$"
)
_MONTH = re.compile(r"^(\d{4})-(\d{2})(?:-\d{2}(?:[ T].*)?)?$")


def normalise_text(raw: pd.Series) -> pd.Series:
    """Strip cells and turn the null tokens (blank, ``-``, ``N/A``) into None."""
    s = raw.astype("string").str.strip()
    return s.mask(s.str.lower().isin(NULL_TOKENS))


def _bad(present: pd.Series, parsed: pd.Series) -> pd.Series:
    return (present & parsed.isna()).astype(bool)


def parse_number(raw: pd.Series, decimal: str = ".") -> tuple[pd.Series, pd.Series]:
    s = normalise_text(raw)
    present = s.notna()
    pattern = _NUM_COMMA if decimal == "," else _NUM_POINT
    shaped = s.str.fullmatch(pattern).fillna(False) & s.str.contains(r"\d", regex=True).fillna(False)
    if decimal == ",":
        canon = s.str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
    else:
        canon = s.str.replace(",", "", regex=False)
    values = pd.to_numeric(canon.where(shaped), errors="coerce").astype("Float64")
    values = values.mask(~np.isfinite(values.fillna(0).to_numpy(dtype=float)))
    return values, _bad(present, values)


def parse_int(raw: pd.Series, decimal: str = ".") -> tuple[pd.Series, pd.Series]:
    values, bad = parse_number(raw, decimal)
    integral = values.isna() | ((values % 1) == 0).fillna(False)
    values = values.where(integral & (values.abs() < 2**53))
    return values.round().astype("Int64"), (bad | ~integral.astype(bool)).astype(bool)


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


def parse_date(raw: pd.Series) -> tuple[pd.Series, pd.Series]:
    """A calendar date; a midnight time part (Excel date cells) is accepted."""
    s = normalise_text(raw)
    parts = s.str.extract(_TIME_PART)
    midnight = parts["time"].isna() | parts["time"].str.fullmatch(r"0?0:00(?::00(?:\.0+)?)?").fillna(False)
    dates = _parse_date_part(parts["date"].where(midnight & parts["tz"].isna()))
    return dates, _bad(s.notna(), dates)


def parse_datetime(raw: pd.Series, tz: str) -> tuple[pd.Series, pd.Series]:
    """A timestamp; without an offset it is local time in ``tz``. Returns tz-aware values in ``tz``."""
    s = normalise_text(raw)
    parts = s.str.extract(_TIME_PART)
    dates = _parse_date_part(parts["date"])
    times = pd.to_timedelta(parts["time"].fillna("0:00").where(lambda t: t.str.count(":") == 2,
                                                                  parts["time"].fillna("0:00") + ":00"),
                            errors="coerce")
    naive = dates + times
    offsets = parts["tz"].fillna("")
    out = pd.Series(pd.NaT, index=s.index, dtype=f"datetime64[us, {tz}]")
    local = offsets == ""
    if local.any():
        out[local] = naive[local].dt.tz_localize(tz, ambiguous="NaT", nonexistent="NaT")
    for off in offsets[~local].unique():
        hit = offsets == off
        sign = -1 if off.startswith("-") else 1
        digits = off.replace(":", "").lstrip("+-")
        delta = pd.Timedelta(hours=0) if off == "Z" else sign * pd.Timedelta(
            hours=int(digits[:2]), minutes=int(digits[2:]))
        out[hit] = (naive[hit] - delta).dt.tz_localize("UTC").dt.tz_convert(tz)
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
