"""Writes the corpus of defective landing files and its manifest (``manifest.json``).

Run from the repository root: ``.venv/bin/python tests/corpus/make_corpus.py``. The files it
writes are committed; ``tests/readers/test_corpus.py`` runs every case through the pipeline and checks
the outcome written here by hand next to the file's content.

Every case is a landing directory ``tests/corpus/<case>/`` holding one file for the month
2024-03 (cutoff: 5 April 2024 23:59:59 WIB). ``expect`` says what must happen:

- ``status``: ``staged`` or ``failed``; ``message``: text the failure message contains;
- ``read``/``staged``/``quarantined``: row counts (``read = staged + quarantined``);
- ``quarantine``: the exact set of ``[row, column, check]`` quarantined, with text the reason
  contains and, optionally, the exact value shown (NIPs masked);
- ``notes``: text the reader's detection notes contain;
- ``values``: staged values, looked up by natural key.

Row numbers are those a spreadsheet shows: the header is row 1 (with title rows above the
header, the real sheet row); blank lines count.
"""

from __future__ import annotations

import io
import json
import shutil
import sys
from datetime import date, datetime
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
MONTH = "2024-03"
SKM = "ekinerja/skm_responses"
SKM_HEADER = "response_id,unit_code,submitted_on,u1,u2,u3,u4,u5,u6,u7,u8,u9"
SUB = "portal_data/submissions"
SUB_HEADER = "dataset_id;version;submitted_at;components_complete;duplicate_key_rows;validated"
DAFTAR = "portal_data/daftar_data"
PNS = "simpeg/pns_snapshot"
PNS_HEADER = "snapshot_month,nip,unit_code,education,skp_predicate,discipline_penalty,active"
TRAINING = "simdiklat/training"
BELANJA = "sipd/belanja_realisasi"
BUDGET = "apbd/budget_monthly"
KOM = "ekinerja/komunikasi_publik"
REK = "bpk/rekomendasi"
ADUAN = "crm/pengaduan"

NIP1 = "198501012010011001"
NIP2 = "199002152015032002"
NIP3 = "197712312005011003"

CASES: list[dict] = []


def skm(i: int, day: int = 10, unit: str = "BKD", answers: str = "4,3,4,4,3,4,4,3,4") -> str:
    return f"SKM-{i:03d},{unit},2024-03-{day:02d},{answers}"


def case(name: str, extract: str, ext: str, content: bytes | None, what: str, tags: list[str], **expect) -> None:
    CASES.append({"case": name, "extract": extract, "ext": ext, "content": content, "what": what, "tags": tags,
                  "expect": expect})


def csv_bytes(lines: list[str], encoding: str = "utf-8", newline: str = "\n", final: bool = True) -> bytes:
    text = newline.join(lines) + (newline if final else "")
    return text.encode(encoding)


def xlsx_bytes(rows: list[list], title_rows: list[list] | None = None) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "Export"
    for r in title_rows or []:
        ws.append(r)
    for r in rows:
        ws.append(r)
    wb.properties.created = datetime(2024, 4, 1)
    wb.properties.modified = datetime(2024, 4, 1)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def parquet_bytes(df: pd.DataFrame) -> bytes:
    buf = io.BytesIO()
    df.to_parquet(buf, index=False)
    return buf.getvalue()


# -- encodings ---------------------------------------------------------------------------------------

case("utf8_bom", SKM, "csv", b"\xef\xbb\xbf" + csv_bytes([SKM_HEADER, skm(1), skm(2), skm(3)]),
     "UTF-8 with a byte-order mark (Excel 'CSV UTF-8')", ["encoding", "bom"],
     status="staged", read=3, staged=3, quarantined=0, quarantine=[], notes=["utf-8 with BOM"])

case("windows_1252", DAFTAR, "csv", csv_bytes([
    "dataset_id,producer_pd,title,key_variables,release_date",
    "DS-001,DISDUKCAPIL,Penduduk – menurut kelurahan,kode_wilayah,2024-03-15",
    "DS-002,DINKES,Café & warung sehat “Jakarta”,,2024-06-30",
], encoding="cp1252", newline="\r\n"),
     "Windows-1252 text (en dash, curly quotes, é) with CRLF line ends", ["encoding"],
     status="staged", read=2, staged=2, quarantined=0, quarantine=[], notes=["windows-1252"],
     values=[{"key": {"dataset_id": "DS-002"}, "values": {"title": "Café & warung sehat “Jakarta”",
                                                          "key_variables": None}},
             {"key": {"dataset_id": "DS-001"}, "values": {"title": "Penduduk – menurut kelurahan"}}])

case("utf16_tab", SKM, "csv", "\r\n".join([
    SKM_HEADER.replace(",", "\t"), skm(1).replace(",", "\t"), skm(2, unit="SUBAN-JP").replace(",", "\t")]
).encode("utf-16"),
     "UTF-16 with BOM, tab-separated (Excel 'Unicode Text')", ["encoding", "delimiter"],
     status="staged", read=2, staged=2, quarantined=0, quarantine=[], notes=["utf-16", "delimiter TAB"])

