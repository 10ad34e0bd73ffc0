"""Demo budget execution (Proyeksi APBD) and output realisation (e-SAKIP) per sub-activity.

Each sub-activity has an annual pagu (about a third revised in the APBD-P from September),
a monthly disbursement plan (RPD) and a realisation that lags the plan and ends below the
pagu; its output (a volume against an annual target) accrues along an S-curve, most
sub-activities meet it, a few exceed it. A few sub-activities have no output row, a few a
blank target. Budget: semicolon CSV with decimal commas; outputs: XLSX with a title row.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kinerja.demo import DemoContext, Landing, defect_mask, format_id_number

EXTRACTS = ["apbd/budget_monthly", "esakip/output_realisasi"]
SUB_ACTIVITIES = 150  # at scale 1
# kegiatan of urusan 5.03 Kepegawaian (unsur pendukung) of a Badan Kepegawaian Daerah
KEGIATAN = [
    "5.03.01.1.01",  # Perencanaan, Penganggaran, dan Evaluasi Kinerja Perangkat Daerah
    "5.03.01.1.02",  # Administrasi Keuangan Perangkat Daerah
    "5.03.01.1.06",  # Administrasi Umum Perangkat Daerah
    "5.03.01.1.08",  # Penyediaan Jasa Penunjang Urusan Pemerintahan Daerah
    "5.03.01.1.09",  # Pemeliharaan Barang Milik Daerah Penunjang Urusan Pemerintahan Daerah
    "5.03.02.1.01",  # Pengadaan, Pemberhentian dan Informasi Kepegawaian ASN
    "5.03.02.1.02",  # Mutasi dan Pengembangan Karier
    "5.03.02.1.03",  # Pengembangan Kompetensi ASN
    "5.03.02.1.04",  # Penilaian dan Evaluasi Kinerja Aparatur, dan Penghargaan ASN
]
# planned (RPD) and actual share of the year's disbursement per month: actual lags the plan
PLAN_SHARE = np.array([4, 6, 7, 8, 8, 9, 9, 9, 9, 10, 10, 11]) / 100
ACTUAL_SHARE = np.array([2, 4, 6, 7, 8, 8, 9, 9, 10, 11, 12, 14]) / 100
APBD_P_MONTH = 9  # the revised budget (APBD Perubahan) is known from September
TARGET_VOLUMES = np.array([1, 2, 4, 12, 24, 50, 100, 250, 1200])


def sub_activity_codes(n: int) -> list[str]:
    return [f"{KEGIATAN[i % len(KEGIATAN)]}.{i // len(KEGIATAN) + 1:04d}" for i in range(n)]


def plan(ctx: DemoContext, rng: np.random.Generator) -> dict[str, np.ndarray]:
    n = ctx.count(SUB_ACTIVITIES, minimum=40)
    pagu0 = np.round(rng.lognormal(np.log(1.2e9), 1.0, size=n), -3)
    revised = rng.random(n) < 0.35
    pagu1 = np.where(revised, np.round(pagu0 * rng.uniform(0.8, 1.15, size=n), -3), pagu0)
    # final output achievement (ck) and efficiency; absorption follows from them
    ck = np.where(rng.random(n) < 0.45, 1.0, rng.beta(5, 2, size=n))
    over = rng.random(n) < 0.05  # a few exceed their target volume
    efficiency = np.clip(rng.normal(0.0, 0.05, size=n), -0.10, 0.25)
    realised_total = pagu1 * ck * (1 - efficiency)
    months = np.arange(1, 13)
    pagu = np.where(months[None, :] >= APBD_P_MONTH, pagu1[:, None], pagu0[:, None])
    plan_share = PLAN_SHARE[None, :] * rng.dirichlet(np.full(12, 30.0), size=n) * 12
    rpd = np.round(pagu * plan_share / plan_share.sum(axis=1, keepdims=True), -3)
    actual = ACTUAL_SHARE[None, :] * rng.lognormal(0, 0.5, size=(n, 12))
    real = np.round(realised_total[:, None] * actual / actual.sum(axis=1, keepdims=True), -3)
    target = rng.choice(TARGET_VOLUMES, size=n)
    progress = 1 / (1 + np.exp(-(months - 7.0) / 1.6))  # S-curve over the year
    progress = (progress - progress[0] * 0.5) / (progress[-1] - progress[0] * 0.5)
    cumulative = target[:, None] * np.where(over, 1.1, ck)[:, None] * progress[None, :]
    realised = np.floor(cumulative * 100) / 100
    return {"codes": np.array(sub_activity_codes(n)), "pagu": pagu, "rpd": rpd, "real": real,
            "target": target.astype(float), "realised": realised}


def _id_text(values: np.ndarray) -> list[str]:
    return [format_id_number(float(v)) for v in values]


def generate(ctx: DemoContext) -> list[Landing]:
    rng = ctx.rng("anggaran")
    p = plan(ctx, rng)
    n = len(p["codes"])
    no_output = rng.random(n) < 0.03   # sub-activity with a budget but no output indicator in e-SAKIP
    no_target = rng.random(n) < 0.02   # output row with its target left blank
    out = []
    for m in ctx.months:
        k = m.month - 1
        budget = pd.DataFrame({
            "sub_activity_code": p["codes"],
            "month": str(m),
            "pagu": _id_text(p["pagu"][:, k]),
            "rpd": _id_text(p["rpd"][:, k]),
            "realisasi": _id_text(p["real"][:, k]),
        })
        if k > 0:  # a few realisations of the previous month corrected in this month's export
            fix = np.flatnonzero(rng.random(n) < 0.01)
            p["real"][fix, k - 1] = np.round(p["real"][fix, k - 1] * rng.uniform(0.9, 1.1, size=len(fix)), -3)
            budget = pd.concat([budget, pd.DataFrame({
                "sub_activity_code": p["codes"][fix], "month": str(m.previous()),
                "pagu": _id_text(p["pagu"][fix, k - 1]), "rpd": _id_text(p["rpd"][fix, k - 1]),
                "realisasi": _id_text(p["real"][fix, k - 1])})], ignore_index=True)
        for j, i in enumerate(np.flatnonzero(defect_mask(rng, len(budget), ctx.defect_rate))):
            kind = j % 3
            if kind == 0:
                budget.loc[i, "realisasi"] = "-" + budget.loc[i, "realisasi"]  # negative realisation
            elif kind == 1:
                budget.loc[i, "month"] = str(m.next())  # a month after the file's month
            else:
                budget.loc[i, "pagu"] = "Rp " + budget.loc[i, "pagu"]  # not a number
        out.append(Landing("apbd/budget_monthly", m, budget, "csv-id"))

        keep = ~no_output
        outputs = pd.DataFrame({
            "sub_activity_code": p["codes"][keep],
            "month": str(m),
            "output_target": np.where(no_target[keep], np.nan, p["target"][keep]),
            "output_realised": p["realised"][keep, k],
        }).astype({"output_target": object, "output_realised": object})
        for j, i in enumerate(np.flatnonzero(defect_mask(rng, len(outputs), ctx.defect_rate))):
            if j % 2 == 0:
                outputs.loc[i, "output_realised"] = -outputs.loc[i, "output_realised"] - 1  # negative volume
            else:
                outputs.loc[i, "sub_activity_code"] = "SUBKEG " + outputs.loc[i, "sub_activity_code"]
        out.append(Landing("esakip/output_realisasi", m, outputs, "xlsx"))
    return out
