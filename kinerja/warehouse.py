"""The warehouse: SQLite by default, PostgreSQL in production, one SQLAlchemy engine.

Everything that reads or writes warehouse tables is here; DDL lives in ``sql/``.
"""

from __future__ import annotations

import io
import json
import math
import re
import threading
import uuid
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy import event

from kinerja import snapshots
from kinerja.catalog import Catalog
from kinerja.extracts import Extract, registry
from kinerja.paths import SQL_DIR

RESULT_COLUMNS = ["pk_year", "indicator_no", "unit_code", "period", "period_type", "as_of_month", "value",
                  "target", "capaian_pct", "status", "category", "n_source_rows"]
RESULT_KEY = ["pk_year", "indicator_no", "unit_code", "period"]
COMPONENT_COLUMNS = ["pk_year", "indicator_no", "unit_code", "period", "component", "value", "as_of_month"]
STAGING_META = ["_landing_month", "_file", "_row_number", "_run_id"]
LOCK_NAMESPACE = 0x4B494E  # "KIN": advisory-lock key = namespace * 10000 + pk_year


def now_utc() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def safe_url(url: str | sa.URL) -> str:
    """The URL with its password hidden, for logs and messages."""
    return sa.make_url(url).render_as_string(hide_password=True)


def sqlite_file(url: sa.URL) -> Path | None:
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        return Path(url.database)
    return None


def create_engine(url: str) -> sa.Engine:
    parsed = sa.make_url(url)
    if parsed.get_backend_name() == "sqlite":
        path = sqlite_file(parsed)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(parsed, connect_args={"timeout": 300})

        @event.listens_for(engine, "connect")
        def _connect(dbapi_conn, _record):
            dbapi_conn.isolation_level = None  # we issue BEGIN ourselves
            # 64 KiB pages for a new warehouse (before WAL mode writes its header; a no-op for an existing
            # one): a year's staging commits write ~35% less, its inserts need fewer page splits
            dbapi_conn.execute("PRAGMA page_size=65536")
            dbapi_conn.execute("PRAGMA journal_mode=WAL")
            dbapi_conn.execute("PRAGMA busy_timeout=300000")
            dbapi_conn.execute("PRAGMA cache_size=-262144")

        @event.listens_for(engine, "begin")
        def _begin(conn):
            # one writer at a time: a transaction takes the write lock when it starts
            conn.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    return sa.create_engine(parsed, pool_pre_ping=True)


_SHARED: dict[str, sa.Engine] = {}  # URL -> the engine of a shared_engine block


@contextmanager
def shared_engine(url: str) -> Iterator[sa.Engine]:
    """One engine for every run inside the block that opens the same URL (a backfill's months):
    SQLite keeps its page cache from month to month and closes the database, checkpointing its
    write-ahead log, once instead of once a month."""
    engine = create_engine(url)
    _SHARED[url] = engine
    try:
        yield engine
    finally:
        _SHARED.pop(url, None)
        engine.dispose()


def open_engine(url: str) -> sa.Engine:
    """The engine of an enclosing ``shared_engine`` block for this URL, else a new one; give it
    back with ``close_engine``."""
    return _SHARED.get(url) or create_engine(url)


def close_engine(engine: sa.Engine) -> None:
    """Dispose of an engine from ``open_engine``, unless a ``shared_engine`` block owns it."""
    if not any(engine is shared for shared in _SHARED.values()):
        engine.dispose()


def is_postgres(conn_or_engine) -> bool:
    return conn_or_engine.dialect.name == "postgresql"


# -- DDL ------------------------------------------------------------------------------------

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


# -- catalog ----------------------------------------------------------------------------------

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


# -- generic helpers ------------------------------------------------------------------------------

def _py(value):
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.isoformat() if value.tzinfo else value.date().isoformat()
    if hasattr(value, "item"):  # numpy scalar
        return value.item()
    return value


def _column_values(s: pd.Series) -> list:
    """``_py`` of every value of a column, vectorised for plain numeric, bool and string columns."""
    if s.dtype == object or s.dtype.kind == "M" or isinstance(s.dtype, pd.DatetimeTZDtype):
        return [_py(v) for v in s]
    return s.astype(object).where(s.notna(), None).tolist()


def frame_records(df: pd.DataFrame) -> list[dict]:
    cols = list(df.columns)
    if not cols:
        return [{} for _ in range(len(df))]
    values = [_column_values(df.iloc[:, i]) for i in range(len(cols))]
    return [dict(zip(cols, row, strict=True)) for row in zip(*values, strict=True)]


def _marks(conn, n: int) -> str:
    """``n`` positional placeholders in the driver's own style (``?`` for sqlite3, ``%s`` for psycopg)."""
    return ", ".join(["?" if conn.dialect.paramstyle == "qmark" else "%s"] * n)


@contextmanager
def driver_errors(conn: sa.Connection, statement: str) -> Iterator[None]:
    """Raise the errors of statements sent through the driver itself (COPY, a staging
    executemany) as SQLAlchemy raises those of its own: an ``IntegrityError``, an
    ``OperationalError`` marked ``connection_invalidated`` when the connection was lost. Retries
    (``tasks.retries``) and callers then see one kind of error whichever way a statement went."""
    dbapi = conn.dialect.loaded_dbapi
    try:
        yield
    except dbapi.Error as exc:
        lost = conn.dialect.is_disconnect(exc, conn.connection.dbapi_connection, None)
        raise sa.exc.DBAPIError.instance(statement, None, exc, dbapi.Error, connection_invalidated=lost,
                                         dialect=conn.dialect) from exc


