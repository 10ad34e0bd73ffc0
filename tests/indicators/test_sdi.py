"""SDI data-quality score (indicator 5), hand-computed.

Collection deadline: 5th of the month after release, 23:59:59 WIB; correction deadline: the 20th.
D1 (P1, released 10 Mar): v1 at 5 Apr 23:59:59 WIB (on time, incomplete); v2 on 15 Apr (before the
    20th) complete, unique, validated -> passes all four.
D2 (P1, released 20 Mar): v1 at 2024-04-05T17:00:01+00:00 = 6 Apr 00:00:01 WIB (late), complete,
    2 duplicate key rows, validated; v2 on 21 Apr (after the 20th: ignored) -> timely no,
    complete yes, unique no, valid yes.
D3 (P2, released 31 Mar): never submitted -> fails all four.
D4 (P2, released 15 Feb): v1 on 1 Mar, all good -> passes all four.
March: due D1, D2, D3: 1/3 + 2/3 + 1/3 + 2/3 = 2.0;  P1: 1/2 + 1 + 1/2 + 1 = 3.0;  P2: 0.
February: D4 -> 4.0.  Q1: D1-D4: 2/4 + 3/4 + 2/4 + 3/4 = 2.5.  January: nothing due -> no value.
"""

import pandas as pd
import pytest

from kinerja import parsing
from kinerja.indicators import base, sdi
from kinerja.periods import Month, windows_to_date

TZ = "Asia/Jakarta"

DAFTAR = pd.DataFrame({
    "dataset_id": ["D1", "D2", "D3", "D4"],
    "producer_pd": ["P1", "P1", "P2", "P2"],
    "title": ["a", "b", "c", "d"],
    "key_variables": ["k", "k", "k", "k"],
    "release_date": pd.to_datetime(["2024-03-10", "2024-03-20", "2024-03-31", "2024-02-15"]).astype(
        "datetime64[us]"),
})


def submissions(rows):
    df = pd.DataFrame(rows, columns=["dataset_id", "version", "submitted_at", "components_complete",
                                     "duplicate_key_rows", "validated"])
    df["submitted_at"], bad = parsing.parse_datetime(df["submitted_at"], TZ)
    assert not bad.any()
    return df


SUBS = submissions([
    ("D1", 1, "2024-04-05 23:59:59", False, 0, True),
    ("D1", 2, "2024-04-15 10:00", True, 0, True),
    ("D2", 1, "2024-04-05T17:00:01+00:00", True, 2, True),
    ("D2", 2, "2024-04-21 08:00", True, 0, True),
    ("D4", 1, "2024-03-01 09:00", True, 0, True),
])


@pytest.fixture
def computed(catalog):
    windows = windows_to_date(Month(2024, 3), 5, TZ)
    out = sdi.compute({sdi.DAFTAR: DAFTAR, sdi.SUBMISSIONS: SUBS}, windows, catalog.indicator("sdi"))
    return out, windows


def test_dataset_flags_follow_the_deadlines():
    flags = sdi.dataset_flags(DAFTAR, SUBS, 5, 20, TZ).set_index("dataset_id")
    assert flags.loc["D1", list(sdi.ASPECTS)].tolist() == [True, True, True, True]
    assert flags.loc["D2", list(sdi.ASPECTS)].tolist() == [False, True, False, True]
    assert flags.loc["D3", list(sdi.ASPECTS)].tolist() == [False, False, False, False]
    assert flags.loc["D4", list(sdi.ASPECTS)].tolist() == [True, True, True, True]


def test_month_value_is_the_sum_of_the_four_ratios(computed):
    out, _ = computed
    assert out.value("2024-03") == pytest.approx(2.0)
    assert out.component("2024-03", "ketepatan_waktu") == pytest.approx(1 / 3)
    assert out.component("2024-03", "kelengkapan") == pytest.approx(2 / 3)
    assert out.component("2024-03", "keunikan") == pytest.approx(1 / 3)
    assert out.component("2024-03", "validitas") == pytest.approx(2 / 3)
    assert out.component("2024-03", "n_due") == 3
    assert out.value("2024-02") == pytest.approx(4.0)
    assert out.value("2024-Q1") == pytest.approx(2.5)


def test_breakdown_per_producer(computed):
    out, _ = computed
    assert out.value("2024-03", "P1") == pytest.approx(3.0)
    assert out.value("2024-03", "P2") == pytest.approx(0.0)
    assert out.value("2024-Q1", "P2") == pytest.approx(2.0)  # D3 fails, D4 passes: 4 x 1/2


def test_nothing_due_means_no_data(computed, catalog):
    out, windows = computed
    assert out.value("2024-01") is None
    results, _ = base.finish(out, catalog.indicator("sdi"), windows, 2024)
    jan = results[(results["period"] == "2024-01") & (results["unit_code"] == "ALL")].iloc[0]
    assert jan["status"] == "tidak ada data"
    year = results[(results["period"] == "2024") & (results["unit_code"] == "ALL")].iloc[0]
    assert year["target"] == 3.25
    assert year["capaian_pct"] == pytest.approx(2.5 / 3.25 * 100)
    q1 = results[(results["period"] == "2024-Q1") & (results["unit_code"] == "ALL")].iloc[0]
    assert q1["status"] == "tanpa target"  # TW I target is N/A


def test_a_correction_after_the_20th_is_ignored_but_one_before_counts(catalog):
    windows = windows_to_date(Month(2024, 3), 5, TZ)
    only_v1 = SUBS[SUBS["version"] == 1]
    out = sdi.compute({sdi.DAFTAR: DAFTAR, sdi.SUBMISSIONS: only_v1}, windows, catalog.indicator("sdi"))
    # without D1's v2, D1 is incomplete: March completeness drops from 2/3 to 1/3 -> value 5/3
    assert out.value("2024-03") == pytest.approx(5 / 3)
    # D2's v2 (after the 20th) never mattered: uniqueness stays 1/3 either way
    assert out.component("2024-03", "keunikan") == pytest.approx(1 / 3)
