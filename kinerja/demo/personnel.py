"""Demo SIMPEG PNS snapshots and Simdiklat training records of a provincial civil service.

One population (about 65,000 PNS at scale 1) serves both extracts, built once in
``ctx.shared`` (:func:`population`). NIPs are realistic: birth date yyyymmdd,
appointment (TMT CPNS) yyyymm, sex 1/2, a three-digit sequence. Over the year
PNS born in 1966 retire the month after turning 58, the CPNS of 2023 become PNS
in July, a few go on leave, degrees are recognised (*pencantuman gelar*), the
semester SKP predicates arrive in July and discipline penalties are imposed.
Training: course runs with their JP, each attended by many PNS, recorded in the
file of the month they end (some a month late, a few verified only later), and
some records of NIPs outside the population (other agencies, PPPK, retirees).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kinerja.demo import DemoContext, Landing, defect_mask
from kinerja.periods import Month

EXTRACTS = ["simpeg/pns_snapshot", "simdiklat/training"]
PNS = 65_000  # in each monthly snapshot, at scale 1
TRAINING_PER_YEAR = 1_200_000  # at scale 1
COURSE_RUNS = 9_000  # at scale 1
RETIREMENT_AGE = 58  # batas usia pensiun (administrative positions)

# Perangkat Daerah of DKI Jakarta with their rough share of PNS (schools and health centres dominate).
UNITS = {
    "DISDIK": 0.36, "DINKES": 0.12, "SATPOLPP": 0.04, "DISHUB": 0.04, "DLH": 0.05, "DSDA": 0.03,
    "DBM": 0.02, "DPRKP": 0.01, "DCKTRP": 0.01, "DISPARBUD": 0.01, "DISPORA": 0.008, "DINSOS": 0.015,
    "DUKCAPIL": 0.015, "DPMPTSP": 0.015, "GULKARMAT": 0.03, "DKPKP": 0.01, "DPPAPP": 0.008,
    "DISNAKERTRANSGI": 0.01, "DPPKUKM": 0.008, "DISKOMINFOTIK": 0.008, "DISPUSIP": 0.005, "BPKD": 0.015,
    "BAPENDA": 0.025, "BAPPEDA": 0.004, "BKD": 0.012, "BPSDM": 0.005, "INSPEKTORAT": 0.006, "SETDA": 0.02,
    "SETWAN": 0.004, "KESBANGPOL": 0.003, "BPBD": 0.004, "BPAD": 0.008, "KOTA-JP": 0.02, "KOTA-JU": 0.025,
    "KOTA-JB": 0.03, "KOTA-JS": 0.03, "KOTA-JT": 0.035, "KAB-KS": 0.008,
}
EDUCATION = {"S3": 0.02, "S2": 0.42, "S1": 0.39, "D4": 0.05, "D3": 0.065, "D2": 0.005, "D1": 0.005,
             "SLTA": 0.04, "SMP": 0.003, "SD": 0.002}
# a recognised degree moves a PNS one step up (S3 stays S3)
UPGRADE = {"SD": "SLTA", "SMP": "SLTA", "SLTA": "S1", "D1": "D3", "D2": "D3", "D3": "S1", "D4": "S2",
           "S1": "S2", "S2": "S3"}
SKP_LAST_YEAR = {"Sangat Baik": 0.60, "Baik": 0.37, "Butuh Perbaikan": 0.02, "Kurang": 0.007, "Sangat Kurang": 0.003}
SKP_FIRST_SEMESTER = {"Sangat Baik": 0.74, "Baik": 0.245, "Butuh Perbaikan": 0.011, "Kurang": 0.003,
               "Sangat Kurang": 0.001}
PENALTY = {"ringan": 0.6, "sedang": 0.28, "berat": 0.12}
# JP of a course run: webinars and e-learning (2-4), workshops (8), classical courses, latsar
COURSE_JP = {2: 0.40, 3: 0.14, 4: 0.14, 8: 0.14, 16: 0.08, 24: 0.05, 32: 0.025, 40: 0.02, 100: 0.005}
COURSE_MONTH = np.array([0.55, 0.8, 0.9, 0.7, 1.0, 1.0, 1.0, 1.1, 1.1, 1.25, 1.35, 1.0])
CATCH_UP_JP = (8, 16, 24, 32, 40)  # PintAr self-paced courses offered in Q4 to PNS short of 40 JP
CATCH_UP_SHARE = 0.9
COURSE_KINDS = ["Webinar ASN Belajar", "E-learning PintAr", "Workshop", "Pelatihan Teknis", "Pelatihan Fungsional",
                "Bimbingan Teknis", "Pelatihan Kepemimpinan"]


def _pick(rng: np.random.Generator, table: dict, n: int) -> np.ndarray:
    keys = list(table)
    p = np.array([table[k] for k in keys], dtype=float)
    return np.array(keys, dtype=object)[rng.choice(len(keys), size=n, p=p / p.sum())]


def make_nips(birth: np.ndarray, appointed: np.ndarray, sex: np.ndarray) -> np.ndarray:
    """18-digit NIPs: birth yyyymmdd + appointment yyyymm + sex + sequence within the first 15 digits."""
    stem = pd.Series(pd.to_datetime(birth).strftime("%Y%m%d")) + pd.Series(appointed).astype(str) + \
        pd.Series(sex).astype(str)
    seq = stem.groupby(stem).cumcount() + 1
    return (stem + seq.map("{:03d}".format)).to_numpy(dtype=object)


def _people(rng: np.random.Generator, n: int, born_from: str, born_to: str,
            appointed: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    lo, hi = np.datetime64(born_from), np.datetime64(born_to)
    birth = lo + rng.integers(0, int((hi - lo).astype(int)) + 1, size=n).astype("timedelta64[D]")
    birth_year = birth.astype("datetime64[Y]").astype(int) + 1970
    if appointed is None:
        year = np.minimum(birth_year + rng.integers(20, 31, size=n), 2023)
        month = rng.choice([1, 3, 4, 6, 12], size=n)
        appointed = year * 100 + month
    sex = rng.integers(1, 3, size=n)
    return birth, appointed, sex


def population(ctx: DemoContext) -> pd.DataFrame:
    """The year's PNS, each with the months they are present and how their record changes (cached)."""
    if "pns" in ctx.shared:
        return ctx.shared["pns"]
    rng = ctx.rng("personnel-population")
    n_old = ctx.count(PNS, minimum=200)
    n_new = ctx.count(PNS * 0.015, minimum=3)  # CPNS 2023, PNS from July
    n_out = ctx.count(PNS * 0.03, minimum=5)  # NIPs in Simdiklat that are not the province's PNS
    y = ctx.year
    parts = [
        _people(rng, n_old, f"{y - RETIREMENT_AGE}-01-01", f"{y - 24}-12-31"),
        _people(rng, n_new, f"{y - 33}-01-01", f"{y - 23}-12-31", np.full(n_new, (y - 1) * 100 + 6)),
        _people(rng, n_out, f"{y - 57}-01-01", f"{y - 24}-12-31"),
    ]
    birth, appointed, sex = (np.concatenate(p) for p in zip(*parts, strict=True))
    nips = make_nips(birth, appointed, sex)
    n = n_old + n_new
    birth_ts = pd.to_datetime(birth[:n])
    # retire from the first day of the month after the retirement birthday
    retiring = birth_ts.year == y - RETIREMENT_AGE
    exit_month = np.where(retiring, birth_ts.month + 1, 13)
    entry_month = np.r_[np.ones(n_old, dtype=int), np.full(n_new, 7)]
    leave_from = np.full(n, 13)
    leave_to = np.full(n, 13)
    on_leave = rng.random(n) < 0.010
    leave_from[on_leave] = rng.integers(1, 13, size=on_leave.sum())
    leave_from[on_leave & (rng.random(n) < 0.6)] = 1  # most started before the year (study leave, CLTN)
    leave_to[on_leave] = np.minimum(leave_from[on_leave] + rng.integers(3, 24, size=on_leave.sum()), 13)
    education = _pick(rng, EDUCATION, n)
    upgraded = rng.random(n) < 0.08
    penalised = rng.random(n) < 0.03
    pns = pd.DataFrame({
        "nip": nips[:n],
        "unit_code": _pick(rng, UNITS, n),
        "education": education,
        "education_new": np.where(upgraded, pd.Series(education).map(UPGRADE).fillna(pd.Series(education)),
                                  education),
        "upgrade_month": np.where(upgraded, rng.integers(1, 13, size=n), 13),
        "skp_last_year": _pick(rng, SKP_LAST_YEAR, n),
        "skp_first_semester": _pick(rng, SKP_FIRST_SEMESTER, n),
        "penalty": np.where(penalised, _pick(rng, PENALTY, n), "tidak ada"),
        "penalty_month": np.where(penalised, rng.integers(0, 13, size=n), 13),  # 0: imposed last year, still in force
        "entry_month": entry_month,
        "exit_month": exit_month,
        "leave_from": leave_from,
        "leave_to": leave_to,
        # how keen on training: a gamma spread around the agency's mean
        "training_rate": rng.gamma(8.0, 1.0 / 8.0, size=n),
    })
    ctx.shared["pns"] = pns
    ctx.shared["nips_outside"] = nips[n:]
    return pns


