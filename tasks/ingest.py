"""Task: one extract of one month, end to end: read its landing file, validate it, stage it.

One task per extract keeps the Prefect UI meaningful (``ingest-<source>-<name>-<month>``; a
file that cannot be used fails its task with the file and the reason) at a third of the
orchestration cost of an extract, a validate and a stage task per extract. Its log names the
file, its checksum and every detection decision (encoding, delimiter, decimal separator, header
row), the quarantined rows by check, and the rows staged.
"""

from pathlib import Path

import sqlalchemy as sa
from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE

from kinerja import pipeline, warehouse
from kinerja.catalog import Catalog
from kinerja.extracts import Extract
from kinerja.periods import Month
from kinerja.readers import RawExtract
from kinerja.validation import ValidatedExtract
from tasks.retries import IO_OR_DB_RETRY


def log_read(raw: RawExtract) -> None:
    logger = get_run_logger()
    logger.info("read %s: %d rows, sha256 %s; %s", raw.file, len(raw.frame), raw.sha256[:12],
                "; ".join(raw.notes))
    if raw.row_errors:
        logger.warning("%s: %d row(s) do not split into the header's columns (quarantined)", raw.file,
                       len(raw.row_errors))


def log_validated(raw: RawExtract, validated: ValidatedExtract) -> None:
    logger = get_run_logger()
    logger.info("%s: %d rows read, %d valid, %d quarantined", raw.file, validated.rows_read,
                validated.rows_staged, validated.rows_quarantined)
    if validated.rows_quarantined:
        reasons = validated.quarantine.groupby("check_name").size().to_dict()
        logger.warning("%s: quarantined rows by check: %s", raw.file, reasons)


@task(name="ingest", task_run_name="ingest-{ext.source}-{ext.name}-{month}", cache_policy=NO_CACHE,
      **IO_OR_DB_RETRY)
def ingest_extract(engine: sa.Engine, catalog: Catalog, landing: Path, ext: Extract, month: Month,
                   run_id: str) -> warehouse.ExtractOutcome:
    """Retried only on transient I/O or database trouble (staging is an idempotent upsert); a
    missing or malformed file raises ExtractFileError at once, carrying what was read (``raw``)."""
    prepared = pipeline.prepare(landing, ext, month, catalog)
    if prepared.raw is not None:
        log_read(prepared.raw)
    raw, validated = prepared.unwrap()  # ExtractFileError: the flow records the failure
    log_validated(raw, validated)
    outcome = pipeline.stage_extract(engine, ext, raw, validated, month, run_id, catalog.pk_year, catalog.timezone)
    get_run_logger().info("staged %d rows of %s into %s", outcome.rows_staged, raw.file, ext.table)
    return outcome
