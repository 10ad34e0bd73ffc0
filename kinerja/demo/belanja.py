"""Demo SIPD spending realisations (SPJ): a year of transactions of a provincial agency.

Spending is back-loaded (a quarter of it by June, as in most regional budgets), and the
P3DN tagging of procurement catches up in the second half of the year, so the PDN share
of procurement is near 30 % by June and near 80 % by December. Salaries (5.1.01), cash
grants and cash social aid are out of scope; a few corrections (negative amounts) net out
earlier SPJs. Exported as semicolon CSV with decimal commas (an Indonesian Excel export).
"""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pandas as pd

from kinerja.demo import DemoContext, Landing, defect_mask, format_id_number

EXTRACTS = ["sipd/belanja_realisasi"]
TRANSACTIONS = 50_000  # per year at scale 1
# share of the year's transactions (and spending) per month
MONTH_SHARE = np.array([2, 3, 4, 5, 5, 6, 9, 10, 12, 13, 14, 17]) / 100
# probability that an in-scope SPJ is tagged PDN/TKDN/UMK, per month (tagging catches up in semester 2)
PDN_SHARE = np.array([0.28, 0.30, 0.32, 0.34, 0.36, 0.38, 0.92, 0.95, 0.97, 0.98, 0.99, 0.99])
# (account code, name, weight in the transaction mix, median amount in IDR)
ACCOUNTS = [
    ("5.1.02.01.01.0024", "Belanja Alat/Bahan untuk Kegiatan Kantor-Alat Tulis Kantor", 10, 3_500_000),
    ("5.1.02.01.01.0026", "Belanja Alat/Bahan untuk Kegiatan Kantor-Bahan Cetak", 6, 5_000_000),
    ("5.1.02.01.01.0052", "Belanja Makanan dan Minuman Rapat", 12, 4_000_000),
    ("5.1.02.02.01.0003", "Honorarium Narasumber atau Pembahas, Moderator, Pembawa Acara, dan Panitia", 7, 6_000_000),
    ("5.1.02.02.01.0026", "Belanja Jasa Tenaga Administrasi", 6, 25_000_000),
    ("5.1.02.02.12.0001", "Belanja Kursus Singkat/Pelatihan", 5, 40_000_000),
    ("5.1.02.03.02.0035", "Belanja Pemeliharaan Alat Angkutan-Alat Angkutan Darat Bermotor-Kendaraan Dinas", 4,
     7_500_000),
    ("5.1.02.04.01.0001", "Belanja Perjalanan Dinas Biasa", 9, 8_000_000),
    ("5.1.05.01.02.0001", "Belanja Hibah Barang kepada Pemerintah Pusat", 0.3, 150_000_000),
    ("5.1.06.03.02.0001", "Belanja Bantuan Sosial Barang yang Direncanakan kepada Kelompok Masyarakat", 0.4,
     90_000_000),
    ("5.2.02.05.01.0005", "Belanja Modal Alat Kantor Lainnya", 2, 35_000_000),
    ("5.2.02.10.01.0002", "Belanja Modal Personal Computer", 2, 60_000_000),
    ("5.2.02.10.02.0003", "Belanja Modal Notebook", 2, 45_000_000),
    ("5.2.03.01.01.0001", "Belanja Modal Bangunan Gedung Kantor", 0.2, 900_000_000),
    ("5.2.04.02.01.0001", "Belanja Modal Jaringan Listrik", 0.2, 250_000_000),
    ("5.2.05.01.01.0001", "Belanja Modal Buku Umum", 0.5, 20_000_000),
    ("5.2.06.01.01.0001", "Belanja Modal Aset Tak Berwujud-Software", 0.4, 300_000_000),
    # out of scope: personnel, cash grants, cash social aid
    ("5.1.01.01.01.0001", "Belanja Gaji Pokok PNS", 10, 250_000_000),
    ("5.1.01.01.02.0001", "Belanja Tunjangan Keluarga PNS", 6, 25_000_000),
    ("5.1.01.02.01.0001", "Tambahan Penghasilan berdasarkan Beban Kerja PNS", 10, 400_000_000),
    ("5.1.05.01.01.0001", "Belanja Hibah Uang kepada Pemerintah Pusat", 0.3, 200_000_000),
    ("5.1.06.03.01.0001", "Belanja Bantuan Sosial Uang yang Direncanakan kepada Kelompok Masyarakat", 0.5,
     50_000_000),
]
OUT_OF_SCOPE_PREFIXES = ("5.1.01.", "5.1.05.01.01.", "5.1.06.03.01.")
CORRECTION_RATE = 0.005
LATE_RATE = 0.02  # SPJ of the month entered after the month's export: they come in the next file


