"""Loading results: idempotent, atomic, history only on change; on SQLite and PostgreSQL."""

import pandas as pd
import pytest
import sqlalchemy as sa

from kinerja import warehouse


@pytest.fixture(params=["sqlite_engine", "pg_engine"])
def engine(request):
    return request.getfixturevalue(request.param)


def result_rows(value_q1=91.5, as_of="2024-03", value_year=91.5):
    rows = [
        (3, "ALL", "2024-Q1", "quarter", "2024-03", value_q1, 94.0, value_q1 / 94 * 100, "tidak tercapai",
         "A Sangat Baik", 10),
        (3, "ALL", "2024", "year", as_of, value_year, 94.0, value_year / 94 * 100, "tidak tercapai",
         "A Sangat Baik", 10),
    ]
    df = pd.DataFrame(rows, columns=warehouse.RESULT_COLUMNS[1:])
    df.insert(0, "pk_year", 2024)
    return df


def components(value=3.5, as_of="2024-03"):
    return pd.DataFrame([{"pk_year": 2024, "indicator_no": 3, "unit_code": "ALL", "period": "2024",
                          "component": "nrr_u1", "value": value, "as_of_month": as_of}])


def count(engine, table):
    return warehouse.query(engine, f"SELECT COUNT(*) AS n FROM {table}")["n"].iloc[0]


def test_loading_the_same_results_twice_changes_nothing(engine):
    first = warehouse.load_results(engine, 2024, result_rows(), components(), "run-1")
    before = warehouse.query(engine, "SELECT * FROM indicator_result ORDER BY period")
    second = warehouse.load_results(engine, 2024, result_rows(), components(), "run-2")
    after = warehouse.query(engine, "SELECT * FROM indicator_result ORDER BY period")
    assert (first.inserted, second.unchanged, second.changed) == (2, 2, 0)
    pd.testing.assert_frame_equal(before, after)
    assert set(after["run_id"]) == {"run-1"}
    assert count(engine, "indicator_result_history") == 2


def test_a_changed_value_is_a_new_revision_and_both_stay_in_history(engine):
    warehouse.load_results(engine, 2024, result_rows(), components(), "run-1")
    summary = warehouse.load_results(engine, 2024, result_rows(value_q1=93.0), components(4.0), "run-2")
    assert (summary.changed, summary.unchanged) == (1, 1)
    current = warehouse.query(engine, "SELECT revision, value, run_id FROM indicator_result "
                                      "WHERE period = '2024-Q1'").iloc[0]
    assert (current["revision"], current["value"], current["run_id"]) == (2, 93.0, "run-2")
    history = warehouse.query(engine, "SELECT revision, value FROM indicator_result_history "
                                      "WHERE period = '2024-Q1' ORDER BY revision")
    assert history.values.tolist() == [[1, 91.5], [2, 93.0]]
    comp = warehouse.query(engine, "SELECT value FROM indicator_component")
    assert comp["value"].tolist() == [4.0]


def test_history_and_components_keep_every_digit_and_character(engine):
    """Inserts go through COPY on PostgreSQL: a float keeps all 17 digits, a missing value stays
    NULL, and text with tabs, newlines, backslashes and quotes comes back as it went in."""
    results = result_rows(value_q1=0.1 + 0.2)
    results.loc[1, ["value", "capaian_pct", "category"]] = [None, None, None]
    odd = "nrr\tu1 \\ 'x'\n\"y\""
    comp = pd.concat([components(value=1 / 3), components(value=None).assign(component=odd)], ignore_index=True)
    warehouse.load_results(engine, 2024, results, comp, "run-'1'")
    history = warehouse.query(engine, "SELECT period, value, capaian_pct, category, run_id "
                                      "FROM indicator_result_history ORDER BY period DESC")
    assert history["value"].iloc[0] == 0.30000000000000004
    assert history["capaian_pct"].iloc[0] == (0.1 + 0.2) / 94 * 100
    assert history[["value", "capaian_pct", "category"]].iloc[1].isna().all()
    assert set(history["run_id"]) == {"run-'1'"}
    stored = warehouse.query(engine, "SELECT component, value FROM indicator_component")
    values = dict(zip(stored["component"], stored["value"], strict=True))
    assert values.keys() == {"nrr_u1", odd}
    assert values["nrr_u1"] == 1 / 3 and pd.isna(values[odd])


