"""Generic row I/O: Python values of frames as the drivers bind them, bulk inserts and upserts of
positional rows (COPY on PostgreSQL, executemany on SQLite), and queries into frames."""

from __future__ import annotations

import math
from collections.abc import Iterable

import pandas as pd
import sqlalchemy as sa

from kinerja.warehouse.engine import driver_errors, is_postgres


def py_value(value):
    """A frame's value as stored: None for any missing value, a date's or aware timestamp's ISO text,
    numpy scalars as Python ones."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.isoformat() if value.tzinfo else value.date().isoformat()
    if hasattr(value, "item"):  # numpy scalar
        return value.item()
    return value


def column_values(s: pd.Series) -> list:
    """``py_value`` of every value of a column, vectorised for plain numeric, bool and string columns."""
    if s.dtype == object or s.dtype.kind == "M" or isinstance(s.dtype, pd.DatetimeTZDtype):
        return [py_value(v) for v in s]
    return s.astype(object).where(s.notna(), None).tolist()


def frame_records(df: pd.DataFrame) -> list[dict]:
    cols = list(df.columns)
    if not cols:
        return [{} for _ in range(len(df))]
    values = [column_values(df.iloc[:, i]) for i in range(len(cols))]
    return [dict(zip(cols, row, strict=True)) for row in zip(*values, strict=True)]


def marks(conn, n: int) -> str:
    """``n`` positional placeholders in the driver's own style (``?`` for sqlite3, ``%s`` for psycopg)."""
    return ", ".join(["?" if conn.dialect.paramstyle == "qmark" else "%s"] * n)


def insert_tuples(conn, table: str, cols: list[str], rows: Iterable[tuple]) -> None:
    """Insert positional rows: one COPY on PostgreSQL (an INSERT a row costs its server several times
    the CPU), one executemany on SQLite."""
    if is_postgres(conn):
        statement = f"COPY {table} ({', '.join(cols)}) FROM STDIN"
        with driver_errors(conn, statement), conn.connection.driver_connection.cursor() as cur, \
                cur.copy(statement) as copy:
            for row in rows:
                copy.write_row(row)
    else:
        conn.exec_driver_sql(f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({marks(conn, len(cols))})",
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
    # positional tuples to the driver: SQLAlchemy's per-row handling of ``text()`` with dicts costs ~10 us a row
    conn.exec_driver_sql(f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({marks(conn, len(cols))}) "
                         f"ON CONFLICT ({', '.join(key)}) DO UPDATE SET {updates}",
                         [tuple(r[c] for c in cols) for r in rows])


def query(engine: sa.Engine, sql: str, **params) -> pd.DataFrame:
    with engine.connect() as conn:
        return pd.read_sql(sa.text(sql), conn, params=params)
