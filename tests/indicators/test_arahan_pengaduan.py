"""Indicators 12 (governor's directives) and 13 (complaints): closed by the window's cutoff / opened."""

import pandas as pd
import pytest

from kinerja.indicators import arahan_gubernur, pengaduan
from kinerja.indicators.base import finish
from kinerja.periods import Month, windows_to_date

TZ = "Asia/Jakarta"


def local(values):
    return pd.to_datetime(pd.Series(values, dtype="object")).dt.tz_localize(TZ).astype(f"datetime64[us, {TZ}]")


def windows(catalog, as_of):
    return windows_to_date(as_of, catalog.collection_deadline_day, catalog.timezone)


def directives(rows):
    df = pd.DataFrame(rows, columns=["directive_id", "channel", "issued_at", "completed_at"])
    df["issued_at"] = local(df["issued_at"])
    df["completed_at"] = local(df["completed_at"])
    return df.astype({"directive_id": "string", "channel": "string"})


DIRECTIVES = directives([
    ("A1", "rapim", "2024-03-01 08:00:00", "2024-03-02 10:00:00"),
    ("A2", "e-office", "2024-03-10 09:00:00", "2024-04-05 23:59:59"),  # exactly at March's cutoff: counted
    ("A3", "media-elektronik", "2024-03-20 13:00:00", "2024-04-06 00:00:00"),  # one second after: not
    ("A4", "lainnya", "2024-03-31 23:00:00", None),  # still open
    ("A5", "rapim", "2024-04-02 08:00:00", "2024-04-03 08:00:00"),
])


def test_directives_completed_by_the_cutoff(catalog):
    ind = catalog.indicator("arahan_gubernur")
    out = arahan_gubernur.compute({arahan_gubernur.EXTRACT: DIRECTIVES}, windows(catalog, Month(2024, 4)), ind)
    # March: issued A1-A4 = 4; completed by 2024-04-05 23:59:59: A1, A2 = 2 -> 50
    assert out.value("2024-03") == pytest.approx(50)
    assert out.component("2024-03", "n_issued") == 4
    assert out.component("2024-03", "n_completed") == 2
    assert out.component("2024-03", "n_open") == 2
    assert out.component("2024-03", "n_completed_after_cutoff") == 1  # A3
    # per channel: rapim A1 100, e-office A2 100, media-elektronik A3 0, lainnya A4 0
    assert out.component("2024-03", "pct_rapim") == pytest.approx(100)
    assert out.component("2024-03", "pct_e_office") == pytest.approx(100)
    assert out.component("2024-03", "pct_media_elektronik") == 0
    assert out.component("2024-03", "pct_lainnya") == 0
    assert out.component("2024-03", "n_issued_rapim") == 1
    # TW I has the same cutoff as March: 2 / 4 = 50
    assert out.value("2024-Q1") == pytest.approx(50)
    # year to April, cutoff 2024-05-05: A1, A2, A3, A5 of 5 -> 80
    assert out.value("2024") == pytest.approx(80)
    # TW II to April: A5 -> 1 / 1 = 100
    assert out.value("2024-Q2") == pytest.approx(100)
    # median days to completion in March: A1 (26 h = 1.0833 d) and A2 (26 d 14 h 59 m 59 s); median = mean of the two
    a1 = 26 / 24
    a2 = (pd.Timestamp("2024-04-05 23:59:59") - pd.Timestamp("2024-03-10 09:00:00")).total_seconds() / 86400
    assert out.component("2024-03", "median_days_to_completed") == pytest.approx((a1 + a2) / 2)


def test_no_directive_issued_is_no_data(catalog):
    ind = catalog.indicator("arahan_gubernur")
    ws = windows(catalog, Month(2024, 4))
    out = arahan_gubernur.compute({arahan_gubernur.EXTRACT: DIRECTIVES}, ws, ind)
    assert out.value("2024-02") is None
    assert out.component("2024-02", "pct_rapim") is None
    results, _ = finish(out, ind, ws, 2024)
    feb = results[(results["period"] == "2024-02") & (results["unit_code"] == "ALL")].iloc[0]
    assert feb["status"] == "tidak ada data"


