"""``kinerja report`` under hostile conditions: counts that reruns do not inflate, markup from landing
files shown as text, and a warehouse it cannot open named in a sentence (no traceback)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from kinerja import pipeline, warehouse
from kinerja.cli import main
from kinerja.report import data, md

YEAR = 2024
SKM = "ekinerja/skm_responses"
SCRIPT = '<script>alert("x")</script>'


def _run(engine, run_id: str, period: str, started: str, quarantined: list[tuple[int, str, str]],
         month: str | None = None) -> None:
    """A run that read the SKM file of ``month`` (default: its period) and quarantined these
    (row, check, reason) records."""
    month = month or period
    with engine.begin() as conn:
        warehouse.insert_rows(conn, "pipeline_run", [{
            "run_id": run_id, "flow_name": "kinerja-monthly", "pk_year": YEAR, "period": period,
            "started_at": started, "finished_at": started, "status": "completed", "message": None,
            "rows_in": 10, "rows_staged": 10 - len(quarantined), "rows_quarantined": len(quarantined),
            "files_json": "[]"}])
        warehouse.insert_rows(conn, "pipeline_run_extract", [{
            "run_id": run_id, "extract_id": SKM, "landing_month": month,
            "file": f"ekinerja/{month}/skm_responses.csv", "sha256": "0" * 64, "status": "staged", "message": None,
            "rows_read": 10, "rows_staged": 10, "rows_quarantined": len({r for r, _, _ in quarantined})}])
        warehouse.insert_rows(conn, "quarantine", [{
            "run_id": run_id, "pk_year": YEAR, "landing_month": month, "source": "ekinerja",
            "extract": "skm_responses", "file": f"ekinerja/{month}/skm_responses.csv", "row_number": row,
            "column_name": "u1", "check_name": check, "value": "9", "reason": reason,
            "quarantined_at": started} for row, check, reason in quarantined])


@pytest.fixture
def reran(sqlite_engine):
    """February once; March three times (the scheduled run, a rerun, the corrections run), each
    quarantining the same rows 2-5, one of them (row 5) in two columns of one check."""
    march = [(2, "range", "u1 must be between 1 and 4"), (3, "range", "u1 must be between 1 and 4"),
             (4, "required", f"response_id {SCRIPT} is blank"), (5, "range", "u1 must be between 1 and 4"),
             (5, "range", "u2 must be between 1 and 4")]
    _run(sqlite_engine, "feb", "2024-02", "2024-03-06T01:00:00+00:00", march[:2], "2024-02")
    for i, run_id in enumerate(("mar-1", "mar-2", "mar-3")):
        _run(sqlite_engine, run_id, "2024-03", f"2024-04-{6 + i:02d}T01:00:00+00:00", march)
    # a backfill run of March after the first: reads February's file again, quarantining only row 2
    _run(sqlite_engine, "feb-again", "2024-02", "2024-04-10T01:00:00+00:00", march[:1], "2024-02")
    return sqlite_engine


def test_quarantine_counts_are_the_latest_runs_rows_not_the_sum_over_reruns(reran):
    q = data.load(reran, YEAR).quarantine
    counts = {(r.landing_month, r.check_name): int(r.rows_quarantined) for r in q.itertuples()}
    # March: rows 2, 3, 5 fail range (row 5 twice: one row), row 4 is required -- not 3 x 5 records;
    # February: its latest run (feb-again) quarantined row 2 only
    assert counts == {("2024-02", "range"): 1, ("2024-03", "range"): 3, ("2024-03", "required"): 1}


def test_the_markdown_report_shows_html_and_markdown_from_a_file_as_text(reran):
    text = md.render(data.load(reran, YEAR))
    assert SCRIPT not in text and "<script" not in text
    assert "response\\_id &lt;script&gt;alert(\"x\")&lt;/script&gt; is blank" in text


# -- a warehouse that cannot be written or read ------------------------------------------------------------------

def _read_only(path: Path, request) -> None:
    """Make ``path`` read-only even for root (the immutable attribute), undone after the test."""
    if os.geteuid() != 0:
        path.chmod(0o555 if path.is_dir() else 0o444)
        request.addfinalizer(lambda: path.chmod(0o755 if path.is_dir() else 0o644))
        return
    if not shutil.which("chattr") or subprocess.run(["chattr", "+i", str(path)], capture_output=True).returncode:
        pytest.skip("cannot make a file read-only for root here (no chattr, or the file system refuses it)")
    request.addfinalizer(lambda: subprocess.run(["chattr", "-i", str(path)], check=False))


@pytest.fixture
def read_only_warehouse(tmp_path, catalog, request):
    folder = tmp_path / "wh"
    folder.mkdir()
    url = f"sqlite:///{folder / 'warehouse.db'}"
    engine = warehouse.create_engine(url)
    pipeline.prepare_warehouse(engine, catalog)
    engine.dispose()
    for extra in folder.glob("warehouse.db-*"):
        extra.unlink()
    return folder, url


def test_a_run_on_a_read_only_warehouse_is_refused_at_once_by_name(read_only_warehouse, tmp_path, request, capsys,
                                                                   monkeypatch):
    folder, url = read_only_warehouse
    _read_only(folder / "warehouse.db", request)
    monkeypatch.setenv("KINERJA_PSEUDONYM_KEY", "a-test-key-of-enough-length")
    (tmp_path / "landing").mkdir()
    code = main(["run", "--period", "2024-03", "--landing", str(tmp_path / "landing"), "--warehouse", url])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith(f"kinerja: the warehouse {folder / 'warehouse.db'} is read-only (")
    assert "a run writes the warehouse; make it writable, or pass another --warehouse" in err


def test_a_run_whose_warehouse_directory_is_read_only_is_refused_at_once(read_only_warehouse, tmp_path, request,
                                                                           capsys):
    from kinerja import usage

    folder, url = read_only_warehouse
    _read_only(folder, request)
    with pytest.raises(usage.UsageError, match=rf"the directory {folder} of the warehouse is read-only .*, and "
                                               r"SQLite writes warehouse.db-wal and warehouse.db-shm there"):
        usage.check_warehouse_writable(url)


def test_report_on_a_warehouse_it_cannot_open_fails_with_a_sentence(read_only_warehouse, tmp_path, request, capsys):
    folder, url = read_only_warehouse
    _read_only(folder, request)  # SQLite cannot create the -shm file it needs even to read
    code = main(["report", "--year", "2024", "--format", "md", "--out", str(tmp_path / "r.md"), "--warehouse", url])
    err = capsys.readouterr().err
    assert code == 2 and "Traceback" not in err
    assert err.startswith(f"kinerja report: cannot read the warehouse {url}: unable to open database file "
                          f"(the directory {folder} of the warehouse is read-only")
