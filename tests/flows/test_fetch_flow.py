"""The fetch step as operations run it: ``kinerja fetch`` and the monthly flow with ``fetch=true``.

The monthly run fetches first; an API that cannot be reached after its retries fails only its extract,
with a message naming the source system, although an older file of that extract is in the landing
directory; a file share's extract lands and is staged. The API echoes its token in its error pages: the
token must not reach the run's state, its logs, its artifacts, the alert or the warehouse.
"""

from __future__ import annotations

import json
import time

import pytest
from fetch_servers import JsonApi, write_sources
from test_alerts import Receiver

from flows import alerts
from flows import fetch as fetch_flow
from flows.monthly import monthly
from kinerja import cli, warehouse
from kinerja.indicators import base

TOKEN = "ekinerja-Flow-T0ken-known-to-the-test"
SPJ = ("transaction_id,account_code,amount,spj_date,pdn_flag\n"
       "SPJ-1,5.1.02.01.01,1500000,2024-03-04,ya\n"
       "SPJ-2,5.2.02.05,4500000,2024-03-11,tidak\n")
OLD_DIRECTIVES = "directive_id,channel,issued_at,completed_at\nD9,rapim,2024-03-01 09:00:00,2024-03-02 09:00:00\n"


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()


@pytest.fixture
def setting(tmp_path, monkeypatch):
    """A share with March's SPJ export, an API that fails echoing its token, a sources file naming both."""
    share, landing = tmp_path / "share", tmp_path / "landing"
    share.mkdir()
    (share / "spj_202403_final.csv").write_text(SPJ)
    older = landing / "ekinerja" / "2024-03" / "arahan_gubernur.csv"  # fetched earlier; must not be read now
    older.parent.mkdir(parents=True)
    older.write_text(OLD_DIRECTIVES)
    api = JsonApi(lambda path, query, headers: (502, {}, f"bad gateway for {headers.get('Authorization')}".encode()))
    sources = write_sources(tmp_path / "sources.toml", f"""
[sources.sipd]
kind = "files"
url = "{share}"

[sources.sipd.extracts.belanja_realisasi]
pattern = "spj_{{yyyymm}}_*.csv"

[sources.ekinerja]
kind = "http"
base_url = "{api.url}"
token = {{ env = "KINERJA_TEST_EKINERJA_TOKEN" }}
attempts = 2
retry_delays = [0]

[sources.ekinerja.extracts.arahan_gubernur]
path = "/arahan"
""")
    monkeypatch.setenv("KINERJA_TEST_EKINERJA_TOKEN", TOKEN)
    monkeypatch.setenv("KINERJA_SOURCES", str(sources))
    yield {"landing": landing, "sources": sources, "api": api, "older": older}
    api.close()


@pytest.mark.flow
def test_the_monthly_flow_fetches_first_and_an_unreachable_source_fails_only_its_extract(
        prefect_harness, setting, sqlite_url, receiver, monkeypatch):
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId, LogFilter, LogFilterFlowRunId
    from prefect.logging.handlers import APILogHandler

    monkeypatch.setenv(alerts.ALERT_URL_ENV, receiver.url)
    state = monthly(period="2024-03", landing_dir=str(setting["landing"]), warehouse_url=sqlite_url, fetch=True,
                    return_state=True)
    assert state.is_failed()
    reason = ("fetch failed: source system ekinerja (http): unreachable after 2 attempt(s): HTTP 502 Bad Gateway: "
              "bad gateway for Bearer ***")
    assert f"extract ekinerja/arahan_gubernur: {reason}" in state.message
    assert len(setting["api"].requests) == 2
    assert setting["older"].read_text() == OLD_DIRECTIVES  # left in place, but not read

    engine = warehouse.create_engine(sqlite_url)
    res = warehouse.query(engine, "SELECT indicator_no, period, status, value FROM indicator_result "
                                  "WHERE unit_code = 'ALL' AND period = '2024-03'").set_index("indicator_no")
    dump = json.dumps([warehouse.query(engine, f"SELECT * FROM {t}").astype(str).to_numpy().tolist()
                       for t in ("pipeline_run", "quarantine")])
    engine.dispose()
    assert res.loc[12, "status"] == base.TIDAK_ADA_DATA  # its fetch failed: the older file was not read
    assert res.loc[7, "value"] == 25.0  # the share's export, fetched and staged: 1.500.000 / 6.000.000
    assert "source system ekinerja (http)" in dump and TOKEN not in dump

    [alert] = receiver.bodies
    failed = {e["extract"]: e["message"] for e in alert["failed_extracts"]}
    assert failed["ekinerja/arahan_gubernur"] == reason
    assert "source systems not fetched: ekinerja (http)" in alert["text"] and TOKEN not in json.dumps(alert)

    APILogHandler().flush()  # logs reach the API in batches
    run_id = state.state_details.flow_run_id
    with get_client(sync_client=True) as client:
        artifacts = client.read_artifacts(artifact_filter=ArtifactFilter(
            flow_run_id=ArtifactFilterFlowRunId(any_=[run_id])))
        for _ in range(20):
            logs = client.read_logs(LogFilter(flow_run_id=LogFilterFlowRunId(any_=[run_id])))
            if any("attempt 1 of 2" in log.message for log in logs):
                break
            time.sleep(0.5)
        task_runs = client.read_task_runs()
    fetched = next(a for a in artifacts if a.key == "kinerja-fetch-2024-03")
    assert "| sipd/belanja_realisasi | files | new | 2 | sipd/2024-03/belanja_realisasi.csv |" in fetched.data
    assert "| ekinerja/arahan_gubernur | http | failed |" in fetched.data
    assert all(TOKEN not in str(a.data) for a in artifacts)
    text = "\n".join(log.message for log in logs)
    assert "attempt 1 of 2 failed (HTTP 502 Bad Gateway: bad gateway for Bearer ***)" in text
    assert TOKEN not in text
    names = {t.name for t in task_runs}
    assert {"fetch-sipd-belanja_realisasi-2024-03", "fetch-ekinerja-arahan_gubernur-2024-03"} <= names


