"""SKM (indicator 3), hand-computed.

BKD, March 2024, three responses:
  r1 all 4; r2 all 3; r3 u1=2, u2 blank, u3..u9 = 4
  NRR u1 = (4+3+2)/3 = 3;  u2 = (4+3)/2 = 3.5;  u3..u9 = (4+3+4)/3 = 11/3
  sum NRR = 3 + 3.5 + 7 x 11/3 = 96.5/3;  IKM = 25 x (96.5/3) / 9 = 2412.5/27 = 89.3518518...
SUBAN-JP, March: one response all 3 -> IKM = 25 x 27 / 9 = 75
March ALL = (2412.5/27 + 75) / 2 = 82.1759259...
BKD, February: one response all 4 -> IKM 100 = Feb ALL. January: no response -> no value.
Q1 = mean of monthly ALL values with data = (100 + 82.1759...) / 2 = 91.0879629...
Earlier data for the rolling mean: BKD Dec 2023 all 2 (IKM 50), BKD Feb 2023 all 1 (IKM 25).
"""

import pandas as pd
import pytest

from kinerja.indicators import base, skm
from kinerja.periods import Month, windows_to_date

U = [f"u{i}" for i in range(1, 10)]
BKD_MARCH = 2412.5 / 27
MARCH_ALL = (BKD_MARCH + 75) / 2


def responses(rows):
    """rows: (id, unit, 'YYYY-MM-DD', [9 answers or None])"""
    df = pd.DataFrame([{"response_id": r, "unit_code": u, "submitted_on": d, **dict(zip(U, a, strict=True))}
                       for r, u, d, a in rows])
    df["submitted_on"] = pd.to_datetime(df["submitted_on"]).astype("datetime64[us]")
    for c in U:
        df[c] = df[c].astype("Int64")
    return df


DATA = responses([
    ("r1", "BKD", "2024-03-04", [4] * 9),
    ("r2", "BKD", "2024-03-15", [3] * 9),
    ("r3", "BKD", "2024-03-31", [2, None] + [4] * 7),
    ("r4", "SUBAN-JP", "2024-03-20", [3] * 9),
    ("r5", "BKD", "2024-02-29", [4] * 9),
    ("r6", "BKD", "2023-12-10", [2] * 9),
    ("r7", "BKD", "2023-02-10", [1] * 9),
])


@pytest.fixture
def computed(catalog):
    windows = windows_to_date(Month(2024, 3), 5, "Asia/Jakarta")
    return skm.compute({skm.EXTRACT: DATA}, windows, catalog.indicator("skm")), windows


def test_unit_month_ikm_counts_partly_blank_responses_element_by_element(computed):
    out, _ = computed
    assert out.value("2024-03", "BKD") == pytest.approx(BKD_MARCH)
    assert out.component("2024-03", "nrr_u1", "BKD") == pytest.approx(3.0)
    assert out.component("2024-03", "nrr_u2", "BKD") == pytest.approx(3.5)
    assert out.component("2024-03", "nrr_u9", "BKD") == pytest.approx(11 / 3)
    assert out.component("2024-03", "n_blank_answers", "BKD") == 1
    assert out.component("2024-03", "n_responses", "BKD") == 3
    assert out.value("2024-03", "SUBAN-JP") == pytest.approx(75.0)


def test_month_all_is_the_mean_of_unit_month_ikms(computed):
    out, _ = computed
    assert out.value("2024-03") == pytest.approx(MARCH_ALL)  # 82.1759259...
    assert out.value("2024-02") == pytest.approx(100.0)


def test_unit_month_without_responses_has_no_value_never_zero(computed, catalog):
    out, windows = computed
    assert out.value("2024-01") is None
    assert out.units("2024-01") == {"ALL"}  # no breakdown rows invented
    assert "SUBAN-JP" not in out.units("2024-02")
    results, _ = base.finish(out, catalog.indicator("skm"), windows, 2024)
    jan = results[(results["period"] == "2024-01") & (results["unit_code"] == "ALL")].iloc[0]
    assert jan["status"] == "tidak ada data" and pd.isna(jan["value"])


def test_quarter_and_year_are_means_of_monthly_all_values(computed, catalog):
    out, windows = computed
    assert out.value("2024-Q1") == pytest.approx((100 + MARCH_ALL) / 2)  # 91.0879629...
    assert out.value("2024") == pytest.approx((100 + MARCH_ALL) / 2)
    results, _ = base.finish(out, catalog.indicator("skm"), windows, 2024)
    q1 = results[(results["period"] == "2024-Q1") & (results["unit_code"] == "ALL")].iloc[0]
    assert q1["target"] == 94.0
    assert q1["capaian_pct"] == pytest.approx((100 + MARCH_ALL) / 2 / 94 * 100)  # 96.9021...
    assert q1["status"] == "tidak tercapai"
    assert q1["category"] == "A Sangat Baik"  # 91.09
    march = results[(results["period"] == "2024-03") & (results["unit_code"] == "ALL")].iloc[0]
    assert march["category"] == "B Baik"  # 82.18
    assert pd.isna(march["target"]) and march["status"] == "tanpa target"


def test_rolling_12_month_mean_uses_the_12_months_ending_at_the_month(computed):
    out, _ = computed
    # Jan 2024: Feb 2023 .. Jan 2024 -> Feb 2023 (25) and Dec 2023 (50) -> 37.5
    assert out.component("2024-01", "skm_rolling_12m") == pytest.approx(37.5)
    # Feb 2024: Mar 2023 .. Feb 2024 -> Dec 2023 (50), Feb 2024 (100) -> 75
    assert out.component("2024-02", "skm_rolling_12m") == pytest.approx(75.0)
    # Mar 2024: Dec 2023, Feb 2024, Mar 2024 -> (50 + 100 + 82.1759...) / 3
    assert out.component("2024-03", "skm_rolling_12m") == pytest.approx((50 + 100 + MARCH_ALL) / 3)


def test_year_value_ignores_months_of_the_previous_year(computed):
    out, _ = computed
    assert out.value("2024") == pytest.approx((100 + MARCH_ALL) / 2)


def test_krejcie_morgan_minimum_sample_and_shortfall_flag(computed):
    # BKD population 1450: 3.841 x 1450 x 0.25 / (0.0025 x 1449 + 3.841 x 0.25) = 1392.3625 / 4.58275
    # = 303.83 -> 304
    assert skm.krejcie_morgan(1450, 3.841, 0.5, 0.05) == 304
    out, _ = computed
    assert out.component("2024-03", "km_min_sample", "BKD") == 304
    assert out.component("2024-03", "sample_short", "BKD") == 1.0


def test_ikm_uses_exact_one_ninth():
    # all answers 3.5 on average: 25 x 9 x 3.5 / 9 = 87.5 exactly (0.111 would give 87.41)
    df = responses([("a", "BKD", "2024-05-02", [4] * 9), ("b", "BKD", "2024-05-03", [3] * 9)])
    um = skm.unit_months(df, U, 25)
    assert um["ikm"].iloc[0] == 87.5
