"""Rencana aksi: status of each catalog output per period, as of the window's last day."""

import pandas as pd
import pytest

from kinerja import rencana_aksi, warehouse
from kinerja.periods import Month, windows_to_date


def completions(rows):
    df = pd.DataFrame(rows, columns=["iku_no", "output_code", "completed_on"])
    df["completed_on"] = pd.to_datetime(pd.Series(df["completed_on"], dtype="object")).astype("datetime64[us]")
    return df.astype({"iku_no": "Int64", "output_code": "string"})


DONE = completions([
    (1, "T/O2.1.1", "2024-03-31"),  # due TW I, done on its last day: on time
    (2, "T/O1.1.1", "2024-04-15"),  # due TW I, done in April: late
    (2, "T/O2.1.1", None),          # due TW I, a row but no date: not done
    (1, "T/O1.1.1", "2024-08-01"),  # due TW III, done early
    # (1, T/O2.3.1) due TW IV: no row at all
])


@pytest.fixture
def status(catalog):
    windows = windows_to_date(Month(2024, 9), catalog.collection_deadline_day, catalog.timezone)
    df = rencana_aksi.compute(DONE, catalog, windows)
    return df, df.set_index(["iku_no", "output_code", "period"])["status"]


def test_every_output_every_window(catalog, status):
    df, _ = status
    # 10 catalog outputs x (9 months + 3 quarters + the year) = 130 rows
    assert len(df) == 10 * 13
    assert list(df.columns) == rencana_aksi.COLUMNS
    assert set(df["status"]) <= set(rencana_aksi.STATUSES)


def test_the_four_statuses(status):
    _, s = status
    assert s[(1, "T/O2.1.1", "2024-Q1")] == "selesai tepat waktu"
    # late: overdue at the end of TW I, done late from April on
    assert s[(2, "T/O1.1.1", "2024-03")] == "terlambat"
    assert s[(2, "T/O1.1.1", "2024-Q1")] == "terlambat"
    assert s[(2, "T/O1.1.1", "2024-04")] == "selesai terlambat"
    assert s[(2, "T/O1.1.1", "2024")] == "selesai terlambat"
    # a row without a date: not done, overdue after TW I
    assert s[(2, "T/O2.1.1", "2024-02")] == "belum jatuh tempo"
    assert s[(2, "T/O2.1.1", "2024-Q2")] == "terlambat"
    # due TW IV, no row: pending all through September
    assert s[(1, "T/O2.3.1", "2024")] == "belum jatuh tempo"
    # due TW III, done 1 August: pending in July, on time from August
    assert s[(1, "T/O1.1.1", "2024-07")] == "belum jatuh tempo"
    assert s[(1, "T/O1.1.1", "2024-08")] == "selesai tepat waktu"
    # due TW III with no completion: overdue once September (its last day) is over
    assert s[(2, "T/O1.2.1", "2024-08")] == "belum jatuh tempo"
    assert s[(2, "T/O1.2.1", "2024-09")] == "terlambat"
    assert s[(2, "T/O1.2.1", "2024-Q3")] == "terlambat"


def test_completion_date_shown_only_once_known(status):
    df, _ = status
    row = df[(df["iku_no"] == 2) & (df["output_code"] == "T/O1.1.1")].set_index("period")["completed_on"]
    assert pd.isna(row["2024-03"])
    assert row["2024-04"] == pd.Timestamp("2024-04-15")


def test_no_completions_at_all(catalog):
    windows = windows_to_date(Month(2024, 1), catalog.collection_deadline_day, catalog.timezone)
    df = rencana_aksi.compute(DONE.iloc[0:0], catalog, windows)
    # January, TW I to date, the year: nothing is due yet
    assert set(df["status"]) == {"belum jatuh tempo"}


def test_loads_into_action_plan_status(catalog, sqlite_engine, status):
    df, _ = status
    warehouse.load_results(sqlite_engine, 2024, pd.DataFrame(columns=warehouse.RESULT_COLUMNS),
                           pd.DataFrame(columns=warehouse.COMPONENT_COLUMNS), "run-1", df)
    got = warehouse.query(sqlite_engine, "SELECT status, completed_on FROM action_plan_status "
                                         "WHERE iku_no = 2 AND output_code = 'T/O1.1.1' AND period = '2024-04'")
    assert got.iloc[0]["status"] == "selesai terlambat"
    assert str(got.iloc[0]["completed_on"]).startswith("2024-04-15")
    assert warehouse.query(sqlite_engine, "SELECT COUNT(*) AS n FROM action_plan_status").iloc[0]["n"] == 130
