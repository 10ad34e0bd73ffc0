"""``pipeline.run_month`` without Prefect: the path the monthly flow runs, with its steps as plain functions.

What a failure costs is decided here, not in the flow: a landing file that cannot be used fails only its
extract and blanks only the indicators that need it, for the windows that include the month; a formula
that raises keeps its indicator's last loaded values. A small demo year, January and February run once
(a template warehouse), then March in a copy.
"""

from __future__ import annotations

import shutil
from dataclasses import fields
from pathlib import Path

import pandas as pd
import pytest

import tasks
from kinerja import demo, ingestion, keys, pipeline, warehouse
from kinerja.catalog import ON_CHANGE, load_catalog
from kinerja.indicators import base
from kinerja.indicators import registry as indicator_registry
from kinerja.periods import Month

MARCH = Month(2024, 3)
TOUCHED = {"2024-03", "2024-Q1", "2024"}  # the windows that include March, in a March run
COLUMNS = ["indicator_no", "unit_code", "period", "value", "status", "n_source_rows", "run_id"]


@pytest.fixture(scope="module")
def year(tmp_path_factory) -> dict:
    root = tmp_path_factory.mktemp("run-month")
    catalog = load_catalog(2024)
    landing = root / "landing"
    demo.generate(landing, 2024, seed=7, scale=0.02)
    template = root / "jan-feb.db"
    engine = warehouse.create_engine(f"sqlite:///{template}")
    for month in (Month(2024, 1), Month(2024, 2)):
        run = pipeline.run_month(engine, catalog, landing, month, f"run-{month}")
        assert run.message is None, run.message
    engine.dispose()
    return {"root": root, "catalog": catalog, "landing": landing, "template": template}


@pytest.fixture
def engine(year, tmp_path):
    """A copy of the warehouse after January and February."""
    db = tmp_path / "wh.db"
    shutil.copy(year["template"], db)
    engine = warehouse.create_engine(f"sqlite:///{db}")
    yield engine
    engine.dispose()


def results(engine, where: str = "1 = 1") -> pd.DataFrame:
    df = warehouse.query(engine, f"SELECT {', '.join(COLUMNS)} FROM indicator_result WHERE {where}")
    return df.sort_values(COLUMNS[:3]).reset_index(drop=True)


def pipeline_run(engine, run_id: str) -> dict:
    return warehouse.query(engine, "SELECT status, message FROM pipeline_run WHERE run_id = :r",
                           r=run_id).iloc[0].to_dict()


def test_a_month_completes_stages_every_extract_and_loads_every_indicator(year, engine):
    catalog, published = year["catalog"], []
    run = pipeline.run_month(engine, catalog, year["landing"], MARCH, "run-march",
                             pipeline.Steps(publish=published.append))
    assert (run.period, run.run_id, run.message) == ("2024-03", "run-march", None)
    assert run.failed_extracts == {} and run.failed_indicators == {} and run.indicator_names == {}
    assert [o.extract_id for o in run.extracts] == [e.id for e in pipeline.needed_extracts(catalog)]
    # the daftar data lands on change (the demo's lands in January only): its January file stands
    assert {o.extract_id: o.status for o in run.extracts if o.status != "staged"} == {
        "portal_data/daftar_data": "kept"}
    assert set(run.staged) == {e.id for e in pipeline.needed_extracts(catalog)}
    assert run.loaded.inserted + run.loaded.changed > 0
    assert published == [run]  # the report sees what the run returns
    assert pipeline_run(engine, "run-march") == {"status": "completed", "message": None}
    march = results(engine, "period = '2024-03' AND unit_code = 'ALL'")
    assert set(march["indicator_no"]) == {i.no for i in pipeline.implemented_indicators(catalog)}
    assert (march["run_id"] == "run-march").all()


