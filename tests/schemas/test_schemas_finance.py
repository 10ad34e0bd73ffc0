"""Schemas of the finance and communication extracts: komunikasi_publik, belanja_realisasi,
budget_monthly and output_realisasi. Each bad row is quarantined with its check; the rest is staged."""

import pandas as pd
import pytest

from kinerja import extracts, ingestion, warehouse
from kinerja.extracts import ValidationContext
from kinerja.periods import Month
from kinerja.readers import RawExtract
from kinerja.validation import validate

MARCH = Month(2024, 3)  # files of March: cutoff 5 April 2024 23:59:59 WIB


def raw(rows: list[dict], decimal: str = ".") -> RawExtract:
    frame = pd.DataFrame(rows, dtype="string")
    return RawExtract(frame, pd.Series(range(2, len(frame) + 2), dtype="int64"), "x/2024-03/f.csv", "0" * 64,
                      decimal)


def check(extract_id: str, rows: list[dict], catalog, decimal: str = ".", month: Month = MARCH):
    ext = extracts.get(extract_id)
    return validate(raw(rows, decimal), ext, ValidationContext(catalog, month))


def failures(result) -> set[tuple[int, str, str]]:
    return {(r.row_number, r.column_name, r.check_name) for r in result.quarantine.itertuples()}


# -- komunikasi_publik -------------------------------------------------------------------------------

def kom(month="2024-03", pd_code="DISKOMINFOTIK", prio="ya", strat="ya", pub="tidak", crises="2", responded="1",
        questions="10", answered="10") -> dict:
    return {"month": month, "pd_code": pd_code, "has_priority_program": prio, "strategy_compiled": strat,
            "materials_published": pub, "crises": crises, "crises_responded": responded,
            "netizen_questions": questions, "netizen_answered": answered}


def test_komunikasi_rows(catalog):
    result = check("ekinerja/komunikasi_publik", [
        kom(),                                               # row 2 fine
        kom(pd_code="DINKES", crises="1", responded="2"),    # row 3 responded > crises
        kom(pd_code="DISDIK", questions="3", answered="4"),  # row 4 answered > questions
        kom(pd_code="DISHUB", crises="-1", responded="0"),   # row 5 negative count
        kom(month="2024-04", pd_code="BPBD"),                # row 6 after the file's month
        kom(month="2023-12", pd_code="BPKD"),                # row 7 before the PK year
        kom(pd_code="DLH", prio="mungkin"),                  # row 8 not a yes/no
        kom(month="2024-02", pd_code="DINSOS", prio="Y", strat="N", pub="1"),  # row 9 an earlier month: fine
    ], catalog)
    assert failures(result) == {
        (3, "crises_responded,crises", "responded_le_total"),
        (4, "netizen_answered,netizen_questions", "answered_le_total"),
        (5, "crises", "range"),
        (5, "crises_responded,crises", "responded_le_total"),  # 0 > -1 as well
        (6, "month", "date_window"),
        (7, "month", "date_window"),
        (8, "has_priority_program", "parse_bool"),
    }
    assert result.rows_staged == 2 and result.rows_quarantined == 6
    reason = result.quarantine.set_index("row_number").loc[3, "reason"]
    assert "more crises responded than crises" in reason


def test_komunikasi_key_repeated_in_a_file_quarantines_every_copy(catalog):
    result = check("ekinerja/komunikasi_publik", [kom(), kom(), kom(pd_code="DINKES")], catalog)
    assert failures(result) == {(2, "month,pd_code", "duplicate_key"), (3, "month,pd_code", "duplicate_key")}
    assert result.rows_staged == 1


# -- belanja_realisasi ------------------------------------------------------------------------------------

def spj(tid="SPJ-1", account="5.1.02.01.01.0024", amount="1.234.567,89", date="15/03/2024", flag="ya") -> dict:
    return {"transaction_id": tid, "account_code": account, "amount": amount, "spj_date": date, "pdn_flag": flag}


def test_belanja_rows_in_indonesian_csv(catalog):
    result = check("sipd/belanja_realisasi", [
        spj(),                                                  # row 2 fine, decimal comma
        spj("SPJ-2", amount="-250.000,00"),                     # row 3 a correction: fine
        spj("SPJ-3", account="5-1-02-01"),                      # row 4 not dotted numeric
        spj("SPJ-4", account="5.1.02."),                        # row 5 trailing dot
        spj("SPJ-5", date="05/04/2024"),                        # row 6 the cutoff day itself: fine
        spj("SPJ-6", date="06/04/2024"),                        # row 7 after the cutoff
        spj("SPJ-7", date="31/12/2023"),                        # row 8 before the PK year
        spj("SPJ-8", amount="Rp 1.000"),                        # row 9 not a number
        spj("SPJ-9", account="5.2.020", flag="tidak"),          # row 10 valid format (out of scope later)
    ], catalog, decimal=",")
    assert failures(result) == {
        (4, "account_code", "format"),
        (5, "account_code", "format"),
        (7, "spj_date", "date_window"),
        (8, "spj_date", "date_window"),
        (9, "amount", "parse_float"),
    }
    staged = result.staged.set_index("transaction_id")
    assert staged.loc["SPJ-1", "amount"] == pytest.approx(1234567.89)
    assert staged.loc["SPJ-2", "amount"] == pytest.approx(-250000.0)
    assert not staged.loc["SPJ-9", "pdn_flag"]


