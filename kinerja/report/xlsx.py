"""The scorecard as a spreadsheet (openpyxl): the agreement's table, charts, monthly trend,
components, quarantine summary, lineage and runs, one sheet each.

Numbers are real numbers (analysts compute with them) with the number format
``[$-421]#,##0.00``: the locale tag 421 is Indonesian (id-ID), so the cell reads
``319,53`` in an Indonesian spreadsheet. Every text cell passes through
:func:`kinerja.safety.neutralise_cell` (no formula injection from source data).
"""

from __future__ import annotations

import io
import math

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.drawing.image import Image
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from kinerja.report import charts as charts_mod
from kinerja.report.data import NOT_COMPUTED, PERIODS, ReportData, table_rows
from kinerja.report.fmt import month_label
from kinerja.safety import neutralise_cell

LOCALE = "[$-421]"  # Indonesian (id-ID): decimal comma, thousands dot


def number_format(decimals: int) -> str:
    return f"{LOCALE}#,##0" + (f".{'0' * decimals}" if decimals > 0 else "")


COUNT_FORMAT = number_format(0)
CAPAIAN_FORMAT = number_format(2)
COMPONENT_FORMAT = f"{LOCALE}#,##0.0000"

HEAD_FILL = PatternFill("solid", fgColor="16324F")
SUB_FILL = PatternFill("solid", fgColor="2C4C6E")
HEAD_FONT = Font(bold=True, color="FFFFFF")
THIN = Side(style="thin", color="D9DEE4")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
WRAP = Alignment(wrap_text=True, vertical="top")
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
STATUS_STYLE = {  # fill, font colour
    "tercapai": ("D8F0DF", "1D6B35"),
    "tidak tercapai": ("FBDADA", "A01C1C"),
    "tanpa target": ("E9EDF2", "4A5563"),
    "tidak ada data": ("FFF0C7", "8A5A00"),
    NOT_COMPUTED: ("FFFFFF", "8F99A3"),
}
PERIOD_COLUMNS = ("Target", "Realisasi", "Capaian (%)", "Status")


def _text(value):
    return neutralise_cell(None if value is None else str(value))


def _set(ws: Worksheet, row: int, col: int, value, fmt: str | None = None, **style):
    cell = ws.cell(row=row, column=col, value=value if isinstance(value, int | float) or value is None
                   else _text(value))
    if fmt and isinstance(value, int | float):
        cell.number_format = fmt
    for k, v in style.items():
        setattr(cell, k, v)
    return cell


def _status_style(cell, status: str) -> None:
    fill, ink = STATUS_STYLE.get(status, STATUS_STYLE[NOT_COMPUTED])
    cell.fill = PatternFill("solid", fgColor=fill)
    cell.font = Font(color=ink, bold=status in {"tercapai", "tidak tercapai"}, italic=status == NOT_COMPUTED)


