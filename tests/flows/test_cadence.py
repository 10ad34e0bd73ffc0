"""Source files as they really arrive: each extract's cadence is catalog data (``[cadence]``), and the
contract's columns are enough (an optional column may be left out).

- ``monthly``: a month without its file is a missing file (the extract fails), as before.
- ``on_change``: a month without a file keeps the latest version; the extract is missing only when no
  file of it has landed in the PK year by the run's month, and the message says so.
- ``bpk/rekomendasi`` with exactly SPEC section 4's columns is valid; without ``verified_at`` a verified
  recommendation counts in the window of its ``resolved_at``.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from kinerja import demo, extracts, ingestion, pipeline, warehouse
from kinerja.catalog import MONTHLY, ON_CHANGE
from kinerja.extracts import Column
from kinerja.indicators import rekomendasi_bpk as bpk
from kinerja.periods import Month, month_range, windows_to_date
from kinerja.readers import ExtractFileError

ON_CHANGE_EXTRACTS = ("sipinter/merit_assessment", "portal_data/daftar_data")
RESULT = ["indicator_no", "unit_code", "period", "value", "status", "target", "capaian_pct"]


def test_the_catalog_gives_every_needed_extract_its_cadence(catalog):
    needed = {e.id for e in pipeline.needed_extracts(catalog)}
    assert set(catalog.cadences) == needed and len(needed) == 17
    assert {e for e, c in catalog.cadences.items() if c == ON_CHANGE} == set(ON_CHANGE_EXTRACTS)
    assert all(catalog.cadence(e) == MONTHLY for e in needed - set(ON_CHANGE_EXTRACTS))


# -- optional columns ---------------------------------------------------------------------------------

def test_required_columns_are_the_contract_and_only_verified_at_of_rekomendasi_is_optional():
    optional = {(e.id, c) for e in extracts.registry().values() for c in e.optional_column_names}
    assert optional == {("bpk/rekomendasi", "verified_at")}
    assert extracts.get("bpk/rekomendasi").required_column_names == [
        "rec_id", "lhp_year", "unit_code", "resolved_at", "verified"]


def test_an_optional_column_must_allow_blanks():
    with pytest.raises(ValueError, match="must be nullable"):
        Column("x", "text", "x", optional=True)


CONTRACT_ONLY = """rec_id,lhp_year,unit_code,resolved_at,verified
R1,2020,PD-A,2024-02-10 10:00,ya
R2,2021,PD-A,2024-03-28 09:00,tidak
R3,2022,PD-B,,tidak
R4,2019,PD-B,2024-04-03 08:00,ya
R5,2023,PD-B,,ya
"""


def _land(landing: Path, rel: str, text: str) -> None:
    path = landing / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_rekomendasi_with_exactly_the_contracts_columns_is_valid_and_counts_by_resolution(catalog, tmp_path):
    _land(tmp_path, "bpk/2024-04/rekomendasi.csv", CONTRACT_ONLY)
    ext = extracts.get("bpk/rekomendasi")
    raw, validated = ingestion.read_and_validate(tmp_path, ext, Month(2024, 4), catalog)
    assert any("optional column(s) absent, staged blank: verified_at" in n for n in raw.notes)
    # R5 is verified without a resolution: quarantined, by the rule for files without verified_at
    assert validated.rows_quarantined == 1
    assert validated.quarantine[["row_number", "check_name"]].to_dict("records") == [
        {"row_number": 6, "check_name": "verification"}]
    staged = validated.staged
    assert staged["verified_at"].isna().all() and len(staged) == 4
    windows = windows_to_date(Month(2024, 4), catalog.collection_deadline_day, catalog.timezone)
    out = bpk.compute({bpk.EXTRACT: staged}, windows, catalog.indicator("rekomendasi_bpk"))
    # base: R1-R4 (LHP before 2024, unresolved on 1 January) = 4; denominator 0.9 x 4 = 3.6.
    # done in the window of resolved_at: R1 in February (TW I), R4 in April (TW II); R2 unverified
    assert out.component("2024", "base") == 4
    assert out.value("2024-02") == pytest.approx(100 / 3.6)
    assert out.value("2024-03") == 0
    assert out.value("2024-Q1") == pytest.approx(100 / 3.6)
    assert out.value("2024-04") == pytest.approx(100 / 3.6)
    assert out.value("2024") == pytest.approx(200 / 3.6)


def test_with_verified_at_the_later_date_still_decides(catalog, tmp_path):
    _land(tmp_path, "bpk/2024-04/rekomendasi.csv",
          "rec_id,lhp_year,unit_code,resolved_at,verified,verified_at\n"
          "R1,2020,PD-A,2024-02-10 10:00,ya,2024-04-02 10:00\n"
          "R2,2021,PD-A,2024-03-28 09:00,ya,\n")
    ext = extracts.get("bpk/rekomendasi")
    raw, validated = ingestion.read_and_validate(tmp_path, ext, Month(2024, 4), catalog)
    assert not any("optional" in n for n in raw.notes)
    assert validated.rows_quarantined == 1  # R2: verified without verified_at, in a file that has the column
    windows = windows_to_date(Month(2024, 4), catalog.collection_deadline_day, catalog.timezone)
    out = bpk.compute({bpk.EXTRACT: validated.staged}, windows, catalog.indicator("rekomendasi_bpk"))
    # base R1 = 1, denominator 0.9: done when verified, in April
    assert out.value("2024-Q1") == 0
    assert out.value("2024-Q2") == pytest.approx(100 / 0.9)


def test_a_missing_required_column_is_still_refused(catalog, tmp_path):
    _land(tmp_path, "bpk/2024-04/rekomendasi.csv", "rec_id,lhp_year,unit_code,resolved_at\nR1,2020,PD-A,\n")
    with pytest.raises(ExtractFileError, match=r"missing column\(s\) verified;"):
        ingestion.read_and_validate(tmp_path, extracts.get("bpk/rekomendasi"), Month(2024, 4), catalog)


# -- cadence --------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def demo_year(tmp_path_factory) -> Path:
    landing = tmp_path_factory.mktemp("cadence") / "landing"
    demo.generate(landing, 2024, seed=11, scale=0.01)
    return landing


def _only_january(src: Path, dst: Path, every_month: bool) -> Path:
    """A copy of the demo year where the on_change extracts land January's file only (``every_month``:
    January's very file lands again every month instead)."""
    shutil.copytree(src, dst)
    for extract_id in ON_CHANGE_EXTRACTS:
        source, name = extract_id.split("/")
        january = next((dst / source / "2024-01").glob(f"{name}.*"))
        for m in month_range(Month(2024, 2), Month(2024, 12)):
            for old in (dst / source / str(m)).glob(f"{name}.*"):
                old.unlink()
            if every_month:
                (dst / source / str(m)).mkdir(parents=True, exist_ok=True)
                shutil.copy2(january, dst / source / str(m) / january.name)
    return dst


