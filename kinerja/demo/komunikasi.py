"""Demo public-communication records (e-Kinerja): one row per Perangkat Daerah and month.

Most PDs run priority programs all year, a few only from April; strategies are compiled in
the first quarter and stay compiled; materials are published most months; crises are rare
and nearly always answered; netizen questions are mostly answered. Exported as XLSX with a
title row, booleans as ``ya``/``tidak``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kinerja.demo import DemoContext, Landing, defect_mask

EXTRACTS = ["ekinerja/komunikasi_publik"]
PDS = 40  # at scale 1
# Perangkat Daerah of the Provinsi DKI Jakarta with priority and strategic programs
PD_CODES = [
    "BAPPEDA", "BPKD", "BAPENDA", "BKD", "BPSDM", "INSPEKTORAT", "DISDIK", "DINKES", "DINSOS", "DISHUB",
    "DBM", "DSDA", "DLH", "DPRKP", "DCKTRP", "DISPAREKRAF", "DISPORA", "DPPAPP", "DUKCAPIL", "DPMPTSP",
    "DISNAKERTRANSGI", "DKPKP", "DPPKUKM", "DISKOMINFOTIK", "DISTAMHUT", "GULKARMAT", "SATPOLPP", "BPBD",
    "KESBANGPOL", "DISPUSIP", "BPPBJ", "BPAD", "DPE", "DISBUD", "BPBUMD", "SETWAN", "BIRO-PEM", "BIRO-KESRA",
    "BIRO-HUKUM", "BIRO-EKO",
]
YES_NO = {True: "ya", False: "tidak"}


def pd_codes(n: int) -> list[str]:
    return PD_CODES[:n] + [f"PD-{i:03d}" for i in range(len(PD_CODES) + 1, n + 1)]


def generate(ctx: DemoContext) -> list[Landing]:
    rng = ctx.rng("komunikasi")
    codes = pd_codes(ctx.count(PDS, minimum=12))
    n = len(codes)
    # priority program from month 1 (most), from April (a few), never (a few)
    start = rng.choice([1, 4, 13], size=n, p=[0.80, 0.10, 0.10])
    # strategy compiled in January, February or March after the program starts; a very few late
    compiled = np.maximum(start, rng.choice([1, 2, 3, 5], size=n, p=[0.70, 0.20, 0.08, 0.02]))
    out = []
    for m in ctx.months:
        k = m.month
        crises = rng.poisson(0.3, size=n)
        questions = rng.poisson(25, size=n)
        frame = pd.DataFrame({
            "month": str(m),
            "pd_code": codes,
            "has_priority_program": (start <= k),
            "strategy_compiled": (compiled <= k),
            "materials_published": rng.random(n) < 0.93,
            "crises": crises,
            "crises_responded": rng.binomial(crises, 0.95),
            "netizen_questions": questions,
            "netizen_answered": rng.binomial(questions, 0.96),
        })
        # a PD without a priority program reports nothing but the flag
        idle = ~frame["has_priority_program"]
        frame.loc[idle, ["crises", "crises_responded", "netizen_questions", "netizen_answered"]] = 0
        frame.loc[idle, "materials_published"] = False
        frame = frame.astype({c: object for c in ("has_priority_program", "strategy_compiled",
                                                   "materials_published")})
        for c in ("has_priority_program", "strategy_compiled", "materials_published"):
            frame[c] = frame[c].map(YES_NO)
        frame = frame.astype({c: object for c in ("crises", "crises_responded", "netizen_questions",
                                                   "netizen_answered")})
        bad = np.flatnonzero(defect_mask(rng, n, ctx.defect_rate))
        for j, i in enumerate(bad):
            kind = j % 4
            if kind == 0:
                frame.loc[i, "netizen_answered"] = frame.loc[i, "netizen_questions"] + 3  # more answered than asked
            elif kind == 1:
                frame.loc[i, "crises_responded"] = frame.loc[i, "crises"] + 1
            elif kind == 2:
                frame.loc[i, "materials_published"] = "belum"  # not a yes/no
            else:
                frame.loc[i, "netizen_questions"] = -1
        if rng.random() < ctx.defect_rate * n:  # now and then a PD row exported twice
            frame = pd.concat([frame, frame.iloc[[int(rng.integers(0, n))]]], ignore_index=True)
        out.append(Landing("ekinerja/komunikasi_publik", m, frame, "xlsx"))
    return out