def scorecard_sheet(ws: Worksheet, data: ReportData) -> None:
    rows = table_rows(data)
    run = data.latest_run()
    as_of = data.as_of()
    ws.title = "Perjanjian Kinerja"
    _set(ws, 1, 1, f"Capaian Perjanjian Kinerja {data.year}", font=Font(bold=True, size=14, color="16324F"))
    _set(ws, 2, 1, data.agency or "", font=Font(color="616E7C"))
    meta = (f"Data sampai dengan {month_label(as_of)} ({as_of})" if as_of else "Belum ada data") + \
        (f" · run terakhir {run['run_id']} ({run['period']}, {run['status']})" if run else "") + \
        f" · laporan dibuat {data.generated_at}"
    _set(ws, 3, 1, meta, font=Font(color="616E7C", size=9))
    h1, h2 = 5, 6
    fixed = ("Nomor", "Sasaran", "Indikator Kinerja", "Satuan")
    for col, label in enumerate(fixed, start=1):
        ws.merge_cells(start_row=h1, start_column=col, end_row=h2, end_column=col)
        _set(ws, h1, col, label, fill=HEAD_FILL, font=HEAD_FONT, alignment=CENTER, border=BORDER)
        ws.cell(row=h2, column=col).border = BORDER
    col = len(fixed) + 1
    for _key, label in PERIODS:
        ws.merge_cells(start_row=h1, start_column=col, end_row=h1, end_column=col + len(PERIOD_COLUMNS) - 1)
        _set(ws, h1, col, label, fill=HEAD_FILL, font=HEAD_FONT, alignment=CENTER, border=BORDER)
        for k, sub in enumerate(PERIOD_COLUMNS):
            _set(ws, h2, col + k, sub, fill=SUB_FILL, font=HEAD_FONT, alignment=CENTER, border=BORDER)
        col += len(PERIOD_COLUMNS)
    cat_col = col
    ws.merge_cells(start_row=h1, start_column=cat_col, end_row=h2, end_column=cat_col)
    _set(ws, h1, cat_col, "Kategori tahunan", fill=HEAD_FILL, font=HEAD_FONT, alignment=CENTER, border=BORDER)
    ws.cell(row=h2, column=cat_col).border = BORDER

    r = h2 + 1
    for row in rows:
        _set(ws, r, 1, row.no, alignment=Alignment(horizontal="center", vertical="top"))
        _set(ws, r, 2, row.sasaran, alignment=WRAP, font=Font(color="616E7C", size=9))
        _set(ws, r, 3, row.name, alignment=WRAP)
        _set(ws, r, 4, row.unit_of_measure, alignment=Alignment(horizontal="center", vertical="top"))
        col = len(fixed) + 1
        fmt = number_format(row.decimals)
        for key, _label in PERIODS:
            c = row.cells[key]
            _set(ws, r, col, c.target if c.target is not None else "N/A", fmt,
                 alignment=Alignment(horizontal="right", vertical="top"), font=Font(color="616E7C"))
            value = _set(ws, r, col + 1, c.value, fmt, alignment=Alignment(vertical="top"))
            cap = _set(ws, r, col + 2, c.capaian, CAPAIAN_FORMAT, alignment=Alignment(vertical="top"))
            status = _set(ws, r, col + 3, c.status, alignment=Alignment(vertical="top", wrap_text=True))
            for cell in (value, cap, status):
                _status_style(cell, c.status)
            if c.run_id:
                note = c.lineage() + (f"\nTriwulan/tahun berjalan: data s.d. {c.as_of_month}" if c.partial else "")
                value.comment = Comment(neutralise_cell(note), "kinerja", width=300, height=90)
            col += len(PERIOD_COLUMNS)
        _set(ws, r, cat_col, row.category, alignment=WRAP)
        # wrapped text needs its height set: spreadsheets do not grow rows written by a library
        lines = max(math.ceil(len(row.sasaran) / 36), math.ceil(len(row.name) / 40), 1)
        ws.row_dimensions[r].height = 14 * lines + 4
        for k in range(1, cat_col + 1):
            ws.cell(row=r, column=k).border = BORDER
        r += 1

    r += 1
    _set(ws, r, 1, "Keterangan", font=Font(bold=True))
    for status, (fill, ink) in STATUS_STYLE.items():
        r += 1
        cell = _set(ws, r, 2, status)
        cell.fill = PatternFill("solid", fgColor=fill)
        cell.font = Font(color=ink)
        cell.border = BORDER
    r += 1
    _set(ws, r, 2, "N/A = tanpa target dalam perjanjian. Capaian = realisasi / target × 100. "
                   "Komentar pada sel realisasi: asal-usul angka (run, data s.d., waktu hitung, revisi).",
         font=Font(color="616E7C", size=9))

    widths = {1: 8, 2: 30, 3: 42, 4: 9}
    for col_no in range(1, cat_col + 1):
        ws.column_dimensions[get_column_letter(col_no)].width = widths.get(col_no, 12)
    ws.column_dimensions[get_column_letter(cat_col)].width = 16
    for k in range(len(PERIODS)):
        ws.column_dimensions[get_column_letter(len(fixed) + 1 + k * 4 + 3)].width = 16
    ws.freeze_panes = ws.cell(row=h2 + 1, column=len(fixed) + 1)
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"{h1}:{h2}"