case("latin1_undefined_bytes", DAFTAR, "csv",
     b"dataset_id,producer_pd,title,key_variables,release_date\n"
     b"DS-003,BPS,Data \x81\x8d khusus,kode,2024-04-01\n",
     "bytes undefined in Windows-1252: read as Latin-1, never a crash", ["encoding"],
     status="staged", read=1, staged=1, quarantined=0, quarantine=[], notes=["latin-1"])

# -- delimiters and numbers ---------------------------------------------------------------------------

case("unsupported_delimiter", SKM, "csv", csv_bytes([SKM_HEADER.replace(",", ":"), skm(1).replace(",", ":")]),
     "a delimiter that is none of , ; TAB |", ["delimiter"],
     status="failed", message="no header row")

case("mixed_delimiter", SKM, "csv", csv_bytes([SKM_HEADER.replace(",", ";"), skm(1).replace(",", "|"),
                                               skm(2).replace(",", "|"), skm(3).replace(",", "|")]),
     "header split by ';' but the rows by '|': a wrong delimiter", ["delimiter"],
     status="failed", message="rows do not match the header: 3 of 3 rows have 1 field(s)")

case("decimal_comma_thousands_dots", BELANJA, "csv", b"\xef\xbb\xbf" + csv_bytes([
    "transaction_id;account_code;amount;spj_date;pdn_flag",
    "SPJ-1;5.1.02.01.01.0024;1.234.567,89;15/03/2024;ya",
    "SPJ-2;5.1.02.01.01.0024;-250.000,00;16-03-2024;tidak",  # a correction: negative is allowed here
    "SPJ-3;5.2.02.01;12,5;2024-03-17;Y",
    "SPJ-4;5.2.02.01;1.500;2024-03-18;N",  # dotted thousands: 1500
]),
     "';' with decimal comma and '.' thousands (1.234.567,89); a negative correction", ["decimal", "negative"],
     status="staged", read=4, staged=4, quarantined=0, quarantine=[], notes=["delimiter ';'", "decimal ','"],
     values=[{"key": {"transaction_id": "SPJ-1"}, "values": {"amount": 1234567.89, "spj_date": "2024-03-15",
                                                             "pdn_flag": True}},
             {"key": {"transaction_id": "SPJ-2"}, "values": {"amount": -250000.0, "pdn_flag": False}},
             {"key": {"transaction_id": "SPJ-3"}, "values": {"amount": 12.5}},
             {"key": {"transaction_id": "SPJ-4"}, "values": {"amount": 1500.0}}])

case("thousands_dots_only", BUDGET, "csv", csv_bytes([
    "sub_activity_code;month;pagu;rpd;realisasi",
    "5.03.02.1.01.0001;2024-03;1.234.567.890;100.000.000;98.500.000",
    "5.03.02.1.01.0002;2024-03;750.000;0;0",
]),
     "';' file whose numbers only have '.' thousands separators", ["decimal", "thousands"],
     status="staged", read=2, staged=2, quarantined=0, quarantine=[],
     values=[{"key": {"sub_activity_code": "5.03.02.1.01.0001", "month": "2024-03"},
              "values": {"pagu": 1234567890.0, "rpd": 100000000.0, "realisasi": 98500000.0}},
             {"key": {"sub_activity_code": "5.03.02.1.01.0002", "month": "2024-03"}, "values": {"pagu": 750000.0}}])

case("comma_delimiter_thousands_commas", BELANJA, "csv", csv_bytes([
    "transaction_id,account_code,amount,spj_date,pdn_flag",
    'SPJ-10,5.1.02,"1,234,567.89",2024-03-01,true',
    "SPJ-11,5.1.02,99.5,2024-03-02,false",
]),
     "',' with decimal point and quoted ',' thousands", ["decimal"],
     status="staged", read=2, staged=2, quarantined=0, quarantine=[], notes=["decimal '.'"],
     values=[{"key": {"transaction_id": "SPJ-10"}, "values": {"amount": 1234567.89}},
             {"key": {"transaction_id": "SPJ-11"}, "values": {"amount": 99.5}}])

case("semicolon_with_decimal_point", TRAINING, "csv", csv_bytes([
    "nip;training_id;start_date;end_date;jp;verified",
    f"{NIP1};DIK-1;01/03/2024;02/03/2024;12.5;ya",
    f"{NIP2};DIK-1;01/03/2024;02/03/2024;7.25;ya",
]),
     "';' file whose numbers use a decimal point: detected from the cells, not assumed", ["decimal"],
     status="staged", read=2, staged=2, quarantined=0, quarantine=[], notes=["decimal '.' (2 cells like 1234.5"])

