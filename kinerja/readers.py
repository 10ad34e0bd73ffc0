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

import csv
import difflib
import hashlib
import io
import itertools
import json
import math
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from pyarrow import csv as pa_csv

from kinerja import parsing
from kinerja.config import MAX_COLUMNS, MAX_FILE_MB, MAX_ROWS, MAX_XLSX_UNPACKED_MB, MIB, Limit
from kinerja.periods import Month, PeriodError
from kinerja.safety import UnsafePathError, check_name, mask_digit_runs, show_nul
from kinerja.workbooks import WorkbookError, first_sheet, unpacked_sizes, worksheet_rows

EXTENSIONS = ("csv", "xlsx", "parquet", "json")
HEADER_SCAN_ROWS = 30
DELIMITERS = (",", ";", "\t", "|")
DELIMITER_NAMES = {",": "','", ";": "';'", "\t": "TAB", "|": "'|'"}
# a spreadsheet keeps 15 significant digits: a longer number in a text column (a NIP) has lost digits
SPREADSHEET_DIGITS = 15


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


# -- text files -------------------------------------------------------------------------------

NUL_SAMPLE = 4096  # the bytes at the start of a text file that show whether it is text at all


def utf16_without_bom(data: bytes) -> str | None:
    """``utf-16-le`` or ``utf-16-be`` when the start of ``data`` looks like UTF-16 text without a
    byte-order mark (mostly ASCII characters: every other byte is NUL), else None."""
    sample = data[:NUL_SAMPLE - NUL_SAMPLE % 2]
    if len(sample) < 4 or len(data) % 2:
        return None
    even, odd = sample[0::2], sample[1::2]
    for encoding, zeros, chars in (("utf-16-le", odd, even), ("utf-16-be", even, odd)):
        if zeros.count(0) >= 0.9 * len(zeros) and chars.count(0) == 0:
            try:
                data.decode(encoding)
            except UnicodeDecodeError:
                return None
            return encoding
    return None