def insert_tuples(conn, table: str, cols: list[str], rows: Iterable[tuple]) -> None:
    """Insert positional rows: one COPY on PostgreSQL (an INSERT a row cost its server ~5x the CPU:
    a scale-1 year's result history and components, 1.7 s of waits -> 0.3 s), one executemany on
    SQLite."""
    if is_postgres(conn):
        statement = f"COPY {table} ({', '.join(cols)}) FROM STDIN"
        with driver_errors(conn, statement), conn.connection.driver_connection.cursor() as cur, \
                cur.copy(statement) as copy:
            for row in rows:
                copy.write_row(row)
    else:
        conn.exec_driver_sql(f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({_marks(conn, len(cols))})",
                             list(rows))


def insert_rows(conn, table: str, rows: list[dict]) -> None:
    if not rows:
        return
    cols = list(rows[0])
    insert_tuples(conn, table, cols, (tuple(r[c] for c in cols) for r in rows))


def upsert_rows(conn, table: str, rows: list[dict], key: list[str]) -> None:
    if not rows:
        return
    cols = list(rows[0])
    updates = ", ".join(f"{c} = excluded.{c}" for c in cols if c not in key) or f"{key[0]} = excluded.{key[0]}"
    # positional tuples to the driver: SQLAlchemy's per-row handling of ``text()`` with dicts cost ~10 us a row
    conn.exec_driver_sql(f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({_marks(conn, len(cols))}) "
                         f"ON CONFLICT ({', '.join(key)}) DO UPDATE SET {updates}",
                         [tuple(r[c] for c in cols) for r in rows])


def lock_year(conn, pk_year: int) -> None:
    """Serialise writers of one PK year: an advisory lock on PostgreSQL, BEGIN IMMEDIATE on SQLite."""
    if is_postgres(conn):
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": LOCK_NAMESPACE * 10000 + pk_year})


# -- staging ------------------------------------------------------------------------------------
#
# Writes: one transaction per file, the fastest bulk path of each backend (COPY into a temporary
# table then one INSERT ... SELECT ... ON CONFLICT on PostgreSQL, a raw executemany of tuples on
# SQLite). Reads: each process keeps the last typed frame of every extract it read, and stage()
# applies its own writes to it in memory; the frame is trusted only while the extract's row in
# ``staging_version`` still carries the token it was read or written under, so a write by any
# other process (or a warehouse rebuilt at the same path) forces a re-read.

_CACHE: dict[tuple[str, str], tuple[str, str, pd.DataFrame]] = {}  # (warehouse, extract) -> (token, tz, frame)
_CACHE_LOCK = threading.Lock()
_CACHE_WAREHOUSES = 2  # warehouses whose frames a process keeps (a test session opens many)
_SAVED: dict[tuple[str, str], str] = {}  # (warehouse, extract) -> token of its snapshot on disk (kinerja.snapshots)