case("ambiguous_decimal", TRAINING, "csv", csv_bytes([
    "nip;training_id;start_date;end_date;jp;verified",
    f"{NIP1};DIK-2;01/03/2024;02/03/2024;12,5;ya",
    f"{NIP2};DIK-2;01/03/2024;02/03/2024;1.5;ya",
]),
     "a ';' file mixing 12,5 and 1.5: the delimiter's decimal comma wins, 1.5 is rejected, not guessed",
     ["decimal"],
     status="staged", read=2, staged=1, quarantined=1, notes=["cells disagree"],
     quarantine=[[3, "jp", "parse_float", "the file uses a decimal comma", "1.5"]])

# -- spreadsheets ----------------------------------------------------------------------------------------

case("xlsx_title_rows", DAFTAR, "xlsx", xlsx_bytes(
    [["dataset_id", "producer_pd", "title", "key_variables", "release_date"],
     ["DS-010", "DISHUB", "Data angkutan umum", "kode_rute", date(2024, 3, 20)],
     ["DS-011", "DISHUB", "Data terminal", None, date(2025, 1, 10)],  # after the PK year
     [None, None, None, None, None],
     ["DS-012", "DINKES", "Data puskesmas", "kode_faskes", "31/12/2024"]],
    title_rows=[["DAFTAR DATA PROVINSI DKI JAKARTA 2024"], ["Sumber: Portal Satu Data"], [], []]),
     "XLSX with four title rows: the header is on sheet row 5 and rows keep their sheet numbers",
     ["xlsx", "title_rows", "dates"],
     status="staged", read=3, staged=2, quarantined=1, notes=["header on row 5"],
     quarantine=[[7, "release_date", "date_window", "must not be after the end of the PK year (2024-12-31)",
                  "2025-01-10"]],
     values=[{"key": {"dataset_id": "DS-012"}, "values": {"release_date": "2024-12-31"}}])

case("xlsx_native_types", SUB, "xlsx", xlsx_bytes(
    [["Dataset ID", "Version", "Submitted At", "Components Complete", "Duplicate Key Rows", "Validated"],
     ["DS-020", 1, datetime(2024, 3, 4, 9, 30), True, 0, False],
     ["DS-021", 2, 45366.75, "ya", 3, "Y"],  # an Excel serial: 2024-03-15 18:00
     ["DS-022", 1.0, datetime(2024, 4, 6, 0, 0), False, 0, True]]),  # after the cutoff
     "XLSX native dates, booleans, integers stored as floats, a serial date-time; header in Title Case",
     ["xlsx", "dates", "future"],
     status="staged", read=3, staged=2, quarantined=1,
     quarantine=[[4, "submitted_at", "date_window", "must not be after the collection deadline"]],
     values=[{"key": {"dataset_id": "DS-020", "version": 1},
              "values": {"submitted_at": "2024-03-04T09:30:00+07:00", "components_complete": True,
                         "validated": False}},
             {"key": {"dataset_id": "DS-021", "version": 2}, "values": {"submitted_at": "2024-03-15T18:00:00+07:00",
                                                                        "duplicate_key_rows": 3}}])

case("xlsx_serial_dates", DAFTAR, "xlsx", xlsx_bytes(
    [["dataset_id", "producer_pd", "title", "key_variables", "release_date"],
     ["DS-030", "BAPPEDA", "Data RPJMD", None, 45366],   # 2024-03-15 as a plain number
     ["DS-031", "BAPPEDA", "Data RKPD", None, 2024]]),   # a year, not a date
     "a date column holding Excel serial numbers (a cell not formatted as a date)", ["xlsx", "dates"],
     status="staged", read=2, staged=1, quarantined=1,
     quarantine=[[3, "release_date", "parse_date", "is a number, not a date", "2024"]],
     values=[{"key": {"dataset_id": "DS-030"}, "values": {"release_date": "2024-03-15"}}])

case("xlsx_nip_as_number", PNS, "xlsx", xlsx_bytes(
    [PNS_HEADER.split(","),
     ["2024-03", NIP1, "BKD", "S1", "Baik", "tidak ada", "ya"],
     ["2024-03", int(NIP2), "BKD", "S2", "Sangat Baik", "tidak ada", "ya"]]),  # typed as a number: digits lost
     "an 18-digit NIP stored as a number in Excel (only 15 digits kept)", ["xlsx", "nip", "pii"],
     status="staged", read=2, staged=1, quarantined=1,
     quarantine=[[3, "nip", "spreadsheet_number", "format the column as Text", "1990**********2000"]])

