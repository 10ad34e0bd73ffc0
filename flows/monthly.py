"""The monthly job: one month through ``kinerja.pipeline.run_month``, its steps as Prefect tasks.

Run names carry the period (``kinerja-2024-06``) so the Prefect UI reads as a calendar. Task runs:
prepare-warehouse, start-run, one ``ingest-<source>-<name>-<month>`` per extract (read, validate,
stage; record-failed-extract when its file cannot be used), track-arrivals, read-staged,
``compute-indicators-<month>`` and load (the results and the run's end, one transaction). What a
failure costs is the pipeline's decision (``run_month``); this flow adds the Prefect side: the
parameters' schema, the tasks' retries (``tasks``), the artifacts (``flows.reporting``), the alert
(``flows.alerts``) and the Failed state (``flows.outcome``).

Parameters are checked before anything else happens (``kinerja.usage.check_parameters``, the command
line's checks): a bad one stops the run with a clear message before any file is opened or any table
is written. Expected failures (bad usage, another pseudonym key than the warehouse's, a failed
extract or indicator) end the run Failed with their message and no traceback; anything else is a
bug: the run is recorded as stopped, and the error raised.
"""

from __future__ import annotations

import uuid
from functools import partial
from typing import Annotated

from prefect import flow, get_run_logger
from prefect.runtime import flow_run
from prefect.states import State
from pydantic import Field

import tasks
from flows import alerts, outcome, reporting
from flows import fetch as fetch_flow
from flows.outcome import RunFailed as RunFailed
from kinerja import keys, pipeline, warehouse
from kinerja.catalog import load_catalog
from kinerja.periods import MONTH_RE, previous_month
from kinerja.usage import BAD_USAGE, check_parameters
from kinerja.warehouse import safe_url

# The parameter schema the deployments publish (descriptions come from the docstrings): the UI
# shows the pattern, and the server refuses a run whose period does not match it, before the
# run even exists. Inside the flow, Month.parse checks again (and the year's range) first thing.
PERIOD_PATTERN = MONTH_RE.pattern
Period = Annotated[str | None, Field(json_schema_extra={"pattern": PERIOD_PATTERN, "examples": ["2024-03"]})]
RequiredPeriod = Annotated[str, Field(json_schema_extra={"pattern": PERIOD_PATTERN, "examples": ["2024-01"]})]


def _run_name() -> str:
    period = flow_run.parameters.get("period")
    return f"kinerja-{period or previous_month()}"


@flow(name=pipeline.FLOW_NAME, flow_run_name=_run_name, validate_parameters=True,
      on_failure=[alerts.on_failure], on_crashed=[alerts.on_crashed])
def monthly(period: Period = None, landing_dir: str | None = None, warehouse_url: str | None = None,
            fetch: bool = False) -> dict | State:
    """Run one month (default: the previous month in Asia/Jakarta) and restate its year to date.

    Args:
        period: The month to run, YYYY-MM (e.g. 2024-03). Empty: the previous month in Asia/Jakarta.
        landing_dir: The landing directory. Empty: KINERJA_LANDING_DIR, else data/landing in the project.
        warehouse_url: SQLAlchemy URL of the warehouse. Empty: KINERJA_WAREHOUSE_URL, else
            sqlite:///data/warehouse.db. Keep passwords out of parameters: set them in the worker's environment.
        fetch: First fetch the month's extracts from the source systems configured in KINERJA_SOURCES
            (the monthly and corrections deployments do); an extract whose source cannot be reached fails.
    """
    logger = get_run_logger()
    try:
        month, settings = check_parameters(period, landing_dir, warehouse_url)
        sources = fetch_flow.configured(fetch)
    except BAD_USAGE as exc:
        return outcome.failed(flow_run.id, exc, logger)
    catalog = load_catalog(month.year)
    run_id = str(flow_run.id or uuid.uuid4())
    logger.info("period %s, landing %s, warehouse %s", month, settings.landing_dir,
                safe_url(settings.warehouse_url))
    failed_fetches = fetch_flow.before_run(sources, month, catalog, settings.landing_dir, logger)
    engine = warehouse.open_engine(settings.warehouse_url)
    try:
        steps = tasks.steps(publish=partial(reporting.publish_month, engine, catalog))
        run = pipeline.run_month(engine, catalog, settings.landing_dir, month, run_id,
                                 fetch_flow.failing_unfetched(steps, failed_fetches), logger)
    except keys.KeyMismatchError as exc:  # another run recorded another key since the parameters were checked
        return outcome.failed(flow_run.id, exc, logger)
    finally:
        warehouse.close_engine(engine)
    return outcome.of_month(flow_run.id, run, logger)