def test_belanja_duplicate_transaction(catalog):
    result = check("sipd/belanja_realisasi", [spj(), spj(amount="10,00"), spj("SPJ-2")], catalog, decimal=",")
    assert failures(result) == {(2, "transaction_id", "duplicate_key"), (3, "transaction_id", "duplicate_key")}


# -- budget_monthly ---------------------------------------------------------------------------------------------

def bud(code="5.03.02.1.01.0001", month="2024-03", pagu="1000000", rpd="100000", real="90000") -> dict:
    return {"sub_activity_code": code, "month": month, "pagu": pagu, "rpd": rpd, "realisasi": real}


def test_budget_rows(catalog):
    result = check("apbd/budget_monthly", [
        bud(),                                              # row 2 fine
        bud("5.03.02.1.01.0002", real="-5"),                # row 3 negative realisation
        bud("5.03.02.1.01.0003", month="2024-05"),          # row 4 after the file's month
        bud("5.03.02.1.01.0004", pagu="satu juta"),         # row 5 not a number
        bud("5.03.02.1.01.0005", pagu="0", rpd="0", real="0"),  # row 6 pagu 0 is allowed
        bud("5.03.02.1.01.0006", real="2000000"),           # row 7 above pagu: allowed (P caps it)
        bud("SUBKEG-7"),                                    # row 8 not dotted numeric
        bud("5.03.02.1.01.0008", rpd=None),                 # row 9 required
    ], catalog)
    assert failures(result) == {
        (3, "realisasi", "range"),
        (4, "month", "date_window"),
        (5, "pagu", "parse_float"),
        (8, "sub_activity_code", "format"),
        (9, "rpd", "required"),
    }
    assert result.rows_staged == 3


# -- output_realisasi --------------------------------------------------------------------------------------------

def outp(code="5.03.02.1.01.0001", month="2024-03", target="12", realised="3") -> dict:
    return {"sub_activity_code": code, "month": month, "output_target": target, "output_realised": realised}


def test_output_rows(catalog):
    result = check("esakip/output_realisasi", [
        outp(),                                             # row 2 fine
        outp("5.03.02.1.01.0002", target=None),             # row 3 no target: allowed (left out of CK)
        outp("5.03.02.1.01.0003", realised="-1"),           # row 4 negative volume
        outp("5.03.02.1.01.0004", target="-12"),            # row 5 negative target
        outp("5.03.02.1.01.0005", realised="15"),           # row 6 above target: allowed (ck caps it)
        outp("5.03.02.1.01.0006", month="2024-13"),         # row 7 not a month
    ], catalog)
    assert failures(result) == {
        (4, "output_realised", "range"),
        (5, "output_target", "range"),
        (7, "month", "parse_month"),
    }
    assert result.rows_staged == 3


# -- staging tables -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("extract_id", "rows", "decimal"), [
    ("ekinerja/komunikasi_publik", [kom()], "."),
    ("sipd/belanja_realisasi", [spj()], ","),
    ("apbd/budget_monthly", [bud()], "."),
    ("esakip/output_realisasi", [outp(target=None)], "."),
])
def test_staging_round_trip(sqlite_engine, catalog, extract_id, rows, decimal):
    ext = extracts.get(extract_id)
    result = check(extract_id, rows, catalog, decimal)
    assert result.rows_staged == 1
    warehouse.stage(sqlite_engine, ext, result.staged, "2024-03", "x/2024-03/f.csv", "run-1")
    # a later file restates the same natural key: still one row
    warehouse.stage(sqlite_engine, ext, result.staged, "2024-04", "x/2024-04/f.csv", "run-2")
    back = warehouse.read_staged(sqlite_engine, ext, catalog.timezone)
    assert len(back) == 1
    assert back["_landing_month"].iloc[0] == "2024-04"
    for col in ext.columns:
        want, got = result.staged[col.name].iloc[0], back[col.name].iloc[0]
        assert (pd.isna(want) and pd.isna(got)) or want == got, col.name


# -- the demo's files read back through the real readers -----------------------------------------------------------

@pytest.mark.parametrize("module_name", ["komunikasi", "belanja", "anggaran"])
def test_demo_files_validate_with_about_one_percent_defects(tmp_path, catalog, module_name):
    import importlib

    from kinerja.demo import DemoContext, write_landing

    module = importlib.import_module(f"kinerja.demo.{module_name}")
    # scale 1 for the small extracts (40 PDs, 150 sub-activities), so that 1 % is more than a handful
    ctx = DemoContext(2024, seed=7, scale=0.1 if module_name == "belanja" else 1.0)
    read = quarantined = 0
    for item in module.generate(ctx):
        write_landing(tmp_path, item)
        ext = extracts.get(item.extract_id)
        raw = ingestion.extract(tmp_path, ext, item.month)
        result = ingestion.validate_extract(raw, ext, catalog, item.month)
        read += result.rows_read
        quarantined += result.rows_quarantined
        assert result.rows_read == len(item.frame)
    assert 0 < quarantined <= 0.04 * read, (quarantined, read)
