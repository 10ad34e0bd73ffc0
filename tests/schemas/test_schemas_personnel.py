"""Schemas of the personnel and asset extracts: merit_assessment, pns_snapshot, bmd_progress and
training. Each bad row is quarantined with its check; the rest is staged; NIPs never reach staging."""

import re

import pandas as pd

from kinerja import extracts, ingestion, warehouse
from kinerja.extracts import ValidationContext
from kinerja.periods import Month
from kinerja.readers import RawExtract
from kinerja.validation import validate
from schemas import pns_snapshot

MARCH = Month(2024, 3)  # files of March: cutoff 5 April 2024 23:59:59 WIB
NIP = "196507191985032002"  # birth 1965-07-19, TMT CPNS 1985-03, female, sequence 002
NIP_2 = "199001012015031001"


def raw(rows: list[dict], decimal: str = ".") -> RawExtract:
    frame = pd.DataFrame(rows, dtype="string")
    return RawExtract(frame, pd.Series(range(2, len(frame) + 2), dtype="int64"), "x/2024-03/f.csv", "0" * 64,
                      decimal)


def check(extract_id: str, rows: list[dict], catalog, decimal: str = "."):
    return validate(raw(rows, decimal), extracts.get(extract_id), ValidationContext(catalog, MARCH))


def failures(result) -> set[tuple[int, str, str]]:
    return {(r.row_number, r.column_name, r.check_name) for r in result.quarantine.itertuples()}


# -- merit_assessment --------------------------------------------------------------------------------

def merit(year="2024", aspect="3", sub="10", score="4") -> dict:
    return {"year": year, "aspect": aspect, "sub_aspect": sub, "score": score}


def test_merit_rows(catalog):
    result = check("sipinter/merit_assessment", [
        merit(),                      # row 2 fine
        merit(sub="1", score="5"),    # row 3 score above 4
        merit(sub="2", score="0"),    # row 4 score below 1
        merit(aspect="9", sub="1"),   # row 5 no aspect 9
        merit(sub="0"),               # row 6 sub-aspect numbers start at 1
        merit(year="2025"),           # row 7 a year after the file's
        merit(year="2023"),           # row 8 last year's assessment: fine
        merit(aspect="1", sub="1"),   # rows 9, 10: the same sub-aspect twice
        merit(aspect="1", sub="1", score="3"),
        merit(sub="3", score="3,5"),  # row 11 not a whole number
    ], catalog)
    assert failures(result) == {
        (3, "score", "range"), (4, "score", "range"), (5, "aspect", "enumeration"), (6, "sub_aspect", "range"),
        (7, "year", "date_window"), (9, "year,aspect,sub_aspect", "duplicate_key"),
        (10, "year,aspect,sub_aspect", "duplicate_key"), (11, "score", "parse_int"),
    }
    assert result.rows_staged == 2 and result.rows_quarantined == 8


# -- pns_snapshot ------------------------------------------------------------------------------------

def pns(month="2024-03", nip=NIP, unit="BKD", edu="S2", skp="Baik", penalty="tidak ada", active="Y") -> dict:
    return {"snapshot_month": month, "nip": nip, "unit_code": unit, "education": edu, "skp_predicate": skp,
            "discipline_penalty": penalty, "active": active}


def test_pns_snapshot_rows(catalog):
    result = check("simpeg/pns_snapshot", [
        pns(),                                   # row 2 fine
        pns(nip=NIP[:17]),                       # row 3 17-digit NIP
        pns(nip=NIP_2, edu="S4"),                # row 4 unknown education
        pns(nip=NIP_2, month="2024-02", skp="Cukup"),     # row 5 unknown SKP predicate
        pns(nip=NIP_2, month="2024-01", penalty="berat sekali"),  # row 6 unknown penalty
        pns(month="2024-04"),                    # row 7 a snapshot after the file's month
        pns(month="2023-12"),                    # row 8 before the PK year
        pns(month="2024-02", active="tidak"),    # row 9 an earlier month restated: fine
        pns(nip="19900101201503100X"),           # row 10 not all digits
        pns(nip=NIP_2, active="mungkin"),        # row 11 not a yes/no
        pns(nip=NIP_2, edu="SLTA"),              # row 12: rows 4, 11 and 12 share (2024-03, NIP_2)
    ], catalog)
    assert failures(result) == {
        (3, "nip", "format"), (4, "education", "enumeration"), (5, "skp_predicate", "enumeration"),
        (6, "discipline_penalty", "enumeration"), (7, "snapshot_month", "date_window"),
        (8, "snapshot_month", "date_window"), (10, "nip", "format"), (11, "active", "parse_bool"),
        (4, "snapshot_month,nip", "duplicate_key"), (12, "snapshot_month,nip", "duplicate_key"),
        (11, "snapshot_month,nip", "duplicate_key"),
    }
    assert result.rows_staged == 2
    # the NIP is shown masked in the quarantine: first 4 and last 4 digits
    shown = result.quarantine[result.quarantine["check_name"] == "format"]["value"].tolist()
    assert NIP[:17] not in shown and all(v.startswith("1965") or v.startswith("1990") for v in shown)
    assert all("*" in v for v in shown)


def test_enumerations_are_exactly_the_ip_asn_scoring_tables(catalog):
    """Every code the schema lets through earns points, and every scored code can arrive."""
    rules = catalog.indicator("ipasn").rules
    assert set(pns_snapshot.EDUCATION) == set(rules["kualifikasi"])
    assert set(pns_snapshot.SKP_PREDICATE) == set(rules["kinerja"])
    assert set(pns_snapshot.DISCIPLINE_PENALTY) == set(rules["disiplin"])


