"""Engines: SQLite by default, PostgreSQL in production, one SQLAlchemy engine per warehouse URL;
the lock that serialises the writers of a PK year, and driver errors raised as SQLAlchemy's."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy import event

from kinerja import processes
from kinerja.warehouse import held

LOCK_NAMESPACE = 0x4B494E  # "KIN": advisory-lock key = namespace * 10000 + pk_year


def now_utc() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def safe_url(url: str | sa.URL) -> str:
    """The URL with its password hidden, for logs and messages."""
    return sa.make_url(url).render_as_string(hide_password=True)


def sqlite_file(url: sa.URL) -> Path | None:
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        return Path(url.database)
    return None


def create_engine(url: str) -> sa.Engine:
    parsed = sa.make_url(url)
    if parsed.get_backend_name() == "sqlite":
        path = sqlite_file(parsed)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(parsed, connect_args={"timeout": 300})

        @event.listens_for(engine, "connect")
        def _connect(dbapi_conn, _record):
            dbapi_conn.isolation_level = None  # we issue BEGIN ourselves
            # 64 KiB pages for a new warehouse (before WAL mode writes its header; a no-op for an existing
            # one): a year's staging commits write less, its inserts need fewer page splits
            dbapi_conn.execute("PRAGMA page_size=65536")
            dbapi_conn.execute("PRAGMA journal_mode=WAL")
            dbapi_conn.execute("PRAGMA busy_timeout=300000")
            dbapi_conn.execute("PRAGMA cache_size=-262144")

        @event.listens_for(engine, "begin")
        def _begin(conn):
            # one writer at a time: a transaction takes the write lock when it starts
            conn.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    # connections named after this process, so that those of a run whose process died can be ended
    # (``runs.abandon_dead_runs``); a name in the URL is the operator's and stays
    named = {} if parsed.get_backend_name() != "postgresql" or "application_name" in parsed.query else {
        "application_name": processes.this_process().connection_name}
    return sa.create_engine(parsed, pool_pre_ping=True, connect_args=named)


_SHARED: dict[str, sa.Engine] = {}  # URL -> the engine of a shared_engine block


@contextmanager
def shared_engine(url: str) -> Iterator[sa.Engine]:
    """One engine for every run inside the block that opens the same URL (a backfill's months): the
    staged frames it holds (``staging``) and SQLite's page cache last from month to month, and SQLite
    closes the database, checkpointing its write-ahead log, once instead of once a month."""
    engine = create_engine(url)
    _SHARED[url] = engine
    try:
        yield engine
    finally:
        _SHARED.pop(url, None)
        _dispose(engine)


def open_engine(url: str) -> sa.Engine:
    """The engine of an enclosing ``shared_engine`` block for this URL, else a new one; give it
    back with ``close_engine``."""
    return _SHARED.get(url) or create_engine(url)


def close_engine(engine: sa.Engine) -> None:
    """Dispose of an engine from ``open_engine``, unless a ``shared_engine`` block owns it."""
    if not any(engine is shared for shared in _SHARED.values()):
        _dispose(engine)


def _dispose(engine: sa.Engine) -> None:
    """Close the engine's connections, first saving the staged frames it holds for the next process."""
    held.save(engine)
    engine.dispose()


def is_postgres(conn_or_engine) -> bool:
    return conn_or_engine.dialect.name == "postgresql"


def lock_year(conn, pk_year: int) -> None:
    """Serialise writers of one PK year: an advisory lock on PostgreSQL, BEGIN IMMEDIATE on SQLite."""
    if is_postgres(conn):
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": LOCK_NAMESPACE * 10000 + pk_year})


@contextmanager
def driver_errors(conn: sa.Connection, statement: str) -> Iterator[None]:
    """Raise the errors of statements sent through the driver itself (COPY, a staging
    executemany) as SQLAlchemy raises those of its own: an ``IntegrityError``, an
    ``OperationalError`` marked ``connection_invalidated`` when the connection was lost. Retries
    (``tasks.retries``) and callers then see one kind of error whichever way a statement went."""
    dbapi = conn.dialect.loaded_dbapi
    try:
        yield
    except dbapi.Error as exc:
        lost = conn.dialect.is_disconnect(exc, conn.connection.dbapi_connection, None)
        raise sa.exc.DBAPIError.instance(statement, None, exc, dbapi.Error, connection_invalidated=lost,
                                         dialect=conn.dialect) from exc
