"""``kind = "sql"``: a month's query on the source system's own database, streamed into the landing zone.

MariaDB (127.0.0.1:3306, root): each test creates its own database with a SIMPEG-like ``pns`` table and an
e-Kinerja-like ``skm_response`` table, and a user with a password the test knows, then drops them.
PostgreSQL (the ``test`` database): a CRM-like ``pengaduan`` table in a schema of its own. Each test
fetches March 2024 and runs it, and checks the values equal those of the same rows delivered as files,
and hand-computed values. Skipped when a server is unreachable, except under ``CI=true``.
"""

from __future__ import annotations

import dataclasses
import json
import uuid

import pytest
import sqlalchemy as sa
from conftest import PG_URL
from fetch_servers import MARIADB_URL, reachable_or_skip, run_and_read, write_sources

from kinerja import fetch
from kinerja.catalog import load_catalog
from kinerja.periods import Month

MARCH = Month(2024, 3)
CATALOG = load_catalog(MARCH.year)
PASSWORD = "Maria-db-Pa55word-known-to-the-test"

# SIMPEG: PNS at the month-ends of February and March. March, active: A S2/Sangat Baik/tidak ada = 20+30+5 = 55,
# B S1/Baik/ringan = 15+25+3 = 43, C SLTA/Butuh Perbaikan/tidak ada = 5+15+5 = 25; D is on leave (inactive).
# IP ASN (three dimensions) for March = (55 + 43 + 25) / 3 = 41.
PNS = [  # nip_baru, kode_unit, pendidikan, predikat_skp, hukuman_disiplin, status_aktif, tanggal_snapshot
    ("198001012005011001", "BKD", "S2", "Sangat Baik", "tidak ada", 1, "2024-03-31"),
    ("198502022010012002", "DISDIK", "S1", "Baik", "ringan", 1, "2024-03-31"),
    ("199003032015031003", "DINKES", "SLTA", "Butuh Perbaikan", "tidak ada", 1, "2024-03-31"),
    ("197504042000041004", "BKD", "S3", "Sangat Baik", "tidak ada", 0, "2024-03-31"),
    ("198001012005011001", "BKD", "S1", "Baik", "tidak ada", 1, "2024-02-29"),  # February: not fetched for March
]
PNS_CSV = ("snapshot_month,nip,unit_code,education,skp_predicate,discipline_penalty,active\n"
           "2024-03,198001012005011001,BKD,S2,Sangat Baik,tidak ada,true\n"
           "2024-03,198502022010012002,DISDIK,S1,Baik,ringan,true\n"
           "2024-03,199003032015031003,DINKES,SLTA,Butuh Perbaikan,tidak ada,true\n"
           "2024-03,197504042000041004,BKD,S3,Sangat Baik,tidak ada,false\n")
# e-Kinerja SKM, BKD in March: R1 answers 4 everywhere, R2 3 everywhere but U9 blank. NRR U1-U8 = 3.5,
# U9 = 4; IKM = 25 x (8 x 3.5 + 4) / 9 = 800/9 = 88.888...; R3 is from April (not fetched).
SKM = [
    ("R1", "BKD", "2024-03-04", *[4] * 9),
    ("R2", "BKD", "2024-03-20", *[3] * 8, None),
    ("R3", "BKD", "2024-04-02", *[1] * 9),
]
SKM_CSV = ("response_id,unit_code,submitted_on,u1,u2,u3,u4,u5,u6,u7,u8,u9\n"
           "R1,BKD,2024-03-04,4,4,4,4,4,4,4,4,4\n"
           "R2,BKD,2024-03-20,3,3,3,3,3,3,3,3,\n")