case("xlsx_decimal_comma_text", BUDGET, "xlsx", xlsx_bytes(
    [["sub_activity_code", "month", "pagu", "rpd", "realisasi"],
     ["5.03.02.1.01.0003", "2024-03", "1.234.567,50", "100.000,25", 1000.5],
     ["5.03.02.1.01.0004", "2024-03", 2500000, "0", "-"]]),
     "XLSX numbers typed as Indonesian text next to native numbers", ["xlsx", "decimal"],
     status="staged", read=2, staged=1, quarantined=1, notes=["decimal ','"],
     quarantine=[[3, "realisasi", "required", "is blank but required", "-"]],
     values=[{"key": {"sub_activity_code": "5.03.02.1.01.0003", "month": "2024-03"},
              "values": {"pagu": 1234567.5, "rpd": 100000.25, "realisasi": 1000.5}}])

case("xlsx_spreadsheet_errors", BUDGET, "xlsx", xlsx_bytes(
    [["sub_activity_code", "month", "pagu", "rpd", "realisasi"],
     ["5.03.02.1.01.0005", "2024-03", "#REF!", 10, 10],
     ["5.03.02.1.01.0006", "2024-03", 100, 10, "#N/A"]]),
     "cells holding spreadsheet errors (#REF!, #N/A) from broken formulas", ["xlsx"],
     status="staged", read=2, staged=0, quarantined=2,
     quarantine=[[2, "pagu", "spreadsheet_error", "the formula behind it failed", "#REF!"],
                 [3, "realisasi", "spreadsheet_error", "holds the spreadsheet error #N/A", "#N/A"]])

case("xlsx_corrupt", SKM, "xlsx", b"PK\x03\x04 this is not really a workbook",
     "a damaged workbook", ["xlsx", "unreadable"], status="failed", message="unreadable spreadsheet")

case("xlsx_saved_as_csv", SKM, "csv", xlsx_bytes([SKM_HEADER.split(","), ["SKM-1", "BKD", "2024-03-01"]]),
     "an XLSX workbook saved with a .csv name", ["unreadable"], status="failed", message="not a text file")

# -- columns and shape -----------------------------------------------------------------------------

case("missing_column", SKM, "csv", csv_bytes([SKM_HEADER.rsplit(",", 1)[0], skm(1).rsplit(",", 1)[0]]),
     "a required column (u9) is missing", ["columns"], status="failed", message="missing column(s) u9")

case("misspelled_column", SKM, "csv", csv_bytes([SKM_HEADER.replace("submitted_on", "submited_on"), skm(1)]),
     "a misspelled column name: the message suggests the near miss", ["columns"],
     status="failed", message="missing column(s) submitted_on (found submited_on?)")

case("duplicated_column", SKM, "csv", csv_bytes([SKM_HEADER + ",u9", skm(1) + ",4"]),
     "a column named twice", ["columns"], status="failed", message="u9 appear more than once")

case("extra_columns", SKM, "csv", csv_bytes(
    ["Response ID,Unit Code,Keterangan,Submitted On,U1,U2,U3,U4,U5,U6,U7,U8,U9,",
     "SKM-001,BKD,petugas ramah,2024-03-10,4,3,4,4,3,4,4,3,4,",
     "SKM-002,SUBAN-JS,,2024-03-11,4,4,4,4,4,4,4,4,4,"]),
     "extra columns (and a trailing delimiter) are ignored, and said so; Title Case header", ["columns"],
     status="staged", read=2, staged=2, quarantined=0, quarantine=[],
     notes=["ignored extra column(s): keterangan"])

case("empty_file", SKM, "csv", b"", "a 0-byte file", ["empty"], status="failed", message="empty file (0 bytes)")

case("blank_file", SKM, "csv", b"\xef\xbb\xbf\r\n\r\n  \r\n", "a file with a BOM and blank lines only", ["empty"],
     status="failed", message="empty file")

case("header_only", SKM, "csv", csv_bytes([SKM_HEADER]),
     "a header and no rows: nothing to stage, not a failure", ["empty"],
     status="staged", read=0, staged=0, quarantined=0, quarantine=[], notes=["header only"])

case("csv_title_rows", SKM, "csv", csv_bytes(
    ["Laporan Survei Kepuasan Masyarakat,,,,,,,,,,,", "Bulan: Maret 2024,,,,,,,,,,,", "", SKM_HEADER,
     skm(1), skm(2, answers="4,3,9,4,3,4,4,3,4")]),
     "a CSV export with two title lines and a blank line above the header", ["title_rows", "range"],
     status="staged", read=2, staged=1, quarantined=1, notes=["header on row 4"],
     quarantine=[[6, "u3", "range", "must be between 1 and 4", "9"]])

case("truncated_last_line", SKM, "csv", csv_bytes([SKM_HEADER, skm(1), skm(2), "SKM-003,BKD,2024-03-1"],
                                                  final=False),
     "the export stopped mid-line: the last row is quarantined, the rest staged", ["truncated"],
     status="staged", read=3, staged=2, quarantined=1, notes=["does not end with a line break"],
     quarantine=[[4, None, "field_count", "row has 3 of the header's 12 fields: the line is cut short (the last "
                                          "line of the file is truncated)"]])

