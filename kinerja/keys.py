"""One pseudonym key per warehouse: staged NIP pseudonyms join across months only when they share a key.

The warehouse keeps the key's fingerprint (table ``pseudonym_key_fingerprint``): HMAC-SHA256 of a
fixed label keyed by the key, hex. It tells whether a key is the one in use without revealing it
(nothing short of the key itself gives the same fingerprint). The first run that stages personal
data records it (:func:`claim`); a run with another key is refused before anything is staged
(:class:`KeyMismatchError`).
"""

from __future__ import annotations

import hashlib
import hmac

import sqlalchemy as sa

from kinerja import warehouse

TABLE = "pseudonym_key_fingerprint"
LABEL = b"kinerja pseudonym key fingerprint v1"


class KeyMismatchError(ValueError):
    """The key in the environment is not the one the warehouse's pseudonyms are made with."""

    def __init__(self) -> None:
        super().__init__(
            "KINERJA_PSEUDONYM_KEY is not the key this warehouse's NIP pseudonyms were made with: set the "
            "warehouse's key again, or change keys on purpose with `kinerja rekey --from YYYY-MM --to YYYY-MM` "
            "(see the runbook)")


def fingerprint(key: bytes) -> str:
    return hmac.new(key, LABEL, hashlib.sha256).hexdigest()


def recorded(conn: sa.Connection) -> str | None:
    """The fingerprint the warehouse holds, or None (no key recorded yet, or a warehouse older than the table)."""
    if not sa.inspect(conn).has_table(TABLE):
        return None
    return conn.execute(sa.text(f"SELECT fingerprint FROM {TABLE} WHERE slot = 1")).scalar()


def check(engine: sa.Engine, key: bytes) -> None:
    """Refuse a key the warehouse does not hold (KeyMismatchError); reads only."""
    with engine.connect() as conn:
        held = recorded(conn)
    if held is not None and held != fingerprint(key):
        raise KeyMismatchError()


def check_url(url: str, key: bytes) -> None:
    """Refuse a key the warehouse at ``url`` does not hold (KeyMismatchError). Reads only, and creates
    nothing: a warehouse that does not exist yet, or cannot be reached now, has no key to compare with
    (the run then reports the warehouse itself)."""
    try:
        parsed = sa.make_url(url)
    except sa.exc.ArgumentError:
        return
    if parsed.get_backend_name() == "sqlite":
        path = warehouse.sqlite_file(parsed)
        if path is None or not path.is_file():
            return
        engine = sa.create_engine(parsed)  # not warehouse.create_engine: that one takes the write lock
    else:
        engine = warehouse.create_engine(url)
    try:
        with engine.connect() as conn:
            held = recorded(conn)
    except sa.exc.SQLAlchemyError:
        return
    finally:
        engine.dispose()
    if held is not None and held != fingerprint(key):
        raise KeyMismatchError()


def claim(engine: sa.Engine, key: bytes, run_id: str) -> None:
    """Record the key when the warehouse holds none yet; refuse another one (KeyMismatchError).
    Called before a run stages personal data; the table must exist (warehouse.ensure_schema)."""
    with engine.begin() as conn:
        conn.execute(sa.text(f"INSERT INTO {TABLE} (slot, fingerprint, recorded_at, recorded_by) "
                             "VALUES (1, :f, :t, :r) ON CONFLICT (slot) DO NOTHING"),
                     {"f": fingerprint(key), "t": warehouse.now_utc(), "r": run_id})
        held = conn.execute(sa.text(f"SELECT fingerprint FROM {TABLE} WHERE slot = 1")).scalar_one()
    if held != fingerprint(key):
        raise KeyMismatchError()