def transactions(ctx: DemoContext, rng: np.random.Generator) -> pd.DataFrame:
    n = ctx.count(TRANSACTIONS, minimum=600)
    codes = np.array([a[0] for a in ACCOUNTS])
    names = np.array([a[1] for a in ACCOUNTS])
    weight = np.array([a[2] for a in ACCOUNTS], dtype=float)
    median = np.array([a[3] for a in ACCOUNTS], dtype=float)
    account = rng.choice(len(ACCOUNTS), size=n, p=weight / weight.sum())
    month = rng.choice(12, size=n, p=MONTH_SHARE) + 1
    first = pd.to_datetime([f"{ctx.year}-{m:02d}-01" for m in range(1, 13)])
    days = pd.Series(first).dt.days_in_month.to_numpy()
    day = (rng.random(n) * days[month - 1]).astype(int)
    spj = first[month - 1] + pd.to_timedelta(day, unit="D")
    amount = np.round(median[account] * rng.lognormal(0.0, 0.6, size=n), -3)
    in_scope = ~pd.Series(codes[account]).str.startswith(OUT_OF_SCOPE_PREFIXES).to_numpy()
    flag = in_scope & (rng.random(n) < PDN_SHARE[month - 1])
    df = pd.DataFrame({
        "transaction_id": [f"SPJ-{ctx.year}-{i:07d}" for i in range(n)],
        "account_code": codes[account],
        "nama_rekening": names[account],
        "amount": amount,
        "spj_date": spj,
        "pdn_flag": flag,
    }).sort_values("spj_date", kind="stable").reset_index(drop=True)
    df["file_month"] = df["spj_date"].dt.month
    late = (rng.random(n) < LATE_RATE) & (df["file_month"] < 12)
    df.loc[late, "file_month"] += 1
    # corrections: part of an earlier SPJ reversed in a later month, same account and flag
    fix = df[(rng.random(n) < CORRECTION_RATE) & (df["spj_date"].dt.month < 12)].copy()
    fix["transaction_id"] = fix["transaction_id"] + "-K"
    fix["amount"] = -np.round(fix["amount"] * rng.uniform(0.1, 1.0, size=len(fix)), -3)
    fix["spj_date"] = fix["spj_date"] + pd.to_timedelta(rng.integers(10, 40, size=len(fix)), unit="D")
    fix = fix[fix["spj_date"].dt.year == ctx.year]
    fix["file_month"] = fix["spj_date"].dt.month
    return pd.concat([df, fix], ignore_index=True)


def generate(ctx: DemoContext) -> list[Landing]:
    rng = ctx.rng("belanja")
    all_rows = transactions(ctx, rng)
    out = []
    for m in ctx.months:
        part = all_rows[all_rows["file_month"] == m.month].drop(columns="file_month").reset_index(drop=True)
        frame = pd.DataFrame({
            "transaction_id": part["transaction_id"],
            "account_code": part["account_code"],
            "nama_rekening": part["nama_rekening"],
            "amount": part["amount"].map(format_id_number),
            "spj_date": part["spj_date"].dt.strftime("%d/%m/%Y"),
            "pdn_flag": np.where(part["pdn_flag"], "Y", "N"),
        })
        bad = np.flatnonzero(defect_mask(rng, len(frame), ctx.defect_rate))
        for j, i in enumerate(bad):
            kind = j % 4
            if kind == 0:
                frame.loc[i, "account_code"] = frame.loc[i, "account_code"].replace(".", "-")  # 5-1-02-...
            elif kind == 1:
                after_cutoff = m.last_day + timedelta(days=20)  # past the 5th of the next month
                frame.loc[i, "spj_date"] = after_cutoff.strftime("%d/%m/%Y")
            elif kind == 2:
                frame.loc[i, "amount"] = "Rp " + frame.loc[i, "amount"]
            else:
                frame.loc[i, "transaction_id"] = frame.loc[max(i - 1, 0), "transaction_id"]  # exported twice
        out.append(Landing("sipd/belanja_realisasi", m, frame, "csv-id"))
    return out