@pytest.fixture
def mariadb():
    """A database of its own with the two source tables and a user with a known password; dropped afterwards."""
    reachable_or_skip(MARIADB_URL, "MariaDB")
    name = f"kinerja_fetch_{uuid.uuid4().hex[:10]}"
    user = f"kf_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(MARIADB_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4"))
        conn.execute(sa.text(f"""CREATE TABLE `{name}`.pns (
            id INT AUTO_INCREMENT PRIMARY KEY, nip_baru CHAR(18) NOT NULL, kode_unit VARCHAR(20),
            pendidikan VARCHAR(10), predikat_skp VARCHAR(30), hukuman_disiplin VARCHAR(20),
            status_aktif TINYINT(1) NOT NULL, tanggal_snapshot DATE NOT NULL)"""))
        conn.execute(sa.text(f"""CREATE TABLE `{name}`.skm_response (
            id VARCHAR(20) PRIMARY KEY, kode_unit VARCHAR(20), tanggal DATE,
            {", ".join(f"u{i} TINYINT NULL" for i in range(1, 10))})"""))
        conn.execute(sa.text(f"INSERT INTO `{name}`.pns (nip_baru, kode_unit, pendidikan, predikat_skp, "
                             "hukuman_disiplin, status_aktif, tanggal_snapshot) VALUES (:a, :b, :c, :d, :e, :f, :g)"),
                     [dict(zip("abcdefg", row, strict=True)) for row in PNS])
        conn.execute(sa.text(f"INSERT INTO `{name}`.skm_response VALUES (:id, :unit, :day, "
                             + ", ".join(f":u{i}" for i in range(1, 10)) + ")"),
                     [dict(zip(["id", "unit", "day", *[f"u{i}" for i in range(1, 10)]], row, strict=True))
                      for row in SKM])
        conn.execute(sa.text(f"CREATE USER '{user}'@'127.0.0.1' IDENTIFIED BY '{PASSWORD}'"))
        conn.execute(sa.text(f"GRANT SELECT ON `{name}`.* TO '{user}'@'127.0.0.1'"))
    yield {"database": name, "user": user}
    with admin.connect() as conn:
        conn.execute(sa.text(f"DROP USER IF EXISTS '{user}'@'127.0.0.1'"))
        conn.execute(sa.text(f"DROP DATABASE IF EXISTS `{name}`"))
    admin.dispose()


def mariadb_sources(tmp_path, db: dict, chunk_rows: int = 2) -> fetch.Sources:
    url = sa.make_url(MARIADB_URL).set(username=db["user"], password=None, database=db["database"])
    return fetch.load_sources(write_sources(tmp_path / "sources.toml", f"""
[sources.simpeg]
kind = "sql"
url = "{url.render_as_string(hide_password=False)}"
password = {{ env = "KINERJA_TEST_SIMPEG_PASSWORD" }}
chunk_rows = {chunk_rows}
retry_delays = [0]

[sources.simpeg.extracts.pns_snapshot]
query = '''
SELECT :period AS snapshot_month, nip_baru AS nip, kode_unit AS unit_code, pendidikan AS education,
       predikat_skp AS skp_predicate, hukuman_disiplin AS discipline_penalty, status_aktif AS active
FROM pns WHERE tanggal_snapshot = :end ORDER BY id'''

[sources.ekinerja]
kind = "sql"
url = "{url.render_as_string(hide_password=False)}"
password = {{ env = "KINERJA_TEST_SIMPEG_PASSWORD" }}

[sources.ekinerja.extracts.skm_responses]
query = '''
SELECT id AS response_id, kode_unit AS unit_code, tanggal AS submitted_on, u1, u2, u3, u4, u5, u6, u7, u8, u9
FROM skm_response WHERE tanggal >= :start AND tanggal < :next_start ORDER BY id'''
"""))


def test_a_month_fetched_from_mariadb_runs_to_the_values_of_the_same_rows_delivered_as_files(
        tmp_path, mariadb, monkeypatch, caplog):
    monkeypatch.setenv("KINERJA_TEST_SIMPEG_PASSWORD", PASSWORD)
    fetched, by_hand = tmp_path / "fetched", tmp_path / "by-hand"
    for source, extract, text in (("simpeg", "pns_snapshot", PNS_CSV), ("ekinerja", "skm_responses", SKM_CSV)):
        (by_hand / source / "2024-03").mkdir(parents=True, exist_ok=True)
        (by_hand / source / "2024-03" / f"{extract}.csv").write_text(text)

    results = fetch.fetch_month(mariadb_sources(tmp_path, mariadb), fetched, MARCH, CATALOG)
    assert [(r.extract_id, r.status, r.rows) for r in results] == [
        ("simpeg/pns_snapshot", "new", 4), ("ekinerja/skm_responses", "new", 2)]
    landed = (fetched / "simpeg" / "2024-03" / "pns_snapshot.csv").read_text()
    assert landed.splitlines()[:2] == [PNS_CSV.splitlines()[0], "2024-03,198001012005011001,BKD,S2,Sangat Baik,"
                                                                 "tidak ada,1"]
    manifest = json.loads((fetched / "simpeg" / "2024-03" / "pns_snapshot.manifest.json").read_text())
    assert manifest["source_kind"] == "sql" and manifest["rows"] == 4
    assert manifest["url"] == f"mysql+pymysql://{mariadb['user']}@127.0.0.1:3306/{mariadb['database']}"
    assert manifest["parameters"] == {"period": "2024-03", "end": "2024-03-31"}
    assert "FROM pns WHERE tanggal_snapshot = :end" in manifest["query"]
    assert PASSWORD not in json.dumps(manifest) and PASSWORD not in caplog.text

    got = run_and_read(fetched, tmp_path / "fetched.db", MARCH, [2, 3])
    want = run_and_read(by_hand, tmp_path / "by-hand.db", MARCH, [2, 3])
    assert got.equals(want)
    march = got[(got["period"] == "2024-03") & (got["unit_code"] == "ALL")].set_index("indicator_no")["value"]
    assert march[2] == pytest.approx(41.0)
    assert march[3] == pytest.approx(800 / 9)


