"""Text landing files (CSV as the source systems export them): decoding, the header row, the
delimiter and the records, every cell as text with its spreadsheet row number.

Refusals of a whole file raise :class:`kinerja.landing.ExtractFileError`.
"""

from __future__ import annotations

import csv
import io
import itertools
import re
from collections.abc import Iterator

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from pyarrow import csv as pa_csv

from kinerja import parsing
from kinerja.config import MAX_COLUMNS
from kinerja.landing import (
    HEADER_SCAN_ROWS,
    ExtractFileError,
    header_names,
    normalise_column,
    over_limit,
    text_frame_of,
)

DELIMITERS = (",", ";", "\t", "|")
DELIMITER_NAMES = {",": "','", ";": "';'", "\t": "TAB", "|": "'|'"}
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
        raise ExtractFileError(over_limit(MAX_COLUMNS, f"its header (row {idx + 1}) has {len(header_cells):,} columns"))
    header = header_names(header_cells)
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
    return text_frame_of(table.columns, header), numbers, errors


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
