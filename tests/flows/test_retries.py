"""Retry conditions: transient I/O and database trouble is retried, data problems never are."""

from __future__ import annotations

import errno
import sqlite3

import psycopg
import pytest
import sqlalchemy as sa
from prefect import flow
from prefect.states import Completed, Failed

from kinerja.readers import ExtractFileError
from tasks import compute, ingest, load, stage
from tasks.retries import DB_DELAYS, is_transient_db, is_transient_io, on_transient, on_transient_db


def wrapped(cause: BaseException) -> ExtractFileError:
    """An ExtractFileError raised from ``cause``, as kinerja.readers raises it."""
    try:
        try:
            raise cause
        except BaseException as exc:
            raise ExtractFileError(f"unreadable file x.csv: {exc}", "x.csv") from exc
    except ExtractFileError as err:
        return err


def dbapi_error(cls, orig: Exception, invalidated: bool = False) -> sa.exc.DBAPIError:
    return cls("SELECT 1", {}, orig, connection_invalidated=invalidated)


# -- landing files ---------------------------------------------------------------------------------

@pytest.mark.parametrize("exc", [
    OSError(errno.EIO, "Input/output error"),
    OSError(errno.ESTALE, "Stale file handle"),  # an NFS share that was remounted
    TimeoutError("read timed out"),
    wrapped(OSError(errno.EIO, "Input/output error")),  # how the reader reports it
    wrapped(ConnectionResetError(errno.ECONNRESET, "Connection reset by peer")),  # an SMB share
])
def test_transient_io_errors_are_retried(exc):
    assert is_transient_io(exc)


@pytest.mark.parametrize("exc", [
    ExtractFileError("missing file: no ekinerja/2024-03/skm_responses.*", "ekinerja/2024-03/skm_responses.*"),
    ExtractFileError("ekinerja/2024-03/skm_responses.csv: missing column u9"),
    wrapped(FileNotFoundError(errno.ENOENT, "No such file or directory")),
    wrapped(PermissionError(errno.EACCES, "Permission denied")),
    wrapped(IsADirectoryError(errno.EISDIR, "Is a directory")),
    wrapped(UnicodeDecodeError("utf-8", b"\xff", 0, 1, "invalid start byte")),  # a data problem
    ValueError("period must look like YYYY-MM"),
    dbapi_error(sa.exc.OperationalError, psycopg.OperationalError("connection refused")),  # not I/O's business
])
def test_missing_malformed_or_refused_files_are_not_retried(exc):
    assert not is_transient_io(exc)


# -- the warehouse ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("exc", [
    dbapi_error(sa.exc.OperationalError, psycopg.OperationalError("connection to server failed: refused")),
    dbapi_error(sa.exc.OperationalError, psycopg.errors.DeadlockDetected("deadlock detected")),
    dbapi_error(sa.exc.OperationalError, psycopg.errors.AdminShutdown("terminating connection")),
    dbapi_error(sa.exc.InterfaceError, psycopg.InterfaceError("the connection is closed")),
    dbapi_error(sa.exc.DatabaseError, psycopg.DatabaseError("server closed the connection"), invalidated=True),
    dbapi_error(sa.exc.OperationalError, sqlite3.OperationalError("database is locked")),
    dbapi_error(sa.exc.OperationalError, sqlite3.OperationalError("unable to open database file")),
    sa.exc.TimeoutError("QueuePool limit of size 5 overflow 10 reached"),
    ConnectionRefusedError(errno.ECONNREFUSED, "Connection refused"),
])
def test_lost_or_busy_databases_are_retried(exc):
    assert is_transient_db(exc)


@pytest.mark.parametrize("exc", [
    dbapi_error(sa.exc.IntegrityError, psycopg.errors.UniqueViolation("duplicate key value")),
    dbapi_error(sa.exc.IntegrityError, sqlite3.IntegrityError("UNIQUE constraint failed")),
    dbapi_error(sa.exc.DataError, psycopg.errors.NumericValueOutOfRange("integer out of range")),
    dbapi_error(sa.exc.ProgrammingError, psycopg.errors.UndefinedTable('relation "x" does not exist')),
    dbapi_error(sa.exc.OperationalError, sqlite3.OperationalError("no such table: indicator_result")),
    sa.exc.ArgumentError("Could not parse SQLAlchemy URL"),
    ExtractFileError("ekinerja/2024-03/skm_responses.csv: missing column u9"),
    KeyError("u9"),
])
def test_data_and_code_errors_are_not_retried(exc):
    assert not is_transient_db(exc)


# -- as Prefect calls them ---------------------------------------------------------------------------

def test_the_conditions_read_the_exception_from_the_failed_state():
    # Prefect passes (task, task_run, state); the state carries the exception as its data
    io_failure = Failed(data=wrapped(OSError(errno.EIO, "Input/output error")))
    bad_file = Failed(data=ExtractFileError("missing column u9"))
    db_failure = Failed(data=dbapi_error(sa.exc.OperationalError, sqlite3.OperationalError("database is locked")))
    assert on_transient(None, None, io_failure) is True
    assert on_transient(None, None, bad_file) is False
    assert on_transient_db(None, None, db_failure) is True
    assert on_transient_db(None, None, io_failure) is False
    assert on_transient_db(None, None, Completed(data=1)) is False


def test_every_task_has_the_intended_policy():
    db_tasks = [load.prepare_warehouse, load.start_run, load.load_results,
                stage.record_failed, compute.read_staged]
    assert (ingest.ingest_extract.retries, ingest.ingest_extract.retry_condition_fn) == (len(DB_DELAYS),
                                                                                         on_transient)
    for t in db_tasks:
        assert (t.retries, t.retry_delay_seconds, t.retry_condition_fn) == (len(DB_DELAYS), DB_DELAYS,
                                                                           on_transient_db), t.name
    # backoff: each wait is longer than the one before
    assert all(a < b for a, b in zip(DB_DELAYS, DB_DELAYS[1:], strict=False))
    # validation and formulas are never retried: the same input fails the same way
    assert compute.compute_indicators.retries == 0


@pytest.mark.flow
def test_the_ingest_task_retries_a_transient_error_and_not_a_missing_file(prefect_harness, monkeypatch, tmp_path,
                                                                            catalog):
    from kinerja import extracts
    from kinerja.periods import Month

    ext = extracts.registry()["ekinerja/skm_responses"]
    calls = []

    def flaky(landing, ext, month):
        calls.append("eio")
        if len(calls) == 1:
            raise wrapped(OSError(errno.EIO, "Input/output error"))
        raise ExtractFileError("missing file: no ekinerja/2024-03/skm_responses.*")

    monkeypatch.setattr(ingest.ingestion, "extract", flaky)
    fast = ingest.ingest_extract.with_options(retry_delay_seconds=[0.1, 0.1, 0.1], retry_jitter_factor=None)

    @flow
    def read_one():
        return fast(None, catalog, tmp_path, ext, Month(2024, 3), "run-1")

    with pytest.raises(ExtractFileError, match="missing file"):
        read_one()
    # first call: EIO, retried; second call: a missing file, not retried (a third call never happens)
    assert calls == ["eio", "eio"]