def snapshot(pns: pd.DataFrame, m: Month) -> pd.DataFrame:
    """The SIMPEG month-end export: PNS present in month ``m`` with their state then."""
    k = m.month
    here = pns[(pns["entry_month"] <= k) & (pns["exit_month"] > k)]
    skp_from = 7  # the first-semester SKP of the year replaces last year's predicate in July
    return pd.DataFrame({
        "snapshot_month": str(m),
        "nip": here["nip"],
        "unit_code": here["unit_code"],
        "education": np.where(here["upgrade_month"] <= k, here["education_new"], here["education"]),
        "skp_predicate": np.where(k >= skp_from, here["skp_first_semester"], here["skp_last_year"]),
        "discipline_penalty": np.where(here["penalty_month"] <= k, here["penalty"], "tidak ada"),
        "active": np.where((here["leave_from"] <= k) & (here["leave_to"] > k), "N", "Y"),
    }).reset_index(drop=True)


def defect_groups(rng: np.random.Generator, n: int, rate: float, kinds: int) -> list[np.ndarray]:
    """The rows to spoil (about ``rate`` of ``n``), dealt in turn into ``kinds`` groups."""
    bad = np.flatnonzero(defect_mask(rng, n, rate))
    return [bad[k::kinds] for k in range(kinds)]


