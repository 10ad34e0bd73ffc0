"""Landing files: where they are, what reading one gives, and how a file that cannot be used is
refused.

Layout: ``<landing>/<source>/<YYYY-MM>/<extract>.<csv|xlsx|parquet|json>``. A read gives every
cell as text (:class:`RawExtract`); the readers of each format are in ``kinerja.readers`` (and
``kinerja.csvfiles`` for text files).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pyarrow as pa

from kinerja.config import Limit
from kinerja.periods import Month, PeriodError
from kinerja.safety import UnsafePathError, check_name, mask_digit_runs, show_nul

EXTENSIONS = ("csv", "xlsx", "parquet", "json")
HEADER_SCAN_ROWS = 30


class ExtractFileError(Exception):
    """A landing file that cannot be used at all (missing, ambiguous, unreadable, wrong columns).

    Messages end up in logs and in the warehouse: long digit runs (a NIP read as a
    column name from a headerless file) are masked.
    """

    def __init__(self, message: str, file: str | None = None):
        super().__init__(show_nul(mask_digit_runs(message)))
        self.file = file


class MissingFileError(ExtractFileError):
    """No landing file of the extract for the month."""


@dataclass
class RawExtract:
    frame: pd.DataFrame  # text cells, columns normalised to snake_case
    row_numbers: pd.Series  # spreadsheet row of each record
    file: str  # path relative to the landing directory
    sha256: str
    decimal: str = "."
    notes: list[str] = field(default_factory=list)
    # rows the reader could not split into the header's columns: index, column_name, check_name, reason
    row_errors: list[dict] = field(default_factory=list)
    fmt: str = ""


def normalise_column(name: object) -> str:
    text = str(name).strip().lstrip("\ufeff").strip().lower()
    return "_".join(text.replace("-", " ").replace("/", " ").replace(".", " ").split())


# -- where ------------------------------------------------------------------------------------

def safe_landing_dir(landing: Path | str) -> Path:
    text = str(landing)
    if not text or "\x00" in text:
        raise ExtractFileError("landing directory: an empty path or a path with a NUL character")
    path = Path(text).expanduser().resolve()
    if path.exists() and not path.is_dir():
        raise ExtractFileError(f"landing path {path} is not a directory")
    return path


def locate(landing: Path, source: str, month: str | Month, extract: str) -> Path:
    """The one landing file of an extract for a month, kept inside the landing directory.

    ``source`` and ``extract`` must be plain names and ``month`` a ``YYYY-MM`` month,
    checked before anything is opened: no ``..``, no separators, no absolute paths.
    """
    try:
        check_name(source, "source")
        check_name(extract, "extract")
        month = str(Month.parse(str(month)) if not isinstance(month, Month) else month)
    except (UnsafePathError, PeriodError) as exc:
        raise ExtractFileError(f"refused: {exc}") from exc
    root = safe_landing_dir(landing)
    folder = (root / source / month).resolve()
    if root not in folder.parents:
        raise ExtractFileError(f"{source}/{month} resolves outside the landing directory")
    rel = f"{source}/{month}/{extract}.*"
    found = [folder / f"{extract}.{ext}" for ext in EXTENSIONS if (folder / f"{extract}.{ext}").is_file()]
    if not found:
        others = sorted(p.name for p in folder.glob(f"{extract}.*")) if folder.is_dir() else []
        hint = f"; found {', '.join(others)} (not a supported type)" if others else ""
        raise MissingFileError(f"missing file: no {rel} (expected one of {', '.join(EXTENSIONS)}){hint}", rel)
    if len(found) > 1:
        names = ", ".join(p.name for p in found)
        raise ExtractFileError(f"ambiguous: {rel} matches {names}; keep one", rel)
    target = found[0].resolve()
    if root not in target.parents:
        raise ExtractFileError(f"{rel} links outside the landing directory", rel)
    return target


# -- what every reader builds --------------------------------------------------------------------

def header_names(cells: Iterable[object]) -> list[str]:
    names = []
    for j, c in enumerate(cells):
        name = normalise_column(c) if c is not None else ""
        names.append(name or f"_blank_{j + 1}")
    return names


def text_frame_of(columns: list[pa.Array | pa.ChunkedArray], header: list[str]) -> pd.DataFrame:
    """Text columns (pandas ``string``) named by the header, which may repeat a name."""
    frame = pd.DataFrame({j: pd.array(column, dtype="string") for j, column in enumerate(columns)})
    frame.columns = header
    return frame


def columns_frame(records: list[list], header: list[str]) -> pd.DataFrame:
    """Rows of equal width as a frame of text columns."""
    return text_frame_of([pa.array([r[j] for r in records], type=pa.large_string()) for j in range(len(header))],
                          header)


def over_limit(limit: Limit, found: str) -> str:
    """The sentence refusing a file past a limit: what was found, the limit and the setting that raises it."""
    return (f"refused before parsing: {found}, over the limit of {limit.value():,} {limit.what} "
            f"(setting {limit.env}); if the file is genuine, raise the setting")
