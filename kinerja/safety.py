"""Safety helpers (SPEC section 6): spreadsheet-formula neutralising, safe path parts, masking, redaction.

- :func:`neutralise_cell` for every cell of an export that opens in a spreadsheet
  (xlsx, csv): a text starting with ``=``, ``+``, ``-``, ``@`` (or a tab, carriage
  return, line feed, or their full-width forms) would run as a formula, so it gets a
  leading apostrophe; numbers and plain numeric text are untouched.
- :func:`check_name` for a source or extract name that becomes part of a path.
- :func:`mask_digit_runs` hides long digit runs (a NIP) in free text such as an
  error message or a quarantined value; :func:`show_nul` writes a NUL character visibly.
- :func:`redact` hides passwords and keys in a message before it is logged, published or
  sent in an alert.
"""

from __future__ import annotations

import os
import re
from datetime import date, datetime, time
from decimal import Decimal

from kinerja.config import WAREHOUSE_ENV

FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")
# numeric text (``-12``, ``-1.234,5``, ``+62``) is not a formula: a spreadsheet reads it as a number
_PLAIN_NUMBER = re.compile(r"^[+-]?\d[\d.,]*(?:[eE][+-]?\d+)?$")
_NAME = re.compile(r"^[a-z0-9][a-z0-9_]{0,63}$")
_DIGIT_RUN = re.compile(r"\d{15,}")


class UnsafePathError(ValueError):
    """A name or path parameter that could leave the landing directory."""


def neutralise_cell(value):
    """The value to write into a spreadsheet cell so that it cannot run as a formula.

    Numbers (int, float, Decimal), booleans, dates and None are returned unchanged,
    and so is text that is a plain number (``-12,5``). Any other text starting with
    ``=``, ``+``, ``-``, ``@``, a tab, CR or LF (or a full-width ``＝＋－＠``) gets a
    leading apostrophe, which spreadsheets show as text and do not evaluate.
    """
    if value is None or isinstance(value, bool | int | float | Decimal | date | datetime | time):
        return value
    if not isinstance(value, str):
        try:
            import pandas as pd

            if value is pd.NA or value is pd.NaT:
                return value
        except ImportError:  # pragma: no cover - pandas is a dependency
            pass
        value = str(value)
    if value.startswith(FORMULA_START) and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def show_nul(text: str) -> str:
    """``text`` with each NUL character written as ``\\x00``: what a warehouse column can hold (PostgreSQL
    text cannot hold a NUL) and a person can see."""
    return text.replace("\x00", "\\x00")


def check_name(name: str, what: str) -> str:
    """A source or extract name as used in a landing path: lower-case letters, digits, ``_``."""
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise UnsafePathError(f"{what} {name!r} is not a plain name (a-z, 0-9, _)")
    return name


def mask_digit_runs(text: str) -> str:
    """Runs of 15 or more digits (NIPs, long ids) keep their first 4 and last 4 digits."""
    return _DIGIT_RUN.sub(lambda m: m.group(0)[:4] + "*" * (len(m.group(0)) - 8) + m.group(0)[-4:], text)


# a shorter secret is not searched for as plain text: replacing every "ab" would garble the message
MIN_SECRET_LENGTH = 4
# secrets a run's environment may hold, which a driver or an error may quote: the pseudonymisation
# key (kinerja.privacy.KEY_ENV) and libpq's password
SECRET_ENV = ("KINERJA_PSEUDONYM_KEY", "PGPASSWORD")
_URL_PASSWORD = re.compile(r"(?P<head>[A-Za-z][A-Za-z0-9+.\-]*://[^/\s:@]*:)(?P<password>[^@\s/]+)@")


def redact(text: str, *urls: str | None) -> str:
    """``text`` fit for a log, an artifact or an alert: the password of any URL in it starred, and
    these secrets replaced by ``***`` wherever they appear (a driver may quote one on its own): the
    passwords of ``urls`` and of the warehouse URL in the environment (``KINERJA_WAREHOUSE_URL``),
    the pseudonymisation key and ``PGPASSWORD``. The longest secret goes first, so that one holding
    another is replaced whole."""
    out = _URL_PASSWORD.sub(lambda m: f"{m.group('head')}***@", str(text))
    secrets = {_password(url) for url in (*urls, os.environ.get(WAREHOUSE_ENV))}
    secrets |= {os.environ.get(name) for name in SECRET_ENV}
    for secret in sorted((s for s in secrets if s and len(s) >= MIN_SECRET_LENGTH), key=len, reverse=True):
        out = out.replace(secret, "***")
    return out


def _password(url: str | None) -> str | None:
    """The password of a URL, if it has one."""
    if not url:
        return None
    try:
        import sqlalchemy as sa

        password = sa.make_url(str(url)).password
    except Exception:  # not a URL SQLAlchemy reads: the pattern above still finds a password in it
        match = _URL_PASSWORD.search(str(url))
        password = match.group("password") if match else None
    return None if password is None else str(password)
