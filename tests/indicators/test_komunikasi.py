"""Public-communication implementation (indicator 4), hand-computed.

Weights (catalog): a 35%, b 30%, c 20%, d 15%.

January 2024 (four PDs):
  P-A priority, strategy yes, published yes, crises 2/2 responded, questions 10/8 answered
  P-B priority, strategy no,  published yes, crises 1/0,            questions  5/5
  P-C priority, strategy yes, published no,  crises 1/1,            questions  5/3
  P-D no priority program (out of scope although it has crises and questions)
  a = 2/3 x 100 = 66.667; b = 2/3 x 100 = 66.667; c = (2+0+1)/(2+1+1) = 75; d = (8+5+3)/20 = 80
  value = 0.35 x 66.667 + 0.30 x 66.667 + 0.20 x 75 + 0.15 x 80 = 23.333 + 20 + 15 + 12 = 70.333

February 2024 (no crises anywhere: c not applicable, weights of a, b, d rescaled over 0.80):
  P-A priority, strategy no (compiled in January: still counts), published no, questions 4/2
  P-B priority, strategy yes (compiled now), published yes, questions 0/0
  P-C priority, strategy no (compiled in January), published no, questions 0/0
  a = 3/3 = 100; b = 1/3 = 33.333; c n/a; d = 2/4 = 50
  value = (0.35 x 100 + 0.30 x 33.333 + 0.15 x 50) / 0.80 = (35 + 10 + 7.5) / 0.80 = 65.625

March 2024: every PD without a priority program -> no PD in scope -> no value.

Q1 (to March): PDs in scope P-A, P-B, P-C (from Jan/Feb); a = 3/3 = 100 (by 31 March);
  b: P-A and P-B published in January, P-B in February, P-C never -> 2/3 = 66.667;
  c = 3/4 = 75 (January only); d = (16 + 2) / (20 + 4) = 75
  value = 0.35 x 100 + 0.30 x 66.667 + 0.20 x 75 + 0.15 x 75 = 35 + 20 + 15 + 11.25 = 81.25
"""

import pandas as pd
import pytest

from kinerja.indicators import base, komunikasi
from kinerja.periods import Month, windows_to_date

TZ = "Asia/Jakarta"
COLUMNS = ["month", "pd_code", "has_priority_program", "strategy_compiled", "materials_published", "crises",
           "crises_responded", "netizen_questions", "netizen_answered"]


def records(rows) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=COLUMNS)
    df["month"] = df["month"].astype("string")
    df["pd_code"] = df["pd_code"].astype("string")
    for c in COLUMNS[2:5]:
        df[c] = df[c].astype("boolean")
    for c in COLUMNS[5:]:
        df[c] = df[c].astype("Int64")
    return df


ROWS = records([
    ("2024-01", "P-A", True, True, True, 2, 2, 10, 8),
    ("2024-01", "P-B", True, False, True, 1, 0, 5, 5),
    ("2024-01", "P-C", True, True, False, 1, 1, 5, 3),
    ("2024-01", "P-D", False, True, True, 3, 0, 20, 0),
    ("2024-02", "P-A", True, False, False, 0, 0, 4, 2),
    ("2024-02", "P-B", True, True, True, 0, 0, 0, 0),
    ("2024-02", "P-C", True, False, False, 0, 0, 0, 0),
    ("2024-02", "P-D", False, False, False, 0, 0, 0, 0),
    ("2024-03", "P-A", False, False, True, 1, 1, 3, 3),
    ("2024-03", "P-B", False, False, True, 0, 0, 0, 0),
])


@pytest.fixture
def computed(catalog):
    windows = windows_to_date(Month(2024, 3), 5, TZ)
    return komunikasi.compute({komunikasi.EXTRACT: ROWS}, windows, catalog.indicator("komunikasi")), windows


def test_weights_come_from_the_catalog(catalog):
    assert catalog.indicator("komunikasi").rules["weights"] == {
        "a_strategi": 0.35, "b_publikasi": 0.30, "c_krisis": 0.20, "d_warganet": 0.15}


