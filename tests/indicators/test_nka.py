"""Budget performance score, implementation aspect (indicator 11), hand-computed.

Weights (catalog): P 9.7 %, K 18.2 %, CK 43.5 %, NE 28.6 %; NE = clamp(50 + E / 20 x 50, 0, 100).

Budget (pagu as known that month; rpd and realisasi of that month):
  S1  Jan pagu 1000 rpd   0 real  80 | Feb 1000 / 200 / 250 | Mar 1200 / 300 / 300   (pagu revised in March)
  S2  Jan pagu  500 rpd   0 real  20 | Feb  500 / 100 / 100 | Mar  500 / 100 /  50
  S3  Jan pagu  300 rpd  10 real   0 (no output row: in P and K, not in CK or E; added in one test only)
Outputs (annual target; cumulative volume at the month's end):
  S1  target 10: Jan 2, Feb 4, Mar 6      S2  target 4: Jan 0, Feb 1, Mar 2

March (ytd Jan-Mar), S1 and S2 only:
  P  = min((80+250+300 + 20+100+50) / (1200 + 500), 1) x 100 = 800 / 1700 x 100 = 47.0588
  K  monthly totals: Jan rpd 0 (skipped); Feb rpd 300 real 350 -> 16.667 %; Mar rpd 400 real 350 -> 12.5 %
     K = 100 - (16.667 + 12.5) / 2 = 85.4167
  CK = (min(6/10, 1) + min(2/4, 1)) / 2 x 100 = (0.6 + 0.5) / 2 x 100 = 55
  E  = ((1200 x 0.6 - 630) + (500 x 0.5 - 170)) / (720 + 250) x 100 = (90 + 80) / 970 x 100 = 17.5258
  NE = 50 + 17.5258 / 20 x 50 = 93.8144
  value = 0.097 x 47.0588 + 0.182 x 85.4167 + 0.435 x 55 + 0.286 x 93.8144 = 70.8664  (Baik)
January: every month has RPD 0 -> K has no month -> no value (the other components are still shown).
"""

import pandas as pd
import pytest

from kinerja.indicators import base, nka
from kinerja.periods import Month, windows_to_date

TZ = "Asia/Jakarta"


def budget(rows) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=["sub_activity_code", "month", "pagu", "rpd", "realisasi"])
    df[["sub_activity_code", "month"]] = df[["sub_activity_code", "month"]].astype("string")
    df[["pagu", "rpd", "realisasi"]] = df[["pagu", "rpd", "realisasi"]].astype("Float64")
    return df


def outputs(rows) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=["sub_activity_code", "month", "output_target", "output_realised"])
    df[["sub_activity_code", "month"]] = df[["sub_activity_code", "month"]].astype("string")
    df[["output_target", "output_realised"]] = df[["output_target", "output_realised"]].astype("Float64")
    return df


BUDGET = budget([
    ("5.03.02.1.01.0001", "2024-01", 1000, 0, 80),
    ("5.03.02.1.01.0001", "2024-02", 1000, 200, 250),
    ("5.03.02.1.01.0001", "2024-03", 1200, 300, 300),
    ("5.03.02.1.01.0002", "2024-01", 500, 0, 20),
    ("5.03.02.1.01.0002", "2024-02", 500, 100, 100),
    ("5.03.02.1.01.0002", "2024-03", 500, 100, 50),
])
OUTPUTS = outputs([
    ("5.03.02.1.01.0001", "2024-01", 10, 2),
    ("5.03.02.1.01.0001", "2024-02", 10, 4),
    ("5.03.02.1.01.0001", "2024-03", 10, 6),
    ("5.03.02.1.01.0002", "2024-01", 4, 0),
    ("5.03.02.1.01.0002", "2024-02", 4, 1),
    ("5.03.02.1.01.0002", "2024-03", 4, 2),
])

P = 800 / 1700 * 100
K = 100 - (50 / 300 * 100 + 50 / 400 * 100) / 2
CK = 55.0
E = 170 / 970 * 100
NE = 50 + E / 20 * 50


def run(indicator, budget_rows, output_rows, as_of: Month):
    windows = windows_to_date(as_of, 5, TZ)
    return nka.compute({nka.BUDGET: budget_rows, nka.OUTPUT: output_rows}, windows, indicator), windows


