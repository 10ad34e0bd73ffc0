"""The data-quality report (kinerja.quality): per extract rows read, staged, quarantined by reason, and the
sharp changes from the previous month; printed by ``kinerja quality`` and published as an artifact."""

from __future__ import annotations

from pathlib import Path

import pytest

from kinerja import extracts, pipeline, quality, warehouse
from kinerja.cli import main
from kinerja.periods import Month

FEB, MARCH = Month(2024, 2), Month(2024, 3)
SKM = "response_id,unit_code,submitted_on,u1,u2,u3,u4,u5,u6,u7,u8,u9"
DAFTAR = "dataset_id,producer_pd,title,key_variables,release_date"


def write(root: Path, rel: str, lines: list[str]) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def make_landing(root: Path) -> None:
    # February: 20 responses, u1 always 2, u9 always answered
    write(root, "ekinerja/2024-02/skm_responses.csv",
          [SKM] + [f"F-{i:02d},BKD,2024-02-10,2,3,3,3,3,3,3,3,3" for i in range(20)])
    # March: 40 good responses (u1 always 4, u9 blank in half), rows 42-44 with u3 = 7,
    # rows 45-46 sharing a key that holds markdown and HTML
    good = [f"M-{i:02d},SUBAN-JP,2024-03-10,4,3,3,3,3,3,3,3,{'' if i % 2 else '3'}" for i in range(40)]
    bad = [f"B-{i},BKD,2024-03-11,4,3,7,3,3,3,3,3,3" for i in range(3)]
    dup = ["DUP|<b>x</b>,BKD,2024-03-12,4,4,4,4,4,4,4,4,4"] * 2
    write(root, "ekinerja/2024-03/skm_responses.csv", [SKM, *good, *bad, *dup])
    daftar = [DAFTAR] + [f"DS-{i},BPS,Data {i},,2024-0{1 + i % 9}-15" for i in range(12)]
    write(root, "portal_data/2024-02/daftar_data.csv", daftar)
    write(root, "portal_data/2024-03/daftar_data.csv", daftar)
    write(root, "portal_data/2024-02/submissions.csv",
          ["dataset_id;version;submitted_at;components_complete;duplicate_key_rows;validated",
           "DS-1;1;01/02/2024 10:00;ya;0;Y"])
    # no portal_data/2024-03/submissions.*: that extract fails in March


def run_month(engine, catalog, landing: Path, month: Month, run_id: str) -> None:
    warehouse.start_run(engine, run_id, "kinerja-monthly", catalog.pk_year, str(month))
    outcomes = [pipeline.ingest(engine, catalog, landing, extracts.get(e), month, run_id)
                for e in ("ekinerja/skm_responses", "portal_data/daftar_data", "portal_data/submissions")]
    failed = [o for o in outcomes if o.status == "failed"]
    warehouse.finish_run(engine, run_id, "failed" if failed else "completed",
                         "; ".join(f"extract {o.extract_id}: {o.message}" for o in failed) or None, outcomes)


@pytest.fixture
def two_months(tmp_path, sqlite_engine, catalog):
    make_landing(tmp_path / "landing")
    run_month(sqlite_engine, catalog, tmp_path / "landing", FEB, "run-feb")
    run_month(sqlite_engine, catalog, tmp_path / "landing", MARCH, "run-mar")
    return sqlite_engine


def check_report(report: quality.QualityReport) -> None:
    assert report.period == "2024-03" and report.previous_period == "2024-02" and report.run_id == "run-mar"
    assert report.run_status == "failed"
    by_id = {e.extract_id: e for e in report.extracts}
    skm = by_id["ekinerja/skm_responses"]
    # 40 good + 3 out of range + 2 duplicates = 45 read
    assert (skm.rows_read, skm.rows_staged, skm.rows_quarantined) == (45, 40, 5)
    assert skm.rows_read == skm.rows_staged + skm.rows_quarantined
    assert [(r.check_name, r.column_name, r.rows, r.example_rows) for r in skm.reasons] == [
        ("range", "u3", 3, [42, 43, 44]), ("duplicate_key", "response_id", 2, [45, 46])]
    assert skm.reasons[0].reason == "u3 must be between 1 and 4"
    assert skm.previous_rows_read == 20
    assert skm.changes == [
        "rows read 20 → 45 (+125%)",    # (45 - 20) / 20
        "blanks in u9 0.0% → 50.0%",    # 0 of 20 in February, 20 of 40 staged in March
        "mean of u1 2,00 → 4,00 (+100%)",
    ]
    daftar = by_id["portal_data/daftar_data"]
    assert (daftar.rows_read, daftar.rows_staged, daftar.changes, daftar.reasons) == (12, 12, [], [])
    subs = by_id["portal_data/submissions"]
    assert subs.status == "failed" and "missing file: no portal_data/2024-03/submissions.*" in subs.message
    assert [e.extract_id for e in report.failed] == ["portal_data/submissions"]


def test_the_report_counts_groups_reasons_and_flags_sharp_changes(two_months):
    check_report(quality.build(two_months, MARCH))


