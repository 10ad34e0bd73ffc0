"""Staged-data snapshots: the staged rows of an extract kept on the worker's disk as an Arrow file.

A run in a new process (the scheduled monthly run) needs every staged row of the year; reading
two million rows back from the warehouse takes seconds (SQLite builds a Python tuple per row),
mapping an Arrow file takes milliseconds. A snapshot carries the ``staging_version`` token of the
rows it holds and is used only while the warehouse still carries that token: a write by any other
process, a rebuilt warehouse or a missing, partial or unreadable file means a read from the
warehouse instead, never wrong data. The warehouse stays the only source of truth; the files can
be deleted at any time.

Where: ``KINERJA_SNAPSHOT_DIR`` (default ``data/cache/staged``), one folder per warehouse (a hash of
its URL); an empty value turns snapshots off. The rows hold what staging holds: pseudonyms, never
a NIP.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

import pandas as pd

SNAPSHOT_ENV = "KINERJA_SNAPSHOT_DIR"
DEFAULT_DIR = "data/cache/staged"
TOKEN = b"kinerja.staging_token"
TIMEZONE = b"kinerja.timezone"
LAYOUT = b"kinerja.layout"  # the staged columns and their kinds: a new release's layout never maps an old file


def directory(warehouse_id: str) -> Path | None:
    """The snapshot folder of a warehouse (URL as written, password included: hashed, never stored)."""
    base = os.environ.get(SNAPSHOT_ENV, DEFAULT_DIR)
    if not base.strip():
        return None
    return Path(base).expanduser().resolve() / hashlib.sha256(warehouse_id.encode()).hexdigest()[:16]


def _file(folder: Path, extract_id: str) -> Path:
    return folder / (extract_id.replace("/", "__") + ".arrow")


def save(warehouse_id: str, extract_id: str, token: str, tz: str, frame: pd.DataFrame, layout: str) -> bool:
    """Write the frame under its token (a new file renamed over the old: a reader never sees half of
    one). False when the folder cannot be written: a snapshot is an optimisation, never a failure."""
    import pyarrow as pa
    import pyarrow.feather as feather

    folder = directory(warehouse_id)
    if folder is None:
        return False
    try:
        folder.mkdir(parents=True, exist_ok=True)
        table = pa.Table.from_pandas(frame, preserve_index=False)
        table = table.replace_schema_metadata({**table.schema.metadata, TOKEN: token.encode(), TIMEZONE: tz.encode(),
                                               LAYOUT: layout.encode()})
        fd, tmp = tempfile.mkstemp(dir=folder, suffix=".tmp")
        os.close(fd)
        try:
            feather.write_feather(table, tmp, compression="uncompressed")
            os.replace(tmp, _file(folder, extract_id))
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
    except (OSError, pa.ArrowException):
        return False
    return True


def load(warehouse_id: str, extract_id: str, token: str, layout: str, tz: str | None = None
         ) -> tuple[pd.DataFrame, str] | None:
    """(frame, time zone) when the snapshot holds exactly the rows of ``token`` in ``layout`` (read in
    ``tz``, when given), else None."""
    import pyarrow as pa
    import pyarrow.feather as feather

    folder = directory(warehouse_id)
    if folder is None or not token:
        return None
    path = _file(folder, extract_id)
    try:
        table = feather.read_table(path, memory_map=True)
    except (OSError, pa.ArrowException):  # missing, partial or not an Arrow file
        return None
    meta = table.schema.metadata or {}
    if meta.get(TOKEN) != token.encode() or meta.get(LAYOUT) != layout.encode() or (
            tz is not None and meta.get(TIMEZONE) != tz.encode()):
        return None
    return table.to_pandas(), meta[TIMEZONE].decode()
