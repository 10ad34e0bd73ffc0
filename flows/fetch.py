"""The fetch flow: a month's extracts from the source systems into the landing directory.

``fetch`` (flow ``kinerja-fetch``, run ``kinerja-fetch-2024-03``) is what ``kinerja fetch`` runs: one
task run per configured extract (``tasks.fetch``), an artifact ``kinerja-fetch-<month>`` listing what
landed where, and a Failed state (and an alert) naming the source systems that could not be reached.

The monthly flow fetches first when its parameter ``fetch`` is true (the deployments set it):
:func:`configured` reads the sources file before anything else (a broken one is bad usage), and
:func:`before_run` fetches and says which extracts failed, so that the run fails exactly those, as
it fails a missing file. Without ``KINERJA_SOURCES`` nothing is fetched: every extract is read from
the landing directory as it is.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from prefect import flow, get_run_logger
from prefect.artifacts import create_markdown_artifact
from prefect.runtime import flow_run
from prefect.states import State
from pydantic import Field

from flows import alerts, outcome
from kinerja import fetch as fetching
from kinerja.catalog import Catalog
from kinerja.config import resolve
from kinerja.periods import MONTH_RE, Month, previous_month
from kinerja.usage import BAD_USAGE, UsageError, catalogs, resolve_period
from tasks import fetch as fetch_tasks

failing_unfetched = fetching.failing_unfetched  # the monthly run's steps, failing the extracts not fetched

Period = Annotated[str | None, Field(json_schema_extra={"pattern": MONTH_RE.pattern, "examples": ["2024-03"]})]


def configured(wanted: bool, path: str | None = None) -> fetching.Sources | None:
    """The sources to fetch from when ``wanted``: the sources file (``path``, else ``KINERJA_SOURCES``), or
    None when there is none. A file that does not load is bad usage (UsageError)."""
    if not wanted:
        return None
    found = fetching.sources_path(path)
    if found is None:
        return None
    try:
        return fetching.load_sources(found)
    except fetching.SourcesError as exc:
        raise UsageError(str(exc)) from None


def fetch_all(sources: fetching.Sources, landing: Path, month: Month, catalog: Catalog, only: str | None, logger
              ) -> list[fetching.FetchResult]:
    """Every configured extract (or ``only``) under the month's catalog, each as a task run, and the
    artifact listing them."""
    results = fetching.fetch_month(sources, landing, month, catalog, only, step=fetch_tasks.step, log=logger)
    for line in fetching.summary(results):
        logger.info("fetch %s", line)
    create_markdown_artifact(key=f"kinerja-fetch-{month}", markdown=markdown(month, results),
                             description=f"What was fetched from the source systems for {month}")
    return results


def markdown(month: Month, results: list[fetching.FetchResult]) -> str:
    rows = ["| extract | kind | status | rows | file | note |", "|---|---|---|---|---|---|"]
    for r in results:
        note = r.message if r.status == "failed" else (
            f"previous version archived: {', '.join(r.archived)}" if r.archived else "")
        cells = [r.extract_id, r.source_kind, r.status, "" if r.rows is None else str(r.rows), r.file or "", note]
        rows.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return f"# Kinerja {month}: fetched from the source systems\n\n" + "\n".join(rows) + "\n"


def before_run(sources: fetching.Sources | None, month: Month, catalog: Catalog, landing: Path, logger
               ) -> dict[str, str]:
    """Fetch the month's configured extracts before the run: ``{extract id: message}`` of those that failed."""
    if sources is None:
        logger.info("fetch: no sources file (KINERJA_SOURCES): every extract is read from the landing "
                    "directory as it is")
        return {}
    return fetching.failures(fetch_all(sources, landing, month, catalog, None, logger))


def _run_name() -> str:
    return f"kinerja-fetch-{flow_run.parameters.get('period') or previous_month()}"


@flow(name="kinerja-fetch", flow_run_name=_run_name, validate_parameters=True,
      on_failure=[alerts.on_failure], on_crashed=[alerts.on_crashed])
def fetch(period: Period = None, extract: str | None = None, landing_dir: str | None = None,
          sources: str | None = None) -> dict | State:
    """Fetch a month's extracts from the source systems into the landing directory.

    Args:
        period: The month, YYYY-MM. Empty: the previous month in Asia/Jakarta.
        extract: One extract, source/name (e.g. simpeg/pns_snapshot). Empty: every configured extract.
        landing_dir: The landing directory. Empty: KINERJA_LANDING_DIR, else data/landing in the project.
        sources: The sources file. Empty: KINERJA_SOURCES.
    """
    logger = get_run_logger()
    try:
        month = resolve_period(period)
        [catalog] = catalogs([month], defaulted=not period)
        landing = resolve(landing_dir).landing_dir
        if not landing.is_dir():
            raise UsageError(f"landing directory {landing} does not exist (parameter landing_dir, or "
                             "KINERJA_LANDING_DIR)")
        config = configured(True, sources)
        if config is None:
            raise UsageError(f"nothing to fetch: no sources file ({fetching.config.SOURCES_ENV}, or the "
                             "parameter sources)")
        if extract is not None and config.extract(extract) is None:
            raise UsageError(f"{extract} is not in the sources file {config.path} (configured: "
                             f"{', '.join(config.extract_ids())})")
    except BAD_USAGE as exc:
        return outcome.failed(flow_run.id, exc, logger)
    results = fetch_all(config, landing, month, catalog, extract, logger)
    failed = fetching.failures(results)
    if failed:
        message = f"kinerja fetch {month}: " + "; ".join(f"extract {k}: {v}" for k, v in failed.items())
        return outcome.failed(flow_run.id, outcome.RunFailed(message, period=str(month), failed_extracts=failed),
                              logger)
    return {"period": str(month), "fetched": [r.__dict__ for r in results]}
