"""Staging fast paths and the staged frames an engine holds (SQLite and PostgreSQL).

``warehouse.stage`` writes with COPY (PostgreSQL) or a raw executemany (SQLite) and puts the rows it
wrote into the frame the engine holds; ``warehouse.read_staged`` trusts a held frame only while
``staging_version`` carries the token it was read or written under. The tests compare the held
frame with a cold read of the table, after the engine's own writes, after a write by "another
process" (a stage() made by an engine holding nothing) and after a write whose transaction failed
(a retried run).
"""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa

from kinerja import extracts, warehouse
from kinerja.warehouse import frames, held, staging

DIALECTS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
TZ = "Asia/Jakarta"


@pytest.fixture
def engine(request, catalog):
    if request.param == "sqlite":
        eng = request.getfixturevalue("sqlite_engine")
    else:
        eng = request.getfixturevalue("pg_engine")
    warehouse.drop_held_frames()
    yield eng
    warehouse.drop_held_frames()


def training(rows: list[tuple]) -> pd.DataFrame:
    """Validated simdiklat/training rows: (nip, training_id, start, end, jp, verified, row_number)."""
    df = pd.DataFrame(rows, columns=["nip", "training_id", "start_date", "end_date", "jp", "verified", "_row_number"])
    return df.astype({"nip": "string", "training_id": "string", "start_date": "datetime64[us]",
                      "end_date": "datetime64[us]", "jp": "Float64", "verified": "boolean", "_row_number": "int64"})


def complaints_like() -> tuple[extracts.Extract, pd.DataFrame]:
    """An extract with a tz-aware datetime column, and two rows: one with microseconds, one missing values."""
    ext = extracts.registry()["crm/pengaduan"]
    cols = {c.name: c for c in ext.columns}
    data = {}
    for name, col in cols.items():
        if col.kind == "datetime":
            data[name] = pd.Series([pd.Timestamp("2024-03-05 10:00:00.250000", tz=TZ), pd.NaT if col.nullable
                                    else pd.Timestamp("2024-03-06 08:30", tz=TZ)]).astype(f"datetime64[us, {TZ}]")
        elif col.kind == "date":
            data[name] = pd.Series([pd.Timestamp("2024-03-05"), pd.NaT if col.nullable
                                    else pd.Timestamp("2024-03-06")]).astype("datetime64[us]")
        elif col.kind == "int":
            data[name] = pd.array([3, None if col.nullable else 4], dtype="Int64")
        elif col.kind == "float":
            data[name] = pd.array([0.1, None if col.nullable else 2.5], dtype="Float64")
        elif col.kind == "bool":
            data[name] = pd.array([True, None if col.nullable else False], dtype="boolean")
        else:
            data[name] = pd.array([f"{name}-a", None if col.nullable else f"{name}-b"], dtype="string")
    df = pd.DataFrame(data)
    for k in ext.key:
        df[k] = pd.array(["K1", "K2"], dtype="string") if cols[k].kind in ("text", "month") else df[k]
    df["_row_number"] = [2, 3]
    return ext, df


def holding(engine) -> dict:
    return dict(held._HELD.get(engine, {}))


def cold(engine, ext) -> pd.DataFrame:
    """What a fresh process reads from the warehouse (no file of held frames on its disk)."""
    saved = holding(engine)
    warehouse.drop_held_frames(engine)
    try:
        with pytest.MonkeyPatch.context() as mp:
            mp.setenv(held.FILES_ENV, "")
            return warehouse.read_staged(engine, ext, TZ)
    finally:
        held._HELD[engine] = saved


def as_another_process(engine, fn):
    """Run fn with the engine holding nothing, as a second worker process would, then restore its frames."""
    saved = holding(engine)
    warehouse.drop_held_frames(engine)
    try:
        return fn()
    finally:
        held._HELD[engine] = saved


@pytest.mark.parametrize("engine", DIALECTS, indirect=True)
def test_every_kind_round_trips_through_the_fast_paths(engine):
    ext, df = complaints_like()
    assert warehouse.stage(engine, ext, df, "2024-03", "crm/2024-03/pengaduan.csv", "run-1") == 2
    back = cold(engine, ext)
    for col in ext.columns:
        # the values staged are the values read back, missing stays missing, microseconds kept
        expected = df[col.name].reset_index(drop=True)
        got = back[col.staged_name]
        assert got.dtype == expected.dtype, col.name
        pd.testing.assert_series_equal(got, expected, check_names=False)
    assert back["_file"].tolist() == ["crm/2024-03/pengaduan.csv"] * 2
    assert back["_row_number"].tolist() == [2, 3]