def test_an_older_month_never_rolls_back_a_later_computation(engine):
    warehouse.load_results(engine, 2024, result_rows(as_of="2024-06", value_year=92.0),
                           components(as_of="2024-06"), "june")
    summary = warehouse.load_results(engine, 2024, result_rows(as_of="2024-03", value_year=91.5),
                                     components(9.9, as_of="2024-03"), "march-rerun")
    assert summary.skipped_newer == 1
    year = warehouse.query(engine, "SELECT as_of_month, value FROM indicator_result WHERE period = '2024'").iloc[0]
    assert (year["as_of_month"], year["value"]) == ("2024-06", 92.0)
    assert warehouse.query(engine, "SELECT value FROM indicator_component")["value"].tolist() == [3.5]


def test_a_load_that_fails_midway_loads_nothing(engine):
    bad = components()
    bad.loc[0, "component"] = None  # NOT NULL violation after the results were written
    with pytest.raises(sa.exc.IntegrityError):
        warehouse.load_results(engine, 2024, result_rows(), bad, "run-1")
    assert count(engine, "indicator_result") == 0
    assert count(engine, "indicator_result_history") == 0


def test_schema_is_versioned_and_reapplying_it_is_harmless(engine):
    version = warehouse.ensure_schema(engine)
    again = warehouse.ensure_schema(engine)
    assert version == again >= 100
    assert warehouse.query(engine, "SELECT MAX(version) AS v FROM schema_version")["v"].iloc[0] == version
    names = set(sa.inspect(engine).get_table_names()) | set(sa.inspect(engine).get_view_names())
    assert {"indicator_result", "indicator_result_history", "indicator_component", "indicator",
            "indicator_target", "action_plan", "action_plan_status", "pipeline_run", "quarantine",
            "v_scorecard"} <= names


def test_catalog_tables_hold_the_agreement(engine):
    targets = warehouse.query(engine, "SELECT period, target FROM indicator_target WHERE indicator_no = 7 "
                                      "ORDER BY period")
    assert targets["period"].tolist() == ["2024", "2024-Q1", "2024-Q2", "2024-Q3", "2024-Q4"]
    assert targets["target"].isna().tolist() == [False, True, False, True, False]
    assert count(engine, "indicator") == 14
    assert count(engine, "action_plan") == 10


def test_password_is_hidden_in_urls_shown():
    assert "s3cret" not in warehouse.safe_url("postgresql+psycopg://kinerja:s3cret@db.example/wh")


def test_a_new_sqlite_warehouse_has_64_kib_pages_and_an_existing_one_keeps_its_own(tmp_path, catalog):
    import sqlite3

    from kinerja import pipeline

    new = warehouse.create_engine(f"sqlite:///{tmp_path / 'new.db'}")
    pipeline.prepare_warehouse(new, catalog)
    new.dispose()
    old_file = tmp_path / "old.db"
    with sqlite3.connect(old_file) as conn:  # a warehouse made before: 4 KiB pages, WAL already
        conn.execute("PRAGMA page_size=4096")
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("CREATE TABLE kept (a INTEGER)")
        conn.execute("INSERT INTO kept VALUES (1)")
    old = warehouse.create_engine(f"sqlite:///{old_file}")
    pipeline.prepare_warehouse(old, catalog)  # opens, and the schema goes in as it always did
    with old.connect() as conn:
        assert conn.exec_driver_sql("SELECT a FROM kept").scalar() == 1
    old.dispose()
    for path, size in ((tmp_path / "new.db", 65536), (old_file, 4096)):
        with sqlite3.connect(path) as conn:
            assert conn.execute("PRAGMA page_size").fetchone()[0] == size
            assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
