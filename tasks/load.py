"""Tasks: prepare the warehouse, bracket the run in ``pipeline_run``, load results atomically."""

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
def start_run(engine: sa.Engine, run_id: str, flow_name: str, pk_year: int, period: str) -> None:
    warehouse.start_run(engine, run_id, flow_name, pk_year, period)


@task(name="load", cache_policy=NO_CACHE, **DB_RETRY)
def load_results(engine: sa.Engine, pk_year: int, output: pipeline.ComputeOutput,
                 run_id: str) -> warehouse.LoadSummary:
    summary = pipeline.load(engine, pk_year, output, run_id)
    get_run_logger().info("loaded results: %d new, %d changed, %d unchanged, %d kept (computed later)",
                          summary.inserted, summary.changed, summary.unchanged, summary.skipped_newer)
    return summary


@task(name="finish-run", cache_policy=NO_CACHE, **DB_RETRY)
def finish_run(engine: sa.Engine, run_id: str, status: str, message: str | None, outcomes: list) -> None:
    warehouse.finish_run(engine, run_id, status, message, outcomes)