@pytest.mark.parametrize("engine", DIALECTS, indirect=True)
def test_the_files_own_values_are_stored_as_given_and_updated_on_a_resend(engine):
    # landing month, file and run id are written once per statement, not bound per row: a quote in
    # a file name is data, and a file sent again replaces them on the rows it restates
    ext, df = complaints_like()
    warehouse.stage(engine, ext, df, "2024-03", "crm/2024-03/pengaduan 'lama'.csv", "run-'1'")
    back = cold(engine, ext)
    assert back[["_landing_month", "_file", "_run_id"]].drop_duplicates().values.tolist() == [
        ["2024-03", "crm/2024-03/pengaduan 'lama'.csv", "run-'1'"]]
    warehouse.stage(engine, ext, df.iloc[:1], "2024-04", "crm/2024-04/pengaduan.csv", "run-2")
    back = cold(engine, ext)
    assert back[["_landing_month", "_file", "_run_id", "_row_number"]].values.tolist() == [
        ["2024-03", "crm/2024-03/pengaduan 'lama'.csv", "run-'1'", 3],
        ["2024-04", "crm/2024-04/pengaduan.csv", "run-2", 2]]
    pd.testing.assert_frame_equal(warehouse.read_staged(engine, ext, TZ), back)


@pytest.mark.parametrize("engine", DIALECTS, indirect=True)
@pytest.mark.parametrize("known", ["held", "not held"])
def test_a_file_with_rows_staged_already_is_upserted_and_its_transaction_goes_on(engine, known, monkeypatch):
    # A file mixing new rows and rows staged already: whether the engine holds the staged frame or not
    # (a new process), the table ends the same and the same transaction still writes what comes after
    # (the lineage)
    ext = extracts.registry()["simdiklat/training"]
    d = dt.datetime
    warehouse.stage(engine, ext, training([("a", "T1", d(2024, 1, 2), d(2024, 1, 3), 8.0, True, 2)]),
                    "2024-01", "f1", "run-1")
    warehouse.read_staged(engine, ext, TZ)  # the month's compute reads it: the engine holds the frame
    if known == "not held":
        warehouse.drop_held_frames()
        monkeypatch.setenv(held.FILES_ENV, "")
    marks = []

    def after(conn):
        conn.execute(sa.text("UPDATE staging_version SET version = version + 100 WHERE extract_id = :e"), {"e": ext.id})
        marks.append(True)

    warehouse.stage(engine, ext, training([("c", "T2", d(2024, 2, 5), d(2024, 2, 6), 4.5, True, 2),
                                           ("a", "T1", d(2024, 1, 2), d(2024, 1, 3), 9.0, False, 3)]),
                    "2024-02", "f2", "run-2", also=after)
    back = cold(engine, ext)
    assert back[["nip_pseudonym", "training_id", "jp", "verified", "_landing_month", "_file", "_run_id"]].astype(
        object).values.tolist() == [["c", "T2", 4.5, True, "2024-02", "f2", "run-2"],
                                    ["a", "T1", 9.0, False, "2024-02", "f2", "run-2"]]
    assert marks == [True]
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT version FROM staging_version WHERE extract_id = :e"),
                            {"e": ext.id}).scalar() == 102
    monkeypatch.undo()
    pd.testing.assert_frame_equal(warehouse.read_staged(engine, ext, TZ), back)
    # the same file sent again: every row is staged already and unchanged, so none is rewritten (the
    # run that staged them stays their run)
    warehouse.stage(engine, ext, training([("c", "T2", d(2024, 2, 5), d(2024, 2, 6), 4.5, True, 2),
                                           ("a", "T1", d(2024, 1, 2), d(2024, 1, 3), 9.0, False, 3)]),
                    "2024-02", "f2", "run-3")
    again = cold(engine, ext)
    pd.testing.assert_frame_equal(again, back)
    pd.testing.assert_frame_equal(warehouse.read_staged(engine, ext, TZ), again)


