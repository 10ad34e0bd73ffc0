"""Plain workbooks read by python-calamine: exactly the rows openpyxl gives, about ten times faster.

:func:`calamine_rows` answers only for a workbook in which nothing could read differently (checked
on the sheet's XML, a few milliseconds); for anything else it answers None and the caller reads the
workbook with openpyxl (``kinerja.readers``).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

# calamine reads a sheet about ten times faster than openpyxl, and gives the same values for the cells most exporters
# write. It differs on error cells and empty strings (both empty), text with outer whitespace and no
# xml:space="preserve" (trimmed), _xHHHH_ escapes (decoded), integers beyond 2**53 (floats) and rows or cells out of
# order, and may differ on dates (which number formats are dates, rounding) and formulas. So it reads a workbook only
# when every cell has one of these plain forms, every style a plain number format, and no text any of the above.
_PLAIN_CELL = (
    rb'<c r="[A-Z]{1,3}[1-9][0-9]*"(?: s="[0-9]+")?(?:'
    rb'(?: t="n")?><v>-?[0-9]+(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?</v></c>'
    rb'| t="s"><v>[0-9]+</v></c>'
    rb'| t="b"><v>[01]</v></c>'
    rb'| t="inlineStr"><is><t(?: xml:space="preserve")?>[^<]+</t></is></c>'
    rb'|(?: t="[a-zA-Z]+")? ?/>)')  # an empty cell (openpyxl: None)
_PLAIN_ROWS = re.compile(rb'(?:<row r="[1-9][0-9]*"[^>]*?(?:/>|>(?:' + _PLAIN_CELL + rb')*</row>))*')
_PLAIN_STRINGS = re.compile(rb'(?:<si><t(?: xml:space="preserve")?>[^<]+</t></si>)*')
_ESCAPE = re.compile(rb"_x[0-9A-Fa-f]{4}_")
_OUTER_SPACE = re.compile(rb"<t>(?:[ \t\n]|[^<]*[ \t\n]</t>)")
_ROW_OR_CELL = re.compile(rb'<row r="([0-9]+)"|<c r="([A-Z]+)([0-9]+)"')
_CELL_STYLE = re.compile(rb'<c r="[A-Z]+[0-9]+" s="([0-9]+)"')
_SHARED_INDEX = re.compile(rb' t="s"><v>([0-9]+)</v>')
# built-in number formats that are no date, time or duration for either reader
_PLAIN_NUMBER_FORMATS = frozenset({*range(0, 14), *range(37, 45), 48, 49})
_MAX_COLUMN = 16384  # XFD
_EXACT_FLOAT = 2 ** 53  # every integer below it is exact as a float


def _plain_text(xml: bytes) -> bool:
    """No carriage return (XML parsers differ on it), character reference, _xHHHH_ escape, or text with outer
    whitespace but no xml:space="preserve"."""
    if b"\r" in xml or b"&#" in xml or _ESCAPE.search(xml):
        return False
    if b"<t>" not in xml or not any(space + b"</t>" in xml or b"<t>" + space in xml for space in (b" ", b"\t", b"\n")):
        return True
    return not _OUTER_SPACE.search(xml)


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + letter - 64  # A = 1
    return number


def _sheet_layout(sheet: bytes, start: int, end: int) -> dict[int, int] | None:
    """Each row element's sheet row and its width (the column of its last cell), as openpyxl lays the rows out; None
    unless the rows and the cells in them are numbered and in order (then both readers place every cell alike)."""
    last_cells: dict[int, bytes] = {}  # row -> its last cell's column letters, right-aligned so that they sort
    row, last, previous = b"", b"", 0
    for row_no, letters, cell_row in _ROW_OR_CELL.findall(sheet, start, end):
        if row_no:
            if int(row_no) <= previous:
                return None
            row, last, previous = row_no, b"", int(row_no)
            last_cells[previous] = b""
            continue
        column = letters.rjust(3)
        if cell_row != row or column <= last:
            return None
        last = last_cells[previous] = column
    widths = {n: _column_number(c.lstrip()) for n, c in last_cells.items()}
    return widths if all(w <= _MAX_COLUMN for w in widths.values()) else None


def _plain_styles(styles: bytes, used: set[int]) -> bool:
    """Whether every cell style used has a built-in number format that is no date (dates differ between readers)."""
    def name(element: ET.Element) -> str:
        return element.tag.rpartition("}")[2]

    root = ET.fromstring(styles)
    custom = {int(e.get("numFmtId", -1)) for e in root.iter() if name(e) == "numFmt"}
    formats = [int(x.get("numFmtId", 0)) for e in root if name(e) == "cellXfs" for x in e if name(x) == "xf"]
    return all(i < len(formats) and formats[i] in _PLAIN_NUMBER_FORMATS and formats[i] not in custom for i in used)


def _plain_workbook(sheet: bytes, shared: bytes | None, styles: bytes | None) -> dict[int, int] | None:
    """The sheet layout (see :func:`_sheet_layout`) when the sheet only holds plain cells, else None."""
    start, end = sheet.find(b"<sheetData>"), sheet.rfind(b"</sheetData>")
    start += len(b"<sheetData>")
    if min(start, end) < len(b"<sheetData>") or not _PLAIN_ROWS.fullmatch(sheet, start, end):
        return None
    if not _plain_text(sheet):
        return None
    indexes = _SHARED_INDEX.findall(sheet, start, end)
    if shared is not None:
        first, last = shared.find(b"<sst"), shared.rfind(b"</sst>")
        first = shared.find(b">", first) + 1
        if min(first, last) <= 0 or not _PLAIN_STRINGS.fullmatch(shared, first, last) or not _plain_text(shared):
            return None
        if indexes and max(map(int, indexes)) >= shared.count(b"<si>", first, last):
            return None
    elif indexes:
        return None
    used = {0} | {int(s) for s in set(_CELL_STYLE.findall(sheet, start, end))}  # no style attribute: style 0
    if styles is None or not _plain_styles(styles, used):
        return None
    return _sheet_layout(sheet, start, end)


def _plain_value(value: object) -> bool:
    return type(value) in (str, bool, int) or (type(value) is float and abs(value) < _EXACT_FLOAT)


def calamine_rows(path: Path) -> tuple[list[list], str] | None:
    """The first sheet's rows and title exactly as openpyxl returns them (``kinerja.readers``), read by
    calamine; None when the workbook is not plain enough to be sure of that (see ``_PLAIN_CELL``)."""
    from python_calamine import CalamineWorkbook, SheetTypeEnum

    try:
        with zipfile.ZipFile(path) as zf:
            names = zf.namelist()
            sheets = [n for n in names if re.fullmatch(r"xl/worksheets/[^/]+\.xml", n)]
            if len(sheets) != 1 or len([n for n in names if "sharedstrings" in n.lower()]) > 1:
                return None
            # the one worksheet part is the workbook's sheet, not a stray part beside another one
            if sheets[0].removeprefix("xl/").encode() not in zf.read("xl/_rels/workbook.xml.rels"):
                return None
            parts = {n: zf.read(n) for n in ("xl/sharedStrings.xml", "xl/styles.xml") if n in names}
            layout = _plain_workbook(zf.read(sheets[0]), parts.get("xl/sharedStrings.xml"),
                                     parts.get("xl/styles.xml"))
        if layout is None:
            return None
        with CalamineWorkbook.from_path(path) as wb:
            if [m.typ for m in wb.sheets_metadata] != [SheetTypeEnum.WorkSheet]:
                return None
            ws = wb.get_sheet_by_index(0)
            grid, title = ws.to_python(skip_empty_area=False), ws.name
    except Exception:  # a damaged or unusual workbook: openpyxl reads it, or reports why it cannot
        return None
    rows: list[list] = [[] for _ in range(max(layout, default=0))]
    for row_no, width in layout.items():
        cells = grid[row_no - 1][:width] if row_no <= len(grid) else []
        rows[row_no - 1] = [None if v == "" else v for v in cells] + [None] * (width - len(cells))
    if not all(_plain_value(v) for row in rows for v in row if v is not None):
        return None
    return rows, title
