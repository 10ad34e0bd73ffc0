"""Fetch: pull a month's extracts from the source systems into the landing directory.

Three kinds of source (one module each): ``sql`` (a query on the source's database, streamed),
``http`` (a JSON API, paged) and ``files`` (the newest matching export on a share, through fsspec).
What is fetched from where is the sources file (``kinerja.fetch.config``, setting ``KINERJA_SOURCES``);
an extract it does not name is read from the landing directory as it is, so without a sources file
nothing changes.

Every fetched extract lands as ``<landing>/<source>/<YYYY-MM>/<extract>.<ext>`` with a manifest
beside it (``kinerja.fetch.landing``): atomically; an identical file left alone; a changed one only
after the old one is archived.

A source that cannot be reached after its retries fails only its extracts: :func:`failing_unfetched`
makes the monthly run record them as failed extracts, with a message naming the source system,
exactly as for a missing file. Credentials never reach a message (``kinerja.fetch.secrets``).

The functions here are plain: the Prefect flow (``flows/fetch.py``) and tasks (``tasks/fetch.py``)
wrap :func:`fetch_extract` and :func:`fetch_month`.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from kinerja import extracts as extract_registry
from kinerja.catalog import Catalog
from kinerja.fetch.common import LOG, Fetched, FetchError, SourceUnreachable, first_line, with_retries
from kinerja.fetch.config import ExtractSource, Source, Sources, SourcesError, load_sources, sources_path
from kinerja.fetch.landing import Landed, land, month_folder, temp_file
from kinerja.fetch.secrets import ScrubbedLog, SecretError, Secrets
from kinerja.periods import Month

Log = logging.Logger | logging.LoggerAdapter

__all__ = ["Connection", "FetchError", "FetchResult", "ScrubbedLog", "Sources", "SourcesError", "SourceUnreachable",
           "failing_unfetched", "failures", "fetch_extract", "fetch_month", "load_sources", "sources_path", "summary"]


@dataclass(frozen=True)
class FetchResult:
    """One extract's fetch: ``new``, ``unchanged``, ``replaced`` (the old file archived) or ``failed``."""

    extract_id: str
    source_kind: str
    status: str
    file: str | None = None  # relative to the landing directory
    rows: int | None = None
    sha256: str | None = None
    archived: tuple[str, ...] = ()
    message: str | None = None
    seconds: float = 0.0


class Connection:
    """A source system's connection, opened on first use and shared by its extracts within one fetch."""

    def __init__(self, source: Source, secrets: Secrets, sleep: Callable[[float], None] = time.sleep,
                 log: Log = LOG):
        self.source, self.secrets, self.sleep = source, secrets, sleep
        self.log = ScrubbedLog(log, secrets)
        self._handle = None
        self._credentials: dict[str, str] | None = None

    @property
    def what(self) -> str:
        return f"source system {self.source.name} ({self.source.kind})"

    def credentials(self) -> dict[str, str]:
        if self._credentials is None:
            self._credentials = {key: self.secrets.resolve(ref, f"[sources.{self.source.name}] {key}")
                                 for key, ref in self.source.secrets.items()}
        return self._credentials

    def handle(self):
        if self._handle is None:
            credentials = self.credentials()
            if self.source.kind == "sql":
                from kinerja.fetch import sql

                self._handle = sql.create_engine(self.source, credentials.get("password"))
            elif self.source.kind == "http":
                from kinerja.fetch import http

                self._handle = http.client(self.source, credentials)
            else:
                from kinerja.fetch import files

                self._handle = self._retrying(lambda: files.open_share(self.source, credentials), files.is_transient)
        return self._handle

    def _retrying(self, call, transient):
        return with_retries(call, attempts=self.source.attempts, delays=self.source.retry_delays,
                            transient=transient, what=self.what, scrub=self.secrets.scrub, sleep=self.sleep,
                            log=self.log)

    def fetch(self, extract: ExtractSource, month: Month, catalog: Catalog, tmp: Path, contract: list[str]
              ) -> Fetched:
        """Fetch one extract into ``tmp``, its month's values under ``catalog`` (the month's agreement); a
        connection that drops is retried as the source says."""
        day, tz = catalog.collection_deadline_day, catalog.timezone
        if self.source.kind == "sql":
            from kinerja.fetch import sql

            return self._retrying(lambda: sql.fetch(self.handle(), self.source, extract, month, tmp, day, tz),
                                  sql.is_transient)
        if self.source.kind == "http":
            from kinerja.fetch import http

            return http.fetch(self.handle(), self.source, extract, contract, month, tmp, day, tz, self.what,
                              self.sleep, self.log)
        from kinerja.fetch import files

        fs, root = self.handle()
        return self._retrying(lambda: files.fetch(fs, root, self.source, extract, month, tmp, day, tz),
                              files.is_transient)

    def close(self) -> None:
        handle, self._handle = self._handle, None
        if handle is None:
            return
        with contextlib.suppress(Exception):
            if self.source.kind == "sql":
                handle.dispose()
            elif self.source.kind == "http":
                handle.close()