@pytest.mark.parametrize("zone", [TZ, "America/St_Johns", "Asia/Kolkata", "UTC"])
def test_aware_timestamps_are_stored_as_isoformat_writes_them(zone):
    values = [pd.Timestamp("2024-03-05 10:00", tz=zone), pd.Timestamp("2024-07-01 23:59:59.000250", tz=zone),
              pd.Timestamp("2023-12-31 00:00:00.5", tz=zone)]
    s = pd.Series(values + [pd.NaT]).astype(f"datetime64[us, {zone}]")
    text = frames.iso_datetime(s)
    assert text.iloc[:3].tolist() == [v.isoformat() for v in values]
    assert pd.isna(text.iloc[3])


@pytest.mark.parametrize("engine", DIALECTS, indirect=True)
def test_the_engines_writes_update_its_held_frame_without_a_re_read(engine, monkeypatch):
    ext = extracts.registry()["simdiklat/training"]
    d = dt.datetime
    warehouse.stage(engine, ext, training([("a", "T1", d(2024, 1, 2), d(2024, 1, 3), 8.0, True, 2),
                                           ("b", "T1", d(2024, 1, 2), d(2024, 1, 3), 8.0, False, 3)]),
                    "2024-01", "f1", "run-1")
    first = warehouse.read_staged(engine, ext, TZ)  # cold: the engine holds it from here on
    assert len(first) == 2

    # February restates b/T1 (now verified, 10 JP) and adds c/T2
    warehouse.stage(engine, ext, training([("b", "T1", d(2024, 1, 2), d(2024, 1, 3), 10.0, True, 2),
                                           ("c", "T2", d(2024, 2, 5), d(2024, 2, 6), 4.5, True, 3)]),
                    "2024-02", "f2", "run-2")

    refuse_reads(monkeypatch)
    cached = warehouse.read_staged(engine, ext, TZ)
    monkeypatch.undo()
    assert cached[["nip_pseudonym", "training_id", "jp", "verified", "_landing_month"]].astype(object).values.tolist() \
        == [["a", "T1", 8.0, True, "2024-01"], ["b", "T1", 10.0, True, "2024-02"], ["c", "T2", 4.5, True, "2024-02"]]
    pd.testing.assert_frame_equal(cached, cold(engine, ext))
    # the caller may change its frame: the held frame does not see it
    cached.loc[0, "jp"] = 99.0
    assert warehouse.read_staged(engine, ext, TZ).loc[0, "jp"] == 8.0

    # January's file sent again after February (a corrections run), with a row more: the held
    # frame is re-sorted (landing month, then file row), as a read would be
    warehouse.stage(engine, ext, training([("a", "T1", d(2024, 1, 2), d(2024, 1, 3), 8.0, True, 2),
                                           ("a", "T0", d(2024, 1, 1), d(2024, 1, 1), 2.0, True, 4)]),
                    "2024-01", "f1b", "run-3")
    patched = warehouse.read_staged(engine, ext, TZ)
    assert list(zip(patched["training_id"], patched["_landing_month"], patched["_row_number"], strict=True)) == [
        ("T1", "2024-01", 2), ("T0", "2024-01", 4), ("T1", "2024-02", 2), ("T2", "2024-02", 3)]
    pd.testing.assert_frame_equal(patched, cold(engine, ext))


@pytest.mark.parametrize("engine", DIALECTS, indirect=True)
def test_a_write_by_another_process_forces_a_re_read(engine):
    ext = extracts.registry()["simdiklat/training"]
    d = dt.datetime
    warehouse.stage(engine, ext, training([("a", "T1", d(2024, 1, 2), d(2024, 1, 3), 8.0, True, 2)]),
                    "2024-01", "f1", "run-1")
    assert warehouse.read_staged(engine, ext, TZ)["jp"].tolist() == [8.0]
    as_another_process(engine, lambda: warehouse.stage(
        engine, ext, training([("a", "T1", d(2024, 1, 2), d(2024, 1, 3), 12.0, True, 2)]), "2024-02", "f2", "run-2"))
    # this engine still holds 8.0 under the old token: it must not be used
    assert warehouse.read_staged(engine, ext, TZ)["jp"].tolist() == [12.0]
    # and a write of its own now, starting from a token it does not hold, does not patch a stale frame
    as_another_process(engine, lambda: warehouse.stage(
        engine, ext, training([("a", "T1", d(2024, 1, 2), d(2024, 1, 3), 13.0, True, 2)]), "2024-03", "f3", "run-3"))
    warehouse.stage(engine, ext, training([("z", "T9", d(2024, 3, 2), d(2024, 3, 3), 1.0, True, 2)]),
                    "2024-03", "f4", "run-4")
    assert warehouse.read_staged(engine, ext, TZ)["jp"].tolist() == [13.0, 1.0]


