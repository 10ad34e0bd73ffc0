"""Privacy and safety (SPEC section 6): NIPs pseudonymised with HMAC-SHA256 before staging, masked in the
quarantine, refused without a key; spreadsheet cells neutralised; paths and periods checked first;
no password in messages."""

from __future__ import annotations

import hashlib
import hmac
import io
import shutil
from datetime import date
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa
from openpyxl import Workbook, load_workbook

from kinerja import extracts, ingestion, pipeline, privacy, safety, warehouse
from kinerja.cli import main
from kinerja.periods import Month
from kinerja.readers import ExtractFileError
from kinerja.safety import mask_digit_runs, neutralise_cell, redact

CORPUS = Path(__file__).parent / "corpus"
MARCH = Month(2024, 3)
PNS = extracts.get("simpeg/pns_snapshot")
NIPS = ["198501012010011001", "199002152015032002"]


def test_the_pseudonym_is_hmac_sha256_rfc_4231():
    # RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?"
    out = privacy.pseudonymise(pd.Series(["what do ya want for nothing?", None]), b"Jefe")
    assert out.iloc[0] == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
    assert pd.isna(out.iloc[1])


def test_same_nip_same_pseudonym_other_key_other_pseudonym():
    s = pd.Series(NIPS + NIPS[:1])
    a, b = privacy.pseudonymise(s, b"k" * 16), privacy.pseudonymise(s, b"j" * 16)
    assert a.iloc[0] == a.iloc[2] != a.iloc[1]
    assert set(a).isdisjoint(set(b))


def test_pseudonyms_follow_the_key_from_call_to_call():
    values = pd.Series([*NIPS, None, NIPS[0]])
    for key in (b"k" * 16, b"j" * 16, b"k" * 16):
        out = privacy.pseudonymise(values, key)
        expected = [hmac.new(key, nip.encode(), hashlib.sha256).hexdigest() for nip in NIPS]
        assert out.iloc[[0, 1, 3]].tolist() == [*expected, expected[0]] and pd.isna(out.iloc[2])
        assert str(out.dtype) == "string"


def test_a_column_of_nulls_or_of_nothing_has_no_pseudonyms():
    for values in ([None, None], []):
        out = privacy.pseudonymise(pd.Series(values, dtype="string"), b"m" * 16)
        assert len(out) == len(values) and out.isna().all() and str(out.dtype) == "string"


def test_nips_are_normalised_before_hashing():
    s = pd.Series(["'19850101 201001 1 001", " 198501012010011001 ", "", None, NIPS[1], "'"], dtype="string")
    out = privacy.normalise_identifier(s)
    assert out.iloc[0] == out.iloc[1] == NIPS[0] and out.iloc[4] == NIPS[1]
    assert out.iloc[[2, 3, 5]].isna().all()


def test_mask_keeps_first_and_last_four():
    assert privacy.mask(NIPS[0]) == "1985**********1001"
    assert privacy.mask("12345678") == "********"
    assert privacy.mask(None) is None
    assert mask_digit_runs(f"nip {NIPS[0]} and id 12345") == "nip 1985**********1001 and id 12345"


def _staged_everything(engine) -> str:
    """Every value of every table of the warehouse, as one text."""
    parts = []
    with engine.connect() as conn:
        for table in sa.inspect(conn).get_table_names():
            df = pd.read_sql(sa.text(f"SELECT * FROM {table}"), conn)
            parts.append(df.astype(str).to_csv(index=False))
    return "\n".join(parts)


def test_nips_are_pseudonymised_before_staging_and_masked_in_the_quarantine(sqlite_engine, catalog):
    for case in ("nip_spaces_apostrophe", "nip_17_digits", "duplicated_nip", "xlsx_nip_as_number"):
        outcome = pipeline.ingest(sqlite_engine, catalog, CORPUS / case, PNS, MARCH, f"run-{case}")
        assert outcome.status == "staged"
    staged = warehouse.query(sqlite_engine, "SELECT * FROM stg_simpeg__pns_snapshot")
    assert "nip" not in staged.columns and staged["nip_pseudonym"].str.fullmatch(r"[0-9a-f]{64}").all()
    key = b"test-pseudonym-key"
    assert hmac.new(key, NIPS[0].encode(), hashlib.sha256).hexdigest() in set(staged["nip_pseudonym"])
    everything = _staged_everything(sqlite_engine)
    raw_nips = ["198501012010011001", "199002152015032002", "19900215201503200", "197712312005011003",
                "199002152015032000"]
    assert not [n for n in raw_nips if n in everything]
    q = warehouse.query(sqlite_engine, "SELECT value, reason FROM quarantine WHERE column_name LIKE '%nip%'")
    assert len(q) == 5 and q["value"].str.contains(r"\*{9,}").all()