def fetch_extract(connection: Connection, extract: ExtractSource, landing: Path, month: Month, catalog: Catalog,
                  log: Log = LOG) -> FetchResult:
    """Fetch one extract of a month into the landing directory (``catalog``: the month's agreement, whose
    collection deadline and time zone set the ``cutoff``). Raises FetchError (its message names the
    source system and holds no credential) when it cannot; nothing is landed then."""
    started = time.monotonic()
    scrub, log = connection.secrets.scrub, connection.log
    folder = month_folder(landing, extract.source, month)
    tmp = temp_file(folder, extract.name)
    contract = [c.name for c in extract_registry.registry()[extract.id].columns]
    try:
        try:
            fetched = connection.fetch(extract, month, catalog, tmp, contract)
        except SourceUnreachable as exc:
            raise SourceUnreachable(scrub(exc)) from None
        except FetchError as exc:
            raise FetchError(scrub(f"{connection.what}: {exc}" if connection.what not in str(exc) else exc)) from None
        except SecretError as exc:
            raise FetchError(scrub(f"{connection.what}: {exc}")) from None
        except Exception as exc:  # a driver's or a protocol's error: its type and first line, scrubbed
            raise FetchError(scrub(f"{connection.what}: {type(exc).__name__}: {first_line(exc)}")) from None
        origin = {k: scrub(v) if isinstance(v, str) else v for k, v in fetched.origin.items()}
        manifest = {"source": extract.source, "extract": extract.name, "period": str(month),
                    "source_kind": connection.source.kind, **origin, "rows": fetched.rows}
        landed: Landed = land(folder, extract.name, fetched.ext, tmp, manifest)
    finally:
        tmp.unlink(missing_ok=True)
    root = Path(landing).resolve()
    rel = landed.path.relative_to(root).as_posix()
    result = FetchResult(extract.id, connection.source.kind, landed.status, rel, fetched.rows, landed.sha256,
                         tuple(p.relative_to(root).as_posix() for p in landed.archived), None,
                         round(time.monotonic() - started, 3))
    rows = "?" if fetched.rows is None else fetched.rows
    if landed.status == "unchanged":
        log.info("fetched %s from %s: %s rows, identical to the landed file (sha256 %s); left alone", extract.id,
                 connection.what, rows, landed.sha256[:12])
    else:
        log.info("fetched %s from %s: %s rows into %s (sha256 %s)%s", extract.id, connection.what, rows, rel,
                 landed.sha256[:12], f"; the previous version archived as {', '.join(result.archived)}"
                 if result.archived else "")
    return result


Step = Callable[[Connection, ExtractSource, Path, Month, Catalog], FetchResult]


def fetch_month(sources: Sources, landing: Path, month: Month, catalog: Catalog, only: str | None = None, *,
                step: Step | None = None, sleep: Callable[[float], None] = time.sleep,
                log: Log = LOG) -> list[FetchResult]:
    """Fetch every configured extract of a month under ``catalog``, the month's agreement (``only``: one
    extract id), source by source. An extract that fails is logged and returned ``failed`` with its
    message; the others go on."""
    step = step or (lambda conn, ext, land_dir, m, cat: fetch_extract(conn, ext, land_dir, m, cat, log))
    if only is not None and sources.extract(only) is None:
        raise SourcesError(f"{only} is not in the sources file {sources.path} (configured: "
                           f"{', '.join(sources.extract_ids()) or 'none'})")
    results = []
    for source in sources.sources.values():
        chosen = [e for e in source.extracts.values() if only is None or e.id == only]
        if not chosen:
            continue
        connection = Connection(source, Secrets(), sleep, log)
        try:
            for extract in chosen:
                try:
                    results.append(step(connection, extract, landing, month, catalog))
                except FetchError as exc:
                    log.error("fetch %s %s failed: %s", extract.id, month, exc)
                    results.append(FetchResult(extract.id, source.kind, "failed", message=str(exc)))
        finally:
            connection.close()
    return results


def failures(results: list[FetchResult]) -> dict[str, str]:
    """``{extract id: message}`` of the failed fetches."""
    return {r.extract_id: f"fetch failed: {r.message}" for r in results if r.status == "failed"}


def failing_unfetched(steps, failed: dict[str, str]):
    """``steps`` (``kinerja.pipeline.Steps``) whose ingest fails the extracts in ``failed`` at once, as a
    missing file does, with the fetch's message: a run never reads an older landed file of a source that
    could not be reached."""
    if not failed:
        return steps
    from kinerja.readers import ExtractFileError

    ingest = steps.ingest

    def ingest_fetched(engine, catalog, landing, ext, month, run_id, *rest):
        if ext.id in failed:
            raise ExtractFileError(failed[ext.id], f"{ext.source}/{month}/{ext.name}.*")
        return ingest(engine, catalog, landing, ext, month, run_id, *rest)

    return dataclasses.replace(steps, ingest=ingest_fetched)


def summary(results: list[FetchResult]) -> Iterator[str]:
    """One line per extract, for a log or the command line."""
    for r in results:
        if r.status == "failed":
            yield f"{r.extract_id}: FAILED: {r.message}"
        else:
            rows = "?" if r.rows is None else r.rows
            extra = f" (previous version archived: {', '.join(r.archived)})" if r.archived else ""
            yield f"{r.extract_id}: {r.status}, {rows} rows, {r.file}{extra}"
