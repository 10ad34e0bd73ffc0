"""Arrival tracking (``landing_arrival``, ``kinerja status``): which landing files of the PK year arrived,
when, and which are on time, late, missing, awaited or not expected, by the catalog's cadence and
collection deadline (the 5th of the next month, 23:59:59 WIB). Times below are hand-picked around it."""

from __future__ import annotations

import json
import os
import shutil
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from kinerja import arrival, extracts, pipeline, warehouse
from kinerja.arrival import AWAITED, LATE, MISSING, NOT_EXPECTED, ON_TIME
from kinerja.cli import main
from kinerja.periods import Month

WIB = ZoneInfo("Asia/Jakarta")
CRM, MERIT = extracts.get("crm/pengaduan"), extracts.get("sipinter/merit_assessment")
NOW = datetime(2024, 4, 6, 6, 0, tzinfo=WIB)  # the monthly run of March: 6 April, 06:00


def land(landing: Path, rel: str, when: datetime, text: str = "a,b\n1,2\n") -> Path:
    path = landing / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    os.utime(path, (when.timestamp(), when.timestamp()))
    return path


@pytest.fixture
def landing(tmp_path) -> Path:
    root = tmp_path / "landing"
    land(root, "crm/2024-01/pengaduan.csv", datetime(2024, 2, 3, 9, 0, tzinfo=WIB))  # by 5 Feb: on time
    land(root, "crm/2024-02/pengaduan.csv", datetime(2024, 3, 6, 0, 0, 1, tzinfo=WIB))  # 2 s after 5 Mar: late
    # crm 2024-03: none, its deadline (5 April) passed: missing; 2024-04 not due until 5 May: awaited
    land(root, "sipinter/2024-02/merit_assessment.xlsx", datetime(2024, 2, 20, tzinfo=WIB))
    return root


def cells_by(cells) -> dict[tuple[str, str], arrival.Arrival]:
    return {(c.extract_id, c.month): c for c in cells}


def test_status_by_cadence_and_deadline(catalog, landing):
    cells = cells_by(arrival.survey(catalog, [CRM, MERIT], landing, Month(2024, 4), now=NOW))
    assert [cells[("crm/pengaduan", f"2024-0{m}")].status for m in (1, 2, 3, 4)] == [ON_TIME, LATE, MISSING, AWAITED]
    # merit lands on change: expected (and missing) until its first file, then not expected
    merit = [cells[("sipinter/merit_assessment", f"2024-0{m}")] for m in (1, 2, 3, 4)]
    assert [c.status for c in merit] == [MISSING, ON_TIME, NOT_EXPECTED, NOT_EXPECTED]
    assert [c.expected for c in merit] == [True, True, False, False]
    feb = cells[("crm/pengaduan", "2024-02")]
    assert feb.deadline == "2024-03-05T23:59:59+07:00"
    assert feb.first_seen_at == "2024-03-06T00:00:01+07:00"
    assert feb.file == "crm/2024-02/pengaduan.csv" and len(feb.sha256) == 64 and feb.first_sha256 == feb.sha256
    # a run later the same day: March is still missing, April still awaited
    assert cells[("crm/pengaduan", "2024-03")].expected and cells[("crm/pengaduan", "2024-04")].expected


def test_a_file_replaced_after_its_month_was_staged_is_a_correction_with_both_checksums(
        catalog, landing, sqlite_engine):
    first = arrival.survey(catalog, [CRM], landing, Month(2024, 2), now=NOW)
    v1 = cells_by(first)[("crm/pengaduan", "2024-01")].sha256
    staged = [warehouse.ExtractOutcome("crm/pengaduan", "2024-01", "crm/2024-01/pengaduan.csv", v1, "staged", None)]
    arrival.record(sqlite_engine, arrival.staged_by(first, staged))
    # replaced on 15 February: a correction of a staged month
    land(landing, "crm/2024-01/pengaduan.csv", datetime(2024, 2, 15, 10, 0, tzinfo=WIB), "a,b\n1,3\n")
    again = cells_by(arrival.survey(catalog, [CRM], landing, Month(2024, 2),
                                    arrival.recorded(sqlite_engine, 2024), now=NOW))
    jan = again[("crm/pengaduan", "2024-01")]
    assert jan.corrected and jan.first_sha256 == v1 and jan.sha256 != v1
    assert (jan.first_seen_at, jan.changed_at) == ("2024-02-03T09:00:00+07:00", "2024-02-15T10:00:00+07:00")
    assert jan.status == ON_TIME  # by its first arrival
    # a file replaced before any run staged it is a new version, not a correction
    feb = again[("crm/pengaduan", "2024-02")]
    assert not feb.corrected and feb.staged_sha256 is None
    arrival.record(sqlite_engine, list(again.values()))
    stored = arrival.recorded(sqlite_engine, 2024)[("crm/pengaduan", "2024-01")]
    assert (stored.corrected, stored.first_sha256, stored.sha256) == (True, v1, jan.sha256)


