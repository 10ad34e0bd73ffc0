"""The runbook's systemd unit stops the worker cleanly, and the unit and this check cannot drift: the
unit is read from docs/operations.md, and the worker is started as the unit starts it (its ExecStart,
in the project directory, in a session of its own, with the default signal handling systemd gives
every service) and stopped as the unit stops it (its KillSignal, to every process of the session).
"""

from __future__ import annotations

import configparser
import contextlib
import os
import re
import shlex
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
RUNBOOK = ROOT / "docs" / "operations.md"
PREFECT = Path(sys.executable).with_name("prefect")
START_TIMEOUT = 120  # a busy two-core machine starts a worker in 2-20 s
STOP_TIMEOUT = 15

# Exec the worker with SIGINT and SIGTERM at their defaults, as systemd starts a service: whatever
# this test process inherited (a runner started in the background of a script ignores SIGINT).
EXEC_WITH_DEFAULT_SIGNALS = ("import os, signal, sys\n"
                             "for s in (signal.SIGINT, signal.SIGTERM):\n"
                             "    signal.signal(s, signal.SIG_DFL)\n"
                             "os.execv(sys.argv[1], sys.argv[1:])\n")
# The same, with SIGINT ignored: how a shell starts `prefect worker start ... &` from a script.
EXEC_WITH_SIGINT_IGNORED = EXEC_WITH_DEFAULT_SIGNALS.replace(
    "os.execv", "signal.signal(signal.SIGINT, signal.SIG_IGN)\nos.execv")


def runbook_unit() -> dict[str, str]:
    """The [Service] settings of the runbook's systemd unit for the worker."""
    blocks = re.findall(r"```ini\n(.*?)```", RUNBOOK.read_text(encoding="utf-8"), re.S)
    units = [b for b in blocks if "prefect worker start" in b]
    assert len(units) == 1, "the runbook must show one systemd unit for the worker"
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # systemd keys are case-sensitive
    parser.read_string(units[0])
    return dict(parser["Service"])


def test_the_runbook_unit_stops_the_worker_with_sigint_and_a_bounded_wait():
    service = runbook_unit()
    assert service.get("KillSignal") == "SIGINT"
    assert 0 < int(service["TimeoutStopSec"]) <= 60
    exec_start = shlex.split(service["ExecStart"])
    assert exec_start[0].endswith("/.venv/bin/prefect")
    assert exec_start[1:] == ["worker", "start", "--pool", "kinerja-process"]


class Worker:
    """``prefect worker start`` as the unit runs it, its output collected line by line."""

    def __init__(self, exec_start: str, env: dict[str, str], launcher: str):
        argv = [str(PREFECT), *shlex.split(exec_start)[1:]]
        self.lines: list[str] = []
        self.proc = subprocess.Popen([sys.executable, "-c", launcher, *argv], cwd=ROOT, env=env,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                     start_new_session=True)
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            self.lines.append(line.rstrip())

    def output(self) -> str:
        return "\n".join(self.lines[-40:])

    def wait_started(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while not any("started!" in x for x in self.lines):
            assert self.proc.poll() is None, f"the worker exited before it started:\n{self.output()}"
            assert time.monotonic() < deadline, f"the worker did not start in {START_TIMEOUT} s:\n{self.output()}"
            time.sleep(0.2)

    def signal(self, sig: int) -> None:
        os.killpg(self.proc.pid, sig)  # as systemd signals every process of the service

    def survivors(self) -> bool:
        try:
            os.killpg(self.proc.pid, 0)
        except ProcessLookupError:
            return False
        return True

    def kill(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)


@pytest.fixture
def worker_env(prefect_harness, tmp_path) -> dict[str, str]:
    """The environment of a worker of the session's test server, with the runbook's pool created."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.actions import WorkPoolCreate
    from prefect.exceptions import ObjectAlreadyExists
    from prefect.settings import PREFECT_API_URL

    pool = shlex.split(runbook_unit()["ExecStart"])[-1]
    with get_client(sync_client=True) as client, contextlib.suppress(ObjectAlreadyExists):
        client.create_work_pool(WorkPoolCreate(name=pool, type="process"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env.update(PREFECT_API_URL=PREFECT_API_URL.value(), PREFECT_HOME=str(tmp_path / "prefect-home"),
               PREFECT_SERVER_ANALYTICS_ENABLED="false", DO_NOT_TRACK="1", PREFECT_CLI_COLORS="false",
               PYTHONUNBUFFERED="1")
    return env


@pytest.mark.flow
def test_a_worker_started_as_the_unit_starts_it_stops_on_the_units_signal(worker_env):
    service = runbook_unit()
    worker = Worker(service["ExecStart"], worker_env, EXEC_WITH_DEFAULT_SIGNALS)
    try:
        worker.wait_started()
        sent = time.monotonic()
        worker.signal(getattr(signal, service.get("KillSignal", "SIGTERM")))
        try:
            code = worker.proc.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            pytest.fail(f"the worker ignored {service.get('KillSignal')} for {STOP_TIMEOUT} s:\n{worker.output()}")
        took = time.monotonic() - sent
        assert code == 0, worker.output()
        assert not worker.survivors(), "a process of the worker outlived it"
        assert took < STOP_TIMEOUT
    finally:
        worker.kill()


@pytest.mark.flow
def test_a_worker_started_with_sigint_ignored_ignores_a_first_sigterm(worker_env):
    """Why the unit sends SIGINT and the runbook says to start the worker through it: Prefect's worker
    answers SIGTERM by sending itself SIGINT, which does nothing when SIGINT is ignored; a second
    SIGTERM makes it SIGKILL itself. If this fails after a Prefect upgrade, the runbook's explanation
    must change with it."""
    worker = Worker(runbook_unit()["ExecStart"], worker_env, EXEC_WITH_SIGINT_IGNORED)
    try:
        worker.wait_started()
        worker.signal(signal.SIGTERM)
        with pytest.raises(subprocess.TimeoutExpired):
            worker.proc.wait(timeout=5)
        worker.signal(signal.SIGTERM)
        assert worker.proc.wait(timeout=STOP_TIMEOUT) == -signal.SIGKILL
    finally:
        worker.kill()
