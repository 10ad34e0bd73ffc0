"""Demo e-Inventarisasi: the month-end progress of every UPB in the BMD inventory (Peralatan dan Mesin).

Each UPB drafts its preparation documents early in the year, enters its items
in the worksheet from about April to November (a few enter more than the
register holds), and signs the closing documents once the entry is done.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kinerja.demo import DemoContext, Landing
from kinerja.demo.personnel import UNITS, defect_groups

EXTRACTS = ["einventarisasi/bmd_progress"]
UPB = 2_000  # at scale 1
NEVER = 99.0  # a month that does not come


def upbs(ctx: DemoContext, rng: np.random.Generator) -> pd.DataFrame:
    """Every UPB with the months its documents are done and its entry schedule."""
    n = ctx.count(UPB, minimum=40)
    weights = np.array(list(UNITS.values()))
    pd_code = np.array(list(UNITS))[rng.choice(len(UNITS), size=n, p=weights / weights.sum())]
    seq = pd.Series(pd_code).groupby(pd_code).cumcount() + 1
    owned = np.round(rng.lognormal(np.log(250), 1.0, size=n)).astype(int)
    owned[(rng.random(n) < 0.005) | (np.arange(n) == rng.integers(n))] = 0  # UPBs without Peralatan dan Mesin
    sk_tim = rng.choice([1, 2, 3, 4], size=n, p=[0.45, 0.45, 0.10, 0.0]).astype(float)
    ruangan = sk_tim + rng.integers(0, 2, size=n)
    daftar_bmd = ruangan + rng.integers(0, 2, size=n) * (rng.random(n) < 0.5)
    entry_start = rng.uniform(2.3, 3.5, size=n)
    entry_done = np.minimum(rng.normal(10.4, 0.5, size=n), 13.0)
    finished = np.where(entry_done <= 12, np.ceil(entry_done), NEVER)
    berita_acara = finished + rng.choice([0, 0, 0, 1], size=n)
    return pd.DataFrame({
        "upb_code": [f"{p}.{s:04d}" for p, s in zip(pd_code, seq, strict=True)],
        "pd_code": pd_code,
        "items_owned": owned,
        "over_entry": np.where(rng.random(n) < 0.03, 1.02, 1.0),  # items found that the register lacks
        "sk_tim": sk_tim, "daftar_ruangan": ruangan, "daftar_bmd": daftar_bmd,
        "entry_start": entry_start, "entry_done": entry_done,
        "berita_acara": berita_acara,
        "sptjm": berita_acara + rng.choice([0, 0, 0, 1], size=n),
        "lhi": berita_acara + rng.choice([0, 0, 1], size=n),
    })


def progress(upb: pd.DataFrame, month: int) -> pd.DataFrame:
    """The e-Inventarisasi export at the end of ``month``."""
    share = np.clip((month - upb["entry_start"]) / (upb["entry_done"] - upb["entry_start"]), 0, 1) ** 1.5
    entered = np.floor(share * upb["items_owned"] * upb["over_entry"]).astype(int)

    def done(col: str) -> np.ndarray:
        return np.where(upb[col] <= month, "ya", "tidak")

    return pd.DataFrame({
        "snapshot_month": "",
        "upb_code": upb["upb_code"], "pd_code": upb["pd_code"],
        "sk_tim": done("sk_tim"), "daftar_ruangan": done("daftar_ruangan"), "daftar_bmd": done("daftar_bmd"),
        "items_owned": upb["items_owned"], "items_entered": entered,
        "berita_acara": done("berita_acara"), "sptjm": done("sptjm"), "lhi": done("lhi"),
    })


def _defects(rng: np.random.Generator, frame: pd.DataFrame, rate: float) -> pd.DataFrame:
    negative, not_bool, no_pd, twice = defect_groups(rng, len(frame), rate, 4)
    frame.loc[negative, "items_entered"] = -frame.loc[negative, "items_entered"] - 1  # a negative count
    frame.loc[not_bool, "sk_tim"] = "proses"  # not a yes/no
    frame.loc[no_pd, "pd_code"] = None
    return pd.concat([frame, frame.loc[twice]], ignore_index=True)  # the same UPB twice: both quarantined


def generate(ctx: DemoContext) -> list[Landing]:
    rng = ctx.rng("bmd")
    upb = upbs(ctx, rng)
    out = []
    for m in ctx.months:
        frame = progress(upb, m.month)
        frame["snapshot_month"] = str(m)
        out.append(Landing("einventarisasi/bmd_progress", m, _defects(rng, frame, ctx.defect_rate), "xlsx"))
    return out
