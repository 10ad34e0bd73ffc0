"""Artifacts a run publishes for the Prefect UI: the scorecard and the row counts per extract."""

from __future__ import annotations

from prefect.artifacts import create_markdown_artifact

from kinerja import scorecard
from kinerja.catalog import Catalog
from kinerja.periods import Month


def counts_markdown(outcomes) -> str:
    lines = ["| extract | file | status | read | staged | quarantined |", "|---|---|---|---:|---:|---:|"]
    for o in outcomes:
        lines.append(f"| {o.extract_id} | {o.file or ''} | {o.status} | {o.rows_read} | {o.rows_staged} | "
                     f"{o.rows_quarantined} |")
    return "\n".join(lines)


def publish_run_artifacts(engine, catalog: Catalog, month: Month, run_id: str, outcomes, message) -> None:
    table = scorecard.markdown(scorecard.fetch(engine, catalog.pk_year))
    head = f"**Failed:** {message}\n\n" if message else "All extracts staged and all indicators computed.\n\n"
    create_markdown_artifact(
        key=f"kinerja-{catalog.pk_year}-scorecard",
        markdown=f"# Kinerja {month}: scorecard {catalog.pk_year}\n\n{head}{table}\n\n"
                 f"## Rows per extract\n\n{counts_markdown(outcomes)}\n",
        description=f"Scorecard and row counts after run {run_id}",
    )