def test_a_second_fetch_of_unchanged_rows_leaves_the_files_alone(tmp_path, mariadb, monkeypatch):
    monkeypatch.setenv("KINERJA_TEST_SIMPEG_PASSWORD", PASSWORD)
    sources = mariadb_sources(tmp_path, mariadb, chunk_rows=1000)
    first = fetch.fetch_month(sources, tmp_path / "landing", MARCH, CATALOG, only="simpeg/pns_snapshot")
    again = fetch.fetch_month(sources, tmp_path / "landing", MARCH, CATALOG, only="simpeg/pns_snapshot")
    assert [r.status for r in first + again] == ["new", "unchanged"]
    assert first[0].sha256 == again[0].sha256


def test_the_cutoff_is_the_catalogs_collection_deadline(tmp_path, mariadb, monkeypatch):
    """``:cutoff`` comes from the catalog: with the collection deadline on the 10th, a response of 8 April
    is in March's fetch; with the 2024 catalog's 5th it is not."""
    monkeypatch.setenv("KINERJA_TEST_SIMPEG_PASSWORD", PASSWORD)
    admin = sa.create_engine(MARIADB_URL)
    with admin.begin() as conn:
        conn.execute(sa.text(f"INSERT INTO `{mariadb['database']}`.skm_response (id, kode_unit, tanggal) "
                             "VALUES ('R4', 'BKD', '2024-04-08')"))
    admin.dispose()
    url = sa.make_url(MARIADB_URL).set(username=mariadb["user"], password=None, database=mariadb["database"])
    sources = fetch.load_sources(write_sources(tmp_path / "sources.toml", f"""
[sources.ekinerja]
kind = "sql"
url = "{url.render_as_string(hide_password=False)}"
password = {{ env = "KINERJA_TEST_SIMPEG_PASSWORD" }}

[sources.ekinerja.extracts.skm_responses]
query = "SELECT id AS response_id FROM skm_response WHERE tanggal >= :start AND tanggal <= :cutoff ORDER BY id"
"""))
    assert CATALOG.collection_deadline_day == 5
    landed = {}
    for day, catalog in ((5, CATALOG), (10, dataclasses.replace(CATALOG, collection_deadline_day=10))):
        [result] = fetch.fetch_month(sources, tmp_path / f"day-{day}", MARCH, catalog)
        assert result.status == "new"
        folder = tmp_path / f"day-{day}" / "ekinerja" / "2024-03"
        manifest = json.loads((folder / "skm_responses.manifest.json").read_text())
        landed[day] = manifest["parameters"]["cutoff"], (folder / "skm_responses.csv").read_text().split()
    assert landed[5] == ("2024-04-05 23:59:59", ["response_id", "R1", "R2", "R3"])
    assert landed[10] == ("2024-04-10 23:59:59", ["response_id", "R1", "R2", "R3", "R4"])


def test_a_refused_login_fails_only_that_sources_extracts_and_never_shows_the_password(
        tmp_path, mariadb, monkeypatch, caplog):
    monkeypatch.setenv("KINERJA_TEST_SIMPEG_PASSWORD", "not-" + PASSWORD)
    [pns, skm] = fetch.fetch_month(mariadb_sources(tmp_path, mariadb), tmp_path / "landing", MARCH, CATALOG,
                                   sleep=lambda s: None)
    for result, source in ((pns, "simpeg"), (skm, "ekinerja")):
        assert result.status == "failed"
        assert result.message.startswith(f"source system {source} (sql): OperationalError: ")
        assert "(1045, \"Access denied for user" in result.message
        assert PASSWORD not in result.message
    assert "attempt" not in caplog.text  # a refused login is not retried


