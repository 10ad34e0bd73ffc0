"""Demo governor's directives (e-Kinerja) and public complaints (CRM).

Each month's file holds the records opened that month, closed if closed by the
file's cutoff; a record closed later arrives again, closed, in a later file.
About 1% of rows are defective (unknown channel, closed before opened, a date
that does not exist, a repeated ticket).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kinerja.demo import DemoContext, Landing, defect_mask
from kinerja.demo.followup_events import open_and_close_versions, stamp

EXTRACTS = ["ekinerja/arahan_gubernur", "crm/pengaduan"]
DIRECTIVES_PER_MONTH = (30, 80)  # at scale 1
COMPLAINTS_PER_YEAR = 6_000  # at scale 1
CHANNEL_SHARES = {"rapim": 0.35, "e-office": 0.40, "media-elektronik": 0.15, "lainnya": 0.10}
CATEGORIES = ["Kenaikan pangkat", "Gaji dan tunjangan", "Mutasi dan promosi", "Pensiun", "Cuti",
              "Data kepegawaian (SIMPEG)", "Disiplin pegawai", "Seleksi CPNS/PPPK", "Layanan lainnya"]


def _times(rng: np.random.Generator, month_start: pd.Timestamp, days: int, n: int) -> pd.Series:
    """Office-hours timestamps in a month."""
    day = rng.integers(0, days, size=n)
    minute = rng.integers(7 * 60, 17 * 60, size=n)
    return pd.Series(month_start + pd.to_timedelta(day, unit="D") + pd.to_timedelta(minute, unit="min"))


def _closing(rng: np.random.Generator, opened: pd.Series, median_days: float, sigma: float,
             never: float) -> pd.Series:
    delay = pd.to_timedelta(rng.lognormal(np.log(median_days), sigma, size=len(opened)) * 86_400, unit="s")
    closed = (opened + delay).dt.floor("s")
    return closed.where(rng.random(len(opened)) >= never)


def directives(ctx: DemoContext) -> list[Landing]:
    rng = ctx.rng("arahan_gubernur")
    channels = ctx.catalog.indicator("arahan_gubernur").rules["channels"]
    shares = np.array([CHANNEL_SHARES.get(c, 0.1) for c in channels])
    frames = []
    for m in ctx.months:
        n = ctx.count(rng.integers(DIRECTIVES_PER_MONTH[0], DIRECTIVES_PER_MONTH[1] + 1))
        issued = _times(rng, pd.Timestamp(m.first_day), m.last_day.day, n)
        frames.append(pd.DataFrame({"channel": rng.choice(channels, size=n, p=shares / shares.sum()),
                                    "issued_at": issued}))
    df = pd.concat(frames, ignore_index=True).sort_values("issued_at", kind="stable").reset_index(drop=True)
    df.insert(0, "directive_id", [f"ARG-{ctx.year}-{i:05d}" for i in range(1, len(df) + 1)])
    # most follow-ups take a few days; a few take weeks, about 2% stay open
    df["completed_at"] = _closing(rng, df["issued_at"], 4.0, 0.8, 0.02)
    versions = open_and_close_versions(df, "issued_at", "completed_at", ctx.catalog.collection_deadline_day,
                                       ctx.year)
    out = []
    for m in ctx.months:
        part = versions[versions["file_month"] == str(m)].drop(columns="file_month").reset_index(drop=True)
        for col in ("issued_at", "completed_at"):
            part[col] = stamp(part[col], "%d/%m/%Y %H:%M")
        for k, i in enumerate(np.flatnonzero(defect_mask(rng, len(part), ctx.defect_rate))):
            if (k + m.month) % 2 == 0:  # rotate the kinds of defect through the year
                part.loc[i, "channel"] = "rapat"  # not a channel of the catalog
            else:
                part.loc[i, "completed_at"] = "01/01/2024 07:00"  # before it was issued
        out.append(Landing("ekinerja/arahan_gubernur", m, part, "csv"))
    return out


def complaints(ctx: DemoContext) -> list[Landing]:
    rng = ctx.rng("pengaduan")
    frames = []
    for m in ctx.months:
        # a little seasonality: more complaints around promotions (April, October) and the new year
        season = 1.25 if m.month in (1, 4, 10) else 0.95
        n = ctx.count(COMPLAINTS_PER_YEAR / 12 * season, minimum=10)
        received = _times(rng, pd.Timestamp(m.first_day), m.last_day.day, n)
        frames.append(pd.DataFrame({"received_at": received, "category": rng.choice(CATEGORIES, size=n)}))
    df = pd.concat(frames, ignore_index=True).sort_values("received_at", kind="stable").reset_index(drop=True)
    df.insert(0, "ticket_id", [f"CRM-{ctx.year}-{i:06d}" for i in range(1, len(df) + 1)])
    df["received_at"] += pd.to_timedelta(rng.integers(0, 60, size=len(df)), unit="s")
    # resolved within a couple of days as a rule, some after weeks, about 1.5% not at all
    df["resolved_at"] = _closing(rng, df["received_at"], 1.5, 0.9, 0.015)
    df = df[["ticket_id", "received_at", "category", "resolved_at"]]
    versions = open_and_close_versions(df, "received_at", "resolved_at", ctx.catalog.collection_deadline_day,
                                       ctx.year)
    out = []
    for m in ctx.months:
        part = versions[versions["file_month"] == str(m)].drop(columns="file_month").reset_index(drop=True)
        for col in ("received_at", "resolved_at"):
            part[col] = stamp(part[col], "%Y-%m-%d %H:%M:%S")
        bad = np.flatnonzero(defect_mask(rng, len(part), ctx.defect_rate))
        for k, i in enumerate(bad):
            kind = (k + m.month) % 3  # rotate the kinds of defect through the year
            if kind == 0:
                part.loc[i, "received_at"] = f"{m.year}-{m.month:02d}-32 10:00:00"  # no such day
            elif kind == 1:
                part.loc[i, "category"] = ""  # required
            elif i + 1 < len(part):
                part.loc[i + 1, "ticket_id"] = part.loc[i, "ticket_id"]  # the CRM exported a ticket twice
        out.append(Landing("crm/pengaduan", m, part, "xlsx"))
    return out


def generate(ctx: DemoContext) -> list[Landing]:
    return directives(ctx) + complaints(ctx)