def test_the_markdown_is_escaped_and_complete(two_months):
    md = quality.markdown(two_months, MARCH)
    assert md.startswith("# Data quality 2024-03")
    assert "| ekinerja/skm_responses | ekinerja/2024-03/skm_responses.csv | staged | 45 | 40 | 5 | 20 |" in md
    assert "| range | u3 | 3 | 42, 43, 44 | u3 must be between 1 and 4 |" in md
    assert "- **portal_data/submissions**: missing file: no portal_data/2024-03/submissions.\\*" in md
    assert "rows read 20 → 45 (+125%)" in md
    # the key from the file holds a pipe and HTML: neither breaks the table nor renders
    assert "DUP\\|&lt;b&gt;x&lt;/b&gt;" in md and "<b>" not in md
    assert "No run of 2024-05" in quality.markdown(two_months, Month(2024, 5))


def test_the_report_of_a_given_run(two_months):
    report = quality.build(two_months, FEB, run_id="run-feb")
    assert report.run_status == "completed" and report.previous_period == "2024-01"
    skm = next(e for e in report.extracts if e.extract_id == "ekinerja/skm_responses")
    assert (skm.rows_read, skm.rows_quarantined, skm.previous_rows_read, skm.changes) == (20, 0, None, [])


def test_kinerja_quality_prints_the_latest_run(two_months, sqlite_url, capsys, tmp_path):
    assert main(["quality", "--period", "2024-03", "--warehouse", sqlite_url]) == 0
    out = capsys.readouterr().out
    assert "# Data quality 2024-03" in out and "mean of u1 2,00 → 4,00 (+100%)" in out
    assert "DUP/<b>x</b>" in out  # a terminal gets the value readable, the pipe defused
    assert main(["quality", "--period", "2024-05", "--warehouse", sqlite_url]) == 1
    assert "no run of 2024-05" in capsys.readouterr().err
    missing = tmp_path / "nowhere" / "wh.db"
    assert main(["quality", "--period", "2024-03", "--warehouse", f"sqlite:///{missing}"]) == 2  # bad usage
    assert not missing.exists()  # the report never creates a warehouse


def test_a_later_run_of_the_period_is_the_one_reported(two_months, catalog, tmp_path):
    landing = tmp_path / "landing"
    write(landing, "portal_data/2024-03/submissions.csv",
          ["dataset_id;version;submitted_at;components_complete;duplicate_key_rows;validated",
           "DS-2;1;01/03/2024 10:00;ya;0;Y"])
    run_month(two_months, catalog, landing, MARCH, "run-mar-2")
    report = quality.build(two_months, MARCH)
    assert report.run_id == "run-mar-2" and report.run_status == "completed" and not report.failed


@pytest.mark.postgres
def test_the_same_report_on_postgresql(tmp_path, pg_engine, catalog):
    make_landing(tmp_path / "landing")
    run_month(pg_engine, catalog, tmp_path / "landing", FEB, "run-feb")
    run_month(pg_engine, catalog, tmp_path / "landing", MARCH, "run-mar")
    check_report(quality.build(pg_engine, MARCH))


def test_the_report_from_the_rows_a_run_holds_equals_the_report_from_the_warehouse(two_months, catalog):
    staged = pipeline.read_inputs(two_months, catalog, ["ekinerja/skm_responses", "portal_data/daftar_data",
                                                        "portal_data/submissions"])
    from_warehouse = quality.build(two_months, MARCH)
    in_memory = quality.build(two_months, MARCH, staged=staged)
    assert in_memory == from_warehouse
    assert any(item.changes for item in in_memory.extracts)  # the profiles were compared, not skipped
    skm = extracts.get("ekinerja/skm_responses")
    found = quality.profiles(staged[skm.id], skm, ["2024-03", "2023-12"])  # the last one with no rows
    assert found["2024-03"]["rows"] > 0
    assert found["2023-12"] == {"rows": 0, "blanks": {c.name: 0 for c in skm.columns}, "means": {}}


def test_the_rows_per_extract_table_of_a_run_that_stopped():
    """The short artifact of a run that stopped has the same table, without the previous month's
    column, and names each failed extract with its message, escaped."""
    from kinerja.warehouse import ExtractOutcome

    outcomes = [ExtractOutcome("ekinerja/skm_responses", "2024-03", "ekinerja/2024-03/skm_responses.csv", "ab12",
                               "staged", None, rows_read=12, rows_staged=10, rows_quarantined=2),
                ExtractOutcome("crm/pengaduan", "2024-03", None, None, "failed",
                               "missing file: <no crm/2024-03/pengaduan.*>")]
    assert quality.extract_table(outcomes) == [
        "| extract | file | status | read | staged | quarantined |",
        "|---|---|---|---:|---:|---:|",
        "| ekinerja/skm_responses | ekinerja/2024-03/skm_responses.csv | staged | 12 | 10 | 2 |",
        "| crm/pengaduan |  | failed | 0 | 0 | 0 |",
        "",
        "## Failed extracts",
        "",
        "- **crm/pengaduan**: missing file: &lt;no crm/2024-03/pengaduan.\\*&gt;",
    ]
