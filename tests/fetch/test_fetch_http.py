"""``kind = "http"``: a JSON API, paged, with a bearer token, into the landing zone.

The API is served by the test on 127.0.0.1 (``fetch_servers.JsonApi``): e-Kinerja's directives of the
governor (*arahan Gubernur*) under its own field names, two per page, behind a token. The fetched month
runs to the values of the same rows delivered as a file, and to the hand-computed value.
"""

from __future__ import annotations

import json

import pytest
from fetch_servers import JsonApi, run_and_read, write_sources

from kinerja import fetch, pipeline, warehouse
from kinerja.catalog import load_catalog
from kinerja.periods import Month

MARCH = Month(2024, 3)
CATALOG = load_catalog(MARCH.year)
TOKEN = "ekinerja-Bearer-T0ken-known-to-the-test"
# Issued in March: D1, D2, D3, D4; completed by the cutoff (5 April 23:59:59 WIB): D1, D2 (3 April) and D4;
# D3 is still open. Tindak lanjut arahan Gubernur, March = 3 / 4 x 100 = 75.
DIRECTIVES = [
    {"id": "D1", "kanal": {"kode": "rapim"}, "tglTerbit": "2024-03-04T09:00:00+07:00",
     "tglSelesai": "2024-03-10T15:00:00+07:00"},
    {"id": "D2", "kanal": {"kode": "e-office"}, "tglTerbit": "2024-03-12T10:00:00+07:00",
     "tglSelesai": "2024-04-03T08:00:00+07:00"},
    {"id": "D3", "kanal": {"kode": "media-elektronik"}, "tglTerbit": "2024-03-20T11:00:00+07:00",
     "tglSelesai": None},
    {"id": "D4", "kanal": {"kode": "lainnya"}, "tglTerbit": "2024-03-28T13:00:00+07:00",
     "tglSelesai": "2024-03-29T09:00:00+07:00"},
]
DIRECTIVES_CSV = ("directive_id,channel,issued_at,completed_at\n"
                  "D1,rapim,2024-03-04 09:00:00,2024-03-10 15:00:00\n"
                  "D2,e-office,2024-03-12 10:00:00,2024-04-03 08:00:00\n"
                  "D3,media-elektronik,2024-03-20 11:00:00,\n"
                  "D4,lainnya,2024-03-28 13:00:00,2024-03-29 09:00:00\n")
FIELDS = ('{ directive_id = "id", channel = "kanal.kode", issued_at = "tglTerbit", '
          'completed_at = "tglSelesai" }')


def sources(tmp_path, api: JsonApi, paging: str = 'paging = "page"\npage_param = "halaman"\n'
            'size_param = "per_halaman"\npage_size = 2', attempts: int = 4):
    return fetch.load_sources(write_sources(tmp_path / "sources.toml", f"""
[sources.ekinerja]
kind = "http"
base_url = "{api.url}/api/v1"
auth = "bearer"
token = {{ env = "KINERJA_TEST_EKINERJA_TOKEN" }}
timeout = 5
attempts = {attempts}
retry_delays = [1, 2, 4]

[sources.ekinerja.extracts.arahan_gubernur]
path = "/arahan"
params = {{ terbit_dari = "{{start}}", terbit_sampai = "{{end}}" }}
records = "data"
{paging}
fields = {FIELDS}
"""))


def paged(path, query, headers):
    """Page ``halaman`` of ``per_halaman`` directives; 401 without the token."""
    if headers.get("Authorization") != f"Bearer {TOKEN}":
        return 401, {}, {"error": "unauthorised"}
    size, number = int(query["per_halaman"]), int(query["halaman"])
    if (query["terbit_dari"], query["terbit_sampai"]) != ("2024-03-01", "2024-03-31"):
        return 200, {}, {"data": []}
    return 200, {}, {"data": DIRECTIVES[(number - 1) * size:number * size], "meta": {"halaman": number}}


@pytest.fixture
def token(monkeypatch):
    monkeypatch.setenv("KINERJA_TEST_EKINERJA_TOKEN", TOKEN)
    return TOKEN


