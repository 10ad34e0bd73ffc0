"""Hostile and absurd values in landing files: bounded by the schemas, quarantined with a reason, and
never staged, so that no later run reads back something it cannot handle.

Dates and date-times have a window on both sides (an explicit one, or the default: the PK year to the
collection deadline), identifiers take ASCII digits only, amounts and counts have plausible ranges, and
a NUL character costs its row on SQLite and PostgreSQL alike. Expected values are worked out by hand in
each test.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa
from pandera.errors import SchemaErrors

from kinerja import extracts, ingestion, pipeline
from kinerja.extracts import AMOUNT_MAX, COUNT_MAX, ValidationContext, window_sides
from kinerja.periods import Month
from kinerja.readers import ExtractFileError, RawExtract, read_csv
from kinerja.validation import validate

JUNE = Month(2024, 6)
ARABIC_INDIC = str.maketrans("0123456789", "\u0660\u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668\u0669")


def _raw(columns: dict[str, list], file: str = "x/2024-06/x.csv") -> RawExtract:
    frame = pd.DataFrame(columns, dtype="string")
    return RawExtract(frame, pd.Series(range(2, len(frame) + 2), dtype="int64"), file, "0" * 64)


def _quarantined(result) -> list[tuple]:
    return [(r.row_number, r.column_name, r.check_name) for r in result.quarantine.itertuples()]


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request, catalog):
    yield request.getfixturevalue("sqlite_engine" if request.param == "sqlite" else "pg_engine")


def _land(landing: Path, extract_id: str, month: Month, text: str | bytes) -> None:
    source, name = extract_id.split("/")
    folder = landing / source / str(month)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.csv").write_bytes(text.encode("utf-8") if isinstance(text, str) else text)


# -- 1. every date and date-time column has a plausible window -------------------------------------------------

def _date_columns():
    return [(ext_id, c.name, c.kind) for ext_id, ext in sorted(extracts.registry().items())
            for c in ext.columns if c.kind in ("date", "datetime")]


@pytest.mark.parametrize(("extract_id", "name", "kind"), _date_columns())
def test_every_date_column_refuses_year_one_and_year_9999(catalog, extract_id, name, kind):
    """Whatever the column's own window, a year-1 value (staged on SQLite with the local mean time
    offset +07:07:12, which no later read could parse) and a year-9999 value fail it."""
    ctx = ValidationContext(catalog, JUNE)
    column = extracts.get(extract_id).schema(ctx).columns[name]
    assert window_sides(column.checks) == {"lower", "upper"}
    values = pd.Series([pd.Timestamp("0001-01-01"), pd.Timestamp("9999-12-31")], dtype="datetime64[us]")
    values = values.dt.tz_localize(ctx.tz) if kind == "datetime" else values
    with pytest.raises(SchemaErrors) as failed:
        column.validate(pd.DataFrame({name: values}), lazy=True)
    cases = failed.value.failure_cases
    assert sorted(cases["index"].unique()) == [0, 1]
    assert {column.checks[int(n)].name for n in cases["check_number"]} == {"date_window"}


SUBMISSIONS = ("dataset_id,version,submitted_at,components_complete,duplicate_key_rows,validated\n"
               "DS-1,1,2024-06-10 10:00,ya,0,Y\n"            # row 2: staged
               "DS-2,1,0001-01-01,ya,0,Y\n"                  # row 3: year 1
               "DS-3,1,2023-12-20 09:00,ya,0,Y\n"            # row 4: the December before: within reach
               "DS-4,1,2022-12-31 09:00,ya,0,Y\n"            # row 5: before the year before
               "DS-5,1,9999-12-31 23:59,ya,0,Y\n")           # row 6: after the deadline (2024-07-05)


def test_an_implausible_timestamp_is_quarantined_and_a_later_run_reads_the_staged_rows(engine, catalog, tmp_path):
    ext = extracts.get("portal_data/submissions")
    landing = tmp_path / "landing"
    _land(landing, ext.id, JUNE, SUBMISSIONS)
    outcome = ingestion.ingest_extract(engine, catalog, landing, ext, JUNE, "run-june")
    assert (outcome.rows_read, outcome.rows_staged, outcome.rows_quarantined) == (5, 2, 3)
    q = pd.read_sql(sa.text("SELECT row_number, check_name, reason FROM quarantine ORDER BY row_number"), engine)
    assert q["row_number"].tolist() == [3, 5, 6] and set(q["check_name"]) == {"date_window"}
    assert q["reason"].tolist()[:2] == ["submitted_at must not be before the start of the year before (2023-01-01)"] * 2
    # the next month's run reads every staged row back
    _land(landing, ext.id, JUNE.next(), SUBMISSIONS.splitlines()[0] + "\nDS-6,1,2024-07-02 08:00,ya,0,Y\n")
    ingestion.ingest_extract(engine, catalog, landing, ext, JUNE.next(), "run-july")
    staged = pipeline.read_inputs(engine, catalog, [ext.id])[ext.id]
    assert sorted(staged["dataset_id"]) == ["DS-1", "DS-3", "DS-6"]
    assert staged["submitted_at"].min() == pd.Timestamp("2023-12-20 09:00", tz=catalog.timezone)


def test_a_follow_up_resolved_before_the_first_lhp_year_is_quarantined(catalog):
    """rekomendasi reaches back to the first LHP year (2005 in the catalog), not only to the PK year."""
    first = catalog.indicator("rekomendasi_bpk").rules["first_lhp_year"]
    raw = _raw({"rec_id": ["R1", "R2"], "lhp_year": [str(first)] * 2, "unit_code": ["BKD"] * 2,
                "resolved_at": [f"{first}-03-01", f"{first - 1}-12-31"], "verified": ["tidak"] * 2,
                "verified_at": [None, None]})
    result = validate(raw, extracts.get("bpk/rekomendasi"), ValidationContext(catalog, JUNE))
    assert ("resolved_at", "date_window") in {(c, k) for _, c, k in _quarantined(result)}
    assert {n for n, _, _ in _quarantined(result)} == {3}
    reasons = set(result.quarantine["reason"])
    assert f"resolved_at must not be before the first LHP year ({first}-01-01)" in reasons


# -- 4. identifiers take ASCII digits only ---------------------------------------------------------------------

def test_a_nip_in_arabic_indic_digits_is_quarantined_not_a_second_pseudonym(catalog, monkeypatch):
    monkeypatch.setenv("KINERJA_PSEUDONYM_KEY", "a-test-key-of-enough-length")
    nip = "198501012010011001"
    raw = _raw({"nip": [nip, nip.translate(ARABIC_INDIC)], "training_id": ["T1", "T2"],
                "start_date": ["2024-06-03"] * 2, "end_date": ["2024-06-04"] * 2, "jp": ["8"] * 2,
                "verified": ["ya"] * 2})
    result = ingestion.validate_extract(raw, extracts.get("simdiklat/training"), catalog, JUNE)
    assert _quarantined(result) == [(3, "nip", "format")]
    assert result.rows_staged == 1


@pytest.mark.parametrize(("kind", "text"), [("int", "12"), ("float", "1.5"), ("date", "2024-06-03"),
                                            ("datetime", "2024-06-03 10:00"), ("month", "2024-06")])
def test_numbers_dates_and_months_in_other_scripts_digits_do_not_parse(catalog, kind, text):
    from kinerja import parsing

    other = text[:4].translate(ARABIC_INDIC) + text[4:]  # the year (or the number) in Arabic-Indic digits
    values, bad = parsing.parse(kind, pd.Series([text, other], dtype="string"), ".", catalog.timezone)
    assert bad.tolist() == [False, True]


@pytest.mark.parametrize("extract_id", ["apbd/budget_monthly", "esakip/output_realisasi", "sipd/belanja_realisasi"])
def test_a_code_in_other_scripts_digits_fails_its_format(catalog, extract_id):
    ext = extracts.get(extract_id)
    column = "account_code" if extract_id == "sipd/belanja_realisasi" else "sub_activity_code"
    check = next(c for c in ext.schema(ValidationContext(catalog, JUNE)).columns[column].checks if c.name == "format")
    codes = pd.Series(["5.1.02", "5.1.02".translate(ARABIC_INDIC)], dtype="string")
    assert check(codes).check_output.tolist() == [True, False]


# -- 5. plausible amounts and counts ---------------------------------------------------------------------------

def test_every_numeric_column_is_bounded_on_both_sides(catalog):
    """No int or float column accepts any magnitude: each has a lower and an upper bound (a range, an
    enumeration), so no sum of staged values can overflow."""
    ctx = ValidationContext(catalog, JUNE)
    open_ended = []
    for ext_id, ext in sorted(extracts.registry().items()):
        schema = ext.schema(ctx)
        for c in ext.columns:
            if c.kind not in ("int", "float"):
                continue
            stats = [chk.statistics or {} for chk in schema.columns[c.name].checks]
            lower = any("min_value" in s or "allowed_values" in s for s in stats)
            upper = any("max_value" in s or "allowed_values" in s for s in stats)
            if not (lower and upper):
                open_ended.append(f"{ext_id}.{c.name}")
    assert open_ended == []


def test_absurd_amounts_are_quarantined_and_the_largest_plausible_is_staged(catalog):
    raw = _raw({"sub_activity_code": ["1.01", "1.02", "1.03", "1.04"], "month": ["2024-06"] * 4,
                "pagu": ["1e308", "1000000000000000", "1e16", "5000000"],
                "rpd": ["0", "0", "0", "2e15"], "realisasi": ["0"] * 4})
    result = validate(raw, extracts.get("apbd/budget_monthly"), ValidationContext(catalog, JUNE))
    # 1e308 and 1e16 are past 10^15 (pagu, rows 2 and 4); 2e15 too (rpd, row 5); exactly 10^15 passes
    assert _quarantined(result) == [(2, "pagu", "range"), (4, "pagu", "range"), (5, "rpd", "range")]
    assert result.staged["pagu"].tolist() == [float(AMOUNT_MAX)]
    assert result.quarantine["reason"].iloc[0] == ("pagu must be at most 1,000,000,000,000,000 rupiah "
                                                   "(not a plausible amount)")


def test_a_correction_may_be_negative_but_not_absurd(catalog):
    raw = _raw({"transaction_id": ["A", "B", "C"], "account_code": ["5.1.02"] * 3,
                "amount": ["-250000", "-2e15", "1e300"], "spj_date": ["2024-06-03"] * 3, "pdn_flag": ["ya"] * 3})
    result = validate(raw, extracts.get("sipd/belanja_realisasi"), ValidationContext(catalog, JUNE))
    assert _quarantined(result) == [(3, "amount", "range"), (4, "amount", "range")]


def test_absurd_counts_are_quarantined(catalog):
    raw = _raw({"month": ["2024-06"] * 2, "pd_code": ["PD1", "PD2"], "has_priority_program": ["ya"] * 2,
                "strategy_compiled": ["ya"] * 2, "materials_published": ["ya"] * 2,
                "crises": ["2", str(COUNT_MAX + 1)], "crises_responded": ["1", "0"],
                "netizen_questions": ["10", "10"], "netizen_answered": ["5", "5"]})
    result = validate(raw, extracts.get("ekinerja/komunikasi_publik"), ValidationContext(catalog, JUNE))
    assert _quarantined(result) == [(3, "crises", "range")]


# -- 2. a NUL character costs its row, on both warehouses ---------------------------------------------------------

def test_a_nul_past_the_first_4_kib_quarantines_its_row_on_both_warehouses(engine, catalog, tmp_path):
    ext = extracts.get("crm/pengaduan")
    rows = [f"T-{i:04d},2024-06-{1 + i % 28:02d} 09:00,layanan kepegawaian,\n" for i in range(120)]
    rows[100] = "T-0100,2024-06-03 09:00,lay\x00anan,\n"  # well past the first 4 KiB
    text = "ticket_id,received_at,category,resolved_at\n" + "".join(rows)
    assert text.index("\x00") > 4096
    landing = tmp_path / "landing"
    _land(landing, ext.id, JUNE, text)
    outcome = ingestion.ingest_extract(engine, catalog, landing, ext, JUNE, "run-nul")
    assert (outcome.rows_read, outcome.rows_staged, outcome.rows_quarantined) == (120, 119, 1)
    q = pd.read_sql(sa.text("SELECT row_number, column_name, check_name, value FROM quarantine"), engine)
    assert q.to_dict("records") == [{"row_number": 102, "column_name": "category", "check_name": "nul_character",
                                     "value": "lay\\x00anan"}]


def test_a_stray_nul_near_the_start_is_a_damaged_cell_many_are_a_binary_file():
    frame, *_ = read_csv(b"ticket_id,category\nT1,a\x00b\nT2,c\n", {"ticket_id", "category"})
    assert frame["category"].tolist() == ["a\x00b", "c"]  # the row is quarantined by validation
    with pytest.raises(ExtractFileError, match=r"not a text file: 10 of its first 350 bytes are NUL"):
        read_csv(b"\x00\x01\x02 not a file any reader can use \xff" * 10, {"ticket_id"})


def test_a_nul_in_a_key_column_is_reported_once_and_shown_visibly(catalog):
    raw = _raw({"ticket_id": ["T\x001", "T2"], "received_at": ["2024-06-03 09:00"] * 2,
                "category": ["a", "b"], "resolved_at": [None, None]})
    result = validate(raw, extracts.get("crm/pengaduan"), ValidationContext(catalog, JUNE))
    assert _quarantined(result) == [(2, "ticket_id", "nul_character")]
    assert "\x00" not in "".join(result.quarantine["value"]) + "".join(result.quarantine["reason"])


# -- 9. UTF-16 without a byte-order mark ------------------------------------------------------------------------

@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_without_a_byte_order_mark_is_read_as_text(encoding):
    data = "ticket_id\tcategory\nT1\tlayanan é\n".encode(encoding)
    frame, _, _, notes, _ = read_csv(data, {"ticket_id", "category"})
    assert frame.to_dict("list") == {"ticket_id": ["T1"], "category": ["layanan é"]}
    assert notes[0] == f"csv: encoding {encoding} without byte-order mark"
