"""Competency development 40 JP (indicator 8), hand-computed.

Population: active PNS of the latest snapshot at or before the period's last month.
  2024-01: N1, N2 active.   2024-03: N1, N2, N3 active; N4 inactive.   (no February snapshot)
Training (end date, JP, verified):
  N1  T6 2024-01-05 16 yes;  T2 2024-03-10 30 yes
  N2  T1 2024-01-20 24 yes;  T3 2024-02-15 10 NOT verified;  T0 2023-12-20 40 yes (last year)
  N3  T5 2024-03-31  8 yes, staged twice (counts once)
  N4  T2 2024-03-10 30 yes   inactive: outside the population, reported
  X9  T1 2024-01-20 24 yes   in no snapshot: outside the population, reported
January:  N1 16/40 = 0.4, N2 24/40 = 0.6 -> 50;  outside: X9 T1 (1 record, 1 NIP)
February: January's population; N2's T3 unverified -> still 50; 1 unverified record
March:    N1 46 JP -> capped 1; N2 0.6; N3 8/40 = 0.2 -> (1 + 0.6 + 0.2)/3 x 100 = 60
          reaching 40 JP: N1 only -> 33.33 %; counted records 4 (N1 T6, T2; N2 T1; N3 T5 once);
          outside 2 records of 2 NIPs (N4 T2, X9 T1); unverified 1 (N2 T3)
"""

import pandas as pd
import pytest

from kinerja.indicators import base, kompetensi
from kinerja.periods import Month, windows_to_date

SNAPSHOT_COLUMNS = ["snapshot_month", "nip_pseudonym", "unit_code", "education", "skp_predicate",
                    "discipline_penalty", "active"]


def snapshot(rows) -> pd.DataFrame:
    df = pd.DataFrame([(m, n, "BKD", "S1", "Baik", "tidak ada", a) for m, n, a in rows], columns=SNAPSHOT_COLUMNS)
    return df.astype({c: "string" for c in SNAPSHOT_COLUMNS[:-1]} | {"active": "boolean"})


def training(rows) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=["nip_pseudonym", "training_id", "end_date", "jp", "verified"])
    df["end_date"] = pd.to_datetime(df["end_date"]).astype("datetime64[us]")
    df["start_date"] = df["end_date"]
    return df.astype({"nip_pseudonym": "string", "training_id": "string", "jp": "Float64", "verified": "boolean"})


PNS = snapshot([("2024-01", "N1", True), ("2024-01", "N2", True),
                ("2024-03", "N1", True), ("2024-03", "N2", True), ("2024-03", "N3", True), ("2024-03", "N4", False)])
TRAINING = training([
    ("N1", "T6", "2024-01-05", 16, True), ("N1", "T2", "2024-03-10", 30, True),
    ("N2", "T1", "2024-01-20", 24, True), ("N2", "T3", "2024-02-15", 10, False),
    ("N2", "T0", "2023-12-20", 40, True),
    ("N3", "T5", "2024-03-31", 8, True), ("N3", "T5", "2024-03-31", 8, True),
    ("N4", "T2", "2024-03-10", 30, True),
    ("X9", "T1", "2024-01-20", 24, True),
])


@pytest.fixture
def computed(catalog):
    windows = windows_to_date(Month(2024, 3), 5, "Asia/Jakarta")
    indicator = catalog.indicator("kompetensi")
    inputs = {kompetensi.PNS: PNS, kompetensi.TRAINING: TRAINING}
    return kompetensi.compute(inputs, windows, indicator), windows, indicator


def test_year_to_date_jp_capped_at_the_threshold(computed):
    out, _, _ = computed
    assert out.value("2024-01") == pytest.approx(50)
    assert out.value("2024-03") == pytest.approx(60)  # N1's 46 JP count as 40
    assert out.component("2024-03", "share_reaching_40jp") == pytest.approx(100 / 3)
    assert out.component("2024-03", "mean_jp") == pytest.approx((46 + 24 + 8) / 3)
    assert out.component("2024-03", "n_pns") == 3


def test_only_verified_training_of_the_pk_year_counts(computed):
    out, _, _ = computed
    assert out.value("2024-02") == pytest.approx(50)  # T3 unverified, T0 ended in 2023
    assert out.component("2024-02", "n_training_unverified") == 1
    assert out.component("2024-02", "snapshot_month") == 202401


def test_training_outside_the_population_is_reported_not_counted(computed):
    out, _, _ = computed
    assert out.component("2024-01", "n_training_outside_population") == 1  # X9
    assert out.component("2024-03", "n_training_outside_population") == 2  # N4 (inactive), X9
    assert out.component("2024-03", "n_nip_outside_population") == 2
    assert out.component("2024-03", "n_training_records") == 4


def test_the_same_training_twice_counts_once(computed):
    out, _, _ = computed
    # N3: 8 JP, not 16 -> 0.2; with 16 the March value would be (1 + 0.6 + 0.4)/3 x 100 = 66.67
    assert out.value("2024-03") == pytest.approx(60)
    assert out.component("2024-03", "n_training_records") == 4


def test_quarter_and_year_to_date(computed):
    out, windows, indicator = computed
    assert out.value("2024-Q1") == pytest.approx(60)
    assert out.value("2024") == pytest.approx(60)
    results, _ = base.finish(out, indicator, windows, 2024)
    year = results[results["period"] == "2024"].iloc[0]
    assert year["target"] == 100 and year["status"] == base.TIDAK_TERCAPAI
    assert year["as_of_month"] == "2024-03"


def test_year_end_everyone_at_40(catalog):
    windows = windows_to_date(Month(2024, 12), 5, "Asia/Jakarta")
    pns = snapshot([("2024-12", "N1", True), ("2024-12", "N2", True)])
    done = training([("N1", "A", "2024-06-01", 40, True), ("N2", "B", "2024-12-31", 32, True),
                     ("N2", "C", "2024-11-30", 8, True)])
    out = kompetensi.compute({kompetensi.PNS: pns, kompetensi.TRAINING: done}, windows,
                             catalog.indicator("kompetensi"))
    assert out.value("2024") == pytest.approx(100)
    assert out.component("2024", "share_reaching_40jp") == pytest.approx(100)
    assert out.value("2024-11") is None  # no snapshot at or before November


def test_no_population_is_no_data_and_no_training_is_zero(catalog):
    windows = windows_to_date(Month(2024, 1), 5, "Asia/Jakarta")
    indicator = catalog.indicator("kompetensi")
    empty = training([])
    out = kompetensi.compute({kompetensi.PNS: PNS.iloc[0:0], kompetensi.TRAINING: TRAINING}, windows, indicator)
    assert out.value("2024-01") is None
    out = kompetensi.compute({kompetensi.PNS: PNS, kompetensi.TRAINING: empty}, windows, indicator)
    assert out.value("2024-01") == 0.0  # a population that trained nothing is a real zero
