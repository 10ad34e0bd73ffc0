"""The catalog directory is a setting (``KINERJA_CATALOG_DIR``, default the project's ``catalog/``): a
second year's agreement is a new file there, and the results follow it with no code change. A malformed
catalog is refused with its file, key and reason before anything runs (exit status 2)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kinerja import demo, pipeline, warehouse
from kinerja.catalog import CATALOG_ENV, catalog_dir, load_catalog
from kinerja.cli import EXIT_USAGE, main
from kinerja.paths import CATALOG_DIR
from kinerja.periods import Month

PK_2024 = (CATALOG_DIR / "pk-2024.toml").read_text(encoding="utf-8")


def _without_indicator(text: str, no: int) -> str:
    """The catalog text without the ``[[indicator]]`` block of indicator ``no``."""
    blocks = re.split(r"(?m)^(?=\[\[indicator\]\]$|# -{10,})", text)
    kept = [b for b in blocks if not (b.startswith("[[indicator]]") and re.search(rf"(?m)^no = {no}$", b))]
    assert len(kept) == len(blocks) - 1
    return "".join(kept)


def pk_2025() -> str:
    """The 2024 agreement as next year's: other targets for indicator 4, indicator 13 removed."""
    text = PK_2024.replace("pk_year = 2024", "pk_year = 2025")
    text = text.replace('targets = { Q1 = 100, Q2 = 100, Q3 = 100, Q4 = 100, year = 100 }\n[indicator.rules]\n'
                        'weights', 'targets = { Q1 = 60, Q2 = 70, Q3 = 80, Q4 = 90, year = 90 }\n[indicator.rules]\n'
                        'weights', 1)
    return _without_indicator(text, 13)


@pytest.fixture
def catalog_2025(tmp_path, monkeypatch) -> Path:
    directory = tmp_path / "catalogs"
    directory.mkdir()
    (directory / "pk-2025.toml").write_text(pk_2025(), encoding="utf-8")
    monkeypatch.setenv(CATALOG_ENV, str(directory))
    return directory


def test_the_default_is_the_projects_catalog_directory(monkeypatch):
    monkeypatch.delenv(CATALOG_ENV, raising=False)
    assert catalog_dir() == CATALOG_DIR
    assert load_catalog(2024).pk_year == 2024


def test_a_second_years_catalog_from_another_directory_drives_the_results(catalog_2025, tmp_path):
    catalog = load_catalog(2025)
    assert catalog.indicator("komunikasi").targets == {"Q1": 60.0, "Q2": 70.0, "Q3": 80.0, "Q4": 90.0,
                                                       "year": 90.0}
    assert sorted(catalog.indicators) == [n for n in range(1, 15) if n != 13]
    landing = tmp_path / "landing"
    demo.generate(landing, 2025, seed=3, scale=0.01)
    engine = warehouse.create_engine(f"sqlite:///{tmp_path / 'wh.db'}")
    try:
        for m in (Month(2025, 1), Month(2025, 2)):
            run = pipeline.run_month(engine, catalog, landing, m, f"run-{m}")
            assert run.message is None, run.message
        results = warehouse.query(engine, "SELECT indicator_no, unit_code, period, value, target, capaian_pct, "
                                          "status FROM indicator_result WHERE pk_year = 2025")
        targets = warehouse.query(engine, "SELECT indicator_no, period, target FROM indicator_target "
                                          "WHERE pk_year = 2025")
        indicators = warehouse.query(engine, "SELECT indicator_no FROM indicator WHERE pk_year = 2025")
    finally:
        engine.dispose()
    assert sorted(indicators["indicator_no"]) == [n for n in range(1, 15) if n != 13]
    assert 13 not in set(results["indicator_no"]) and 13 not in set(targets["indicator_no"])
    assert "crm/pengaduan" not in {e.id for e in pipeline.needed_extracts(catalog)}
    q1 = results[(results["indicator_no"] == 4) & (results["period"] == "2025-Q1")
                 & (results["unit_code"] == "ALL")].iloc[0]
    # the 2025 target of TW I is 60: capaian = value / 60 x 100, tercapai from 60 on
    assert q1["target"] == 60
    assert q1["capaian_pct"] == pytest.approx(q1["value"] / 60 * 100)
    assert q1["status"] == ("tercapai" if q1["value"] >= 60 else "tidak tercapai")
    year_target = targets[(targets["indicator_no"] == 4) & (targets["period"] == "2025")]["target"]
    assert year_target.tolist() == [90]


BROKEN = {
    "an unknown window kind": (lambda t: t.replace('window = "snapshot"', 'window = "weekly"', 1),
                               "pk-2025.toml: indicator 1 (merit).window: unknown window kind 'weekly'"),
    "a cadence that is no cadence": (
        lambda t: t.replace('"crm/pengaduan" = "monthly"', '"crm/pengaduan" = "weekly"'),
        'pk-2025.toml: cadence."crm/pengaduan": must be one of monthly, on_change, got \'weekly\''),
    "an extract without a cadence": (
        lambda t: t.replace('"simpeg/pns_snapshot" = "monthly"\n', ""),
        'pk-2025.toml: cadence."simpeg/pns_snapshot": missing (indicator 2 needs the extract'),
    "an unknown extract": (
        lambda t: t.replace('extracts = ["ekinerja/arahan_gubernur"]', 'extracts = ["ekinerja/arahan"]').replace(
            "[cadence]\n", '[cadence]\n"ekinerja/arahan" = "monthly"\n'),
        "pk-2025.toml: indicator 12 (arahan_gubernur).extracts: unknown extract 'ekinerja/arahan'"),
    "a deadline day that not every month has": (
        lambda t: t.replace("collection_deadline_day = 5", "collection_deadline_day = 31"),
        "pk-2025.toml: agreement.collection_deadline_day: must be a day of the month from 1 to 28, got 31"),
    "a target that is no number": (
        lambda t: t.replace("Q4 = 319.53", 'Q4 = "tinggi"'),
        "pk-2025.toml: indicator 1 (merit).targets.Q4: target must be a number or 'N/A', got 'tinggi'"),
    "another year inside": (lambda t: t.replace("pk_year = 2025", "pk_year = 2024"),
                            "pk-2025.toml: agreement.pk_year: is 2024, but the file is for 2025"),
    "no TOML": (lambda t: t.replace("[agreement]", "[agreement"), "pk-2025.toml: not valid TOML: "),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_a_malformed_catalog_is_refused_with_file_key_and_reason(case, catalog_2025, tmp_path, capsys):
    break_it, expected = BROKEN[case]
    path = catalog_2025 / "pk-2025.toml"
    broken = break_it(pk_2025())
    assert broken != pk_2025()
    path.write_text(broken, encoding="utf-8")
    landing = tmp_path / "landing"
    landing.mkdir()
    for argv in (["run", "--period", "2025-03"], ["backfill", "--from", "2025-01", "--to", "2025-02"],
                 ["status", "--period", "2025-03"], ["demo", "--year", "2025"]):
        code = main([*argv, "--landing", str(landing), "--warehouse", f"sqlite:///{tmp_path / 'wh.db'}"])
        err = capsys.readouterr().err
        assert code == EXIT_USAGE, (argv, err)
        assert expected in err, (argv, err)
        assert str(path) in err
    assert not (tmp_path / "wh.db").exists()  # refused before anything ran
    assert list(landing.iterdir()) == []
