"""Alerts: a failed or crashed run POSTs one JSON message naming what failed; never a password."""

from __future__ import annotations

import http.server
import json
import threading
import uuid
from pathlib import Path

import pytest
from prefect.client.schemas.objects import FlowRun
from prefect.settings import PREFECT_UI_URL, temporary_settings
from prefect.states import Crashed, Failed

from flows import alerts
from flows.backfill import backfill
from flows.monthly import RunFailed, monthly
from kinerja import demo

PASSWORD = "s3cr3t-Pa55word"
PG_URL = f"postgresql+psycopg://kinerja:{PASSWORD}@db.internal:5432/kinerja"


class Receiver:
    """A webhook on 127.0.0.1 that records every POST; ``status`` is what it answers, in turn."""

    def __init__(self, statuses=(204,)):
        self.bodies: list[dict] = []
        self.statuses = list(statuses)
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                receiver.bodies.append(json.loads(body))
                status = receiver.statuses.pop(0) if len(receiver.statuses) > 1 else receiver.statuses[0]
                self.send_response(status)
                self.end_headers()

            def log_message(self, *args):  # keep the test output quiet
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/kinerja-token-123"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()


class FakeFlow:
    name = "kinerja-monthly"


def flow_run(name="kinerja-2024-03", **parameters) -> FlowRun:
    return FlowRun(id=uuid.uuid4(), name=name, flow_id=uuid.uuid4(), parameters=parameters)


def month_failure() -> RunFailed:
    return RunFailed(
        "kinerja 2024-03: extract ekinerja/skm_responses: ekinerja/2024-03/skm_responses.csv: missing column u9; "
        "indicator 3: extract failed: ekinerja/skm_responses",
        period="2024-03",
        failed_extracts={"ekinerja/skm_responses": "ekinerja/2024-03/skm_responses.csv: missing column u9"},
        failed_indicators={3: "extract failed: ekinerja/skm_responses"},
        indicator_names={3: "Indeks kepuasan layanan kepegawaian (SKM)"})


# -- the message ----------------------------------------------------------------------------------

def test_the_payload_names_the_period_the_failed_extracts_and_indicators_and_the_run():
    run = flow_run(period="2024-03", landing_dir="/data/landing", warehouse_url="sqlite:///data/warehouse.db")
    state = Failed(data=month_failure(), message="Flow run encountered an exception: RunFailed: kinerja 2024-03")
    with temporary_settings({PREFECT_UI_URL: "http://prefect.example:4200"}):
        payload = alerts.build_payload(FakeFlow(), run, state)
    assert payload["event"] == "failed" and payload["state"] == "Failed" and payload["flow"] == "kinerja-monthly"
    assert payload["period"] == "2024-03"
    assert payload["flow_run"] == {"id": str(run.id), "name": "kinerja-2024-03",
                                   "url": f"http://prefect.example:4200/runs/flow-run/{run.id}"}
    assert payload["failed_extracts"] == [{"period": "2024-03", "extract": "ekinerja/skm_responses",
                                           "message": "ekinerja/2024-03/skm_responses.csv: missing column u9"}]
    assert payload["failed_indicators"] == [{"period": "2024-03", "indicator": 3,
                                             "name": "Indeks kepuasan layanan kepegawaian (SKM)",
                                             "reason": "extract failed: ekinerja/skm_responses"}]
    assert payload["text"].startswith("Kinerja FAILED: kinerja-2024-03 (kinerja-monthly), period 2024-03")
    assert "ekinerja/skm_responses (2024-03)" in payload["text"]
    assert "3 Indeks kepuasan layanan kepegawaian (SKM) (2024-03)" in payload["text"]
    json.dumps(payload)  # plain JSON


def test_the_payload_never_carries_the_warehouse_password_or_the_pseudonym_key(monkeypatch):
    monkeypatch.setenv("KINERJA_WAREHOUSE_URL", PG_URL)
    monkeypatch.setenv("KINERJA_PSEUDONYM_KEY", "pseudonym-key-not-for-alerts")
    run = flow_run(period="2024-03", warehouse_url=PG_URL)
    leak = RunFailed(f"could not connect to {PG_URL}; password {PASSWORD} refused; key pseudonym-key-not-for-alerts",
                     period="2024-03", failed_extracts={"simpeg/pns_snapshot": f"driver said {PASSWORD}"})
    payload = alerts.build_payload(FakeFlow(), run, Failed(data=leak, message=str(leak)))
    text = json.dumps(payload)
    assert PASSWORD not in text and "pseudonym-key-not-for-alerts" not in text
    assert payload["parameters"]["warehouse_url"] == "postgresql+psycopg://kinerja:***@db.internal:5432/kinerja"
    assert "driver said ***" in text


