"""Task: survey the landing files of the year to date and record their arrival (``landing_arrival``)."""

from pathlib import Path

import sqlalchemy as sa
from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE

from kinerja import arrival, pipeline
from kinerja.catalog import Catalog
from kinerja.periods import Month
from tasks.retries import IO_OR_DB_RETRY


@task(name="track-arrivals", task_run_name="track-arrivals-{month}", cache_policy=NO_CACHE, **IO_OR_DB_RETRY)
def track_arrivals(engine: sa.Engine, catalog: Catalog, landing: Path, month: Month,
                   outcomes: list) -> arrival.RunArrivals:
    found = pipeline.track_arrivals(engine, catalog, landing, month, outcomes)
    overdue = [c for c in found.cells if c.status in arrival.OVERDUE]
    if overdue:
        get_run_logger().warning("landing files late or missing: %s", ", ".join(
            f"{c.extract_id} {c.month} ({c.status})" for c in overdue))
    return found
