"""A monthly run as plain functions: each extract ingested (read, validated, staged: ``kinerja.ingestion``),
every indicator computed, the results loaded; and what is published.

``run_month`` runs a month and decides what a failure costs: an extract that fails blanks only the
indicators that need it, for the windows that include the month; a formula that raises keeps its
indicator's last loaded values (``publication``). It takes its steps as parameters (``Steps``): tests
pass the plain functions, the flow the same functions wrapped as Prefect tasks (``tasks.steps``).
"""

from __future__ import annotations

import contextvars
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from logging import Logger, LoggerAdapter
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from kinerja import arrival, ingestion, keys, usage, warehouse
from kinerja import extracts as extract_registry
from kinerja.catalog import ON_CHANGE, Catalog, Indicator
from kinerja.extracts import Extract
from kinerja.indicators import base
from kinerja.indicators import registry as indicator_registry
from kinerja.periods import Month, Window, windows_to_date
from kinerja.readers import ExtractFileError, MissingFileError, locate
from kinerja.safety import redact
from kinerja.scorecard import id_number

RENCANA_AKSI = "rencana_aksi"
LOG = logging.getLogger(__name__)
Log = Logger | LoggerAdapter  # a Prefect run logger is an adapter


def implemented_indicators(catalog: Catalog) -> list[Indicator]:
    """The catalog's indicators that have a formula module."""
    modules = indicator_registry()
    return [ind for ind in catalog.indicators.values() if ind.code in modules]


def needed_extracts(catalog: Catalog) -> list[Extract]:
    ids: list[str] = []
    for ind in implemented_indicators(catalog):
        ids += [e for e in ind.extracts if e not in ids]
    known = extract_registry.registry()
    extra = [e for e in known if e.endswith(f"/{RENCANA_AKSI}") and e not in ids]
    return [known[e] for e in ids + extra if e in known]


def ingest(engine: sa.Engine, catalog: Catalog, landing: Path, ext: Extract, month: Month, run_id: str,
           steps: Steps | None = None) -> warehouse.ExtractOutcome:
    """One extract of a month as ``run_month`` takes it: staged, or its file-level failure recorded.
    An ``on_change`` extract without a file this month keeps its latest version (``keep_latest``)."""
    steps = steps or Steps()
    if catalog.cadence(ext.id) == ON_CHANGE:  # a month without its file is no failure: no failed task run
        try:
            locate(landing, ext.source, month, ext.name)
        except MissingFileError as exc:
            return keep_latest(engine, catalog, landing, ext, month, run_id, steps, exc)
        except ExtractFileError:
            pass  # ingesting it fails the same way, and records why
    try:
        return steps.ingest(engine, catalog, landing, ext, month, run_id)
    except MissingFileError as exc:
        return steps.record_failed(engine, ext, month, run_id, catalog.pk_year, exc, None)
    except ExtractFileError as exc:
        return steps.record_failed(engine, ext, month, run_id, catalog.pk_year, exc, getattr(exc, "raw", None))


def ingest_threads(engine: sa.Engine) -> int:
    """Extracts ingested at a time. PostgreSQL: two, so that while the server writes one file's rows the
    next file is read and validated (the backfill target is missed one at a time). SQLite: one; it has a
    single writer, and a second thread measured slower (more CPU, a longer run)."""
    return 2 if warehouse.is_postgres(engine) else 1