@pytest.mark.parametrize(("value", "problem"), [(None, "is not set"), ("", "is not set"), ("   ", "is not set"),
                                                ("short-key", "is too short")])
def test_personnel_data_without_a_usable_key_fails_the_extract_before_its_file_is_read(
        sqlite_engine, catalog, monkeypatch, value, problem):
    if value is None:
        monkeypatch.delenv(privacy.KEY_ENV, raising=False)
    else:
        monkeypatch.setenv(privacy.KEY_ENV, value)
    outcome = pipeline.ingest(sqlite_engine, catalog, CORPUS / "nip_spaces_apostrophe", PNS, MARCH, "run-nokey")
    assert outcome.status == "failed"
    assert outcome.message.startswith("simpeg/2024-03/pns_snapshot.csv: refused: KINERJA_PSEUDONYM_KEY")
    assert problem in outcome.message
    assert outcome.sha256 is None and outcome.rows_read == 0  # the file was not even read
    assert warehouse.query(sqlite_engine, "SELECT COUNT(*) AS n FROM stg_simpeg__pns_snapshot")["n"].iloc[0] == 0
    # an extract without personal data is not affected
    skm = extracts.get("ekinerja/skm_responses")
    assert pipeline.ingest(sqlite_engine, catalog, CORPUS / "utf8_bom", skm, MARCH, "run-nokey").status == "staged"
    # and validation refuses too, for a file read while the key was there
    monkeypatch.setenv(privacy.KEY_ENV, "test-pseudonym-key")
    got = ingestion.extract(CORPUS / "nip_spaces_apostrophe", PNS, MARCH)
    monkeypatch.setenv(privacy.KEY_ENV, value or "")
    with pytest.raises(privacy.MissingKeyError):
        ingestion.validate_extract(got, PNS, catalog, MARCH)
    assert issubclass(privacy.MissingKeyError, ExtractFileError)  # the flow fails only this extract


# -- spreadsheet cells ---------------------------------------------------------------------------------------

@pytest.mark.parametrize(("value", "expected"), [
    ("=1+1", "'=1+1"), ('=HYPERLINK("http://x","y")', '\'=HYPERLINK("http://x","y")'), ("+62 21 382", "'+62 21 382"),
    ("-2+3", "'-2+3"), ("@SUM(A1:A2)", "'@SUM(A1:A2)"), ("\t=1", "'\t=1"), ("\r=1", "'\r=1"), ("＝1+1", "'＝1+1"),
    ("-", "'-"), ("=", "'="),
    ("-12", "-12"), ("-1.234,5", "-1.234,5"), ("+5", "+5"), ("1e5", "1e5"), ("Data = baik", "Data = baik"),
    ("", ""), ("Kepegawaian", "Kepegawaian"),
])
def test_neutralise_text_cells(value, expected):
    assert neutralise_cell(value) == expected


@pytest.mark.parametrize("value", [5, -5, -1.5, 0.0, Decimal("-2"), True, None, date(2024, 3, 1), pd.NA])
def test_numbers_and_other_values_are_untouched(value):
    assert neutralise_cell(value) is value


def test_a_neutralised_cell_is_text_in_a_real_workbook():
    values = ["=1+1", "@SUM(1,2)", "-2+3", "+1", "=HYPERLINK(\"http://x\")", -3, "-3"]
    wb = Workbook()
    wb.active.append([neutralise_cell(v) for v in values])
    buf = io.BytesIO()
    wb.save(buf)
    row = next(load_workbook(io.BytesIO(buf.getvalue())).active.iter_rows())
    assert [c.data_type for c in row] == ["s", "s", "s", "s", "s", "n", "s"]
    raw = Workbook()
    raw.active.append(values)  # without neutralising, the first is a formula
    assert raw.active["A1"].data_type == "f"