@pytest.mark.parametrize("engine", DIALECTS, indirect=True)
def test_a_failed_write_leaves_neither_the_table_nor_the_held_frame_changed(engine, monkeypatch):
    ext = extracts.registry()["simdiklat/training"]
    d = dt.datetime
    warehouse.stage(engine, ext, training([("a", "T1", d(2024, 1, 2), d(2024, 1, 3), 8.0, True, 2)]),
                    "2024-01", "f1", "run-1")
    before = warehouse.read_staged(engine, ext, TZ)

    real = staging.lock_version

    def lock_then_break_later(conn, extract):
        token = real(conn, extract)
        conn.exec_driver_sql("SELECT no_such_column FROM staging_version")  # fails after the lock
        return token

    monkeypatch.setattr(staging, "lock_version", lock_then_break_later)
    with pytest.raises(Exception, match="no_such_column"):
        warehouse.stage(engine, ext, training([("a", "T1", d(2024, 1, 2), d(2024, 1, 3), 99.0, True, 2)]),
                        "2024-02", "f2", "run-2")
    monkeypatch.undo()
    pd.testing.assert_frame_equal(warehouse.read_staged(engine, ext, TZ), before)
    # the retry succeeds and is seen
    warehouse.stage(engine, ext, training([("a", "T1", d(2024, 1, 2), d(2024, 1, 3), 99.0, True, 2)]),
                    "2024-02", "f2", "run-2")
    assert warehouse.read_staged(engine, ext, TZ)["jp"].tolist() == [99.0]
    pd.testing.assert_frame_equal(warehouse.read_staged(engine, ext, TZ), cold(engine, ext))


@pytest.mark.parametrize("engine", DIALECTS, indirect=True)
def test_a_row_the_table_refuses_raises_sqlalchemys_error_and_changes_nothing(engine):
    """Staging writes through the driver (COPY, a raw executemany); its errors still arrive as
    SQLAlchemy's, the kind the retry conditions read (tasks.retries), and roll the write back."""
    from tasks.retries import is_transient_db

    ext = extracts.registry()["simdiklat/training"]
    d = dt.datetime
    warehouse.stage(engine, ext, training([("a", "T1", d(2024, 1, 2), d(2024, 1, 3), 8.0, True, 2)]),
                    "2024-01", "f1", "run-1", tz=TZ)
    before = warehouse.read_staged(engine, ext, TZ)
    refused = training([("b", "T2", d(2024, 2, 2), d(2024, 2, 3), 8.0, None, 2)])  # verified is NOT NULL
    with pytest.raises(sa.exc.IntegrityError) as caught:
        warehouse.stage(engine, ext, refused, "2024-02", "f2", "run-2", tz=TZ)
    assert "verified" in str(caught.value).lower()
    assert not is_transient_db(caught.value)  # a data problem: failed at once, not retried
    pd.testing.assert_frame_equal(warehouse.read_staged(engine, ext, TZ), before)
    pd.testing.assert_frame_equal(cold(engine, ext), before)


@pytest.mark.postgres
def test_a_connection_lost_during_a_driver_statement_is_a_transient_error(pg_engine):
    from tasks.retries import is_transient_db

    with pg_engine.connect() as conn:
        pid = conn.exec_driver_sql("SELECT pg_backend_pid()").scalar_one()
        with pg_engine.connect() as admin:
            admin.exec_driver_sql(f"SELECT pg_terminate_backend({pid})")
        with pytest.raises(sa.exc.OperationalError) as caught, warehouse.driver_errors(conn, "COPY x"):
            conn.connection.driver_connection.execute("SELECT 1")
        conn.invalidate()
    assert caught.value.connection_invalidated
    assert is_transient_db(caught.value)


@pytest.mark.parametrize("engine", DIALECTS, indirect=True)
def test_a_held_frame_after_a_write_equals_a_cold_read_for_every_kind(engine):
    ext, df = complaints_like()
    warehouse.stage(engine, ext, df.iloc[[0]], "2024-03", "f1", "run-1")
    warehouse.read_staged(engine, ext, TZ)  # the engine holds it from here on
    warehouse.stage(engine, ext, df, "2024-04", "f2", "run-2")  # restates K1, adds K2: read back, put in
    patched = warehouse.read_staged(engine, ext, TZ)
    pd.testing.assert_frame_equal(patched, cold(engine, ext))
    assert patched["_landing_month"].tolist() == ["2024-04", "2024-04"]


