"""``files``: the export a source system drops on a share, copied as it is.

The source's ``url`` is a directory (``/mnt/exports/sipd``) or an fsspec URL: ``file://``,
``sftp://user@host:22/path`` (sshfs), ``smb://host/share/path``, ``s3://bucket/prefix``; ``options``
are passed to the file system (credentials as references, ``kinerja.fetch.secrets``), and a
``password`` reference becomes the file system's ``password``. Each extract has a ``pattern`` relative
to the url with the month's placeholders (``{period}``, ``{yyyy}``, ``{mm}``, ``{yyyymm}``, e.g.
``spj_{yyyymm}_*.csv``); of the files it matches, the newest (modification time, then name) is the
month's export. Its extension becomes the landing file's.
"""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path
from typing import Any

import fsspec

from kinerja.fetch.common import Fetched, FetchError, period_values
from kinerja.fetch.config import ExtractSource, Source
from kinerja.readers import EXTENSIONS
from kinerja.safety import redact

TRANSIENT = (ConnectionError, TimeoutError)


def open_share(source: Source, credentials: dict[str, str]) -> tuple[fsspec.AbstractFileSystem, str]:
    """The file system of the share and the directory path on it."""
    options: dict[str, Any] = dict(source.options.get("options", {}))
    for key, value in credentials.items():
        options[key.removeprefix("options.")] = value
    options.setdefault("skip_instance_cache", True)  # its own connection, closed when the fetch is done
    url = str(source.options["url"])
    fs, root = fsspec.core.url_to_fs(url, **options)
    return fs, root.rstrip("/") or "/"


def is_transient(exc: BaseException) -> bool:
    """A share that does not answer (refused, reset, timed out); not a missing file or a refused login."""
    if isinstance(exc, FileNotFoundError | PermissionError):
        return False
    if isinstance(exc, TRANSIENT):
        return True
    try:
        import asyncssh

        if isinstance(exc, asyncssh.PermissionDenied):
            return False
        return isinstance(exc, asyncssh.ConnectionLost | asyncssh.DisconnectError)
    except ImportError:  # pragma: no cover - sshfs brings asyncssh
        return False


def newest(fs: fsspec.AbstractFileSystem, root: str, pattern: str) -> tuple[str, dict]:
    """The newest file matching ``pattern`` under ``root`` (FetchError when none does)."""
    found = [p for p in fs.glob(f"{root}/{pattern}") if fs.isfile(p)]
    if not found:
        raise FetchError(f"no file matches {pattern!r}")
    infos = [(path, fs.info(path)) for path in found]
    return max(infos, key=lambda item: (_mtime(item[1]), item[0]))


def _mtime(info: dict) -> float:
    for key in ("mtime", "LastModified", "last_modified", "modified", "created"):
        value = info.get(key)
        if isinstance(value, datetime):
            return value.timestamp()
        if isinstance(value, int | float):
            return float(value)
    return 0.0


def fetch(fs: fsspec.AbstractFileSystem, root: str, source: Source, extract: ExtractSource, month, tmp: Path,
          deadline_day: int, tz: str) -> Fetched:
    values = period_values(month, deadline_day, tz)
    try:
        pattern = extract.options["pattern"].format(**values)
    except (KeyError, IndexError, ValueError) as exc:
        raise FetchError(f"pattern {extract.options['pattern']!r}: unknown placeholder {exc}") from None
    if ".." in pattern.replace("\\", "/").split("/") or pattern.startswith(("/", "\\")):
        raise FetchError(f"pattern {pattern!r} leaves the share's directory")
    path, info = newest(fs, root, pattern)
    ext = path.rsplit(".", 1)[-1].lower() if "." in path.rsplit("/", 1)[-1] else ""
    if ext not in EXTENSIONS:
        raise FetchError(f"{path.rsplit('/', 1)[-1]}: not a landing file type ({', '.join(EXTENSIONS)})")
    with fs.open(path, "rb") as remote, open(tmp, "wb") as local:
        shutil.copyfileobj(remote, local, 1 << 20)
    where = redact(str(source.options["url"])).rstrip("/") + "/" + path[len(root):].lstrip("/")
    modified = _mtime(info)
    return Fetched(ext, count_rows(tmp, ext), {"url": where, "pattern": pattern, "size": info.get("size"),
                               "modified_at": datetime.fromtimestamp(modified).astimezone().isoformat(
                                   timespec="seconds") if modified else None})


def count_rows(path: Path, ext: str) -> int | None:
    """Records after the header line of a CSV, rows of a Parquet file or a JSON list; None for a
    workbook (its header row may sit below title rows: the run counts it)."""
    try:
        if ext == "csv":
            import csv
            import io

            from kinerja.readers import decode

            text, _ = decode(path.read_bytes())
            return max(sum(1 for row in csv.reader(io.StringIO(text)) if any(c.strip() for c in row)) - 1, 0)
        if ext == "parquet":
            import pyarrow.parquet as pq

            return pq.ParquetFile(path).metadata.num_rows
        if ext == "json":
            import json

            data = json.loads(path.read_bytes())
            return len(data) if isinstance(data, list) else None
    except Exception:  # the run says what is wrong with the file; the manifest just has no count
        return None
    return None