def ingest_all(engine: sa.Engine, catalog: Catalog, landing: Path, needed: list[Extract], month: Month,
               run_id: str, steps: Steps, outcomes: list[warehouse.ExtractOutcome]) -> None:
    """``ingest`` of every extract, the outcomes appended to ``outcomes`` in the order of ``needed`` (a run
    that stops still says which files it had taken). ``ingest_threads`` at a time, the largest files first
    (``ingestion.largest_first``), each in a copy of the caller's context (so that a Prefect task run
    belongs to the caller's flow run). On an error no further extract starts; those under way finish, and
    the error is raised."""
    threads = ingest_threads(engine)
    if threads == 1:
        for ext in needed:
            outcomes.append(ingest(engine, catalog, landing, ext, month, run_id, steps))
        return
    order = ingestion.largest_first(landing, needed, month)
    with ThreadPoolExecutor(max_workers=threads, thread_name_prefix="ingest") as pool:
        futures = {ext.id: pool.submit(contextvars.copy_context().run, ingest, engine, catalog, landing, ext, month,
                                       run_id, steps) for ext in order}
        try:
            for ext in order:
                futures[ext.id].result()
        except BaseException:
            pool.shutdown(cancel_futures=True)
            raise
        finally:
            outcomes.extend(f.result() for f in (futures[ext.id] for ext in needed)
                            if f.done() and not f.cancelled() and f.exception() is None)


KEPT = "kept"  # pipeline_run_extract.status of an on_change extract whose earlier file stands


def keep_latest(engine: sa.Engine, catalog: Catalog, landing: Path, ext: Extract, month: Month, run_id: str,
                steps: Steps, missing: MissingFileError) -> warehouse.ExtractOutcome:
    """An ``on_change`` extract without a file in ``month``: the latest file of the PK year before it
    stands. It is staged (under its own month) unless that very file is staged already, so a month run
    on its own computes what a run after every earlier month would. Without any file of the PK year
    by ``month`` the extract is missing, and the message says so."""
    latest = arrival.latest_landed(landing, ext, month)
    if latest is None:
        first = Month(month.year, 1)
        since = f"in {month}" if month == first else f"from {first} to {month}"
        error = MissingFileError(f"{missing}; {ext.id} lands on change and no file of it has landed in PK "
                                 f"{catalog.pk_year} {since}", missing.file)
        return steps.record_failed(engine, ext, month, run_id, catalog.pk_year, error, None)
    earlier, path = latest
    rel, sha256 = arrival.relative(landing, path), arrival.checksum(path)
    if not arrival.staged_already(engine, ext.id, str(earlier), sha256):
        try:
            return steps.ingest(engine, catalog, landing, ext, earlier, run_id)
        except ExtractFileError as exc:
            return steps.record_failed(engine, ext, earlier, run_id, catalog.pk_year, exc, getattr(exc, "raw", None))
    outcome = warehouse.ExtractOutcome(ext.id, str(month), rel, sha256, KEPT,
                                       f"no file for {month} (it lands on change): {rel} of {earlier} stands",
                                       0, 0, 0)
    warehouse.record_extract(engine, run_id, catalog.pk_year, outcome, None)
    return outcome


@dataclass
class ComputeOutput:
    results: pd.DataFrame
    components: pd.DataFrame
    failed_indicators: list[int] = field(default_factory=list)
    action_plan_status: pd.DataFrame | None = None


def read_inputs(engine: sa.Engine, catalog: Catalog, extract_ids: list[str]) -> dict[str, pd.DataFrame]:
    known = extract_registry.registry()
    return {e: warehouse.read_staged(engine, known[e], catalog.timezone) for e in extract_ids}