def _snapshot_defects(rng: np.random.Generator, frame: pd.DataFrame, m: Month, rate: float) -> pd.DataFrame:
    short_nip, free_text, no_skp, future, twice = defect_groups(rng, len(frame), rate, 5)
    frame.loc[short_nip, "nip"] = frame.loc[short_nip, "nip"].str[:17]  # a digit lost
    frame.loc[free_text, "education"] = "Sarjana"  # free text instead of the code
    frame.loc[no_skp, "skp_predicate"] = None  # SKP not yet entered
    frame.loc[future, "snapshot_month"] = str(m.next())  # a future month
    return pd.concat([frame, frame.loc[twice]], ignore_index=True)  # exported twice: both copies quarantined


def courses(ctx: DemoContext, rng: np.random.Generator) -> pd.DataFrame:
    """The year's course runs (plus a few of last December): id, name, dates, JP."""
    n = ctx.count(COURSE_RUNS, minimum=300)
    jp = np.array(list(COURSE_JP))[rng.choice(len(COURSE_JP), size=n, p=np.array(list(COURSE_JP.values())))]
    weights = COURSE_MONTH / COURSE_MONTH.sum()
    month = rng.choice(np.arange(1, 13), size=n, p=weights)
    last_december = rng.random(n) < 0.02
    year = np.where(last_december, ctx.year - 1, ctx.year)
    month = np.where(last_december, 12, month)
    day = rng.integers(1, 29, size=n)
    end = pd.to_datetime(pd.DataFrame({"year": year, "month": month, "day": day}))
    days = np.maximum(1, np.ceil(jp / 8)).astype(int) + np.where(jp > 8, 2, 0)  # weekends in longer courses
    start = end - pd.to_timedelta(days - 1, unit="D")
    kind = np.array(COURSE_KINDS)[np.minimum(np.searchsorted([4, 8, 16, 24, 40], jp), len(COURSE_KINDS) - 1)]
    return pd.DataFrame({
        "training_id": [f"DIK-{y % 100:02d}-{i:05d}" for i, y in enumerate(year)],
        "training_name": [f"{k} angkatan {i % 40 + 1}" for i, k in enumerate(kind)],
        "start_date": start.to_numpy(),
        "end_date": end.to_numpy(),
        "jp": jp.astype(int),
    })