@pytest.mark.parametrize("engine", DIALECTS, indirect=True)
def test_a_year_of_writes_keeps_the_held_frame_equal_to_the_table(engine, monkeypatch):
    # Months that restate earlier rows, a month sent again after later ones (the frame is re-sorted),
    # files whose rows are not in row order and a file with no rows: after every write the held
    # frame equals a cold read, and no write or read reads more than the rows a write left
    ext = extracts.registry()["simdiklat/training"]
    rng = np.random.default_rng(7)
    months = ["2024-01", "2024-02", "2024-03", "2024-02", "2024-04", "2024-04", "2024-01", "2024-05", "2024-06"]
    d = dt.datetime
    warehouse.stage(engine, ext, training([]), "2024-01", "f0", "run-0")
    warehouse.read_staged(engine, ext, TZ)  # the engine holds the (empty) frame from here on
    for i, month in enumerate(months):
        n = 0 if i == 5 else int(rng.integers(3, 9))
        picks = rng.choice(12, size=n, replace=False)
        rows = [(f"p{k % 4}", f"T{k}", d(2024, 1, 2), d(2024, 1, 3), float(i + 1), bool(k % 2), int(r))
                for k, r in zip(picks, rng.permutation(n) + 2, strict=True)]
        with monkeypatch.context() as mp:
            refuse_reads(mp)
            warehouse.stage(engine, ext, training(rows), month, f"f{i + 1}", f"run-{i + 1}")
            now = warehouse.read_staged(engine, ext, TZ)
        pd.testing.assert_frame_equal(now, cold(engine, ext))
    assert len(cold(engine, ext)) == 12
    # the last month run again: its file as it was (its rows, last in the frame, all replaced), then
    # with its first row only (the others stay, from the run before)
    for again in (rows, rows[:1]):
        warehouse.stage(engine, ext, training(again), months[-1], "f-again", "run-again")
        pd.testing.assert_frame_equal(warehouse.read_staged(engine, ext, TZ), cold(engine, ext))


@pytest.mark.parametrize("engine", DIALECTS, indirect=True)
def test_a_first_write_into_an_empty_table_is_cached_as_the_rows_it_wrote(engine, monkeypatch):
    # a backfill's first month: the engine holds its rows once written, its first read is not a read
    # of the table, and a file whose rows are out of row order is put in staged order first
    ext, df = complaints_like()
    warehouse.stage(engine, ext, df.iloc[::-1].assign(_row_number=[3, 2]), "2024-03", "f1", "run-1", tz=TZ)
    with monkeypatch.context() as mp:
        refuse_reads(mp)
        seeded = warehouse.read_staged(engine, ext, TZ)
    assert seeded["_row_number"].tolist() == [2, 3]
    pd.testing.assert_frame_equal(seeded, cold(engine, ext))
    # and it is patched by the writes that follow, like a frame read from the table
    warehouse.stage(engine, ext, df.iloc[[0]], "2024-04", "f2", "run-2", tz=TZ)
    with monkeypatch.context() as mp:
        refuse_reads(mp)
        patched = warehouse.read_staged(engine, ext, TZ)
    pd.testing.assert_frame_equal(patched, cold(engine, ext))


@pytest.mark.parametrize("engine", DIALECTS, indirect=True)
def test_a_first_write_of_a_file_with_no_rows_caches_the_empty_table_as_a_read_gives_it(engine, monkeypatch):
    ext, df = complaints_like()
    warehouse.stage(engine, ext, df.iloc[0:0], "2024-03", "f1", "run-1", tz=TZ)
    with monkeypatch.context() as mp:
        refuse_reads(mp)
        seeded = warehouse.read_staged(engine, ext, TZ)
    assert len(seeded) == 0
    pd.testing.assert_frame_equal(seeded, cold(engine, ext))  # same columns, same dtypes