# -- bmd_progress ------------------------------------------------------------------------------------

def upb(code="BKD.0001", month="2024-03", pd_code="BKD", owned="120", entered="80", flag="ya") -> dict:
    return {"snapshot_month": month, "upb_code": code, "pd_code": pd_code, "sk_tim": flag, "daftar_ruangan": "ya",
            "daftar_bmd": "tidak", "items_owned": owned, "items_entered": entered, "berita_acara": "tidak",
            "sptjm": "tidak", "lhi": "tidak"}


def test_bmd_progress_rows(catalog):
    result = check("einventarisasi/bmd_progress", [
        upb(),                                   # row 2 fine
        upb(code="BKD.0002", entered="-1"),      # row 3 negative count
        upb(code="BKD.0003", owned="0", entered="0"),   # row 4 owns nothing: fine
        upb(code="BKD.0004", owned="10", entered="12"),  # row 5 entered above owned: fine (capped later)
        upb(code="BKD.0005", flag="proses"),     # row 6 not a yes/no
        upb(code="BKD.0006", month="2024-04"),   # row 7 after the file's month
        upb(code="BKD.0007", pd_code=None),      # row 8 blank PD
        upb(code="BKD.0008"), upb(code="BKD.0008"),  # rows 9, 10 the same UPB twice
    ], catalog)
    assert failures(result) == {
        (3, "items_entered", "range"), (6, "sk_tim", "parse_bool"), (7, "snapshot_month", "date_window"),
        (8, "pd_code", "required"), (9, "snapshot_month,upb_code", "duplicate_key"),
        (10, "snapshot_month,upb_code", "duplicate_key"),
    }
    assert result.rows_staged == 3


# -- training ----------------------------------------------------------------------------------------

def training(nip=NIP, tid="DIK-24-00001", start="2024-03-04", end="2024-03-06", jp="24", verified="ya") -> dict:
    return {"nip": nip, "training_id": tid, "start_date": start, "end_date": end, "jp": jp, "verified": verified}


def test_training_rows(catalog):
    result = check("simdiklat/training", [
        training(),                                            # row 2 fine
        training(tid="T2", jp="0"),                            # row 3 jp must be above 0
        training(tid="T3", jp="1001"),                         # row 4 above 1000
        training(tid="T4", jp="1000", start="2024-01-02", end="2024-04-05"),  # row 5 on the cutoff day: fine
        training(tid="T5", start="2024-04-01", end="2024-04-06"),  # row 6 ends after the cutoff
        training(tid="T6", start="2024-03-10", end="2024-03-08"),  # row 7 ends before it starts
        training(nip=NIP[1:], tid="T7"),                       # row 8 17-digit NIP
        training(tid="T8", end="06/03/2024", start="04/03/2024"),  # row 9 DD/MM/YYYY: fine
        training(tid="T9"), training(tid="T9", jp="8"),        # rows 10, 11 the same training twice in one file
        training(tid="T10", jp="-2"),                          # row 12 negative
    ], catalog)
    assert failures(result) == {
        (3, "jp", "range"), (4, "jp", "range"), (6, "end_date", "date_window"),
        (7, "start_date,end_date", "date_order"), (8, "nip", "format"),
        (10, "nip,training_id", "duplicate_key"), (11, "nip,training_id", "duplicate_key"), (12, "jp", "range"),
    }
    assert result.rows_staged == 3


def test_training_reads_decimal_comma_jp(catalog):
    result = check("simdiklat/training", [training(jp="2,5"), training(tid="T2", jp="1.000")], catalog,
                   decimal=",")
    assert result.rows_quarantined == 0
    assert result.staged["jp"].tolist() == [2.5, 1000.0]


# -- staging: the DDL fits, and no NIP lands ------------------------------------------------------------

def test_personnel_extracts_stage_pseudonymised_and_read_back_typed(catalog, sqlite_engine):
    cases = {
        "simpeg/pns_snapshot": [pns(), pns(nip=NIP_2, active="N")],
        "simdiklat/training": [training(), training(nip=NIP_2, jp="2,5", verified="tidak")],
        "einventarisasi/bmd_progress": [upb()],
        "sipinter/merit_assessment": [merit()],
    }
    for extract_id, rows in cases.items():
        ext = extracts.get(extract_id)
        r = raw(rows, decimal=",")
        validated = ingestion.validate_extract(r, ext, catalog, MARCH)
        assert validated.rows_quarantined == 0, validated.quarantine
        warehouse.stage(sqlite_engine, ext, validated.staged, str(MARCH), r.file, "run-1")
        back = warehouse.read_staged(sqlite_engine, ext, catalog.timezone)
        assert len(back) == len(rows)
        text = back.astype(str).to_string()
        assert NIP not in text and NIP_2 not in text
    pns_back = warehouse.read_staged(sqlite_engine, extracts.get("simpeg/pns_snapshot"), catalog.timezone)
    assert all(re.fullmatch(r"[0-9a-f]{64}", v) for v in pns_back["nip_pseudonym"])
    assert pns_back["active"].dtype == "boolean" and sorted(pns_back["active"].tolist()) == [False, True]
    train_back = warehouse.read_staged(sqlite_engine, extracts.get("simdiklat/training"), catalog.timezone)
    assert sorted(train_back["jp"].tolist()) == [2.5, 24.0]
    assert str(train_back["end_date"].dtype) == "datetime64[us]"
    # the same NIP gets the same pseudonym in both extracts, so the population joins its training
    assert set(train_back["nip_pseudonym"]) == set(pns_back["nip_pseudonym"])
