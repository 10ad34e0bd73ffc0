"""The deployments of prefect.yaml on a real Prefect server and a real process worker.

Everything runs in subprocesses of its own: ``prefect server start`` on a free port of
127.0.0.1 with its own PREFECT_HOME, ``prefect --no-prompt deploy --all`` from the
repository root, ``prefect worker start --pool kinerja-process`` in a scratch directory
(the deployments' pull step must take the run to the project). The test process talks
to that server through an explicit client and never changes its own Prefect settings,
so the session's in-process test harness (``prefect_harness``) is not disturbed.

Bounded in time: every wait has a deadline; every process started here is stopped
(SIGTERM to its process group, then SIGKILL) by the fixtures' finalizers.
"""

from __future__ import annotations

import contextlib
import http.server
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest
from prefect.client.schemas.filters import (
    ArtifactFilter,
    ArtifactFilterFlowRunId,
    DeploymentFilter,
    DeploymentFilterId,
    FlowRunFilter,
    FlowRunFilterState,
    FlowRunFilterStateType,
)
from prefect.client.schemas.objects import StateType
from prefect.client.schemas.sorting import FlowRunSort
from prefect.exceptions import PrefectHTTPStatusError

from kinerja import demo, pipeline, warehouse
from kinerja.catalog import load_catalog
from kinerja.periods import Month

pytestmark = pytest.mark.flow

ROOT = Path(__file__).resolve().parents[2]
POOL = "kinerja-process"
WIB = ZoneInfo("Asia/Jakarta")
SERVER_START_TIMEOUT = 180
CLI_TIMEOUT = 240
RUN_TIMEOUT = 420
PSEUDONYM_KEY = "integration-test-pseudonym-key"


# -- processes -------------------------------------------------------------------------------------

def prefect_cli() -> list[str]:
    exe = Path(sys.executable).with_name("prefect")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "prefect"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def clean_env(home: Path, **extra: str) -> dict[str, str]:
    """This process's environment without any Prefect or Kinerja setting, plus ``extra``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "KINERJA_"))}
    env.update(PREFECT_HOME=str(home), PREFECT_SERVER_ANALYTICS_ENABLED="false", DO_NOT_TRACK="1",
               PREFECT_CLI_COLORS="false", PYTHONUNBUFFERED="1", COLUMNS="200")
    env.update(extra)
    return env


class Proc:
    """A long-running subprocess in its own process group, its output in a log file."""

    def __init__(self, name: str, args: list[str], env: dict[str, str], cwd: Path, log_dir: Path):
        self.name = name
        self.log = log_dir / f"{name}.log"
        self._out = open(self.log, "wb")  # noqa: SIM115 (closed in stop())
        self.popen = subprocess.Popen(args, env=env, cwd=cwd, stdout=self._out, stderr=subprocess.STDOUT,
                                      start_new_session=True)

    def tail(self, n: int = 60) -> str:
        try:
            lines = self.log.read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            return ""
        return f"--- last lines of {self.name} ---\n" + "\n".join(lines[-n:])

    def stop(self) -> None:
        """SIGTERM the process group (the worker's flow-run children too), SIGKILL what is left."""
        if self.popen.poll() is None:
            for sig, wait in ((signal.SIGTERM, 15), (signal.SIGKILL, 10)):
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.popen.pid, sig)
                try:
                    self.popen.wait(timeout=wait)
                    break
                except subprocess.TimeoutExpired:
                    continue
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.popen.pid, signal.SIGKILL)  # children that outlived their parent
        self._out.close()


def run_cli(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess:
    done = subprocess.run(prefect_cli() + args, env=env, cwd=cwd, capture_output=True, text=True,
                          timeout=CLI_TIMEOUT)
    assert done.returncode == 0, f"prefect {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"
    return done


class Receiver:
    """The operators' webhook: an HTTP server on 127.0.0.1 recording every JSON POST."""

    def __init__(self):
        self.bodies: list[dict] = []
        received = self.bodies

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                received.append(json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0)))))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/alerts/kinerja"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


# -- fixtures: server, deployments, worker ----------------------------------------------------------------

