"""The monthly job: stage the month's landing files, restate the PK year to date, load.

Run names carry the period (``kinerja-2024-06``) so the Prefect UI reads as a calendar.
An extract that fails costs only the indicators that need it; the run then ends
Failed, after everything else is loaded, so that operations are alerted
(``flows.alerts``: a JSON webhook naming the period, the failed extracts and indicators).
Every run, failed or not, publishes its artifacts (``flows.reporting``).

Tasks per run: prepare-warehouse, start-run, one ``ingest-<source>-<name>-<month>`` per
extract (read, validate, stage), read-staged, one ``compute-indicators-<month>``, load and
finish-run (record-failed-extract for a failed extract). A task run costs ~4 ms in the run's
process and ~30 ms of the Prefect server's CPU: a task per step of every extract and per indicator
(~70 a month) cost ~7 s a backfill.

The catalog is passed to tasks as ``quote(catalog)``: Prefect otherwise walks every nested rule,
target and band of it looking for futures, for every task run (~2 s of a backfill).

Parameters are checked before anything else happens: a malformed period, a landing
directory that is not there, a warehouse URL that does not parse, a year without a catalog or
no usable pseudonym key (``kinerja.usage``, the command line's checks) stop the run with a clear
message before any file is opened or any table is written. A key other than the warehouse's is
refused before anything is staged (``kinerja.keys``).

Expected failures (bad usage, a failed extract or indicator) end the run Failed with their
message and no traceback (``flows.outcome``); anything else is a bug and raises.
"""

from __future__ import annotations

import time
import uuid
from typing import Annotated

import pandas as pd
import sqlalchemy as sa
from prefect import flow, get_run_logger
from prefect.artifacts import create_markdown_artifact
from prefect.context import FlowRunContext
from prefect.runtime import flow_run
from prefect.states import State
from prefect.utilities.annotations import quote
from pydantic import Field

from flows import alerts, outcome
from flows.outcome import RunFailed
from flows.reporting import publish_run_artifacts
from kinerja import keys, pipeline, usage, warehouse
from kinerja.catalog import load_catalog
from kinerja.config import Settings, resolve
from kinerja.indicators import base
from kinerja.periods import MONTH_RE, Month, previous_month
from kinerja.readers import ExtractFileError
from kinerja.usage import BAD_USAGE, UsageError
from kinerja.warehouse import safe_url
from tasks.compute import compute_indicators, read_staged
from tasks.ingest import ingest_extract
from tasks.load import finish_run, load_results, prepare_warehouse, start_run
from tasks.stage import record_failed

# The parameter schema the deployments publish (descriptions come from the docstrings): the UI
# shows the pattern, and the server refuses a run whose period does not match it, before the
# run even exists. Inside the flow, Month.parse checks again (and the year's range) first thing.
PERIOD_PATTERN = MONTH_RE.pattern
Period = Annotated[str | None, Field(json_schema_extra={"pattern": PERIOD_PATTERN, "examples": ["2024-03"]})]
RequiredPeriod = Annotated[str, Field(json_schema_extra={"pattern": PERIOD_PATTERN, "examples": ["2024-01"]})]


def resolve_period(period: str | None) -> Month:
    return Month.parse(period) if period else previous_month()


def check_parameters(period: str | None, landing_dir: str | None, warehouse_url: str | None,
                     months: list[Month] | None = None) -> tuple[Month, Settings]:
    """Validate the run's parameters before any file is opened or any table written (raises one of
    ``kinerja.usage.BAD_USAGE``). ``months``: every month the run covers (a backfill's), default ``period``."""
    month = resolve_period(period)
    settings = resolve(landing_dir, warehouse_url)
    if not settings.landing_dir.is_dir():
        what = "is not a directory" if settings.landing_dir.exists() else "does not exist"
        raise UsageError(f"landing directory {settings.landing_dir} {what} (parameter landing_dir, "
                         f"or KINERJA_LANDING_DIR)")
    try:
        url = sa.make_url(settings.warehouse_url)
    except sa.exc.ArgumentError:
        raise UsageError("warehouse URL does not parse as a SQLAlchemy URL (parameter warehouse_url, "
                         "or KINERJA_WAREHOUSE_URL), e.g. sqlite:///data/warehouse.db") from None
    if warehouse_url and sa.make_url(warehouse_url).password:
        # a flow parameter is stored and shown by Prefect: credentials only come from the environment
        raise UsageError(f"parameter warehouse_url carries a password ({safe_url(url)}): pass credentials "
                         "through KINERJA_WAREHOUSE_URL in the worker's environment instead")
    usage.check_run(months or [month], defaulted=not period)
    return month, settings


