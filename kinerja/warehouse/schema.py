"""The warehouse's tables: the DDL files of ``sql/`` applied in order, and the catalog tables of a PK year."""

from __future__ import annotations

import re
from pathlib import Path

import sqlalchemy as sa

from kinerja.catalog import Catalog
from kinerja.paths import SQL_DIR
from kinerja.warehouse.engine import LOCK_NAMESPACE, is_postgres, lock_year, now_utc
from kinerja.warehouse.rows import insert_rows


def ddl_files(sql_dir: Path = SQL_DIR) -> list[Path]:
    """Numbered files in order, staging tables after the core ones, views last."""
    numbered = sorted(sql_dir.glob("[0-9][0-9][0-9]_*.sql"))
    core = [p for p in numbered if int(p.name[:3]) < 100]
    views = [p for p in numbered if int(p.name[:3]) >= 100]
    return core + sorted((sql_dir / "staging").glob("*.sql")) + views


def split_statements(sql: str) -> list[str]:
    text = re.sub(r"--[^\n]*", "", sql)
    return [s.strip() for s in text.split(";") if s.strip()]


def ensure_schema(engine: sa.Engine) -> int:
    """Create every table and view (idempotent) and record the schema version."""
    files = ddl_files()
    version = max(int(p.name[:3]) for p in files if p.name[:3].isdigit())
    with engine.begin() as conn:
        if is_postgres(conn):
            conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": LOCK_NAMESPACE * 10000})
        for path in files:
            for stmt in split_statements(path.read_text(encoding="utf-8")):
                conn.exec_driver_sql(stmt)
        have = conn.execute(sa.text("SELECT MAX(version) FROM schema_version")).scalar()
        if have is None or have < version:
            conn.execute(sa.text("INSERT INTO schema_version (version, description, applied_at) "
                                 "VALUES (:v, :d, :t)"),
                         {"v": version, "d": ", ".join(p.name for p in files), "t": now_utc()})
    return version


def load_catalog_tables(engine: sa.Engine, catalog: Catalog) -> None:
    """Replace the catalog rows of the PK year (indicator, indicator_target, action_plan)."""
    year = catalog.pk_year
    indicators, targets = [], []
    for ind in catalog.indicators.values():
        indicators.append({
            "pk_year": year, "indicator_no": ind.no, "code": ind.code, "level": ind.level,
            "sasaran": ind.sasaran, "name": ind.name, "short_name": ind.short_name,
            "unit_of_measure": ind.unit_of_measure, "source_system": ind.source_system,
            "window_kind": ind.window, "polarity": ind.polarity, "extracts": ",".join(ind.extracts),
            "decimals": ind.decimals, "catalog_file": catalog.source,
        })
        for key, target in ind.targets.items():
            period = str(year) if key == "year" else f"{year}-{key}"
            targets.append({"pk_year": year, "indicator_no": ind.no, "period": period,
                            "period_type": "year" if key == "year" else "quarter", "target": target})
    plans = [{"pk_year": year, "iku_no": p.iku_no, "output_code": p.output_code, "rencana_aksi": p.rencana_aksi,
              "kriteria": p.kriteria, "output": p.output, "due_quarter": p.due_quarter}
             for p in catalog.action_plan]
    with engine.begin() as conn:
        # two runs of one year at once: without the lock, the second DELETE misses the rows the
        # first just inserted and its INSERT then violates the primary key (PostgreSQL)
        lock_year(conn, year)
        for table, rows in (("indicator", indicators), ("indicator_target", targets), ("action_plan", plans)):
            conn.execute(sa.text(f"DELETE FROM {table} WHERE pk_year = :y"), {"y": year})
            insert_rows(conn, table, rows)
