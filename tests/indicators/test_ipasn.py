"""IP ASN dimensions kualifikasi, kinerja, disiplin (indicator 2), hand-computed.

Points (catalog): kualifikasi S3 25, S2 20, S1/D4 15, D3 10, D1/D2/SLTA 5, SD/SMP 1;
kinerja Sangat Baik 30, Baik 25, Butuh Perbaikan 15, Kurang 10, Sangat Kurang 5;
disiplin tidak ada 5, ringan 3, sedang 2, berat 1.

Snapshot 2024-01 (units A, B):
  p1 A  S3   Sangat Baik      tidak ada  25+30+5 = 60
  p2 A  SMP  Sangat Kurang    berat       1+ 5+1 =  7
  p3 B  D3   Butuh Perbaikan  ringan     10+15+3 = 28
  p4 B  S2   Baik             sedang     inactive: excluded (it would add 47)
  ALL = (60+7+28)/3 = 95/3; kualifikasi 36/3 = 12, kinerja 50/3, disiplin 9/3 = 3; A 67/2, B 28
Snapshot 2024-03 (units A, B, C):
  p1 A  S2   Baik             tidak ada  20+25+5 = 50
  p2 A  D4   Kurang           tidak ada  15+10+5 = 30
  p3 B  S1   Baik             ringan     15+25+3 = 43
  p4 B  SLTA Sangat Baik      tidak ada   5+30+5 = 40
  p5 B  D1   Baik             tidak ada   5+25+5 = 35
  p6 C  SD   Butuh Perbaikan  sedang      1+15+2 = 18
  p7 C  D2   Baik             tidak ada   5+25+5 = 35
  ALL = 251/7; kualifikasi 66/7, kinerja 155/7, disiplin 30/7; A 80/2 = 40, B 118/3, C 53/2
No February snapshot: February counts through January's. A 2024-04 snapshot (p1 alone, 60) lies
after every window of a run as of March and is not used.
"""

import pandas as pd
import pytest

from kinerja.indicators import base, ipasn
from kinerja.periods import Month, windows_to_date

COLUMNS = ["snapshot_month", "nip_pseudonym", "unit_code", "education", "skp_predicate", "discipline_penalty",
           "active"]


def snapshot(rows) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=COLUMNS)
    return df.astype({c: "string" for c in COLUMNS[:-1]} | {"active": "boolean"})


DATA = snapshot([
    ("2024-01", "p1", "A", "S3", "Sangat Baik", "tidak ada", True),
    ("2024-01", "p2", "A", "SMP", "Sangat Kurang", "berat", True),
    ("2024-01", "p3", "B", "D3", "Butuh Perbaikan", "ringan", True),
    ("2024-01", "p4", "B", "S2", "Baik", "sedang", False),
    ("2024-03", "p1", "A", "S2", "Baik", "tidak ada", True),
    ("2024-03", "p2", "A", "D4", "Kurang", "tidak ada", True),
    ("2024-03", "p3", "B", "S1", "Baik", "ringan", True),
    ("2024-03", "p4", "B", "SLTA", "Sangat Baik", "tidak ada", True),
    ("2024-03", "p5", "B", "D1", "Baik", "tidak ada", True),
    ("2024-03", "p6", "C", "SD", "Butuh Perbaikan", "sedang", True),
    ("2024-03", "p7", "C", "D2", "Baik", "tidak ada", True),
    ("2024-04", "p1", "A", "S3", "Sangat Baik", "tidak ada", True),
])


@pytest.fixture
def computed(catalog):
    windows = windows_to_date(Month(2024, 3), 5, "Asia/Jakarta")
    indicator = catalog.indicator("ipasn")
    return ipasn.compute({ipasn.EXTRACT: DATA}, windows, indicator), windows, indicator


def test_points_per_pns_follow_each_scoring_table(catalog):
    points = ipasn.pns_points(DATA, catalog.indicator("ipasn").rules).assign(nip=DATA["nip_pseudonym"])
    by = points.set_index(["snapshot_month", "nip"])
    # kualifikasi: all ten education codes
    assert by.loc[("2024-01", "p1"), "kualifikasi"] == 25 and by.loc[("2024-03", "p1"), "kualifikasi"] == 20
    assert by.loc[("2024-03", "p2"), "kualifikasi"] == 15 and by.loc[("2024-03", "p3"), "kualifikasi"] == 15
    assert by.loc[("2024-01", "p3"), "kualifikasi"] == 10
    assert [by.loc[("2024-03", p), "kualifikasi"] for p in ("p4", "p5", "p7")] == [5, 5, 5]
    assert by.loc[("2024-01", "p2"), "kualifikasi"] == 1 and by.loc[("2024-03", "p6"), "kualifikasi"] == 1
    # kinerja: the five SKP predicates
    assert [by.loc[("2024-01", p), "kinerja"] for p in ("p1", "p2", "p3")] == [30, 5, 15]
    assert [by.loc[("2024-03", p), "kinerja"] for p in ("p1", "p2")] == [25, 10]
    # disiplin: the four penalties
    assert [by.loc[("2024-01", p), "disiplin"] for p in ("p1", "p2", "p3")] == [5, 1, 3]
    assert by.loc[("2024-03", "p6"), "disiplin"] == 2
    # inactive PNS are not scored at all
    assert ("2024-01", "p4") not in by.index
    assert by.loc[("2024-03", "p6"), "total"] == 18