def _run_name() -> str:
    period = flow_run.parameters.get("period")
    return f"kinerja-{period or previous_month()}"


@flow(name="kinerja-monthly", flow_run_name=_run_name, validate_parameters=True,
      on_failure=[alerts.on_failure], on_crashed=[alerts.on_crashed])
def monthly(period: Period = None, landing_dir: str | None = None, warehouse_url: str | None = None
            ) -> dict | State:
    """Run one month (default: the previous month in Asia/Jakarta) and restate its year to date.

    Args:
        period: The month to run, YYYY-MM (e.g. 2024-03). Empty: the previous month in Asia/Jakarta.
        landing_dir: The landing directory. Empty: KINERJA_LANDING_DIR, else data/landing in the project.
        warehouse_url: SQLAlchemy URL of the warehouse. Empty: KINERJA_WAREHOUSE_URL, else
            sqlite:///data/warehouse.db. Keep passwords out of parameters: set them in the worker's environment.
    """
    logger = get_run_logger()
    try:
        month, settings = check_parameters(period, landing_dir, warehouse_url)
    except BAD_USAGE as exc:
        return outcome.failed(flow_run.id, exc, logger)
    catalog = load_catalog(month.year)
    engine = warehouse.open_engine(settings.warehouse_url)
    run_id = str(flow_run.id or uuid.uuid4())
    logger.info("period %s, landing %s, warehouse %s", month, settings.landing_dir,
                safe_url(settings.warehouse_url))

    outcomes = []
    needed = pipeline.needed_extracts(catalog)
    try:
        prepare_warehouse(engine, quote(catalog))
        if usage.needs_personal_data(catalog):  # records the key, or refuses another one, before staging
            keys.claim(engine, usage.usable_key(), run_id)
        start_run(engine, run_id, "kinerja-monthly", catalog.pk_year, str(month))
        for ext in needed:
            try:
                outcomes.append(ingest_extract(engine, quote(catalog), settings.landing_dir, ext, month, run_id))
            except ExtractFileError as exc:
                outcomes.append(record_failed(engine, ext, month, run_id, catalog.pk_year, exc,
                                              getattr(exc, "raw", None)))
        failed_extracts = {o.extract_id: o.message for o in outcomes if o.status == "failed"}

        windows = pipeline.run_windows(catalog, month)
        indicators = pipeline.implemented_indicators(catalog)
        inputs = read_staged(engine, quote(catalog), [e.id for e in needed])
        computed, failed_indicators = compute_indicators(quote(indicators), inputs, windows, catalog.pk_year,
                                                         str(month))
        results, components = [], []
        for ind in indicators:
            if ind.no in computed:
                res, comp = computed[ind.no]
            else:  # its formula raised: keep the last good values rather than blanking the year
                res, comp = base.no_data(ind, windows, catalog.pk_year)
                res = res.iloc[0:0]
            missing = [e for e in ind.extracts if e in failed_extracts]
            if missing:
                failed_indicators[ind.no] = "extract failed: " + ", ".join(missing)
                res, comp = pipeline.blank_for_failed(ind, windows, month, catalog.pk_year, res, comp)
            results.append(res)
            components.append(comp)
        plan_inputs = {k: v for k, v in inputs.items() if k not in failed_extracts}
        output = pipeline.ComputeOutput(pd.concat(results, ignore_index=True),
                                        pd.concat(components, ignore_index=True), sorted(failed_indicators),
                                        pipeline.compute_action_plan(catalog, plan_inputs, windows))
        summary = load_results(engine, catalog.pk_year, output, run_id)
    except keys.KeyMismatchError as exc:  # another run recorded another key since the parameters were checked
        warehouse.close_engine(engine)
        return outcome.failed(flow_run.id, exc, logger)
    except Exception as exc:
        # Stopped before the end (the warehouse went away after its retries, a bug): say so in
        # pipeline_run and in the artifacts, then fail with the original error.
        message = alerts.redact(f"kinerja {month}: run stopped: {type(exc).__name__}: {exc}",
                                settings.warehouse_url)
        _finish_quietly(engine, catalog, month, run_id, outcomes, message)
        raise

    message = None
    if failed_extracts or failed_indicators:
        parts = [f"extract {k}: {v}" for k, v in failed_extracts.items()]
        parts += [f"indicator {k}: {v}" for k, v in sorted(failed_indicators.items())]
        message = f"kinerja {month}: " + "; ".join(parts)
    finish_run(engine, run_id, "failed" if message else "completed", message, outcomes)
    _publish(engine, catalog, month, run_id, outcomes, message, inputs)
    if not _is_subflow():  # a backfill saves once, at its end
        save_snapshots(engine)
    result = {"period": str(month), "run_id": run_id, "failed_extracts": failed_extracts,
              "failed_indicators": failed_indicators, "loaded": summary.__dict__}
    warehouse.close_engine(engine)
    if message:
        names = {ind.no: ind.short_name for ind in indicators if ind.no in failed_indicators}
        return outcome.failed(flow_run.id, RunFailed(
            message, period=str(month), failed_extracts=failed_extracts, failed_indicators=failed_indicators,
            indicator_names=names), logger)
    return result


