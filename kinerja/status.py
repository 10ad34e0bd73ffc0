"""``kinerja status --period YYYY-MM``: which landing files of the PK year arrived, when, and which are
late or missing, as a matrix of extracts by month (January to the period).

It reads the landing directory and what the runs recorded in ``landing_arrival`` (when a file was first
seen, its versions). It writes one thing: a run whose process died before it ended (killed outright) is
marked ``abandoned`` (``warehouse.abandon_dead_runs``), and said so on stderr. A warehouse that does not
exist yet is not created; a read-only one is only read.
"""

from __future__ import annotations

import sys

from kinerja import arrival, pipeline, warehouse
from kinerja.catalog import load_catalog
from kinerja.config import missing_warehouse, read_only_part, resolve
from kinerja.periods import Month, previous_month
from kinerja.usage import UsageError, check_settings


def cells(catalog, landing, through: Month, warehouse_url: str | None,
          abandoned: list[str] | None = None) -> list[arrival.Arrival]:
    """The arrival matrix of the PK year to ``through``, from the landing directory and the warehouse;
    the runs this marks abandoned are added to ``abandoned``, a line each."""
    recorded = {}
    if warehouse_url and missing_warehouse(warehouse_url) is None:
        engine = warehouse.create_engine(warehouse_url)
        try:
            if abandoned is not None and read_only_part(warehouse_url) is None:
                abandoned += warehouse.abandon_dead_runs(engine, "kinerja status")
            recorded = arrival.recorded(engine, catalog.pk_year)
        finally:
            engine.dispose()
    return arrival.survey(catalog, pipeline.needed_extracts(catalog), landing, through, recorded)


def render(found: list[arrival.Arrival], catalog, through: Month, fmt: str) -> str:
    title = arrival.title(catalog, through)
    if fmt == "json":
        return arrival.as_json(found)
    if fmt == "md":
        return arrival.markdown(found, title)
    return arrival.text(found, title)


def cli(args) -> int:
    """Print the matrix; exit status 0 (it answers; late and missing files are in what it prints), 2 for
    a malformed setting."""
    try:
        check_settings()  # KINERJA_STALE_RUN_HOURS
    except UsageError as exc:
        print(f"kinerja status: {exc}", file=sys.stderr)
        return 2
    settings = resolve(args.landing, args.warehouse)
    month = args.period or previous_month()
    catalog = load_catalog(month.year)
    abandoned: list[str] = []
    found = cells(catalog, settings.landing_dir, month, settings.warehouse_url, abandoned)
    for line in abandoned:
        print(f"kinerja status: {line}", file=sys.stderr)
    sys.stdout.write(render(found, catalog, month, args.format).rstrip("\n") + "\n")
    return 0
