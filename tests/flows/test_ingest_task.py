"""The monthly flow's ``ingest`` task (read + validate + stage one extract): its retry policy.

It retries transient I/O trouble (the landing share) and transient database trouble (the
warehouse), never a data problem: a missing or malformed file fails the task at once.
"""

from __future__ import annotations

import errno
import sqlite3

import sqlalchemy as sa
from prefect.states import Failed

from kinerja.readers import ExtractFileError
from tasks.ingest import ingest_extract
from tasks.retries import DB_DELAYS, on_transient


def test_ingest_retries_transient_io_and_database_trouble_only():
    assert (ingest_extract.retries, ingest_extract.retry_delay_seconds) == (len(DB_DELAYS), DB_DELAYS)
    assert ingest_extract.retry_condition_fn is on_transient
    eio = OSError(errno.EIO, "Input/output error")
    locked = sa.exc.OperationalError("INSERT", {}, sqlite3.OperationalError("database is locked"))
    assert on_transient(None, None, Failed(data=eio)) is True
    assert on_transient(None, None, Failed(data=locked)) is True
    # data problems: the same file fails the same way a minute later
    assert on_transient(None, None, Failed(data=ExtractFileError("x.csv: missing column u9", "x.csv"))) is False
    assert on_transient(None, None, Failed(data=KeyError("u9"))) is False
    integrity = sa.exc.IntegrityError("INSERT", {}, sqlite3.IntegrityError("UNIQUE constraint failed"))
    assert on_transient(None, None, Failed(data=integrity)) is False


def test_ingest_task_runs_are_named_after_the_extract_and_month():
    assert ingest_extract.name == "ingest"
    assert ingest_extract.task_run_name == "ingest-{ext.source}-{ext.name}-{month}"
