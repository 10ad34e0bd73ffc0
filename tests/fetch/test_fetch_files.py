"""``kind = "files"``: the newest matching export on a share, landed as the run reads it.

The landing rules (atomic, manifest, identical left alone, changed archived) on a local directory;
then a month fetched from an SFTP share this test starts (asyncssh, password auth, host key checked)
and run: the same indicator values as the same file delivered into the landing directory by hand.
"""

from __future__ import annotations

import json
import os
import time

import pytest
from fetch_servers import SftpShare, run_and_read, write_sources

from kinerja import fetch
from kinerja.catalog import load_catalog
from kinerja.fetch import landing as landing_zone
from kinerja.periods import Month

MARCH = Month(2024, 3)
CATALOG = load_catalog(MARCH.year)
# SIPD SPJ of March 2024 as the export has it. In scope: 5.1.02.01.01 (PDN) 1.500.000 and 5.2.02.05 (not)
# 4.500.000; 5.1.01 is out of scope. PDN share = 1.500.000 / 6.000.000 = 25 %.
SPJ = ("transaction_id,account_code,amount,spj_date,pdn_flag\n"
       "SPJ-1,5.1.02.01.01,1500000,2024-03-04,ya\n"
       "SPJ-2,5.2.02.05,4500000,2024-03-11,tidak\n"
       "SPJ-3,5.1.01,700000,2024-03-12,ya\n")
PASSWORD = "sftp-Pa55word-known-to-the-test"


def sources_for_dir(tmp_path, share_url: str) -> fetch.Sources:
    path = write_sources(tmp_path / "sources.toml", f"""
[sources.sipd]
kind = "files"
url = "{share_url}"
retry_delays = [0]

[sources.sipd.extracts.belanja_realisasi]
pattern = "spj_{{yyyymm}}_*.csv"
""")
    return fetch.load_sources(path)


def test_newest_matching_file_lands_with_its_manifest_then_identical_is_left_alone_and_changed_is_archived(tmp_path):
    share, landing = tmp_path / "share", tmp_path / "landing"
    share.mkdir()
    (share / "spj_202403_old.csv").write_text("transaction_id\nold\n")
    (share / "spj_202402_x.csv").write_text("transaction_id\nfebruary\n")  # another month: never chosen
    (share / "spj_202403_final.csv").write_text(SPJ)
    os.utime(share / "spj_202403_old.csv", (time.time() - 3600, time.time() - 3600))
    sources = sources_for_dir(tmp_path, share.as_uri())

    [first] = fetch.fetch_month(sources, landing, MARCH, CATALOG)
    landed = landing / "sipd" / "2024-03" / "belanja_realisasi.csv"
    assert (first.status, first.file, first.rows) == ("new", "sipd/2024-03/belanja_realisasi.csv", 3)
    assert landed.read_text() == SPJ
    manifest = json.loads((landing / "sipd" / "2024-03" / "belanja_realisasi.manifest.json").read_text())
    assert manifest["source_kind"] == "files" and manifest["rows"] == 3 and manifest["sha256"] == first.sha256
    assert manifest["url"] == share.as_uri() + "/spj_202403_final.csv" and manifest["fetched_at"]
    assert sorted(p.name for p in landed.parent.iterdir()) == ["belanja_realisasi.csv",
                                                                "belanja_realisasi.manifest.json"]  # no temp file

    mtime = landed.stat().st_mtime_ns
    [again] = fetch.fetch_month(sources, landing, MARCH, CATALOG)
    assert (again.status, again.sha256, again.archived) == ("unchanged", first.sha256, ())
    assert landed.stat().st_mtime_ns == mtime
    assert json.loads((landed.parent / "belanja_realisasi.manifest.json").read_text()) == manifest

    corrected = SPJ.replace("SPJ-3,5.1.01,700000", "SPJ-3,5.1.01,750000")
    (share / "spj_202403_koreksi.csv").write_text(corrected)
    [third] = fetch.fetch_month(sources, landing, MARCH, CATALOG)
    assert third.status == "replaced" and landed.read_text() == corrected
    stamp = manifest["fetched_at"]
    assert len(third.archived) == 1 and third.archived[0].startswith("sipd/2024-03/archive/belanja_realisasi.")
    old = landing / third.archived[0]
    assert old.read_text() == SPJ
    assert json.loads(landing_zone.manifest_path(old).read_text())["fetched_at"] == stamp