@pytest.mark.flow
def test_kinerja_fetch_lands_one_extract_and_exits_0(prefect_harness, setting, capsys):
    code = cli.main(["fetch", "--period", "2024-03", "--extract", "sipd/belanja_realisasi",
                     "--landing", str(setting["landing"])])
    assert code == cli.EXIT_OK
    assert capsys.readouterr().out.strip() == ("kinerja fetch: sipd/belanja_realisasi: new, 2 rows, "
                                               "sipd/2024-03/belanja_realisasi.csv")
    assert (setting["landing"] / "sipd" / "2024-03" / "belanja_realisasi.csv").read_text() == SPJ
    assert setting["api"].requests == []


@pytest.mark.flow
def test_kinerja_fetch_exits_1_when_a_source_cannot_be_reached(prefect_harness, setting, capsys):
    assert cli.main(["fetch", "--period", "2024-03", "--landing", str(setting["landing"])]) == cli.EXIT_FAILED
    err = capsys.readouterr().err
    assert "extract ekinerja/arahan_gubernur: fetch failed: source system ekinerja (http)" in err
    assert TOKEN not in err


@pytest.mark.parametrize("argv, says", [
    (["fetch", "--period", "2024-13"], "period month must be 01-12"),
    (["fetch", "--period", "2031-03"], "no catalog for PK year 2031"),  # its deadline and time zone set :cutoff
    (["fetch", "--period", "2024-03", "--extract", "simpeg/pns_snapshot"], "--extract simpeg/pns_snapshot: not in"),
    (["fetch", "--period", "2024-03", "--sources", "/nonexistent/sources.toml"], "does not exist (KINERJA_SOURCES)"),
])
def test_kinerja_fetch_bad_usage_exits_2_before_anything_runs(setting, argv, says, capsys):
    assert cli.main([*argv, "--landing", str(setting["landing"])]) == cli.EXIT_USAGE
    assert says in capsys.readouterr().err


def test_without_a_sources_file_nothing_is_fetched_and_kinerja_fetch_says_so(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("KINERJA_SOURCES", raising=False)
    assert fetch_flow.configured(True) is None  # the monthly run reads the landing directory as it is
    assert fetch_flow.configured(False, str(tmp_path / "anything.toml")) is None
    assert cli.main(["fetch", "--period", "2024-03", "--landing", str(tmp_path)]) == cli.EXIT_USAGE
    assert "nothing to fetch: no sources file (--sources FILE, or KINERJA_SOURCES)" in capsys.readouterr().err


def test_a_broken_sources_file_is_bad_usage_of_the_monthly_run(tmp_path, monkeypatch):
    from kinerja.usage import UsageError

    monkeypatch.setenv("KINERJA_SOURCES", str(write_sources(tmp_path / "s.toml", "[sources.simpeg]\nkind = 'ftp'\n")))
    with pytest.raises(UsageError, match=r"s.toml: \[sources.simpeg\]: kind must be one of sql, http, files"):
        fetch_flow.configured(True)


def test_the_documented_example_sources_file_loads():
    from pathlib import Path

    from kinerja import fetch

    sources = fetch.load_sources(Path(__file__).resolve().parents[2] / "docs" / "sources.example.toml")
    assert {s.kind for s in sources.sources.values()} == {"sql", "http", "files"}
    assert all(ref.env or ref.block for s in sources.sources.values() for ref in s.secrets.values())


@pytest.mark.flow
def test_a_token_kept_in_a_prefect_secret_block_authenticates_and_never_shows(prefect_harness, tmp_path, caplog):
    from prefect.blocks.system import Secret
    from prefect.client.orchestration import get_client

    from kinerja import fetch
    from kinerja.catalog import load_catalog
    from kinerja.periods import Month

    block = "kinerja-test-fetch-token"
    Secret(value=TOKEN).save(block, overwrite=True)
    api = JsonApi(lambda path, query, headers: (200, {}, [{"directive_id": "D1", "channel": "rapim",
                                                          "issued_at": "2024-03-04 09:00:00", "completed_at": None}])
                  if headers.get("Authorization") == f"Bearer {TOKEN}" else (401, {}, {"error": "no"}))
    path = write_sources(tmp_path / "sources.toml", f"""
[sources.ekinerja]
kind = "http"
base_url = "{api.url}"
token = {{ secret = "{block}" }}

[sources.ekinerja.extracts.arahan_gubernur]
path = "/arahan"
""")
    try:
        [result] = fetch.fetch_month(fetch.load_sources(path), tmp_path / "landing", Month(2024, 3),
                                     load_catalog(2024))
    finally:
        api.close()
        with get_client(sync_client=True) as client:
            client.delete_block_document(Secret.load(block)._block_document_id)
    assert (result.status, result.rows) == ("new", 1)
    assert TOKEN not in (tmp_path / "landing" / "ekinerja" / "2024-03" / "arahan_gubernur.manifest.json").read_text()
    assert TOKEN not in caplog.text
