"""The corpus of defective landing files (tests/corpus/, written by tests/corpus/make_corpus.py): each
case goes through the plain pipeline (extract, validate, stage) into a fresh warehouse, and its
outcome must be exactly the one its manifest entry states.

For every case: rows read = rows staged + rows quarantined, in the outcome and in the warehouse.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import math
import os
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from kinerja import extracts, ingestion, pipeline, warehouse
from kinerja.periods import Month
from kinerja.readers import ExtractFileError

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
MANIFEST = json.loads((CORPUS / "manifest.json").read_text(encoding="utf-8"))
REQUIRED_TAGS = {"encoding", "bom", "delimiter", "decimal", "thousands", "title_rows", "columns", "empty",
                 "duplicates", "range", "negative", "nip", "future", "past", "injection", "absurd", "truncated",
                 "xlsx", "parquet", "json", "missing", "unreadable"}


def test_the_corpus_is_big_and_covers_every_kind_of_defect():
    assert len(MANIFEST) >= 30
    assert len({c["case"] for c in MANIFEST}) == len(MANIFEST)
    tags = {t for c in MANIFEST for t in c["tags"]}
    assert tags >= REQUIRED_TAGS, REQUIRED_TAGS - tags
    for c in MANIFEST:  # every listed file is committed
        for f in c["files"]:
            assert (CORPUS / c["case"] / f).is_file(), f


def test_the_generator_writes_what_is_committed(tmp_path):
    """The manifest and the text files committed are what make_corpus.py writes (xlsx/parquet carry
    library timestamps, so only their presence is compared)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_corpus", CORPUS / "make_corpus.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    fresh = module.write(tmp_path)
    assert fresh == MANIFEST
    for c in fresh:
        for f in c["files"]:
            if f.endswith((".csv", ".json")) and c["case"] not in {"xlsx_saved_as_csv"}:
                assert (tmp_path / c["case"] / f).read_bytes() == (CORPUS / c["case"] / f).read_bytes(), f


def _key_filter(df: pd.DataFrame, ext, key: dict) -> pd.DataFrame:
    mask = pd.Series(True, index=df.index)
    for k, v in key.items():
        col = ext.column(k)
        mask &= df[col.staged_name].astype(str) == str(v)
    return df[mask]


def _same(actual, expected, kind: str) -> bool:
    if expected is None:
        return actual is None or pd.isna(actual)
    if kind == "float":
        return math.isclose(float(actual), float(expected), rel_tol=1e-12)
    if kind == "date":
        return pd.Timestamp(actual) == pd.Timestamp(expected)
    if kind == "datetime":
        return pd.Timestamp(actual) == pd.Timestamp(expected)
    if kind == "bool":
        return bool(actual) is expected
    if kind == "int":
        return int(actual) == int(expected)
    return actual == expected


@pytest.fixture(scope="module")
def corpus_engine(tmp_path_factory, catalog):
    """One warehouse for the module (creating one per case is slow); each case has its own run id
    and looks only at the rows of its run."""
    engine = warehouse.create_engine(f"sqlite:///{tmp_path_factory.mktemp('corpus') / 'warehouse.db'}")
    pipeline.prepare_warehouse(engine, catalog)
    yield engine
    engine.dispose()


