"""Indicator 9, knowledge management: hand-computed quarters, quota, deadline, late reports, months."""

import pandas as pd
import pytest

from kinerja.indicators import manajemen_pengetahuan as km
from kinerja.indicators.base import finish
from kinerja.periods import Month, windows_to_date

TZ = "Asia/Jakarta"


def local(values):
    return pd.Series(pd.to_datetime(pd.Series(values, dtype="object"))).dt.tz_localize(TZ).astype(
        f"datetime64[us, {TZ}]")


def reports(rows):
    df = pd.DataFrame(rows, columns=["report_id", "title", "format", "due_quarter", "submitted_at"])
    df["due_quarter"] = df["due_quarter"].astype("Int64")
    df["submitted_at"] = local(df["submitted_at"])
    return df.astype({"report_id": "string", "title": "string", "format": "string"})


# catalog quotas: TW III 2 reports by 2024-09-05, TW IV 2 reports by 2024-12-05; 4 required
REPORTS = reports([
    ("R1", "Berbagi praktik baik", "tulisan", 3, "2024-08-20 10:00:00"),
    ("R2", "Video pembelajaran", "video", 3, "2024-09-05 23:59:59"),   # on the deadline: on time
    ("R3", "Catatan terlambat", "tulisan", 3, "2024-09-06 00:00:00"),  # one second late
    ("R4", "Video TW IV", "video", 4, "2024-10-10 09:00:00"),
    ("R5", "Tulisan TW IV awal", "tulisan", 4, "2024-08-01 08:00:00"),  # early, counts for TW IV
    ("R6", "Tulisan ketiga TW IV", "tulisan", 4, "2024-11-30 15:00:00"),  # third on time: over quota
])


def run(catalog, as_of, frame=REPORTS):
    windows = windows_to_date(as_of, catalog.collection_deadline_day, catalog.timezone)
    ind = catalog.indicator("manajemen_pengetahuan")
    return km.compute({km.EXTRACT: frame}, windows, ind), windows, ind


def test_quarters_quota_and_late_report(catalog):
    out, _, _ = run(catalog, Month(2024, 12))
    # TW I and TW II have no quota: 0, not "no data"
    assert out.value("2024-Q1") == 0
    assert out.value("2024-Q2") == 0
    # TW III: R1, R2 on time (R2 at 23:59:59 on the deadline) = 2 / 4 x 100 = 50; R3 late, not counted
    assert out.value("2024-Q3") == pytest.approx(50)
    assert out.component("2024-Q3", "n_late") == 1
    assert out.component("2024-Q3", "n_counted") == 2
    # TW IV: R5, R4, R6 on time, quota 2 -> the two earliest (R5, R4) = 2 / 4 x 100 = 50
    assert out.value("2024-Q4") == pytest.approx(50)
    assert out.component("2024-Q4", "n_on_time") == 3
    assert out.component("2024-Q4", "n_counted") == 2
    assert out.component("2024-Q4", "n_counted_tulisan") == 1  # R5 (R4 is a video)
    # year = 0 + 0 + 50 + 50 = 100; late reports summed: 1
    assert out.value("2024") == pytest.approx(100)
    assert out.component("2024", "n_late") == 1


def test_month_rows_are_the_months_contribution(catalog):
    out, _, _ = run(catalog, Month(2024, 12))
    # Aug: R1 + R5 counted = 2/4 = 50; Sep: R2 = 25 (R3 late); Oct: R4 = 25; Nov: R6 over quota = 0
    assert out.value("2024-08") == pytest.approx(50)
    assert out.value("2024-09") == pytest.approx(25)
    assert out.component("2024-09", "n_late") == 1
    assert out.value("2024-10") == pytest.approx(25)
    assert out.value("2024-11") == 0
    assert out.component("2024-11", "n_submitted") == 1
    assert out.value("2024-01") == 0
    months = sum(out.value(f"2024-{m:02d}") for m in range(1, 13))
    assert months == pytest.approx(out.value("2024"))  # 50 + 25 + 25 = 100


def test_partial_quarter_counts_only_what_arrived_by_its_cutoff(catalog):
    # as of July: TW III's cutoff is 2024-08-05 23:59:59, nothing submitted yet
    out, _, _ = run(catalog, Month(2024, 7))
    assert out.value("2024-Q3") == 0
    assert out.value("2024") == 0
    # as of August: cutoff 2024-09-05 23:59:59 -> R1 and R2 -> 50; year 0 + 0 + 50 (TW IV not begun)
    out, _, _ = run(catalog, Month(2024, 8))
    assert out.value("2024-Q3") == pytest.approx(50)
    assert out.value("2024") == pytest.approx(50)


def test_result_rows_targets_and_status(catalog):
    out, windows, ind = run(catalog, Month(2024, 12))
    results, _ = finish(out, ind, windows, 2024)
    row = results.set_index("period").loc
    assert row["2024-Q1", "status"] == "tanpa target"  # value 0, target N/A
    assert row["2024-Q3", "status"] == "tercapai"  # 50 >= 50
    assert row["2024", "capaian_pct"] == pytest.approx(100)


def test_no_reports_at_all_is_zero_for_every_quarter(catalog):
    out, _, _ = run(catalog, Month(2024, 12), REPORTS.iloc[0:0])
    assert [out.value(p) for p in ("2024-Q1", "2024-Q3", "2024-Q4", "2024")] == [0, 0, 0, 0]


def test_only_late_reports_count_nothing(catalog):
    late = reports([("L1", "a", "video", 3, "2024-09-10 10:00:00"), ("L2", "b", "video", 4, "2024-12-06 08:00:00")])
    out, _, _ = run(catalog, Month(2024, 12), late)
    assert out.value("2024") == 0
    assert out.component("2024", "n_late") == 2
