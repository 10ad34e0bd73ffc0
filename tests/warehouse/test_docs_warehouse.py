"""docs/warehouse.md documents every table, view and column of the warehouse, and nothing else.

The truth is a fresh warehouse built from the DDL files (sql/*.sql, sql/staging/*.sql),
read back with SQLAlchemy's inspector. When this test fails it prints, for a table
missing from the doc, a ready-to-edit stub made from the DDL's own comments.
"""

from __future__ import annotations

import re
from pathlib import Path

import sqlalchemy as sa

from kinerja import warehouse

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "warehouse.md"
HEADING = re.compile(r"^#{2,4} `([a-z_][a-z0-9_]*)`")
COLUMN_ROW = re.compile(r"^\|\s*`([a-z_][a-z0-9_]*)`\s*\|")


def documented(text: str) -> dict[str, list[str]]:
    """``{table or view: [columns]}`` from the doc: a heading ``### `name` `` then rows ``| `column` | ...``."""
    out: dict[str, list[str]] = {}
    current = None
    for line in text.splitlines():
        heading = HEADING.match(line)
        if heading:
            current = heading.group(1)
            out.setdefault(current, [])
            continue
        if line.startswith("#"):
            current = None
            continue
        row = COLUMN_ROW.match(line)
        if row and current is not None:
            out[current].append(row.group(1))
    return out


def actual(engine: sa.Engine) -> dict[str, list[str]]:
    insp = sa.inspect(engine)
    names = insp.get_table_names() + insp.get_view_names()
    return {n: [c["name"] for c in insp.get_columns(n)] for n in names}


def ddl_stub(table: str) -> str:
    """A doc stub for a table, from its CREATE TABLE statement: column, type, the DDL comment."""
    for path in warehouse.ddl_files():
        text = path.read_text(encoding="utf-8")
        m = re.search(rf"CREATE TABLE IF NOT EXISTS {table} \((.*?)\n\);", text, re.S)
        if not m:
            continue
        rows = []
        for line in m.group(1).splitlines():
            col = re.match(r"\s+([a-z_][a-z0-9_]*)\s+([A-Z][A-Z ]*?(?:\(\d+\))?)(?:\s+(?:NOT NULL|PRIMARY KEY).*?)?,?"
                           r"\s*(?:--\s*(.*))?$", line)
            if col and col.group(1) not in {"primary"}:
                meaning = (col.group(3) or "").replace("|", "\\|")
                rows.append(f"| `{col.group(1)}` | {col.group(2).strip()} | {meaning} |")
        return (f"### `{table}`\n\n(from {path.relative_to(ROOT)})\n\n| column | type | meaning |\n|---|---|---|\n"
                + "\n".join(rows))
    return f"### `{table}`\n\n| column | type | meaning |\n|---|---|---|"


def compare(doc: dict[str, list[str]], real: dict[str, list[str]]) -> list[str]:
    problems = []
    for name in sorted(set(real) - set(doc)):
        problems.append(f"{name}: in the warehouse, missing from docs/warehouse.md; a stub:\n\n{ddl_stub(name)}\n")
    for name in sorted(set(doc) - set(real)):
        problems.append(f"{name}: documented in docs/warehouse.md but not in the warehouse (gone or renamed)")
    for name in sorted(set(doc) & set(real)):
        missing = [c for c in real[name] if c not in doc[name]]
        gone = [c for c in doc[name] if c not in real[name]]
        dup = sorted({c for c in doc[name] if doc[name].count(c) > 1})
        if missing:
            problems.append(f"{name}: columns missing from the doc: {', '.join(missing)}")
        if gone:
            problems.append(f"{name}: documented columns not in the warehouse: {', '.join(gone)}")
        if dup:
            problems.append(f"{name}: columns documented twice: {', '.join(dup)}")
    return problems


def test_doc_matches_a_fresh_warehouse(sqlite_engine):
    problems = compare(documented(DOC.read_text(encoding="utf-8")), actual(sqlite_engine))
    assert not problems, "docs/warehouse.md is out of step with the DDL:\n" + "\n".join(problems)


def test_the_check_catches_a_missing_and_a_stale_column():
    real = {"t": ["a", "b"], "v": ["x"]}
    doc = documented("### `t`\n\n| column | type | meaning |\n|---|---|---|\n| `a` | TEXT | . |\n| `c` | TEXT | . |\n")
    problems = compare(doc, real)
    assert any("t: columns missing from the doc: b" in p for p in problems)
    assert any("t: documented columns not in the warehouse: c" in p for p in problems)
    assert any(p.startswith("v: in the warehouse, missing") for p in problems)


def test_every_staging_file_is_documented():
    """Belt and braces for tables being added: each sql/staging/*.sql table has a section."""
    names = set(documented(DOC.read_text(encoding="utf-8")))
    for path in sorted((ROOT / "sql" / "staging").glob("*.sql")):
        for table in re.findall(r"CREATE TABLE IF NOT EXISTS (\w+)", path.read_text(encoding="utf-8")):
            assert table in names, f"{path.name}: table {table} is not in docs/warehouse.md\n\n{ddl_stub(table)}"