@pytest.mark.parametrize("case", MANIFEST, ids=[c["case"] for c in MANIFEST])
def test_corpus_case(case, corpus_engine, catalog):
    landing = CORPUS / case["case"]
    ext = extracts.get(case["extract"])
    month = Month.parse(case["month"])
    expect = case["expect"]
    run_id = f"run-{case['case']}"
    with corpus_engine.begin() as conn:  # earlier cases staged rows of the same table: start it empty
        conn.execute(sa.text(f"DELETE FROM {ext.table}"))
        conn.execute(sa.text("DELETE FROM staging_version WHERE extract_id = :e"), {"e": ext.id})

    outcome = pipeline.ingest(corpus_engine, catalog, landing, ext, month, run_id)
    assert outcome.status == expect["status"], outcome.message
    assert outcome.rows_read == outcome.rows_staged + outcome.rows_quarantined
    lineage = warehouse.query(corpus_engine, "SELECT * FROM pipeline_run_extract WHERE run_id = :r", r=run_id)
    assert len(lineage) == 1
    row = lineage.iloc[0]
    assert row["rows_read"] == row["rows_staged"] + row["rows_quarantined"]

    if expect["status"] == "failed":
        assert expect["message"] in outcome.message
        assert row["status"] == "failed" and expect["message"] in row["message"]
        # the message names the file (or the file pattern when there is none)
        assert f"{ext.source}/{month}/{ext.name}." in outcome.message
        with pytest.raises(ExtractFileError):
            ingestion.validate_extract(ingestion.extract(landing, ext, month), ext, catalog, month)
        return

    assert (outcome.rows_read, outcome.rows_staged, outcome.rows_quarantined) == (
        expect["read"], expect["staged"], expect["quarantined"])
    quarantine = warehouse.query(corpus_engine, "SELECT * FROM quarantine WHERE run_id = :r", r=run_id)
    assert quarantine["row_number"].nunique() == expect["quarantined"]
    assert set(quarantine["file"]) <= {case["files"][0]}
    got = {(int(q.row_number), q.column_name, q.check_name): (q.reason, q.value) for q in quarantine.itertuples()}
    want = {(e[0], e[1], e[2]): e[3:] for e in expect["quarantine"]}
    assert set(got) == set(want)
    for k, (reason_part, *value) in want.items():
        assert reason_part in got[k][0], (k, got[k][0])
        if value:
            assert got[k][1] == value[0], (k, got[k][1])

    raw = ingestion.extract(landing, ext, month)
    notes = "; ".join(raw.notes)
    for part in expect.get("notes", []):
        assert part in notes, notes

    staged = warehouse.read_staged(corpus_engine, ext, catalog.timezone)
    assert set(staged["_run_id"]) <= {run_id}
    assert len(staged) == expect["staged"]
    for item in expect.get("values", []):
        hit = _key_filter(staged, ext, item["key"])
        assert len(hit) == 1, item["key"]
        for col, value in item["values"].items():
            assert _same(hit.iloc[0][ext.column(col).staged_name], value, ext.column(col).kind), (col, value)
    key = os.environ["KINERJA_PSEUDONYM_KEY"].encode()
    for col, nips in expect.get("pseudonyms", {}).items():
        want_ps = {hmac.new(key, n.encode(), hashlib.sha256).hexdigest() for n in nips}
        assert set(staged[ext.column(col).staged_name]) == want_ps


def test_rows_read_equal_staged_plus_quarantined_over_the_whole_corpus(tmp_path, catalog):
    """All staged corpus cases in one warehouse, one run per case: the invariant holds per extract
    file and per run, and the quarantine holds exactly the counted rows."""
    engine = warehouse.create_engine(f"sqlite:///{tmp_path / 'all.db'}")
    pipeline.prepare_warehouse(engine, catalog)
    total_read = total_staged = total_quarantined = 0
    for i, case in enumerate(MANIFEST):
        ext = extracts.get(case["extract"])
        run_id = f"run-{i:03d}"
        warehouse.start_run(engine, run_id, "corpus", catalog.pk_year, case["month"])
        outcome = pipeline.ingest(engine, catalog, CORPUS / case["case"], ext, Month.parse(case["month"]), run_id)
        warehouse.finish_run(engine, run_id, outcome.status, outcome.message, [outcome])
        total_read += outcome.rows_read
        total_staged += outcome.rows_staged
        total_quarantined += outcome.rows_quarantined
    files = warehouse.query(engine, "SELECT * FROM pipeline_run_extract")
    assert len(files) == len(MANIFEST)
    assert (files["rows_read"] == files["rows_staged"] + files["rows_quarantined"]).all()
    runs = warehouse.query(engine, "SELECT * FROM pipeline_run")
    assert (runs["rows_in"] == runs["rows_staged"] + runs["rows_quarantined"]).all()
    per_file = warehouse.query(engine, "SELECT run_id, COUNT(DISTINCT row_number) AS n FROM quarantine GROUP BY run_id")
    counted = files.set_index("run_id")["rows_quarantined"]
    assert (per_file.set_index("run_id")["n"] == counted[per_file["run_id"]]).all()
    assert counted.sum() == per_file["n"].sum() == total_quarantined
    assert total_read == total_staged + total_quarantined
    assert total_quarantined > 40 and total_staged > 50  # the corpus really exercises both paths
    engine.dispose()
