"""Task: record an extract that failed as a whole (its lineage row, with the file and the reason)."""

import sqlalchemy as sa
from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE

from kinerja import ingestion, warehouse
from kinerja.extracts import Extract
from kinerja.periods import Month
from kinerja.readers import RawExtract
from tasks.retries import DB_RETRY


@task(name="record-failed-extract", cache_policy=NO_CACHE, **DB_RETRY)
def record_failed(engine: sa.Engine, ext: Extract, month: Month, run_id: str, pk_year: int,
                  error: Exception, raw: RawExtract | None) -> warehouse.ExtractOutcome:
    outcome = ingestion.record_failure(engine, ext, month, run_id, pk_year, error, raw)
    get_run_logger().error("extract %s failed for %s: %s", ext.id, month, error)
    return outcome