@pytest.mark.parametrize("engine", DIALECTS, indirect=True)
def test_only_a_table_known_to_be_empty_is_seeded(engine, monkeypatch):
    ext, df = complaints_like()
    # rows another process staged: this engine holds no frame, so it holds none after a write of its
    # own either, nor after one made without the time zone reads use
    as_another_process(engine, lambda: warehouse.stage(engine, ext, df.iloc[[0]], "2024-03", "f1", "run-1"))
    warehouse.stage(engine, ext, df.iloc[[1]], "2024-04", "f2", "run-2", tz=TZ)
    assert holding(engine) == {}
    warehouse.stage(engine, extracts.registry()["simdiklat/training"], training([]), "2024-04", "f3", "run-3")
    assert holding(engine) == {}
    assert warehouse.read_staged(engine, ext, TZ)["_landing_month"].tolist() == ["2024-03", "2024-04"]


@pytest.mark.parametrize("engine", DIALECTS, indirect=True)
def test_quarantined_rows_are_written_with_the_runs_own_values(engine):
    ext, df = complaints_like()
    quarantine = pd.DataFrame({
        "file": ["crm/2024-03/pengaduan.csv"] * 2, "row_number": [4, 7], "column_name": ["channel", None],
        "check_name": ["required", "columns"], "value": [None, "a;b"],
        "reason": ["channel is blank", "2 cells, 3 expected"]}).astype(
        {"file": "str", "column_name": "str", "check_name": "str", "value": "str", "reason": "str"})
    outcome = warehouse.ExtractOutcome(ext.id, "2024-03", "crm/2024-03/pengaduan.csv", "ab", "staged", None, 4, 2, 2)
    with engine.begin() as conn:
        conn.exec_driver_sql("INSERT INTO pipeline_run (run_id, flow_name, pk_year, period, started_at, status, "
                             "rows_in, rows_staged, rows_quarantined, files_json) VALUES "
                             "('run-1', 'f', 2024, '2024-03', '2024-04-01T00:00:00+00:00', 'running', 0, 0, 0, '[]')")
        warehouse.write_lineage(conn, "run-1", 2024, outcome, quarantine)
    got = warehouse.query(engine, "SELECT run_id, pk_year, landing_month, source, extract, file, row_number, "
                                  "column_name, check_name, value, reason FROM quarantine ORDER BY row_number")
    assert got.astype(object).where(got.notna(), None).values.tolist() == [
        ["run-1", 2024, "2024-03", "crm", "pengaduan", "crm/2024-03/pengaduan.csv", 4, "channel", "required", None,
         "channel is blank"],
        ["run-1", 2024, "2024-03", "crm", "pengaduan", "crm/2024-03/pengaduan.csv", 7, None, "columns", "a;b",
         "2 cells, 3 expected"]]
    stamped = warehouse.query(engine, "SELECT DISTINCT quarantined_at FROM quarantine")
    assert len(stamped) == 1 and str(stamped.iloc[0, 0]).startswith("20")


# -- files of held frames: what a new process starts from -------------------------------------------

def refuse_reads(monkeypatch) -> None:
    """Any read of a whole staging table fails; a write may still read back the rows it wrote."""
    real = staging.read_table

    def rows_written_only(conn, extract, tz, where=None):
        if not where:
            raise AssertionError("the table was read")
        return real(conn, extract, tz, where)

    monkeypatch.setattr(staging, "read_table", rows_written_only)


@pytest.mark.parametrize("engine", DIALECTS, indirect=True)
def test_a_new_process_starts_from_the_files_a_run_left(engine, monkeypatch, tmp_path):
    monkeypatch.setenv(held.FILES_ENV, str(tmp_path))
    ext = extracts.registry()["simdiklat/training"]
    d = dt.datetime
    warehouse.stage(engine, ext, training([("b", "T1", d(2024, 1, 2), d(2024, 1, 3), 8.0, True, 2),
                                           ("a", "T1", d(2024, 1, 2), d(2024, 1, 3), 6.0, False, 3)]),
                    "2024-01", "f1", "run-1")
    expected = warehouse.read_staged(engine, ext, TZ)
    warehouse.close_engine(engine)  # the end of a run: its engine's frames are written
    assert len(list(tmp_path.rglob("simdiklat__training.arrow"))) == 1
    assert held.save(engine) == 0  # unchanged since: not written again

    warehouse.drop_held_frames()  # a new process
    with monkeypatch.context() as mp:
        refuse_reads(mp)
        pd.testing.assert_frame_equal(warehouse.read_staged(engine, ext, TZ), expected)
        # its own write starts from the file's frame: still no read of the table
        warehouse.drop_held_frames()
        warehouse.stage(engine, ext, training([("c", "T2", d(2024, 2, 5), d(2024, 2, 6), 4.5, True, 2)]),
                        "2024-02", "f2", "run-2")
        written = warehouse.read_staged(engine, ext, TZ)
    assert written["training_id"].tolist() == ["T1", "T1", "T2"]
    pd.testing.assert_frame_equal(written, cold(engine, ext))


