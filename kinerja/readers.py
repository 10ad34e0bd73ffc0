"""Landing files: where they are, and how to read them into raw text cells.

Layout: ``<landing>/<source>/<YYYY-MM>/<extract>.<csv|xlsx|parquet|json>``.
A reader returns every cell as text (``None`` for a real null) with the row
number a person sees in a spreadsheet (header = row 1), plus what it detected.
Typing happens later, column by column, so one bad cell costs one row only.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path

import pandas as pd

EXTENSIONS = ("csv", "xlsx", "parquet", "json")
HEADER_SCAN_ROWS = 30


class ExtractFileError(Exception):
    """A landing file that cannot be used at all (missing, ambiguous, unreadable, wrong columns)."""

    def __init__(self, message: str, file: str | None = None):
        super().__init__(message)
        self.file = file


@dataclass
class RawExtract:
    frame: pd.DataFrame  # text cells, columns normalised to snake_case
    row_numbers: pd.Series  # spreadsheet row of each record
    file: str  # path relative to the landing directory
    sha256: str
    decimal: str = "."
    notes: list[str] = field(default_factory=list)


def normalise_column(name: object) -> str:
    text = str(name).strip().lstrip("\ufeff").lower()
    return "_".join(text.replace("-", " ").replace("/", " ").split())


def safe_landing_dir(landing: Path | str) -> Path:
    path = Path(landing).resolve()
    if path.exists() and not path.is_dir():
        raise ExtractFileError(f"landing path {path} is not a directory")
    return path


def locate(landing: Path, source: str, month: str, extract: str) -> Path:
    """The one landing file of an extract for a month, kept inside the landing directory."""
    root = safe_landing_dir(landing)
    folder = (root / source / month).resolve()
    if root not in folder.parents:
        raise ExtractFileError(f"{source}/{month} resolves outside the landing directory")
    found = [folder / f"{extract}.{ext}" for ext in EXTENSIONS if (folder / f"{extract}.{ext}").is_file()]
    rel = f"{source}/{month}/{extract}.*"
    if not found:
        raise ExtractFileError(f"missing file: no {rel} (expected one of {', '.join(EXTENSIONS)})", rel)
    if len(found) > 1:
        names = ", ".join(p.name for p in found)
        raise ExtractFileError(f"ambiguous: {source}/{month} holds {names}; keep one", rel)
    target = found[0].resolve()
    if root not in target.parents:
        raise ExtractFileError(f"{rel} links outside the landing directory", rel)
    return target


def decode(data: bytes) -> tuple[str, str]:
    """Text and the encoding used: UTF-8 (with or without BOM), else Windows-1252, else Latin-1."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8"), "utf-8-sig"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "latin-1"


def sniff_delimiter(header_line: str) -> str:
    counts = {d: header_line.count(d) for d in (";", ",", "\t", "|")}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def read_csv(data: bytes) -> tuple[pd.DataFrame, pd.Series, str, list[str]]:
    text, encoding = decode(data)
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        raise ExtractFileError("empty file: no header row")
    delimiter = sniff_delimiter(lines[0])
    decimal = "," if delimiter == ";" else "."
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    header = [normalise_column(c) for c in rows[0]]
    width = len(header)
    records, numbers, notes = [], [], []
    for i, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) > width:
            if any(cell.strip() for cell in row[width:]):
                raise ExtractFileError(f"row {i} has {len(row)} fields but the header has {width}")
            row = row[:width]
        records.append(row + [None] * (width - len(row)))
        numbers.append(i)
    frame = pd.DataFrame(records, columns=header, dtype="string") if records else pd.DataFrame(
        columns=header, dtype="string")
    notes.append(f"csv: encoding {encoding}, delimiter {delimiter!r}, decimal {decimal!r}")
    return frame, pd.Series(numbers, dtype="int64"), decimal, notes


def _cell_text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def read_xlsx(path: Path, expected: set[str]) -> tuple[pd.DataFrame, pd.Series, list[str]]:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken workbook
        raise ExtractFileError(f"unreadable spreadsheet: {exc}") from exc
    ws = wb.worksheets[0]
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    wb.close()
    header_idx, best = None, 0
    for i, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        names = {normalise_column(c) for c in row if c is not None}
        score = len(names & expected)
        if score > best:
            header_idx, best = i, score
    if header_idx is None:
        raise ExtractFileError(f"no header row with the expected columns in the first {HEADER_SCAN_ROWS} rows")
    header = [normalise_column(c) if c is not None else f"_blank_{j}" for j, c in enumerate(rows[header_idx])]
    records, numbers = [], []
    for i, row in enumerate(rows[header_idx + 1:], start=header_idx + 2):
        cells = [_cell_text(v) for v in row[: len(header)]]
        if not any(c is not None and c.strip() for c in cells):
            continue
        records.append(cells + [None] * (len(header) - len(cells)))
        numbers.append(i)
    frame = pd.DataFrame(records, columns=header, dtype="string") if records else pd.DataFrame(
        columns=header, dtype="string")
    notes = [f"xlsx: sheet {ws.title!r}, header on row {header_idx + 1}"]
    return frame, pd.Series(numbers, dtype="int64"), notes


def _frame_to_text(df: pd.DataFrame) -> pd.DataFrame:
    out = {}
    for col in df.columns:
        out[normalise_column(col)] = pd.Series([_cell_text(v) if not pd.isna(v) else None
                                                for v in df[col].astype(object)], dtype="string")
    return pd.DataFrame(out)


def read_landing_file(path: Path, landing: Path, expected: set[str]) -> RawExtract:
    rel = str(path.relative_to(safe_landing_dir(landing)))
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ExtractFileError(f"unreadable file {rel}: {exc}", rel) from exc
    digest = hashlib.sha256(data).hexdigest()
    ext = path.suffix.lstrip(".").lower()
    decimal = "."
    try:
        if ext == "csv":
            frame, numbers, decimal, notes = read_csv(data)
        elif ext == "xlsx":
            frame, numbers, notes = read_xlsx(path, expected)
        elif ext == "parquet":
            frame = _frame_to_text(pd.read_parquet(io.BytesIO(data)))
            numbers, notes = pd.Series(range(2, len(frame) + 2), dtype="int64"), ["parquet"]
        elif ext == "json":
            records = json.loads(data.decode("utf-8-sig"))
            if isinstance(records, dict) and "records" in records:
                records = records["records"]
            if not isinstance(records, list):
                raise ExtractFileError("json must be a list of records (or {\"records\": [...]})")
            frame = _frame_to_text(pd.DataFrame.from_records(records))
            numbers, notes = pd.Series(range(2, len(frame) + 2), dtype="int64"), ["json records"]
        else:
            raise ExtractFileError(f"unsupported file type .{ext}")
    except ExtractFileError as exc:
        raise ExtractFileError(f"{rel}: {exc}", rel) from exc
    except (ValueError, csv.Error, UnicodeDecodeError, OSError) as exc:
        raise ExtractFileError(f"{rel}: unreadable {ext} file: {exc}", rel) from exc
    frame = frame.reset_index(drop=True)
    return RawExtract(frame, numbers.reset_index(drop=True), rel, digest, decimal, notes)
