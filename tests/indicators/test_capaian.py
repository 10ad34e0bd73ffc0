import pytest

from kinerja.catalog import load_catalog
from kinerja.indicators.base import capaian, status


def test_capaian_higher_is_better_uncapped():
    assert capaian(47.0, 94.0, "higher") == pytest.approx(50.0)
    assert capaian(103.4, 94.0, "higher") == pytest.approx(110.0)  # 103.4 / 94 = 1.1, not capped


def test_capaian_lower_is_better():
    # (2 - 80/100) x 100 = 120
    assert capaian(80.0, 100.0, "lower") == pytest.approx(120.0)
    assert capaian(120.0, 100.0, "lower") == pytest.approx(80.0)


@pytest.mark.parametrize("target", [None, 0.0])
def test_capaian_is_null_without_a_usable_target(target):
    assert capaian(50.0, target, "higher") is None


def test_status_of_every_kind():
    assert status(94.0, 94.0, "higher") == "tercapai"
    assert status(93.99, 94.0, "higher") == "tidak tercapai"
    assert status(90.0, 94.0, "lower") == "tercapai"
    assert status(50.0, None, "higher") == "tanpa target"
    assert status(None, 94.0, "higher") == "tidak ada data"
    assert status(float("nan"), None, "higher") == "tidak ada data"


def test_catalog_keeps_na_targets_and_reads_every_indicator():
    catalog = load_catalog(2024)
    assert sorted(catalog.indicators) == list(range(1, 15))
    merit = catalog.indicators[1]
    assert merit.targets == {"Q1": None, "Q2": None, "Q3": None, "Q4": 319.53, "year": 319.53}
    assert catalog.indicators[7].targets["Q2"] == 30.0 and catalog.indicators[7].targets["Q3"] is None
    assert catalog.indicators[3].target_for("quarter", 1) == 94.0
    assert catalog.indicators[3].target_for("month", None) is None
    assert len(catalog.action_plan) == 10


@pytest.mark.parametrize(("value", "band"), [
    (88.31, "A Sangat Baik"), (88.305, "A Sangat Baik"),  # rounded to 88.31 first
    (88.3049, "B Baik"), (76.61, "B Baik"), (76.6049, "C Kurang Baik"),
    (65.00, "C Kurang Baik"), (64.994, "D Tidak Baik"), (100.0, "A Sangat Baik"),
])
def test_skm_mutu_bands_at_their_edges(value, band):
    assert load_catalog(2024).indicator("skm").category(value) == band


@pytest.mark.parametrize(("value", "band"), [
    (325.0, "IV Sangat Baik"), (324.99, "III Baik"), (250.0, "III Baik"), (249.999, "II Kurang"),
    (175.0, "II Kurang"), (174.99, "I Buruk"), (100.0, "I Buruk"),
])
def test_merit_bands(value, band):
    assert load_catalog(2024).indicator("merit").category(value) == band


def test_no_band_without_a_value():
    assert load_catalog(2024).indicator("skm").category(None) is None
