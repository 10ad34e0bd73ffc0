"""The analyst views (sql/101_analyst_views.sql) and every example query (sql/queries/*.sql)
run on SQLite and on PostgreSQL, against a real small warehouse (tests/report_warehouse.py:
demo SKM and SDI data January-April 2024, a restated TW I SKM value, indicator 4 failed)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa
from report_warehouse import NO_DATA_RUN, RESTATED_RUN, build

from kinerja import warehouse

ROOT = Path(__file__).resolve().parents[2]
QUERIES = sorted((ROOT / "sql" / "queries").glob("*.sql"))
VIEWS = ("v_scorecard", "v_indicator_trend", "v_latest_run", "v_restatement")
MONTHS = 4


def run_sql(engine: sa.Engine, sql: str) -> pd.DataFrame:
    with engine.connect() as conn:
        result = conn.execute(sa.text(sql))
        return pd.DataFrame(result.fetchall(), columns=list(result.keys()))


def test_there_are_example_queries_each_with_its_question():
    assert len(QUERIES) >= 6
    for path in QUERIES:
        first = path.read_text(encoding="utf-8").splitlines()[0]
        assert first.startswith("-- Question: ") and first.endswith("?"), path.name
    names = {p.stem for p in QUERIES}
    assert {"off_target_this_quarter", "changes_since_last_report"} <= names


def check_everything(engine, catalog, tmp_path) -> dict[str, pd.DataFrame]:
    """Build the warehouse, run every view and query, check what each one says."""
    info = build(engine, catalog, tmp_path / "landing", months=MONTHS)
    out, errors = {}, []
    for view in VIEWS:
        try:
            out[view] = run_sql(engine, f"SELECT * FROM {view}")
        except Exception as exc:  # report every broken view and query at once
            errors.append(f"{view}: {exc}")
    for path in QUERIES:
        try:
            out[path.name] = run_sql(engine, path.read_text(encoding="utf-8"))
        except Exception as exc:
            errors.append(f"{path.name}: {exc}")
    assert not errors, "\n".join(errors)
    old, new = info["restated"]

    # v_indicator_trend: four months of SKM, change = value - previous month
    trend = out["v_indicator_trend"]
    skm = trend[(trend["indicator_no"] == 3) & (trend["unit_code"] == "ALL")].sort_values("month")
    assert list(skm["month"]) == ["2024-01", "2024-02", "2024-03", "2024-04"]
    assert list(skm["month_no"]) == [1, 2, 3, 4] and list(skm["quarter"]) == [1, 1, 1, 2]
    assert skm["change"].iloc[1] == pytest.approx(skm["value"].iloc[1] - skm["value"].iloc[0])
    assert pd.isna(skm["previous_value"].iloc[0])
    assert set(skm["year_target"]) == {94.0}
    assert (trend["month"].str.len() == 7).all() and not trend["month"].str.contains("Q").any()

    # v_latest_run: the failed run of indicator 4 started last (April's run day, 01:20)
    latest = out["v_latest_run"]
    assert len(latest) == 1
    row = latest.iloc[0]
    assert row["run_id"] == NO_DATA_RUN and row["status"] == "failed"
    assert row["latest_completed_period"] == "2024-04" and row["runs_in_year"] == MONTHS + 2

    # v_restatement: the TW I SKM value as of 2024-03 went from old to new (delta 1.5) in a later run
    rest = out["v_restatement"]
    q1 = rest[(rest["indicator_no"] == 3) & (rest["period"] == "2024-Q1") & (rest["unit_code"] == "ALL")]
    assert len(q1) == 1
    r = q1.iloc[0]
    assert r["previous_value"] == pytest.approx(old) and r["value"] == pytest.approx(new)
    assert r["change"] == pytest.approx(1.5) and r["first_value"] == pytest.approx(old)
    assert r["run_id"] == RESTATED_RUN and r["previous_run_id"] == "run-2024-03" and r["is_current"] == 1
    assert r["as_of_month"] == "2024-03"
    # a quarter or the year growing month by month is not a restatement
    assert not ((rest["indicator_no"] == 3) & (rest["period"] == "2024") & (rest["unit_code"] == "ALL")).any()
    # every restatement keeps its window: same as_of_month before and after
    hist = run_sql(engine, "SELECT pk_year, indicator_no, unit_code, period, revision, as_of_month "
                           "FROM indicator_result_history")
    prev = rest.merge(hist, left_on=["pk_year", "indicator_no", "unit_code", "period", "previous_revision"],
                      right_on=["pk_year", "indicator_no", "unit_code", "period", "revision"],
                      suffixes=("", "_prev"))
    assert len(prev) == len(rest) and (prev["as_of_month"] == prev["as_of_month_prev"]).all()

    # restatements.sql lists the agency-level ones, including TW I of SKM
    listed = out["restatements.sql"]
    assert ((listed["indicator_no"] == 3) & (listed["period"] == "2024-Q1")).any()

    # off_target_this_quarter.sql: TW III is not reached by April -> nothing; TW II (as of April) has
    # indicator 4 (tidak ada data) and SKM when its value is below 94
    assert out["off_target_this_quarter.sql"].empty
    q2 = run_sql(engine, (ROOT / "sql/queries/off_target_this_quarter.sql").read_text().replace("2024-Q3", "2024-Q2"))
    expected = run_sql(engine, "SELECT indicator_no FROM indicator_result WHERE period = '2024-Q2' "
                               "AND unit_code = 'ALL' AND status IN ('tidak tercapai', 'tidak ada data')")
    assert sorted(q2["indicator_no"]) == sorted(expected["indicator_no"]) and 4 in set(q2["indicator_no"])
    assert set(q2["status"]) <= {"tidak tercapai", "tidak ada data"}

    # changes_since_last_report.sql: with the last report after 2024-11 nothing is newer in this warehouse;
    # after the report of 2024-03: TW II is new, TW I of SKM changed (the restatement), indicator 4 is new
    assert out["changes_since_last_report.sql"].empty
    since = run_sql(engine, (ROOT / "sql/queries/changes_since_last_report.sql").read_text()
                    .replace("'2024-11'", "'2024-03'"))
    skm_q1 = since[(since["indicator_no"] == 3) & (since["period"] == "2024-Q1")].iloc[0]
    assert skm_q1["kind"] == "berubah"
    assert skm_q1["reported_value"] == pytest.approx(old) and skm_q1["value"] == pytest.approx(new)
    skm_q2 = since[(since["indicator_no"] == 3) & (since["period"] == "2024-Q2")].iloc[0]
    assert skm_q2["kind"] == "baru" and pd.isna(skm_q2["reported_value"])
    assert set(since[since["indicator_no"] == 4]["kind"]) == {"baru"}

    # the other questions answer from the same warehouse
    trend_q = out["skm_trend_vs_target.sql"]
    assert len(trend_q) == MONTHS and trend_q["rolling_12m"].iloc[1] == pytest.approx(
        (trend_q["ikm"].iloc[0] + trend_q["ikm"].iloc[1]) / 2)  # Jan-Feb: mean of the two months
    sdi = out["sdi_aspects_by_month.sql"]
    total = sdi[["ketepatan_waktu", "kelengkapan", "keunikan", "validitas"]].sum(axis=1)
    scored = sdi["sdi_score"].notna()
    assert (total[scored] - sdi.loc[scored, "sdi_score"]).abs().max() < 1e-9  # the score is the sum of the four
    health = out["latest_run_health.sql"]
    assert list(health["run_id"]) == [NO_DATA_RUN] and health["failed_extract"].isna().all()
    q = out["quarantine_by_extract.sql"]
    n = run_sql(engine, "SELECT COUNT(*) AS n FROM quarantine WHERE pk_year = 2024")["n"].iloc[0]
    assert q["rows_quarantined"].sum() == n
    lineage = out["lineage_of_a_number.sql"]
    assert set(lineage["run_id"]) == {f"run-2024-{MONTHS:02d}"} and lineage["sha256"].notna().all()
    units = out["units_below_agency.sql"]
    assert units.empty  # TW III not reached
    assert not run_sql(engine, (ROOT / "sql/queries/units_below_agency.sql").read_text()
                       .replace("2024-Q3", "2024-Q1")).empty
    return out


def test_views_and_queries_on_sqlite(sqlite_engine, catalog, tmp_path):
    check_everything(sqlite_engine, catalog, tmp_path)


@pytest.mark.postgres
def test_views_and_queries_on_postgres(pg_engine, catalog, tmp_path):
    check_everything(pg_engine, catalog, tmp_path)


def test_views_are_recreated_on_start_up(sqlite_engine):
    """ensure_schema runs the view files again (DROP + CREATE): a second start-up works."""
    warehouse.ensure_schema(sqlite_engine)
    assert run_sql(sqlite_engine, "SELECT COUNT(*) AS n FROM v_restatement")["n"].iloc[0] == 0
