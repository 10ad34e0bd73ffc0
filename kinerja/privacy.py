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
from dataclasses import dataclass

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

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


@dataclass(frozen=True)
class _Pseudonyms:
    """Identifiers hashed so far with one key (known by a fingerprint, not by the key itself)."""

    fingerprint: bytes
    texts: pa.Array  # distinct identifiers
    digests: pa.Array  # their pseudonyms, position for position


# The same NIPs come back every month and in several extracts, so each is hashed once per process and
# key. The memo is replaced whole, never changed in place: a thread (tasks may run in threads) keeps
# the one it read, so it never pairs a digest with the wrong key or identifier.
_known: _Pseudonyms | None = None
MEMO_MAX_ENTRIES = 1_000_000  # about 100 MB at most; past it the memo starts afresh


def _hashed(texts: pa.Array, key: bytes) -> pa.Array:
    """The pseudonym of each identifier, in order."""
    keyed = hmac.new(key, digestmod=hashlib.sha256)  # the key schedule once; a copy per value
    digests = []
    for text in texts.to_pylist():
        h = keyed.copy()
        h.update(text.encode("utf-8"))
        digests.append(h.hexdigest())
    return pa.array(digests, type=pa.large_string())


def pseudonymise(values: pd.Series, key: bytes) -> pd.Series:
    """HMAC-SHA256 of each identifier, hex; nulls stay null. Each distinct value is hashed once per
    process and key."""
    global _known
    text = pa.array(values.astype("string"), type=pa.large_string())
    fingerprint = hashlib.sha256(key).digest()
    known = _known
    if known is None or known.fingerprint != fingerprint:
        empty = pa.array([], type=pa.large_string())
        known = _Pseudonyms(fingerprint, empty, empty)
    where = pc.index_in(text, value_set=known.texts)
    new = pc.unique(text.filter(pc.and_(pc.is_null(where), pc.is_valid(text))))
    if len(new):
        if len(known.texts) + len(new) > MEMO_MAX_ENTRIES:
            known = _Pseudonyms(fingerprint, known.texts[:0], known.digests[:0])
            new = pc.unique(text.drop_null())
        known = _known = _Pseudonyms(fingerprint, pa.concat_arrays([known.texts, new]),
                                     pa.concat_arrays([known.digests, _hashed(new, key)]))
        where = pc.index_in(text, value_set=known.texts)
    return pd.Series(pd.arrays.ArrowStringArray(known.digests.take(where)), index=values.index, dtype="string")


def mask(value: object) -> str | None:
    """First 4 and last 4 characters kept, the rest starred (for showing a NIP)."""
    if value is None or value is pd.NA:
        return None
    text = str(value)
    if len(text) <= 8:
        return "*" * len(text)
    return text[:4] + "*" * (len(text) - 8) + text[-4:]
