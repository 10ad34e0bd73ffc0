"""Personal identifiers (SPEC section 6): NIPs are pseudonymised before staging and masked in the quarantine.

- The pseudonym is HMAC-SHA256 of the identifier keyed by ``KINERJA_PSEUDONYM_KEY``
  (hex): the same NIP gives the same pseudonym every month, so extracts still join,
  and without the key nobody can rebuild it from a list of possible NIPs.
- A NIP is normalised before hashing (spaces removed, the leading apostrophe that
  forces text in a spreadsheet removed), so ``'19850101 201001 1 001`` and
  ``198501012010011001`` are the same person.
- No key: staging an extract with a personal identifier is refused (the extract
  fails with :class:`MissingKeyError`, a file-level error, so only its indicators
  go without data and the run says why).
"""

from __future__ import annotations

import hashlib
import hmac
import os

import pandas as pd

from kinerja.readers import ExtractFileError
from kinerja.safety import mask_digit_runs

KEY_ENV = "KINERJA_PSEUDONYM_KEY"
MIN_KEY_LENGTH = 16

__all__ = ["KEY_ENV", "MissingKeyError", "mask", "mask_digit_runs", "normalise_identifier", "pseudonym_key",
           "pseudonymise"]


class MissingKeyError(ExtractFileError):
    """No (usable) pseudonymisation key: personnel extracts cannot be staged."""


def pseudonym_key(env: dict[str, str] | None = None) -> bytes:
    value = (env if env is not None else os.environ).get(KEY_ENV, "")
    if not value.strip():
        raise MissingKeyError(
            f"{KEY_ENV} is not set: personnel extracts (NIPs) cannot be staged without the "
            "pseudonymisation key. Set it in the environment (the same secret key every month)."
        )
    if len(value) < MIN_KEY_LENGTH:
        raise MissingKeyError(
            f"{KEY_ENV} is too short ({len(value)} characters; at least {MIN_KEY_LENGTH}): a short key can be "
            "guessed, and with it every NIP. Use a long random secret (the same every month)."
        )
    return value.encode("utf-8")


def normalise_identifier(values: pd.Series) -> pd.Series:
    """Spaces and a leading apostrophe removed (``'19850101 201001 1 001`` -> ``198501012010011001``)."""
    codes, uniques = pd.factorize(values.astype("string"), use_na_sentinel=True)
    clean = pd.Series(uniques, dtype="string")
    # a NIP of digits only (nearly all of them) has nothing to remove: clean only the others
    odd = ~clean.str.isdigit().astype(bool)
    if odd.any():
        clean[odd] = clean[odd].str.replace(r"\s+", "", regex=True).str.lstrip("'")
        clean = clean.mask(clean == "")
    return pd.Series(clean.array.take(codes, allow_fill=True), index=values.index, dtype="string")


def pseudonymise(values: pd.Series, key: bytes) -> pd.Series:
    """HMAC-SHA256 of each identifier, hex; nulls stay null. A NIP repeats within an extract (one
    per training record, say): each distinct one is hashed once."""
    codes, uniques = pd.factorize(values.astype("string"), use_na_sentinel=True)
    digests = [hmac.new(key, text.encode("utf-8"), hashlib.sha256).hexdigest() for text in uniques]
    return pd.Series(pd.array(digests, dtype="string").take(codes, allow_fill=True), index=values.index,
                     dtype="string")


def mask(value: object) -> str | None:
    """First 4 and last 4 characters kept, the rest starred (for showing a NIP)."""
    if value is None or value is pd.NA:
        return None
    text = str(value)
    if len(text) <= 8:
        return "*" * len(text)
    return text[:4] + "*" * (len(text) - 8) + text[-4:]