def test_a_file_put_there_by_hand_is_archived_before_a_fetched_one_replaces_it(tmp_path):
    share, landing = tmp_path / "share", tmp_path / "landing"
    share.mkdir()
    (share / "spj_202403_a.csv").write_text(SPJ)
    by_hand = landing / "sipd" / "2024-03" / "belanja_realisasi.xlsx"
    by_hand.parent.mkdir(parents=True)
    by_hand.write_bytes(b"an operator's workbook")
    [result] = fetch.fetch_month(sources_for_dir(tmp_path, str(share)), landing, MARCH, CATALOG)
    assert result.status == "replaced"
    assert sorted(p.name for p in by_hand.parent.glob("belanja_realisasi.*")) == [
        "belanja_realisasi.csv", "belanja_realisasi.manifest.json"]  # the run finds one file, not two
    [archived] = result.archived
    assert archived.endswith(".xlsx") and (landing / archived).read_bytes() == b"an operator's workbook"


def test_no_matching_export_fails_the_extract_and_names_the_source_system(tmp_path):
    share = tmp_path / "share"
    share.mkdir()
    [result] = fetch.fetch_month(sources_for_dir(tmp_path, str(share)), tmp_path / "landing", MARCH, CATALOG)
    assert result.status == "failed"
    assert result.message == "source system sipd (files): no file matches 'spj_202403_*.csv'"
    assert not (tmp_path / "landing" / "sipd" / "2024-03" / "belanja_realisasi.csv").exists()


@pytest.fixture
def sftp(tmp_path):
    root = tmp_path / "sftp-root"
    (root / "exports" / "sipd").mkdir(parents=True)
    server = SftpShare(root, "kinerja", PASSWORD, tmp_path / "known_hosts")
    yield server
    server.close()


def test_a_month_fetched_from_an_sftp_share_runs_to_the_values_of_the_same_file_delivered_by_hand(
        tmp_path, sftp, monkeypatch, caplog):
    (sftp.root / "exports" / "sipd" / "spj_202403_final.csv").write_text(SPJ)
    monkeypatch.setenv("KINERJA_TEST_SFTP_PASSWORD", PASSWORD)
    path = write_sources(tmp_path / "sources.toml", f"""
[sources.sipd]
kind = "files"
url = "sftp://kinerja@127.0.0.1:{sftp.port}/exports/sipd"
password = {{ env = "KINERJA_TEST_SFTP_PASSWORD" }}
options = {{ known_hosts = "{tmp_path / 'known_hosts'}" }}
retry_delays = [0]

[sources.sipd.extracts.belanja_realisasi]
pattern = "spj_{{yyyymm}}_*.csv"
""")
    fetched, by_hand = tmp_path / "fetched", tmp_path / "by-hand"
    (by_hand / "sipd" / "2024-03").mkdir(parents=True)
    (by_hand / "sipd" / "2024-03" / "belanja_realisasi.csv").write_text(SPJ)

    [result] = fetch.fetch_month(fetch.load_sources(path), fetched, MARCH, CATALOG)
    assert (result.status, result.rows) == ("new", 3)
    manifest = (fetched / "sipd" / "2024-03" / "belanja_realisasi.manifest.json").read_text()
    assert f"sftp://kinerja@127.0.0.1:{sftp.port}/exports/sipd/spj_202403_final.csv" in manifest
    assert PASSWORD not in manifest and PASSWORD not in caplog.text

    got = run_and_read(fetched, tmp_path / "fetched.db", MARCH, [7])
    want = run_and_read(by_hand, tmp_path / "by-hand.db", MARCH, [7])
    assert got.equals(want)
    march = got[(got["period"] == "2024-03") & (got["unit_code"] == "ALL")]
    assert march["value"].tolist() == [25.0]  # 1.500.000 / (1.500.000 + 4.500.000)


def test_an_sftp_share_refusing_the_password_fails_the_extract_without_showing_it(tmp_path, sftp, monkeypatch):
    monkeypatch.setenv("KINERJA_TEST_SFTP_PASSWORD", "wrong-" + PASSWORD)
    path = write_sources(tmp_path / "sources.toml", f"""
[sources.sipd]
kind = "files"
url = "sftp://kinerja@127.0.0.1:{sftp.port}/exports/sipd"
password = {{ env = "KINERJA_TEST_SFTP_PASSWORD" }}
options = {{ known_hosts = "{tmp_path / 'known_hosts'}" }}
retry_delays = [0]

[sources.sipd.extracts.belanja_realisasi]
pattern = "spj_{{yyyymm}}_*.csv"
""")
    [result] = fetch.fetch_month(fetch.load_sources(path), tmp_path / "landing", MARCH, CATALOG)
    assert result.status == "failed" and result.message.startswith("source system sipd (files): ")
    assert PASSWORD not in result.message
