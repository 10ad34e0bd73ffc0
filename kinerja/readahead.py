"""Read-ahead: a month's landing files read and validated in a second process while this one stages.

Staging is the warehouse's work and stays in the run's own process, one extract after the other;
reading and validating the next files needs only the landing directory, so one worker process
does it meanwhile, in the same order. On a 2-core machine this overlaps the two halves of
ingest. What comes back is what the same calls return in the run's process: the raw extract and
its validated rows, or the file-level error with what had been read; only the raw text cells
stay behind (``without_cells``: the run uses their row count, not the cells).

A backfill reads one month ahead (``prefetch``): the next month's files are queued behind this
month's, so the worker reads them while this month computes, loads and publishes; the next
month's ReadAhead takes those reads over instead of starting its own. A read is used only by the
same landing directory, month and settings it was made with.

``KINERJA_INGEST_WORKERS`` (default 1): 0 reads in the run's own process. A worker that dies
(killed, out of memory) costs nothing but time: the file is read again in the run's process.
"""

from __future__ import annotations

import atexit
import multiprocessing
import os
import threading
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import replace
from pathlib import Path

import pandas as pd

from kinerja.periods import Month
from kinerja.pipeline import Prepared, prepare

WORKERS_ENV = "KINERJA_INGEST_WORKERS"
PASSED_ENV_PREFIX = "KINERJA_"  # the settings a worker must see as the run sees them now (the key)
READ_HERE_WHILE_STARTING = 2  # files the run's process reads itself while a new worker starts

_POOL: ProcessPoolExecutor | None = None
_POOL_LOCK = threading.Lock()
# reads started ahead of their month's run: (landing, month, extract id) -> (the settings they run with, future)
_AHEAD: dict[tuple[str, str, str], tuple[dict[str, str], Future]] = {}
# files a prefetch that started the worker left for their run to read itself while it starts
_HERE: set[tuple[str, str, str]] = set()


def _prepare_in_worker(env: dict[str, str], landing: Path, extract_id: str, month: str, year: int) -> Prepared:
    from kinerja.catalog import load_catalog
    from kinerja.extracts import registry

    for name in [n for n in os.environ if n.startswith(PASSED_ENV_PREFIX) and n not in env]:
        del os.environ[name]
    os.environ.update(env)
    return without_cells(prepare(landing, registry()[extract_id], Month.parse(month), load_catalog(year)))


def without_cells(prepared: Prepared) -> Prepared:
    """The result with the raw extract's text cells left behind: once validated, the run needs only
    how many rows the file had (the validated rows are what is staged), and the cells would double
    what crosses to the run's process and what it holds."""
    if prepared.raw is None:
        return prepared
    rows = pd.DataFrame(index=pd.RangeIndex(len(prepared.raw.frame)))
    return replace(prepared, raw=replace(prepared.raw, frame=rows))


def workers() -> int:
    try:
        return max(0, int(os.environ.get(WORKERS_ENV, "1")))
    except ValueError:
        return 1


def _pool() -> ProcessPoolExecutor:
    global _POOL
    with _POOL_LOCK:
        if _POOL is None:
            # spawn: the run's process has threads (Prefect's), which a forked child must not inherit
            _POOL = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))
            atexit.register(shutdown)
        return _POOL


def shutdown(wait: bool = False) -> None:
    """Stop the worker process (the next ReadAhead starts a new one)."""
    global _POOL
    discard()
    with _POOL_LOCK:
        pool, _POOL = _POOL, None
    if pool is not None:
        pool.shutdown(wait=wait, cancel_futures=True)


def _settings() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k.startswith(PASSED_ENV_PREFIX)}


def prefetch(landing: Path, extract_ids: list[str], month: str, year: int) -> None:
    """Queue a month's files for the worker now (a backfill: the next month's, while this one runs);
    that month's ReadAhead takes the reads over. Files queued already are left as they are. A
    prefetch that starts the worker leaves the month's first files to its run, as ReadAhead does."""
    if not workers():
        return
    env = _settings()
    try:
        with _POOL_LOCK:
            starting = _POOL is None
        pool = _pool()
        for i, extract_id in enumerate(extract_ids):
            key = (str(landing), month, extract_id)
            with _POOL_LOCK:
                if starting and i < READ_HERE_WHILE_STARTING:
                    _HERE.add(key)
                elif key not in _AHEAD and key not in _HERE:
                    _AHEAD[key] = (env, pool.submit(_prepare_in_worker, env, landing, extract_id, month, year))
    except Exception:  # no worker to be had: the month's run reads its files itself
        shutdown()


def discard() -> None:
    """Drop the reads started ahead that no run took (a backfill that ended)."""
    with _POOL_LOCK:
        ahead = list(_AHEAD.values())
        _AHEAD.clear()
        _HERE.clear()
    for _, future in ahead:
        future.cancel()


def _ahead(landing: Path, month: str, extract_id: str, env: dict[str, str]) -> Future | None:
    """The read started ahead for this file, when it was made with the same settings."""
    with _POOL_LOCK:
        found = _AHEAD.pop((str(landing), month, extract_id), None)
    if found is None:
        return None
    if found[0] != env or found[1].cancelled():
        found[1].cancel()
        return None
    return found[1]


class ReadAhead:
    """The month's extracts submitted in order to the worker; ``take`` waits for one.

    A worker process takes ~1.5 s to start (a new interpreter importing pandas and pandera): when
    none is running yet (a scheduled monthly run), the first ``READ_HERE_WHILE_STARTING`` files are
    read in the run's own process meanwhile, and the worker starts with the ones after them."""

    def __init__(self, landing: Path, extract_ids: list[str], month: str, year: int):
        env = _settings()
        self._futures: dict[str, Future] = {}
        with _POOL_LOCK:
            starting = _POOL is None
            left = {e for e in extract_ids if (str(landing), month, e) in _HERE}
            _HERE.difference_update((str(landing), month, e) for e in extract_ids)
        here = set(extract_ids[:READ_HERE_WHILE_STARTING]) if starting else left
        try:
            pool = _pool()
            for extract_id in extract_ids:
                if extract_id not in here:
                    self._futures[extract_id] = _ahead(landing, month, extract_id, env) or pool.submit(
                        _prepare_in_worker, env, landing, extract_id, month, year)
        except Exception:  # no worker (a pool that died earlier, no process to be had): read in this process
            shutdown()
            self.cancel()

    def take(self, extract_id: str) -> Prepared | None:
        """The extract's result, once; None when it has none (read here while the worker started,
        taken already, or the worker died): the caller then reads the file itself. Any other
        exception is the read's own (an I/O error)."""
        future = self._futures.pop(extract_id, None)
        if future is None:
            return None
        try:
            prepared = future.result()
        except BrokenProcessPool:
            shutdown()
            self.cancel()
            return None
        return prepared

    def cancel(self) -> None:
        """Drop what has not been taken (the run stopped early)."""
        for future in self._futures.values():
            future.cancel()
        self._futures.clear()