def test_the_matrix_reads_in_a_terminal(catalog, landing):
    cells = arrival.survey(catalog, [CRM, MERIT], landing, Month(2024, 4), now=NOW)
    lines = arrival.text(cells, "t").splitlines()
    assert lines[2].split() == ["extract", "01", "02", "03", "04"]
    assert lines[3].split() == ["crm/pengaduan", "ok", "LATE", "MISS", "wait"]
    assert lines[4].split() == ["sipinter/merit_assessment", "MISS", "ok", ".", "."]
    assert "2024-02 crm/pengaduan: late, arrived 2024-03-06T00:00:01+07:00, deadline 2024-03-05T23:59:59+07:00" \
        in lines
    md = arrival.markdown(cells, "t")
    assert "| crm/pengaduan | ok | LATE | MISS | wait |" in md


def test_kinerja_status_prints_text_md_json_and_creates_no_warehouse(tmp_path, landing, capsys):
    db = tmp_path / "none.db"
    for fmt in ("text", "md", "json"):
        assert main(["status", "--period", "2024-03", "--format", fmt, "--landing", str(landing),
                     "--warehouse", f"sqlite:///{db}"]) == 0
        out = capsys.readouterr().out
        if fmt == "json":
            rows = {(r["extract_id"], r["month"]): r for r in json.loads(out)}
            assert rows[("crm/pengaduan", "2024-02")]["status"] == LATE
            assert len(rows) == 17 * 3  # every extract the catalog needs, January to March
        else:
            assert "Landing files of PK 2024, 2024-01 to 2024-03" in out
    assert not db.exists()


def test_months_to_rerun_failed_never_run_late_or_changed(catalog, landing, sqlite_engine):
    def run(month: str, status: str, sha: str | None):
        warehouse.start_run(sqlite_engine, f"run-{month}", "kinerja-monthly", 2024, month)
        outcomes = [warehouse.ExtractOutcome("crm/pengaduan", month, f"crm/{month}/pengaduan.csv", sha,
                                             "staged" if sha else "failed", None)]
        for o in outcomes:
            warehouse.record_extract(sqlite_engine, f"run-{month}", 2024, o, None)
        warehouse.finish_run(sqlite_engine, f"run-{month}", status, None, outcomes)

    jan = arrival.checksum(landing / "crm/2024-01/pengaduan.csv")
    run("2024-01", "completed", jan)  # read the file there now: nothing to do
    run("2024-02", "failed", None)  # failed (its file came late)
    run("2024-03", "completed", "0" * 64)  # completed, but its file changed since: none now
    months = [Month(2024, m) for m in (1, 2, 3, 4)]
    got = arrival.months_to_rerun(sqlite_engine, catalog, [CRM], landing, months)
    assert got == {"2024-02": "its last run failed", "2024-04": "never run"}
    land(landing, "crm/2024-03/pengaduan.csv", datetime(2024, 4, 9, tzinfo=WIB))  # arrives late
    got = arrival.months_to_rerun(sqlite_engine, catalog, [CRM], landing, months)
    assert got["2024-03"] == "new or changed file(s) since its last run: crm/pengaduan"
    assert "2024-01" not in got


# -- a monthly run: late files named once ---------------------------------------------------------------

@pytest.fixture(scope="module")
def demo_landing(tmp_path_factory) -> Path:
    from kinerja import demo

    root = tmp_path_factory.mktemp("arrival-demo") / "landing"
    demo.generate(root, 2024, seed=5, scale=0.01)
    return root


def test_a_failed_run_names_each_overdue_file_once_and_a_late_file_then_counts(catalog, demo_landing, tmp_path):
    landing = tmp_path / "landing"
    shutil.copytree(demo_landing, landing)
    held = tmp_path / "pengaduan.held"
    shutil.move(next((landing / "crm" / "2024-02").glob("pengaduan.*")), held)
    engine = warehouse.create_engine(f"sqlite:///{tmp_path / 'wh.db'}")
    try:
        assert pipeline.run_month(engine, catalog, landing, Month(2024, 1), "run-jan").message is None
        first = pipeline.run_month(engine, catalog, landing, Month(2024, 2), "run-feb-6th")
        assert first.message and first.late_files == [
            {"source": "crm", "extract": "pengaduan", "month": "2024-02", "status": MISSING, "arrived": None}]
        again = pipeline.run_month(engine, catalog, landing, Month(2024, 2), "run-feb-21st")
        assert again.message and "crm/pengaduan" in again.failed_extracts and again.late_files == []
        # the file lands on 12 March, after its deadline: the month runs again and completes
        arrived = landing / "crm" / "2024-02" / "pengaduan.xlsx"
        shutil.move(held, arrived)
        when = datetime(2024, 3, 12, 8, 0, tzinfo=WIB).timestamp()
        os.utime(arrived, (when, when))
        assert pipeline.months_to_rerun(engine, landing, [Month(2024, 1), Month(2024, 2)]) == {
            "2024-02": "its last run failed"}
        done = pipeline.run_month(engine, catalog, landing, Month(2024, 2), "run-feb-rerun")
        assert done.message is None
        cell = cells_by(done.arrivals)[("crm/pengaduan", "2024-02")]
        assert (cell.status, cell.first_seen_at, cell.reported_run_id) == (
            LATE, "2024-03-12T08:00:00+07:00", "run-feb-6th")
        assert cell.staged_sha256 == cell.sha256
        assert pipeline.months_to_rerun(engine, landing, [Month(2024, 1), Month(2024, 2)]) == {}
    finally:
        engine.dispose()
