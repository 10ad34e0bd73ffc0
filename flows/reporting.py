"""Artifacts a run publishes for the Prefect UI: the scorecard, and the data-quality report of the
month with the row counts per extract (``kinerja.quality``); a short one when those cannot be built.

Text that comes from landing files (messages, reasons) is escaped for markdown; the warehouse
password never reaches an artifact (messages pass through ``kinerja.safety.redact``).
"""

from __future__ import annotations

from prefect import get_run_logger
from prefect.artifacts import create_markdown_artifact

from kinerja import arrival, quality, scorecard
from kinerja.catalog import Catalog
from kinerja.periods import Month
from kinerja.pipeline import MonthOutcome
from kinerja.safety import redact


def quality_artifact_key(month: Month) -> str:
    return f"kinerja-quality-{month}"


def publish_run_artifacts(engine, catalog: Catalog, month: Month, run_id: str, message,
                          staged: dict | None = None) -> None:
    """The scorecard and the data-quality report of the run; ``staged``: the staged rows the run
    read after staging (its quality profiles are then computed in memory)."""
    url = engine.url.render_as_string(hide_password=False)
    table = scorecard.markdown(scorecard.fetch(engine, catalog.pk_year))
    head = (f"**Failed:** {quality.md(redact(message, url))}\n\n" if message
            else "All extracts staged and all indicators computed.\n\n")
    create_markdown_artifact(
        key=f"kinerja-{catalog.pk_year}-scorecard",
        markdown=f"# Kinerja {month}: scorecard {catalog.pk_year}\n\n{head}{table}\n\n"
                 f"Rows read, staged and quarantined per extract: the artifact `{quality_artifact_key(month)}`.\n",
        description=f"Scorecard after run {run_id}",
    )
    create_markdown_artifact(
        key=quality_artifact_key(month),
        markdown=redact(quality.markdown(engine, month, run_id, staged), url),
        description=f"Data quality of {month}: rows read, staged, quarantined by reason, changes from "
                    f"{month.previous()} (run {run_id})",
    )


def publish(engine, catalog: Catalog, run: MonthOutcome) -> None:
    """Publish a month's artifacts; a problem publishing them is logged, never hides the run's outcome.

    When the full artifacts cannot be built (the warehouse is unreachable), a short one still says
    what stopped the run and which files were read."""
    url = engine.url.render_as_string(hide_password=False)
    try:
        publish_run_artifacts(engine, catalog, run.month, run.run_id, run.message, run.staged)
        return
    except Exception as exc:
        get_run_logger().error("could not publish the run's artifacts: %s: %s", type(exc).__name__,
                               redact(str(exc), url))
    try:
        create_markdown_artifact(key=f"kinerja-{catalog.pk_year}-run-stopped",
                                 markdown=f"# Kinerja {run.month}: run stopped\n\n**Failed:** "
                                          f"{quality.md(redact(run.message or '', url))}\n\n"
                                          "## Rows per extract so far\n\n"
                                          + "\n".join(quality.extract_table(run.extracts)) + "\n",
                                 description=f"Run {run.run_id} stopped before loading")
    except Exception as exc:
        get_run_logger().error("could not publish even the short artifact: %s", type(exc).__name__)


def arrivals_artifact_key(catalog: Catalog) -> str:
    return f"kinerja-{catalog.pk_year}-arrivals"


def publish_arrivals(catalog: Catalog, run: MonthOutcome) -> None:
    """The arrival matrix of the year to the run's month, as ``kinerja status`` prints it (``--format md``)."""
    if run.arrivals:
        create_markdown_artifact(key=arrivals_artifact_key(catalog),
                                 markdown=arrival.markdown(run.arrivals, arrival.title(catalog, run.month)),
                                 description=f"Landing files of PK {catalog.pk_year} to {run.month}: on time, "
                                             f"late, missing (run {run.run_id})")


def publish_month(engine, catalog: Catalog, run: MonthOutcome) -> None:
    """Everything a monthly run publishes: the arrival matrix, then the scorecard and the quality report
    (``publish``). A problem publishing the matrix is logged and never hides the run's outcome."""
    try:
        publish_arrivals(catalog, run)
    except Exception as exc:
        get_run_logger().error("could not publish the arrival matrix: %s", type(exc).__name__)
    publish(engine, catalog, run)