case("unquoted_delimiter", DAFTAR, "csv", csv_bytes([
    "dataset_id,producer_pd,title,key_variables,release_date",
    "DS-040,DISPARBUD,Data wisata,kode,2024-05-01",
    "DS-041,DISPARBUD,Data hotel, restoran dan kafe,kode,2024-05-01",
    "DS-042,DISPARBUD,Data event,kode,2024-05-02"]),
     "a value holding an unquoted delimiter: one row quarantined, not the file", ["delimiter", "shape"],
     status="staged", read=3, staged=2, quarantined=1,
     quarantine=[[3, None, "field_count", "a value holding an unquoted ','?"]])

# -- rows ---------------------------------------------------------------------------------------------------

case("duplicated_keys", SKM, "csv", csv_bytes([SKM_HEADER, skm(1), skm(2), skm(1, day=12), skm(3), skm(2)]),
     "a natural key repeated: every copy is quarantined and names the others", ["duplicates"],
     status="staged", read=5, staged=1, quarantined=4,
     quarantine=[[2, "response_id", "duplicate_key", "appears on rows 2, 4 of the file", "SKM-001"],
                 [4, "response_id", "duplicate_key", "appears on rows 2, 4 of the file", "SKM-001"],
                 [3, "response_id", "duplicate_key", "appears on rows 3, 6 of the file", "SKM-002"],
                 [6, "response_id", "duplicate_key", "appears on rows 3, 6 of the file", "SKM-002"]])

case("duplicated_composite_keys", SUB, "csv", csv_bytes([
    SUB_HEADER, "DS-050;1;01/03/2024 10:00;ya;0;Y", "DS-050;2;02/03/2024 10:00;ya;0;Y",
    "DS-050;1;03/03/2024 10:00;tidak;0;N"]),
     "a repeated (dataset_id, version)", ["duplicates"],
     status="staged", read=3, staged=1, quarantined=2,
     quarantine=[[2, "dataset_id,version", "duplicate_key", "(dataset_id=DS-050, version=1) appears on rows 2, 4",
                  "dataset_id=DS-050; version=1"],
                 [4, "dataset_id,version", "duplicate_key", "appears on rows 2, 4", "dataset_id=DS-050; version=1"]])

case("out_of_range_scores", SKM, "csv", csv_bytes([
    SKM_HEADER, skm(1, answers="5,3,4,4,3,4,4,3,4"), skm(2, answers="0,3,4,4,3,4,4,3,-1"), skm(3),
    skm(4, answers=",,,,,,,,"), skm(5, answers="3,3,,,N/A,-,3,3,3")]),
     "answers outside 1-4, and a response with every element blank", ["range"],
     status="staged", read=5, staged=2, quarantined=3,
     quarantine=[[2, "u1", "range", "u1 must be between 1 and 4", "5"],
                 [3, "u1", "range", "must be between 1 and 4", "0"],
                 [3, "u9", "range", "must be between 1 and 4", "-1"],
                 [5, "u1,u2,u3,u4,u5,u6,u7,u8,u9", "all_blank", "row has every element (U1-U9) blank"]])

case("negative_not_allowed", SUB, "csv", csv_bytes([
    SUB_HEADER, "DS-060;1;01/03/2024 10:00;ya;-3;Y", "DS-061;0;01/03/2024 10:00;ya;0;Y",
    "DS-062;1;01/03/2024 10:00;ya;0;Y"]),
     "negative counts where none are allowed (duplicate_key_rows, version)", ["negative", "range"],
     status="staged", read=3, staged=1, quarantined=2,
     quarantine=[[2, "duplicate_key_rows", "range", "must be at least 0", "-3"],
                 [3, "version", "range", "must be at least 1", "0"]])

case("absurd_numbers", SKM, "csv", csv_bytes([
    SKM_HEADER, skm(1, answers="1e12,3,4,4,3,4,4,3,4"), skm(2, answers="99999999999999999999,3,4,4,3,4,4,3,4"),
    skm(3, answers="3.5,3,4,4,3,4,4,3,4"), skm(4)]),
     "1e12 answers, a 20-digit number, a fraction where a whole number is due", ["absurd", "range"],
     status="staged", read=4, staged=1, quarantined=3,
     quarantine=[[2, "u1", "range", "must be between 1 and 4", "1e12"],
                 # a run of 15+ digits is masked in any column: a NIP typed in the wrong column stays hidden
                 [3, "u1", "parse_int", "too large for a whole number", "9999************9999"],
                 [4, "u1", "parse_int", "is not a whole number", "3.5"]])

case("absurd_counts_komunikasi", KOM, "csv", csv_bytes([
    "month,pd_code,has_priority_program,strategy_compiled,materials_published,crises,crises_responded,"
    "netizen_questions,netizen_answered",
    "2024-03,DISKOMINFOTIK,ya,ya,ya,2,2,100000000000000000000,5",
    "2024-03,DINKES,ya,tidak,ya,1,1,10,10"]),
     "a count of 1e20 does not fit a whole number: quarantined, not rounded", ["absurd"],
     status="staged", read=2, staged=1, quarantined=1,
     quarantine=[[2, "netizen_questions", "parse_int", "too large for a whole number"]])

