"""Readers: file formats, detection, row numbers as a spreadsheet shows them, and staying inside the
landing directory (SPEC sections 2 and 6). The corpus (test_corpus.py) covers the defects end to end;
these are the reader's own edge cases."""

from __future__ import annotations

import json
import os
from datetime import date, datetime
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font

from kinerja import extracts, ingestion
from kinerja.periods import Month
from kinerja.readers import ExtractFileError, decode, locate, read_landing_file
from kinerja.workbooks import first_sheet

MARCH = Month(2024, 3)
SKM = extracts.get("ekinerja/skm_responses")
DAFTAR = extracts.get("portal_data/daftar_data")
PNS = extracts.get("simpeg/pns_snapshot")
BUDGET = extracts.get("apbd/budget_monthly")
NIP = "198501012010011001"


def land(root: Path, ext, name: str, content: bytes) -> Path:
    folder = root / ext.source / str(MARCH)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(content)
    return path


def read(root: Path, ext):
    return ingestion.extract(root, ext, MARCH)


DAFTAR_HEADER = "dataset_id,producer_pd,title,key_variables,release_date"


def test_xlsx_rows_keep_their_sheet_numbers_with_gaps_and_an_offset_table(tmp_path):
    wb = Workbook()
    ws = wb.active
    ws["B2"] = "Daftar data 2024"
    for col, name in zip("CDEFG", DAFTAR_HEADER.split(","), strict=True):
        ws[f"{col}4"] = name
    ws["C6"], ws["D6"], ws["E6"], ws["G6"] = "DS-1", "BPS", "Data A", "2024-05-01"
    ws["C9"], ws["D9"], ws["E9"], ws["G9"] = "DS-2", "BPS", "Data B", "2024-99-01"
    path = land(tmp_path, DAFTAR, "daftar_data.xlsx", b"")
    wb.save(path)
    raw = read(tmp_path, DAFTAR)
    assert raw.row_numbers.tolist() == [6, 9]
    assert "header on row 4 (3 title row(s) above it skipped)" in raw.notes[0]
    validated = ingestion.validate_extract(raw, DAFTAR, _catalog(), MARCH)
    q = validated.quarantine
    assert q[["row_number", "column_name", "check_name"]].values.tolist() == [[9, "release_date", "parse_date"]]


def _catalog():
    from kinerja.catalog import load_catalog

    return load_catalog(2024)


def test_the_header_must_be_in_the_first_30_rows(tmp_path):
    lines = ["judul"] * 30 + [DAFTAR_HEADER, "DS-1,BPS,A,,2024-05-01"]
    land(tmp_path, DAFTAR, "daftar_data.csv", "\n".join(lines).encode())
    with pytest.raises(ExtractFileError, match="no header row"):
        read(tmp_path, DAFTAR)


def test_a_quoted_value_over_two_lines_is_one_row(tmp_path):
    text = f'{DAFTAR_HEADER}\nDS-1,BPS,"Data\nbaris dua",,2024-05-01\nDS-2,BPS,B,,2024-13-01\n'
    land(tmp_path, DAFTAR, "daftar_data.csv", text.encode())
    raw = read(tmp_path, DAFTAR)
    assert raw.frame["title"].tolist() == ["Data\nbaris dua", "B"]
    assert raw.row_numbers.tolist() == [2, 3]  # as a spreadsheet shows the records, not the text lines


def test_blank_lines_are_skipped_but_counted(tmp_path):
    text = f"{DAFTAR_HEADER}\n\nDS-1,BPS,A,,2024-05-01\n,,,,\nDS-2,BPS,B,,2024-05-02\n"
    land(tmp_path, DAFTAR, "daftar_data.csv", text.encode())
    assert read(tmp_path, DAFTAR).row_numbers.tolist() == [3, 5]


@pytest.mark.parametrize(("encoding", "label"), [("utf-16-le", "utf-16"), ("utf-16-be", "utf-16"),
                                                 ("utf-8", "utf-8"), ("cp1252", "windows-1252")])