def test_a_missing_landing_file_fails_only_its_extract_and_blanks_only_its_indicators(year, engine, tmp_path):
    catalog = year["catalog"]
    landing = tmp_path / "landing"
    shutil.copytree(year["landing"], landing)
    for f in (landing / "crm" / "2024-03").glob("pengaduan.*"):
        f.unlink()
    before = results(engine)

    run = pipeline.run_month(engine, catalog, landing, MARCH, "run-march")

    missing = "missing file: no crm/2024-03/pengaduan.* (expected one of csv, xlsx, parquet, json)"
    assert run.failed_extracts == {"crm/pengaduan": missing}
    hit = {i.no for i in pipeline.implemented_indicators(catalog) if "crm/pengaduan" in i.extracts}
    assert hit == {13}
    assert run.failed_indicators == {13: "extract failed: crm/pengaduan"}
    assert run.indicator_names == {13: catalog.indicators[13].short_name}
    assert run.message == (f"kinerja 2024-03: extract crm/pengaduan: {missing}; "
                           "indicator 13: extract failed: crm/pengaduan")
    assert pipeline_run(engine, "run-march") == {"status": "failed", "message": run.message}
    assert [o.extract_id for o in run.extracts if o.status == "failed"] == ["crm/pengaduan"]

    after = results(engine)
    pengaduan = after[(after["indicator_no"] == 13) & (after["unit_code"] == base.ALL)]
    touched = pengaduan[pengaduan["period"].isin(TOUCHED)]
    assert set(touched["period"]) == TOUCHED
    assert (touched["status"] == base.TIDAK_ADA_DATA).all() and touched["value"].isna().all()
    # the complete months before March keep their values, untouched by this run
    kept = ["2024-01", "2024-02"]
    pd.testing.assert_frame_equal(
        pengaduan[pengaduan["period"].isin(kept)].reset_index(drop=True),
        before[(before["indicator_no"] == 13) & (before["unit_code"] == base.ALL)
               & before["period"].isin(kept)].reset_index(drop=True))
    # every other indicator has its March value
    others = after[(after["indicator_no"] != 13) & (after["period"] == "2024-03") & (after["unit_code"] == base.ALL)]
    assert len(others) == len(pipeline.implemented_indicators(catalog)) - 1
    assert (others["status"] != base.TIDAK_ADA_DATA).any()


def test_a_formula_that_raises_keeps_its_last_loaded_values_and_is_named(year, engine, monkeypatch):
    catalog = year["catalog"]
    skm = catalog.indicator("skm")

    def broken(inputs, windows, indicator):
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(indicator_registry()["skm"], "compute", broken)
    before = results(engine)

    run = pipeline.run_month(engine, catalog, year["landing"], MARCH, "run-march")

    assert run.failed_extracts == {}
    assert run.failed_indicators == {skm.no: "ZeroDivisionError: division by zero"}
    assert run.indicator_names == {skm.no: skm.short_name}
    assert run.message == f"kinerja 2024-03: indicator {skm.no}: ZeroDivisionError: division by zero"
    assert pipeline_run(engine, "run-march") == {"status": "failed", "message": run.message}
    after = results(engine)
    # nothing of SKM was loaded: every row it had (the quarter and year as of February included) stays
    pd.testing.assert_frame_equal(after[after["indicator_no"] == skm.no].reset_index(drop=True),
                                  before[before["indicator_no"] == skm.no].reset_index(drop=True))
    assert "2024-03" not in set(after.loc[after["indicator_no"] == skm.no, "period"])
    march = after[(after["period"] == "2024-03") & (after["unit_code"] == base.ALL)]
    assert set(march["indicator_no"]) == {i.no for i in pipeline.implemented_indicators(catalog)} - {skm.no}


def test_a_run_stopped_by_an_error_is_recorded_redacted_published_and_raised(year, engine):
    published = []

    def broken_load(*args):
        raise RuntimeError("lost postgresql://kinerja:Pw-Secret-1@db.example/wh")

    steps = pipeline.Steps(load=broken_load, publish=published.append)
    with pytest.raises(RuntimeError, match="Pw-Secret-1"):  # the original error, as it was
        pipeline.run_month(engine, year["catalog"], year["landing"], MARCH, "run-march", steps)
    message = "kinerja 2024-03: run stopped: RuntimeError: lost postgresql://kinerja:***@db.example/wh"
    assert pipeline_run(engine, "run-march") == {"status": "failed", "message": message}
    [stopped] = published
    assert stopped.message == message and stopped.loaded is None and stopped.staged is None
    assert len(stopped.extracts) == len(pipeline.needed_extracts(year["catalog"]))  # the files read so far


def test_another_pseudonym_key_is_refused_before_anything_is_staged(year, tmp_path):
    engine = warehouse.create_engine(f"sqlite:///{tmp_path / 'wh.db'}")
    pipeline.prepare_warehouse(engine, year["catalog"])
    keys.claim(engine, b"another-pseudonym-key-0123456789", "an earlier run")
    published = []
    with pytest.raises(keys.KeyMismatchError):
        pipeline.run_month(engine, year["catalog"], year["landing"], Month(2024, 1), "run-jan",
                           pipeline.Steps(publish=published.append))
    assert warehouse.query(engine, "SELECT COUNT(*) AS n FROM pipeline_run")["n"].iloc[0] == 0
    assert warehouse.query(engine, "SELECT COUNT(*) AS n FROM stg_simpeg__pns_snapshot")["n"].iloc[0] == 0
    assert published == []
    engine.dispose()


def test_the_flow_runs_every_step_as_a_task():
    """The monthly flow passes ``tasks.steps()`` to the same ``run_month``: every step but the report
    (the flow's own) is replaced by its Prefect task."""
    plain, flow = pipeline.Steps(), tasks.steps()
    replaced = {f.name for f in fields(pipeline.Steps) if getattr(flow, f.name) is not getattr(plain, f.name)}
    assert replaced == {f.name for f in fields(pipeline.Steps)} - {"publish"}


