"""Where the project's own data files live (catalog, DDL)."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CATALOG_DIR = ROOT / "catalog"
SQL_DIR = ROOT / "sql"
