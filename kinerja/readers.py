"""Landing files: where they are, and how to read them into raw text cells.

Layout: ``<landing>/<source>/<YYYY-MM>/<extract>.<csv|xlsx|parquet|json>``.
A reader returns every cell as text (``None`` for a real null) with the row
number a person sees in a spreadsheet (header = row 1; with title rows above
the header, the real sheet row), plus what it detected (``notes``) and the rows
it could not split into the header's columns (``row_errors``, quarantined later).
Typing happens later, column by column, so one bad cell costs one row only.

What makes a whole file unusable (:class:`ExtractFileError`): missing, two files
for one extract, empty (0 bytes), binary where text is expected, no header row
with the expected columns, a required column missing or duplicated, most rows
not matching the header (a wrong delimiter), a corrupt workbook/Parquet/JSON, and a file past a
limit of what a file may cost (``kinerja.config``: size on disk, a workbook's unzipped size, rows,
columns), checked before it is parsed.
"""

from __future__ import annotations

import difflib
import hashlib
import io
import json
import math
from collections.abc import Iterable
from datetime import date, datetime, time
from pathlib import Path

import pandas as pd

from kinerja import parsing
from kinerja.config import MAX_COLUMNS, MAX_FILE_MB, MAX_ROWS, MAX_XLSX_UNPACKED_MB, MIB
from kinerja.csvfiles import decode, read_csv
from kinerja.landing import (
    EXTENSIONS,
    HEADER_SCAN_ROWS,
    ExtractFileError,
    MissingFileError,
    RawExtract,
    columns_frame,
    header_names,
    locate,
    normalise_column,
    over_limit,
    safe_landing_dir,
)
from kinerja.workbooks import WorkbookError, first_sheet, unpacked_sizes, worksheet_rows

__all__ = ["EXTENSIONS", "ExtractFileError", "MissingFileError", "RawExtract", "decode", "locate", "normalise_column",
           "read_csv", "read_json", "read_landing_file", "read_parquet", "read_xlsx", "safe_landing_dir"]

# a spreadsheet keeps 15 significant digits: a longer number in a text column (a NIP) has lost digits
SPREADSHEET_DIGITS = 15


# -- spreadsheets -------------------------------------------------------------------------------

