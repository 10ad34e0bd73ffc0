"""Expected failures end a run Failed with their message and no traceback; a bug keeps its traceback."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from prefect.client.orchestration import get_client
from prefect.flow_engine import run_flow
from prefect.logging.loggers import flow_run_logger
from prefect.states import Pending

import flows.monthly
from flows import alerts
from flows.backfill import backfill
from flows.monthly import RunFailed, monthly
from kinerja import demo
from kinerja.periods import PeriodError

pytestmark = pytest.mark.flow
NOISE = ("Traceback", "unexpected exception", "Encountered exception")


@pytest.fixture(scope="module")
def landing(tmp_path_factory) -> Path:
    """A demo year whose March lacks its complaints file (crm/pengaduan)."""
    root = tmp_path_factory.mktemp("landing")
    demo.generate(root, 2024, seed=7, scale=0.02)
    for f in (root / "crm" / "2024-03").glob("pengaduan.*"):
        f.unlink()
    return root


def test_a_missing_landing_file_ends_the_run_failed_with_its_message_and_no_traceback(
        prefect_harness, landing, sqlite_url, caplog):
    caplog.set_level(logging.INFO)
    state = monthly(period="2024-03", landing_dir=str(landing), warehouse_url=sqlite_url, return_state=True)
    assert state.is_failed()
    assert state.message == ("kinerja 2024-03: extract crm/pengaduan: missing file: no crm/2024-03/pengaduan.* "
                             "(expected one of csv, xlsx, parquet, json); indicator 13: extract failed: crm/pengaduan")
    assert "Finished in state Failed" in caplog.text
    assert not [n for n in NOISE if n in caplog.text], caplog.text
    # the details stay with the run, for its alert
    failure = alerts.failure_of(state.state_details.flow_run_id, state)
    assert isinstance(failure, RunFailed) and list(failure.failed_extracts) == ["crm/pengaduan"]
    assert failure.failed_indicators == {13: "extract failed: crm/pengaduan"}
    with pytest.raises(RunFailed):
        state.result()


def test_a_backfill_lists_its_failed_months_without_a_traceback(prefect_harness, landing, sqlite_url, caplog):
    caplog.set_level(logging.INFO)
    state = backfill(from_period="2024-02", to_period="2024-03", landing_dir=str(landing), warehouse_url=sqlite_url,
                     return_state=True)
    assert state.is_failed()
    assert state.message.startswith("backfill failed months: 2024-03: kinerja 2024-03: extract crm/pengaduan: ")
    assert "2024-02" not in state.message.removeprefix("backfill failed months: ")
    assert not [n for n in NOISE if n in caplog.text], caplog.text
    failure = alerts.failure_of(state.state_details.flow_run_id, state)
    assert list(failure.failed_months) == ["2024-03"]
    assert list(failure.failed_months["2024-03"].failed_extracts) == ["crm/pengaduan"]


def run_as_a_deployment(parameters: dict, caplog) -> BaseException:
    """Run the monthly flow as a deployment's flow-run process does (prefect.engine): from a flow run
    the server holds, its logger for engine errors, asking the engine for the result at the end."""
    with get_client(sync_client=True) as client:
        flow_run = client.create_flow_run(monthly, parameters=parameters, state=Pending())
    with pytest.raises(Exception) as raised:  # the engine raises the failed run's exception at the end
        run_flow(monthly, flow_run=flow_run, error_logger=flow_run_logger(flow_run))
    return raised.value


def test_a_deployment_run_refused_as_bad_usage_logs_no_traceback(prefect_harness, tmp_path, caplog):
    caplog.set_level(logging.INFO)
    exc = run_as_a_deployment({"period": "2024-13", "landing_dir": str(tmp_path)}, caplog)
    assert isinstance(exc, PeriodError) and str(exc) == "period month must be 01-12, got '2024-13'"
    assert "Finished in state Failed(\"period month must be 01-12, got '2024-13'\")" in caplog.text
    assert not [n for n in NOISE if n in caplog.text], caplog.text


def test_a_bug_keeps_its_traceback(prefect_harness, tmp_path, caplog, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(flows.monthly, "check_parameters", broken)
    caplog.set_level(logging.INFO)
    exc = run_as_a_deployment({"period": "2024-03", "landing_dir": str(tmp_path)}, caplog)
    assert isinstance(exc, RuntimeError)
    assert "Engine execution exited with unexpected exception" in caplog.text and "Traceback" in caplog.text