def test_encodings(encoding, label):
    text = "judul,catatan\nKopi – café,“ok”\n"
    data = text.encode(encoding)
    if encoding.startswith("utf-16"):
        data = ("\ufeff" + text).encode(encoding)
    decoded, used = decode(data)
    assert decoded.lstrip("\ufeff") == text and used == label


def test_parquet_keeps_long_ids_exact_and_timestamps_with_their_offset(tmp_path):
    df = pd.DataFrame({"snapshot_month": ["2024-03"], "nip": [int(NIP)], "unit_code": ["BKD"], "education": ["S1"],
                       "skp_predicate": ["Baik"], "discipline_penalty": ["tidak ada"], "active": [True],
                       "loaded_at": [pd.Timestamp("2024-03-31 10:00", tz="UTC")]})
    path = land(tmp_path, PNS, "pns_snapshot.parquet", b"")
    df.to_parquet(path)
    raw = read(tmp_path, PNS)
    assert raw.frame["nip"].tolist() == [NIP]
    assert raw.frame["loaded_at"].tolist() == ["2024-03-31 10:00:00+00:00"]
    assert raw.frame["active"].tolist() == ["true"]
    assert raw.row_numbers.tolist() == [2]
    assert any("ignored extra column(s): loaded_at" in n for n in raw.notes)


def test_json_keeps_long_ids_exact_and_accepts_a_records_wrapper(tmp_path):
    records = [{"snapshot_month": "2024-03", "nip": int(NIP), "unit_code": "BKD", "education": "S1",
                "skp_predicate": "Baik", "discipline_penalty": "tidak ada", "active": True},
               {"snapshot_month": "2024-03", "nip": None, "unit_code": "BKD", "education": "S1",
                "skp_predicate": "Baik", "discipline_penalty": "tidak ada", "active": 1.0}]
    land(tmp_path, PNS, "pns_snapshot.json", json.dumps({"records": records}).encode())
    raw = read(tmp_path, PNS)
    assert raw.frame["nip"].iloc[0] == NIP and pd.isna(raw.frame["nip"].iloc[1])
    assert raw.frame["active"].tolist() == ["true", "1"]


def test_json_that_is_not_records_fails(tmp_path):
    land(tmp_path, PNS, "pns_snapshot.json", b'{"nip": "1"}')
    with pytest.raises(ExtractFileError, match="json must be a list of records"):
        read(tmp_path, PNS)


def test_a_headerless_file_fails_without_showing_a_nip(tmp_path):
    land(tmp_path, PNS, "pns_snapshot.csv", f"2024-03,{NIP},BKD,S1,Baik,tidak ada,ya\n".encode())
    with pytest.raises(ExtractFileError) as info:
        read(tmp_path, PNS)
    assert "no header row" in str(info.value) and NIP not in str(info.value)


def test_a_header_row_whose_names_are_data_masks_digit_runs(tmp_path):
    # a file whose header line holds one expected name and a NIP: the missing-column message lists it masked
    land(tmp_path, PNS, "pns_snapshot.csv", f"snapshot_month,{NIP}\n2024-03,x\n".encode())
    with pytest.raises(ExtractFileError) as info:
        read(tmp_path, PNS)
    assert "missing column(s)" in str(info.value)
    assert NIP not in str(info.value) and "1985**********1001" in str(info.value)


# -- staying inside the landing directory ------------------------------------------------------------------

@pytest.mark.parametrize(("source", "month", "extract"), [
    ("../etc", "2024-03", "passwd"), ("ekinerja", "../../etc", "passwd"), ("ekinerja", "2024-03", "../../x"),
    ("/etc", "2024-03", "passwd"), ("ekinerja", "2024-3", "skm_responses"), ("eKinerja", "2024-03", "skm"),
    ("ekinerja", "2024-03\x00", "skm"), ("ekinerja", "2024-03", "skm_responses/../../x")])
def test_names_that_could_leave_the_landing_directory_are_refused_before_any_file_is_opened(tmp_path, source,
                                                                                           month, extract):
    with pytest.raises(ExtractFileError, match="refused"):
        locate(tmp_path, source, month, extract)


