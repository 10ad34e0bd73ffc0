"""Task: find and read one landing file, and log what the reader detected.

The log line names the file, its row count, checksum and every detection decision
(encoding, delimiter, decimal separator, header row, ignored columns), so a
steward can see how the file was read without opening it.
"""

from pathlib import Path

from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE

from kinerja import pipeline
from kinerja.extracts import Extract
from kinerja.periods import Month
from kinerja.readers import RawExtract
from tasks.retries import IO_RETRY


@task(name="extract", task_run_name="extract-{ext.source}-{ext.name}-{month}", cache_policy=NO_CACHE,
      **IO_RETRY)
def extract_file(landing: Path, ext: Extract, month: Month) -> RawExtract:
    """Retried only on transient I/O errors; a missing or malformed file is a data problem."""
    raw = pipeline.extract(landing, ext, month)
    log_read(raw)
    return raw


def log_read(raw: RawExtract) -> None:
    logger = get_run_logger()
    logger.info("read %s: %d rows, sha256 %s; %s", raw.file, len(raw.frame), raw.sha256[:12],
                "; ".join(raw.notes))
    if raw.row_errors:
        logger.warning("%s: %d row(s) do not split into the header's columns (quarantined)", raw.file,
                       len(raw.row_errors))
