"""BMD inventory (indicator 6), hand-computed.

Per UPB: 5 x share(SK Tim, Daftar Ruangan, Daftar BMD) + 85 x min(entered/owned, 1)
         + 10 x share(Berita Acara, SPTJM, LHI)   (weights and lists: catalog)
Snapshot 2024-03:
  U1 PD-A  prep T,T,F  owned 200  entered 50    report F,F,F  5x2/3 + 85x0.25 + 0     = 295/12
  U2 PD-A  prep T,T,T  owned 100  entered 120   report T,T,F  5 + 85x1 (capped) + 20/3 = 290/3
  U3 PD-B  prep T,T,T  owned 0    entered 0     report T,F,F  nothing to enter: the documents rescaled
                                                              (5 + 10/3) / 15 x 100    = 500/9
  U4 PD-B  prep T,F,F  owned 1000 entered 999   report T,T,T  5/3 + 85x0.999 + 10      = 96.58166...
  ALL  = (295/12 + 290/3 + 500/9 + 96.581666...) / 4 = 68.3468055...
  PD-A = (295/12 + 290/3) / 2 = 1455/24 = 60.625;  PD-B = (500/9 + 96.581666...) / 2
  components: preparation (2/3 + 1 + 1 + 1/3)/4 = 75 %; entry over UPBs owning items
  (0.25 + 1 + 0.999)/3 = 74.9666... %; reporting (0 + 2/3 + 1/3 + 1)/4 = 50 %
Snapshot 2024-01: U1 only, prep T,F,F, nothing entered, no report -> 5/3. February has no snapshot.
Snapshot 2024-04: U1 complete (100), after a run as of March: not used.
"""

import pandas as pd
import pytest

from kinerja.indicators import base, bmd
from kinerja.periods import Month, windows_to_date

COLUMNS = ["snapshot_month", "upb_code", "pd_code", "sk_tim", "daftar_ruangan", "daftar_bmd", "items_owned",
           "items_entered", "berita_acara", "sptjm", "lhi"]
BOOLS = ["sk_tim", "daftar_ruangan", "daftar_bmd", "berita_acara", "sptjm", "lhi"]
T, F = True, False

U1 = 295 / 12
U2 = 290 / 3
U3 = 500 / 9
U4 = 5 / 3 + 85 * 0.999 + 10


def progress(rows) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=COLUMNS)
    return df.astype({"snapshot_month": "string", "upb_code": "string", "pd_code": "string",
                      "items_owned": "Int64", "items_entered": "Int64"} | {c: "boolean" for c in BOOLS})


DATA = progress([
    ("2024-01", "U1", "PD-A", T, F, F, 200, 0, F, F, F),
    ("2024-03", "U1", "PD-A", T, T, F, 200, 50, F, F, F),
    ("2024-03", "U2", "PD-A", T, T, T, 100, 120, T, T, F),
    ("2024-03", "U3", "PD-B", T, T, T, 0, 0, T, F, F),
    ("2024-03", "U4", "PD-B", T, F, F, 1000, 999, T, T, T),
    ("2024-04", "U1", "PD-A", T, T, T, 200, 200, T, T, T),
])


@pytest.fixture
def computed(catalog):
    windows = windows_to_date(Month(2024, 3), 5, "Asia/Jakarta")
    indicator = catalog.indicator("bmd")
    return bmd.compute({bmd.EXTRACT: DATA}, windows, indicator), windows, indicator


def test_upb_scores(catalog):
    scores = bmd.upb_scores(DATA[DATA["snapshot_month"] == "2024-03"], catalog.indicator("bmd").rules)
    assert scores["score"].tolist() == pytest.approx([U1, U2, U3, U4])


def test_items_entered_above_items_owned_count_as_complete(catalog):
    scores = bmd.upb_scores(DATA, catalog.indicator("bmd").rules).set_index(["snapshot_month", "upb_code"])
    assert scores.loc[("2024-03", "U2"), "entry"] == 1.0  # 120 / 100 capped at 1
    assert scores.loc[("2024-03", "U2"), "score"] == pytest.approx(5 + 85 + 20 / 3)


def test_a_upb_owning_nothing_is_scored_on_its_documents(catalog):
    scores = bmd.upb_scores(DATA, catalog.indicator("bmd").rules).set_index(["snapshot_month", "upb_code"])
    u3 = scores.loc[("2024-03", "U3")]
    assert pd.isna(u3["entry"]) and u3["no_items"]
    assert u3["score"] == pytest.approx(500 / 9)
    complete = progress([("2024-03", "U9", "PD-B", T, T, T, 0, 0, T, T, T)])
    assert bmd.upb_scores(complete, catalog.indicator("bmd").rules)["score"].iloc[0] == pytest.approx(100)


def test_value_is_the_mean_over_upbs_with_components(computed):
    out, _, _ = computed
    expected = (U1 + U2 + U3 + U4) / 4
    assert expected == pytest.approx(68.3468055555)
    assert out.value("2024-03") == pytest.approx(expected)
    assert out.component("2024-03", "preparation_pct") == pytest.approx(75)
    assert out.component("2024-03", "entry_pct") == pytest.approx((0.25 + 1 + 0.999) / 3 * 100)
    assert out.component("2024-03", "reporting_pct") == pytest.approx(50)
    assert out.component("2024-03", "n_upb") == 4
    assert out.component("2024-03", "n_upb_no_items") == 1


def test_breakdown_rows_per_pd(computed):
    out, _, _ = computed
    assert out.units("2024-03") == {"ALL", "PD-A", "PD-B"}
    assert out.value("2024-03", "PD-A") == pytest.approx(1455 / 24)
    assert out.value("2024-03", "PD-B") == pytest.approx((U3 + U4) / 2)
    assert out.component("2024-03", "n_upb", "PD-B") == 2


def test_snapshot_windows(computed):
    out, windows, indicator = computed
    assert out.value("2024-01") == pytest.approx(5 / 3)
    assert out.value("2024-02") == pytest.approx(5 / 3)  # through January's snapshot
    assert out.value("2024-Q1") == pytest.approx((U1 + U2 + U3 + U4) / 4)  # March, not April
    results, _ = base.finish(out, indicator, windows, 2024)
    q1 = results[(results["period"] == "2024-Q1") & (results["unit_code"] == "ALL")].iloc[0]
    assert q1["target"] == 5 and q1["status"] == base.TERCAPAI
    assert q1["capaian_pct"] == pytest.approx((U1 + U2 + U3 + U4) / 4 / 5 * 100)


def test_no_snapshot_is_no_data(catalog):
    windows = windows_to_date(Month(2024, 2), 5, "Asia/Jakarta")
    out = bmd.compute({bmd.EXTRACT: DATA[DATA["snapshot_month"] > "2024-02"]}, windows, catalog.indicator("bmd"))
    assert [out.value(w.period) for w in windows] == [None] * len(windows)