def test_plain_ingest_records_a_file_level_failure_as_run_month_does(year, engine, tmp_path):
    ext = next(e for e in pipeline.needed_extracts(year["catalog"]) if e.id == "crm/pengaduan")
    empty = tmp_path / "empty"
    Path(empty).mkdir()
    warehouse.start_run(engine, "run-x", pipeline.FLOW_NAME, 2024, str(MARCH))
    outcome = pipeline.ingest(engine, year["catalog"], empty, ext, MARCH, "run-x")
    assert (outcome.status, outcome.rows_read) == ("failed", 0) and "missing file" in outcome.message
    lineage = warehouse.query(engine, "SELECT status, file FROM pipeline_run_extract WHERE run_id = 'run-x'")
    assert lineage.to_dict("records") == [{"status": "failed", "file": "crm/2024-03/pengaduan.*"}]


def monthly_extracts(catalog) -> list:
    """The extracts that land every month (an on_change one without its file is looked up in the warehouse)."""
    return [e for e in pipeline.needed_extracts(catalog) if catalog.cadence(e.id) != ON_CHANGE]


def test_two_extracts_at_a_time_the_largest_files_first_the_outcomes_in_the_catalogs_order(year, monkeypatch):
    """PostgreSQL's ingest (``ingest_threads`` 2): two extracts at a time, never more, the two largest
    files first; the outcomes in the catalog's order however the threads finish."""
    import threading
    import time

    monkeypatch.setattr(pipeline, "ingest_threads", lambda engine: 2)
    needed = monthly_extracts(year["catalog"])
    lock, running, most, started = threading.Lock(), [0], [0], []

    def ingest(engine, catalog, landing, ext, month, run_id):
        with lock:
            started.append(ext.id)
            running[0] += 1
            most[0] = max(most[0], running[0])
        time.sleep(0.02 if needed.index(ext) % 2 == 0 else 0.001)  # the later of a pair finishes first
        with lock:
            running[0] -= 1
        return ext.id

    steps = pipeline.Steps(ingest=ingest)
    outcomes = []
    pipeline.ingest_all(None, year["catalog"], year["landing"], needed, MARCH, "run", steps, outcomes)
    assert outcomes == [e.id for e in needed]
    assert most[0] == 2
    size = {e.id: file_of(year["landing"], e).stat().st_size for e in needed}
    two_largest = sorted(size, key=size.get, reverse=True)[:2]
    assert set(started[:2]) == set(two_largest) and size[two_largest[1]] > max(size[e] for e in started[2:])
    assert two_largest != [e.id for e in needed[:2]]  # else the test would not tell the orders apart


def file_of(landing: Path, ext) -> Path:
    (path,) = (landing / ext.source / str(MARCH)).glob(f"{ext.name}.*")
    return path


def test_largest_first_orders_by_file_size_a_missing_file_last(year, tmp_path):
    needed = monthly_extracts(year["catalog"])
    landing = tmp_path / "landing"
    shutil.copytree(year["landing"], landing)
    missing, large = needed[-1], needed[3]
    largest = max(file_of(landing, e).stat().st_size for e in needed)
    file_of(landing, missing).unlink()
    path = file_of(landing, large)
    path.write_bytes(path.read_bytes() * (largest // path.stat().st_size + 1))  # only its size is read
    order = ingestion.largest_first(landing, needed, MARCH)
    assert order[0] is large and order[-1] is missing and sorted(order, key=needed.index) == needed


def test_after_an_error_no_further_extract_starts_and_the_error_is_raised(year, monkeypatch):
    """The extracts taken before the error and those under way when it came are recorded (their files are
    staged), in the catalog's order; none is started after it."""
    import time

    monkeypatch.setattr(pipeline, "ingest_threads", lambda engine: 2)
    needed = monthly_extracts(year["catalog"])
    order = ingestion.largest_first(year["landing"], needed, MARCH)
    started, outcomes = [], []

    def ingest(engine, catalog, landing, ext, month, run_id):
        started.append(ext.id)
        if ext is order[1]:
            raise RuntimeError("the warehouse is gone")
        time.sleep(0.05 if ext is order[0] else 0.5)
        return ext.id

    with pytest.raises(RuntimeError, match="the warehouse is gone"):
        pipeline.ingest_all(None, year["catalog"], year["landing"], needed, MARCH, "run",
                            pipeline.Steps(ingest=ingest), outcomes)
    assert len(needed) > 5 and len(started) <= 4  # the first two, the failed one's neighbour, at most one more
    assert order[0].id in outcomes and order[1].id not in outcomes
    assert outcomes == [e.id for e in needed if e.id in started and e is not order[1]]