def test_month_with_all_four_components(computed):
    out, _ = computed
    assert out.component("2024-01", "a_strategi") == pytest.approx(200 / 3)
    assert out.component("2024-01", "b_publikasi") == pytest.approx(200 / 3)
    assert out.component("2024-01", "c_krisis") == pytest.approx(75)
    assert out.component("2024-01", "d_warganet") == pytest.approx(80)
    assert out.component("2024-01", "n_pd") == 3
    assert out.value("2024-01") == pytest.approx(0.35 * 200 / 3 + 0.30 * 200 / 3 + 0.20 * 75 + 0.15 * 80)
    assert out.value("2024-01") == pytest.approx(70.3333333)


def test_no_crises_drops_the_crisis_weight_and_rescales(computed):
    out, _ = computed
    assert out.component("2024-02", "c_krisis") is None
    assert out.component("2024-02", "a_strategi") == pytest.approx(100)  # January's strategies still count
    assert out.component("2024-02", "b_publikasi") == pytest.approx(100 / 3)
    assert out.component("2024-02", "d_warganet") == pytest.approx(50)
    assert out.value("2024-02") == pytest.approx((35 + 10 + 7.5) / 0.80)
    assert out.value("2024-02") == pytest.approx(65.625)


def test_no_pd_in_scope_is_tidak_ada_data(computed, catalog):
    out, windows = computed
    assert out.value("2024-03") is None
    assert out.units("2024-03") == {base.ALL}
    results, _ = base.finish(out, catalog.indicator("komunikasi"), windows, 2024)
    march = results[(results["period"] == "2024-03") & (results["unit_code"] == base.ALL)].iloc[0]
    assert march["status"] == base.TIDAK_ADA_DATA
    assert pd.isna(march["value"])


def test_quarter_counts_each_pd_once(computed, catalog):
    out, windows = computed
    assert out.component("2024-Q1", "a_strategi") == pytest.approx(100)
    assert out.component("2024-Q1", "b_publikasi") == pytest.approx(200 / 3)
    assert out.component("2024-Q1", "c_krisis") == pytest.approx(75)
    assert out.component("2024-Q1", "d_warganet") == pytest.approx(75)
    assert out.value("2024-Q1") == pytest.approx(81.25)
    assert out.value("2024") == pytest.approx(81.25)
    results, _ = base.finish(out, catalog.indicator("komunikasi"), windows, 2024)
    q1 = results[(results["period"] == "2024-Q1") & (results["unit_code"] == base.ALL)].iloc[0]
    assert q1["target"] == 100 and q1["status"] == base.TIDAK_TERCAPAI


def test_breakdown_per_pd(computed):
    out, _ = computed
    assert out.units("2024-01") == {base.ALL, "P-A", "P-B", "P-C"}  # P-D has no priority program
    # P-A: a 100, b 100, c 2/2 = 100, d 8/10 = 80 -> 35 + 30 + 20 + 12 = 97
    assert out.value("2024-01", "P-A") == pytest.approx(97)
    # P-B: a 0, b 100, c 0/1 = 0, d 5/5 = 100 -> 0 + 30 + 0 + 15 = 45
    assert out.value("2024-01", "P-B") == pytest.approx(45)
    # P-C in February: a 100 (January), b 0, no crises, no questions -> (35 + 0) / (0.35 + 0.30) = 53.846
    assert out.component("2024-02", "d_warganet", "P-C") is None
    assert out.value("2024-02", "P-C") == pytest.approx(35 / 0.65)


def test_strategy_compiled_after_the_window_does_not_count(catalog):
    rows = records([
        ("2024-01", "P-A", True, False, True, 0, 0, 0, 0),
        ("2024-02", "P-A", True, True, True, 0, 0, 0, 0),
    ])
    windows = windows_to_date(Month(2024, 2), 5, TZ)
    out = komunikasi.compute({komunikasi.EXTRACT: rows}, windows, catalog.indicator("komunikasi"))
    # January: a 0, b 100, c and d n/a -> 30 / 0.65 = 46.154; February: a 100, b 100 -> 100
    assert out.component("2024-01", "a_strategi") == 0
    assert out.value("2024-01") == pytest.approx(30 / 0.65)
    assert out.value("2024-02") == pytest.approx(100)


def test_empty_extract_gives_no_value(catalog):
    windows = windows_to_date(Month(2024, 1), 5, TZ)
    out = komunikasi.compute({komunikasi.EXTRACT: records([])}, windows, catalog.indicator("komunikasi"))
    assert [out.value(w.period) for w in windows] == [None, None, None]