# -- passwords, paths and periods ---------------------------------------------------------------------------

def test_redact_hides_url_passwords():
    url = "postgresql+psycopg://kinerja:S3cr3t-pw@db.example:5432/wh"
    text = f"could not connect to {url}: password S3cr3t-pw rejected"
    out = redact(text, url)
    assert "S3cr3t-pw" not in out and "kinerja:***@db.example" in out


def test_redact_hides_the_secrets_of_the_environment_the_longest_first(monkeypatch):
    monkeypatch.setenv("KINERJA_WAREHOUSE_URL", "postgresql+psycopg://kinerja:Env-Pw-9@db.example/wh")
    monkeypatch.setenv("KINERJA_PSEUDONYM_KEY", "pseudonym-key-0123456789")
    monkeypatch.setenv("PGPASSWORD", "pseudonym-key")  # a secret inside another
    text = "driver said Env-Pw-9; key pseudonym-key-0123456789; libpq pseudonym-key"
    assert redact(text) == "driver said ***; key ***; libpq ***"
    assert privacy.KEY_ENV in safety.SECRET_ENV


def test_redact_leaves_short_secrets_and_urls_without_a_password_alone(monkeypatch):
    monkeypatch.setenv("PGPASSWORD", "abc")  # too short to search for: it would garble the message
    monkeypatch.delenv("KINERJA_WAREHOUSE_URL", raising=False)
    assert redact("abc table in sqlite:///data/wh.db", "sqlite:///data/wh.db", None) == \
        "abc table in sqlite:///data/wh.db"
    # a URL SQLAlchemy cannot read still gives its password
    assert redact("the hook said Tok-3n-x", "not a url://user:Tok-3n-x@host") == "the hook said ***"


def test_quality_cli_with_an_unreachable_postgres_never_shows_the_password(capsys):
    url = "postgresql+psycopg://kinerja:Pw-7c1d9e@127.0.0.1:1/warehouse?connect_timeout=2"
    code = main(["quality", "--period", "2024-03", "--warehouse", url])
    out = capsys.readouterr()
    assert code == 1
    assert "Pw-7c1d9e" not in out.err + out.out
    assert "cannot read the warehouse postgresql+psycopg://kinerja:***@127.0.0.1:1/warehouse" in out.err


@pytest.mark.parametrize("argv", [
    ["run", "--period", "2024-03", "--landing", "/no/such/landing/dir"],
    ["backfill", "--from", "2024-01", "--to", "2024-02", "--landing", "/no/such/landing/dir"],
    ["run", "--period", "2024-03", "--landing", "data\nx"],
    ["run", "--period", "2024-03", "--landing", ""],
    ["run", "--period", "2024-03/../../etc"],
    ["quality", "--period", "../2024-03"],
])
def test_bad_paths_and_periods_exit_2_before_any_file_is_opened(argv, capsys):
    assert main(argv) == 2
    assert capsys.readouterr().err


def test_a_landing_path_that_is_a_file_exits_2(tmp_path, capsys):
    f = tmp_path / "landing.txt"
    f.write_text("")
    assert main(["run", "--period", "2024-03", "--landing", str(f)]) == 2
    assert "is not a directory" in capsys.readouterr().err
    assert main(["demo", "--landing", str(f)]) == 2


def test_the_corpus_is_not_changed_by_reading_it(tmp_path, catalog):
    """Reading is read-only: the landing files keep their bytes (checksums are lineage)."""
    src = CORPUS / "nip_spaces_apostrophe"
    copy = tmp_path / "landing"
    shutil.copytree(src, copy)
    before = {p: p.read_bytes() for p in copy.rglob("*") if p.is_file()}
    ingestion.validate_extract(ingestion.extract(copy, PNS, MARCH), PNS, catalog, MARCH)
    assert before == {p: p.read_bytes() for p in copy.rglob("*") if p.is_file()}
