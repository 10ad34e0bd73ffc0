"""PDN/TKDN/UMK procurement share (indicator 7), hand-computed.

In scope (catalog): 5.1.02, 5.1.05.01.02.0001, 5.1.06.03.02.0001, 5.2.02 ... 5.2.06, and every account
below one of them on a segment boundary.

  T1 2024-01-10  5.2.02.01           100  PDN     in
  T2 2024-01-20  5.1.02.01.01.0024   300  -       in
  T3 2024-01-25  5.2.020            1000  PDN     out (not a segment boundary)
  T4 2024-01-31  5.1.01.01.01.0001  5000  PDN     out (salaries)
  T5 2024-02-03  5.1.02.01           -50  PDN     in  (correction of part of an earlier PDN SPJ)
  T6 2024-02-28  5.2.03.01           250  PDN     in
  T7 2024-04-01  5.2.05              999  PDN     in, but after Q1
  T8 2023-12-29  5.2.02              777  PDN     in scope, but before the PK year

January (ytd): 100 / (100 + 300) = 25 %.
February (ytd Jan-Feb): (100 - 50 + 250) / (100 + 300 - 50 + 250) = 300 / 600 = 50 %.
March and Q1 (ytd to 31 March): the same 50 %.  April and the year to April: (300 + 999) / (600 + 999).
"""

import pandas as pd
import pytest

from kinerja.indicators import base, pdn
from kinerja.periods import Month, windows_to_date

TZ = "Asia/Jakarta"


def spending(rows) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=["transaction_id", "account_code", "amount", "spj_date", "pdn_flag"])
    df["transaction_id"] = df["transaction_id"].astype("string")
    df["account_code"] = df["account_code"].astype("string")
    df["amount"] = df["amount"].astype("Float64")
    df["spj_date"] = pd.to_datetime(df["spj_date"]).astype("datetime64[us]")
    df["pdn_flag"] = df["pdn_flag"].astype("boolean")
    return df


ROWS = spending([
    ("T1", "5.2.02.01", 100.0, "2024-01-10", True),
    ("T2", "5.1.02.01.01.0024", 300.0, "2024-01-20", False),
    ("T3", "5.2.020", 1000.0, "2024-01-25", True),
    ("T4", "5.1.01.01.01.0001", 5000.0, "2024-01-31", True),
    ("T5", "5.1.02.01", -50.0, "2024-02-03", True),
    ("T6", "5.2.03.01", 250.0, "2024-02-28", True),
    ("T7", "5.2.05", 999.0, "2024-04-01", True),
    ("T8", "5.2.02", 777.0, "2023-12-29", True),
])


@pytest.fixture
def indicator(catalog):
    return catalog.indicator("pdn")


def test_account_scope_on_segment_boundaries(indicator):
    codes = pd.Series(["5.2.02", "5.2.02.01", "5.2.020", "5.1.01", "5.1.01.01.01.0001", "5.1.02.01.01.0024",
                       "5.1.05.01.02.0001", "5.1.05.01.02.00011", "5.1.05.01.01.0001", "5.1.06.03.02.0001.01",
                       "5.2.06.01", "5.2.07", "15.2.02", "5.2"], dtype="string")
    scope = pdn.account_in_scope(codes, indicator.rules["account_codes"])
    assert scope.tolist() == [True, True, False, False, False, True,
                              True, False, False, True,
                              True, False, False, False]


def test_ytd_share_nets_corrections(indicator):
    windows = windows_to_date(Month(2024, 4), 5, TZ)
    out = pdn.compute({pdn.EXTRACT: ROWS}, windows, indicator)
    assert out.value("2024-01") == pytest.approx(25.0)
    assert out.component("2024-01", "belanja_pdn") == pytest.approx(100.0)
    assert out.component("2024-01", "belanja_pengadaan") == pytest.approx(400.0)
    assert out.value("2024-02") == pytest.approx(50.0)
    assert out.component("2024-02", "belanja_pdn") == pytest.approx(300.0)
    assert out.component("2024-02", "belanja_pengadaan") == pytest.approx(600.0)
    assert out.value("2024-03") == pytest.approx(50.0)
    assert out.value("2024-Q1") == pytest.approx(50.0)
    # Q2 is year to date too: it ends in April here, so it holds January to April
    assert out.value("2024-Q2") == pytest.approx((300 + 999) / (600 + 999) * 100)
    assert out.value("2024") == pytest.approx((300 + 999) / (600 + 999) * 100)
    # in-scope rows counted: T1, T2 in January; + T5, T6 by February
    assert [r["n_source_rows"] for r in out.values if r["period"] in ("2024-01", "2024-02")] == [2, 4]


@pytest.mark.parametrize("amounts", [[-100.0], [100.0, -100.0]], ids=["negative", "zero"])
def test_non_positive_denominator_is_tidak_ada_data(indicator, catalog, amounts):
    rows = spending([(f"T{i}", "5.2.02.01", a, "2024-01-15", True) for i, a in enumerate(amounts)])
    windows = windows_to_date(Month(2024, 1), 5, TZ)
    out = pdn.compute({pdn.EXTRACT: rows}, windows, indicator)
    assert out.value("2024-01") is None
    results, _ = base.finish(out, indicator, windows, 2024)
    assert set(results["status"]) == {base.TIDAK_ADA_DATA}


def test_no_in_scope_spending_is_tidak_ada_data(indicator):
    rows = spending([("T1", "5.1.01.01.01.0001", 5000.0, "2024-01-15", True)])
    windows = windows_to_date(Month(2024, 1), 5, TZ)
    out = pdn.compute({pdn.EXTRACT: rows}, windows, indicator)
    assert out.value("2024-01") is None
    assert out.component("2024-01", "belanja_pengadaan") == 0


def test_q2_target_and_status(indicator, catalog):
    # 30 % flagged by the end of June meets the Q2 target of 30 exactly
    rows = spending([("T1", "5.1.02.01", 30.0, "2024-05-10", True), ("T2", "5.2.02.05", 70.0, "2024-06-10", False)])
    windows = windows_to_date(Month(2024, 6), 5, TZ)
    results, _ = base.finish(pdn.compute({pdn.EXTRACT: rows}, windows, indicator), indicator, windows, 2024)
    q2 = results[results["period"] == "2024-Q2"].iloc[0]
    assert q2["value"] == pytest.approx(30.0)
    assert q2["target"] == 30 and q2["status"] == base.TERCAPAI
