"""Demo Si PINTER: the merit-system self-assessment, exported with every year it holds whenever it changes
(the extract lands on change: catalog ``[cadence]``).

Last year's verified assessment lands in January; this year's draft
(aspects 1-7) in March, the complete self-assessment in May, and the
scores verified by KASN (some lowered) in September. Other months have no file.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kinerja.demo import DemoContext, Landing
from kinerja.demo.personnel import defect_groups

EXTRACTS = ["sipinter/merit_assessment"]
# The Si PINTER instrument's verified scores of this year, sub-aspect by sub-aspect (aspects 1-8).
VERIFIED = {
    1: [4, 3, 3, 3],
    2: [4, 3, 4, 2, 3, 1],
    3: [3, 3, 4, 3, 3, 3, 2, 1, 2, 3],
    4: [3, 3, 3, 4, 3],
    5: [3, 4, 3, 3, 3],
    6: [3, 3, 4, 3],
    7: [3, 3, 3, 3],
    8: [4, 3, 3],
}
DRAFT_MONTH, SELF_ASSESSED_MONTH, VERIFIED_MONTH = 3, 5, 9


def _rows(year: int, scores: dict[int, list[int]], names: dict[int, str]) -> pd.DataFrame:
    rows = [(year, a, names.get(a, ""), s, score) for a, subs in scores.items() for s, score in enumerate(subs, 1)]
    return pd.DataFrame(rows, columns=["year", "aspect", "aspect_name", "sub_aspect", "score"])


def _shift(rng: np.random.Generator, scores: dict[int, list[int]], step: int, share: float) -> dict[int, list[int]]:
    return {a: [int(np.clip(s + step * (rng.random() < share), 1, 4)) for s in subs] for a, subs in scores.items()}


def generate(ctx: DemoContext) -> list[Landing]:
    rng = ctx.rng("merit")
    names = {a["no"]: a["name"] for a in ctx.catalog.indicator("merit").rules["aspects"]}
    last_year = _rows(ctx.year - 1, _shift(rng, VERIFIED, -1, 0.3), names)
    self_assessed = _shift(rng, VERIFIED, +1, 0.2)  # verification lowers some self-assessed scores
    draft = {a: s for a, s in self_assessed.items() if a != max(self_assessed)}  # Sistem Informasi not yet filled
    out = []
    for m in ctx.months:
        if m.month not in (1, DRAFT_MONTH, SELF_ASSESSED_MONTH, VERIFIED_MONTH):
            continue  # nothing changed: no export
        if m.month >= VERIFIED_MONTH:
            this_year = _rows(ctx.year, VERIFIED, names)
        elif m.month >= SELF_ASSESSED_MONTH:
            this_year = _rows(ctx.year, self_assessed, names)
        elif m.month >= DRAFT_MONTH:
            this_year = _rows(ctx.year, draft, names)
        else:
            this_year = _rows(ctx.year, {}, names)
        frame = pd.concat([last_year, this_year], ignore_index=True)
        out_of_range, twice = defect_groups(rng, len(frame), ctx.defect_rate, 2)
        frame.loc[out_of_range, "score"] = 5
        frame = pd.concat([frame, frame.loc[twice]], ignore_index=True)  # exported twice: both quarantined
        out.append(Landing("sipinter/merit_assessment", m, frame, "xlsx"))
    return out
