"""One pseudonym key per warehouse: staged NIP pseudonyms join across months only when they share a key.

The warehouse keeps the key's fingerprint (table ``pseudonym_key_fingerprint``): HMAC-SHA256 of a
fixed label keyed by the key, hex. It tells whether a key is the one in use without revealing it
(nothing short of the key itself gives the same fingerprint). The first run that stages personal
data records it (:func:`claim`); a run with another key is refused before anything is staged
(:class:`KeyMismatchError`). A deliberate change is ``kinerja rekey``: the staged rows of every
personal-data extract go (pseudonyms under the old key are useless) and the new key's fingerprint
is recorded (:func:`reset`), the months' personal data is staged again from the landing files
(:func:`restage`), then the months are backfilled.
"""

from __future__ import annotations

import hashlib
import hmac
import uuid
from pathlib import Path

import sqlalchemy as sa

from kinerja import extracts, ingestion, warehouse
from kinerja.catalog import load_catalog
from kinerja.extracts import Extract
from kinerja.periods import Month
from kinerja.readers import ExtractFileError, locate

TABLE = "pseudonym_key_fingerprint"
LABEL = b"kinerja pseudonym key fingerprint v1"
REKEY = "kinerja rekey"


class KeyMismatchError(ValueError):
    """The key in the environment is not the one the warehouse's pseudonyms are made with."""

    def __init__(self) -> None:
        super().__init__(
            "KINERJA_PSEUDONYM_KEY is not the key this warehouse's NIP pseudonyms were made with: set the "
            "warehouse's key again, or change keys on purpose with `kinerja rekey --from YYYY-MM --to YYYY-MM` "
            "(see the runbook)")


def fingerprint(key: bytes) -> str:
    return hmac.new(key, LABEL, hashlib.sha256).hexdigest()


def personal_data_extracts() -> list[Extract]:
    """Every extract with a personal identifier (staged as pseudonyms)."""
    return [e for e in extracts.registry().values() if any(c.pii for c in e.columns)]


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


def staged_months(engine: sa.Engine) -> dict[str, list[Month]]:
    """Landing months whose rows are staged, per personal-data extract."""
    out = {}
    with engine.connect() as conn:
        for ext in personal_data_extracts():
            rows = conn.execute(sa.text(f"SELECT DISTINCT _landing_month FROM {ext.table}")).scalars()
            out[ext.id] = sorted(Month.parse(m) for m in rows)
    return out


def restage_problem(engine: sa.Engine, landing: Path, months: list[Month]) -> str | None:
    """Why staging ``months`` again would lose personal data staged now, or None: every landing month
    staged must be in the range, and its landing file must still be there."""
    staged = staged_months(engine)
    outside = sorted({m for found in staged.values() for m in found if m not in months})
    if outside:
        shown = ", ".join(str(m) for m in outside[:6]) + (", ..." if len(outside) > 6 else "")
        return (f"personal data is staged from months outside {months[0]}..{months[-1]} ({shown}): give "
                "--from/--to that cover every such month, or their rows would be lost; nothing was changed")
    known = extracts.registry()
    for extract_id, found in staged.items():
        ext = known[extract_id]
        for m in found:
            try:
                locate(landing, ext.source, m, ext.name)
            except ExtractFileError as exc:
                return f"{extract_id} of {m} could not be staged again: {exc}; nothing was changed"
    return None


def reset(engine: sa.Engine, key: bytes) -> dict[str, int]:
    """Change the warehouse's key: delete the staged rows of every personal-data extract and record
    the new key's fingerprint, in one transaction; rows deleted per extract. The caller stages the
    months again (a backfill). The table must exist (warehouse.ensure_schema)."""
    deleted = {}
    with engine.begin() as conn:
        if warehouse.is_postgres(conn):  # SQLite: BEGIN IMMEDIATE already holds the write lock
            conn.execute(sa.text(f"LOCK TABLE {TABLE} IN EXCLUSIVE MODE"))
        for ext in personal_data_extracts():
            # a new staging token first: it waits for a staging write in progress and holds off the next
            # one until this commits, and it makes every engine's copy of the rows (in memory, on disk) stale
            conn.execute(sa.text("INSERT INTO staging_version (extract_id, version, token, staged_at) "
                                 "VALUES (:e, 0, '', :t) ON CONFLICT (extract_id) DO NOTHING"),
                         {"e": ext.id, "t": warehouse.now_utc()})
            conn.execute(sa.text("UPDATE staging_version SET version = version + 1, token = :k, staged_at = :t "
                                 "WHERE extract_id = :e"),
                         {"k": uuid.uuid4().hex, "t": warehouse.now_utc(), "e": ext.id})
            deleted[ext.id] = conn.execute(sa.text(f"DELETE FROM {ext.table}")).rowcount
        conn.execute(sa.text(f"DELETE FROM {TABLE}"))
        conn.execute(sa.text(f"INSERT INTO {TABLE} (slot, fingerprint, recorded_at, recorded_by) "
                             "VALUES (1, :f, :t, :r)"),
                     {"f": fingerprint(key), "t": warehouse.now_utc(), "r": REKEY})
    warehouse.drop_held_frames()
    return deleted


def restage(engine: sa.Engine, landing: Path, months: list[Month]) -> dict[str, int]:
    """Stage the personal data of every month again, under the key now set; rows staged then, per extract.

    All of it before any run computes: each month of the backfill that follows then starts from the
    staged rows a backfill over the warehouse before the change would see, not from tables holding
    only the months before it (its early months would be computed without the rows that arrived
    later, and restated). Without lineage: the backfill stages the same rows again, and records them.
    A file that cannot be read or validated is left to the backfill, which reports it."""
    from kinerja import pipeline  # here: a run claims the key (kinerja.pipeline imports this module)

    personal = {e.id for e in personal_data_extracts()}
    for month in months:
        catalog = load_catalog(month.year)
        for ext in pipeline.needed_extracts(catalog):
            if ext.id not in personal:
                continue
            try:
                raw = ingestion.extract(landing, ext, month)
                validated = ingestion.validate_extract(raw, ext, catalog, month)
            except ExtractFileError:
                continue
            warehouse.stage(engine, ext, validated.staged, str(month), raw.file, REKEY, tz=catalog.timezone)
    with engine.connect() as conn:
        return {e.id: conn.execute(sa.text(f"SELECT COUNT(*) FROM {e.table}")).scalar_one()
                for e in personal_data_extracts()}
