"""Run settings: command-line options beat environment variables, which beat defaults."""

from __future__ import annotations

import os
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
