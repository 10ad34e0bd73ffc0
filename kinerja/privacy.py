"""Personal identifiers: NIPs are pseudonymised before staging and masked in the quarantine."""

from __future__ import annotations

import hashlib
import hmac
import os

import pandas as pd

KEY_ENV = "KINERJA_PSEUDONYM_KEY"


class MissingKeyError(RuntimeError):
    pass


def pseudonym_key(env: dict[str, str] | None = None) -> bytes:
    value = (env if env is not None else os.environ).get(KEY_ENV, "")
    if not value:
        raise MissingKeyError(
            f"{KEY_ENV} is not set: personnel extracts (NIPs) cannot be staged without the "
            "pseudonymisation key. Set it in the environment (the same key every month)."
        )
    return value.encode("utf-8")


def pseudonymise(values: pd.Series, key: bytes) -> pd.Series:
    """HMAC-SHA256 of each identifier, hex; nulls stay null."""
    def one(v):
        if v is None or v is pd.NA:
            return None
        return hmac.new(key, str(v).encode("utf-8"), hashlib.sha256).hexdigest()

    return pd.Series([one(v) for v in values.astype(object)], index=values.index, dtype="string")


def mask(value: object) -> str | None:
    """First 4 and last 4 characters kept, the rest starred (for showing a NIP)."""
    if value is None or value is pd.NA:
        return None
    text = str(value)
    if len(text) <= 8:
        return "*" * len(text)
    return text[:4] + "*" * (len(text) - 8) + text[-4:]
