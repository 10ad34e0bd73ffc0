"""Staging: validated rows upserted by natural key into the extract's staging table, and the staged
rows read back as typed frames.

Writes: one transaction per file, with the file's lineage (``also``). SQLite: the driver's
``executemany``; PostgreSQL: ``COPY`` into a temporary table, then one ``INSERT ... SELECT ... ON
CONFLICT``. Which version of a record stays is the upsert's rule (``newer_version``). Every write
locks its extract's row in ``staging_version`` and sets a new random token there.

Reads: the engine holds the last frame of every extract it read or wrote (``held``). A write starting
from the rows the engine holds puts the rows it wrote into the held frame: a file of a month later
than every month held (a backfill's next month) replaces or adds every one of its rows, taken as they
are; any other write reads back, in its own transaction, the rows it inserted or replaced. A read
returns the held frame while its token is the warehouse's.
"""

from __future__ import annotations

import io
import uuid
from collections.abc import Callable

import pandas as pd
import sqlalchemy as sa

from kinerja.extracts import Extract
from kinerja.warehouse import held
from kinerja.warehouse.engine import driver_errors, is_postgres, now_utc
from kinerja.warehouse.frames import (
    arrow_values,
    as_read,
    later_than,
    sort_staged,
    staged_columns,
    storage_values,
    typed,
    with_rows,
)

LINEAGE = ("_landing_month", "_file", "_run_id")  # a file's own values: the same in every row it stages


def newer_version(extract: Extract) -> str:
    """The condition under which a staged row takes the incoming version of its record (the WHERE of
    the upsert's DO UPDATE): the incoming file's landing month is later, or it is the same month and
    the row differs (a corrected file). An older month's file staged again never replaces a version a
    later month brought, and a file staged again unchanged leaves its rows, run id included, as they are."""
    table = extract.table
    compared = [name for name, _ in staged_columns(extract) if name not in (*extract.staged_key, "_landing_month",
                                                                            "_run_id")]
    differs = " OR ".join(f"{table}.{c} IS DISTINCT FROM excluded.{c}" for c in compared)
    return (f"WHERE excluded._landing_month > {table}._landing_month OR "
            f"(excluded._landing_month = {table}._landing_month AND ({differs}))")


def lock_version(conn, extract: Extract) -> str:
    """Take the extract's staging lock for this transaction; its current token."""
    conn.execute(sa.text("INSERT INTO staging_version (extract_id, version, token, staged_at) "
                         "VALUES (:e, 0, '', :t) ON CONFLICT (extract_id) DO NOTHING"),
                 {"e": extract.id, "t": now_utc()})
    lock = " FOR UPDATE" if is_postgres(conn) else ""  # SQLite: BEGIN IMMEDIATE already holds the lock
    return conn.execute(sa.text(f"SELECT token FROM staging_version WHERE extract_id = :e{lock}"),
                        {"e": extract.id}).scalar_one()


def current_token(conn, extract: Extract) -> str | None:
    return conn.execute(sa.text("SELECT token FROM staging_version WHERE extract_id = :e"),
                        {"e": extract.id}).scalar()


def stage(engine: sa.Engine, extract: Extract, staged: pd.DataFrame, landing_month: str, file: str,
          run_id: str, also: Callable[[sa.Connection], None] | None = None, tz: str | None = None) -> int:
    """Upsert validated rows into the extract's staging table by natural key; ``also`` writes in the
    same transaction (the file's lineage: staged rows and their record commit together). With ``tz``
    (the time zone reads use), a write into an empty table starts the engine's held frame, so that the
    first read after it is not a read of the table."""
    df = staged.rename(columns={c.name: c.staged_name for c in extract.columns})
    df = df[[c.staged_name for c in extract.columns] + ["_row_number"]]
    n = len(df)
    key = extract.staged_key
    if df.duplicated(subset=key).any():  # as row-by-row upserts did: the last copy wins
        df = df.drop_duplicates(subset=key, keep="last")
    constants = dict(zip(LINEAGE, (landing_month, file, run_id), strict=True))
    bound = [(name, kind) for name, kind in staged_columns(extract) if name not in constants]
    values = arrow_values(df, bound) if is_postgres(engine) else storage_values(df, bound)
    token = uuid.uuid4().hex
    written = None
    with engine.begin() as conn:
        old = lock_version(conn, extract)
        start = held.find(engine, extract, old)  # the staged rows this write starts from, when held
        if start is None and tz is not None and _is_empty(conn, extract):
            start = held.Held(old, tz, typed({name: [] for name, _ in staged_columns(extract)}, extract, tz))
        if len(df):
            _upsert(conn, extract, [name for name, _ in bound], constants, values)
        conn.execute(sa.text("UPDATE staging_version SET version = version + 1, token = :k, staged_at = :t "
                             "WHERE extract_id = :e"), {"k": token, "t": now_utc(), "e": extract.id})
        if also is not None:
            also(conn)
        appends = start is not None and later_than(start.frame, landing_month)
        if start is not None and len(df) and not appends:  # the rows this write inserted or replaced
            written = read_table(conn, extract, start.tz, constants)
    if start is None:
        held.drop(engine, extract.id)
        return n
    if appends:  # a month later than every one held: each of the file's rows is inserted or replaces its key's
        written = as_read(df.assign(**constants), extract, start.tz)
    frame = with_rows(start.frame, written, extract) if written is not None else start.frame
    held.put(engine, extract.id, held.Held(token, start.tz, frame))
    return n


