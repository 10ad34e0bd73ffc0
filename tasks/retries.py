"""When a task is worth retrying: transient I/O and database trouble, never a data problem.

A retry only helps when the same call can succeed a minute later: a network share
that hiccups, a database that restarts, a SQLite file another writer holds, a
deadlock PostgreSQL broke. A missing or malformed landing file, a row that fails
its schema, an integrity or SQL error are data or code problems: retrying them
only delays the alert, so they fail at once.

Prefect calls a task's ``retry_condition_fn(task, task_run, state)`` with the
failed state; :func:`on_transient` (ingest: a landing file and the warehouse) and
:func:`on_transient_db` (warehouse steps) are such functions. The predicates
:func:`is_transient_io` and :func:`is_transient_db` take the exception itself, so they are easy to test.
"""

from __future__ import annotations

import errno
from collections.abc import Callable, Iterator

import sqlalchemy as sa

# Retry delays (seconds) between attempts; jitter spreads runs that fail together.
DB_DELAYS = [2, 10, 30]
JITTER = 0.5

# OSErrors that say "this is how the landing directory is", not "try again".
_PERMANENT_OS_ERRORS = (FileNotFoundError, IsADirectoryError, NotADirectoryError, PermissionError)
_PERMANENT_ERRNOS = {errno.ENOENT, errno.EISDIR, errno.ENOTDIR, errno.EACCES, errno.EPERM, errno.ENAMETOOLONG}

# SQLite reports both "busy" and "no such table" as OperationalError: only these are transient.
_SQLITE_TRANSIENT = ("database is locked", "database table is locked", "busy", "unable to open database",
                     "disk i/o error")


def _chain(exc: BaseException) -> Iterator[BaseException]:
    """The exception and the ones it was raised from (``__cause__``/``__context__``), each once."""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        yield exc
        exc = exc.__cause__ or (None if exc.__suppress_context__ else exc.__context__)


def is_transient_io(exc: BaseException) -> bool:
    """True for an OSError (or a wrapper raised from one) that may go away: EIO, a stale
    network handle, a timeout. A missing file, a directory or a permission problem is not.
    ``ExtractFileError`` without an OSError underneath (a missing column, a bad format) is not."""
    for item in _chain(exc):
        if isinstance(item, sa.exc.SQLAlchemyError):
            return False  # database trouble has its own predicate
        if isinstance(item, _PERMANENT_OS_ERRORS):
            return False
        if isinstance(item, OSError):
            return item.errno not in _PERMANENT_ERRNOS
    return False


def is_transient_db(exc: BaseException) -> bool:
    """True for a lost or refused connection, a pool timeout, a deadlock or serialisation
    failure (PostgreSQL) or a busy database file (SQLite). False for integrity, data and SQL
    errors, and for anything that is not a database error."""
    for item in _chain(exc):
        if isinstance(item, sa.exc.DBAPIError):
            if item.connection_invalidated:
                return True
            if isinstance(item, sa.exc.InterfaceError):
                return True
            if isinstance(item, sa.exc.OperationalError):
                orig = item.orig
                if type(orig).__module__.startswith("sqlite3"):
                    text = str(orig).lower()
                    return any(marker in text for marker in _SQLITE_TRANSIENT)
                return True  # PostgreSQL: connection, admin shutdown, deadlock, serialisation
            return False  # IntegrityError, DataError, ProgrammingError, ...
        if isinstance(item, sa.exc.TimeoutError):  # connection pool exhausted
            return True
        if isinstance(item, sa.exc.SQLAlchemyError):
            return False
        if isinstance(item, ConnectionError | TimeoutError):
            return True
    return False


def _condition(predicate: Callable[[BaseException], bool]) -> Callable:
    def condition(task, task_run, state) -> bool:
        exc = state.result(raise_on_failure=False)
        return isinstance(exc, BaseException) and predicate(exc)

    condition.__name__ = f"retry_if_{predicate.__name__}"
    condition.__doc__ = f"Prefect retry condition: retry when {predicate.__name__}(exception)."
    return condition


on_transient_db = _condition(is_transient_db)

# Task options, e.g. ``@task(name="load", **DB_RETRY)``.
DB_RETRY = {"retries": len(DB_DELAYS), "retry_delay_seconds": DB_DELAYS, "retry_jitter_factor": JITTER,
            "retry_condition_fn": on_transient_db}


def is_transient(exc: BaseException) -> bool:
    """Either kind of transient trouble: for a task that reads a file and writes the warehouse."""
    return is_transient_io(exc) or is_transient_db(exc)


on_transient = _condition(is_transient)
# a task that reads a landing file and writes the warehouse waits as long as a database task
IO_OR_DB_RETRY = {**DB_RETRY, "retry_condition_fn": on_transient}