case("training_absurd_jp", TRAINING, "csv", b"\xef\xbb\xbf" + csv_bytes([
    "nip;training_id;start_date;end_date;jp;verified",
    f"{NIP1};DIK-3;01/03/2024;02/03/2024;1.000.000.000.000;ya",
    f"{NIP2};DIK-3;01/03/2024;02/03/2024;0;ya",
    f"{NIP3};DIK-3;01/03/2024;02/03/2024;40;ya"]),
     "JP of a trillion and JP 0 (0 < jp <= 1000)", ["absurd", "range"],
     status="staged", read=3, staged=1, quarantined=2,
     quarantine=[[2, "jp", "range", "must be at most 1000", "1.000.000.000.000"],
                 [3, "jp", "range", "must be greater than 0", "0"]])

case("nip_17_digits", PNS, "csv", csv_bytes([
    PNS_HEADER, f"2024-03,{NIP1},BKD,S1,Baik,tidak ada,ya", f"2024-03,{NIP2[:-1]},BKD,S2,Baik,tidak ada,ya",
    f"2024-03,{NIP3}X,BKD,S2,Baik,tidak ada,ya"]),
     "a 17-digit NIP and one with a letter: quarantined, shown masked", ["nip", "pii"],
     status="staged", read=3, staged=1, quarantined=2,
     quarantine=[[3, "nip", "format", "nip must be 18 digits", "1990*********3200"],
                 [4, "nip", "format", "must be 18 digits", "1977***********003X"]])

case("nip_spaces_apostrophe", PNS, "csv", csv_bytes([
    PNS_HEADER, "2024-03,'19850101 201001 1 001,BKD,S1,Baik,tidak ada,Y",
    f"2024-03, {NIP2} ,BKD,S2,Sangat Baik,ringan,N"]),
     "NIPs written with spaces and a leading apostrophe are the same person", ["nip", "pii"],
     status="staged", read=2, staged=2, quarantined=0, quarantine=[],
     pseudonyms={"nip": [NIP1, NIP2]})

case("duplicated_nip", PNS, "csv", csv_bytes([
    PNS_HEADER, f"2024-03,{NIP1},BKD,S1,Baik,tidak ada,ya", f"2024-03,{NIP1},DINKES,S2,Baik,tidak ada,ya"]),
     "the same NIP twice in a snapshot: both copies quarantined, the NIP masked in the reason too",
     ["duplicates", "nip", "pii"],
     status="staged", read=2, staged=0, quarantined=2,
     quarantine=[[2, "snapshot_month,nip", "duplicate_key", "nip=1985**********1001) appears on rows 2, 3",
                  "snapshot_month=2024-03; nip=1985**********1001"],
                 [3, "snapshot_month,nip", "duplicate_key", "appears on rows 2, 3",
                  "snapshot_month=2024-03; nip=1985**********1001"]])

# -- dates -----------------------------------------------------------------------------------------------

case("future_dates", SKM, "csv", csv_bytes([
    SKM_HEADER, skm(1, day=31), "SKM-002,BKD,05/04/2024,4,4,4,4,4,4,4,4,4", "SKM-003,BKD,06-04-2024,4,4,4,4,4,4,4,4,4",
    "SKM-004,BKD,2024-12-25,4,4,4,4,4,4,4,4,4"]),
     "dates after the cutoff of the file's month (5 April 2024); the cutoff day itself is allowed",
     ["dates", "future"],
     status="staged", read=4, staged=2, quarantined=2,
     quarantine=[[4, "submitted_on", "date_window", "must not be after the collection deadline of the file's "
                                                    "month (2024-04-05)", "06-04-2024"],
                 [5, "submitted_on", "date_window", "(2024-04-05)", "2024-12-25"]])

case("future_datetimes", SUB, "csv", csv_bytes([
    SUB_HEADER, "DS-070;1;05/04/2024 23:59:59;ya;0;Y", "DS-071;1;06/04/2024 00:00;ya;0;Y",
    "DS-072;1;2024-04-05T17:00:00Z;ya;0;Y", "DS-073;1;2024-04-05T16:59:59Z;ya;0;Y"]),
     "timestamps around the cutoff 2024-04-05 23:59:59 WIB, local and UTC", ["dates", "future"],
     status="staged", read=4, staged=2, quarantined=2,
     quarantine=[[3, "submitted_at", "date_window", "must not be after", "06/04/2024 00:00"],
                 [4, "submitted_at", "date_window", "must not be after", "2024-04-05T17:00:00Z"]])

