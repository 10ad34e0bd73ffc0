"""Run settings: command-line options beat environment variables, which beat defaults."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

LANDING_ENV = "KINERJA_LANDING_DIR"
WAREHOUSE_ENV = "KINERJA_WAREHOUSE_URL"
DEFAULT_LANDING = "data/landing"
DEFAULT_WAREHOUSE = "sqlite:///data/warehouse.db"


@dataclass(frozen=True)
class Settings:
    landing_dir: Path
    warehouse_url: str


def resolve(landing_dir: str | None = None, warehouse_url: str | None = None) -> Settings:
    landing = landing_dir or os.environ.get(LANDING_ENV) or DEFAULT_LANDING
    url = warehouse_url or os.environ.get(WAREHOUSE_ENV) or DEFAULT_WAREHOUSE
    return Settings(Path(landing).expanduser().resolve(), url)


# What one landing file may cost (docs/operations.md, "Limits on landing files"): a file past a limit
# fails its extract with a sentence naming the limit and its setting, before it is parsed. The
# defaults are several times the largest file of a province-wide month.
@dataclass(frozen=True)
class Limit:
    env: str
    default: int
    what: str  # e.g. "MiB of a landing file on disk"

    def value(self) -> int:
        """The limit in force: the environment variable when set (a positive whole number), else the default."""
        text = os.environ.get(self.env, "").strip()
        if not text:
            return self.default
        try:
            value = int(text)
        except ValueError:
            value = 0
        if value <= 0:
            raise ValueError(f"{self.env}={text!r} is not a positive whole number ({self.what})")
        return value


MAX_FILE_MB = Limit("KINERJA_MAX_FILE_MB", 256, "MiB of a landing file on disk")
MAX_XLSX_UNPACKED_MB = Limit("KINERJA_MAX_XLSX_UNPACKED_MB", 128, "MiB of a workbook once unzipped")
MAX_ROWS = Limit("KINERJA_MAX_ROWS", 1_048_576, "rows of a worksheet or Parquet file")
MAX_COLUMNS = Limit("KINERJA_MAX_COLUMNS", 200, "columns of a landing file's header")
LIMITS = (MAX_FILE_MB, MAX_XLSX_UNPACKED_MB, MAX_ROWS, MAX_COLUMNS)
MIB = 1024 * 1024
# A run of another machine cannot be looked at (kinerja.processes): it counts as dead, and is marked
# abandoned, once it started this long ago without ending. Well above the longest run (minutes).
STALE_RUN_HOURS = Limit("KINERJA_STALE_RUN_HOURS", 12, "hours after which a run of another machine that has "
                                                        "not ended counts as dead")


def sqlite_path(url: str | sa.URL) -> Path | None:
    """The absolute path of an SQLite warehouse (a relative one is taken from the current directory,
    as SQLite takes it); None for another database. Raises ``sa.exc.ArgumentError`` on a bad URL."""
    parsed = sa.make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return None
    return Path(os.path.abspath(parsed.database))


def missing_warehouse(url: str | sa.URL) -> str | None:
    """Why a command that only reads the warehouse cannot start: its SQLite file does not exist (the
    message names the file); None otherwise. Reading must never create an empty warehouse."""
    path = sqlite_path(url)
    if path is not None and not path.exists():
        return f"no warehouse at {path} (run `kinerja demo` or `kinerja run` first, or pass --warehouse)"
    return None


def read_only_part(url: str | sa.URL) -> str | None:
    """What is read-only about an SQLite warehouse: its file, or the directory that must take the files
    SQLite writes beside it (``-wal``, ``-shm``; even to read a warehouse in WAL mode); None when both are
    writable (or the file is not created yet in a writable place), or for another database."""
    path = sqlite_path(url)
    if path is None:
        return None
    if path.is_file():
        try:
            os.close(os.open(path, os.O_RDWR))
        except OSError as exc:
            return f"the warehouse {path} is read-only ({exc.strerror})"
    directory = path.parent
    while not directory.exists() and directory != directory.parent:
        directory = directory.parent
    try:  # a probe, gone at once: os.access tells nothing true of a read-only mount, or to root
        with tempfile.TemporaryFile(dir=directory):
            pass
    except OSError as exc:
        return (f"the directory {directory} of the warehouse is read-only ({exc.strerror}), and SQLite writes "
                f"{path.name}-wal and {path.name}-shm there")
    return None


def read_only_warehouse(url: str | sa.URL) -> str | None:
    """Why a command that writes the warehouse cannot (``read_only_part``), as the sentence that refuses
    the run before it starts (instead of retrying "unable to open database file"); None when it can."""
    part = read_only_part(url)
    if part is None:
        return None
    return f"{part}: a run writes the warehouse; make it writable, or pass another --warehouse (KINERJA_WAREHOUSE_URL)"


def check_limits() -> None:
    """Every limit setting in the environment is a positive whole number (ValueError naming the one
    that is not)."""
    for limit in (*LIMITS, STALE_RUN_HOURS):
        limit.value()
