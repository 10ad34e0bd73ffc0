"""Task: find and read one landing file."""

from pathlib import Path

from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE

from kinerja import pipeline
from kinerja.extracts import Extract
from kinerja.periods import Month
from kinerja.readers import RawExtract


def _io_error(task, task_run, state) -> bool:
    """Retry only on I/O errors; a missing or malformed file is a data problem."""
    try:
        state.result()
    except OSError:
        return True
    except Exception:
        return False
    return False


@task(name="extract", task_run_name="extract-{ext.source}-{ext.name}-{month}", retries=2,
      retry_delay_seconds=[2, 10], retry_condition_fn=_io_error, cache_policy=NO_CACHE)
def extract_file(landing: Path, ext: Extract, month: Month) -> RawExtract:
    raw = pipeline.extract(landing, ext, month)
    get_run_logger().info("read %s: %d rows, sha256 %s; %s", raw.file, len(raw.frame), raw.sha256[:12],
                          "; ".join(raw.notes))
    return raw
