"""The warehouse: SQLite by default, PostgreSQL in production, one SQLAlchemy engine. DDL lives in ``sql/``.

One job per module: ``engine`` (engines, locks, driver errors), ``schema`` (DDL, catalog tables),
``rows`` (generic inserts and queries), ``staging`` (stage, read_staged) with ``frames`` (staged rows
as typed frames) and ``held`` (the staged frames an engine holds), ``runs`` (runs, their processes and lineage) and
``results`` (loading results). Callers use the names below: ``warehouse.stage(...)``.
"""

from kinerja.warehouse.engine import (
    close_engine,
    create_engine,
    driver_errors,
    is_postgres,
    lock_year,
    now_utc,
    open_engine,
    safe_url,
    shared_engine,
    sqlite_file,
)
from kinerja.warehouse.held import drop_held_frames
from kinerja.warehouse.results import COMPONENT_COLUMNS, RESULT_COLUMNS, RESULT_KEY, LoadSummary, load_results
from kinerja.warehouse.rows import frame_records, insert_rows, insert_tuples, query, upsert_rows
from kinerja.warehouse.runs import (
    ABANDONED,
    ExtractOutcome,
    abandon_dead_runs,
    finish_run,
    record_end,
    record_extract,
    start_run,
    write_lineage,
)
from kinerja.warehouse.schema import ddl_files, ensure_schema, load_catalog_tables
from kinerja.warehouse.staging import read_staged, stage

__all__ = [
    "ABANDONED", "COMPONENT_COLUMNS", "RESULT_COLUMNS", "RESULT_KEY", "ExtractOutcome", "LoadSummary",
    "abandon_dead_runs", "close_engine", "create_engine", "ddl_files", "driver_errors", "drop_held_frames",
    "ensure_schema", "finish_run", "frame_records", "insert_rows", "insert_tuples", "is_postgres",
    "load_catalog_tables", "load_results", "lock_year", "now_utc", "open_engine", "query", "read_staged",
    "record_end", "record_extract", "safe_url", "shared_engine", "sqlite_file", "stage", "start_run",
    "upsert_rows", "write_lineage",
]
