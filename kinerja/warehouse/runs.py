"""Runs and their lineage: ``pipeline_run`` with the process of each run (``pipeline_run_process``),
each extract's ``pipeline_run_extract`` row and its quarantined rows; runs whose process died.

A run is ``running`` from ``start_run`` until the transaction that loads its results records its end
(``record_end``, ``completed`` or ``failed``). A run killed outright never gets there: the next run,
or ``kinerja status``, finds its process gone (``kinerja.processes``) and marks it ``abandoned``
(``abandon_dead_runs``). Its results were never committed, so none of them is current.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pandas as pd
import sqlalchemy as sa

from kinerja import processes
from kinerja.config import STALE_RUN_HOURS
from kinerja.warehouse.engine import is_postgres, now_utc
from kinerja.warehouse.rows import column_values, insert_tuples, upsert_rows

ABANDONED = "abandoned"  # pipeline_run.status of a run whose process died before it ended


@dataclass
class ExtractOutcome:
    extract_id: str
    landing_month: str
    file: str | None
    sha256: str | None
    status: str  # staged | failed
    message: str | None
    rows_read: int = 0
    rows_staged: int = 0
    rows_quarantined: int = 0

    def as_dict(self) -> dict:
        return dict(self.__dict__)


def start_run(engine: sa.Engine, run_id: str, flow_name: str, pk_year: int, period: str) -> list[str]:
    """Record the run as running in this process, after marking the runs whose process died abandoned;
    what was abandoned, a line each."""
    abandoned = abandon_dead_runs(engine, f"run {run_id}")
    me = processes.this_process()
    with engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM pipeline_run_extract WHERE run_id = :r"), {"r": run_id})
        upsert_rows(conn, "pipeline_run", [{
            "run_id": run_id, "flow_name": flow_name, "pk_year": pk_year, "period": period,
            "started_at": now_utc(), "finished_at": None, "status": "running", "message": None,
            "rows_in": 0, "rows_staged": 0, "rows_quarantined": 0, "files_json": "[]"}], ["run_id"])
        upsert_rows(conn, "pipeline_run_process", [{"run_id": run_id, "host": me.host, "pid": me.pid,
                                                    "pid_started": me.started}], ["run_id"])
    return abandoned


def abandon_dead_runs(engine: sa.Engine, noticed_by: str) -> list[str]:
    """Mark ``abandoned`` every ``running`` run whose process is gone: on this machine, looked at
    (``kinerja.processes``); on another one, or not recorded, when it started longer ago than
    ``KINERJA_STALE_RUN_HOURS``. ``finished_at`` stays NULL (it never finished); the message says why
    and who noticed. On PostgreSQL the connections its process left open are ended, with the locks
    they hold (a killed process's own close them at once; a lost machine's would stay until the
    server's TCP keepalive gives up). What was abandoned, a line each."""
    inspector = sa.inspect(engine)
    if not inspector.has_table("pipeline_run"):
        return []
    # a warehouse from before pipeline_run_process (``kinerja status`` does not create it) has no processes
    process_of = ("p.host, p.pid, p.pid_started FROM pipeline_run r LEFT JOIN pipeline_run_process p "
                  "ON p.run_id = r.run_id" if inspector.has_table("pipeline_run_process") else
                  "NULL AS host, NULL AS pid, NULL AS pid_started FROM pipeline_run r")
    with engine.connect() as conn:
        running = conn.execute(sa.text(f"SELECT r.run_id, r.period, r.started_at, {process_of} "
                                       "WHERE r.status = 'running'")).all()
    hours = STALE_RUN_HOURS.value()
    oldest = datetime.now(UTC) - timedelta(hours=hours)
    dead: list[tuple[str, str, processes.Process | None]] = []
    for run in running:
        process = processes.Process(run.host, run.pid, run.pid_started) if run.host is not None else None
        verdict = processes.gone(process) if process is not None else None
        if verdict:
            dead.append((run.run_id, f"its {process} is gone", process))
        elif verdict is None and _when(run.started_at) < oldest:
            by = f"on {process.host}, another machine," if process else "by a process not recorded"
            dead.append((run.run_id, f"started {by} more than {hours} h ago (KINERJA_STALE_RUN_HOURS) "
                                     "and never ended", process))
    if not dead:
        return []
    lines = []
    with engine.begin() as conn:
        for run_id, why, _ in dead:
            message = f"abandoned: {why} (noticed by {noticed_by} at {now_utc()})"
            done = conn.execute(sa.text("UPDATE pipeline_run SET status = :s, message = :m "
                                        "WHERE run_id = :r AND status = 'running'"),
                                {"s": ABANDONED, "m": message, "r": run_id})
            if done.rowcount:
                period = next(r.period for r in running if r.run_id == run_id)
                lines.append(f"run {run_id} of {period} {message}")
        if is_postgres(conn):
            for name in sorted({p.connection_name for _, _, p in dead if p is not None}):
                conn.execute(sa.text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE "
                                     "application_name = :n AND usename = current_user AND pid <> pg_backend_pid()"),
                             {"n": name})
    return lines