def test_an_unreachable_database_is_retried_then_fails_naming_the_source_system(tmp_path):
    path = write_sources(tmp_path / "sources.toml", """
[sources.simpeg]
kind = "sql"
url = "mysql+pymysql://kinerja_ro@127.0.0.1:9/simpeg"
attempts = 3
retry_delays = [2, 10]

[sources.simpeg.extracts.pns_snapshot]
query = "SELECT 1"
""")
    slept = []
    [result] = fetch.fetch_month(fetch.load_sources(path), tmp_path / "landing", MARCH, CATALOG, sleep=slept.append)
    assert slept == [2, 10]
    assert result.status == "failed"
    assert result.message.startswith("source system simpeg (sql): unreachable after 3 attempt(s): OperationalError")
    assert not list((tmp_path / "landing" / "simpeg" / "2024-03").iterdir())  # no temporary file left


# -- PostgreSQL: a CRM's complaints, with time zones ------------------------------------------------------

# T1 and T2 were received in March and resolved by the cutoff; T4 was received in March and is still open.
# T3 was received at 17:30 UTC on 31 March, 00:30 WIB on 1 April: an April complaint, although the source's
# query (in UTC) returns it with March. T5 is from February. Penyelesaian pengaduan, March = 2 / 3 x 100.
COMPLAINTS = [
    ("T1", "2024-03-01 09:00:00+07", "layanan", "2024-03-02 10:00:00+07"),
    ("T2", "2024-03-15 13:00:00+07", "kepegawaian", "2024-03-30 08:00:00+07"),
    ("T3", "2024-03-31 17:30:00+00", "layanan", None),
    ("T4", "2024-03-20 08:00:00+07", "lainnya", None),
    ("T5", "2024-02-27 08:00:00+07", "layanan", None),
]
COMPLAINTS_CSV = ("ticket_id,received_at,category,resolved_at\n"
                  "T1,2024-03-01 09:00:00,layanan,2024-03-02 10:00:00\n"
                  "T2,2024-03-15 13:00:00,kepegawaian,2024-03-30 08:00:00\n"
                  "T3,2024-04-01 00:30:00,layanan,\n"
                  "T4,2024-03-20 08:00:00,lainnya,\n")


@pytest.fixture
def pg_source():
    reachable_or_skip(PG_URL, "PostgreSQL")
    schema = f"kinerja_fetch_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
        conn.execute(sa.text(f'CREATE TABLE "{schema}".tiket (id TEXT PRIMARY KEY, diterima TIMESTAMPTZ NOT NULL, '
                             'kategori TEXT, selesai TIMESTAMPTZ)'))
        conn.execute(sa.text(f'INSERT INTO "{schema}".tiket VALUES (:a, :b, :c, :d)'),
                     [dict(zip("abcd", row, strict=True)) for row in COMPLAINTS])
    yield schema
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


def test_a_month_fetched_from_postgresql_runs_to_the_values_of_the_same_rows_delivered_as_files(tmp_path, pg_source):
    path = write_sources(tmp_path / "sources.toml", f"""
[sources.crm]
kind = "sql"
url = "{PG_URL}"
chunk_rows = 2

[sources.crm.extracts.pengaduan]
query = '''
SELECT id AS ticket_id, diterima AS received_at, kategori AS category, selesai AS resolved_at
FROM "{pg_source}".tiket
-- a day either side, whatever the session's time zone: each record's own time places it in a window
WHERE diterima >= CAST(:start AS date) - 1 AND diterima < CAST(:next_start AS date) + 1 ORDER BY id'''
""")
    fetched, by_hand = tmp_path / "fetched", tmp_path / "by-hand"
    (by_hand / "crm" / "2024-03").mkdir(parents=True)
    (by_hand / "crm" / "2024-03" / "pengaduan.csv").write_text(COMPLAINTS_CSV)
    [result] = fetch.fetch_month(fetch.load_sources(path), fetched, MARCH, CATALOG)
    assert (result.status, result.rows) == ("new", 4)

    got = run_and_read(fetched, tmp_path / "fetched.db", MARCH, [13])
    want = run_and_read(by_hand, tmp_path / "by-hand.db", MARCH, [13])
    assert got.equals(want)
    march = got[(got["period"] == "2024-03") & (got["unit_code"] == "ALL")]
    assert march["value"].tolist() == [pytest.approx(200 / 3)]
