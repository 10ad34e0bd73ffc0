"""``sql``: a query against the source system's database, streamed into the landing CSV.

The source's ``url`` is a SQLAlchemy URL without its password (``mysql+pymysql://kinerja_ro@host/simpeg``,
``postgresql+psycopg://kinerja_ro@host/crm``); the password comes from a reference (``password``).
Each extract has a ``query`` whose columns are the extract's contract (alias them: ``nip_baru AS nip``)
with bound parameters for the month (``:period``, ``:start``, ``:end``, ``:next_start``, ``:cutoff``,
``:year``, ``:month``; ``kinerja.fetch.common.period_values``). Rows are streamed from a server-side
cursor ``chunk_rows`` at a time (default 10,000), never held whole in memory.
"""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from kinerja.fetch.common import CsvOut, Fetched, period_values
from kinerja.fetch.config import ExtractSource, Source

DEFAULT_CHUNK_ROWS = 10_000
CONNECT_TIMEOUT_SECONDS = 15


def url_of(source: Source, password: str | None) -> sa.URL:
    url = sa.make_url(str(source.options["url"]))
    return url.set(password=password) if password else url


def create_engine(source: Source, password: str | None) -> sa.Engine:
    """An engine for the source (one connection at a time; connections checked before use)."""
    url = url_of(source, password)
    connect_args: dict = {}
    backend = url.get_backend_name()
    if backend in ("mysql", "mariadb", "postgresql"):
        connect_args["connect_timeout"] = int(source.options.get("connect_timeout", CONNECT_TIMEOUT_SECONDS))
    return sa.create_engine(url, pool_size=1, max_overflow=0, pool_pre_ping=True, connect_args=connect_args)


def is_transient(exc: BaseException) -> bool:
    """A database that does not answer or drops the connection; not a refused login or a bad query."""
    if isinstance(exc, sa.exc.OperationalError):
        code = getattr(exc.orig, "args", [None])[0] if exc.orig is not None else None
        # MySQL/MariaDB: 1045 access denied, 1044 no access to the database, 1049 unknown database
        if code in (1044, 1045, 1049):
            return False
        text = str(exc.orig).lower()
        return not any(word in text for word in ("password authentication failed", "does not exist",
                                                  "no password supplied", "permission denied"))
    return isinstance(exc, sa.exc.InterfaceError | sa.exc.TimeoutError | ConnectionError | TimeoutError)


def safe_url(source: Source) -> str:
    return sa.make_url(str(source.options["url"])).render_as_string(hide_password=True)


def fetch(engine: sa.Engine, source: Source, extract: ExtractSource, month, tmp: Path,
          deadline_day: int, tz: str) -> Fetched:
    query = sa.text(extract.options["query"])
    values = period_values(month, deadline_day, tz)
    params = {k: v for k, v in values.items() if k in query._bindparams}  # noqa: SLF001 - the query's own names
    chunk = int(extract.options.get("chunk_rows", source.options.get("chunk_rows", DEFAULT_CHUNK_ROWS)))
    with engine.connect() as conn, CsvOut(tmp) as out:
        result = conn.execution_options(stream_results=True, yield_per=chunk).execute(query, params)
        out.header(result.keys())
        for rows in result.partitions():
            out.write(rows)
        rows = out.rows
    return Fetched("csv", rows, {"url": safe_url(source), "query": extract.options["query"].strip(),
                                 "parameters": {k: str(v) for k, v in params.items()}})