def _table(ws: Worksheet, title: str, header: list[str], rows: list[list], formats: dict[int, str] | None = None,
           widths: dict[int, int] | None = None, note: str | None = None) -> None:
    """A plain filterable table: a title, an optional note, a header row, the rows."""
    _set(ws, 1, 1, title, font=Font(bold=True, size=13, color="16324F"))
    start = 2
    if note:
        _set(ws, 2, 1, note, font=Font(color="616E7C", size=9))
        start = 3
    h = start + 1
    for col, label in enumerate(header, start=1):
        _set(ws, h, col, label, fill=HEAD_FILL, font=HEAD_FONT, alignment=CENTER, border=BORDER)
    for i, values in enumerate(rows, start=h + 1):
        for col, v in enumerate(values, start=1):
            _set(ws, i, col, v, (formats or {}).get(col))
    last = h + max(len(rows), 1)
    ws.auto_filter.ref = f"A{h}:{get_column_letter(len(header))}{last}"
    ws.freeze_panes = ws.cell(row=h + 1, column=1)
    for col in range(1, len(header) + 1):
        ws.column_dimensions[get_column_letter(col)].width = (widths or {}).get(col, 14)


def _f(v):
    if v is None:
        return None
    try:
        f = float(v)
    except (TypeError, ValueError):
        return v
    return None if f != f else f


def trend_sheet(ws: Worksheet, data: ReportData) -> None:
    months = [f"{data.year}-{m:02d}" for m in range(1, 13)]
    rows = []
    formats = {}
    for ind in data.indicators.itertuples(index=False):
        m = data.monthly(int(ind.indicator_no)).set_index("period")["value"]
        rows.append([int(ind.indicator_no), ind.short_name, ind.unit_of_measure]
                    + [_f(m.get(month)) for month in months])
    for k in range(len(months)):
        formats[4 + k] = number_format(2)
    _table(ws, f"Tren bulanan {data.year} (tingkat badan, unit ALL)",
           ["No", "Indikator", "Satuan"] + [month_label(m, short=True) for m in months], rows, formats,
           {1: 6, 2: 44, 3: 9}, "Nilai bulanan (pemantauan; bulan tidak bertarget). Kosong = tidak ada data atau "
                                "belum dihitung. Tabel gudang: v_indicator_trend.")


def components_sheet(ws: Worksheet, data: ReportData) -> None:
    names = dict(zip(data.indicators["indicator_no"], data.indicators["short_name"], strict=True))
    rows = [[int(r.indicator_no), names.get(r.indicator_no, ""), r.unit_code, r.period, r.component, _f(r.value),
             r.as_of_month, r.run_id, r.computed_at] for r in data.components.itertuples(index=False)]
    _table(ws, f"Komponen indikator {data.year}",
           ["No", "Indikator", "Unit", "Periode", "Komponen", "Nilai", "Data s.d.", "Run", "Dihitung"], rows,
           {6: COMPONENT_FORMAT}, {1: 6, 2: 40, 3: 14, 4: 10, 5: 20, 6: 14, 7: 10, 8: 38, 9: 26},
           "Semua unit (ALL = tingkat badan) dan semua periode. Tabel gudang: indicator_component.")


def quarantine_sheet(ws: Worksheet, data: ReportData) -> None:
    rows = [[r.source, r.extract, r.check_name, r.landing_month, int(r.rows_quarantined), r.example_reason]
            for r in data.quarantine.itertuples(index=False)]
    total = int(data.quarantine["rows_quarantined"].sum()) if len(data.quarantine) else 0
    _table(ws, f"Ringkasan karantina {data.year}",
           ["Sumber", "Ekstrak", "Pemeriksaan", "Bulan landing", "Baris", "Contoh alasan"], rows,
           {5: COUNT_FORMAT}, {1: 16, 2: 22, 3: 20, 4: 14, 5: 10, 6: 70},
           f"Baris yang ditolak validasi pada run terakhir tiap file, per ekstrak, pemeriksaan dan bulan "
           f"landing: {total} baris. "
           "Rincian per baris: tabel quarantine.")


