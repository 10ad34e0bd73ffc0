"""One pseudonym key per warehouse: the first run records its fingerprint, another key is refused before
anything is staged, and ``kinerja rekey`` changes it on purpose without counting anyone twice."""

from __future__ import annotations

import hashlib
import hmac
import shutil
from pathlib import Path

import pandas as pd
import pytest

import flows.backfill
from flows.backfill import backfill
from flows.monthly import monthly
from kinerja import demo, keys, warehouse
from kinerja.cli import main
from kinerja.privacy import KEY_ENV

KEY_A = "first-pseudonym-key-0123456789"
KEY_B = "second-pseudonym-key-9876543210"
MISMATCH = str(keys.KeyMismatchError())


@pytest.fixture(scope="module")
def landing(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("landing")
    demo.generate(root, 2024, seed=7, scale=0.02)
    return root


def scalar(url: str, sql: str):
    engine = warehouse.create_engine(url)
    try:
        return warehouse.query(engine, sql).iloc[0, 0]
    finally:
        engine.dispose()


def staged(url: str) -> dict:
    """What a key change may not alter: rows staged per personal-data extract and runs recorded."""
    return {t: int(scalar(url, f"SELECT COUNT(*) FROM {t}"))
            for t in ("stg_simpeg__pns_snapshot", "stg_simdiklat__training", "pipeline_run")}


def recorded(url: str) -> dict:
    engine = warehouse.create_engine(url)
    try:
        return warehouse.query(engine, f"SELECT * FROM {keys.TABLE}").to_dict("records")[0]
    finally:
        engine.dispose()


def cli(argv: list[str], landing: Path, url: str) -> int:
    return main([*argv, "--landing", str(landing), "--warehouse", url])


def test_the_fingerprint_is_an_hmac_of_a_fixed_label_keyed_by_the_key():
    key = KEY_A.encode()
    assert keys.fingerprint(key) == hmac.new(key, b"kinerja pseudonym key fingerprint v1", hashlib.sha256).hexdigest()
    assert keys.fingerprint(key) != keys.fingerprint(KEY_B.encode())
    assert sorted(e.id for e in keys.personal_data_extracts()) == ["simdiklat/training", "simpeg/pns_snapshot"]


@pytest.mark.parametrize("engine_fixture", ["sqlite_engine", pytest.param("pg_engine", marks=pytest.mark.postgres)])
def test_the_first_claim_records_the_key_and_another_key_is_refused(engine_fixture, request):
    engine = request.getfixturevalue(engine_fixture)
    keys.check(engine, KEY_B.encode())  # nothing recorded yet: any key goes
    keys.claim(engine, KEY_A.encode(), "run-1")
    keys.claim(engine, KEY_A.encode(), "run-2")  # the same key again
    for refuse in (lambda: keys.claim(engine, KEY_B.encode(), "run-3"), lambda: keys.check(engine, KEY_B.encode())):
        with pytest.raises(keys.KeyMismatchError, match="kinerja rekey"):
            refuse()
    rows = warehouse.query(engine, f"SELECT * FROM {keys.TABLE}").to_dict("records")
    assert len(rows) == 1 and rows[0]["fingerprint"] == keys.fingerprint(KEY_A.encode())
    assert rows[0]["recorded_by"] == "run-1"
    assert KEY_A not in str(rows)  # never the key itself


@pytest.mark.flow
def test_a_run_with_another_key_is_refused_before_anything_is_staged(prefect_harness, landing, sqlite_url,
                                                                      monkeypatch, capsys):
    monkeypatch.setenv(KEY_ENV, KEY_A)
    assert cli(["run", "--period", "2024-01"], landing, sqlite_url) == 0
    first_run = scalar(sqlite_url, "SELECT run_id FROM pipeline_run")
    assert recorded(sqlite_url)["fingerprint"] == keys.fingerprint(KEY_A.encode())
    assert recorded(sqlite_url)["recorded_by"] == first_run  # the run that first staged personal data
    before = staged(sqlite_url)
    assert before["stg_simpeg__pns_snapshot"] > 0

    monkeypatch.setenv(KEY_ENV, KEY_B)
    capsys.readouterr()
    for argv in (["run", "--period", "2024-02"], ["backfill", "--from", "2024-02", "--to", "2024-03"]):
        assert cli(argv, landing, sqlite_url) == 2
        assert capsys.readouterr().err == f"kinerja: {MISMATCH}\n"
        assert staged(sqlite_url) == before
    # a deployment's run (the flow itself) ends Failed with the same message, having staged nothing
    month = monthly(period="2024-02", landing_dir=str(landing), warehouse_url=sqlite_url, return_state=True)
    year = backfill(from_period="2024-02", to_period="2024-03", landing_dir=str(landing), warehouse_url=sqlite_url,
                    return_state=True)
    for state in (month, year):
        assert state.is_failed() and state.message == MISMATCH
        with pytest.raises(keys.KeyMismatchError):
            state.result()
    assert staged(sqlite_url) == before

    monkeypatch.setenv(KEY_ENV, KEY_A)  # the warehouse's key again
    assert cli(["run", "--period", "2024-02"], landing, sqlite_url) == 0


def n_pns(url: str):
    engine = warehouse.create_engine(url)
    try:
        return warehouse.query(engine, "SELECT unit_code, period, value FROM indicator_component "
                                       "WHERE indicator_no = 2 AND component = 'n_pns' ORDER BY unit_code, period")
    finally:
        engine.dispose()


def results(url: str) -> pd.DataFrame:
    """The current indicator values, without what says when and by which run."""
    engine = warehouse.create_engine(url)
    try:
        df = warehouse.query(engine, "SELECT * FROM indicator_result")
    finally:
        engine.dispose()
    return df.drop(columns=["run_id", "computed_at", "revision"]).sort_values(warehouse.RESULT_KEY).reset_index(
        drop=True)


def pseudonyms(url: str) -> set[str]:
    engine = warehouse.create_engine(url)
    try:
        return set(warehouse.query(engine, "SELECT nip_pseudonym FROM stg_simpeg__pns_snapshot")["nip_pseudonym"])
    finally:
        engine.dispose()


@pytest.mark.flow
@pytest.mark.parametrize("url_fixture", ["sqlite_url", pytest.param("pg_url", marks=pytest.mark.postgres)])
def test_rekey_stages_personal_data_again_under_the_new_key_without_counting_twice(
        url_fixture, request, prefect_harness, landing, monkeypatch, capsys):
    url = request.getfixturevalue(url_fixture)
    monkeypatch.setenv(KEY_ENV, KEY_A)
    assert cli(["backfill", "--from", "2024-01", "--to", "2024-02"], landing, url) == 0
    before, components, old, current = staged(url), n_pns(url), pseudonyms(url), results(url)
    assert len(components) and components["value"].notna().all()

    monkeypatch.setenv(KEY_ENV, KEY_B)
    capsys.readouterr()
    # refused, nothing changed: January's personal data is staged but outside the range ...
    assert cli(["rekey", "--from", "2024-02", "--to", "2024-02"], landing, url) == 2
    assert "personal data is staged from months outside 2024-02..2024-02 (2024-01)" in capsys.readouterr().err
    # ... or a landing file needed to stage it again is gone
    pns = next((landing / "simpeg" / "2024-02").glob("pns_snapshot.*"))
    aside = landing / pns.name
    shutil.move(pns, aside)
    try:
        assert cli(["rekey", "--from", "2024-01", "--to", "2024-02"], landing, url) == 2
        assert "simpeg/pns_snapshot of 2024-02 could not be staged again: missing file" in capsys.readouterr().err
    finally:
        shutil.move(aside, pns)
    assert staged(url) == before and recorded(url)["fingerprint"] == keys.fingerprint(KEY_A.encode())

    at_backfill = {}
    real_backfill = flows.backfill.backfill

    def spied(**parameters):
        at_backfill.update(staged(url))
        return real_backfill(**parameters)

    monkeypatch.setattr(flows.backfill, "backfill", spied)
    assert cli(["rekey", "--from", "2024-01", "--to", "2024-02"], landing, url) == 0
    said = capsys.readouterr().out
    assert said.startswith("kinerja rekey: deleted the staged rows made with the old key (")
    assert f"{before['stg_simpeg__pns_snapshot']} of simpeg/pns_snapshot" in said
    assert f"{before['stg_simdiklat__training']} of simdiklat/training" in said
    personal = ("stg_simpeg__pns_snapshot", "stg_simdiklat__training")
    # every month's personal data was staged again before the backfill computed anything ...
    assert {t: at_backfill[t] for t in personal} == {t: before[t] for t in personal}
    # ... and once: the same rows, under new pseudonyms only
    assert {t: staged(url)[t] for t in personal} == {t: before[t] for t in personal}
    assert pseudonyms(url).isdisjoint(old)
    assert recorded(url)["fingerprint"] == keys.fingerprint(KEY_B.encode())
    assert recorded(url)["recorded_by"] == "kinerja rekey"
    assert n_pns(url).equals(components)
    pd.testing.assert_frame_equal(results(url), current)

    # the new key is the warehouse's now
    assert cli(["run", "--period", "2024-02"], landing, url) == 0
    monkeypatch.setenv(KEY_ENV, KEY_A)
    assert cli(["run", "--period", "2024-02"], landing, url) == 2
