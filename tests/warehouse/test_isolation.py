"""Failure isolation (SPEC section 2): an extract that fails as a whole (missing file, missing column,
unreadable) fails only the indicators that need it: they get ``tidak ada data`` for the windows that
contain the month, every other indicator is computed and loaded exactly as without the defect, and
the run ends Failed with a message naming the file and the problem (``kinerja run`` exits 1).

The plain tests call ``pipeline.run_month`` (what the flow runs) for January and February once (a
template warehouse), then March with and without each defect; one test goes through ``kinerja run``
under the Prefect test server.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pandas as pd
import pytest

from kinerja import demo, pipeline, warehouse
from kinerja.catalog import load_catalog
from kinerja.cli import main
from kinerja.indicators import base
from kinerja.periods import Month

MARCH = Month(2024, 3)
TOUCHED = {"2024-03", "2024-Q1", "2024"}  # the windows that contain March in a March run
COMPARED = ["indicator_no", "unit_code", "period", "value", "status", "n_source_rows"]


def run_month(engine, catalog, landing: Path, month: Month, run_id: str) -> dict[str, str]:
    """The monthly run without Prefect (the path the flow runs, its steps as plain functions);
    returns the failed extracts."""
    return pipeline.run_month(engine, catalog, landing, month, run_id).failed_extracts


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    """The demo landing (seeded, small), a warehouse with January and February run, and the same
    warehouse after a clean March run (the baseline)."""
    root = tmp_path_factory.mktemp("isolation")
    catalog = load_catalog(2024)
    landing = root / "landing"
    demo.generate(landing, 2024, seed=7, scale=0.02)
    template = root / "jan-feb.db"
    engine = warehouse.create_engine(f"sqlite:///{template}")
    for m in (Month(2024, 1), Month(2024, 2)):
        assert run_month(engine, catalog, landing, m, f"run-{m}") == {}
    engine.dispose()
    baseline = root / "baseline.db"
    shutil.copy(template, baseline)
    engine = warehouse.create_engine(f"sqlite:///{baseline}")
    assert run_month(engine, catalog, landing, MARCH, "run-2024-03") == {}
    expected = results(engine)
    engine.dispose()
    return {"root": root, "catalog": catalog, "landing": landing, "template": template, "baseline": expected}


def results(engine) -> pd.DataFrame:
    df = warehouse.query(engine, f"SELECT {', '.join(COMPARED)} FROM indicator_result")
    return df.sort_values(COMPARED[:3]).reset_index(drop=True)


def _drop(path: Path) -> None:
    path.unlink()


def _drop_column(column: str):
    def edit(path: Path) -> None:
        df = pd.read_csv(path, dtype=str, keep_default_na=False, sep=None, engine="python", encoding="utf-8-sig")
        df.drop(columns=[column]).to_csv(path, index=False)
    return edit


def _garble(path: Path) -> None:
    path.write_bytes(b"\x00\x01\x02 not a file any reader can use \xff" * 10)


DEFECTS = {
    # defect id: (extract id, edit of its March file, what the message says)
    "missing file": ("portal_data/submissions", _drop, "missing file: no portal_data/2024-03/submissions.*"),
    "missing column": ("ekinerja/skm_responses", _drop_column("u9"),
                       "ekinerja/2024-03/skm_responses.csv: missing column(s) u9"),
    "unreadable": ("simpeg/pns_snapshot", _garble, "simpeg/2024-03/pns_snapshot.csv: not a text file"),
}


def march_file(landing: Path, extract_id: str) -> Path:
    source, name = extract_id.split("/")
    return next((landing / source / "2024-03").glob(f"{name}.*"))


@pytest.mark.parametrize("defect", list(DEFECTS))
def test_a_failed_extract_blanks_only_its_indicators(setup, defect, tmp_path):
    catalog = setup["catalog"]
    extract_id, edit, words = DEFECTS[defect]
    landing = tmp_path / "landing"
    shutil.copytree(setup["landing"], landing)
    edit(march_file(landing, extract_id))
    db = tmp_path / "wh.db"
    shutil.copy(setup["template"], db)
    engine = warehouse.create_engine(f"sqlite:///{db}")

    failed = run_month(engine, catalog, landing, MARCH, "run-2024-03")

    assert list(failed) == [extract_id] and words in failed[extract_id]
    run = warehouse.query(engine, "SELECT status, message FROM pipeline_run WHERE run_id = 'run-2024-03'").iloc[0]
    assert run["status"] == "failed" and words in run["message"]
    got, want = results(engine), setup["baseline"]
    hit = {ind.no for ind in pipeline.implemented_indicators(catalog) if extract_id in ind.extracts}
    assert hit, "the defect must hit at least one indicator"
    others = set(want["indicator_no"]) - hit
    assert len(others) >= 5
    # every other indicator: loaded, and exactly as without the defect
    pd.testing.assert_frame_equal(got[got["indicator_no"].isin(others)].reset_index(drop=True),
                                  want[want["indicator_no"].isin(others)].reset_index(drop=True))
    for no in hit:
        mine = got[(got["indicator_no"] == no) & (got["unit_code"] == base.ALL)]
        touched = mine[mine["period"].isin(TOUCHED)]
        assert set(touched["period"]) == TOUCHED
        assert (touched["status"] == base.TIDAK_ADA_DATA).all() and touched["value"].isna().all()
        # the months before March keep the values they had
        before = mine[mine["period"].isin({"2024-01", "2024-02"})]
        base_before = want[(want["indicator_no"] == no) & (want["unit_code"] == base.ALL)
                           & want["period"].isin({"2024-01", "2024-02"})]
        assert len(before) == len(base_before)
    engine.dispose()


@pytest.mark.flow
def test_kinerja_run_with_a_missing_file_exits_1_and_says_which(prefect_harness, setup, tmp_path):
    from prefect.client.orchestration import get_client

    landing = tmp_path / "landing"
    shutil.copytree(setup["landing"], landing)
    march_file(landing, "portal_data/submissions").unlink()
    url = f"sqlite:///{tmp_path / 'wh.db'}"

    assert main(["run", "--period", "2024-03", "--landing", str(landing), "--warehouse", url]) == 1

    engine = warehouse.create_engine(url)
    run = warehouse.query(engine, "SELECT run_id, status, message FROM pipeline_run").iloc[0]
    assert run["status"] == "failed"
    assert "extract portal_data/submissions: missing file: no portal_data/2024-03/submissions.*" in run["message"]
    res = warehouse.query(engine, "SELECT indicator_no, period, status, value FROM indicator_result "
                                  "WHERE unit_code = 'ALL'")
    sdi = res[(res["indicator_no"] == 5) & res["period"].isin(TOUCHED)]
    assert len(sdi) == 3 and (sdi["status"] == base.TIDAK_ADA_DATA).all()
    skm = res[(res["indicator_no"] == 3) & (res["period"] == "2024-03")]
    assert skm["value"].notna().all() and len(skm) == 1
    assert res["indicator_no"].nunique() >= 10  # every implemented indicator was loaded
    engine.dispose()
    with get_client(sync_client=True) as client:
        flow_run = client.read_flow_run(run["run_id"])
        assert flow_run.state.is_failed()
        assert "portal_data/submissions" in flow_run.state.message
        artifact = client.read_latest_artifacts()
        keys = {a.key: a for a in artifact if a.key}
        quality_md = keys["kinerja-quality-2024-03"].data
    assert "portal_data/submissions" in quality_md and "missing file" in quality_md


@pytest.mark.flow
def test_a_warehouse_password_never_reaches_messages_logs_or_artifacts(prefect_harness, tmp_path, capsys):
    """The connection fails (an option the server refuses, so no retry waits); the password must not
    appear in the flow's state message, its logs, the CLI output or any artifact."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import LogFilter, LogFilterFlowRunId
    from prefect.client.schemas.sorting import FlowRunSort
    from prefect.logging.handlers import APILogHandler

    password = "Pw-9f3e71ab"
    url = f"postgresql+psycopg://kinerja:{password}@127.0.0.1:5432/kinerja?bogus_option=1"
    (tmp_path / "landing").mkdir()
    assert main(["run", "--period", "2024-03", "--landing", str(tmp_path / "landing"), "--warehouse", url]) == 1
    out = capsys.readouterr()
    assert password not in out.out + out.err
    with get_client(sync_client=True) as client:
        flow_run = client.read_flow_runs(sort=FlowRunSort.START_TIME_DESC, limit=1)[0]
        assert flow_run.name == "kinerja-2024-03" and flow_run.state.is_failed()
        assert password not in (flow_run.state.message or "")
        assert password not in str(flow_run.parameters)  # Prefect stores and shows parameters
        APILogHandler().flush()  # logs reach the API in batches
        logs = []
        for _ in range(20):
            logs = client.read_logs(LogFilter(flow_run_id=LogFilterFlowRunId(any_=[flow_run.id])))
            if any("warehouse" in log.message for log in logs):
                break
            time.sleep(0.5)
        assert any("warehouse postgresql+psycopg://kinerja:***@" in log.message for log in logs)
        assert not [log.message for log in logs if password in log.message]
        assert not [a.key for a in client.read_latest_artifacts() if password in str(a.data)]
