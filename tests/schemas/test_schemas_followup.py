"""Schemas of the follow-up extracts (indicators 9, 10, 12, 13, 14 and the rencana aksi):
enumerations, plausible dates, row rules and one row per natural key."""


import pandas as pd
import pytest

from kinerja import extracts
from kinerja.extracts import ValidationContext
from kinerja.periods import Month
from kinerja.readers import RawExtract
from kinerja.validation import validate

MARCH = Month(2024, 3)


def check(catalog, extract_id, rows, month=MARCH):
    """Validate text rows as a landing file of ``month``; returns (validated, {row_number: check names})."""
    ext = extracts.get(extract_id)
    frame = pd.DataFrame(rows, columns=ext.column_names, dtype="string")
    raw = RawExtract(frame, pd.Series(range(2, len(rows) + 2)), f"{extract_id}.csv", "0" * 64)
    out = validate(raw, ext, ValidationContext(catalog, month))
    bad: dict[int, set[str]] = {}
    for rec in out.quarantine.itertuples():
        bad.setdefault(rec.row_number, set()).add(rec.check_name)
    assert out.rows_staged + out.rows_quarantined == len(rows)
    return out, bad


def test_reports(catalog):
    out, bad = check(catalog, "km_portal/reports", [
        ["R1", "Praktik baik", "tulisan", "3", "2024-03-10 10:00"],        # row 2 good
        ["R2", "Video", "podcast", "3", "2024-03-11 10:00"],               # row 3 unknown format
        ["R3", "Video", "video", "2", "2024-03-12 10:00"],                 # row 4 no quota in TW II
        ["R4", "Video", "video", "4", "2024-04-05 23:59:59"],              # row 5 at the cutoff: fine
        ["R5", "Video", "video", "4", "2024-04-06 00:00:00"],              # row 6 after the March cutoff
        ["R6", "Lama", "video", "4", "2023-12-31 10:00"],                  # row 7 before the PK year
        ["R7", "Dua kali", "video", "4", "2024-03-01"],                    # rows 8-9 same key
        ["R7", "Dua kali", "video", "4", "2024-03-02"],
    ])
    assert sorted(out.staged["report_id"]) == ["R1", "R4"]
    assert bad == {3: {"enumeration"}, 4: {"enumeration"}, 6: {"date_window"}, 7: {"date_window"},
                   8: {"duplicate_key"}, 9: {"duplicate_key"}}


def test_risk_documents(catalog):
    out, bad = check(catalog, "esakip/risk_documents", [
        ["D1", "FLPR-TW2", "2024-07-01 10:00", "ya", "2024-07-03 09:00"],   # row 2 good
        ["D2", "FLPR-TW3", "2024-07-01 10:00", "tidak", None],               # row 3 not a required type
        ["D3", "FLPR-TW2", "2024-07-01 10:00", "ya", None],                  # row 4 verified without a date
        ["D4", "FLPR-TW4", "2024-07-02 10:00", "tidak", "2024-07-03 09:00"],  # row 5 a date but not verified
        ["D5", "FLPR-TW4", "2024-07-02 10:00", "ya", "2024-07-01 09:00"],     # row 6 verified before submitted
        ["D6", "FLPR-TW4", "2024-07-02 10:00", "ya", "2024-08-06 09:00"],     # row 7 after June's cutoff
    ], month=Month(2024, 6))
    assert list(out.staged["doc_id"]) == ["D1"]
    assert bad == {3: {"enumeration"}, 4: {"verification_date"}, 5: {"verification_date"},
                   6: {"date_order"}, 7: {"date_window"}}


def test_arahan_gubernur(catalog):
    out, bad = check(catalog, "ekinerja/arahan_gubernur", [
        ["A1", "rapim", "2024-03-01 08:00", "2024-04-05 23:59:59"],   # row 2 good, closed at the cutoff
        ["A2", "e-office", "2024-03-02 08:00", None],                  # row 3 good, open
        ["A3", "whatsapp", "2024-03-02 08:00", None],                  # row 4 unknown channel
        ["A4", "rapim", "2024-03-05 08:00", "2024-03-04 08:00"],       # row 5 completed before issued
        ["A5", "rapim", "2024-03-05 08:00", "2024-04-06 08:00"],       # row 6 completed after the cutoff
        ["A6", "lainnya", "2024-13-05 08:00", None],                   # row 7 not a date
    ])
    assert sorted(out.staged["directive_id"]) == ["A1", "A2"]
    assert bad == {4: {"enumeration"}, 5: {"date_order"}, 6: {"date_window"}, 7: {"parse_datetime"}}


def test_pengaduan(catalog):
    out, bad = check(catalog, "crm/pengaduan", [
        ["T1", "2024-03-01 08:00", "Gaji", "2024-03-02 08:00"],        # row 2 good
        ["T2", "2024-03-01T08:00:00+00:00", "Mutasi", None],           # row 3 good, with an offset
        ["T3", "2024-03-05 08:00", "Mutasi", "2024-03-04 08:00"],      # row 4 resolved before received
        ["T4", "2024-04-07 08:00", "Mutasi", None],                    # row 5 received after the cutoff
        ["T5", "2024-03-07 08:00", None, None],                        # row 6 no category
    ])
    assert sorted(out.staged["ticket_id"]) == ["T1", "T2"]
    assert out.staged.set_index("ticket_id").loc["T2", "received_at"] == pd.Timestamp("2024-03-01 15:00",
                                                                                       tz="Asia/Jakarta")
    assert bad == {4: {"date_order"}, 5: {"date_window"}, 6: {"required"}}


