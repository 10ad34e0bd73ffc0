"""A run killed outright (SIGKILL: out of memory, ``kill -9``) leaves nothing running behind it.

Each test starts a run in a process of its own, pauses it at a chosen point, kills it with SIGKILL
and then looks: no process it started is left (the temporary Prefect server of a command-line run);
the next run, or ``kinerja status``, marks it ``abandoned`` in ``pipeline_run``, so that no row stays
``running``; and ``indicator_result`` holds only values of runs that finished. The pause points:

- ``stage``: two extracts staged, the third not yet (between transactions);
- ``load``: inside the load's transaction, its results written and not committed (the year's lock held);
- ``finish``: the load step returned, the run not yet ended (its results must not be current before).
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kinerja import demo, pipeline, warehouse
from kinerja.catalog import load_catalog
from kinerja.cli import main
from kinerja.periods import Month

ROOT = Path(__file__).resolve().parents[2]
PAUSE_TIMEOUT = 240  # a command-line run starts its temporary Prefect server first (seconds on a busy machine)
GONE_TIMEOUT = 20
DIALECTS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
linux_only = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads processes from /proc")

# Runs a month as the command line or as the plain pipeline, pausing at a point (``where``): it writes
# the marker file, then sleeps until it is killed.
PAUSING_RUN = r'''
import dataclasses, pathlib, sys, time

marker, where, mode, *argv = sys.argv[1:]


def pause():
    pathlib.Path(marker).write_text("paused")
    time.sleep(3600)


def pausing_ingest(ingest):
    calls = []

    def call(*args):
        calls.append(args)
        if len(calls) == 3:  # two extracts staged, the third not yet
            pause()
        return ingest(*args)

    return call


def pausing_after(step):
    def call(*args, **kwargs):
        out = step(*args, **kwargs)
        pause()
        return out

    return call


def paused(steps):
    if where == "stage":
        return dataclasses.replace(steps, ingest=pausing_ingest(steps.ingest))
    if where == "finish":
        return dataclasses.replace(steps, load=pausing_after(steps.load))
    return steps


if where == "load":  # the history rows are written after indicator_result, in the load's transaction
    from kinerja.warehouse import results
    results.insert_rows = pausing_after(results.insert_rows)

if mode == "cli":
    import tasks
    from kinerja.cli import main

    flow_steps = tasks.steps
    tasks.steps = lambda **others: paused(flow_steps(**others))
    sys.exit(main(argv))

from kinerja import pipeline, warehouse
from kinerja.catalog import load_catalog
from kinerja.periods import Month

url, landing, period, run_id = argv
month = Month.parse(period)
engine = warehouse.create_engine(url)
pipeline.run_month(engine, load_catalog(month.year), pathlib.Path(landing), month, run_id, paused(pipeline.Steps()))
'''


@pytest.fixture(scope="module")
def landing(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("landing")
    demo.generate(root, 2024, seed=7, scale=0.02)
    return root


@pytest.fixture
def wh_url(request, tmp_path) -> str:
    """An empty warehouse of the requested dialect (nothing created yet)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'wh.db'}"
    return request.getfixturevalue("pg_url")


def start_paused(tmp_path: Path, where: str, mode: str, argv: list[str]) -> tuple[subprocess.Popen, Path]:
    marker = tmp_path / f"paused-{where}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_API")}  # a temporary server of its own
    env.update(PREFECT_HOME=str(tmp_path / "prefect-home"), PYTHONUNBUFFERED="1")
    log = open(tmp_path / f"run-{where}.log", "w")  # noqa: SIM115 (closed with the process, below)
    proc = subprocess.Popen([sys.executable, "-c", PAUSING_RUN, str(marker), where, mode, *argv], cwd=ROOT,
                            env=env, stdout=log, stderr=subprocess.STDOUT)
    log.close()
    deadline = time.monotonic() + PAUSE_TIMEOUT
    while not marker.exists():
        if proc.poll() is not None or time.monotonic() > deadline:
            with contextlib.suppress(ProcessLookupError):
                proc.kill()
            proc.wait()
            output = (tmp_path / f"run-{where}.log").read_text(errors="replace")[-3000:]
            pytest.fail(f"the run did not reach {where!r} (exit {proc.returncode}):\n{output}")
        time.sleep(0.1)
    return proc, marker


