"""What a landing file may cost (kinerja.config's limits): past a limit the extract fails with a sentence
naming the limit and its setting, before the file is parsed. The zip bomb of issue 21 (~0.5 MB holding
147 MB of sheet XML) is refused from the zip's directory, in a subprocess whose peak memory is measured."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import Workbook

from kinerja import readers, usage
from kinerja.readers import ExtractFileError, read_landing_file

COLUMNS = ("ticket_id", "received_at", "category", "resolved_at")
ROOT = Path(__file__).resolve().parents[2]


def bomb(path: Path, sheet_bytes: int) -> int:
    """A workbook whose first sheet's XML is ``sheet_bytes`` of the same row over and over, deflated
    (about 1 byte in 250), streamed into the zip so that it is never held in memory; its data rows."""
    wb = Workbook()
    wb.active.append(list(COLUMNS))
    buf = io.BytesIO()
    wb.save(buf)
    src = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    row = (b'<row><c t="inlineStr"><is><t>T-1</t></is></c><c t="inlineStr"><is><t>2024-06-01 10:00</t></is></c>'
           b'<c t="inlineStr"><is><t>layanan</t></is></c></row>')
    head = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats'
            '.org/spreadsheetml/2006/main"><sheetData><row>'
            + "".join(f'<c t="inlineStr"><is><t>{c}</t></is></c>' for c in COLUMNS) + "</row>").encode()
    rows = max(0, (sheet_bytes - len(head)) // len(row))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as out:
        for info in src.infolist():
            if info.filename != "xl/worksheets/sheet1.xml":
                out.writestr(info.filename, src.read(info.filename))
        with out.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(head)
            block = row * 10_000
            for _ in range(rows // 10_000):
                sheet.write(block)
            sheet.write(row * (rows % 10_000) + b"</sheetData></worksheet>")
    return rows


def _landing_file(tmp_path: Path, name: str) -> tuple[Path, Path]:
    landing = tmp_path / "landing"
    folder = landing / "crm" / "2024-06"
    folder.mkdir(parents=True)
    return landing, folder / name


def _refuse_parsing(monkeypatch) -> None:
    def parse(*_args):
        raise AssertionError("the workbook reader was reached")

    monkeypatch.setattr(readers, "first_sheet", parse)


def test_a_zip_bomb_is_refused_from_the_zip_directory_before_parsing(tmp_path, monkeypatch):
    landing, path = _landing_file(tmp_path, "pengaduan.xlsx")
    bomb(path, 147_000_000)
    assert path.stat().st_size < 1_000_000  # ~0.6 MB on disk
    _refuse_parsing(monkeypatch)
    with pytest.raises(ExtractFileError) as refused:
        read_landing_file(path, landing, COLUMNS)
    assert str(refused.value) == (
        "crm/2024-06/pengaduan.xlsx: refused before parsing: it unzips to 140.2 MiB (xl/worksheets/sheet1.xml "
        "alone 140.2 MiB), over the limit of 128 MiB of a workbook once unzipped (setting "
        "KINERJA_MAX_XLSX_UNPACKED_MB); if the file is genuine, raise the setting")


def test_the_bomb_costs_little_memory_and_time(tmp_path):
    """The whole read of the bomb in a fresh process: refused, with a peak memory far below 1 GiB. The
    figures are printed (``-s``), not held to: the machine is shared."""
    landing, path = _landing_file(tmp_path, "pengaduan.xlsx")
    bomb(path, 147_000_000)
    script = textwrap.dedent(f"""
        import json, resource, time
        from pathlib import Path
        from kinerja.readers import ExtractFileError, read_landing_file
        start = time.perf_counter()
        try:
            read_landing_file(Path({str(path)!r}), Path({str(landing)!r}), {COLUMNS!r})
            outcome = "read"
        except ExtractFileError as exc:
            outcome = str(exc)
        print(json.dumps({{"seconds": time.perf_counter() - start, "outcome": outcome,
                          "peak_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}}))
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, check=True)
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    print(f"bomb: {path.stat().st_size / 1e6:.2f} MB on disk, refused in {figures['seconds']:.3f} s, "
          f"peak RSS {figures['peak_kib'] / 1024:.0f} MiB")
    assert "KINERJA_MAX_XLSX_UNPACKED_MB" in figures["outcome"]
    assert figures["peak_kib"] < 1024 * 1024  # well under 1 GiB (the process itself is ~150 MiB)


def test_a_workbook_with_more_rows_than_the_limit_is_refused_before_parsing(tmp_path, monkeypatch):
    landing, path = _landing_file(tmp_path, "pengaduan.xlsx")
    rows = bomb(path, 341 + 150 * 148)  # the header row's XML is 341 bytes, a data row's 148
    assert rows == 150
    monkeypatch.setenv("KINERJA_MAX_ROWS", "100")
    _refuse_parsing(monkeypatch)
    with pytest.raises(ExtractFileError, match=r"its worksheet xl/worksheets/sheet1.xml holds more than 100 rows, "
                                               r"over the limit of 100 rows of a worksheet or Parquet file "
                                               r"\(setting KINERJA_MAX_ROWS\)"):
        read_landing_file(path, landing, COLUMNS)
    monkeypatch.undo()
    monkeypatch.setenv("KINERJA_MAX_ROWS", "151")  # the header and 150 rows: within the limit
    raw = read_landing_file(path, landing, COLUMNS)
    assert len(raw.frame) == 150


def test_a_csv_larger_than_the_limit_is_refused_unread(tmp_path, monkeypatch):
    landing, path = _landing_file(tmp_path, "pengaduan.csv")
    path.write_bytes(b"ticket_id,received_at,category,resolved_at\n" + b"T,2024-06-01,x,\n" * 70_000)  # 1.13 MiB
    monkeypatch.setenv("KINERJA_MAX_FILE_MB", "1")
    monkeypatch.setattr(Path, "read_bytes", lambda self: pytest.fail("the file was read"))
    with pytest.raises(ExtractFileError, match=r"crm/2024-06/pengaduan.csv: refused before parsing: the file is "
                                               r"1.1 MiB, over the limit of 1 MiB of a landing file on disk "
                                               r"\(setting KINERJA_MAX_FILE_MB\)"):
        read_landing_file(path, landing, COLUMNS)


def test_a_csv_header_wider_than_the_limit_is_refused(tmp_path, monkeypatch):
    landing, path = _landing_file(tmp_path, "pengaduan.csv")
    extra = ",".join(f"x{i}" for i in range(10))
    path.write_text(f"ticket_id,received_at,category,resolved_at,{extra}\nT,2024-06-01,x,{',' * 10}\n")
    monkeypatch.setenv("KINERJA_MAX_COLUMNS", "12")
    with pytest.raises(ExtractFileError, match=r"its header \(row 1\) has 14 columns, over the limit of 12 columns "
                                               r"of a landing file's header \(setting KINERJA_MAX_COLUMNS\)"):
        read_landing_file(path, landing, COLUMNS)


def test_a_parquet_file_with_more_rows_than_the_limit_is_refused_from_its_footer(tmp_path, monkeypatch):
    landing, path = _landing_file(tmp_path, "pengaduan.parquet")
    pd.DataFrame({c: ["v"] * 50 for c in COLUMNS}).to_parquet(path)
    monkeypatch.setenv("KINERJA_MAX_ROWS", "49")
    monkeypatch.setattr(pd, "read_parquet", lambda *a, **k: pytest.fail("the rows were read"))
    with pytest.raises(ExtractFileError, match=r"it holds 50 rows, over the limit of 49 rows .*KINERJA_MAX_ROWS"):
        read_landing_file(path, landing, COLUMNS)


@pytest.mark.parametrize("text", ["0", "-5", "lots", "1.5"])
def test_a_limit_setting_that_is_not_a_positive_whole_number_is_bad_usage(monkeypatch, text):
    monkeypatch.setenv("KINERJA_MAX_ROWS", text)
    with pytest.raises(usage.UsageError, match=rf"KINERJA_MAX_ROWS='{text}' is not a positive whole number"):
        usage.check_settings()