@pytest.mark.parametrize("engine", DIALECTS, indirect=True)
def test_a_stale_or_broken_file_is_never_used(engine, monkeypatch, tmp_path):
    monkeypatch.setenv(held.FILES_ENV, str(tmp_path))
    ext = extracts.registry()["simdiklat/training"]
    d = dt.datetime
    warehouse.stage(engine, ext, training([("a", "T1", d(2024, 1, 2), d(2024, 1, 3), 8.0, True, 2)]),
                    "2024-01", "f1", "run-1")
    warehouse.read_staged(engine, ext, TZ)
    held.save(engine)
    # another process writes: the file no longer holds the warehouse's rows
    as_another_process(engine, lambda: warehouse.stage(
        engine, ext, training([("a", "T1", d(2024, 1, 2), d(2024, 1, 3), 12.0, True, 2)]), "2024-02", "f2", "run-2"))
    warehouse.drop_held_frames()
    assert warehouse.read_staged(engine, ext, TZ)["jp"].tolist() == [12.0]
    # a file cut short (a disk full, a crash while copying it) reads as no file
    held.save(engine)
    path = next(tmp_path.rglob("simdiklat__training.arrow"))
    path.write_bytes(path.read_bytes()[:100])
    warehouse.drop_held_frames()
    assert warehouse.read_staged(engine, ext, TZ)["jp"].tolist() == [12.0]
    # a file written for other staged columns (an older release's layout) is not mapped
    held.save(engine)
    warehouse.drop_held_frames()
    with monkeypatch.context() as mp:
        mp.setattr(held, "_layout", lambda extract: b'[["a_column_of_a_new_release", "text"]]')
        refuse_reads(mp)
        with pytest.raises(AssertionError, match="the table was read"):
            warehouse.read_staged(engine, ext, TZ)
    # and a time zone other than the file's is read from the warehouse
    held.save(engine)
    warehouse.drop_held_frames()
    with monkeypatch.context() as mp:
        refuse_reads(mp)
        with pytest.raises(AssertionError, match="the table was read"):
            warehouse.read_staged(engine, ext, "UTC")


def test_a_file_from_before_the_lineage_categoricals_is_read_again(sqlite_engine, monkeypatch, tmp_path):
    """Releases before frame layout 2 kept the lineage columns as text: their files carry the same
    columns and kinds, but a frame mixing the two would concatenate to text. Such a file is not
    used; the table is read, with the lineage columns as sorted categoricals."""
    monkeypatch.setenv(held.FILES_ENV, str(tmp_path))
    ext = extracts.registry()["simdiklat/training"]
    d = dt.datetime
    warehouse.drop_held_frames()
    for month, run in (("2024-02", "run-2"), ("2024-01", "run-1")):
        warehouse.stage(sqlite_engine, ext, training([("a" + month, "T1", d(2024, 1, 2), d(2024, 1, 3), 8.0, True, 2)]),
                        month, f"simdiklat/{month}/training.csv", run)
    frame = warehouse.read_staged(sqlite_engine, ext, TZ)
    assert frame["_run_id"].cat.categories.tolist() == ["run-1", "run-2"]
    assert frame["_landing_month"].tolist() == ["2024-01", "2024-02"]  # staged order, by the category's value
    token = holding(sqlite_engine)[ext.id].token
    as_text = frame.astype({c: "str" for c in ("_landing_month", "_file", "_run_id")})
    with monkeypatch.context() as mp:  # how a release before layout 2 wrote it
        mp.setattr(held, "_layout", lambda extract: json.dumps(frames.staged_columns(extract)).encode())
        held.put(sqlite_engine, ext.id, held.Held(token, TZ, as_text))
        assert held.save(sqlite_engine) == 1
    warehouse.drop_held_frames()
    with monkeypatch.context() as mp:
        refuse_reads(mp)
        with pytest.raises(AssertionError, match="the table was read"):
            warehouse.read_staged(sqlite_engine, ext, TZ)
    pd.testing.assert_frame_equal(warehouse.read_staged(sqlite_engine, ext, TZ), frame)