def _is_subflow() -> bool:
    ctx = FlowRunContext.get()
    return ctx is not None and ctx.flow_run is not None and ctx.flow_run.parent_task_run_id is not None


def save_snapshots(engine: sa.Engine) -> None:
    """Leave the staged year on the worker's disk for the next run's process (kinerja.snapshots).
    A snapshot is an optimisation: a problem writing one is logged, never fails the run."""
    logger = get_run_logger()
    started = time.perf_counter()
    try:
        written = warehouse.save_snapshots(engine)
    except Exception as exc:
        logger.warning("staged-data snapshots not saved: %s: %s", type(exc).__name__, exc)
        return
    logger.info("saved %d staged-data snapshot(s) in %.1f s", written, time.perf_counter() - started)


def _publish(engine, catalog, month, run_id, outcomes, message, staged=None) -> None:
    """Publish the run's artifacts; a problem publishing them is logged, never hides the run's outcome.

    When the full artifacts cannot be built (the warehouse is unreachable), a short one still
    says what stopped the run and which files were read."""
    try:
        publish_run_artifacts(engine, catalog, month, run_id, outcomes, message, staged)
        return
    except Exception as exc:
        get_run_logger().error("could not publish the run's artifacts: %s: %s", type(exc).__name__,
                               alerts.redact(str(exc), engine.url.render_as_string(hide_password=False)))
    rows = [f"| {o.extract_id} | {o.file or ''} | {o.status} | {o.rows_read} | {o.rows_staged} | "
            f"{o.rows_quarantined} |" for o in outcomes]
    table = "\n".join(["| extract | file | status | read | staged | quarantined |",
                       "|---|---|---|---:|---:|---:|", *rows])
    try:
        create_markdown_artifact(key=f"kinerja-{catalog.pk_year}-run-stopped",
                                 markdown=f"# Kinerja {month}: run stopped\n\n**Failed:** {message}\n\n"
                                          f"## Rows per extract so far\n\n{table}\n",
                                 description=f"Run {run_id} stopped before loading")
    except Exception as exc:
        get_run_logger().error("could not publish even the short artifact: %s", type(exc).__name__)


def _finish_quietly(engine, catalog, month, run_id, outcomes, message) -> None:
    """Record a run that stopped early as failed (no retries: the error is already final)."""
    try:
        warehouse.finish_run(engine, run_id, "failed", message, outcomes)
    except Exception as exc:
        get_run_logger().error("could not record the failed run in pipeline_run: %s", type(exc).__name__)
    _publish(engine, catalog, month, run_id, outcomes, message)
    warehouse.close_engine(engine)