def test_value_is_the_mean_over_active_pns(computed):
    out, _, _ = computed
    assert out.value("2024-01") == pytest.approx(95 / 3)  # not (95+47)/4: p4 is inactive
    assert out.component("2024-01", "mean_kualifikasi") == pytest.approx(12)
    assert out.component("2024-01", "mean_kinerja") == pytest.approx(50 / 3)
    assert out.component("2024-01", "mean_disiplin") == pytest.approx(3)
    assert out.component("2024-01", "n_pns") == 3
    assert out.value("2024-03") == pytest.approx(251 / 7)
    assert out.component("2024-03", "mean_kualifikasi") == pytest.approx(66 / 7)
    assert out.component("2024-03", "mean_kinerja") == pytest.approx(155 / 7)
    assert out.component("2024-03", "mean_disiplin") == pytest.approx(30 / 7)
    assert out.component("2024-03", "n_pns") == 7


def test_a_period_counts_through_its_latest_snapshot_at_or_before_its_last_month(computed):
    out, _, _ = computed
    assert out.value("2024-02") == pytest.approx(95 / 3)  # no February snapshot: January's
    assert out.component("2024-02", "snapshot_month") == 202401
    assert out.value("2024-Q1") == pytest.approx(251 / 7)  # March, not April's 60
    assert out.value("2024") == pytest.approx(251 / 7)
    assert out.component("2024", "snapshot_month") == 202403


def test_breakdown_rows_per_unit(computed):
    out, _, _ = computed
    assert out.units("2024-01") == {"ALL", "A", "B"}
    assert out.value("2024-01", "A") == pytest.approx(67 / 2)
    assert out.value("2024-01", "B") == pytest.approx(28)
    assert out.component("2024-01", "n_pns", "B") == 1
    assert out.units("2024-Q1") == {"ALL", "A", "B", "C"}
    assert out.value("2024-Q1", "A") == pytest.approx(40)
    assert out.value("2024-Q1", "B") == pytest.approx(118 / 3)
    assert out.value("2024-Q1", "C") == pytest.approx(53 / 2)


def test_targets_only_on_tw_iv_and_the_year(catalog):
    windows = windows_to_date(Month(2024, 12), 5, "Asia/Jakarta")
    indicator = catalog.indicator("ipasn")
    december = snapshot([("2024-12", "p1", "A", "S2", "Baik", "tidak ada", True),     # 50
                         ("2024-12", "p2", "A", "S1", "Baik", "ringan", True)])      # 43
    results, _ = base.finish(ipasn.compute({ipasn.EXTRACT: december}, windows, indicator), indicator, windows, 2024)
    year = results[(results["period"] == "2024") & (results["unit_code"] == "ALL")].iloc[0]
    assert year["value"] == pytest.approx(46.5) and year["target"] == 50.24
    assert year["status"] == base.TIDAK_TERCAPAI
    assert year["capaian_pct"] == pytest.approx(46.5 / 50.24 * 100)
    q1 = results[(results["period"] == "2024-Q1") & (results["unit_code"] == "ALL")].iloc[0]
    assert q1["status"] == base.TIDAK_ADA_DATA  # no snapshot at or before March


def test_no_snapshot_yet_is_no_data(catalog):
    windows = windows_to_date(Month(2024, 1), 5, "Asia/Jakarta")
    out = ipasn.compute({ipasn.EXTRACT: DATA[DATA["snapshot_month"] == "2024-03"]}, windows,
                        catalog.indicator("ipasn"))
    assert out.value("2024-01") is None and out.units("2024-01") == {"ALL"}


def test_a_code_without_points_fails_loudly(catalog):
    rules = {**catalog.indicator("ipasn").rules, "kualifikasi": {"S1": 15}}
    with pytest.raises(ValueError, match="kualifikasi has no points for"):
        ipasn.pns_points(DATA, rules)