def test_a_symlink_out_of_the_landing_directory_is_refused(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "skm_responses.csv").write_text("response_id\n")
    landing = tmp_path / "landing"
    (landing / "ekinerja" / "2024-03").mkdir(parents=True)
    os.symlink(outside / "skm_responses.csv", landing / "ekinerja" / "2024-03" / "skm_responses.csv")
    with pytest.raises(ExtractFileError, match="links outside the landing directory"):
        locate(landing, "ekinerja", "2024-03", "skm_responses")
    os.symlink(outside, landing / "crm")
    (outside / "2024-03").mkdir()
    with pytest.raises(ExtractFileError, match="outside the landing directory"):
        locate(landing, "crm", "2024-03", "pengaduan")


def test_reading_a_file_outside_the_landing_directory_is_refused(tmp_path):
    (tmp_path / "landing").mkdir()
    other = tmp_path / "x.csv"
    other.write_text("a\n")
    with pytest.raises(ExtractFileError, match="outside the landing directory"):
        read_landing_file(other, tmp_path / "landing", ["a"])


def test_a_landing_path_that_is_a_file_or_has_a_nul_is_refused(tmp_path):
    f = tmp_path / "file"
    f.write_text("")
    with pytest.raises(ExtractFileError, match="not a directory"):
        locate(f, "ekinerja", "2024-03", "skm_responses")
    with pytest.raises(ExtractFileError, match="NUL"):
        locate(str(tmp_path) + "\x00/x", "ekinerja", "2024-03", "skm_responses")


def test_an_unsupported_file_type_is_named_in_the_missing_file_message(tmp_path):
    land(tmp_path, SKM, "skm_responses.xls", b"\xd0\xcf\x11\xe0")
    with pytest.raises(ExtractFileError, match=r"missing file: .*found skm_responses.xls \(not a supported type\)"):
        read(tmp_path, SKM)


def test_an_unreadable_file_is_a_file_failure_naming_it(tmp_path, monkeypatch):
    land(tmp_path, SKM, "skm_responses.csv", b"response_id\n")

    def denied(self):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "read_bytes", denied)  # (the tests run as root, who reads anything)
    with pytest.raises(ExtractFileError, match="unreadable file ekinerja/2024-03/skm_responses.csv: "
                                               "PermissionError: Permission denied") as info:
        read(tmp_path, SKM)
    assert isinstance(info.value.__cause__, PermissionError)  # tasks.retries: not worth a retry


def test_a_directory_named_like_the_file_is_not_a_file(tmp_path):
    (tmp_path / "ekinerja" / "2024-03" / "skm_responses.csv").mkdir(parents=True)
    with pytest.raises(ExtractFileError, match="missing file"):
        read(tmp_path, SKM)


# -- how a CSV splits into records: quoting, blank records, rows of another width, in every encoding ------------

BUDGET_HEADER = "sub_activity_code,month,pagu,rpd,realisasi"
ROW = ["5.01", "2024-03", "1", "2", "3"]
ROW_2 = ["5.02", "2024-03", "1", "2", "3"]