def training_records(ctx: DemoContext, pns: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Every (NIP, course run) of the year, with the month of the file it is exported in."""
    runs = courses(ctx, rng)
    outside = ctx.shared["nips_outside"]
    mean_per_pns = TRAINING_PER_YEAR / PNS * 0.975  # the rest are NIPs outside the population
    counts = rng.poisson(pns["training_rate"].to_numpy() * mean_per_pns)
    who = np.repeat(pns.index.to_numpy(), counts)
    n_out = ctx.count(TRAINING_PER_YEAR * 0.025)
    popularity = rng.lognormal(0.0, 1.0, size=len(runs))
    popularity /= popularity.sum()
    run = rng.choice(len(runs), size=len(who) + n_out, p=popularity)
    nip = np.r_[pns["nip"].to_numpy()[who], outside[rng.integers(0, len(outside), size=n_out)]]
    rec = runs.iloc[run].reset_index(drop=True)
    rec.insert(0, "nip", nip)
    # a PNS who has retired attends no more courses
    exit_month = np.r_[pns["exit_month"].to_numpy()[who], np.full(n_out, 13)]
    ends = rec["end_date"]
    ended_month = np.where(ends.dt.year < ctx.year, 0, ends.dt.month)
    rec = rec[ended_month < exit_month].drop_duplicates(["nip", "training_id"])
    rec = pd.concat([rec, _catch_up(ctx, pns, rec, rng)], ignore_index=True)
    # exported in the file of the month it ended; some a month late, last December's in January
    ended = rec["end_date"]
    file_month = np.where(ended.dt.year < ctx.year, 1, ended.dt.month)
    late = (rng.random(len(rec)) < 0.08) & (file_month < 12)
    rec["file_month"] = file_month + late
    rec["verified"] = rng.random(len(rec)) >= 0.04
    return rec


def _catch_up(ctx: DemoContext, pns: pd.DataFrame, rec: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Most PNS still short of 40 JP at the end of October take a self-paced course in Q4."""
    threshold = ctx.catalog.indicator("kompetensi").rules["jp_threshold"]
    ended = rec["end_date"]
    by_october = rec[(ended.dt.year == ctx.year) & (ended.dt.month <= 10)]
    jp = by_october.groupby("nip")["jp"].sum().reindex(pns["nip"], fill_value=0).to_numpy()
    short = (jp < threshold) & (pns["exit_month"].to_numpy() == 13) & (rng.random(len(pns)) < CATCH_UP_SHARE)
    need = threshold - jp[short]
    course_jp = np.array(CATCH_UP_JP)[np.minimum(np.searchsorted(CATCH_UP_JP, need), len(CATCH_UP_JP) - 1)]
    month = rng.choice([11, 12], size=short.sum(), p=[0.6, 0.4])
    end = pd.to_datetime(pd.DataFrame({"year": ctx.year, "month": month, "day": rng.integers(1, 29, size=len(month))}))
    return pd.DataFrame({
        "nip": pns["nip"].to_numpy()[short],
        "training_id": [f"PINTAR-{ctx.year % 100:02d}-{m}-{j:02d}" for m, j in zip(month, course_jp, strict=True)],
        "training_name": [f"Pelatihan mandiri PintAr {j} JP" for j in course_jp],
        "start_date": (end - pd.to_timedelta(course_jp // 8 + 6, unit="D")).to_numpy(),
        "end_date": end.to_numpy(),
        "jp": course_jp,
    })


def _training_files(ctx: DemoContext, rec: pd.DataFrame, rng: np.random.Generator) -> list[Landing]:
    # most unverified records come again, verified, a month or two later
    again = rec[~rec["verified"] & (rng.random(len(rec)) < 0.75)].copy()
    again["file_month"] = again["file_month"] + rng.integers(1, 3, size=len(again))
    again = again[again["file_month"] <= 12]
    again["verified"] = True
    rec = pd.concat([rec, again], ignore_index=True)
    rec["verified"] = np.where(rec["verified"], "ya", "tidak")
    columns = ["nip", "training_id", "training_name", "start_date", "end_date", "jp", "verified"]
    out = []
    for m in ctx.months:
        part = rec.loc[rec["file_month"] == m.month, columns].reset_index(drop=True)
        part["start_date"] = part["start_date"].dt.strftime("%d/%m/%Y")
        part["end_date"] = part["end_date"].dt.strftime("%d/%m/%Y")
        part["jp"] = part["jp"].astype(str)
        part = _training_defects(rng, part, m, ctx.defect_rate)
        out.append(Landing("simdiklat/training", m, part, "csv-id"))
    return out


def _training_defects(rng: np.random.Generator, frame: pd.DataFrame, m: Month, rate: float) -> pd.DataFrame:
    zero_jp, short_nip, late, backwards, twice = defect_groups(rng, len(frame), rate, 5)
    frame.loc[zero_jp, "jp"] = "0"
    frame.loc[short_nip, "nip"] = frame.loc[short_nip, "nip"].str[1:]  # 17 digits
    frame.loc[late, "end_date"] = m.plus(2).last_day.strftime("%d/%m/%Y")  # after the file's cutoff
    # starts after it ends (but before the cutoff)
    frame.loc[backwards, "start_date"] = (pd.Timestamp(m.last_day) + pd.Timedelta(days=3)).strftime("%d/%m/%Y")
    return pd.concat([frame, frame.loc[twice]], ignore_index=True)  # the same course twice: both quarantined


def generate(ctx: DemoContext) -> list[Landing]:
    pns = population(ctx)
    rng = ctx.rng("personnel")
    out = []
    for m in ctx.months:
        frame = _snapshot_defects(rng, snapshot(pns, m), m, ctx.defect_rate)
        out.append(Landing("simpeg/pns_snapshot", m, frame, "csv"))
    records = training_records(ctx, pns, ctx.rng("training"))
    out += _training_files(ctx, records, ctx.rng("training-files"))
    return out
