"""Which ``running`` runs are dead: ``kinerja status`` (as the next run) marks ``abandoned`` exactly the
runs whose process is gone, and on PostgreSQL ends the connections a dead run left open, with its locks.

A run of this machine is looked at: its process id must exist with the start time recorded. A run of
another machine (or one whose process was not recorded) is dead once it started longer ago than
``KINERJA_STALE_RUN_HOURS`` (default 12). The runs here are written as a run writes them.
"""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from kinerja import processes, warehouse
from kinerja.cli import main
from kinerja.warehouse.engine import LOCK_NAMESPACE

ELSEWHERE = "another-machine"
YEAR_LOCK = LOCK_NAMESPACE * 10000 + 2024


def _exited() -> int:
    """The id of a process that has ended."""
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def add_run(engine, run_id: str, hours_ago: float, process: processes.Process | None, status: str = "running"):
    started = (datetime.now(UTC) - timedelta(hours=hours_ago)).isoformat(timespec="seconds")
    with engine.begin() as conn:
        warehouse.insert_rows(conn, "pipeline_run", [{
            "run_id": run_id, "flow_name": "kinerja-monthly", "pk_year": 2024, "period": "2024-03",
            "started_at": started, "finished_at": None if status == "running" else started, "status": status,
            "message": None, "rows_in": 0, "rows_staged": 0, "rows_quarantined": 0, "files_json": "[]"}])
        if process is not None:
            warehouse.insert_rows(conn, "pipeline_run_process", [{
                "run_id": run_id, "host": process.host, "pid": process.pid, "pid_started": process.started}])


def statuses(engine) -> dict[str, str]:
    df = warehouse.query(engine, "SELECT run_id, status FROM pipeline_run")
    return dict(zip(df["run_id"], df["status"], strict=True))


def status_command(url: str, tmp_path) -> int:
    (tmp_path / "landing").mkdir(exist_ok=True)
    return main(["status", "--period", "2024-03", "--landing", str(tmp_path / "landing"), "--warehouse", url])


def test_kinerja_status_abandons_the_runs_whose_process_is_gone(sqlite_engine, sqlite_url, tmp_path, monkeypatch,
                                                               capsys):
    me = processes.this_process()
    add_run(sqlite_engine, "here-alive", 0.1, me)
    add_run(sqlite_engine, "here-exited", 0.1, processes.Process(me.host, _exited(), me.started))
    add_run(sqlite_engine, "here-pid-reused", 0.1, processes.Process(me.host, me.pid, (me.started or 0) + 1))
    add_run(sqlite_engine, "elsewhere-recent", 3, processes.Process(ELSEWHERE, 4242, 1))
    add_run(sqlite_engine, "elsewhere-old", 13, processes.Process(ELSEWHERE, 4242, 2))
    add_run(sqlite_engine, "not-recorded-old", 13, None)
    add_run(sqlite_engine, "finished", 20, None, status="completed")

    assert status_command(sqlite_url, tmp_path) == 0
    assert statuses(sqlite_engine) == {
        "here-alive": "running", "here-exited": "abandoned", "here-pid-reused": "abandoned",
        "elsewhere-recent": "running", "elsewhere-old": "abandoned", "not-recorded-old": "abandoned",
        "finished": "completed"}
    err = capsys.readouterr().err
    assert "run here-exited of 2024-03 abandoned: its process" in err and "noticed by kinerja status" in err
    assert ("run elsewhere-old of 2024-03 abandoned: started on another-machine, another machine, more than 12 h "
            "ago (KINERJA_STALE_RUN_HOURS) and never ended (noticed by kinerja status at ") in err
    left = warehouse.query(sqlite_engine, "SELECT finished_at FROM pipeline_run WHERE status = 'abandoned'")
    assert left["finished_at"].isna().all()  # it never finished

    monkeypatch.setenv("KINERJA_STALE_RUN_HOURS", "2")
    assert status_command(sqlite_url, tmp_path) == 0
    assert statuses(sqlite_engine)["elsewhere-recent"] == "abandoned"
    assert statuses(sqlite_engine)["here-alive"] == "running"

    monkeypatch.setenv("KINERJA_STALE_RUN_HOURS", "soon")
    assert status_command(sqlite_url, tmp_path) == 2
    assert "KINERJA_STALE_RUN_HOURS='soon' is not a positive whole number" in capsys.readouterr().err


@pytest.mark.postgres
def test_a_dead_run_of_another_machine_gives_back_the_year_lock(pg_engine, pg_url, tmp_path):
    """A machine lost mid-load: its connection stays open, holding the year's lock, until the server's
    TCP keepalive gives up (hours). Abandoning the run ends that connection."""
    lost = processes.Process(ELSEWHERE, 4242, 99)
    add_run(pg_engine, "lost-machine", 13, lost)
    holder = sa.create_engine(pg_url, connect_args={"application_name": lost.connection_name})
    conn = holder.connect()
    conn.begin()
    conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": YEAR_LOCK})
    try:
        assert status_command(pg_url, tmp_path) == 0
        assert statuses(pg_engine)["lost-machine"] == "abandoned"
        with pg_engine.connect() as other:
            assert other.execute(sa.text("SELECT pg_try_advisory_xact_lock(:k)"), {"k": YEAR_LOCK}).scalar()
        with pytest.raises(sa.exc.OperationalError):  # the lost machine's connection was ended
            conn.execute(sa.text("SELECT 1"))
    finally:
        conn.invalidate()
        holder.dispose()