def _warehouse_id(engine: sa.Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def clear_staging_cache() -> None:
    with _CACHE_LOCK:
        _CACHE.clear()
        _SAVED.clear()


# How a staged frame holds its columns; a snapshot of another layout is not used. 2: the lineage
# columns are categoricals (_meta_category).
FRAME_LAYOUT = 2


def _layout(extract: Extract) -> str:
    return json.dumps({"frame": FRAME_LAYOUT, "columns": _staged_columns(extract)})


def _from_snapshot(cache_key: tuple[str, str], extract: Extract, token: str, tz: str | None
                   ) -> tuple[str, str, pd.DataFrame] | None:
    """A cache entry from the snapshot on disk, when it holds the rows of ``token`` in today's layout."""
    found = snapshots.load(*cache_key, token, _layout(extract), tz)
    if found is None:
        return None
    with _CACHE_LOCK:
        _SAVED[cache_key] = token
    return token, found[1], found[0]


def save_snapshots(engine: sa.Engine) -> int:
    """Write the staged frames this process holds for the warehouse that differ from its snapshots on
    disk (kinerja.snapshots), for the next process; how many were written. Called once at the end of
    a run (a backfill: at its end, not every month)."""
    wid = _warehouse_id(engine)
    with _CACHE_LOCK:
        todo = [(k, v) for k, v in _CACHE.items() if k[0] == wid and _SAVED.get(k) != v[0]]
    written = 0
    known = registry()
    for key, (token, tz, frame) in todo:
        if key[1] in known and snapshots.save(wid, key[1], token, tz, frame, _layout(known[key[1]])):
            with _CACHE_LOCK:
                _SAVED[key] = token
            written += 1
    return written


def _staged_columns(extract: Extract) -> list[tuple[str, str]]:
    """(staged name, kind) of every stored column, meta columns last, in the staging DDL's order."""
    return [(c.staged_name, c.kind) for c in extract.columns] + [
        ("_landing_month", "meta_text"), ("_file", "meta_text"), ("_row_number", "meta_int"),
        ("_run_id", "meta_text")]


def _objects(s: pd.Series) -> list:
    """Python values with None for missing: what the DBAPI drivers bind."""
    return s.to_numpy(dtype=object, na_value=None).tolist()


def _offset_text(seconds: float) -> str | None:
    """A UTC offset as ``Timestamp.isoformat()`` writes it: ``+07:00`` (``+07:07:12`` with seconds)."""
    if pd.isna(seconds):
        return None
    sign, rest = ("-" if seconds < 0 else "+"), abs(int(seconds))
    text = f"{sign}{rest // 3600:02d}:{rest % 3600 // 60:02d}"
    return text + (f":{rest % 60:02d}" if rest % 60 else "")


def _iso_datetime(s: pd.Series) -> pd.Series:
    """Aware timestamps as ``Timestamp.isoformat()`` writes them (microseconds only when set).
    Formatted from the naive local time plus the few distinct offsets: pandas formats ``%z`` one
    value at a time (~25 us a value)."""
    local = s.dt.tz_localize(None)
    text = local.dt.strftime("%Y-%m-%dT%H:%M:%S")
    micro = s.dt.microsecond.fillna(0).astype("int64")
    frac = pd.Series([f".{m:06d}" if m else "" for m in micro], index=s.index) if micro.any() else ""
    seconds = (local - s.dt.tz_convert("UTC").dt.tz_localize(None)).dt.total_seconds()
    offset = seconds.map({v: _offset_text(v) for v in seconds.unique()}).astype("str")
    return text + frac + offset


def _storage_values(df: pd.DataFrame, columns: list[tuple[str, str]], sqlite: bool) -> list[list]:
    """Column-wise Python values as stored: dates ISO text, datetimes ISO with offset, bools
    0/1 on SQLite, missing as None (the values the per-cell conversion used to produce)."""
    out = []
    for name, kind in columns:
        s = df[name]
        if kind == "date":  # a year has a few hundred distinct dates: format each once (~10x cheaper)
            codes, uniques = pd.factorize(s)
            texts = np.array([*uniques.strftime("%Y-%m-%d"), None], dtype=object)  # code -1 (missing): None
            out.append(texts[codes].tolist())
            continue
        if kind == "datetime":
            s = _iso_datetime(s)
        elif kind == "bool" and sqlite:
            s = s.astype("Int64")
        out.append(_objects(s.astype(object).where(df[name].notna(), None)) if kind == "datetime" else _objects(s))
    return out


def _typed(columns: dict[str, object], extract: Extract, tz: str) -> pd.DataFrame:
    """A frame typed as the extract declares from stored values (lists or arrays per column)."""
    data = {}
    for name, kind in _staged_columns(extract):
        v = columns[name]
        if kind == "date":
            data[name] = pd.to_datetime(pd.Series(v, dtype=object), format="ISO8601").astype("datetime64[us]")
        elif kind == "datetime":
            data[name] = pd.to_datetime(pd.Series(v, dtype=object), utc=True, format="ISO8601").dt.tz_convert(
                tz).astype(f"datetime64[us, {tz}]")
        elif kind == "int":
            data[name] = pd.Series(pd.array(v, dtype="Int64"))
        elif kind == "float":
            data[name] = pd.Series(pd.array(v, dtype="Float64"))
        elif kind == "bool":
            data[name] = pd.Series(pd.array(v, dtype="boolean"))
        elif kind == "meta_int":
            data[name] = pd.Series(v, dtype="int64")
        elif kind == "meta_text":
            data[name] = _meta_category(pd.Series(v, dtype="str"))
        else:
            data[name] = pd.Series(pd.array(v, dtype="string"))
    return pd.DataFrame(data, copy=False)  # copy-on-write: sharing the columns is safe


def _as_read(df: pd.DataFrame, extract: Extract, tz: str) -> pd.DataFrame:
    """Staged rows as read_staged would return them once stored: the stored precision (dates
    without a time, microseconds), the declared dtypes; tests/test_staging_cache.py holds the two equal."""
    data = {}
    for name, kind in _staged_columns(extract):
        s = df[name]
        if kind == "date":
            s = s.dt.normalize().astype("datetime64[us]")
        elif kind == "datetime":
            s = s.dt.tz_convert(tz).astype(f"datetime64[us, {tz}]")
        elif kind == "meta_text":
            s = _meta_category(s.astype("str"))
        else:
            s = s.astype({"int": "Int64", "float": "Float64", "bool": "boolean", "meta_int": "int64"}.get(kind,
                                                                                                     "string"))
        data[name] = s.reset_index(drop=True)
    return pd.DataFrame(data, copy=False)  # copy-on-write: sharing the columns is safe


# The order of staged rows in memory, cached or read cold: landing month, then row of its file, then
# natural key (a total order: a re-sent file can leave an older row of the same month and row number).
# A month's new rows then follow the year's older ones, so the cache appends them without a sort.
STAGED_ORDER = ("_landing_month", "_row_number")


def _sorted(df: pd.DataFrame, extract: Extract) -> pd.DataFrame:
    """In staged order (STAGED_ORDER, then the natural key): Arrow's sort, 5x pandas' on string keys.
    A lineage column sorts by its codes: its categories are kept sorted (_meta_category)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    key = [*STAGED_ORDER, *extract.staged_key]
    columns = {k: pa.array(df[k].cat.codes if isinstance(df[k].dtype, pd.CategoricalDtype) else df[k]) for k in key}
    order = pc.sort_indices(pa.table(columns), sort_keys=[(k, "ascending") for k in key])
    return df.take(order.to_numpy()).reset_index(drop=True)


def _meta_category(s: pd.Series) -> pd.Series:
    """A lineage column (``_landing_month``, ``_file``, ``_run_id``: a few values over a year of rows)
    as a categorical of its values, sorted: a byte or two a row instead of its text (a scale-1 year's
    staged frames: ~470 MiB -> ~270 MiB)."""
    return s.astype(pd.CategoricalDtype(pd.Index(s.unique(), dtype="str").sort_values()))


def _concat_staged(parts: list[pd.DataFrame]) -> pd.DataFrame:
    """Staged frames one after the other. Each lineage column is put on one sorted set of
    categories first (pandas would fall back to text), and keeps only the categories its rows have."""
    meta = [name for name in parts[0].columns if isinstance(parts[0][name].dtype, pd.CategoricalDtype)]
    for name in meta:
        categories = pd.Index(sorted(set().union(*(p[name].cat.categories for p in parts))), dtype="str")
        parts = [p.assign(**{name: p[name].cat.set_categories(categories)}) for p in parts]
    frame = pd.concat(parts, ignore_index=True)
    for name in meta:
        frame[name] = frame[name].cat.remove_unused_categories()
    return frame


def _key_text(df: pd.DataFrame, key: list[str]):
    """The natural key as one Arrow string per row (parts joined by NUL), for set membership."""
    import pyarrow as pa
    import pyarrow.compute as pc

    parts = [pc.cast(pa.array(df[k]), pa.large_string()) for k in key]
    nul = pa.scalar("\x00", pa.large_string())
    return parts[0] if len(parts) == 1 else pc.binary_join_element_wise(*parts, nul)


def _lock_version(conn, extract: Extract) -> str:
    """Take the extract's staging lock for this transaction; its current token."""
    conn.execute(sa.text("INSERT INTO staging_version (extract_id, version, token, staged_at) "
                         "VALUES (:e, 0, '', :t) ON CONFLICT (extract_id) DO NOTHING"),
                 {"e": extract.id, "t": now_utc()})
    lock = " FOR UPDATE" if is_postgres(conn) else ""  # SQLite: BEGIN IMMEDIATE already holds the lock
    return conn.execute(sa.text(f"SELECT token FROM staging_version WHERE extract_id = :e{lock}"),
                        {"e": extract.id}).scalar_one()


def _current_token(conn, extract: Extract) -> str | None:
    return conn.execute(sa.text("SELECT token FROM staging_version WHERE extract_id = :e"),
                        {"e": extract.id}).scalar()


def _newer_version(extract: Extract) -> str:
    """The condition under which a staged row takes the incoming version of its record (the WHERE of
    the upsert's DO UPDATE): the incoming file's landing month is later, or it is the same month and
    the row differs (a corrected file). An older month's file staged again never replaces a version a
    later month brought, and a file staged again unchanged leaves its rows, run id included, as they are."""
    table = extract.table
    compared = [name for name, _ in _staged_columns(extract) if name not in (*extract.staged_key, "_landing_month",
                                                                             "_run_id")]
    differs = " OR ".join(f"{table}.{c} IS DISTINCT FROM excluded.{c}" for c in compared)
    return (f"WHERE excluded._landing_month > {table}._landing_month OR "
            f"(excluded._landing_month = {table}._landing_month AND ({differs}))")


def stage(engine: sa.Engine, extract: Extract, staged: pd.DataFrame, landing_month: str, file: str,
          run_id: str, also: Callable[[sa.Connection], None] | None = None, tz: str | None = None) -> int:
    """Upsert validated rows into the extract's staging table by natural key; ``also`` writes in the
    same transaction (the file's lineage: staged rows and their record commit together). With ``tz``
    (the time zone reads use), a write into an empty table leaves its rows in this process's cache,
    so that the first read after it is not a read of the table."""
    df = staged.rename(columns={c.name: c.staged_name for c in extract.columns})
    df = df[[c.staged_name for c in extract.columns] + ["_row_number"]].assign(
        _landing_month=landing_month, _file=file, _run_id=run_id)
    n = len(df)
    key = extract.staged_key
    if df.duplicated(subset=key).any():  # as row-by-row upserts did: the last copy wins
        df = df.drop_duplicates(subset=key, keep="last")
    names = [name for name, _ in _staged_columns(extract)]
    updates = ", ".join(f"{c} = excluded.{c}" for c in names if c not in key) + " " + _newer_version(extract)
    token = uuid.uuid4().hex
    sqlite = not is_postgres(engine)
    # the file's own values (the same in every row) are written once in the statement, not bound per row
    constants = {"_landing_month": landing_month, "_file": file, "_run_id": run_id}
    bound = [(name, kind) for name, kind in _staged_columns(extract) if name not in constants]
    values = _storage_values(df, bound, sqlite)
    cache_key = (_warehouse_id(engine), extract.id)
    update: Future | None = None
    with engine.begin() as conn:
        old = _lock_version(conn, extract)
        hit = _current(cache_key, extract, old)  # the staged rows this write starts from, when held here
        if hit is None and tz is not None and _is_empty(conn, extract):
            hit = (old, tz, _typed({name: [] for name, _ in _staged_columns(extract)}, extract, tz))
        if hit is not None and not _appends(hit[2], landing_month):
            hit = None  # a month staged again: the table decides which versions stay, the next read sees it
        patch = _Patch(hit[2], df, extract, hit[1]) if hit is not None else None
        if patch is not None and sqlite:  # the write does not need it: patched while SQLite writes
            update = _PATCHER.submit(patch.apply)
        try:
            if len(df):
                driver = conn.connection.driver_connection
                bound_names = [name for name, _ in bound]
                with driver_errors(conn, f"staging {extract.table}"):
                    if sqlite:
                        literals = ", ".join(_sqlite_text(v) for v in constants.values())
                        driver.executemany(
                            f"INSERT INTO {extract.table} ({', '.join(bound_names + list(constants))}) "
                            f"VALUES ({', '.join('?' * len(bound_names))}, {literals}) "
                            f"ON CONFLICT ({', '.join(key)}) DO UPDATE SET {updates}", list(zip(*values, strict=True)))
                    else:
                        staged_already = patch.new_staged() if patch is not None else None
                        if patch is not None:  # the rest of the patch while PostgreSQL takes the rows
                            update = _PATCHER.submit(patch.apply)
                        _copy_upsert(driver, extract.table, bound_names, constants, key, updates, values,
                                     staged_already)
            conn.execute(sa.text("UPDATE staging_version SET version = version + 1, token = :k, staged_at = :t "
                                 "WHERE extract_id = :e"), {"k": token, "t": now_utc(), "e": extract.id})
            if also is not None:
                also(conn)
        except BaseException:
            if update is not None:
                wait([update])  # nothing is left working on the frames once the write has failed
            raise
    with _CACHE_LOCK:
        _CACHE.pop(cache_key, None)
    if patch is not None:
        _remember(cache_key, (token, hit[1], update.result() if update is not None else patch.apply()))
    return n


_PATCHER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kinerja-staging-patch")


class _Patch:
    """A write applied to the staged frame it started from: the frame a read will return after it.
    Pure pandas and Arrow work on frames nothing else changes, so most of it runs in a thread beside
    the write, while SQLite or PostgreSQL take the rows (their drivers let go of the interpreter
    meanwhile)."""

    def __init__(self, frame: pd.DataFrame, df: pd.DataFrame, extract: Extract, tz: str):
        self.frame, self.df, self.extract, self.tz = frame, df, extract, tz

    @cached_property
    def new(self) -> pd.DataFrame:
        """The file's rows as they will be read."""
        return _as_read(self.df, self.extract, self.tz)

    @cached_property
    def keys(self) -> _KeyTexts:
        key = self.extract.staged_key
        return _KeyTexts(_key_text(self.frame, key), _key_text(self.new, key))

    def new_staged(self) -> np.ndarray:
        return self.keys.new_staged()

    def apply(self) -> pd.DataFrame:
        new, frame = self.new, self.frame
        if not new["_row_number"].is_monotonic_increasing:  # one file, in file order: already in staged order
            new = _sorted(new, self.extract)
        if len(frame) and len(new):  # a later month (_appends): its rows go after the year's older ones
            kept = [part for part in _kept(frame, self.keys.frame_replaced()) if len(part)]
            frame = _concat_staged([*kept, new[frame.columns]])
        elif len(new):
            frame = new
        return frame


def _appends(frame: pd.DataFrame, landing_month: str) -> bool:
    """True when a file of ``landing_month`` is later than every month the staged frame holds: its rows
    then replace any version of theirs, and the frame is patched in memory."""
    months = frame["_landing_month"].cat.categories
    return len(months) == 0 or months.max() < landing_month


def _is_empty(conn, extract: Extract) -> bool:
    return conn.exec_driver_sql(f"SELECT 1 FROM {extract.table} LIMIT 1").first() is None


def _remember(cache_key: tuple[str, str], entry: tuple[str, str, pd.DataFrame]) -> None:
    """Cache a staged frame; the frames of other warehouses go when more than _CACHE_WAREHOUSES are held."""
    with _CACHE_LOCK:
        if len({w for w, _ in _CACHE} | {cache_key[0]}) > _CACHE_WAREHOUSES:
            for k in [k for k in _CACHE if k[0] != cache_key[0]]:
                del _CACHE[k]
        _CACHE[cache_key] = entry


def _kept(frame: pd.DataFrame, replaced: np.ndarray) -> list[pd.DataFrame]:
    """The staged rows a write leaves in place, as parts to concatenate. Only the rows from the first
    replaced one on are copied: most months replace nothing, and a file that restates rows mostly
    restates the last month or two."""
    if not replaced.any():
        return [frame]
    first = int(replaced.argmax())
    rest = replaced[first:]
    if rest.all():
        return [frame.iloc[:first]]
    return [frame.iloc[:first], frame.iloc[first:][~rest]]


def _current(cache_key: tuple[str, str], extract: Extract, token: str) -> tuple[str, str, pd.DataFrame] | None:
    """The cached frame (or, in a new process, the snapshot a previous run left) of ``token``, else None."""
    with _CACHE_LOCK:
        hit = _CACHE.get(cache_key)
    if hit is None or hit[0] != token:
        hit = _from_snapshot(cache_key, extract, token, None)
    return hit if hit is not None and hit[0] == token else None


class _KeyTexts:
    """Natural keys of the staged frame and of a file's rows (as read), each joined once, for the two
    questions a write asks: which staged rows the file replaces, which of its rows are staged already.
    The frame is probed against the file's keys, never hashed whole (~5x cheaper at a year's size)."""

    def __init__(self, frame_keys, new_keys):
        self.frame, self.new = frame_keys, new_keys
        self._replaced: np.ndarray | None = None

    def frame_replaced(self) -> np.ndarray:
        """Over the staged frame: True where the file replaces the row."""
        import pyarrow.compute as pc

        if self._replaced is None:
            self._replaced = pc.is_in(self.frame, value_set=self.new).to_numpy(zero_copy_only=False)
        return self._replaced

    def new_staged(self) -> np.ndarray:
        """Over the file's rows, in its order: True where the key is staged already."""
        import pyarrow.compute as pc

        replaced = self.frame_replaced()
        if not replaced.any():
            return np.zeros(len(self.new), dtype=bool)
        return pc.is_in(self.new, value_set=self.frame.filter(replaced)).to_numpy(zero_copy_only=False)


def _sqlite_text(value: str) -> str:
    """A SQLite string literal (quotes doubled; SQLite has no backslash escapes)."""
    return "'" + value.replace("'", "''") + "'"


def _copy_upsert(driver, table: str, names: list[str], constants: dict[str, str], key: list[str], updates: str,
                 values: list[list], staged_already: np.ndarray | None) -> None:
    """PostgreSQL: rows whose key is not staged yet are COPied straight into the table (~40% cheaper
    than an upsert at random pseudonym keys); the rest (a file sent again, a training reported again)
    are upserted: COPY into a temporary table, then one INSERT ... ON CONFLICT from it that adds the
    file's own columns. ``staged_already`` (from this process's staged frame; None: not known)
    marks the rows that exist; if it is wrong after all (the unique key refuses a row), the COPY
    is undone to a savepoint and every row is upserted."""
    from psycopg.copy import QueuedLibpqWriter
    from psycopg.errors import UniqueViolation

    cols = ", ".join(names)
    rows = list(zip(*values, strict=True))
    upserted = rows
    if staged_already is not None:
        fresh, existing = [], []
        for row, staged in zip(rows, staged_already.tolist(), strict=True):
            (existing if staged else fresh).append(row)
        if fresh:
            with driver.cursor() as cur:
                cur.execute("SAVEPOINT kinerja_stage_copy")
                try:
                    extra = tuple(constants.values())
                    with cur.copy(f"COPY {table} ({cols}, {', '.join(constants)}) FROM STDIN",
                                  writer=QueuedLibpqWriter(cur)) as copy:
                        for row in fresh:
                            copy.write_row(row + extra)
                except UniqueViolation:
                    cur.execute("ROLLBACK TO SAVEPOINT kinerja_stage_copy")
                else:
                    cur.execute("RELEASE SAVEPOINT kinerja_stage_copy")
                    upserted = existing
        else:
            upserted = existing
    if not upserted:
        return
    with driver.cursor() as cur:
        cur.execute(f"CREATE TEMP TABLE _stage_in ON COMMIT DROP AS SELECT {cols} FROM {table} WITH NO DATA")
        with cur.copy(f"COPY _stage_in ({cols}) FROM STDIN") as copy:
            for row in upserted:
                copy.write_row(row)
        cur.execute(f"INSERT INTO {table} ({cols}, {', '.join(constants)}) "
                    f"SELECT {cols}, {', '.join(['%s::text'] * len(constants))} FROM _stage_in "
                    f"ON CONFLICT ({', '.join(key)}) DO UPDATE SET {updates}", list(constants.values()))
        cur.execute("DROP TABLE _stage_in")


def _read_table(conn, extract: Extract, tz: str) -> pd.DataFrame:
    names = [name for name, _ in _staged_columns(extract)]
    driver = conn.connection.driver_connection
    if not is_postgres(conn):
        rows = driver.execute(f"SELECT {', '.join(names)} FROM {extract.table}").fetchall()
        columns = list(zip(*rows, strict=True)) if rows else [() for _ in names]
        return _typed(dict(zip(names, columns, strict=True)), extract, tz)
    import pyarrow as pa
    import pyarrow.csv as pacsv

    buf = io.BytesIO()
    with driver.cursor() as cur:
        cur.execute("SET LOCAL TimeZone = 'UTC'")
        with cur.copy(f"COPY (SELECT {', '.join(names)} FROM {extract.table}) TO STDOUT "
                      f"WITH (FORMAT csv, HEADER)") as copy:
            for block in copy:
                buf.write(block)
    buf.seek(0)
    table = pacsv.read_csv(buf, convert_options=pacsv.ConvertOptions(
        column_types={n: pa.string() for n in names}, null_values=[""], strings_can_be_null=True,
        quoted_strings_can_be_null=False))
    kinds = dict(_staged_columns(extract))
    columns = {}
    for name in names:
        s = table.column(name).to_pandas(types_mapper=pd.ArrowDtype).astype("string")
        kind = kinds[name]
        if kind in ("int", "meta_int"):
            s = pd.to_numeric(s).astype("Int64")
        elif kind == "float":
            s = pd.to_numeric(s).astype("Float64")
        elif kind == "bool":
            s = s.map({"t": True, "f": False}).astype("boolean")
        columns[name] = s.array if kind not in ("date", "datetime", "meta_text") else s.astype(object).where(
            s.notna(), None)
    return _typed(columns, extract, tz)


def read_staged(engine: sa.Engine, extract: Extract, tz: str) -> pd.DataFrame:
    """The staged rows of an extract, typed as the extract declares, in staged order (STAGED_ORDER)."""
    cache_key = (_warehouse_id(engine), extract.id)
    with engine.begin() as conn:  # the token first, then the rows: a later write only makes it stale
        token = _current_token(conn, extract)
        with _CACHE_LOCK:
            hit = _CACHE.get(cache_key)
        if hit is not None and token is not None and hit[0] == token and hit[1] == tz:
            return hit[2].copy(deep=False)  # copy-on-write: a caller's change never reaches the cache
        snapshot = _from_snapshot(cache_key, extract, token, tz) if token else None
        df = snapshot[2] if snapshot else _sorted(_read_table(conn, extract, tz), extract)
    if token is not None:
        _remember(cache_key, (token, tz, df))
    return df.copy(deep=False)


# -- runs, lineage, quarantine -------------------------------------------------------------------------

@dataclass
class ExtractOutcome:
    extract_id: str
    landing_month: str
    file: str | None
    sha256: str | None
    status: str  # staged | failed
    message: str | None
    rows_read: int = 0
    rows_staged: int = 0
    rows_quarantined: int = 0

    def as_dict(self) -> dict:
        return dict(self.__dict__)


def start_run(engine: sa.Engine, run_id: str, flow_name: str, pk_year: int, period: str) -> None:
    with engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM pipeline_run_extract WHERE run_id = :r"), {"r": run_id})
        upsert_rows(conn, "pipeline_run", [{
            "run_id": run_id, "flow_name": flow_name, "pk_year": pk_year, "period": period,
            "started_at": now_utc(), "finished_at": None, "status": "running", "message": None,
            "rows_in": 0, "rows_staged": 0, "rows_quarantined": 0, "files_json": "[]"}], ["run_id"])


def record_extract(engine: sa.Engine, run_id: str, pk_year: int, outcome: ExtractOutcome,
                   quarantine: pd.DataFrame | None) -> None:
    with engine.begin() as conn:
        write_lineage(conn, run_id, pk_year, outcome, quarantine)


def write_lineage(conn, run_id: str, pk_year: int, outcome: ExtractOutcome, quarantine: pd.DataFrame | None) -> None:
    """The extract's row in pipeline_run_extract and its quarantined rows, in the caller's transaction."""
    source, name = outcome.extract_id.split("/")
    upsert_rows(conn, "pipeline_run_extract", [{
        "run_id": run_id, "extract_id": outcome.extract_id, "landing_month": outcome.landing_month,
        "file": outcome.file, "sha256": outcome.sha256, "status": outcome.status, "message": outcome.message,
        "rows_read": outcome.rows_read, "rows_staged": outcome.rows_staged,
        "rows_quarantined": outcome.rows_quarantined}], ["run_id", "extract_id", "landing_month"])
    if quarantine is not None and len(quarantine):
        # the run's own values joined to each row's as a tuple (~4x cheaper than a dict per row)
        head, tail = (run_id, pk_year, outcome.landing_month, source, name), (now_utc(),)
        cols = ["run_id", "pk_year", "landing_month", "source", "extract", *quarantine.columns, "quarantined_at"]
        rows = zip(*(_column_values(quarantine[c]) for c in quarantine.columns), strict=True)
        insert_tuples(conn, "quarantine", cols, (head + row + tail for row in rows))


def finish_run(engine: sa.Engine, run_id: str, status: str, message: str | None,
               outcomes: Iterable[ExtractOutcome]) -> None:
    outcomes = list(outcomes)
    with engine.begin() as conn:
        conn.execute(sa.text(
            "UPDATE pipeline_run SET finished_at = :f, status = :s, message = :m, rows_in = :i, "
            "rows_staged = :st, rows_quarantined = :q, files_json = :j WHERE run_id = :r"),
            {"f": now_utc(), "s": status, "m": message, "r": run_id,
             "i": sum(o.rows_read for o in outcomes), "st": sum(o.rows_staged for o in outcomes),
             "q": sum(o.rows_quarantined for o in outcomes),
             "j": json.dumps([o.as_dict() for o in outcomes], sort_keys=True)})


# -- results --------------------------------------------------------------------------------------

def _same(a, b) -> bool:
    """Equal as stored: None only to None, floats to 12 digits, a date to its ISO text (SQLite keeps text)."""
    a, b = (v.isoformat() if isinstance(v, date) else v for v in (_py(a), _py(b)))
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, float) or isinstance(b, float):
        try:
            return math.isclose(float(a), float(b), rel_tol=1e-12, abs_tol=1e-12)
        except (TypeError, ValueError):
            return False
    return a == b


