"""The first worksheet of a workbook, read by python-calamine.

python-calamine gives the cached value of every cell (the value a formula last computed), native
types (numbers, booleans, dates), and a whole grid from A1. It reads a cell holding a spreadsheet
error (``#REF!``, ``#N/A`` ...) as an empty cell, though, and such a cell must be quarantined with
its error, not taken as a blank: those few cells are read from the sheet's XML.
"""

from __future__ import annotations

import io
import posixpath
import re
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

# an error cell in the sheet's XML: <c r="C2" t="e"><v>#REF!</v></c>
_ERROR_TYPE = re.compile(rb"""\st=["']e["']""")


class WorkbookError(Exception):
    """A workbook that cannot be read (damaged, not a workbook, no worksheet)."""


# a row element of a sheet's XML, with or without a namespace prefix (not <rowBreaks>)
_ROW = re.compile(rb"<(?:[A-Za-z_][\w.-]{0,31}:)?row[\s/>]")
_ROW_TAIL = 48  # bytes kept from one chunk to the next, so that a tag split between them is counted once


def unpacked_sizes(path: Path) -> dict[str, int]:
    """The size of every part of the workbook once unzipped, as its zip directory declares it: read
    without unpacking anything. (Python's zip reader never yields more than a part declares, and a part
    that unpacks to other bytes fails its checksum.)"""
    try:
        with zipfile.ZipFile(path) as zf:
            return {info.filename: info.file_size for info in zf.infolist()}
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
        raise WorkbookError(f"{type(exc).__name__}: {exc}") from exc


def worksheet_rows(path: Path, stop_after: int) -> dict[str, int]:
    """The rows of each worksheet, counted in its XML as it is unzipped, a chunk at a time (constant
    memory, nothing parsed); a count stops once it passes ``stop_after``. A row the XML leaves out
    (an empty one) is not counted, and neither is a wrong ``<dimension>``: only the rows a reader
    would build."""
    counts = {}
    try:
        with zipfile.ZipFile(path) as zf:
            for info in zf.infolist():
                if not (info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml")):
                    continue
                rows, tail = 0, b""
                with zf.open(info) as part:
                    while rows <= stop_after and (chunk := part.read(1 << 20)):
                        data = tail + chunk
                        cut = max(len(data) - _ROW_TAIL, 0)
                        # the rows starting before the cut (a row tag holds no "<": none straddles it twice)
                        rows += len(_ROW.findall(data)) - len(_ROW.findall(data, cut))
                        tail = data[cut:]
                    if rows <= stop_after:
                        rows += len(_ROW.findall(tail))
                counts[info.filename] = rows
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, RuntimeError) as exc:
        raise WorkbookError(f"{type(exc).__name__}: {exc}") from exc
    return counts


def first_sheet(path: Path) -> tuple[list[list], str]:
    """The first worksheet's rows from row 1 and its name. A cell is a ``str``, ``int``, ``float``,
    ``bool``, ``date``, ``datetime``, ``time`` or ``timedelta``, or ``None`` when empty; a row runs
    from column A to its last cell that is not empty."""
    from python_calamine import CalamineWorkbook, SheetTypeEnum

    try:
        with CalamineWorkbook.from_path(path) as wb:
            names = [m.name for m in wb.sheets_metadata if m.typ == SheetTypeEnum.WorkSheet]
            if not names:
                raise WorkbookError("the workbook has no worksheet")
            grid = wb.get_sheet_by_name(names[0]).to_python(skip_empty_area=False)
        errors = _error_cells(path, names[0])
    except WorkbookError:
        raise
    except Exception as exc:  # calamine, zipfile and the XML parser raise many kinds for a broken workbook
        raise WorkbookError(f"{type(exc).__name__}: {exc}") from exc
    rows = [[None if v == "" else v for v in row] for row in grid]
    for (r, c), error in errors.items():
        rows[r][c] = error
    for row in rows:
        while row and row[-1] is None:
            row.pop()
    return rows, names[0]


def _local(name: str) -> str:
    """An XML name without its namespace (workbooks use two: transitional and strict)."""
    return name.rpartition("}")[2]


def _sheet_part(zf: zipfile.ZipFile, sheet: str) -> str:
    """The path inside the workbook of the XML of the sheet named ``sheet``."""
    workbook = ET.fromstring(zf.read("xl/workbook.xml"))
    entry = next(e for e in workbook.iter() if _local(e.tag) == "sheet" and e.get("name") == sheet)
    rel_id = next(v for k, v in entry.attrib.items() if _local(k) == "id")
    rels = ET.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
    target = next(r.get("Target") for r in rels if r.get("Id") == rel_id)
    return target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))


def _column(letters: str) -> int:
    """The column index (from 0) of a cell reference's letters: A = 0, Z = 25, AA = 26."""
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - 64
    return number - 1


def _error_cells(path: Path, sheet: str) -> dict[tuple[int, int], str]:
    """The cells of a sheet holding a spreadsheet error, by (row, column) from 0, with the error's text."""
    with zipfile.ZipFile(path) as zf:
        xml = zf.read(_sheet_part(zf, sheet))
    if not _ERROR_TYPE.search(xml):
        return {}
    errors, row, column = {}, -1, -1
    for event, element in ET.iterparse(io.BytesIO(xml), events=("start", "end")):
        name = _local(element.tag)
        if name == "row" and event == "start":
            row = int(element.get("r", row + 2)) - 1  # a row or cell without a reference follows the one before
            column = -1
        elif name == "c" and event == "end":
            ref = element.get("r")
            column = _column(ref.rstrip("0123456789")) if ref else column + 1
            text = next((e.text for e in element if _local(e.tag) == "v"), None)
            if element.get("t") == "e" and text:
                errors[row, column] = text
            element.clear()
    return errors