def test_a_crash_is_reported_as_such_with_the_period_from_the_run_name():
    # a scheduled run has no period parameter: its name says which month it was
    run = flow_run(name="kinerja-2024-05")
    payload = alerts.build_payload(FakeFlow(), run, Crashed(message="Execution was aborted by an interrupt signal."))
    assert payload["event"] == "crashed" and payload["state"] == "Crashed"
    assert payload["period"] == "2024-05"
    assert payload["failed_extracts"] == [] and payload["failed_indicators"] == []
    assert "aborted by an interrupt signal" in payload["text"]


def test_a_backfill_alert_lists_every_failed_month():
    feb = RunFailed("kinerja 2024-02: ...", period="2024-02", failed_extracts={"crm/pengaduan": "missing file"},
                    failed_indicators={13: "extract failed: crm/pengaduan"}, indicator_names={13: "Pengaduan"})
    failure = RunFailed("backfill failed months: 2024-02: ...", period="2024-01..2024-03",
                        failed_months={"2024-02": feb, "2024-03": month_failure()})
    run = flow_run(name="kinerja-backfill-2024-01-2024-03", from_period="2024-01", to_period="2024-03")
    payload = alerts.build_payload(FakeFlow(), run, Failed(data=failure))
    assert payload["period"] == "2024-01..2024-03"
    assert [(e["period"], e["extract"]) for e in payload["failed_extracts"]] == [
        ("2024-02", "crm/pengaduan"), ("2024-03", "ekinerja/skm_responses")]
    assert [(i["period"], i["indicator"]) for i in payload["failed_indicators"]] == [("2024-02", 13), ("2024-03", 3)]


# -- the delivery -----------------------------------------------------------------------------------

def test_send_posts_json_and_retries_a_server_error_not_a_refusal():
    r = Receiver(statuses=(503, 200))
    try:
        assert alerts.send(r.url, {"text": "hello"}, backoff=0.01) is True
        assert r.bodies == [{"text": "hello"}, {"text": "hello"}]  # 503, then retried: 200
    finally:
        r.close()
    r = Receiver(statuses=(404,))
    try:
        assert alerts.send(r.url, {"text": "hello"}, backoff=0.01) is False
        assert len(r.bodies) == 1  # a 4xx is a configuration problem: not retried
    finally:
        r.close()


def test_send_never_raises_when_nobody_listens(caplog):
    with http_port_nobody_uses() as url:
        assert alerts.send(url, {"text": "hello"}, attempts=2, backoff=0.01, timeout=2) is False
    assert "token" not in caplog.text  # the log names the host, never the webhook's path


class http_port_nobody_uses:
    """A 127.0.0.1 URL on a port that was free a moment ago (connection refused)."""

    def __enter__(self):
        server = http.server.HTTPServer(("127.0.0.1", 0), http.server.BaseHTTPRequestHandler)
        port = server.server_address[1]
        server.server_close()
        return f"http://127.0.0.1:{port}/hooks/secret-token"

    def __exit__(self, *exc):
        return False


def test_the_flows_carry_the_hooks():
    for f in (monthly, backfill):
        assert alerts.on_failure in f.on_failure_hooks
        assert alerts.on_crashed in f.on_crashed_hooks


# -- where to: environment, Secret block, or nowhere ------------------------------------------------------

@pytest.mark.flow
def test_nothing_is_sent_when_no_alert_url_is_configured(prefect_harness, monkeypatch, receiver):
    monkeypatch.delenv(alerts.ALERT_URL_ENV, raising=False)
    assert alerts.alert_url() is None
    run = flow_run(period="2024-03")
    assert alerts.notify(FakeFlow(), run, Failed(data=month_failure())) is False
    assert receiver.bodies == []


@pytest.mark.flow
def test_the_secret_block_is_used_when_the_environment_has_no_url(prefect_harness, monkeypatch, receiver):
    from prefect.blocks.system import Secret

    monkeypatch.delenv(alerts.ALERT_URL_ENV, raising=False)
    Secret(value=receiver.url).save(alerts.ALERT_SECRET_BLOCK, overwrite=True)
    try:
        run = flow_run(period="2024-03")
        assert alerts.notify(FakeFlow(), run, Failed(data=month_failure())) is True
        assert [b["flow_run"]["id"] for b in receiver.bodies] == [str(run.id)]
        monkeypatch.setenv(alerts.ALERT_URL_ENV, "ftp://not-a-webhook")  # the environment wins, and is checked
        assert alerts.alert_url() is None
    finally:
        from prefect.client.orchestration import get_client

        with get_client(sync_client=True) as client:
            client.delete_block_document(Secret.load(alerts.ALERT_SECRET_BLOCK)._block_document_id)