@pytest.fixture
def indicator(catalog):
    return catalog.indicator("nka")


def test_march_year_to_date(indicator):
    out, _ = run(indicator, BUDGET, OUTPUTS, Month(2024, 3))
    assert out.component("2024-03", "P") == pytest.approx(47.0588, abs=1e-4)
    assert out.component("2024-03", "K") == pytest.approx(85.4167, abs=1e-4)
    assert out.component("2024-03", "CK") == pytest.approx(CK)
    assert out.component("2024-03", "E") == pytest.approx(17.5258, abs=1e-4)
    assert out.component("2024-03", "NE") == pytest.approx(93.8144, abs=1e-4)
    expected = 0.097 * P + 0.182 * K + 0.435 * CK + 0.286 * NE
    assert out.value("2024-03") == pytest.approx(expected)
    assert out.value("2024-03") == pytest.approx(70.8664, abs=1e-4)
    # quarter and year end on March too: year to date, the same value
    assert out.value("2024-Q1") == pytest.approx(expected)
    assert out.value("2024") == pytest.approx(expected)
    assert indicator.category(out.value("2024-03")) == "Baik"


def test_month_with_rpd_zero_is_skipped_and_k_needs_a_month(indicator):
    out, _ = run(indicator, BUDGET, OUTPUTS, Month(2024, 3))
    # January: RPD total 0 -> no month for K -> the value is tidak ada data, P/CK/E still shown
    assert out.component("2024-01", "K") is None
    assert out.value("2024-01") is None
    assert out.component("2024-01", "P") == pytest.approx(100 / 1500 * 100)
    # February: January skipped, Feb deviation |350 - 300| / 300 = 16.667 % -> K 83.333
    assert out.component("2024-02", "K") == pytest.approx(100 - 50 / 300 * 100)


def test_budget_without_output_row_counts_in_p_and_k_only(indicator):
    extra = budget([("5.03.02.1.02.0001", "2024-01", 300, 10, 0)])
    out, _ = run(indicator, pd.concat([BUDGET, extra], ignore_index=True), OUTPUTS, Month(2024, 3))
    # P = 800 / (1700 + 300); K: January now has RPD 10 and realisation 100 -> deviation 900 % capped at 100
    assert out.component("2024-03", "P") == pytest.approx(800 / 2000 * 100)
    assert out.component("2024-03", "K") == pytest.approx(100 - (100 + 50 / 300 * 100 + 50 / 400 * 100) / 3)
    assert out.component("2024-03", "CK") == pytest.approx(CK)
    assert out.component("2024-03", "E") == pytest.approx(E)


def test_realisation_above_pagu_caps_p_and_efficiency_clamps_ne_at_zero(indicator):
    # pagu 100, realised 150, output complete (ck 1): P = min(1.5, 1) x 100 = 100;
    # E = (100 x 1 - 150) / 100 x 100 = -50 -> NE = 50 - 50 / 20 x 50 = -75 -> clamped to 0
    b = budget([("1.01", "2024-01", 100, 150, 150)])
    o = outputs([("1.01", "2024-01", 5, 7)])  # realised above target: ck capped at 1
    out, _ = run(indicator, b, o, Month(2024, 1))
    assert out.component("2024-01", "P") == 100
    assert out.component("2024-01", "CK") == 100
    assert out.component("2024-01", "E") == pytest.approx(-50)
    assert out.component("2024-01", "NE") == 0
    # K: deviation 0 -> 100; value = 9.7 + 18.2 + 43.5 + 0 = 71.4
    assert out.component("2024-01", "K") == 100
    assert out.value("2024-01") == pytest.approx(71.4)


def test_efficiency_above_twenty_percent_clamps_ne_at_hundred(indicator):
    # pagu 100, realised 10 in January against an RPD of 40, ck 0.5:
    # E = (100 x 0.5 - 10) / 50 x 100 = 80 -> NE = 50 + 80 / 20 x 50 = 250 -> clamped to 100
    # P = 10; K = 100 - |10 - 40| / 40 x 100 = 25; CK = 50
    b = budget([("1.01", "2024-01", 100, 40, 10)])
    o = outputs([("1.01", "2024-01", 4, 2)])
    out, _ = run(indicator, b, o, Month(2024, 1))
    assert out.component("2024-01", "E") == pytest.approx(80)
    assert out.component("2024-01", "NE") == 100
    assert out.value("2024-01") == pytest.approx(0.097 * 10 + 0.182 * 25 + 0.435 * 50 + 0.286 * 100)


