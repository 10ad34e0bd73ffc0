"""The monthly flow end to end under a Prefect test server: idempotent, restating, dialect-independent."""

from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from flows.backfill import backfill
from flows.monthly import monthly
from kinerja import demo, warehouse
from kinerja.cli import main
from kinerja.warehouse import engine as engines

pytestmark = pytest.mark.flow
SCALE = 0.02
VOLATILE = ["run_id", "computed_at"]


@pytest.fixture(scope="module")
def landing(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("landing")
    demo.generate(root, 2024, seed=7, scale=SCALE)
    return root


def results(engine) -> pd.DataFrame:
    df = warehouse.query(engine, "SELECT * FROM indicator_result")
    return df.drop(columns=VOLATILE).sort_values(warehouse.RESULT_KEY).reset_index(drop=True)


def components(engine) -> pd.DataFrame:
    df = warehouse.query(engine, "SELECT * FROM indicator_component")
    key = ["indicator_no", "unit_code", "period", "component"]
    return df.drop(columns=VOLATILE).sort_values(key).reset_index(drop=True)


def history_count(engine) -> int:
    return int(warehouse.query(engine, "SELECT COUNT(*) AS n FROM indicator_result_history")["n"].iloc[0])


def run(period, landing, url):
    state = monthly(period=period, landing_dir=str(landing), warehouse_url=url, return_state=True)
    assert state.is_completed(), state.message
    return state


def test_running_a_month_twice_leaves_results_identical_and_adds_no_history(prefect_harness, landing,
                                                                            sqlite_url):
    run("2024-06", landing, sqlite_url)
    engine = warehouse.create_engine(sqlite_url)
    first, first_history = results(engine), history_count(engine)
    assert {"2024-01", "2024-06", "2024-Q1", "2024-Q2", "2024"} <= set(first["period"])
    assert first_history == len(first)
    run("2024-06", landing, sqlite_url)
    pd.testing.assert_frame_equal(first, results(engine))
    assert history_count(engine) == first_history
    runs = warehouse.query(engine, "SELECT status, rows_in, rows_staged, rows_quarantined FROM pipeline_run")
    assert runs["status"].tolist() == ["completed", "completed"]
    assert (runs["rows_in"] == runs["rows_staged"] + runs["rows_quarantined"]).all()
    files = warehouse.query(engine, "SELECT extract_id, sha256, rows_read, rows_staged, rows_quarantined "
                                    "FROM pipeline_run_extract")
    assert files["sha256"].str.len().eq(64).all()
    assert (files["rows_read"] == files["rows_staged"] + files["rows_quarantined"]).all()


def test_a_backfill_opens_the_warehouse_once_for_all_its_months(prefect_harness, landing, sqlite_url,
                                                                 monkeypatch):
    # its months share one engine (SQLite keeps its page cache; the database is closed once), disposed
    # at the end; a month run on its own opens and disposes its own
    created, disposed = [], []
    make, dispose = engines.create_engine, sa.Engine.dispose

    def counted(url):
        created.append(make(url))
        return created[-1]

    def counted_dispose(engine, *args, **kwargs):
        disposed.append(engine)
        return dispose(engine, *args, **kwargs)

    monkeypatch.setattr(engines, "create_engine", counted)
    monkeypatch.setattr(sa.Engine, "dispose", counted_dispose)
    state = backfill(from_period="2024-01", to_period="2024-02", landing_dir=str(landing), warehouse_url=sqlite_url,
                     return_state=True)
    assert state.is_completed(), state.message
    assert len(created) == 1 and disposed == created
    run("2024-02", landing, sqlite_url)
    assert len(created) == 2 and disposed == created


def _latest_may_dataset(engine):
    """A dataset released in May 2024 and its latest version staged so far."""
    subs = warehouse.query(engine, "SELECT s.dataset_id, s.version, s.validated FROM stg_portal_data__submissions s "
                                   "JOIN stg_portal_data__daftar_data d ON d.dataset_id = s.dataset_id "
                                   "WHERE d.release_date >= '2024-05-01' AND d.release_date <= '2024-05-31' "
                                   "ORDER BY s.dataset_id, s.version")
    last = subs.groupby("dataset_id").tail(1).iloc[0]
    return last["dataset_id"], int(last["version"]), bool(last["validated"])


def _append_submission(landing: Path, dataset_id: str, version: int, submitted: str, validated: bool):
    path = landing / "portal_data" / "2024-06" / "submissions.csv"
    df = pd.read_csv(path, sep=";", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    row = {"dataset_id": dataset_id, "version": str(version), "submitted_at": submitted,
           "components_complete": "ya", "duplicate_key_rows": "0", "validated": "Y" if validated else "N"}
    df = pd.concat([df, pd.DataFrame([row])], ignore_index=True)
    df.to_csv(path, sep=";", index=False, encoding="utf-8-sig")


def sdi_value(engine, period):
    return warehouse.query(engine, "SELECT value, revision FROM indicator_result WHERE indicator_no = 5 "
                                   "AND unit_code = 'ALL' AND period = :p", p=period).iloc[0]


def test_a_correction_before_the_20th_restates_the_periods_it_touches(prefect_harness, tmp_path, sqlite_url):
    landing = tmp_path / "landing"
    demo.generate(landing, 2024, seed=11, scale=SCALE)
    for month in ("2024-05", "2024-06"):
        run(month, landing, sqlite_url)
    engine = warehouse.create_engine(sqlite_url)
    dataset, version, validated = _latest_may_dataset(engine)
    may, april = sdi_value(engine, "2024-05"), sdi_value(engine, "2024-04")
    history = history_count(engine)

    # after the 20th June: too late to count, nothing changes
    _append_submission(landing, dataset, version + 1, "25/06/2024 10:00", not validated)
    run("2024-06", landing, sqlite_url)
    assert sdi_value(engine, "2024-05")["value"] == pytest.approx(may["value"])
    assert history_count(engine) == history

    # before the 20th June: the corrected version is the latest by the correction deadline
    _append_submission(landing, dataset, version + 2, "15/06/2024 10:00", not validated)
    run("2024-06", landing, sqlite_url)
    n_due = warehouse.query(engine, "SELECT value FROM indicator_component WHERE indicator_no = 5 AND "
                                    "unit_code = 'ALL' AND period = '2024-05' AND component = 'n_due'")["value"].iloc[0]
    restated = sdi_value(engine, "2024-05")
    assert restated["value"] == pytest.approx(may["value"] + (1 if not validated else -1) / n_due)
    assert restated["revision"] == may["revision"] + 1
    assert sdi_value(engine, "2024-04")["revision"] == april["revision"]  # untouched period
    changed = warehouse.query(engine, "SELECT DISTINCT period FROM indicator_result_history WHERE "
                                      "indicator_no = 5 AND unit_code = 'ALL' AND revision > 1")
    assert {"2024-05", "2024-Q2", "2024"} <= set(changed["period"])
    both = warehouse.query(engine, "SELECT value FROM indicator_result_history WHERE indicator_no = 5 AND "
                                   "unit_code = 'ALL' AND period = '2024-05' ORDER BY revision")["value"]
    assert both.iloc[-2] == pytest.approx(may["value"]) and both.iloc[-1] == pytest.approx(restated["value"])


@pytest.mark.postgres
def test_sqlite_and_postgresql_give_identical_results(prefect_harness, landing, sqlite_url, pg_url):
    for url in (sqlite_url, pg_url):
        state = backfill(from_period="2024-01", to_period="2024-03", landing_dir=str(landing), warehouse_url=url,
                         return_state=True)
        assert state.is_completed(), state.message
    lite, pg = warehouse.create_engine(sqlite_url), warehouse.create_engine(pg_url)
    pd.testing.assert_frame_equal(results(lite), results(pg), check_dtype=False)
    pd.testing.assert_frame_equal(components(lite), components(pg), check_dtype=False)
    q = "SELECT file, row_number, column_name, check_name, value, reason FROM quarantine ORDER BY 1, 2, 3, 4"
    pd.testing.assert_frame_equal(warehouse.query(lite, q), warehouse.query(pg, q), check_dtype=False)
    lite.dispose()
    pg.dispose()


@pytest.mark.parametrize("argv", [["run", "--period", "2024-13"], ["run", "--period", "../../etc"],
                                  ["backfill", "--from", "2024-05", "--to", "2024-0"], ["nonsense"]])
def test_bad_usage_exits_2_before_anything_runs(argv, capsys):
    assert main(argv) == 2


def test_on_postgresql_every_ingest_task_run_logs_into_its_months_flow_run(prefect_harness, landing, pg_url):
    """PostgreSQL ingests two extracts at a time, in threads: what each ingest task run logs must still
    reach the month's flow run, where operators read it."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId, LogFilter, LogFilterFlowRunId
    from prefect.logging.handlers import APILogWorker

    state = run("2024-02", landing, pg_url)
    flow_run_id = state.state_details.flow_run_id
    APILogWorker.drain_all(timeout=30)  # logs reach the server in batches
    with get_client(sync_client=True) as client:
        task_runs = client.read_task_runs(flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[flow_run_id])))
        logs = client.read_logs(log_filter=LogFilter(flow_run_id=LogFilterFlowRunId(any_=[flow_run_id])))
    ingests = {t.id: t.name for t in task_runs if t.name.startswith("ingest-")}
    assert len(ingests) >= 10, ingests
    logged = {log.task_run_id for log in logs}
    assert sorted(ingests[i] for i in ingests if i not in logged) == []