def decode(data: bytes) -> tuple[str, str]:
    """Text and the encoding used: UTF-8 (with or without BOM), UTF-16 with a BOM or without one
    (told by its NUL bytes), else Windows-1252, else Latin-1 (which reads any byte)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8"), "utf-8 with BOM"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16"
    bomless = utf16_without_bom(data)
    if bomless:
        return data.decode(bomless), f"{bomless} without byte-order mark"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "windows-1252"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "latin-1"


def _check_text(data: bytes) -> None:
    if not data.strip(b" \t\r\n\xef\xbb\xbf"):
        raise ExtractFileError("empty file: no header row" if data else "empty file (0 bytes): no header row")
    if data.startswith(b"PK\x03\x04"):
        raise ExtractFileError("not a text file: it is a zip/XLSX workbook with a .csv name; save it as CSV "
                               "or land it as .xlsx")
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise ExtractFileError("not a text file: it is an old Excel .xls workbook; save it as CSV or .xlsx")
    sample = data[:NUL_SAMPLE]
    nuls = sample.count(0)
    # a NUL or two is a damaged cell (its row is quarantined); many at the start are a binary file
    if nuls > 2 and not data.startswith((b"\xff\xfe", b"\xfe\xff")) and utf16_without_bom(data) is None:
        raise ExtractFileError(
            f"not a text file: {nuls} of its first {len(sample)} bytes are NUL (binary data), the first at byte "
            f"{sample.index(0)}; not UTF-16 either (no byte-order mark, and the NULs are not every other byte)")


def sniff_delimiter(header_line: str) -> str:
    counts = {d: header_line.count(d) for d in DELIMITERS}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


_LINE_END = re.compile(r"\r\n|\r|\n")  # where io.StringIO(text, newline="") ends a line for the csv module


def _text_lines(text: str) -> Iterator[str]:
    """The lines of ``text`` (with their line ends) as ``io.StringIO(text, newline="")`` yields them, one at a time:
    reading a few records of a big file does not copy all of it."""
    start = 0
    for end in _LINE_END.finditer(text):
        yield text[start:end.end()]
        start = end.end()
    if start < len(text):
        yield text[start:]


def _find_header(text: str, expected: set[str]) -> tuple[int, str, list[str]]:
    """(record index of the header, delimiter, header cells), scanning the first records with every
    delimiter for the row holding most expected column names; the csv module splits them, as they may
    be of any width (title rows)."""
    best: tuple[int, int, int, str, list[str]] | None = None  # (score, -index, width, delimiter, row)
    for delim in DELIMITERS:
        head = []
        try:  # the records up to one the csv module refuses (a field beyond its size limit)
            for row in itertools.islice(csv.reader(_text_lines(text), delimiter=delim), HEADER_SCAN_ROWS):
                head.append(row)
        except csv.Error:
            pass
        for i, row in enumerate(head):
            score = len({normalise_column(c) for c in row} & expected)
            cand = (score, -i, len(row), delim, row)
            if score and (best is None or cand[:3] > best[:3]):
                best = cand
    if best is None:
        return -1, "", []
    return -best[1], best[3], best[4]


def _header_names(cells: Iterable[object]) -> list[str]:
    names = []
    for j, c in enumerate(cells):
        name = normalise_column(c) if c is not None else ""
        names.append(name or f"_blank_{j + 1}")
    return names


def _text_frame_of(columns: list[pa.Array | pa.ChunkedArray], header: list[str]) -> pd.DataFrame:
    """Text columns (pandas ``string``) named by the header, which may repeat a name."""
    frame = pd.DataFrame({j: pd.array(column, dtype="string") for j, column in enumerate(columns)})
    frame.columns = header
    return frame


def _columns_frame(records: list[list], header: list[str]) -> pd.DataFrame:
    """Rows of equal width as a frame of text columns."""
    return _text_frame_of([pa.array([r[j] for r in records], type=pa.large_string()) for j in range(len(header))],
                          header)


def read_csv(data: bytes, expected: set[str], numeric: set[str] = frozenset()
             ) -> tuple[pd.DataFrame, pd.Series, str, list[str], list[dict]]:
    """Rows of a CSV as text, their spreadsheet row numbers, the decimal separator, notes, and rows
    of the wrong width. The decimal separator follows the delimiter (``;`` -> ``,``) unless the
    cells of the ``numeric`` columns show otherwise."""
    _check_text(data)
    text, encoding = decode(data)
    notes = [f"csv: encoding {encoding}"]
    idx, delimiter, header_cells = _find_header(text, expected)
    if idx < 0:
        first = text.lstrip("\ufeff").splitlines()[0] if text.strip() else ""
        delimiter = sniff_delimiter(first)
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        found = [normalise_column(c) for c in next(reader, [])]
        raise ExtractFileError(
            f"no header row: none of the first {HEADER_SCAN_ROWS} lines names any expected column "
            f"({', '.join(sorted(expected))}) when split by , ; TAB or |; the first line splits into "
            f"{len(found)} column(s) by {DELIMITER_NAMES[delimiter]}: wrong delimiter, or no header?")
    if len(header_cells) > MAX_COLUMNS.value():
        raise ExtractFileError(_over(MAX_COLUMNS, f"its header (row {idx + 1}) has {len(header_cells):,} columns"))
    header = _header_names(header_cells)
    notes.append(f"delimiter {DELIMITER_NAMES[delimiter]}")
    if idx:
        notes.append(f"header on row {idx + 1} ({idx} title row(s) above it skipped)")
    frame, numbers, errors = _records(text, idx, delimiter, header)
    if not text.endswith(("\n", "\r")) and len(frame):
        notes.append("the file does not end with a line break: its last line may be cut short")
    if not len(frame):
        notes.append("header only: no data rows")
    cells = [frame[c] for c in frame.columns if c in numeric and header.count(c) == 1]
    default = "," if delimiter == ";" else "."
    decimal, why = parsing.detect_decimal(pd.concat(cells, ignore_index=True) if cells else pd.Series(
        dtype="string"), default, f"the delimiter {DELIMITER_NAMES[delimiter]}")
    notes.append(why)
    return frame, pd.Series(numbers, dtype="int64"), decimal, notes, errors


def _records(text: str, idx: int, delimiter: str, header: list[str]) -> tuple[pd.DataFrame, np.ndarray, list[dict]]:
    """The records below the header (record ``idx``, from 0) as text columns, their row numbers, and the rows of
    the wrong width (padded, and quarantined later).

    pyarrow's CSV reader splits the records of the header's width. It hands over the others (title rows, rows cut
    short or holding an unquoted delimiter) as text, and the csv module splits those with the same quoting rules.
    A record's row number is its place among the records (a quoted value may hold a line break). Blank records are
    skipped but keep their row numbers; extra empty fields (a trailing delimiter) are dropped; a file whose rows
    mostly do not match the header is refused."""
    width = len(header)
    names = [str(j) for j in range(width)]
    others: dict[int, str] = {}  # record number (from 1) -> its text, for the records of another width

    def other_width(row: pa_csv.InvalidRow) -> str:
        others[row.number] = row.text
        return "skip"

    table = pa_csv.read_csv(
        io.BytesIO(text.encode("utf-8")),
        # one thread: the records, and so their numbers, are read in order
        read_options=pa_csv.ReadOptions(column_names=names, use_threads=False),
        parse_options=pa_csv.ParseOptions(delimiter=delimiter, newlines_in_values=True, ignore_empty_lines=False,
                                          invalid_row_handler=other_width),
        convert_options=pa_csv.ConvertOptions(column_types=dict.fromkeys(names, pa.large_string()), null_values=[],
                                              strings_can_be_null=False, quoted_strings_can_be_null=False))
    total = table.num_rows + len(others)
    numbers = np.setdiff1d(np.arange(1, total + 1), np.fromiter(others, dtype=np.int64, count=len(others)))
    below = int(np.searchsorted(numbers, idx + 2))  # the header is row idx + 1
    table, numbers = table.slice(below), numbers[below:]
    blank = _blank(table)
    if blank.any():
        table, numbers = table.filter(pa.array(~blank)), numbers[~blank]
    rows, wrong = {}, []
    for number, line in others.items():
        row = next(csv.reader([line], delimiter=delimiter), [])
        if number <= idx + 1 or not "".join(row).strip():
            continue
        if len(row) < width or "".join(row[width:]).strip():
            wrong.append((number, len(row)))
        rows[number] = (row + [None] * width)[:width]
    if rows:
        extra = pa.table({name: pa.array([r[j] for r in rows.values()], type=pa.large_string())
                          for j, name in enumerate(names)})
        order = np.argsort(np.concatenate([numbers, list(rows)]), kind="stable")
        table = pa.concat_tables([table, extra]).take(order)
        numbers = np.concatenate([numbers, list(rows)])[order]
    if len(wrong) > 1 and 2 * len(wrong) > len(numbers):
        widths = sorted({n for _, n in wrong})
        raise ExtractFileError(
            f"rows do not match the header: {len(wrong)} of {len(numbers)} rows have "
            f"{'/'.join(map(str, widths))} field(s) where the header (row {idx + 1}) has {width} when split by "
            f"{DELIMITER_NAMES[delimiter]}: a wrong or mixed delimiter?")
    errors = []
    for number, n in sorted(wrong):
        if n < width:
            reason = (f"row has {n} of the header's {width} fields: the line is cut short"
                      + (" (the last line of the file is truncated)" if number == total else ""))
        else:
            reason = (f"row has {n} fields but the header has {width}: a value holding an unquoted "
                      f"{DELIMITER_NAMES[delimiter]}?")
        errors.append({"index": int(np.searchsorted(numbers, number)), "column_name": None,
                       "check_name": "field_count", "reason": reason})
    return _text_frame_of(table.columns, header), numbers, errors


def _blank(table: pa.Table) -> np.ndarray:
    """Which records hold nothing but whitespace (as ``str.strip`` sees it)."""
    if not table.num_rows:
        return np.zeros(0, dtype=bool)
    joined = pc.binary_join_element_wise(*table.columns, pa.scalar("", pa.large_string()))
    # only a record without a visible ASCII character can be blank: the few of those are checked one by one
    blank = pc.invert(pc.match_substring_regex(joined, "[!-~]")).to_numpy(zero_copy_only=False)
    for i in np.flatnonzero(blank):
        blank[i] = not joined[int(i)].as_py().strip()
    return blank


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
        raise ExtractFileError(_over(MAX_XLSX_UNPACKED_MB, f"it unzips to {total / MIB:,.1f} MiB ({part} alone "
                                                            f"{sizes[part] / MIB:,.1f} MiB)"))
    max_rows = MAX_ROWS.value()
    for part, rows in worksheet_rows(path, max_rows).items():
        if rows > max_rows:
            raise ExtractFileError(_over(MAX_ROWS, f"its worksheet {part} holds more than {max_rows:,} rows"))


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
        raise ExtractFileError(_over(MAX_COLUMNS, f"its header (row {header_idx + 1}) has {len(rows[header_idx]):,} "
                                                  "columns"))
    header = _header_names(rows[header_idx])
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
    frame = _columns_frame(records, header)
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
        raise ExtractFileError(_over(MAX_ROWS, f"it holds {meta.num_rows:,} rows"))
    if meta.num_columns > MAX_COLUMNS.value():
        raise ExtractFileError(_over(MAX_COLUMNS, f"it has {meta.num_columns:,} columns"))
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

def _over(limit: Limit, found: str) -> str:
    """The sentence refusing a file past a limit: what was found, the limit and the setting that raises it."""
    return (f"refused before parsing: {found}, over the limit of {limit.value():,} {limit.what} "
            f"(setting {limit.env}); if the file is genuine, raise the setting")


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
            raise ExtractFileError(f"{rel}: " + _over(MAX_FILE_MB, f"the file is {size / MIB:,.1f} MiB"), rel)
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