# name -> (text, the cells read, their row numbers, a note, the row errors as (index, start of the reason))
CSV_CASES = {
    "plain": (f"{BUDGET_HEADER}\n5.01,2024-03,100,50.5,25\n5.02,2024-03,200,,\n",
              [["5.01", "2024-03", "100", "50.5", "25"], ["5.02", "2024-03", "200", "", ""]], [2, 3], None, []),
    "byte order mark, CRLF, a quoted delimiter": (
        f"\ufeff{BUDGET_HEADER}\r\n5.01,2024-03,\"1,5\",2,3\r\n", [["5.01", "2024-03", "1,5", "2", "3"]], [2],
        "decimal ','", []),
    "doubled quotes, a line break in a value, no final line break": (
        f"{BUDGET_HEADER}\n5.01,2024-03,1,2,\"a \"\"b\"\"\nc\"\n5.02,2024-03,1,2,3",
        [["5.01", "2024-03", "1", "2", 'a "b"\nc'], ROW_2], [2, 3], "does not end with a line break", []),
    "blank records": (f"{BUDGET_HEADER}\n,,,,\n5.01,2024-03,1,2,3\n , ,\u00a0, ,\x1c\n5.02,2024-03,1,2,3\n",
                      [ROW, ROW_2], [3, 5], None, []),
    "an empty line": (f"{BUDGET_HEADER}\n\n5.01,2024-03,1,2,3\n", [ROW], [3], None, []),
    "title rows": (f"Laporan APBD\n\n{BUDGET_HEADER}\n5.01,2024-03,1,2,3\n", [ROW], [4],
                   "header on row 3 (2 title row(s) above it skipped)", []),
    "a quoted title row": (f"\"Laporan, \"\"APBD\"\"\"\n{BUDGET_HEADER}\n5.01,2024-03,1,2,3\n", [ROW], [3],
                           "header on row 2 (1 title row(s) above it skipped)", []),
    "a short row, a trailing delimiter": (
        f"{BUDGET_HEADER}\n5.01,2024-03,1,2\n5.02,2024-03,1,2,3,\n5.03,2024-03,1,2,3\n",
        [["5.01", "2024-03", "1", "2", None], ROW_2, ["5.03", "2024-03", "1", "2", "3"]], [2, 3, 4], None,
        [(0, "row has 4 of the header's 5 fields: the line is cut short")]),
    "rows of another width among a title row of the header's width and a value over two lines": (
        f"T,x,y,z,w\n{BUDGET_HEADER}\n5.01,2024-03,1,2,3\n  \n5.02,2024-03,\"1\n2\",2\n5.03,2024-03,1,2,3,,\n"
        "5.04,2024-03,1,2,3,x\n",
        [ROW, ["5.02", "2024-03", "1\n2", "2", None], ["5.03", "2024-03", "1", "2", "3"],
         ["5.04", "2024-03", "1", "2", "3"]], [3, 5, 6, 7], "header on row 2",
        [(1, "row has 4 of the header's 5 fields"), (3, "row has 6 fields but the header has 5: a value holding")]),
    "CR line ends, text after a closing quote": (
        f"{BUDGET_HEADER}\n5.01,2024-03,1,2,3\r5.02,\"2024-03\"x,1,2,3\r",
        [ROW, ["5.02", "2024-03x", "1", "2", "3"]], [2, 3], None, []),
    "a quote left open": (f"{BUDGET_HEADER}\n5.01,2024-03,1,2,\"open quote\n",
                          [["5.01", "2024-03", "1", "2", "open quote\n"]], [2], None, []),
    "a very long value": (f"{BUDGET_HEADER}\n5.01,2024-03,1,2,{'9' * 200_000}\n",
                          [["5.01", "2024-03", "1", "2", "9" * 200_000]], [2], None, []),
    "semicolons and a decimal comma": (BUDGET_HEADER.replace(",", ";") + "\n5.01;2024-03;1.234,5;2;3\n",
                                       [["5.01", "2024-03", "1.234,5", "2", "3"]], [2], "decimal ','", []),
    "a header only": (f"{BUDGET_HEADER}\n", [], [], "header only: no data rows", []),
}


def _cells(raw) -> list[list]:
    return raw.frame.astype(object).where(raw.frame.notna(), None).values.tolist()


@pytest.mark.parametrize(("case", "encoding"), [
    (case, encoding) for case in CSV_CASES for encoding in ("utf-8", "utf-16", "cp1252")
    if not (encoding == "cp1252" and "\ufeff" in CSV_CASES[case][0])])  # a byte order mark is Unicode