COMPARED = ["period_type", "as_of_month", "value", "target", "capaian_pct", "status", "category", "n_source_rows"]


@dataclass
class LoadSummary:
    inserted: int = 0
    changed: int = 0
    unchanged: int = 0
    skipped_newer: int = 0


def load_results(engine: sa.Engine, pk_year: int, results: pd.DataFrame, components: pd.DataFrame,
                 run_id: str, action_plan_status: pd.DataFrame | None = None) -> LoadSummary:
    """Load a run's results in one transaction: all or nothing, idempotent.

    A row changes (new revision, history row) only when a compared field changes.
    A row already computed through a later month than this run is left alone, so
    rerunning an old month never rolls a quarter or the year back.
    """
    summary = LoadSummary()
    computed_at = now_utc()
    new = results[RESULT_COLUMNS]
    with engine.begin() as conn:
        lock_year(conn, pk_year)
        existing = {
            tuple(r[:4]): r for r in conn.execute(sa.text(
                f"SELECT {', '.join(RESULT_KEY + COMPARED)}, revision FROM indicator_result WHERE pk_year = :y"),
                {"y": pk_year}).all()
        }
        upserts, history, written_keys = [], [], set()
        for rec in frame_records(new):
            key = tuple(rec[k] for k in RESULT_KEY)
            old = existing.get(key)
            if old is not None:
                old_map = dict(zip(RESULT_KEY + COMPARED + ["revision"], old, strict=True))
                if old_map["as_of_month"] > rec["as_of_month"]:
                    summary.skipped_newer += 1
                    continue
                written_keys.add(key)
                if all(_same(old_map[c], rec[c]) for c in COMPARED):
                    summary.unchanged += 1
                    continue
                revision = old_map["revision"] + 1
                summary.changed += 1
            else:
                written_keys.add(key)
                revision = 1
                summary.inserted += 1
            row = {**rec, "run_id": run_id, "computed_at": computed_at, "revision": revision}
            upserts.append(row)
            history.append(row)
        upsert_rows(conn, "indicator_result", upserts, RESULT_KEY)
        insert_rows(conn, "indicator_result_history", history)
        if len(components):
            _replace_changed_components(conn, pk_year, components[COMPONENT_COLUMNS], written_keys, run_id,
                                        computed_at)
        if action_plan_status is not None and len(action_plan_status):
            _upsert_changed_plan_status(conn, pk_year, action_plan_status, run_id, computed_at)
    return summary


