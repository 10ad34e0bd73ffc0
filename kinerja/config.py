"""Run settings: command-line options beat environment variables, which beat defaults."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

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