# -- end to end, in process --------------------------------------------------------------------------------

@pytest.mark.flow
def test_a_backfill_with_a_broken_month_sends_one_alert_naming_it(prefect_harness, monkeypatch, receiver,
                                                                  tmp_path, sqlite_url):
    landing = tmp_path / "landing"
    demo.generate(landing, 2024, seed=5, scale=0.02)
    broken = next(Path(landing, "ekinerja", "2024-02").glob("skm_responses.*"))
    broken.write_text("this is not the export\n1;2;3\n", encoding="utf-8")
    monkeypatch.setenv(alerts.ALERT_URL_ENV, receiver.url)

    state = backfill(from_period="2024-01", to_period="2024-02", landing_dir=str(landing),
                     warehouse_url=sqlite_url, return_state=True)
    assert state.is_failed()
    # the failed February run does not alert on its own; the backfill sends one alert for both months
    assert len(receiver.bodies) == 1
    alert = receiver.bodies[0]
    assert alert["flow"] == "kinerja-backfill" and alert["period"] == "2024-01..2024-02"
    assert alert["flow_run"]["name"] == "kinerja-backfill-2024-01-2024-02"
    assert {(e["period"], e["extract"]) for e in alert["failed_extracts"]} == {("2024-02", "ekinerja/skm_responses")}
    assert {(i["period"], i["indicator"]) for i in alert["failed_indicators"]} >= {("2024-02", 3)}
    assert f"ekinerja/2024-02/{broken.name}" in alert["failed_extracts"][0]["message"]


@pytest.mark.flow
def test_a_run_stopped_by_an_error_is_recorded_published_and_alerted(prefect_harness, monkeypatch, receiver,
                                                                      tmp_path, sqlite_url):
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId

    from kinerja import warehouse
    from tasks import load

    def broken_load(*args, **kwargs):
        raise RuntimeError("the load broke")  # not transient: no retry

    monkeypatch.setattr(load.pipeline, "load", broken_load)
    monkeypatch.setenv(alerts.ALERT_URL_ENV, receiver.url)
    (tmp_path / "landing").mkdir()
    state = monthly(period="2024-04", landing_dir=str(tmp_path / "landing"), warehouse_url=sqlite_url,
                    return_state=True)
    with pytest.raises(RuntimeError, match="the load broke"):
        state.result()
    run_id = str(state.state_details.flow_run_id)

    engine = warehouse.create_engine(sqlite_url)
    run = warehouse.query(engine, "SELECT status, message FROM pipeline_run WHERE run_id = :r", r=run_id)
    engine.dispose()
    assert run["status"].tolist() == ["failed"]
    assert run["message"].iloc[0] == "kinerja 2024-04: run stopped: RuntimeError: the load broke"
    with get_client(sync_client=True) as client:
        keys = {a.key for a in client.read_artifacts(artifact_filter=ArtifactFilter(
            flow_run_id=ArtifactFilterFlowRunId(any_=[state.state_details.flow_run_id])))}
    assert "kinerja-2024-scorecard" in keys
    assert [b["flow_run"]["id"] for b in receiver.bodies] == [run_id]
    assert receiver.bodies[0]["period"] == "2024-04" and "the load broke" in receiver.bodies[0]["text"]


@pytest.mark.flow
def test_a_run_refused_as_bad_usage_alerts_with_its_message(prefect_harness, monkeypatch, receiver, tmp_path):
    monkeypatch.setenv(alerts.ALERT_URL_ENV, receiver.url)
    state = monthly(period="2031-03", landing_dir=str(tmp_path), warehouse_url=f"sqlite:///{tmp_path / 'wh.db'}",
                    return_state=True)
    assert state.is_failed() and state.message.startswith("period 2031-03: no catalog for PK year 2031")
    assert [b["flow_run"]["id"] for b in receiver.bodies] == [str(state.state_details.flow_run_id)]
    alert = receiver.bodies[0]
    assert alert["event"] == "failed" and alert["period"] == "2031-03" and alert["message"] == state.message
    assert alert["text"].startswith("Kinerja FAILED: kinerja-2031-03 (kinerja-monthly), period 2031-03 | "
                                    f"{state.message} | ")
