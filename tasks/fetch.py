"""Task: fetch one extract of one month from its source system into the landing directory.

One task run per extract (``fetch-<source>-<name>-<month>``): a source that cannot be reached fails
its task run with the source system named. The source's own retries (``attempts``, ``retry_delays``
in the sources file, 429 and 5xx for an API) happen inside, each logged; the task adds none.
"""

from pathlib import Path

from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.utilities.annotations import quote

from kinerja import fetch
from kinerja.catalog import Catalog
from kinerja.fetch.config import ExtractSource
from kinerja.periods import Month


@task(name="fetch", task_run_name="fetch-{extract.source}-{extract.name}-{month}", cache_policy=NO_CACHE)
def fetch_extract(connection: fetch.Connection, extract: ExtractSource, landing: Path, month: Month,
                  catalog: Catalog) -> fetch.FetchResult:
    connection.log = fetch.ScrubbedLog(get_run_logger(), connection.secrets)
    return fetch.fetch_extract(connection, extract, landing, month, catalog, connection.log)


def step(connection: fetch.Connection, extract: ExtractSource, landing: Path, month: Month, catalog: Catalog
         ) -> fetch.FetchResult:
    """``fetch.fetch_month``'s step as this task; the connection and the catalog are quoted (Prefect must
    not walk them)."""
    return fetch_extract(quote(connection), extract, landing, month, quote(catalog))
