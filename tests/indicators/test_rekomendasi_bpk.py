"""Indicator 14, BPK recommendations: base on 1 January, done = resolved and verified, increment."""

import pandas as pd
import pytest

from kinerja.indicators import rekomendasi_bpk as bpk
from kinerja.periods import Month, windows_to_date

TZ = "Asia/Jakarta"


DECEMBER = Month(2024, 12)


def local(values):
    return pd.to_datetime(pd.Series(values, dtype="object")).dt.tz_localize(TZ).astype(f"datetime64[us, {TZ}]")


def recommendations(rows):
    df = pd.DataFrame(rows, columns=["rec_id", "lhp_year", "unit_code", "resolved_at", "verified", "verified_at"])
    df["resolved_at"] = local(df["resolved_at"])
    df["verified_at"] = local(df["verified_at"])
    return df.astype({"rec_id": "string", "lhp_year": "Int64", "unit_code": "string", "verified": "boolean"})


RECS = recommendations([
    ("B1", 2019, "PD-A", "2023-06-01 10:00:00", True, "2023-07-01 10:00:00"),  # resolved before 2024: no base
    ("B8", 2010, "PD-A", "2023-12-31 23:59:59", False, None),  # resolved the second before 1 January: no base
    ("B2", 2020, "PD-A", "2024-01-01 00:00:00", True, "2024-02-10 10:00:00"),  # resolved on 1 Jan: base; done Feb
    ("B3", 2021, "PD-A", "2024-03-20 10:00:00", True, "2024-04-02 10:00:00"),  # done when verified: April (TW II)
    ("B4", 2022, "PD-B", "2024-05-10 10:00:00", False, None),  # resolved, not verified: not counted
    ("B5", 2023, "PD-B", None, False, None),  # still open
    ("B6", 2024, "PD-C", "2024-06-01 10:00:00", True, "2024-06-10 10:00:00"),  # LHP of the PK year: no base
    ("B7", 2018, "PD-C", "2024-08-15 10:00:00", True, "2024-08-20 10:00:00"),  # done TW III
])


def run(catalog, as_of=DECEMBER, recs=RECS):
    windows = windows_to_date(as_of, catalog.collection_deadline_day, catalog.timezone)
    return bpk.compute({bpk.EXTRACT: recs}, windows, catalog.indicator("rekomendasi_bpk"))


def test_quarters_and_year(catalog):
    out = run(catalog)
    # base: B2, B3, B4, B5, B7 = 5; denominator 0.90 x 5 = 4.5
    assert out.component("2024", "base") == 5
    assert out.component("2024", "denominator") == pytest.approx(4.5)
    # TW I: B2 = 1 / 4.5 x 100 = 22.22; TW II: B3; TW III: B7; TW IV: none
    assert out.value("2024-Q1") == pytest.approx(100 / 4.5)
    assert out.value("2024-Q2") == pytest.approx(100 / 4.5)
    assert out.value("2024-Q3") == pytest.approx(100 / 4.5)
    assert out.value("2024-Q4") == 0
    # year = sum of quarters = 3 / 4.5 x 100 = 66.67
    assert out.value("2024") == pytest.approx(300 / 4.5)
    assert out.value("2024") == pytest.approx(sum(out.value(f"2024-Q{q}") for q in range(1, 5)))


def test_resolved_but_not_verified_is_reported_not_counted(catalog):
    out = run(catalog)
    assert out.component("2024-Q2", "n_done") == 1  # B3 only; B4 is resolved but unverified
    assert out.component("2024-Q2", "n_resolved_not_verified") == 1  # B4
    # TW I: B2 and B3 resolved in it, both verified by its cutoff (2024-04-05)
    assert out.component("2024-Q1", "n_resolved_not_verified") == 0
    # open at the end of TW II: B5 (B7 resolves in August)
    assert out.component("2024-Q2", "n_open_at_end") == 2


def test_month_rows_and_units(catalog):
    out = run(catalog)
    assert out.value("2024-02") == pytest.approx(100 / 4.5)  # B2, done 10 Feb
    assert out.value("2024-03") == 0  # B3 resolved in March but verified in April
    assert out.value("2024-04") == pytest.approx(100 / 4.5)
    # PD-A: base B2, B3 -> denominator 1.8; TW I: B2 -> 1 / 1.8 x 100 = 55.56
    assert out.value("2024-Q1", "PD-A") == pytest.approx(100 / 1.8)
    # PD-B: base B4, B5; nothing done
    assert out.value("2024", "PD-B") == 0
    # PD-C: base B7 (B6 is of LHP 2024) -> 1 / 0.9 x 100 in TW III
    assert out.value("2024-Q3", "PD-C") == pytest.approx(100 / 0.9)
    assert out.component("2024", "base", "PD-C") == 1


def test_partial_year(catalog):
    out = run(catalog, Month(2024, 3))
    # as of March: TW I only -> B2 -> 22.22; B3 becomes done on 2 April
    assert out.value("2024") == pytest.approx(100 / 4.5)


def test_empty_base_is_no_data(catalog):
    out = run(catalog, recs=RECS[RECS["rec_id"].isin(["B1", "B6"])])
    assert out.value("2024-Q1") is None
    assert out.value("2024") is None
