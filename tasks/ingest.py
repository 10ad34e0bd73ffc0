"""Task: one extract of one month, end to end: read its landing file, validate it, stage it.

One task run per extract keeps the Prefect UI meaningful (``ingest-<source>-<name>-<month>``): a
file that cannot be used fails its task run with the file and the reason. Its log names the file,
its checksum and every detection decision (encoding, delimiter, decimal separator, header row), the
quarantined rows by check, and the rows staged.
"""

from pathlib import Path

import sqlalchemy as sa
from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE

from kinerja import ingestion, warehouse
from kinerja.catalog import Catalog
from kinerja.extracts import Extract
from kinerja.periods import Month
from tasks.retries import IO_OR_DB_RETRY


@task(name="ingest", task_run_name="ingest-{ext.source}-{ext.name}-{month}", cache_policy=NO_CACHE,
      **IO_OR_DB_RETRY)
def ingest_extract(engine: sa.Engine, catalog: Catalog, landing: Path, ext: Extract, month: Month,
                   run_id: str) -> warehouse.ExtractOutcome:
    """Retried only on transient I/O or database trouble (staging is an idempotent upsert); a
    missing or malformed file raises ExtractFileError at once, carrying what was read (``raw``)."""
    return ingestion.ingest_extract(engine, catalog, landing, ext, month, run_id, get_run_logger())