def test_e_at_exactly_plus_and_minus_twenty(indicator):
    assert nka.nilai_efisiensi(20.0, 50, 20) == 100
    assert nka.nilai_efisiensi(-20.0, 50, 20) == 0
    assert nka.nilai_efisiensi(0.0, 50, 20) == 50
    assert nka.nilai_efisiensi(None, 50, 20) is None


def test_k_deviation_capped_at_hundred_and_k_floored_at_zero():
    monthly = pd.DataFrame({"rpd": [10.0, 0.0, 20.0], "realisasi": [50.0, 99.0, 0.0]},
                           index=["2024-01", "2024-02", "2024-03"])
    # Jan |50 - 10| / 10 = 400 % -> 100; Feb skipped (RPD 0); Mar |0 - 20| / 20 = 100 % -> K = 100 - 100 = 0
    assert nka.konsistensi(monthly) == 0


def test_target_zero_or_blank_is_not_a_target_and_pagu_zero(indicator):
    # S1 pagu 0 (cut to zero), target blank; S2 pagu 200, target 0 -> no sub-activity with a target
    b = budget([("1.01", "2024-01", 0, 0, 0), ("1.02", "2024-01", 200, 50, 50)])
    o = outputs([("1.01", "2024-01", None, 3), ("1.02", "2024-01", 0, 1)])
    out, _ = run(indicator, b, o, Month(2024, 1))
    assert out.component("2024-01", "P") == pytest.approx(25)
    assert out.component("2024-01", "CK") is None
    assert out.component("2024-01", "E") is None
    assert out.value("2024-01") is None
    # total pagu 0: P not defined
    b0 = budget([("1.01", "2024-01", 0, 10, 10)])
    o0 = outputs([("1.01", "2024-01", 4, 4)])
    out0, _ = run(indicator, b0, o0, Month(2024, 1))
    assert out0.component("2024-01", "P") is None
    assert out0.value("2024-01") is None


def test_latest_pagu_and_output_at_or_before_the_period_end(indicator):
    # pagu revised from 1000 to 2000 in April: Q1 keeps 1000, the year to April uses 2000
    b = budget([("1.01", "2024-03", 1000, 100, 100), ("1.01", "2024-04", 2000, 100, 100)])
    o = outputs([("1.01", "2024-03", 10, 5), ("1.01", "2024-04", 20, 8)])
    out, _ = run(indicator, b, o, Month(2024, 4))
    assert out.component("2024-Q1", "P") == pytest.approx(100 / 1000 * 100)
    assert out.component("2024-Q1", "CK") == pytest.approx(50)
    assert out.component("2024-04", "P") == pytest.approx(200 / 2000 * 100)
    assert out.component("2024-04", "CK") == pytest.approx(40)


def test_no_budget_at_all_is_tidak_ada_data(indicator):
    out, windows = run(indicator, budget([]), outputs([]), Month(2024, 2))
    results, _ = base.finish(out, indicator, windows, 2024)
    assert set(results["status"]) == {base.TIDAK_ADA_DATA}


@pytest.mark.parametrize(("value", "label"), [
    (0.0, "Rendah"), (60.0, "Rendah"), (60.01, "Cukup"), (70.0, "Cukup"), (70.01, "Baik"),
    (90.0, "Baik"), (90.01, "Sangat Baik"), (100.0, "Sangat Baik"),
])
def test_band_edges(indicator, value, label):
    assert indicator.category(value) == label


def test_year_target_status(indicator):
    out, windows = run(indicator, BUDGET, OUTPUTS, Month(2024, 3))
    results, _ = base.finish(out, indicator, windows, 2024)
    year = results[results["period"] == "2024"].iloc[0]
    assert year["target"] == 71
    assert year["status"] == base.TIDAK_TERCAPAI  # 70.87 < 71
    assert year["category"] == "Baik"