def compute_indicator(indicator: Indicator, inputs: dict[str, pd.DataFrame], windows: list[Window],
                      pk_year: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    module = indicator_registry()[indicator.code]
    computed = module.compute({e: inputs[e] for e in indicator.extracts}, windows, indicator)
    return base.finish(computed, indicator, windows, pk_year)


def compute_indicators(indicators: list[Indicator], inputs: dict[str, pd.DataFrame], windows: list[Window],
                       pk_year: int, month: str | None = None, *, log: Log = LOG
                       ) -> tuple[dict[int, tuple[pd.DataFrame, pd.DataFrame]], dict[int, str]]:
    """Every indicator over every window to date: ``({no: (results, components)}, {no: error})``. A
    formula that raises is logged with its indicator and does not stop the others; each year to date
    is logged as the scorecard prints it. ``month`` only names the run (a task run's name)."""
    computed, errors = {}, {}
    for ind in indicators:
        try:
            results, components = compute_indicator(ind, inputs, windows, pk_year)
        except Exception as exc:  # one broken formula must not stop the others
            errors[ind.no] = f"{type(exc).__name__}: {exc}"
            log.error("indicator %d (%s) failed: %s", ind.no, ind.code, errors[ind.no])
            continue
        computed[ind.no] = (results, components)
        year = results[(results["period_type"] == "year") & (results["unit_code"] == "ALL")]
        if len(year):
            log.info("indicator %d (%s): year to date %s, %s", ind.no, ind.code,
                     id_number(year["value"].iloc[0], ind.decimals), year["status"].iloc[0])
    return computed, errors


def run_windows(catalog: Catalog, as_of: Month) -> list[Window]:
    return windows_to_date(as_of, catalog.collection_deadline_day, catalog.timezone)


def blank_for_failed(indicator: Indicator, windows: list[Window], as_of: Month, pk_year: int,
                     results: pd.DataFrame, components: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """An indicator whose extract failed this month: ``tidak ada data`` for every window
    that includes the month; earlier, complete windows keep their values."""
    touched = [w for w in windows if w.start <= as_of.first_day <= w.end]
    touched_periods = {w.period for w in touched}
    blank, _ = base.no_data(indicator, touched, pk_year)
    kept = results[~results["period"].isin(touched_periods)]
    kept_components = components[~components["period"].isin(touched_periods)]
    return pd.concat([kept, blank], ignore_index=True), kept_components


def compute_action_plan(catalog: Catalog, inputs: dict[str, pd.DataFrame], windows: list[Window]
                        ) -> pd.DataFrame | None:
    """Status of every rencana aksi output per period, when its extract is defined and staged."""
    ids = [e for e in inputs if e.endswith(f"/{RENCANA_AKSI}")]
    if not ids:
        return None
    from kinerja import rencana_aksi

    return rencana_aksi.compute(inputs[ids[0]], catalog, windows)


def load(engine: sa.Engine, pk_year: int, output: ComputeOutput, run_id: str,
         also: Callable[[sa.Connection], None] | None = None) -> warehouse.LoadSummary:
    """Load the results; ``also`` writes in the same transaction (``run_month``: the run's end)."""
    return warehouse.load_results(engine, pk_year, output.results, output.components, run_id,
                                  output.action_plan_status, also)


def track_arrivals(engine: sa.Engine, catalog: Catalog, landing: Path, month: Month,
                   outcomes: list[warehouse.ExtractOutcome]) -> arrival.RunArrivals:
    """Survey the landing files of the year to date, with the versions this run staged, and record them
    (``landing_arrival``); the late or missing files of monthly extracts no alert has named yet."""
    cells = arrival.survey(catalog, needed_extracts(catalog), landing, month,
                           arrival.recorded(engine, catalog.pk_year))
    arrival.record(engine, arrival.staged_by(cells, outcomes))
    return arrival.RunArrivals(cells, arrival.overdue_to_report(cells))


def months_to_rerun(engine: sa.Engine, landing: Path, months: list[Month]) -> dict[str, str]:
    """``{month: why}``: the months of ``months`` whose last run failed (or that never ran), or whose
    landing files arrived late or changed since their last run (``backfill --only-failed``). When an
    earlier month runs again, so does the last month of the range: a run never replaces what a run of a
    later month computed, so the quarters and the year to date are restated by the last month's run."""
    from kinerja.catalog import load_catalog

    warehouse.ensure_schema(engine)
    out: dict[str, str] = {}
    for year in sorted({m.year for m in months}):
        catalog = load_catalog(year)
        of_year = [m for m in months if m.year == year]
        found = arrival.months_to_rerun(engine, catalog, needed_extracts(catalog), landing, of_year)
        if found and str(of_year[-1]) not in found:
            found[str(of_year[-1])] = "the last month of the range: restates the quarters and the year to date"
        out |= found
    return dict(sorted(out.items()))


def prepare_warehouse(engine: sa.Engine, catalog: Catalog) -> None:
    warehouse.ensure_schema(engine)
    warehouse.load_catalog_tables(engine, catalog)


# -- a month, end to end ----------------------------------------------------------------------------

def publication(catalog: Catalog, month: Month, windows: list[Window], indicators: list[Indicator],
                computed: dict[int, tuple[pd.DataFrame, pd.DataFrame]], errors: dict[int, str],
                failed_extracts: dict[str, str], inputs: dict[str, pd.DataFrame]
                ) -> tuple[ComputeOutput, dict[int, str]]:
    """What a run loads, and its failed indicators ``{no: reason}``.

    - A formula that raised: nothing of the indicator is loaded, so it keeps its last loaded values
      (blanking the year for a bug in a formula would hide every good value computed before).
    - An extract that failed: each indicator that needs it is ``tidak ada data`` for every window that
      includes the month; earlier, complete windows keep their values (``blank_for_failed``).
    - The action plan is computed from the extracts that were staged this month.
    """
    failed = dict(errors)
    results, components = [], []
    for ind in indicators:
        if ind.no in computed:
            res, comp = computed[ind.no]
        else:
            res, comp = base.no_data(ind, windows, catalog.pk_year)
            res = res.iloc[0:0]
        missing = [e for e in ind.extracts if e in failed_extracts]
        if missing:
            failed[ind.no] = "extract failed: " + ", ".join(missing)
            res, comp = blank_for_failed(ind, windows, month, catalog.pk_year, res, comp)
        results.append(res)
        components.append(comp)
    plan_inputs = {k: v for k, v in inputs.items() if k not in failed_extracts}
    output = ComputeOutput(pd.concat(results, ignore_index=True), pd.concat(components, ignore_index=True),
                           sorted(failed), compute_action_plan(catalog, plan_inputs, windows))
    return output, failed


def failure_message(month: Month, failed_extracts: dict[str, str], failed_indicators: dict[int, str]) -> str | None:
    """The run's message when something failed (each extract with its reason, then each indicator), else None."""
    parts = [f"extract {k}: {v}" for k, v in failed_extracts.items()]
    parts += [f"indicator {k}: {v}" for k, v in sorted(failed_indicators.items())]
    return f"kinerja {month}: " + "; ".join(parts) if parts else None


@dataclass
class MonthOutcome:
    """What a month's run did. ``message`` is None when every extract staged and every indicator computed;
    ``loaded`` and ``staged`` are None when the run stopped before loading."""

    month: Month
    run_id: str
    extracts: list[warehouse.ExtractOutcome]
    failed_extracts: dict[str, str] = field(default_factory=dict)  # extract id -> message
    failed_indicators: dict[int, str] = field(default_factory=dict)  # indicator no -> reason
    indicator_names: dict[int, str] = field(default_factory=dict)  # of the failed indicators
    loaded: warehouse.LoadSummary | None = None
    staged: dict[str, pd.DataFrame] | None = None  # the staged inputs, for the data-quality report
    message: str | None = None
    arrivals: list[arrival.Arrival] = field(default_factory=list)  # the year's landing files to date
    late_files: list[dict] = field(default_factory=list)  # late or missing files a failed run's alert names

    @property
    def period(self) -> str:
        return str(self.month)


def _nothing(outcome: MonthOutcome) -> None:
    pass


@dataclass
class Steps:
    """The steps ``run_month`` takes, as plain functions. The flow passes the same functions wrapped as
    Prefect tasks (``tasks.steps``): retries, a task run per step in the UI, its logs."""

    prepare_warehouse: Callable[[sa.Engine, Catalog], None] = prepare_warehouse
    start_run: Callable[[sa.Engine, str, str, int, str], list[str]] = warehouse.start_run  # -> runs abandoned
    ingest: Callable[..., warehouse.ExtractOutcome] = ingestion.ingest_extract  # raises ExtractFileError
    record_failed: Callable[..., warehouse.ExtractOutcome] = ingestion.record_failure
    read_staged: Callable[[sa.Engine, Catalog, list[str]], dict[str, pd.DataFrame]] = read_inputs
    compute_indicators: Callable[..., tuple[dict, dict]] = compute_indicators
    load: Callable[..., warehouse.LoadSummary] = load  # (engine, pk_year, output, run_id, also): ends the run
    publish: Callable[[MonthOutcome], None] = _nothing  # the run's report, when it ended or stopped
    track_arrivals: Callable[..., arrival.RunArrivals] = track_arrivals


FLOW_NAME = "kinerja-monthly"


def run_month(engine: sa.Engine, catalog: Catalog, landing: Path, month: Month, run_id: str,
              steps: Steps | None = None, log: Log = LOG) -> MonthOutcome:
    """Run one month: stage its landing files, compute every indicator over the year's windows to date,
    load the results, record the run in ``pipeline_run``, and publish its report (``steps.publish``).
    The results and the run's end are written in one transaction: a run killed before it ends leaves
    no current value, only a ``running`` row that the next run marks ``abandoned`` (``start_run``).

    An extract whose file cannot be used fails alone and costs only the indicators that need it;
    a formula that raises costs only its indicator (``publication`` says what is loaded then). Both
    end the run ``failed`` with the message of ``failure_message``, after everything else is loaded.

    A key other than the warehouse's is refused before anything is staged (KeyMismatchError, raised).
    Anything else that stops the run (the warehouse gone after its retries, a bug) is recorded in
    ``pipeline_run`` with its redacted message and published, then raised again.
    """
    steps = steps or Steps()
    outcomes: list[warehouse.ExtractOutcome] = []
    try:
        steps.prepare_warehouse(engine, catalog)
        if usage.needs_personal_data(catalog):  # records the key, or refuses another one, before staging
            keys.claim(engine, usage.usable_key(), run_id)
        for line in steps.start_run(engine, run_id, FLOW_NAME, catalog.pk_year, str(month)) or []:
            log.warning("%s", line)  # a run whose process died before it ended
        needed = needed_extracts(catalog)
        ingest_all(engine, catalog, landing, needed, month, run_id, steps, outcomes)
        failed_extracts = {o.extract_id: o.message for o in outcomes if o.status == "failed"}
        arrivals = steps.track_arrivals(engine, catalog, landing, month, outcomes)
        windows = run_windows(catalog, month)
        indicators = implemented_indicators(catalog)
        inputs = steps.read_staged(engine, catalog, [e.id for e in needed])
        computed, errors = steps.compute_indicators(indicators, inputs, windows, catalog.pk_year, str(month))
        output, failed_indicators = publication(catalog, month, windows, indicators, computed, errors,
                                                failed_extracts, inputs)
        message = failure_message(month, failed_extracts, failed_indicators)
        reported = arrivals.newly_overdue if message else []  # the alert of this failed run names them, once

        def end_run(conn: sa.Connection) -> None:  # in the load's transaction
            arrival.mark_reported(conn, reported, run_id)
            warehouse.record_end(conn, run_id, "failed" if message else "completed", message, outcomes)

        summary = steps.load(engine, catalog.pk_year, output, run_id, end_run)
        late = arrival.late_files(reported)
    except keys.KeyMismatchError:
        raise
    except Exception as exc:
        message = redact(f"kinerja {month}: run stopped: {type(exc).__name__}: {exc}",
                         engine.url.render_as_string(hide_password=False))
        _record_stopped(engine, run_id, message, outcomes, log)
        steps.publish(MonthOutcome(month, run_id, outcomes, message=message))
        raise
    names = {ind.no: ind.short_name for ind in indicators if ind.no in failed_indicators}
    outcome = MonthOutcome(month, run_id, outcomes, failed_extracts, failed_indicators, names, summary, inputs,
                           message, arrivals.cells, late)
    steps.publish(outcome)
    return outcome


def _record_stopped(engine: sa.Engine, run_id: str, message: str, outcomes: list, log: Log) -> None:
    """Record a run that stopped early as failed, once (the error is final: no retries)."""
    try:
        warehouse.finish_run(engine, run_id, "failed", message, outcomes)
    except Exception as exc:
        log.error("could not record the failed run in pipeline_run: %s", type(exc).__name__)
