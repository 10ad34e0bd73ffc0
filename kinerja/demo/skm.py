"""Demo SKM survey responses: BKD and six Suku Badan, answers mostly 3-4, some blanks."""

from __future__ import annotations

import numpy as np
import pandas as pd

from kinerja.demo import DemoContext, Landing, defect_mask

EXTRACTS = ["ekinerja/skm_responses"]
RESPONSES_PER_YEAR = 60_000  # at scale 1


def generate(ctx: DemoContext) -> list[Landing]:
    rng = ctx.rng("skm")
    rules = ctx.catalog.indicator("skm").rules
    units = [u["code"] for u in rules["units"]]
    elements = rules["elements"]
    weights = np.array([u.get("population") or 100 for u in rules["units"]], dtype=float)
    weights /= weights.sum()
    out, seq = [], 0
    for m in ctx.months:
        n = ctx.count(RESPONSES_PER_YEAR / 12, minimum=20)
        unit = rng.choice(units, size=n, p=weights)
        day = rng.integers(1, m.last_day.day + 1, size=n)
        # each unit has its own service quality that drifts a little over the year
        quality = {u: 0.70 + 0.08 * rng.random() for u in units}
        top = np.array([quality[u] for u in unit])
        answers = np.where(rng.random((n, len(elements))) < top[:, None], 4,
                           rng.choice([1, 2, 3], size=(n, len(elements)), p=[0.03, 0.12, 0.85]))
        frame = pd.DataFrame(answers, columns=elements).astype("Int64")
        blanks = rng.random((n, len(elements))) < 0.02
        frame = frame.mask(blanks)
        frame.insert(0, "response_id", [f"SKM-{ctx.year}-{seq + i:07d}" for i in range(n)])
        frame.insert(1, "unit_code", unit)
        frame.insert(2, "submitted_on", [f"{m.year}-{m.month:02d}-{d:02d}" for d in day])
        seq += n
        bad = np.flatnonzero(defect_mask(rng, n, ctx.defect_rate))
        for k, i in enumerate(bad):
            kind = k % 3
            if kind == 0:
                frame.loc[i, "u3"] = 5  # out of range
            elif kind == 1:
                frame.loc[i, elements] = pd.NA  # every element blank
            else:
                frame.loc[i, "unit_code"] = "SUBAN-XX"  # unknown unit
        out.append(Landing("ekinerja/skm_responses", m, frame, "csv"))
    return out
