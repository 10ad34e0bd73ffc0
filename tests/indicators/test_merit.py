"""Merit-system index (indicator 1), hand-computed.

Assessment 2024 (catalog scope in brackets):
  aspect 1 Perencanaan Kebutuhan (all)   subs 1-3: 4, 3, 2              -> 3
  aspect 2 Pengadaan (1, 2, 3, 5)        subs 1-5: 4, 4, 3, [4: 1], 3    -> (4+4+3+3)/4 = 3.5
                                         (sub-aspect 4 out of scope; counted it would give 15/5 = 3)
  aspect 3 Pengembangan Karir (1-6, 10)  subs 1-6: 3 each, [7: 1], 10: 4 -> (18+4)/7 = 22/7
  aspect 4 Promosi dan Mutasi (all)      2, 4 -> 3
  aspect 5 Manajemen Kinerja (all)       4    -> 4
  aspect 6 Penggajian ... (all)          3, 3 -> 3
  aspect 7 Perlindungan ... (all)        2    -> 2
  aspect 8 Sistem Informasi (all)        4, 3 -> 3.5
Index = 100 x (0.1x3 + 0.1x3.5 + 0.3x22/7 + 0.1x3 + 0.2x4 + 0.1x3 + 0.04x2 + 0.06x3.5)
      = 100 x (0.3 + 0.35 + 6.6/7 + 0.3 + 0.8 + 0.3 + 0.08 + 0.21) = 100 x 3.2828571... = 328.2857142...
Category IV Sangat Baik (325-400). A 2023 row (aspect 1 sub 1 score 1) belongs to another year: ignored.
"""

import pandas as pd
import pytest

from kinerja.indicators import base, merit
from kinerja.periods import Month, windows_to_date

INDEX = 100 * (0.1 * 3 + 0.1 * 3.5 + 0.3 * 22 / 7 + 0.1 * 3 + 0.2 * 4 + 0.1 * 3 + 0.04 * 2 + 0.06 * 3.5)

SCORES = {
    1: {1: 4, 2: 3, 3: 2},
    2: {1: 4, 2: 4, 3: 3, 4: 1, 5: 3},
    3: {1: 3, 2: 3, 3: 3, 4: 3, 5: 3, 6: 3, 7: 1, 10: 4},
    4: {1: 2, 2: 4},
    5: {1: 4},
    6: {1: 3, 2: 3},
    7: {1: 2},
    8: {1: 4, 2: 3},
}


def staged(scores: dict[int, dict[int, int]], year: int = 2024, landing: str = "2024-05") -> pd.DataFrame:
    rows = [{"year": year, "aspect": a, "sub_aspect": s, "score": v, "_landing_month": landing}
            for a, subs in scores.items() for s, v in subs.items()]
    df = pd.DataFrame(rows, columns=["year", "aspect", "sub_aspect", "score", "_landing_month"])
    return df.astype({"year": "Int64", "aspect": "Int64", "sub_aspect": "Int64", "score": "Int64"})


DECEMBER = Month(2024, 12)


def run(catalog, data: pd.DataFrame, as_of: Month = DECEMBER):
    windows = windows_to_date(as_of, 5, "Asia/Jakarta")
    indicator = catalog.indicator("merit")
    return merit.compute({merit.EXTRACT: data}, windows, indicator), windows, indicator


def test_index_weights_in_scope_sub_aspects_only(catalog):
    last_year = staged({1: {1: 1}}, year=2023)
    out, _, _ = run(catalog, pd.concat([staged(SCORES), last_year], ignore_index=True))
    assert pytest.approx(328.2857142857143) == INDEX  # the arithmetic in the docstring
    assert out.value("2024") == pytest.approx(INDEX)
    assert out.component("2024", "aspect_1") == pytest.approx(3.0)   # the 2023 score 1 is not mixed in
    assert out.component("2024", "aspect_2") == pytest.approx(3.5)   # sub-aspect 4 ignored
    assert out.component("2024", "aspect_3") == pytest.approx(22 / 7)  # sub-aspect 7 ignored
    assert out.component("2024", "aspect_8") == pytest.approx(3.5)
    # in-scope rows: 3 + 4 + 7 + 2 + 1 + 2 + 1 + 2 = 22 of the 24 of 2024
    assert next(r["n_source_rows"] for r in out.values if r["period"] == "2024") == 22


def test_an_out_of_scope_score_changes_nothing(catalog):
    changed = {**SCORES, 2: {**SCORES[2], 4: 4}, 3: {**SCORES[3], 7: 4, 8: 4}}
    out, _, _ = run(catalog, staged(changed))
    assert out.value("2024") == pytest.approx(INDEX)


def test_snapshot_every_window_of_the_year_uses_the_staged_assessment(catalog):
    out, windows, indicator = run(catalog, staged(SCORES))
    assert [out.value(w.period) for w in windows] == pytest.approx([INDEX] * len(windows))
    results, comps = base.finish(out, indicator, windows, 2024)
    year = results[results["period"] == "2024"].iloc[0]
    assert year["category"] == "IV Sangat Baik"
    assert year["status"] == base.TERCAPAI and year["target"] == 319.53
    q3 = results[results["period"] == "2024-Q3"].iloc[0]
    assert q3["status"] == base.TANPA_TARGET  # TW I-III carry N/A
    assert len(comps[comps["period"] == "2024"]) == 8  # the 8 aspect scores


def test_an_aspect_without_an_in_scope_score_leaves_the_index_without_data(catalog):
    no_aspect_7 = {a: s for a, s in SCORES.items() if a != 7}
    out, windows, indicator = run(catalog, staged(no_aspect_7))
    assert out.value("2024") is None  # never the partial sum of seven aspects
    assert out.component("2024", "aspect_7") is None
    assert out.component("2024", "aspect_1") == pytest.approx(3.0)  # the others are still shown
    results, _ = base.finish(out, indicator, windows, 2024)
    assert set(results["status"]) == {base.TIDAK_ADA_DATA}


def test_an_aspect_with_only_out_of_scope_scores_has_no_score(catalog):
    only_sub_4 = {**SCORES, 2: {4: 4, 6: 4}}  # Pengadaan scored only on sub-aspects outside 1, 2, 3, 5
    out, _, _ = run(catalog, staged(only_sub_4))
    assert out.component("2024", "aspect_2") is None
    assert out.value("2024") is None


def test_category_bands(catalog):
    # Kategori: IV 325-400, III 250-<325, II 175-<250, I 100-<175
    ind = catalog.indicator("merit")
    assert [ind.category(v) for v in (400, 325, 324.99, 250, 249.99, 175, 174.99, 100)] == [
        "IV Sangat Baik", "IV Sangat Baik", "III Baik", "III Baik", "II Kurang", "II Kurang", "I Buruk", "I Buruk"]


def test_no_assessment_of_the_pk_year_is_no_data(catalog):
    out, windows, _ = run(catalog, staged(SCORES, year=2023), as_of=Month(2024, 2))
    assert [out.value(w.period) for w in windows] == [None] * len(windows)