def test_files_are_off_with_an_empty_directory_setting(sqlite_engine, monkeypatch):
    monkeypatch.setenv(held.FILES_ENV, "")
    ext = extracts.registry()["simdiklat/training"]
    warehouse.drop_held_frames()
    warehouse.stage(sqlite_engine, ext, training([("a", "T1", dt.datetime(2024, 1, 2), dt.datetime(2024, 1, 3), 8.0,
                                                   True, 2)]), "2024-01", "f1", "run-1")
    warehouse.read_staged(sqlite_engine, ext, TZ)
    assert held.save(sqlite_engine) == 0
    warehouse.drop_held_frames()


# -- which version of a record staging keeps: the one from the latest landing month ----------------
#
# A record that arrives again in a later month's file replaces its earlier version; an older month's
# file staged again (a rerun of a past month) never replaces a version a later month brought; a
# corrected file of an old month replaces only versions from that month or earlier.

EXT = "simdiklat/training"
D = dt.datetime


def jp(eng) -> dict[str, tuple[float, str, str]]:
    """training_id -> (jp, landing month, run id) as staged."""
    back = cold(eng, extracts.registry()[EXT])
    rows = back[["training_id", "jp", "_landing_month", "_run_id"]].astype(object).values.tolist()
    return {tid: (hours, month, run) for tid, hours, month, run in rows}


def file_of(*rows: tuple[str, float]) -> pd.DataFrame:
    """A training file: (training_id, jp) per row, one NIP."""
    return training([("p1", tid, D(2024, 1, 2), D(2024, 1, 3), hours, True, i + 2)
                     for i, (tid, hours) in enumerate(rows)])


def stage(eng, rows, month, run):
    warehouse.stage(eng, extracts.registry()[EXT], file_of(*rows), month, f"simdiklat/{month}/training.csv", run, tz=TZ)
    # what this process reads after every write is what the table holds
    pd.testing.assert_frame_equal(warehouse.read_staged(eng, extracts.registry()[EXT], TZ),
                                  cold(eng, extracts.registry()[EXT]))


@pytest.mark.parametrize("engine", DIALECTS, indirect=True)
def test_rerunning_an_older_month_never_replaces_a_later_months_version(engine):
    stage(engine, [("T1", 8.0), ("T2", 4.0)], "2024-01", "jan")
    stage(engine, [("T1", 10.0)], "2024-03", "mar")  # T1 corrected in March
    before = jp(engine)
    assert before == {"T1": (10.0, "2024-03", "mar"), "T2": (4.0, "2024-01", "jan")}
    stage(engine, [("T1", 8.0), ("T2", 4.0)], "2024-01", "jan-again")  # January run again
    assert jp(engine) == before  # nothing replaced, not even the run id of an unchanged row
    stage(engine, [("T1", 10.0)], "2024-03", "mar-again")  # March run again, unchanged
    assert jp(engine) == before


@pytest.mark.parametrize("engine", DIALECTS, indirect=True)
def test_a_corrected_old_file_replaces_only_versions_from_its_month_or_earlier(engine):
    stage(engine, [("T1", 8.0), ("T2", 4.0), ("T3", 2.0)], "2024-01", "jan")
    stage(engine, [("T2", 5.0)], "2024-02", "feb")
    stage(engine, [("T3", 3.0)], "2024-03", "mar")
    # February's file corrected after March was staged: T1 (from January) and T2 (from February) take
    # the correction, T3 keeps March's version
    stage(engine, [("T1", 9.0), ("T2", 6.0), ("T3", 1.0)], "2024-02", "feb-corrected")
    assert jp(engine) == {"T1": (9.0, "2024-02", "feb-corrected"), "T2": (6.0, "2024-02", "feb-corrected"),
                          "T3": (3.0, "2024-03", "mar")}


@pytest.mark.parametrize("engine", DIALECTS, indirect=True)
def test_within_a_month_the_latest_file_wins(engine):
    stage(engine, [("T1", 8.0), ("T2", 4.0)], "2024-02", "first")
    stage(engine, [("T1", 7.5), ("T2", 4.0)], "2024-02", "resent")
    assert jp(engine) == {"T1": (7.5, "2024-02", "resent"), "T2": (4.0, "2024-02", "first")}
