"""The landing zone as the raw archive: a fetched file lands atomically, with a manifest beside it.

``<landing>/<source>/<YYYY-MM>/<extract>.<ext>`` is the file a run reads; beside it
``<extract>.manifest.json`` says where it came from (source kind, the query or the URL without
credentials), its rows, its sha256 and when it was fetched. The run reads neither the manifest nor
the ``archive/`` folder.

- A fetch writes a temporary file in the month's folder and renames it into place: a run never sees
  half a file.
- A fetched file identical (sha256) to the one in place is dropped: the landed file, its manifest and
  its modification time are left alone.
- A changed file replaces the one in place only after that one (and its manifest) is moved to
  ``archive/<extract>.<its fetch time>.<ext>``: nothing is silently overwritten. A file of the same
  extract with another extension (an operator's ``.xlsx`` before a fetched ``.csv``) is archived the
  same way, so the run never finds two.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from kinerja.periods import Month
from kinerja.readers import EXTENSIONS
from kinerja.safety import UnsafePathError, check_name

ARCHIVE_DIR = "archive"
MANIFEST_SUFFIX = ".manifest.json"


@dataclass(frozen=True)
class Landed:
    status: str  # new | unchanged | replaced
    path: Path  # the landed file
    sha256: str
    archived: list[Path]  # earlier versions moved to the archive by this fetch


def month_folder(landing: Path, source: str, month: Month) -> Path:
    """The month's folder of a source, inside the landing directory (created)."""
    check_name(source, "source")
    root = Path(landing).resolve()
    folder = (root / source / str(month)).resolve()
    if root not in folder.parents:
        raise UnsafePathError(f"{source}/{month} resolves outside the landing directory")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def temp_file(folder: Path, extract: str) -> Path:
    """A new, empty temporary file in ``folder`` (same file system: the final rename is atomic). Its name
    starts with a dot and ends in ``.tmp``: the run never reads it."""
    fd, name = tempfile.mkstemp(prefix=f".{extract}.", suffix=".tmp", dir=folder)
    os.close(fd)
    return Path(name)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def manifest_path(data_file: Path) -> Path:
    return data_file.with_name(data_file.name.rsplit(".", 1)[0] + MANIFEST_SUFFIX)


def read_manifest(data_file: Path) -> dict | None:
    try:
        return json.loads(manifest_path(data_file).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def land(folder: Path, extract: str, ext: str, tmp: Path, manifest: dict, now: datetime | None = None) -> Landed:
    """Put the fetched temporary file ``tmp`` in place as ``<extract>.<ext>`` with its manifest
    (``manifest`` plus file, sha256, bytes and fetched_at), unless the same content is there already."""
    check_name(extract, "extract")
    if ext not in EXTENSIONS:
        raise ValueError(f"unsupported landing file type .{ext} (one of {', '.join(EXTENSIONS)})")
    now = now or datetime.now(UTC)
    target = folder / f"{extract}.{ext}"
    digest = sha256_of(tmp)
    in_place = [folder / f"{extract}.{e}" for e in EXTENSIONS if (folder / f"{extract}.{e}").is_file()]
    if in_place == [target] and sha256_of(target) == digest:
        tmp.unlink()
        return Landed("unchanged", target, digest, [])
    archived = [archive(old, now) for old in in_place]
    record = {**manifest, "file": target.name, "sha256": digest, "bytes": tmp.stat().st_size,
              "fetched_at": now.isoformat(timespec="seconds")}
    os.replace(tmp, target)
    _write_atomically(manifest_path(target), json.dumps(record, indent=2, ensure_ascii=False, default=str) + "\n")
    return Landed("replaced" if archived else "new", target, digest, archived)


def archive(data_file: Path, now: datetime) -> Path:
    """Move a landed file (and its manifest) to ``archive/<extract>.<when it was fetched>.<ext>``."""
    manifest = read_manifest(data_file)
    when = _stamp(manifest.get("fetched_at") if manifest else None, data_file)
    folder = data_file.parent / ARCHIVE_DIR
    folder.mkdir(exist_ok=True)
    stem, ext = data_file.name.rsplit(".", 1)
    target = folder / f"{stem}.{when}.{ext}"
    n = 1
    while target.exists():  # two versions within the same second
        n += 1
        target = folder / f"{stem}.{when}-{n}.{ext}"
    os.replace(data_file, target)
    if manifest_path(data_file).exists():
        os.replace(manifest_path(data_file), manifest_path(target))
    return target


def _stamp(fetched_at: str | None, data_file: Path) -> str:
    """A file-name-safe UTC time: the manifest's fetch time, else the file's modification time."""
    try:
        when = datetime.fromisoformat(fetched_at) if fetched_at else None
    except ValueError:
        when = None
    if when is None:
        when = datetime.fromtimestamp(data_file.stat().st_mtime, UTC)
    return when.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _write_atomically(path: Path, text: str) -> None:
    tmp = temp_file(path.parent, path.name)
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