def _cell_text(value: object, decimal: str = ".") -> str | None:
    """One native cell value as the text a person would type for it."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        if value.tzinfo is None and value.time() == time(0, 0):
            return value.date().isoformat()  # an Excel date cell: shown as the date it is
        return value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, float):
        if math.isnan(value):
            return None
        text = str(int(value)) if value.is_integer() and abs(value) < 1e21 else repr(value)
        return text.replace(".", ",") if decimal == "," else text
    if isinstance(value, pd.Timestamp):
        return value.isoformat(sep=" ")
    return str(value)


def _lossy_number(value: object) -> bool:
    return (isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
            and abs(value) >= 10 ** SPREADSHEET_DIGITS)


def check_workbook_cost(path: Path) -> None:
    """Refuse a workbook that would cost too much to read (a zip bomb), before the workbook reader
    sees it: its unzipped size from the zip's directory, then its worksheets' rows counted as they
    unzip, a chunk at a time."""
    sizes = unpacked_sizes(path)
    total, limit = sum(sizes.values()), MAX_XLSX_UNPACKED_MB.value()
    if total > limit * MIB:
        part = max(sizes, key=sizes.get)
        raise ExtractFileError(over_limit(MAX_XLSX_UNPACKED_MB, f"it unzips to {total / MIB:,.1f} MiB ({part} alone "
                                                            f"{sizes[part] / MIB:,.1f} MiB)"))
    max_rows = MAX_ROWS.value()
    for part, rows in worksheet_rows(path, max_rows).items():
        if rows > max_rows:
            raise ExtractFileError(over_limit(MAX_ROWS, f"its worksheet {part} holds more than {max_rows:,} rows"))


def read_xlsx(path: Path, expected: set[str], numeric: set[str]
              ) -> tuple[pd.DataFrame, pd.Series, str, list[str], list[dict]]:
    try:
        check_workbook_cost(path)
        rows, title = first_sheet(path)
    except WorkbookError as exc:
        hint = " (an old .xls saved with an .xlsx name?)" if path.read_bytes()[:4] == b"\xd0\xcf\x11\xe0" else ""
        raise ExtractFileError(f"unreadable spreadsheet{hint}: {exc}") from exc
    if not any(v is not None for row in rows for v in row):
        raise ExtractFileError(f"empty spreadsheet: the first sheet {title!r} has no cells")
    header_idx, best = None, 0
    for i, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        score = len({normalise_column(c) for c in row if c is not None} & expected)
        if score > best:
            header_idx, best = i, score
    if header_idx is None:
        raise ExtractFileError(f"no header row naming any expected column ({', '.join(sorted(expected))}) "
                               f"in the first {HEADER_SCAN_ROWS} rows of sheet {title!r}")
    if len(rows[header_idx]) > MAX_COLUMNS.value():
        found = f"its header (row {header_idx + 1}) has {len(rows[header_idx]):,} columns"
        raise ExtractFileError(over_limit(MAX_COLUMNS, found))
    header = header_names(rows[header_idx])
    width = len(header)
    body, numbers = [], []
    for i, row in enumerate(rows[header_idx + 1:], start=header_idx + 2):
        cells = (row + [None] * width)[:width]
        if not any(v is not None and (not isinstance(v, str) or v.strip()) for v in cells):
            continue
        body.append(cells)
        numbers.append(i)
    # the decimal convention of the numbers typed as text; native numbers follow it
    numeric_text = [v for row in body for j, v in enumerate(row) if header[j] in numeric and isinstance(v, str)]
    decimal, why = parsing.detect_decimal(pd.Series(numeric_text, dtype="string"), ".",
                                          "numbers stored as numbers")
    errors = []
    text_columns = [j for j, name in enumerate(header) if name in expected and name not in numeric]
    for pos, cells in enumerate(body):
        for j in text_columns:
            if _lossy_number(cells[j]):
                errors.append({"index": pos, "column_name": header[j], "check_name": "spreadsheet_number",
                               "reason": f"{header[j]} is stored as a number in the spreadsheet, which keeps only "
                                         f"{SPREADSHEET_DIGITS} digits, so its last digits are lost: format the "
                                         "column as Text and export again"})
    records = [[v if type(v) is str else _cell_text(v, decimal) for v in cells] for cells in body]
    frame = columns_frame(records, header)
    notes = [f"xlsx: sheet {title!r}, header on row {header_idx + 1}"
             + (f" ({header_idx} title row(s) above it skipped)" if header_idx else ""), why]
    if not records:
        notes.append("header only: no data rows")
    return frame, pd.Series(numbers, dtype="int64"), decimal, notes, errors


# -- typed files ------------------------------------------------------------------------------

def _series_text(s: pd.Series) -> pd.Series:
    """A typed column as text cells, vectorised by dtype."""
    if pd.api.types.is_bool_dtype(s):
        return s.map({True: "true", False: "false"}).astype("string")
    if isinstance(s.dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_any_dtype(s):
        return pd.Series(s.map(lambda v: None if pd.isna(v) else v.isoformat(sep=" ")), index=s.index,
                         dtype="string")
    if pd.api.types.is_integer_dtype(s):
        return s.astype("Int64").astype("string")
    if pd.api.types.is_float_dtype(s):
        return pd.Series([_cell_text(float(v)) if not pd.isna(v) else None for v in s.to_numpy(dtype=object)],
                         index=s.index, dtype="string")
    if pd.api.types.is_string_dtype(s) and not pd.api.types.is_object_dtype(s):
        return s.astype("string")
    return pd.Series([None if v is None or (isinstance(v, float) and math.isnan(v)) else _cell_text(v)
                      for v in s.to_numpy(dtype=object)], index=s.index, dtype="string")


def _text_frame(df: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({normalise_column(c): _series_text(df[c]) for c in df.columns}, index=range(len(df)))


def read_parquet(data: bytes) -> tuple[pd.DataFrame, list[str]]:
    import pyarrow.parquet as pq

    meta = pq.ParquetFile(io.BytesIO(data)).metadata  # the footer only: nothing is unpacked yet
    if meta.num_rows > MAX_ROWS.value():
        raise ExtractFileError(over_limit(MAX_ROWS, f"it holds {meta.num_rows:,} rows"))
    if meta.num_columns > MAX_COLUMNS.value():
        raise ExtractFileError(over_limit(MAX_COLUMNS, f"it has {meta.num_columns:,} columns"))
    df = pd.read_parquet(io.BytesIO(data))
    return _text_frame(df.reset_index(drop=True)), [f"parquet: {len(df.columns)} columns"]


def read_json(data: bytes) -> tuple[pd.DataFrame, list[str]]:
    """A list of records, ``{"records": [...]}`` / ``{"data": [...]}``, or JSON Lines."""
    if not data.strip(b" \t\r\n\xef\xbb\xbf"):
        raise ExtractFileError("empty file (0 bytes): no records" if not data else "empty file: no records")
    text = data.decode("utf-8-sig")
    try:
        doc = json.loads(text)
        shape = "json records"
    except json.JSONDecodeError as exc:
        if "Extra data" not in str(exc):
            raise ExtractFileError(f"unreadable json: {exc}") from exc
        try:
            doc = [json.loads(line) for line in text.splitlines() if line.strip()]
        except json.JSONDecodeError as exc2:
            raise ExtractFileError(f"unreadable json lines: {exc2}") from exc2
        shape = "json lines"
    if isinstance(doc, dict):
        for key in ("records", "data", "rows"):
            if isinstance(doc.get(key), list):
                doc, shape = doc[key], f"json records under {key!r}"
                break
    if not isinstance(doc, list) or not all(isinstance(r, dict) for r in doc):
        raise ExtractFileError('json must be a list of records (objects), {"records": [...]} or JSON Lines')
    # build the text cells from the Python values themselves: no float inference, so long ids stay exact
    columns: dict[str, None] = {}
    for rec in doc:
        for k in rec:
            columns.setdefault(k, None)
    frame = pd.DataFrame({normalise_column(c): pd.Series([_cell_text(r.get(c)) if not isinstance(
        r.get(c), dict | list) else json.dumps(r.get(c)) for r in doc], dtype="string") for c in columns},
        index=range(len(doc)))
    notes = [f"{shape}: {len(doc)} records"]
    if not doc:
        notes.append("no records")
    return frame, notes


# -- one landing file ------------------------------------------------------------------------------



def _check_columns(frame: pd.DataFrame, expected: set[str], rel: str, required: set[str] | None = None) -> list[str]:
    """Refuse a file whose header lacks a required column or repeats an expected one; note the extra
    ones and the optional ones it leaves out (``required``: default every expected column)."""
    required = expected if required is None else required
    cols = list(frame.columns)
    repeated = sorted({c for c in cols if cols.count(c) > 1 and c in expected})
    if repeated:
        raise ExtractFileError(f"{rel}: column(s) {', '.join(repeated)} appear more than once in the header", rel)
    missing = sorted(required - set(cols))
    if missing:
        hints = []
        for m in missing:
            close = difflib.get_close_matches(m, [c for c in cols if c not in expected], n=1, cutoff=0.75)
            hints.append(f"{m} (found {close[0]}?)" if close else m)
        raise ExtractFileError(f"{rel}: missing column(s) {', '.join(hints)}; the header has "
                               f"{', '.join(c for c in cols if not c.startswith('_blank_'))}", rel)
    extra = [c for c in dict.fromkeys(cols) if c not in expected and not c.startswith("_blank_")]
    absent = sorted(expected - required - set(cols))
    return ([f"ignored extra column(s): {', '.join(extra)}"] if extra else []) + (
        [f"optional column(s) absent, staged blank: {', '.join(absent)}"] if absent else [])


def read_landing_file(path: Path, landing: Path, expected: Iterable[str],
                      numeric: Iterable[str] = (), required: Iterable[str] | None = None) -> RawExtract:
    """Read one landing file; ``expected`` are the extract's columns, ``numeric`` its int/float columns
    (they decide the decimal separator), ``required`` the ones a file must have (default: every expected
    one). Raises :class:`ExtractFileError` for a file-level problem."""
    expected, numeric = set(expected), set(numeric)
    required = expected if required is None else set(required)
    root = safe_landing_dir(landing)
    try:
        rel = path.resolve().relative_to(root).as_posix()
    except ValueError as exc:
        raise ExtractFileError(f"refused: {path.name} is outside the landing directory") from exc
    try:
        size = path.stat().st_size
        if size > MAX_FILE_MB.value() * MIB:
            raise ExtractFileError(f"{rel}: " + over_limit(MAX_FILE_MB, f"the file is {size / MIB:,.1f} MiB"), rel)
        data = path.read_bytes()
    except OSError as exc:
        raise ExtractFileError(f"unreadable file {rel}: {type(exc).__name__}: {exc.strerror or exc}", rel) from exc
    digest = hashlib.sha256(data).hexdigest()
    ext = path.suffix.lstrip(".").lower()
    decimal, errors = ".", []
    try:
        if ext == "csv":
            frame, numbers, decimal, notes, errors = read_csv(data, expected, numeric)
        elif ext == "xlsx":
            frame, numbers, decimal, notes, errors = read_xlsx(path, expected, numeric)
        elif ext == "parquet":
            frame, notes = read_parquet(data)
            numbers = pd.Series(range(2, len(frame) + 2), dtype="int64")
        elif ext == "json":
            frame, notes = read_json(data)
            numbers = pd.Series(range(2, len(frame) + 2), dtype="int64")
        else:
            raise ExtractFileError(f"unsupported file type .{ext}")
        notes += _check_columns(frame, expected, rel, required)
    except ExtractFileError as exc:
        text = str(exc)
        raise ExtractFileError(text if text.startswith(rel) else f"{rel}: {text}", rel) from exc
    except Exception as exc:  # any other failure to parse the file is a file-level problem
        raise ExtractFileError(f"{rel}: unreadable {ext} file: {type(exc).__name__}: {exc}", rel) from exc
    frame = frame.reset_index(drop=True)
    return RawExtract(frame, numbers.reset_index(drop=True), rel, digest, decimal, notes, errors, ext)
