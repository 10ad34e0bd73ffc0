"""Indicator 1: the merit-system index (*Indeks sistem merit*), 100-400.

Input: the Si PINTER self-assessment, a score per sub-aspect of the 8 aspects.
Aspect score = mean of its in-scope sub-aspects (scope and weights: catalog
rule ``aspects``); index = ``index_scale`` x sum(weight x aspect score). An
aspect with no in-scope score leaves the index without data, never a partial sum.

Window (snapshot): the PK year's assessment as currently staged. The
assessment is dated by its ``year``, not by the file that carried it, so every
window of the PK year uses the latest staged score of each sub-aspect; a
correction restates the periods before it (SPEC section 2).

Its whole story: the decisions in docs/decisions/personnel.md, section "Indicator 1, merit"; the
catalog entry ``merit`` in catalog/pk-2024.toml; the extract ``sipinter/merit_assessment``
(schemas/merit_assessment.py); the tests in tests/indicators/test_merit.py.
"""

from __future__ import annotations

import pandas as pd

from kinerja.catalog import Indicator
from kinerja.indicators.base import ALL, Computed
from kinerja.periods import Window

CODE = "merit"
EXTRACT = "sipinter/merit_assessment"


def in_scope(assessment: pd.DataFrame, aspects: list[dict]) -> pd.DataFrame:
    """The rows of in-scope sub-aspects: every sub-aspect of an ``all`` aspect, else the listed ones."""
    keep = pd.Series(False, index=assessment.index)
    for aspect in aspects:  # the catalog's few aspects, not the rows
        scope = aspect["sub_aspects"]
        hit = assessment["aspect"] == aspect["no"]
        if scope != "all":
            if not isinstance(scope, list):
                raise ValueError(f"merit aspect {aspect['no']}: sub_aspects must be 'all' or a list, got {scope!r}")
            hit &= assessment["sub_aspect"].isin(scope)
        keep |= hit.fillna(False).astype(bool)
    return assessment[keep]


def aspect_scores(assessment: pd.DataFrame, aspects: list[dict]) -> dict[int, float | None]:
    """Mean in-scope score per aspect number; None for an aspect without any in-scope score."""
    means = in_scope(assessment, aspects).groupby("aspect")["score"].mean()
    return {a["no"]: (float(means[a["no"]]) if a["no"] in means.index else None) for a in aspects}


def merit_index(scores: dict[int, float | None], aspects: list[dict], scale: float) -> float | None:
    """``scale`` x sum(weight x aspect score); None as soon as one aspect has no score."""
    if any(scores[a["no"]] is None for a in aspects):
        return None
    return scale * sum(a["weight"] * scores[a["no"]] for a in aspects)


def compute(inputs: dict[str, pd.DataFrame], windows: list[Window], indicator: Indicator) -> Computed:
    rules = indicator.rules
    aspects = rules["aspects"]
    staged = inputs[EXTRACT]
    out = Computed()
    for year in sorted({w.start.year for w in windows}):
        assessment = staged[staged["year"] == year]
        scores = aspect_scores(assessment, aspects)
        value = merit_index(scores, aspects, rules["index_scale"])
        n_rows = len(in_scope(assessment, aspects))
        components = {f"aspect_{no}": score for no, score in scores.items()}
        for w in windows:
            if w.start.year == year:
                out.add(w, value, n_rows, ALL, components)
    return out