def _stat(pid: int) -> list[str] | None:
    """The fields of /proc/<pid>/stat after the command name (state first), or None when it is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text[text.rindex(")") + 2:].split()


def descendants(pid: int) -> dict[int, str]:
    """Every process below ``pid``, with its start time (to tell it from a later process of the same pid)."""
    children: dict[int, list[tuple[int, str]]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit() and (fields := _stat(int(entry))) is not None:
            children.setdefault(int(fields[1]), []).append((int(entry), fields[19]))
    found, todo = {}, [pid]
    while todo:
        for child, started in children.get(todo.pop(), []):
            found[child] = started
            todo.append(child)
    return found


def alive(pid: int, started: str) -> bool:
    fields = _stat(pid)
    return fields is not None and fields[0] != "Z" and fields[19] == started


def kill_and_count_survivors(proc: subprocess.Popen) -> dict[int, str]:
    """SIGKILL the run; the processes it had started that are still there once they had time to end."""
    below = descendants(proc.pid)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    deadline = time.monotonic() + GONE_TIMEOUT
    while any(alive(p, s) for p, s in below.items()) and time.monotonic() < deadline:
        time.sleep(0.2)
    survivors = {p: Path(f"/proc/{p}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
                 for p, s in below.items() if alive(p, s)}
    for p, s in below.items():  # the test's own processes: never left behind, whatever it found
        if alive(p, s):
            with contextlib.suppress(ProcessLookupError):
                os.kill(p, signal.SIGKILL)
    return survivors


def runs(engine) -> dict[str, str]:
    df = warehouse.query(engine, "SELECT run_id, status FROM pipeline_run")
    return dict(zip(df["run_id"], df["status"], strict=True))


def problems_after(engine, killed: str, expected_status: str) -> list[str]:
    """What is wrong in the warehouse after a killed run was noticed: rows left running, the killed run's
    status, current values of runs that did not finish."""
    status = runs(engine)
    found = []
    if "running" in status.values():
        found.append(f"runs left running: {sorted(r for r, s in status.items() if s == 'running')}")
    if status.get(killed) != expected_status:
        found.append(f"the killed run is {status.get(killed)!r}, not {expected_status!r}")
    current = set(warehouse.query(engine, "SELECT DISTINCT run_id FROM indicator_result")["run_id"])
    unfinished = sorted(r for r in current if status.get(r) not in ("completed", "failed"))
    if unfinished:
        found.append(f"current results of runs that did not finish: {unfinished}")
    return found


# -- the command line: nothing it started outlives it ------------------------------------------------

@linux_only
@pytest.mark.parametrize(("where", "command"), [
    ("stage", ["run", "--period", "2024-03"]),
    ("load", ["backfill", "--from", "2024-02", "--to", "2024-03"]),
])
def test_a_killed_command_line_run_leaves_no_process_and_kinerja_status_abandons_it(landing, tmp_path, where,
                                                                                   command):
    url = f"sqlite:///{tmp_path / 'wh.db'}"
    proc, _ = start_paused(tmp_path, where, "cli", [*command, "--landing", str(landing), "--warehouse", url])
    survivors = kill_and_count_survivors(proc)

    engine = warehouse.create_engine(url)
    try:
        [killed] = runs(engine)  # the flow run's id
        assert main(["status", "--period", "2024-03", "--landing", str(landing), "--warehouse", url]) == 0
        found = problems_after(engine, killed, "abandoned")
    finally:
        engine.dispose()
    assert not survivors and not found, f"processes left: {survivors}; warehouse: {found}"


# -- the plain pipeline: the next run, or kinerja status, abandons it -----------------------------------

@pytest.mark.parametrize("wh_url", DIALECTS, indirect=True)
@pytest.mark.parametrize("where", ["stage", "load"])
def test_a_killed_run_is_abandoned_by_the_next_run(landing, wh_url, tmp_path, where):
    proc, _ = start_paused(tmp_path, where, "pipeline", [wh_url, str(landing), "2024-03", "killed"])
    proc.kill()
    proc.wait(timeout=10)

    engine = warehouse.create_engine(wh_url)
    try:
        assert runs(engine)["killed"] == "running"  # as the kill left it
        # the next run takes the year's lock to load: the killed run's lock is gone with its process
        run = pipeline.run_month(engine, load_catalog(2024), landing, Month(2024, 2), "next")
        assert run.message is None, run.message
        assert problems_after(engine, "killed", "abandoned") == []
        message = warehouse.query(engine, "SELECT message FROM pipeline_run WHERE run_id = 'killed'")["message"][0]
        assert f"process {proc.pid} " in message and "noticed by run next" in message, message
    finally:
        engine.dispose()


@pytest.mark.parametrize("wh_url", DIALECTS, indirect=True)
def test_results_are_current_only_once_their_run_has_ended(landing, wh_url, tmp_path):
    """Killed after its load step returned: its results and its end were written together, or neither."""
    proc, _ = start_paused(tmp_path, "finish", "pipeline", [wh_url, str(landing), "2024-03", "killed"])
    proc.kill()
    proc.wait(timeout=10)

    engine = warehouse.create_engine(wh_url)
    try:
        assert main(["status", "--period", "2024-03", "--landing", str(landing), "--warehouse", wh_url]) == 0
        assert problems_after(engine, "killed", "completed") == []
    finally:
        engine.dispose()
