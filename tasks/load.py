"""Tasks: prepare the warehouse, start the run in ``pipeline_run``, load results and the run's end atomically."""

from collections.abc import Callable

import sqlalchemy as sa
from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE

from kinerja import pipeline, warehouse
from kinerja.catalog import Catalog
from tasks.retries import DB_RETRY

# Every task here talks to the warehouse only: a lost connection or a busy database is retried
# with backoff; an integrity or SQL error fails at once (retrying it would only delay the alert).


@task(name="prepare-warehouse", cache_policy=NO_CACHE, **DB_RETRY)
def prepare_warehouse(engine: sa.Engine, catalog: Catalog) -> None:
    pipeline.prepare_warehouse(engine, catalog)


@task(name="start-run", cache_policy=NO_CACHE, **DB_RETRY)
def start_run(engine: sa.Engine, run_id: str, flow_name: str, pk_year: int, period: str) -> list[str]:
    return warehouse.start_run(engine, run_id, flow_name, pk_year, period)


@task(name="load", cache_policy=NO_CACHE, **DB_RETRY)
def load_results(engine: sa.Engine, pk_year: int, output: pipeline.ComputeOutput, run_id: str,
                 also: Callable[[sa.Connection], None] | None = None) -> warehouse.LoadSummary:
    """The results and, through ``also``, the run's end: one transaction, retried as a whole."""
    summary = pipeline.load(engine, pk_year, output, run_id, also)
    get_run_logger().info("loaded results: %d new, %d changed, %d unchanged, %d kept (computed later)",
                          summary.inserted, summary.changed, summary.unchanged, summary.skipped_newer)
    return summary