case("dates_before_2005", REK, "csv", csv_bytes([
    "rec_id,lhp_year,unit_code,resolved_at,verified,verified_at",
    "LHP2004-01-01,2004,BKD,,tidak,", "LHP2005-01-01,2005,BKD,2006-03-01 10:00,ya,2006-04-01 10:00",
    "LHP2010-02-01,2010,BKD,2009-12-31 09:00,tidak,"]),
     "an LHP year before 2005, and a resolution before its LHP year", ["dates", "past"],
     status="staged", read=3, staged=1, quarantined=2,
     quarantine=[[2, "lhp_year", "range", "must be between 2005 and 2024", "2004"],
                 [4, "lhp_year,resolved_at", "date_window", "is resolved before its LHP year"]])

case("dates_before_pk_year", SKM, "csv", csv_bytes([SKM_HEADER, "SKM-001,BKD,31/12/2023,4,4,4,4,4,4,4,4,4",
                                                    "SKM-002,BKD,01/01/2024,4,4,4,4,4,4,4,4,4"]),
     "a response dated before the PK year", ["dates", "past"],
     status="staged", read=2, staged=1, quarantined=1,
     quarantine=[[2, "submitted_on", "date_window", "must not be before the start of the PK year", "31/12/2023"]])

case("date_formats", SKM, "csv", csv_bytes([
    SKM_HEADER, "SKM-001,BKD,2024-03-05,4,4,4,4,4,4,4,4,4", "SKM-002,BKD,05/03/2024,4,4,4,4,4,4,4,4,4",
    "SKM-003,BKD,05-03-2024,4,4,4,4,4,4,4,4,4", "SKM-004,BKD,03/13/2024,4,4,4,4,4,4,4,4,4",
    "SKM-005,BKD,30/02/2024,4,4,4,4,4,4,4,4,4", "SKM-006,BKD,5 Maret 2024,4,4,4,4,4,4,4,4,4"]),
     "every accepted date format, a month-first date, an impossible date, a date in words", ["dates"],
     status="staged", read=6, staged=3, quarantined=3,
     quarantine=[[5, "submitted_on", "parse_date", "dates are DD/MM/YYYY (day first)", "03/13/2024"],
                 [6, "submitted_on", "parse_date", "is not a real calendar date", "30/02/2024"],
                 [7, "submitted_on", "parse_date", "is not a date (YYYY-MM-DD, DD/MM/YYYY or DD-MM-YYYY)",
                  "5 Maret 2024"]],
     values=[{"key": {"response_id": f"SKM-00{i}"}, "values": {"submitted_on": "2024-03-05"}} for i in (1, 2, 3)])

# -- booleans, nulls, text -----------------------------------------------------------------------------

case("booleans_and_nulls", SUB, "csv", csv_bytes([
    SUB_HEADER, "DS-080;1;01/03/2024 08:00;YA;0;tidak", "DS-081;1;01/03/2024 08:00;TRUE;0;false",
    "DS-082;1;01/03/2024 08:00;1;0;0", "DS-083;1;01/03/2024 08:00;y;0;N", "DS-084;1;01/03/2024 08:00;mungkin;0;Y",
    "DS-085;1;01/03/2024 08:00;-;0;Y", "DS-086;1;01/03/2024 08:00;ya;N/A;Y"]),
     "every boolean spelling; a non-boolean; '-' and 'N/A' as blanks in required columns", ["booleans", "nulls"],
     status="staged", read=7, staged=4, quarantined=3,
     quarantine=[[6, "components_complete", "parse_bool", "is not a yes/no value", "mungkin"],
                 [7, "components_complete", "required", "is blank but required", "-"],
                 [8, "duplicate_key_rows", "required", "is blank but required", "N/A"]],
     values=[{"key": {"dataset_id": "DS-080", "version": 1},
              "values": {"components_complete": True, "validated": False}},
             {"key": {"dataset_id": "DS-081", "version": 1},
              "values": {"components_complete": True, "validated": False}},
             {"key": {"dataset_id": "DS-082", "version": 1},
              "values": {"components_complete": True, "validated": False}},
             {"key": {"dataset_id": "DS-083", "version": 1},
              "values": {"components_complete": True, "validated": False}}])

case("formula_injection", DAFTAR, "csv", csv_bytes([
    "dataset_id,producer_pd,title,key_variables,release_date",
    'DS-090,DISKOMINFOTIK,"=HYPERLINK(""http://evil.example/x"",""Klik"")",kode,2024-03-01',
    "DS-091,DISKOMINFOTIK,@SUM(1+1),kode,2024-03-01",
    "DS-092,DISKOMINFOTIK,+62 21 3822255,kode,2024-03-01",
    "DS-093,DISKOMINFOTIK,-2+3,kode,2024-03-01"]),
     "formula-like titles: staged verbatim (the warehouse is not a spreadsheet); every spreadsheet export "
     "neutralises them with kinerja.safety.neutralise_cell", ["injection"],
     status="staged", read=4, staged=4, quarantined=0, quarantine=[],
     values=[{"key": {"dataset_id": "DS-090"}, "values": {"title": '=HYPERLINK("http://evil.example/x","Klik")'}},
             {"key": {"dataset_id": "DS-091"}, "values": {"title": "@SUM(1+1)"}},
             {"key": {"dataset_id": "DS-093"}, "values": {"title": "-2+3"}}])

