"""``kinerja status --period YYYY-MM``: which landing files of the PK year arrived, when, and which are
late or missing, as a matrix of extracts by month (January to the period).

It reads the landing directory and what the runs recorded in ``landing_arrival`` (when a file was first
seen, its versions), and writes nothing: a warehouse that does not exist yet is not created.
"""

from __future__ import annotations

import sys

from kinerja import arrival, pipeline, warehouse
from kinerja.catalog import load_catalog
from kinerja.config import missing_warehouse, resolve
from kinerja.periods import Month, previous_month


def cells(catalog, landing, through: Month, warehouse_url: str | None) -> list[arrival.Arrival]:
    """The arrival matrix of the PK year to ``through``, from the landing directory and the warehouse."""
    recorded = {}
    if warehouse_url and missing_warehouse(warehouse_url) is None:
        engine = warehouse.create_engine(warehouse_url)
        try:
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
    """Print the matrix; exit status 0 (it answers; late and missing files are in what it prints)."""
    settings = resolve(args.landing, args.warehouse)
    month = args.period or previous_month()
    catalog = load_catalog(month.year)
    found = cells(catalog, settings.landing_dir, month, settings.warehouse_url)
    sys.stdout.write(render(found, catalog, month, args.format).rstrip("\n") + "\n")
    return 0