def _upsert(conn, extract: Extract, names: list[str], constants: dict[str, str], values) -> None:
    """The rows in, by the upsert rule (``newer_version``); the file's own values are written once in the
    statement, not bound with every row. ``values``: SQLite, a list of Python values per column
    (``storage_values``); PostgreSQL, an Arrow table (``arrow_values``)."""
    key = extract.staged_key
    table = extract.table
    updates = ", ".join(f"{c} = excluded.{c}" for c, _ in staged_columns(extract) if c not in key)
    conflict = f"ON CONFLICT ({', '.join(key)}) DO UPDATE SET {updates} {newer_version(extract)}"
    cols = ", ".join(names)
    driver = conn.connection.driver_connection
    with driver_errors(conn, f"staging {table}"):
        if not is_postgres(conn):
            literals = ", ".join("'" + v.replace("'", "''") + "'" for v in constants.values())  # SQLite literals
            driver.executemany(f"INSERT INTO {table} ({cols}, {', '.join(constants)}) "
                               f"VALUES ({', '.join('?' * len(names))}, {literals}) {conflict}",
                               list(zip(*values, strict=True)))
            return
        with driver.cursor() as cur:
            cur.execute(f"CREATE TEMP TABLE _stage_in ON COMMIT DROP AS SELECT {cols} FROM {table} WITH NO DATA")
            with cur.copy(f"COPY _stage_in ({cols}) FROM STDIN (FORMAT csv)") as copy:
                copy.write(_csv(values))
            cur.execute(f"INSERT INTO {table} ({cols}, {', '.join(constants)}) "
                        f"SELECT {cols}, {', '.join(['%s::text'] * len(constants))} FROM _stage_in "
                        f"ORDER BY {', '.join(key)} {conflict}",
                        list(constants.values()))
            cur.execute("DROP TABLE _stage_in")


def _csv(table) -> memoryview:
    """An Arrow table as CSV for COPY, written by pyarrow: a missing value is an empty field (NULL), every
    text is quoted (an empty text stays empty, not NULL)."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    out = pa.BufferOutputStream()
    pacsv.write_csv(table, out, pacsv.WriteOptions(include_header=False))
    return memoryview(out.getvalue())


def _is_empty(conn, extract: Extract) -> bool:
    return conn.exec_driver_sql(f"SELECT 1 FROM {extract.table} LIMIT 1").first() is None


def read_table(conn, extract: Extract, tz: str, where: dict[str, str] | None = None) -> pd.DataFrame:
    """The staged rows of an extract (those whose columns equal ``where``'s values), typed, in the
    table's order. SQLite: the driver's ``fetchall``; PostgreSQL: ``COPY ... TO STDOUT`` as CSV in
    UTC, parsed by pyarrow with quoted empty strings kept apart from NULL."""
    names = [name for name, _ in staged_columns(extract)]
    where = where or {}
    driver = conn.connection.driver_connection
    if not is_postgres(conn):
        condition = " AND ".join(f"{c} = ?" for c in where)
        rows = driver.execute(f"SELECT {', '.join(names)} FROM {extract.table}"
                              + (f" WHERE {condition}" if where else ""), tuple(where.values())).fetchall()
        columns = list(zip(*rows, strict=True)) if rows else [() for _ in names]
        return typed(dict(zip(names, columns, strict=True)), extract, tz)
    import pyarrow as pa
    import pyarrow.csv as pacsv
    from psycopg import sql

    condition = sql.SQL(" AND ").join(sql.SQL("{} = {}").format(sql.Identifier(c), v) for c, v in where.items())
    statement = sql.SQL("COPY (SELECT {} FROM {}{}) TO STDOUT WITH (FORMAT csv, HEADER)").format(
        sql.SQL(", ").join(map(sql.Identifier, names)), sql.Identifier(extract.table),
        sql.SQL(" WHERE ") + condition if where else sql.SQL(""))
    buf = io.BytesIO()
    with driver.cursor() as cur:
        cur.execute("SET LOCAL TimeZone = 'UTC'")
        with cur.copy(statement) as copy:
            for block in copy:
                buf.write(block)
    buf.seek(0)
    table = pacsv.read_csv(buf, convert_options=pacsv.ConvertOptions(
        column_types={n: pa.string() for n in names}, null_values=[""], strings_can_be_null=True,
        quoted_strings_can_be_null=False))
    kinds = dict(staged_columns(extract))
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
    return typed(columns, extract, tz)


def read_staged(engine: sa.Engine, extract: Extract, tz: str) -> pd.DataFrame:
    """The staged rows of an extract, typed as the extract declares, in staged order (frames.STAGED_ORDER)."""
    with engine.begin() as conn:  # the token first, then the rows: a later write only makes it stale
        token = current_token(conn, extract)
        hit = held.find(engine, extract, token, tz) if token is not None else None
        if hit is not None:
            return hit.frame.copy(deep=False)  # copy-on-write: a caller's change never reaches the held frame
        frame = sort_staged(read_table(conn, extract, tz), extract)
    if token is not None:
        held.put(engine, extract.id, held.Held(token, tz, frame))
    return frame.copy(deep=False)