def _year(engine, catalog, landing: Path) -> tuple[list, pd.DataFrame]:
    runs = [pipeline.run_month(engine, catalog, landing, m, f"run-{m}")
            for m in month_range(Month(2024, 1), Month(2024, 12))]
    results = warehouse.query(engine, f"SELECT {', '.join(RESULT)} FROM indicator_result")
    return runs, results.sort_values(RESULT[:3]).reset_index(drop=True)


def test_a_year_with_only_januarys_on_change_files_runs_clean_with_the_same_values(catalog, demo_year, tmp_path):
    once = _only_january(demo_year, tmp_path / "once", every_month=False)
    monthly = _only_january(demo_year, tmp_path / "monthly", every_month=True)
    engines = [warehouse.create_engine(f"sqlite:///{tmp_path / name}.db") for name in ("once", "monthly")]
    try:
        runs_once, values_once = _year(engines[0], catalog, once)
        runs_monthly, values_monthly = _year(engines[1], catalog, monthly)
        # every month completes (the command line's exit status 0): nothing failed, nothing blanked
        assert [r.message for r in runs_once] == [None] * 12
        assert [r.message for r in runs_monthly] == [None] * 12
        pd.testing.assert_frame_equal(values_once, values_monthly)
        # indicator 5 reads the daftar data: it has its year (the demo's January merit file holds only
        # the previous year's assessment, so indicator 1 has no 2024 value either way)
        sdi_year = values_once[(values_once["indicator_no"] == 5) & (values_once["period"] == "2024")
                               & (values_once["unit_code"] == "ALL")]
        assert sdi_year["value"].notna().all() and len(sdi_year) == 1
        # February on: the January file stands, staged once ("kept"), read again by no run
        march = {o.extract_id: o for o in runs_once[2].extracts}
        for extract_id in ON_CHANGE_EXTRACTS:
            kept = march[extract_id]
            assert (kept.status, kept.landing_month, kept.rows_read) == ("kept", "2024-03", 0)
            assert kept.file.startswith(f"{extract_id.split('/')[0]}/2024-01/")
            assert "stands" in kept.message
    finally:
        for engine in engines:
            engine.dispose()