def lineage_sheet(ws: Worksheet, data: ReportData) -> None:
    names = dict(zip(data.indicators["indicator_no"], data.indicators["short_name"], strict=True))
    decimals = dict(zip(data.indicators["indicator_no"], data.indicators["decimals"], strict=True))
    res = data.results.sort_values(["indicator_no", "period"])
    rows, fmt_rows = [], []
    for r in res.itertuples(index=False):
        rows.append([int(r.indicator_no), names.get(r.indicator_no, ""), r.period, r.period_type, _f(r.value),
                     _f(r.target), _f(r.capaian_pct), r.status, r.as_of_month, int(r.revision),
                     int(r.n_source_rows), r.run_id, r.computed_at])
        fmt_rows.append(number_format(int(decimals.get(r.indicator_no, 2))))
    _table(ws, f"Asal-usul angka {data.year} (tingkat badan, unit ALL)",
           ["No", "Indikator", "Periode", "Jenis", "Realisasi", "Target", "Capaian (%)", "Status", "Data s.d.",
            "Revisi", "Baris sumber", "Run", "Dihitung"], rows, {7: CAPAIAN_FORMAT, 11: COUNT_FORMAT},
           {1: 6, 2: 40, 3: 10, 4: 9, 5: 13, 6: 11, 7: 12, 8: 15, 9: 10, 10: 8, 11: 12, 12: 38, 13: 26},
           "Setiap angka: run yang menghitungnya, bulan terakhir datanya, waktu hitung, revisi. "
           "Riwayat semua nilai: tabel indicator_result_history; koreksi: v_restatement.")
    for i, fmt in enumerate(fmt_rows, start=5):  # value and target in the indicator's own precision
        for col in (5, 6):
            if isinstance(ws.cell(row=i, column=col).value, float):
                ws.cell(row=i, column=col).number_format = fmt


def runs_sheet(ws: Worksheet, data: ReportData) -> None:
    rows = [[r.period, r.run_id, r.flow_name, r.status, r.started_at, r.finished_at, _f(r.rows_in),
             _f(r.rows_staged), _f(r.rows_quarantined), r.message] for r in data.runs.itertuples(index=False)]
    _table(ws, f"Run pipeline {data.year}",
           ["Bulan", "Run", "Flow", "Status", "Mulai", "Selesai", "Baris masuk", "Baris staged", "Dikarantina",
            "Pesan"], rows, {7: COUNT_FORMAT, 8: COUNT_FORMAT, 9: COUNT_FORMAT},
           {1: 9, 2: 38, 3: 18, 4: 11, 5: 26, 6: 26, 10: 60}, "Terbaru di atas. Tabel gudang: pipeline_run; "
                                                              "run terakhir: v_latest_run.")


def charts_sheet(ws: Worksheet, charts: list[charts_mod.Chart]) -> None:
    _set(ws, 1, 1, "Grafik", font=Font(bold=True, size=13, color="16324F"))
    row = 3
    for ch in charts:
        _set(ws, row, 1, ch.title, font=Font(bold=True))
        _set(ws, row + 1, 1, ch.description, font=Font(color="616E7C", size=9))
        img = Image(io.BytesIO(ch.png))
        scale = 820 / img.width
        img.width, img.height = int(img.width * scale), int(img.height * scale)
        ws.add_image(img, f"A{row + 2}")
        row += 4 + int(img.height / 20) + 1  # default row height is 20 px
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


def render(data: ReportData, charts: list[charts_mod.Chart] | None = None) -> bytes:
    charts = charts if charts is not None else charts_mod.build(data)
    wb = Workbook()
    scorecard_sheet(wb.active, data)
    charts_sheet(wb.create_sheet("Grafik"), charts)
    trend_sheet(wb.create_sheet("Tren bulanan"), data)
    components_sheet(wb.create_sheet("Komponen"), data)
    quarantine_sheet(wb.create_sheet("Karantina"), data)
    lineage_sheet(wb.create_sheet("Asal-usul"), data)
    runs_sheet(wb.create_sheet("Run"), data)
    wb.properties.title = f"Capaian Perjanjian Kinerja {data.year}"
    wb.properties.creator = "kinerja"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
