"""A seeded, realistic year of landing files for every extract, with a small share of defects.

Each module of this package defines ``EXTRACTS`` (the extract ids it writes) and
``generate(ctx) -> list[Landing]``. Files come in the formats source systems
really export (comma CSV, semicolon CSV with decimal commas, XLSX with a title).
"""

from __future__ import annotations

import importlib
import os
import pkgutil
import shutil
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd

from kinerja.catalog import Catalog, load_catalog
from kinerja.periods import Month, deadline_after


@dataclass
class Landing:
    """One landing file to write: extract id, month, rows (cells already as the export shows them)."""

    extract_id: str
    month: Month
    frame: pd.DataFrame
    fmt: str = "csv"  # csv | csv-id (semicolon, decimal comma) | xlsx


@dataclass
class DemoContext:
    year: int
    seed: int = 2024
    scale: float = 0.1
    defect_rate: float = 0.01
    catalog: Catalog = field(init=False)

    def __post_init__(self):
        self.catalog = load_catalog(self.year)

    def rng(self, name: str) -> np.random.Generator:
        """An independent, reproducible stream per generator."""
        return np.random.default_rng([self.seed, *name.encode("utf-8")])

    @property
    def months(self) -> list[Month]:
        return [Month(self.year, m) for m in range(1, 13)]

    def count(self, at_scale_one: float, minimum: int = 1) -> int:
        return max(minimum, round(at_scale_one * self.scale))

    @cached_property
    def shared(self) -> dict:
        """Data several generators share (the PNS population, unit lists)."""
        return {}


def generators():
    import kinerja.demo as pkg

    for info in sorted(pkgutil.iter_modules(pkg.__path__), key=lambda i: i.name):
        module = importlib.import_module(f"{pkg.__name__}.{info.name}")
        if hasattr(module, "generate") and hasattr(module, "EXTRACTS"):
            yield module


def format_id_number(value) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    if isinstance(value, int | np.integer):
        return str(value)
    text = f"{float(value):,.2f}"
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")


def write_landing(landing: Path, item: Landing) -> Path:
    source, name = item.extract_id.split("/")
    folder = landing / source / str(item.month)
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob(f"{name}.*"):
        old.unlink()
    df = item.frame
    if item.fmt == "xlsx":
        path = folder / f"{name}.xlsx"
        from openpyxl import Workbook

        wb = Workbook(write_only=True)
        ws = wb.create_sheet("Data")
        ws.append([f"Ekspor {source} - {name} - {item.month}"])
        ws.append([])
        ws.append(list(df.columns))
        for row in df.itertuples(index=False):
            ws.append([None if (isinstance(v, float) and np.isnan(v)) or v is pd.NA else v for v in row])
        wb.save(path)
        return path
    path = folder / f"{name}.csv"
    if item.fmt == "csv-id":
        out = df.copy()
        for col in out.columns:
            if pd.api.types.is_float_dtype(out[col]):
                out[col] = out[col].map(format_id_number)
        out.to_csv(path, sep=";", index=False, encoding="utf-8-sig")
    else:
        df.to_csv(path, index=False)
    return path


def deadline(catalog: Catalog, month: Month) -> datetime:
    return deadline_after(month.last_day, catalog.collection_deadline_day, catalog.timezone)


def landed_at(catalog: Catalog, extract_id: str, month: Month) -> datetime:
    """When a demo file lands: a day or two before its collection deadline, in office hours (its
    modification time, which tells ``kinerja status`` when it arrived)."""
    spread = sum(extract_id.encode("utf-8"))
    return deadline(catalog, month) - timedelta(days=1 + spread % 2, hours=8 + spread % 7, minutes=59, seconds=59)


def touch(path: Path, when: datetime) -> None:
    os.utime(path, (when.timestamp(), when.timestamp()))


def generate(landing: Path | str, year: int = 2024, seed: int = 2024, scale: float = 0.1) -> dict[str, int]:
    """Write every generator's landing files, each dated as landed by its deadline; returns rows written
    per extract."""
    landing = Path(landing)
    ctx = DemoContext(year, seed, scale)
    counts: dict[str, int] = {}
    for module in generators():
        for item in module.generate(ctx):
            touch(write_landing(landing, item), landed_at(ctx.catalog, item.extract_id, item.month))
            counts[item.extract_id] = counts.get(item.extract_id, 0) + len(item.frame)
    return counts


# What ``kinerja demo`` plants so that ``kinerja status`` has something to show (demo choices, not rules
# of the agreement): one file lands a week after its deadline; one is not there when its month first
# runs, and lands after the correction deadline, so the month is run again (``backfill --only-failed``).
LATE_FILE = ("esakip/output_realisasi", 6, timedelta(days=6, hours=10, seconds=1))  # the 12th, 10:00
MISSING_FILE = ("crm/pengaduan", 8, timedelta(days=12, hours=10, seconds=1))  # the 18th, 10:00


@dataclass
class Planted:
    late: tuple[str, Month, datetime]  # extract, month, when it landed
    missing: tuple[str, Month, datetime]  # extract, month, when it lands (deliver)
    path: Path  # where the missing file belongs
    held: Path  # where it waits meanwhile
    held_root: Path


def _file(landing: Path, extract_id: str, month: Month) -> Path:
    source, name = extract_id.split("/")
    return next((landing / source / str(month)).glob(f"{name}.*"))


def plant_arrivals(landing: Path | str, year: int) -> Planted:
    """Make one file late and hold one back (``deliver`` lands it, late)."""
    landing, catalog = Path(landing), load_catalog(year)
    (late_id, late_month, late_by), (miss_id, miss_month, miss_by) = LATE_FILE, MISSING_FILE
    late = (late_id, Month(year, late_month), deadline(catalog, Month(year, late_month)) + late_by)
    touch(_file(landing, late_id, late[1]), late[2])
    path = _file(landing, miss_id, Month(year, miss_month))
    root = landing.parent / f"{landing.name}-held"
    held = root / path.relative_to(landing)
    held.parent.mkdir(parents=True, exist_ok=True)
    shutil.move(path, held)
    when = deadline(catalog, Month(year, miss_month)) + miss_by
    return Planted(late, (miss_id, Month(year, miss_month), when), path, held, root)


def deliver(planted: Planted) -> None:
    """The held-back file lands, late."""
    shutil.move(planted.held, planted.path)
    touch(planted.path, planted.missing[2])
    shutil.rmtree(planted.held_root, ignore_errors=True)


def defect_mask(rng: np.random.Generator, n: int, rate: float) -> np.ndarray:
    return rng.random(n) < rate