@pytest.fixture(scope="module")
def server(tmp_path_factory):
    base = tmp_path_factory.mktemp("prefect-server")
    home = base / "home"
    home.mkdir()
    port = free_port()
    env = clean_env(home, PREFECT_UI_ENABLED="false", PREFECT_SERVER_LOGGING_LEVEL="WARNING",
                    # an enqueued run asks again after 2 s rather than 30 s: the test stays short
                    PREFECT_SERVER_DEPLOYMENTS_CONCURRENCY_SLOT_WAIT_SECONDS="2")
    proc = Proc("server", prefect_cli() + ["server", "start", "--host", "127.0.0.1", "--port", str(port)],
                env, base, base)
    api = f"http://127.0.0.1:{port}/api"
    try:
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while True:
            assert proc.popen.poll() is None, f"the Prefect server exited\n{proc.tail()}"
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{api}/health", timeout=5).status_code == 200:
                    break
            assert time.monotonic() < deadline, f"no /api/health after {SERVER_START_TIMEOUT}s\n{proc.tail()}"
            time.sleep(1)
        yield {"api": api, "home": home, "base": base, "proc": proc}
    finally:
        proc.stop()


@pytest.fixture(scope="module")
def client_env(server) -> dict[str, str]:
    return clean_env(server["home"], PREFECT_API_URL=server["api"])


@pytest.fixture(scope="module")
def client(server):
    from prefect.client.orchestration import SyncPrefectClient

    with SyncPrefectClient(api=server["api"]) as c:
        yield c


@pytest.fixture(scope="module")
def deployed(server, client_env):
    """The work pool and the deployments of prefect.yaml, deployed as an operator would."""
    before = (ROOT / "prefect.yaml").read_bytes()
    run_cli(["work-pool", "create", POOL, "--type", "process"], client_env, server["base"])
    out = run_cli(["--no-prompt", "deploy", "--all"], client_env, ROOT)
    assert (ROOT / "prefect.yaml").read_bytes() == before, "prefect deploy rewrote prefect.yaml"
    return out.stdout


@pytest.fixture(scope="module")
def receiver():
    r = Receiver()
    yield r
    r.close()


@pytest.fixture(scope="module")
def worker(server, deployed, receiver, tmp_path_factory):
    scratch = tmp_path_factory.mktemp("worker-cwd")  # not the project: the pull step must get there
    env = clean_env(server["home"], PREFECT_API_URL=server["api"], PREFECT_WORKER_QUERY_SECONDS="2",
                    KINERJA_ALERT_URL=receiver.url, KINERJA_PSEUDONYM_KEY=PSEUDONYM_KEY)
    proc = Proc("worker", prefect_cli() + ["worker", "start", "--pool", POOL, "--name", "kinerja-test-worker"],
                env, scratch, server["base"])
    try:
        yield proc
    finally:
        proc.stop()


# -- landing data ---------------------------------------------------------------------------------------

def header_only_files(landing: Path, month: Month) -> None:
    """An empty (header-only) file for any extract the demo does not write yet, so that the run
    has every file it needs."""
    for ext in pipeline.needed_extracts(load_catalog(month.year)):
        folder = landing / ext.source / str(month)
        if not any(folder.glob(f"{ext.name}.*")):
            folder.mkdir(parents=True, exist_ok=True)
            (folder / f"{ext.name}.csv").write_text(",".join(ext.column_names) + "\n", encoding="utf-8")