def test_a_month_fetched_page_by_page_runs_to_the_values_of_the_same_rows_delivered_as_a_file(
        tmp_path, token, caplog):
    answers = iter([(429, {"Retry-After": "3"}, {"error": "slow down"}), (503, {}, b"maintenance")])

    def flaky(path, query, headers):  # page 2 is answered 429, then 503, then properly
        if query.get("halaman") == "2":
            step = next(answers, None)
            if step:
                return step
        return paged(path, query, headers)

    api = JsonApi(flaky)
    slept = []
    try:
        [result] = fetch.fetch_month(sources(tmp_path, api), tmp_path / "fetched", MARCH, CATALOG, sleep=slept.append)
    finally:
        api.close()
    assert [(q["halaman"], q["per_halaman"]) for _, q, _ in api.requests] == [
        ("1", "2"), ("2", "2"), ("2", "2"), ("2", "2"), ("3", "2")]
    assert slept == [3, 2]  # Retry-After of the 429; then the source's second delay
    assert all(p == "/api/v1/arahan" for p, _, _ in api.requests)
    assert (result.status, result.rows) == ("new", 4)
    landed = tmp_path / "fetched" / "ekinerja" / "2024-03" / "arahan_gubernur.csv"
    assert landed.read_text().splitlines()[:2] == ["directive_id,channel,issued_at,completed_at",
                                                   "D1,rapim,2024-03-04T09:00:00+07:00,2024-03-10T15:00:00+07:00"]
    manifest = json.loads(landed.with_name("arahan_gubernur.manifest.json").read_text())
    assert (manifest["source_kind"], manifest["url"], manifest["pages"]) == ("http", f"{api.url}/api/v1/arahan", 3)
    assert TOKEN not in json.dumps(manifest) and TOKEN not in caplog.text
    assert "attempt 1 of 4 failed (HTTP 429 Too Many Requests" in caplog.text

    by_hand = tmp_path / "by-hand"
    (by_hand / "ekinerja" / "2024-03").mkdir(parents=True)
    (by_hand / "ekinerja" / "2024-03" / "arahan_gubernur.csv").write_text(DIRECTIVES_CSV)
    got = run_and_read(tmp_path / "fetched", tmp_path / "fetched.db", MARCH, [12])
    want = run_and_read(by_hand, tmp_path / "by-hand.db", MARCH, [12])
    assert got.equals(want)
    march = got[(got["period"] == "2024-03") & (got["unit_code"] == "ALL")]
    assert march["value"].tolist() == [75.0]


def test_offset_paging_and_next_links_fetch_the_same_rows(tmp_path, token):
    def by_offset(path, query, headers):
        offset, limit = int(query["offset"]), int(query["limit"])
        return 200, {}, {"data": DIRECTIVES[offset:offset + limit]}

    def by_next(path, query, headers):
        start = int(query.get("mulai", 0))
        nxt = f"/api/v1/arahan?mulai={start + 3}" if start + 3 < len(DIRECTIVES) else None
        return 200, {}, {"data": DIRECTIVES[start:start + 3], "links": {"next": nxt}}

    landed = []
    for name, handler, paging in (("offset", by_offset, 'paging = "offset"\npage_size = 3'),
                                  ("next", by_next, 'paging = "next"\nnext = "links.next"')):
        api = JsonApi(handler)
        try:
            [result] = fetch.fetch_month(sources(tmp_path, api, paging), tmp_path / name, MARCH, CATALOG)
        finally:
            api.close()
        assert (result.status, result.rows) == ("new", 4)
        assert len(api.requests) == 2
        landed.append((tmp_path / result.file.replace("ekinerja", f"{name}/ekinerja", 1)).read_text())
    assert landed[0] == landed[1]


def test_an_api_that_keeps_failing_fails_the_extract_naming_the_source_and_the_token_never_shows(
        tmp_path, token, caplog, sqlite_engine, catalog):
    """The API echoes the request's Authorization header in its error page: the token must be starred
    in the failure, the logs, the run's message and the warehouse."""

    def echo(path, query, headers):
        return 500, {}, f"internal error while serving {headers.get('Authorization')}".encode()

    api = JsonApi(echo)
    try:
        results = fetch.fetch_month(sources(tmp_path, api, attempts=3), tmp_path / "landing", MARCH, CATALOG,
                                    sleep=lambda s: None)
    finally:
        api.close()
    [result] = results
    assert len(api.requests) == 3
    assert result.status == "failed"
    assert result.message == ("source system ekinerja (http): unreachable after 3 attempt(s): HTTP 500 Internal "
                              "Server Error: internal error while serving Bearer ***")
    assert TOKEN not in caplog.text and "Bearer ***" in caplog.text

    # the month runs without it: only its extract fails, with the fetch's message
    steps = fetch.failing_unfetched(pipeline.Steps(), fetch.failures(results))
    run = pipeline.run_month(sqlite_engine, load_catalog(2024), tmp_path / "landing", MARCH, "run-x", steps)
    assert run.failed_extracts["ekinerja/arahan_gubernur"] == "fetch failed: " + result.message
    assert "indicator 12: extract failed: ekinerja/arahan_gubernur" in run.message
    dump = "\n".join(str(v) for table in ("pipeline_run", "pipeline_run_extract") if _exists(sqlite_engine, table)
                     for v in warehouse.query(sqlite_engine, f"SELECT * FROM {table}").to_numpy().ravel())
    assert "source system ekinerja (http)" in dump and TOKEN not in dump
    assert TOKEN not in run.message and TOKEN not in caplog.text


def _exists(engine, table: str) -> bool:
    import sqlalchemy as sa

    return sa.inspect(engine).has_table(table)


def test_a_token_written_in_the_sources_file_is_refused(tmp_path):
    path = write_sources(tmp_path / "sources.toml", """
[sources.ekinerja]
kind = "http"
base_url = "https://ekinerja.example.go.id/api"
token = "written-in-the-file"

[sources.ekinerja.extracts.arahan_gubernur]
path = "/arahan"
""")
    with pytest.raises(fetch.SourcesError, match=r"token must name where the secret is kept") as caught:
        fetch.load_sources(path)
    assert "written-in-the-file" not in str(caught.value)
