"""The monthly job: stage the month's landing files, restate the PK year to date, load.

Run names carry the period (``kinerja-2024-06``) so the Prefect UI reads as a calendar.
An extract that fails costs only the indicators that need it; the run then ends
Failed, after everything else is loaded, so that operations are alerted.
"""

from __future__ import annotations

import uuid

import pandas as pd
from prefect import flow, get_run_logger
from prefect.runtime import flow_run

from flows.reporting import publish_run_artifacts
from kinerja import pipeline
from kinerja.catalog import load_catalog
from kinerja.config import resolve
from kinerja.indicators import base
from kinerja.periods import Month, previous_month
from kinerja.readers import ExtractFileError
from kinerja.warehouse import create_engine, safe_url
from tasks.compute import compute_indicator, read_staged
from tasks.extract import extract_file
from tasks.load import finish_run, load_results, prepare_warehouse, start_run
from tasks.stage import record_failed, stage_rows
from tasks.validate import validate_file


class RunFailed(RuntimeError):
    """The run finished and loaded what it could, but an extract or an indicator failed."""


def resolve_period(period: str | None) -> Month:
    return Month.parse(period) if period else previous_month()


def _run_name() -> str:
    period = flow_run.parameters.get("period")
    return f"kinerja-{period or previous_month()}"


@flow(name="kinerja-monthly", flow_run_name=_run_name, validate_parameters=True)
def monthly(period: str | None = None, landing_dir: str | None = None,
            warehouse_url: str | None = None) -> dict:
    """Run one month (default: the previous month in Asia/Jakarta) and restate its year to date."""
    logger = get_run_logger()
    month = resolve_period(period)
    settings = resolve(landing_dir, warehouse_url)
    catalog = load_catalog(month.year)
    engine = create_engine(settings.warehouse_url)
    run_id = str(flow_run.id or uuid.uuid4())
    logger.info("period %s, landing %s, warehouse %s", month, settings.landing_dir,
                safe_url(settings.warehouse_url))

    prepare_warehouse(engine, catalog)
    start_run(engine, run_id, "kinerja-monthly", catalog.pk_year, str(month))

    outcomes = []
    for ext in pipeline.needed_extracts(catalog):
        raw = None
        try:
            raw = extract_file(settings.landing_dir, ext, month)
            validated = validate_file(raw, ext, catalog, month)
            outcomes.append(stage_rows(engine, ext, raw, validated, month, run_id, catalog.pk_year))
        except ExtractFileError as exc:
            outcomes.append(record_failed(engine, ext, month, run_id, catalog.pk_year, exc, raw))
    failed_extracts = {o.extract_id: o.message for o in outcomes if o.status == "failed"}

    windows = pipeline.run_windows(catalog, month)
    indicators = pipeline.implemented_indicators(catalog)
    inputs = read_staged(engine, catalog, [e.id for e in pipeline.needed_extracts(catalog)])
    results, components, failed_indicators = [], [], {}
    for ind in indicators:
        try:
            res, comp = compute_indicator(ind, inputs, windows, catalog.pk_year)
        except Exception as exc:  # one broken formula must not stop the others
            failed_indicators[ind.no] = f"{type(exc).__name__}: {exc}"
            res, comp = base.no_data(ind, windows, catalog.pk_year)
            res = res.iloc[0:0]  # keep the last good values rather than blanking the year
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

    message = None
    if failed_extracts or failed_indicators:
        parts = [f"extract {k}: {v}" for k, v in failed_extracts.items()]
        parts += [f"indicator {k}: {v}" for k, v in sorted(failed_indicators.items())]
        message = f"kinerja {month}: " + "; ".join(parts)
    finish_run(engine, run_id, "failed" if message else "completed", message, outcomes)
    publish_run_artifacts(engine, catalog, month, run_id, outcomes, message)
    result = {"period": str(month), "run_id": run_id, "failed_extracts": failed_extracts,
              "failed_indicators": failed_indicators, "loaded": summary.__dict__}
    engine.dispose()
    if message:
        logger.error(message)
        raise RunFailed(message)
    return result
