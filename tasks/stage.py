"""Task: upsert validated rows into staging and record the file's lineage and quarantine."""

import sqlalchemy as sa
from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE

from kinerja import pipeline, warehouse
from kinerja.extracts import Extract
from kinerja.periods import Month
from kinerja.readers import RawExtract
from kinerja.validation import ValidatedExtract
from tasks.retries import DB_RETRY


@task(name="stage", task_run_name="stage-{ext.source}-{ext.name}-{month}", cache_policy=NO_CACHE, **DB_RETRY)
def stage_rows(engine: sa.Engine, ext: Extract, raw: RawExtract, validated: ValidatedExtract, month: Month,
               run_id: str, pk_year: int) -> warehouse.ExtractOutcome:
    outcome = pipeline.stage_extract(engine, ext, raw, validated, month, run_id, pk_year)
    get_run_logger().info("staged %d rows of %s into %s", outcome.rows_staged, raw.file, ext.table)
    return outcome


@task(name="record-failed-extract", cache_policy=NO_CACHE, **DB_RETRY)
def record_failed(engine: sa.Engine, ext: Extract, month: Month, run_id: str, pk_year: int,
                  error: Exception, raw: RawExtract | None) -> warehouse.ExtractOutcome:
    outcome = pipeline.record_failure(engine, ext, month, run_id, pk_year, error, raw)
    get_run_logger().error("extract %s failed for %s: %s", ext.id, month, error)
    return outcome