def _replace_changed_components(conn, pk_year: int, components: pd.DataFrame, written_keys: set, run_id: str,
                                computed_at: str) -> None:
    """Rewrite the components of every result written by this run whose set of components changed;
    a result whose components are all the same keeps its rows (and their run)."""
    new: dict[tuple, dict] = {}
    for r in frame_records(components):
        key = (r["pk_year"], r["indicator_no"], r["unit_code"], r["period"])
        if key in written_keys:
            new.setdefault(key, {})[r["component"]] = r
    old: dict[tuple, dict] = {}
    for row in conn.execute(sa.text("SELECT indicator_no, unit_code, period, component, value, as_of_month "
                                    "FROM indicator_component WHERE pk_year = :y"), {"y": pk_year}):
        old.setdefault((pk_year, *row[:3]), {})[row[3]] = row[4:]
    changed = [key for key, comps in new.items()
               if comps.keys() != old.get(key, {}).keys()
               or any(not _same(r["value"], old[key][c][0]) or r["as_of_month"] != old[key][c][1]
                      for c, r in comps.items())]
    if not changed:
        return
    conn.execute(sa.text("DELETE FROM indicator_component WHERE pk_year = :y AND indicator_no = :i "
                         "AND unit_code = :u AND period = :p"),
                 [{"y": y, "i": i, "u": u, "p": p} for y, i, u, p in sorted(changed)])
    insert_rows(conn, "indicator_component", [{**r, "run_id": run_id, "computed_at": computed_at}
                                              for key in changed for r in new[key].values()])


PLAN_KEY = ["pk_year", "iku_no", "output_code", "period"]


def _upsert_changed_plan_status(conn, pk_year: int, status: pd.DataFrame, run_id: str, computed_at: str) -> None:
    """Upsert the action-plan rows whose status (or dates) changed; an unchanged row keeps its run, and
    a row computed through a later month than this run is left alone (as results are)."""
    records = frame_records(status)
    compared = [c for c in records[0] if c not in PLAN_KEY]
    old = {tuple(row[:4]): dict(zip(compared, row[4:], strict=True)) for row in conn.execute(sa.text(
        f"SELECT {', '.join(PLAN_KEY + compared)} FROM action_plan_status WHERE pk_year = :y"), {"y": pk_year})}
    rows = [{**r, "run_id": run_id, "computed_at": computed_at} for r in records
            if (was := old.get(tuple(r[k] for k in PLAN_KEY))) is None
            or (was["as_of_month"] <= r["as_of_month"] and not all(_same(r[c], was[c]) for c in compared))]
    upsert_rows(conn, "action_plan_status", rows, PLAN_KEY)


def query(engine: sa.Engine, sql: str, **params) -> pd.DataFrame:
    with engine.connect() as conn:
        return pd.read_sql(sa.text(sql), conn, params=params)