def test_rekomendasi(catalog):
    out, bad = check(catalog, "bpk/rekomendasi", [
        ["B1", "2010", "PD-001", None, "tidak", None],                           # row 2 good, open
        ["B2", "2019", "PD-002", "2024-02-01", "ya", "2024-02-20"],              # row 3 good
        ["B3", "2004", "PD-002", None, "tidak", None],                           # row 4 before the first LHP
        ["B4", "2020", "PD-002", "2019-05-01", "tidak", None],                   # row 5 resolved before its LHP
        ["B5", "2020", "PD-002", None, "ya", "2024-02-20"],                      # row 6 verified, unresolved
        ["B6", "2020", "PD-002", "2024-02-01", "ya", None],                      # row 7 verified, no date
        ["B7", "2020", "PD-002", "2024-02-10", "ya", "2024-02-01"],              # row 8 verified first
        ["B8", "2025", "PD-002", None, "tidak", None],                           # row 9 after the PK year
        ["B9", "2021", "PD-002", "2024-04-08", "tidak", None],                   # row 10 after the cutoff
    ])
    assert sorted(out.staged["rec_id"]) == ["B1", "B2"]
    assert bad == {4: {"range"}, 5: {"date_window"}, 6: {"verification"}, 7: {"verification"},
                   8: {"date_order"}, 9: {"range"}, 10: {"date_window"}}


def test_rencana_aksi(catalog):
    out, bad = check(catalog, "esakip/rencana_aksi", [
        ["1", "T/O2.1.1", "2024-03-20"],   # row 2 good
        ["2", "T/O2.1.1", None],           # row 3 good, not done (same code, other IKU)
        ["1", "T/O9.9.9", "2024-03-20"],   # row 4 not in the catalog
        ["3", "T/O1.1.1", "2024-03-20"],   # row 5 unknown IKU
        ["2", "TO1.1.1", None],            # row 6 malformed code
        ["2", "T/O1.1.1", "2024-04-06"],   # row 7 after the cutoff date
    ])
    assert list(zip(out.staged["iku_no"], out.staged["output_code"], strict=True)) == [(1, "T/O2.1.1"),
                                                                                       (2, "T/O2.1.1")]
    assert bad == {4: {"unknown_output"}, 5: {"enumeration", "unknown_output"},
                   6: {"format", "unknown_output"}, 7: {"date_window"}}


GOOD_ROWS = {
    "km_portal/reports": [["R1", "Praktik baik", "tulisan", "3", "2024-03-10 10:00"]],
    "esakip/risk_documents": [["D1", "FLPR-TW2", "2024-03-01 10:00", "ya", "2024-03-03T09:00:00+00:00"],
                              ["D2", "FLPR-TW4", "2024-03-02 10:00", "tidak", None]],
    "ekinerja/arahan_gubernur": [["A1", "rapim", "01/03/2024 08:00", "05/04/2024 23:59:59"],
                                 ["A2", "e-office", "02/03/2024 08:00", None]],
    "crm/pengaduan": [["T1", "2024-03-01 08:00", "Gaji", "2024-03-02 08:00"]],
    "bpk/rekomendasi": [["B1", "2010", "PD-001", None, "tidak", None],
                        ["B2", "2019", "PD-002", "01-02-2024", "ya", "20-02-2024"]],
    "esakip/rencana_aksi": [["1", "T/O2.1.1", "20/03/2024"], ["2", "T/O2.1.1", None]],
}


def _round_trip(catalog, engine, extract_id):
    from kinerja import warehouse

    ext = extracts.get(extract_id)
    out, bad = check(catalog, extract_id, GOOD_ROWS[extract_id])
    assert bad == {}
    warehouse.stage(engine, ext, out.staged, "2024-03", f"{extract_id}.csv", "run-1")
    back = warehouse.read_staged(engine, ext, catalog.timezone)
    expected = out.staged.drop(columns="_row_number").sort_values(list(ext.key)).reset_index(drop=True)
    pd.testing.assert_frame_equal(back[ext.column_names], expected[ext.column_names], check_dtype=False)
    for col in ext.columns:  # typed as the extract declares
        if col.kind == "datetime":
            assert str(back[col.name].dt.tz) == catalog.timezone


@pytest.mark.parametrize("extract_id", sorted(GOOD_ROWS))
def test_stage_and_read_back_sqlite(catalog, sqlite_engine, extract_id):
    _round_trip(catalog, sqlite_engine, extract_id)


@pytest.mark.postgres
@pytest.mark.parametrize("extract_id", sorted(GOOD_ROWS))
def test_stage_and_read_back_postgres(catalog, pg_engine, extract_id):
    _round_trip(catalog, pg_engine, extract_id)
