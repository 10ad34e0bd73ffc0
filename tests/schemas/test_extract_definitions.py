"""Each extract is defined once, in ``schemas/``: its columns, their types, which may be blank, its
natural key and whether a column is a personal identifier. The staging DDL
(``sql/staging/<source>__<name>.sql``) and the staging section of docs/warehouse.md follow that
definition, for every extract: the same columns in the same order, NOT NULL exactly where the
definition allows no blank, the natural key as primary key, and the four lineage columns last."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import sqlalchemy as sa

from kinerja import extracts
from kinerja.extracts import Extract

ROOT = Path(__file__).resolve().parents[2]
STAGING = ROOT / "sql" / "staging"
DOC = ROOT / "docs" / "warehouse.md"
LINEAGE = [("_landing_month", "TEXT"), ("_file", "TEXT"), ("_row_number", "BIGINT"), ("_run_id", "TEXT")]
EXTRACT_IDS = sorted(extracts.registry())


def expected(ext: Extract) -> list[tuple[str, str, bool]]:
    """(staged column, SQL type, nullable) in order: a personal identifier is staged as its pseudonym."""
    cols = [(c.staged_name, "TEXT" if c.pii else extracts.SQL_TYPES[c.kind], c.nullable) for c in (*ext.columns,
                                                                                          *ext.extra_staged)]
    return cols + [(name, sql_type, False) for name, sql_type in LINEAGE]


def ddl_path(ext: Extract) -> Path:
    return STAGING / f"{ext.source}__{ext.name}.sql"


def declared_types(ext: Extract) -> dict[str, str]:
    """The type each column of the extract's CREATE TABLE is declared with, from its file."""
    text = ddl_path(ext).read_text(encoding="utf-8")
    body = re.search(rf"CREATE TABLE IF NOT EXISTS {ext.table} \((.*?)\n\);", text, re.S)
    assert body, f"{ddl_path(ext).name}: no CREATE TABLE {ext.table}"
    types = {}
    for line in body.group(1).splitlines():
        m = re.match(r"\s+([a-z_][a-z0-9_]*)\s+([A-Z]+(?: PRECISION)?)\b", line)
        if m and m.group(1) != "primary":
            types[m.group(1)] = m.group(2)
    return types


@pytest.mark.parametrize("extract_id", EXTRACT_IDS)
def test_staging_table_matches_the_extract(sqlite_engine, extract_id):
    ext = extracts.get(extract_id)
    want = expected(ext)
    insp = sa.inspect(sqlite_engine)
    got = insp.get_columns(ext.table)
    assert [c["name"] for c in got] == [name for name, _, _ in want], "columns and their order"
    assert {c["name"]: c["nullable"] for c in got} == {name: nullable for name, _, nullable in want}, \
        "NOT NULL exactly where the definition allows no blank"
    assert insp.get_pk_constraint(ext.table)["constrained_columns"] == ext.staged_key, "primary key = natural key"
    assert declared_types(ext) == {name: sql_type for name, sql_type, _ in want}, "column types"


def test_every_staging_file_is_an_extract():
    tables = {f"{ext.source}__{ext.name}.sql": ext.table for ext in extracts.registry().values()}
    assert sorted(p.name for p in STAGING.glob("*.sql")) == sorted(tables)
    for name, table in tables.items():
        assert re.findall(r"CREATE TABLE IF NOT EXISTS (\w+)", (STAGING / name).read_text(encoding="utf-8")) == [table]


# -- docs/warehouse.md, section "Staging tables" ------------------------------------------------------------

def staging_section(text: str) -> dict[str, dict]:
    """``{table: {"rows": [(column, type, nullable)], "text": its lines outside the column table}}``."""
    section = text.split("\n## Staging tables\n", 1)[1].split("\n## ", 1)[0]
    tables: dict[str, dict] = {}
    current = None
    for line in section.splitlines():
        heading = re.match(r"^### `([a-z_][a-z0-9_]*)`", line)
        if heading:
            current = tables.setdefault(heading.group(1), {"rows": [], "text": ""})
            continue
        if current is None:
            continue
        row = re.match(r"^\|\s*`([a-z_][a-z0-9_]*)`\s*\|\s*([A-Z][A-Z ]*?)\s*(\(nullable\))?\s*\|", line)
        if row:
            current["rows"].append((row.group(1), row.group(2), row.group(3) is not None))
        elif not line.startswith("|"):
            current["text"] += line + "\n"
    return tables


def test_the_doc_documents_every_staging_table_and_nothing_else():
    documented = staging_section(DOC.read_text(encoding="utf-8"))
    assert sorted(documented) == sorted(extracts.get(e).table for e in EXTRACT_IDS)


@pytest.mark.parametrize("extract_id", EXTRACT_IDS)
def test_the_doc_documents_the_extract_as_defined(extract_id):
    ext = extracts.get(extract_id)
    doc = staging_section(DOC.read_text(encoding="utf-8"))[ext.table]
    assert doc["rows"] == expected(ext), "columns in order, their type, (nullable) exactly where blank is allowed"
    assert f"Natural key: ({', '.join(ext.staged_key)})." in doc["text"]
    assert f"File: `sql/staging/{ddl_path(ext).name}`." in doc["text"]


def test_the_doc_reader_reads_columns_types_and_blanks_of_the_staging_section_only():
    text = ("# x\n\n## Staging tables\n\n### `stg_t__x`\n\nNatural key: (a). File: `sql/staging/t__x.sql`.\n\n"
            "| column | type | meaning |\n|---|---|---|\n| `b` | TEXT (nullable) | . |\n| `a` | BIGINT | . |\n"
            "\n## Views\n\n### `v`\n\n| `z` | TEXT | . |\n")
    assert staging_section(text) == {"stg_t__x": {"rows": [("b", "TEXT", True), ("a", "BIGINT", False)],
                                              "text": "\nNatural key: (a). File: `sql/staging/t__x.sql`.\n\n"}}