def test_a_month_run_alone_stages_the_latest_earlier_file(catalog, demo_year, tmp_path):
    landing = _only_january(demo_year, tmp_path / "once", every_month=False)
    engine = warehouse.create_engine(f"sqlite:///{tmp_path / 'alone.db'}")
    try:
        run = pipeline.run_month(engine, catalog, landing, Month(2024, 5), "run-may")
        assert run.message is None
        by_id = {o.extract_id: o for o in run.extracts}
        for extract_id in ON_CHANGE_EXTRACTS:
            assert (by_id[extract_id].status, by_id[extract_id].landing_month) == ("staged", "2024-01")
    finally:
        engine.dispose()


def test_a_month_without_an_on_change_file_tries_no_ingest_of_it(catalog, demo_year, tmp_path):
    """No ingest step (a task run in the flow) is tried, and fails, for the month's absent file: the UI
    shows no failure where there is none. The earlier file is ingested under its own month."""
    landing = _only_january(demo_year, tmp_path / "once", every_month=False)
    engine = warehouse.create_engine(f"sqlite:///{tmp_path / 'tries.db'}")
    tried = []

    def ingest(engine, catalog, landing, ext, month, run_id):
        tried.append((ext.id, str(month)))
        return ingestion.ingest_extract(engine, catalog, landing, ext, month, run_id)

    try:
        run = pipeline.run_month(engine, catalog, landing, Month(2024, 5), "run-may", pipeline.Steps(ingest=ingest))
        assert run.message is None
        for extract_id in ON_CHANGE_EXTRACTS:
            assert (extract_id, "2024-05") not in tried
            assert (extract_id, "2024-01") in tried
    finally:
        engine.dispose()


def test_an_on_change_extract_that_never_landed_is_missing_and_says_so(catalog, demo_year, tmp_path):
    landing = _only_january(demo_year, tmp_path / "none", every_month=False)
    (next((landing / "sipinter" / "2024-01").glob("merit_assessment.*"))).unlink()
    engine = warehouse.create_engine(f"sqlite:///{tmp_path / 'none.db'}")
    try:
        run = pipeline.run_month(engine, catalog, landing, Month(2024, 3), "run-mar")
        assert set(run.failed_extracts) == {"sipinter/merit_assessment"}
        assert run.failed_extracts["sipinter/merit_assessment"] == (
            "missing file: no sipinter/2024-03/merit_assessment.* (expected one of csv, xlsx, parquet, json); "
            "sipinter/merit_assessment lands on change and no file of it has landed in PK 2024 from 2024-01 "
            "to 2024-03")
        assert run.failed_indicators == {1: "extract failed: sipinter/merit_assessment"}
    finally:
        engine.dispose()


def test_a_monthly_extract_without_its_file_still_fails(catalog, demo_year, tmp_path):
    landing = tmp_path / "landing"
    shutil.copytree(demo_year, landing)
    for old in (landing / "crm" / "2024-02").glob("pengaduan.*"):
        old.unlink()
    engine = warehouse.create_engine(f"sqlite:///{tmp_path / 'm.db'}")
    try:
        run = pipeline.run_month(engine, catalog, landing, Month(2024, 2), "run-feb")
        assert run.failed_extracts == {"crm/pengaduan": "missing file: no crm/2024-02/pengaduan.* "
                                                        "(expected one of csv, xlsx, parquet, json)"}
    finally:
        engine.dispose()