@pytest.fixture(scope="module")
def landings(tmp_path_factory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("landing")
    good, broken = base / "good", base / "broken"
    demo.generate(good, 2024, seed=3, scale=0.02)
    header_only_files(good, Month(2024, 3))
    shutil.copytree(good, broken)
    for old in (broken / "ekinerja" / "2024-03").glob("skm_responses.*"):
        old.unlink()
    (broken / "ekinerja" / "2024-03" / "skm_responses.csv").write_text(
        "laporan;tanggal\nSKM Maret;31/03/2024\n", encoding="utf-8")  # not the export: no expected column
    return {"good": good, "broken": broken, "base": base}


# -- helpers ---------------------------------------------------------------------------------------

def wait_final(client, run_ids, procs) -> list:
    deadline = time.monotonic() + RUN_TIMEOUT
    while True:
        runs = [client.read_flow_run(i) for i in run_ids]
        if all(r.state is not None and r.state.is_final() for r in runs):
            return runs
        if time.monotonic() > deadline:
            states = [(r.name, r.state and r.state.name) for r in runs]
            pytest.fail(f"runs not finished after {RUN_TIMEOUT}s: {states}\n" + "\n".join(p.tail() for p in procs))
        time.sleep(2)


def next_at_six(now: datetime, day: int) -> datetime:
    """The next ``day`` of a month at 06:00 Asia/Jakarta after ``now``."""
    local = now.astimezone(WIB)
    candidate = local.replace(day=day, hour=6, minute=0, second=0, microsecond=0)
    if candidate <= local:
        candidate = (candidate.replace(day=1) + timedelta(days=32)).replace(day=day)
    return candidate


# -- the tests -------------------------------------------------------------------------------------

def schedule_runs(api: str, deployment_id) -> httpx.Response:
    """Ask the server to schedule a deployment's next 3 runs. A 503 says "busy, try again" (its own
    scheduler loop can hold its database for a moment): retried for up to 30 s."""
    deadline = time.monotonic() + 30
    while True:
        response = httpx.post(f"{api}/deployments/{deployment_id}/schedule", json={"min_runs": 3, "max_runs": 3},
                              timeout=30)
        if response.status_code != 503 or time.monotonic() > deadline:
            return response
        time.sleep(1)


def test_the_deployments_read_back_from_the_server(server, client, deployed):
    monthly = client.read_deployment_by_name("kinerja-monthly/monthly")
    corrections = client.read_deployment_by_name("kinerja-monthly/corrections")
    backfill = client.read_deployment_by_name("kinerja-backfill/backfill")

    for d, cron in ((monthly, "0 6 6 * *"), (corrections, "0 6 21 * *")):
        assert [(s.schedule.cron, s.schedule.timezone, s.active) for s in d.schedules] == [(cron, "Asia/Jakarta",
                                                                                           True)]
    assert backfill.schedules == []
    assert set(backfill.parameter_openapi_schema["required"]) == {"from_period", "to_period"}
    for d in (monthly, corrections, backfill):
        assert d.work_pool_name == POOL
        assert d.global_concurrency_limit is not None and d.global_concurrency_limit.limit == 1
        assert d.concurrency_options.collision_strategy == "ENQUEUE"
        assert d.enforce_parameter_schema is True
        assert d.pull_steps == [{"prefect.deployments.steps.set_working_directory": {"directory": str(ROOT)}}]
        assert d.job_variables["env"]["PREFECT_SERVER_ANALYTICS_ENABLED"] == "false"
        assert d.parameter_openapi_schema["properties"]["period" if d is not backfill else "from_period"][
            "pattern"] == r"^(\d{4})-(0[1-9]|1[0-2])$"

    # the server's own reading of the schedules: its next runs fall on the 6th and the 21st, 06:00 WIB
    now = datetime.now(WIB)
    for d, day in ((monthly, 6), (corrections, 21)):
        response = schedule_runs(server["api"], d.id)
        assert response.status_code < 300, response.text
        runs = client.read_flow_runs(
            deployment_filter=DeploymentFilter(id=DeploymentFilterId(any_=[d.id])),
            flow_run_filter=FlowRunFilter(state=FlowRunFilterState(
                type=FlowRunFilterStateType(any_=[StateType.SCHEDULED]))),
            sort=FlowRunSort.EXPECTED_START_TIME_ASC, limit=3)
        starts = [r.expected_start_time.astimezone(WIB) for r in runs]
        assert len(starts) == 3
        assert all((s.day, s.hour, s.minute) == (day, 6, 0) for s in starts), starts
        assert starts[0] == next_at_six(now, day)
        assert [(s.year * 12 + s.month) - (starts[0].year * 12 + starts[0].month) for s in starts] == [0, 1, 2]


def test_a_malformed_period_is_refused_before_a_run_exists(client, deployed):
    monthly = client.read_deployment_by_name("kinerja-monthly/monthly")
    backfill = client.read_deployment_by_name("kinerja-backfill/backfill")
    for deployment, parameters, field in ((monthly, {"period": "2024-13"}, "period"),
                                          (monthly, {"period": "../../etc"}, "period"),
                                          (backfill, {"from_period": "2024-01", "to_period": "24-12"}, "to_period")):
        with pytest.raises(PrefectHTTPStatusError) as refused:
            client.create_flow_run_from_deployment(deployment.id, parameters=parameters)
        assert refused.value.response.status_code == 409
        assert f"Validation failed for field '{field}'" in refused.value.response.text


def test_a_worker_runs_the_month_then_a_broken_file_fails_and_alerts(client, worker, receiver, landings, server):
    monthly = client.read_deployment_by_name("kinerja-monthly/monthly")
    good_db, broken_db = landings["base"] / "good.db", landings["base"] / "broken.db"
    good = client.create_flow_run_from_deployment(monthly.id, parameters={
        "period": "2024-03", "landing_dir": str(landings["good"]), "warehouse_url": f"sqlite:///{good_db}"})
    broken = client.create_flow_run_from_deployment(monthly.id, parameters={
        "period": "2024-03", "landing_dir": str(landings["broken"]), "warehouse_url": f"sqlite:///{broken_db}"})
    good, broken = wait_final(client, [good.id, broken.id], [worker, server["proc"]])
    logs = worker.tail()

    # the good month: Completed, and its rows are in the warehouse
    assert good.state.is_completed(), f"{good.state.message}\n{logs}"
    assert good.name == "kinerja-2024-03"
    engine = warehouse.create_engine(f"sqlite:///{good_db}")
    run = warehouse.query(engine, "SELECT status, period, rows_staged FROM pipeline_run WHERE run_id = :r",
                          r=str(good.id))
    assert run.to_dict("records") == [{"status": "completed", "period": "2024-03",
                                       "rows_staged": run["rows_staged"].iloc[0]}]
    assert run["rows_staged"].iloc[0] > 0
    loaded = warehouse.query(engine, "SELECT indicator_no, period, value, status FROM indicator_result "
                                     "WHERE run_id = :r AND unit_code = 'ALL'", r=str(good.id))
    assert {"2024-03", "2024-Q1", "2024"} <= set(loaded["period"])
    skm = loaded[(loaded["indicator_no"] == 3) & (loaded["period"] == "2024-03")]
    assert len(skm) == 1 and skm["value"].notna().all()  # SKM had responses in March
    engine.dispose()

    # the broken file: Failed, with a message naming the file; its indicator has no data for March
    assert broken.state.is_failed(), f"{broken.state.message}\n{logs}"
    assert "ekinerja/2024-03/skm_responses.csv" in broken.state.message
    engine = warehouse.create_engine(f"sqlite:///{broken_db}")
    skm = warehouse.query(engine, "SELECT status FROM indicator_result WHERE indicator_no = 3 AND unit_code = 'ALL' "
                                  "AND period = '2024-03'")
    assert skm["status"].tolist() == ["tidak ada data"]
    status = warehouse.query(engine, "SELECT status FROM pipeline_run WHERE run_id = :r", r=str(broken.id))
    assert status["status"].tolist() == ["failed"]
    engine.dispose()

    # one alert, for the failed run only, naming the period, the extract, the indicator and the run
    deadline = time.monotonic() + 30
    while not receiver.bodies and time.monotonic() < deadline:
        time.sleep(0.5)
    assert len(receiver.bodies) == 1, receiver.bodies
    alert = receiver.bodies[0]
    assert alert["event"] == "failed" and alert["period"] == "2024-03"
    assert alert["flow_run"]["id"] == str(broken.id) and alert["flow_run"]["name"] == "kinerja-2024-03"
    assert alert["flow_run"]["url"].endswith(f"/runs/flow-run/{broken.id}")
    assert alert["deployment"] == "monthly"
    assert [e["extract"] for e in alert["failed_extracts"]] == ["ekinerja/skm_responses"]
    assert 3 in [i["indicator"] for i in alert["failed_indicators"]]
    assert PSEUDONYM_KEY not in json.dumps(alert)

    # both runs published their artifacts, the failed one too
    for run_ in (good, broken):
        artifacts = client.read_artifacts(artifact_filter=ArtifactFilter(
            flow_run_id=ArtifactFilterFlowRunId(any_=[run_.id])))
        assert "kinerja-2024-scorecard" in {a.key for a in artifacts}, run_.name
    scorecard = next(a for a in client.read_artifacts(artifact_filter=ArtifactFilter(
        flow_run_id=ArtifactFilterFlowRunId(any_=[broken.id]))) if a.key == "kinerja-2024-scorecard")
    assert "Failed" in scorecard.data and "skm_responses" in scorecard.data

    # concurrency limit 1, ENQUEUE: the run that came second waited for the first instead of overlapping
    histories = {r.id: [s.name for s in client.read_flow_run_states(r.id)] for r in (good, broken)}
    first, second = sorted((good, broken), key=lambda r: r.start_time)
    assert "AwaitingConcurrencySlot" in histories[second.id], histories
    assert "AwaitingConcurrencySlot" not in histories[first.id], histories
    assert second.start_time >= first.end_time
