"""The staged frames an engine holds: per extract, the typed frame it last read or wrote, with the
``staging_version`` token of the rows it holds and the time zone it was read in.

A frame is used only while the warehouse still carries its token; every staging write sets a new
one (``staging.stage``), so a write by another process, a warehouse rebuilt at the same URL or a key
change (``kinerja.keys``) makes it stale, never wrong. The frames live as long as their engine: a
backfill's shared engine keeps them from month to month.

When an engine is closed (``engine.close_engine``, the end of ``shared_engine``) its frames are written
as uncompressed Arrow files, each carrying its token, time zone and layout, so that the next process
(a scheduled run is a new one) maps them instead of reading every staged row back. A file is used
only when the warehouse still carries its token; a stale, partial or unreadable file, another time
zone or another layout means a read of the table. Where: ``KINERJA_SNAPSHOT_DIR`` (default
``data/cache/staged``), a folder per warehouse named by a hash of its URL; empty: no files. They hold
what staging holds (pseudonyms, never a NIP) and can be deleted at any time.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import tempfile
import threading
import weakref
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from kinerja.extracts import Extract, registry
from kinerja.warehouse.frames import staged_columns

FILES_ENV = "KINERJA_SNAPSHOT_DIR"
DEFAULT_DIR = "data/cache/staged"
FRAME_LAYOUT = 2  # how a frame holds its columns (2: the lineage columns are categoricals)
TOKEN, TIMEZONE, LAYOUT = b"kinerja.staging_token", b"kinerja.timezone", b"kinerja.layout"


@dataclass(frozen=True)
class Held:
    token: str
    tz: str
    frame: pd.DataFrame
    on_disk: bool = False  # its file holds this token


_HELD: weakref.WeakKeyDictionary[sa.Engine, dict[str, Held]] = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()


def find(engine: sa.Engine, extract: Extract, token: str, tz: str | None = None) -> Held | None:
    """The frame of ``token`` (read in ``tz``, when given): the one the engine holds, else its file."""
    with _LOCK:
        hit = _HELD.get(engine, {}).get(extract.id)
    if hit is not None and hit.token == token and tz in (None, hit.tz):
        return hit
    hit = _load(engine, extract, token, tz)
    if hit is not None:
        put(engine, extract.id, hit)
    return hit


def put(engine: sa.Engine, extract_id: str, held: Held) -> None:
    with _LOCK:
        _HELD.setdefault(engine, {})[extract_id] = held


def drop(engine: sa.Engine, extract_id: str) -> None:
    with _LOCK:
        _HELD.get(engine, {}).pop(extract_id, None)


def drop_held_frames(engine: sa.Engine | None = None) -> None:
    """Forget the staged frames of an engine (default: of every engine): the next read of each
    extract reads its file or its table."""
    with _LOCK:
        if engine is None:
            _HELD.clear()
        else:
            _HELD.pop(engine, None)


# -- files for the next process --------------------------------------------------------------------

def _folder(engine: sa.Engine) -> Path | None:
    base = os.environ.get(FILES_ENV, DEFAULT_DIR)
    if not base.strip():
        return None
    url = engine.url.render_as_string(hide_password=False)  # hashed, never stored
    return Path(base).expanduser().resolve() / hashlib.sha256(url.encode()).hexdigest()[:16]


def _layout(extract: Extract) -> bytes:
    return json.dumps({"frame": FRAME_LAYOUT, "columns": staged_columns(extract)}).encode()


def _path(folder: Path, extract_id: str) -> Path:
    return folder / (extract_id.replace("/", "__") + ".arrow")


def save(engine: sa.Engine) -> int:
    """Write the engine's frames whose file does not hold their token yet (a new file renamed over the
    old one: a reader never maps half of one); how many were written. A file that cannot be written is
    skipped: the files only save time."""
    import pyarrow as pa
    import pyarrow.feather as feather

    folder = _folder(engine)
    with _LOCK:
        todo = [(k, v) for k, v in _HELD.get(engine, {}).items() if not v.on_disk]
    known = registry()
    written = 0
    for extract_id, hit in todo:
        if folder is None or extract_id not in known:
            continue
        try:
            folder.mkdir(parents=True, exist_ok=True)
            table = pa.Table.from_pandas(hit.frame, preserve_index=False)
            table = table.replace_schema_metadata({**table.schema.metadata, TOKEN: hit.token.encode(),
                                                   TIMEZONE: hit.tz.encode(), LAYOUT: _layout(known[extract_id])})
            fd, tmp = tempfile.mkstemp(dir=folder, suffix=".tmp")
            os.close(fd)
            try:
                feather.write_feather(table, tmp, compression="uncompressed")
                os.replace(tmp, _path(folder, extract_id))
            finally:
                if os.path.exists(tmp):
                    os.unlink(tmp)
        except (OSError, pa.ArrowException):
            continue
        with _LOCK:
            if _HELD.get(engine, {}).get(extract_id) is hit:
                _HELD[engine][extract_id] = dataclasses.replace(hit, on_disk=True)
        written += 1
    return written


def _load(engine: sa.Engine, extract: Extract, token: str, tz: str | None) -> Held | None:
    import pyarrow as pa
    import pyarrow.feather as feather

    folder = _folder(engine)
    if folder is None or not token:
        return None
    try:
        table = feather.read_table(_path(folder, extract.id), memory_map=True)
    except (OSError, pa.ArrowException):  # missing, partial or not an Arrow file
        return None
    meta = table.schema.metadata or {}
    if meta.get(TOKEN) != token.encode() or meta.get(LAYOUT) != _layout(extract) or (
            tz is not None and meta.get(TIMEZONE) != tz.encode()):
        return None
    return Held(token, meta[TIMEZONE].decode(), table.to_pandas(), on_disk=True)
