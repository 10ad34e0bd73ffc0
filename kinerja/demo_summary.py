"""What ``kinerja demo`` prints once its year is loaded: the scorecard, whose agreement it is, how far
the data go, where the warehouse and the full log are, and the commands to try next."""

from __future__ import annotations

import shlex
from pathlib import Path

import sqlalchemy as sa

from kinerja import scorecard, warehouse
from kinerja.catalog import load_catalog
from kinerja.config import Settings, sqlite_path

SCORECARD_SQL = ("SELECT indicator_no, indicator, year_target, round(year_realisasi, 2) AS realisasi, "
                 "round(year_capaian, 2) AS capaian, year_status FROM v_scorecard WHERE pk_year = {year} "
                 "ORDER BY indicator_no;")


def where(url: str) -> str:
    """The warehouse for a reader: the absolute path of an SQLite file, else the URL without password."""
    path = sqlite_path(url)
    return str(path) if path is not None else warehouse.safe_url(url)


def log_path(settings: Settings) -> Path:
    """``logs/demo.log`` beside the SQLite warehouse (else beside the landing directory)."""
    path = sqlite_path(settings.warehouse_url)
    return (path.parent if path is not None else settings.landing_dir.parent) / "logs" / "demo.log"


def _one(engine: sa.Engine, sql: str, year: int):
    return warehouse.query(engine, sql, y=year).iloc[0, 0]


def next_commands(year: int, through: str | None, settings: Settings, landing_given: bool,
                  warehouse_given: bool) -> list[tuple[str, str]]:
    """(command, what it does); the demo's --landing / --warehouse are repeated when it was given them."""
    path = sqlite_path(settings.warehouse_url)
    wh = ""
    if warehouse_given:
        wh = f" --warehouse {shlex.quote(f'sqlite:///{path}' if path else warehouse.safe_url(settings.warehouse_url))}"
    land = f" --landing {shlex.quote(str(settings.landing_dir))}" if landing_given else ""
    month = through or f"{year}-12"
    query = SCORECARD_SQL.format(year=year)
    return [
        (f"kinerja report --year {year} --format xlsx --out pk-{year}.xlsx{wh}",
         "the scorecard as a spreadsheet (or --format html, md)"),
        (f"sqlite3 {shlex.quote(str(path))} {shlex.quote(query)}" if path is not None else query,
         "the year in SQL, from the view v_scorecard"),
        (f"kinerja quality --period {month}{wh}", "what that month's files gave, and which rows were "
                                                  "quarantined and why"),
        (f"kinerja status --period {month}{land}{wh}", "which landing files arrived, when, and which were late "
                                                       "or missing"),
        (f"kinerja run --period {month}{land}{wh}", "run a month again: safe, unchanged values stay as they are"),
        ("kinerja --help", "the settings, the pseudonym key, the exit status"),
    ]


def arrivals(planted) -> list[str]:
    """What the demo planted for ``kinerja status`` to show (kinerja.demo.plant_arrivals)."""
    (late_id, late_month, late_at), (miss_id, miss_month, miss_at) = planted.late, planted.missing
    return [f"arrivals: {late_id} {late_month} landed late ({late_at:%Y-%m-%d}); {miss_id} {miss_month} was "
            f"missing when {miss_month} first ran,",
            f"  landed late ({miss_at:%Y-%m-%d}), and `kinerja backfill --only-failed` ran {miss_month} again"]


def text(settings: Settings, year: int, completed: bool, log: Path, landing_given: bool = False,
         warehouse_given: bool = False, planted=None) -> str:
    engine = warehouse.create_engine(settings.warehouse_url)
    try:
        card = scorecard.text(scorecard.fetch(engine, year), year)
        through = _one(engine, "SELECT MAX(as_of_month) FROM indicator_result WHERE pk_year = :y", year)
        quarantined = int(_one(engine, "SELECT COUNT(*) FROM quarantine WHERE pk_year = :y", year) or 0)
    finally:
        engine.dispose()
    agency = load_catalog(year).agency
    lines = [card.rstrip(), "",
             f"{agency}: PK {year}, data through {through or 'no month yet'}",
             "backfill: completed" if completed else f"backfill: FAILED for some month; the log says why: {log}",
             f"warehouse: {where(settings.warehouse_url)}",
             f"quarantined: {quarantined} rows (the demo plants defective rows on purpose)",
             *(arrivals(planted) if planted is not None else []),
             f"full log of the run: {log}", "", "next:"]
    commands = next_commands(year, through, settings, landing_given, warehouse_given)
    for command, what in commands:
        lines += [f"  # {what}", f"  {command}"]
    return "\n".join(lines)