def test_csv_records(tmp_path, case, encoding):
    text, cells, numbers, note, errors = CSV_CASES[case]
    land(tmp_path, BUDGET, "budget_monthly.csv", text.encode(encoding))
    raw = read(tmp_path, BUDGET)
    assert raw.frame.columns.tolist() == BUDGET_HEADER.split(",")
    assert (_cells(raw), raw.row_numbers.tolist()) == (cells, numbers)
    assert note is None or any(note in n for n in raw.notes), raw.notes
    assert [(e["index"], e["check_name"]) for e in raw.row_errors] == [(i, "field_count") for i, _ in errors]
    for e, (_, reason) in zip(raw.row_errors, errors, strict=True):
        assert e["reason"].startswith(reason), e["reason"]


def _workbook(path: Path, rows: list[list], bold_after_header: bool = False) -> Path:
    wb = Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    if bold_after_header:  # a styled empty cell right of the header is no column
        ws.cell(row=next(i for i, r in enumerate(rows, 1) if "pagu" in r), column=len(BUDGET_HEADER.split(",")) + 2
                ).font = Font(bold=True)
    wb.save(path)
    return path


HEAD = BUDGET_HEADER.split(",")

# workbook rows -> (the cells read, their row numbers)
XLSX_CASES = [
    # numbers typed as Indonesian text decide the decimal comma, and the native numbers follow it
    ([HEAD, ["5.01", "2024-03", 100, 50.5, 1e-7], ["5.02", "2024-03", None, "1.234,5", True]],
     [["5.01", "2024-03", "100", "50,5", "1e-07"], ["5.02", "2024-03", None, "1.234,5", "true"]], [2, 3]),
    ([["Laporan"], [], HEAD, ["5.01", "2024-03", 1, 2, 3], [], [None, None, None], ["5.02", "2024-03", 1, 2, 3, "x"]],
     [ROW, ROW_2], [4, 7]),
    ([HEAD, ["5.01", "2024-03", 123456789012345, -0.5, 1234.5678]],
     [["5.01", "2024-03", "123456789012345", "-0.5", "1234.5678"]], [2]),
    ([HEAD, ["5.01", "2024-03", "#N/A", "#REF!", 1]], [["5.01", "2024-03", "#N/A", "#REF!", "1"]], [2]),  # errors
    ([HEAD, [" 5.01 ", "", 1, 2, 3]], [[" 5.01 ", None, "1", "2", "3"]], [2]),
    ([HEAD, ["5.01", date(2024, 3, 1), datetime(2024, 3, 1, 10, 30), 1, 2]],
     [["5.01", "2024-03-01", "2024-03-01 10:30:00", "1", "2"]], [2]),
    ([HEAD, ["5.01", "2024-03", "=1+1", 1, 2]], [["5.01", "2024-03", None, "1", "2"]], [2]),  # no value computed yet
]


@pytest.mark.parametrize(("rows", "cells", "numbers"), XLSX_CASES)
def test_xlsx_cells(tmp_path, rows, cells, numbers):
    path = _workbook(tmp_path / "w.xlsx", rows, bold_after_header=True)
    land(tmp_path, BUDGET, "budget_monthly.xlsx", path.read_bytes())
    raw = read(tmp_path, BUDGET)
    assert raw.frame.columns.tolist() == HEAD
    assert (_cells(raw), raw.row_numbers.tolist()) == (cells, numbers)


def test_the_first_sheet_runs_from_a1_and_each_row_to_its_last_cell(tmp_path):
    path = _workbook(tmp_path / "w.xlsx", [["Laporan"], [], HEAD, ["5.01", "2024-03", 1, 2.5, None, "#DIV/0!"]],
                     bold_after_header=True)
    wb = load_workbook(path)
    wb.create_sheet("Second")["A1"] = "other"
    wb.move_sheet("Second", offset=-1)  # the first sheet is the workbook's first, not its active one
    wb.save(path)
    rows, title = first_sheet(path)
    assert title == "Second" and rows == [["other"]]
    wb.move_sheet("Second", offset=1)
    wb.save(path)
    rows, title = first_sheet(path)
    assert title == "Sheet"
    assert rows == [["Laporan"], [], HEAD, ["5.01", "2024-03", 1, 2.5, None, "#DIV/0!"]]