def complaints(rows, tz=TZ):
    df = pd.DataFrame(rows, columns=["ticket_id", "received_at", "category", "resolved_at"])
    for col in ("received_at", "resolved_at"):
        df[col] = pd.to_datetime(pd.Series(df[col], dtype="object")).dt.tz_localize(tz).dt.tz_convert(TZ).astype(
            f"datetime64[us, {TZ}]")
    return df.astype({"ticket_id": "string", "category": "string"})


def test_complaints_resolved_by_the_cutoff(catalog):
    df = complaints([
        ("T1", "2024-01-03 09:00:00", "Kenaikan pangkat", "2024-01-04 09:00:00"),
        ("T2", "2024-01-31 23:30:00", "Gaji dan tunjangan", "2024-02-05 23:59:59"),  # at January's cutoff
        ("T3", "2024-01-15 10:00:00", "Pensiun", "2024-02-06 08:00:00"),  # after January's cutoff
        ("T4", "2024-02-01 00:30:00", "Mutasi", None),
    ])
    ind = catalog.indicator("pengaduan")
    out = pengaduan.compute({pengaduan.EXTRACT: df}, windows(catalog, Month(2024, 2)), ind)
    # January: T1, T2, T3 received; T1 and T2 resolved by 2024-02-05 23:59:59 -> 2/3 x 100
    assert out.value("2024-01") == pytest.approx(200 / 3)
    assert out.component("2024-01", "n_received") == 3
    assert out.component("2024-01", "n_resolved") == 2
    assert out.component("2024-01", "n_resolved_after_cutoff") == 1
    # February: T4 open -> 0 / 1 = 0 (a value, not "no data")
    assert out.value("2024-02") == 0
    # TW I to February (cutoff 2024-03-05): T1, T2, T3 resolved of 4 -> 75
    assert out.value("2024-Q1") == pytest.approx(75)
    assert out.value("2024") == pytest.approx(75)


def test_a_complaint_is_placed_by_its_local_date(catalog):
    # 2024-01-31 17:30 UTC is 2024-02-01 00:30 WIB: a February complaint
    df = complaints([("T9", "2024-01-31 17:30:00", "Lainnya", "2024-02-01 01:00:00")], tz="UTC")
    ind = catalog.indicator("pengaduan")
    out = pengaduan.compute({pengaduan.EXTRACT: df}, windows(catalog, Month(2024, 2)), ind)
    assert out.value("2024-01") is None
    assert out.value("2024-02") == pytest.approx(100)


def test_a_complaint_resolved_later_replaces_its_open_version(catalog, sqlite_engine):
    """Staged by natural key: the later file's resolved version wins, and the month is restated."""
    from kinerja import extracts, warehouse

    ext = extracts.get("crm/pengaduan")
    jan = complaints([("T1", "2024-01-20 09:00:00", "Mutasi", None)])
    warehouse.stage(sqlite_engine, ext, jan.assign(_row_number=2), "2024-01", "crm/2024-01/pengaduan.csv", "r1")
    feb = complaints([("T1", "2024-01-20 09:00:00", "Mutasi", "2024-02-03 10:00:00")])
    warehouse.stage(sqlite_engine, ext, feb.assign(_row_number=2), "2024-02", "crm/2024-02/pengaduan.csv", "r2")
    staged = warehouse.read_staged(sqlite_engine, ext, TZ)
    assert len(staged) == 1
    ind = catalog.indicator("pengaduan")
    out = pengaduan.compute({pengaduan.EXTRACT: staged}, windows(catalog, Month(2024, 2)), ind)
    assert out.value("2024-01") == pytest.approx(100)  # resolved 2024-02-03, before January's cutoff
