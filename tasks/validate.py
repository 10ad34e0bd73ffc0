"""Task: type and validate one extract with its pandera schema."""

from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE

from kinerja import pipeline
from kinerja.catalog import Catalog
from kinerja.extracts import Extract
from kinerja.periods import Month
from kinerja.readers import RawExtract
from kinerja.validation import ValidatedExtract


# no retries: validation failures are data problems (quarantined rows, a file that does not fit its
# schema); the same file fails the same way a minute later, so the run reports it at once
@task(name="validate", task_run_name="validate-{ext.source}-{ext.name}-{month}", retries=0,
      cache_policy=NO_CACHE)
def validate_file(raw: RawExtract, ext: Extract, catalog: Catalog, month: Month) -> ValidatedExtract:
    validated = pipeline.validate_extract(raw, ext, catalog, month)
    log_validated(raw, validated)
    return validated


def log_validated(raw: RawExtract, validated: ValidatedExtract) -> None:
    logger = get_run_logger()
    logger.info("%s: %d rows read, %d valid, %d quarantined", raw.file, validated.rows_read,
                validated.rows_staged, validated.rows_quarantined)
    if validated.rows_quarantined:
        reasons = validated.quarantine.groupby("check_name").size().to_dict()
        logger.warning("%s: quarantined rows by check: %s", raw.file, reasons)