# -- other formats ----------------------------------------------------------------------------------------

case("parquet_training", TRAINING, "parquet", parquet_bytes(pd.DataFrame({
    "nip": [NIP1, NIP2, NIP3], "training_id": ["DIK-4"] * 3,
    "start_date": pd.to_datetime(["2024-03-01", "2024-03-01", "2024-03-20"]),
    "end_date": pd.to_datetime(["2024-03-02", "2024-03-03", "2024-03-19"]),
    "jp": [16.0, 24.5, 8.0], "verified": [True, False, True]})),
     "Parquet with native dates, floats and booleans; an end before the start", ["parquet", "dates"],
     status="staged", read=3, staged=2, quarantined=1,
     quarantine=[[4, "start_date,end_date", "date_order", "ends before it starts"]],
     pseudonyms={"nip": [NIP1, NIP2]})

case("json_records", ADUAN, "json", json.dumps([
    {"ticket_id": "CRM-1", "received_at": "2024-03-01T08:00:00+07:00", "category": "Kepegawaian",
     "resolved_at": "2024-03-02 10:00"},
    {"ticket_id": "CRM-2", "received_at": "2024-03-03 09:00", "category": "Gaji", "resolved_at": None},
    {"ticket_id": "CRM-3", "received_at": "kemarin", "category": "Cuti", "resolved_at": None},
], indent=1).encode(),
     "JSON records with ISO timestamps, a null and an unreadable timestamp", ["json", "dates"],
     status="staged", read=3, staged=2, quarantined=1,
     quarantine=[[4, "received_at", "parse_datetime", "is not a date", "kemarin"]],
     values=[{"key": {"ticket_id": "CRM-1"}, "values": {"received_at": "2024-03-01T08:00:00+07:00",
                                                        "resolved_at": "2024-03-02T10:00:00+07:00"}},
             {"key": {"ticket_id": "CRM-2"}, "values": {"resolved_at": None}}])

case("json_lines", ADUAN, "json", b'{"ticket_id": "CRM-5", "received_at": "2024-03-05 08:00", "category": "A", '
     b'"resolved_at": ""}\n{"ticket_id": "CRM-6", "received_at": "2024-03-06 08:00", "category": "B", '
     b'"resolved_at": "2024-03-01 08:00"}\n',
     "JSON Lines; a complaint resolved before it was received", ["json"],
     status="staged", read=2, staged=1, quarantined=1, notes=["json lines"],
     quarantine=[[3, "received_at,resolved_at", "date_order", "has resolved_at before received_at"]])

case("json_broken", ADUAN, "json", b'[{"ticket_id": "CRM-7", "received_at": ',
     "a JSON file cut off mid-way", ["json", "unreadable", "truncated"], status="failed", message="unreadable json")

# -- where ------------------------------------------------------------------------------------------------

case("missing_file", SKM, None, None, "no file for the month", ["missing"],
     status="failed", message="missing file: no ekinerja/2024-03/skm_responses.*")

case("two_files", SKM, "csv+xlsx", csv_bytes([SKM_HEADER, skm(1)]), "a CSV and an XLSX for one extract",
     ["ambiguous"], status="failed", message="ambiguous: ekinerja/2024-03/skm_responses.* matches "
                                             "skm_responses.csv, skm_responses.xlsx; keep one")


def write(root: Path = HERE) -> list[dict]:
    manifest = []
    for c in CASES:
        folder = root / c["case"]
        if folder.exists():
            shutil.rmtree(folder)
        source, name = c["extract"].split("/")
        target = folder / source / MONTH
        target.mkdir(parents=True)
        files = []
        if c["ext"] == "csv+xlsx":
            (target / f"{name}.csv").write_bytes(c["content"])
            (target / f"{name}.xlsx").write_bytes(xlsx_bytes([SKM_HEADER.split(",")]))
            files = [f"{source}/{MONTH}/{name}.csv", f"{source}/{MONTH}/{name}.xlsx"]
        elif c["ext"] is not None:
            (target / f"{name}.{c['ext']}").write_bytes(c["content"])
            files = [f"{source}/{MONTH}/{name}.{c['ext']}"]
        else:
            (target / ".keep").write_bytes(b"")
        manifest.append({"case": c["case"], "extract": c["extract"], "month": MONTH, "files": files,
                         "what": c["what"], "tags": c["tags"], "expect": c["expect"]})
    (root / "manifest.json").write_text(json.dumps(manifest, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return manifest


if __name__ == "__main__":
    out = write(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE)
    print(f"wrote {len(out)} cases")