def _when(started_at) -> datetime:
    """``pipeline_run.started_at`` as an aware time (SQLite keeps ISO text)."""
    value = datetime.fromisoformat(started_at) if isinstance(started_at, str) else started_at
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def record_extract(engine: sa.Engine, run_id: str, pk_year: int, outcome: ExtractOutcome,
                   quarantine: pd.DataFrame | None) -> None:
    with engine.begin() as conn:
        write_lineage(conn, run_id, pk_year, outcome, quarantine)


def write_lineage(conn, run_id: str, pk_year: int, outcome: ExtractOutcome, quarantine: pd.DataFrame | None) -> None:
    """The extract's row in pipeline_run_extract and its quarantined rows, in the caller's transaction."""
    source, name = outcome.extract_id.split("/")
    upsert_rows(conn, "pipeline_run_extract", [{
        "run_id": run_id, "extract_id": outcome.extract_id, "landing_month": outcome.landing_month,
        "file": outcome.file, "sha256": outcome.sha256, "status": outcome.status, "message": outcome.message,
        "rows_read": outcome.rows_read, "rows_staged": outcome.rows_staged,
        "rows_quarantined": outcome.rows_quarantined}], ["run_id", "extract_id", "landing_month"])
    if quarantine is not None and len(quarantine):
        # the run's own values joined to each row's as a tuple (~4x cheaper than a dict per row)
        head, tail = (run_id, pk_year, outcome.landing_month, source, name), (now_utc(),)
        cols = ["run_id", "pk_year", "landing_month", "source", "extract", *quarantine.columns, "quarantined_at"]
        rows = zip(*(column_values(quarantine[c]) for c in quarantine.columns), strict=True)
        insert_tuples(conn, "quarantine", cols, (head + row + tail for row in rows))


def finish_run(engine: sa.Engine, run_id: str, status: str, message: str | None,
               outcomes: Iterable[ExtractOutcome]) -> None:
    """Record the run's end in a transaction of its own (a run that stopped before loading)."""
    with engine.begin() as conn:
        record_end(conn, run_id, status, message, outcomes)


def record_end(conn: sa.Connection, run_id: str, status: str, message: str | None,
               outcomes: Iterable[ExtractOutcome]) -> None:
    """The run's end (``completed`` or ``failed``) and its counts, in the caller's transaction."""
    outcomes = list(outcomes)
    conn.execute(sa.text(
        "UPDATE pipeline_run SET finished_at = :f, status = :s, message = :m, rows_in = :i, "
        "rows_staged = :st, rows_quarantined = :q, files_json = :j WHERE run_id = :r"),
        {"f": now_utc(), "s": status, "m": message, "r": run_id,
         "i": sum(o.rows_read for o in outcomes), "st": sum(o.rows_staged for o in outcomes),
         "q": sum(o.rows_quarantined for o in outcomes),
         "j": json.dumps([o.as_dict() for o in outcomes], sort_keys=True)})
