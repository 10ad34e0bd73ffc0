"""Read-ahead: a month's landing files read and validated in a second process while this one stages.

Staging is the warehouse's work and stays in the run's own process, one extract after the other;
reading and validating the next files needs only the landing directory, so one worker process
does it meanwhile, in the same order. On a 2-core machine this overlaps the two halves of
ingest. What comes back is exactly what the same calls return in the run's process: the raw
extract and its validated rows, or the file-level error with what had been read.

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
from pathlib import Path

from kinerja.periods import Month
from kinerja.pipeline import Prepared, prepare

WORKERS_ENV = "KINERJA_INGEST_WORKERS"
PASSED_ENV_PREFIX = "KINERJA_"  # the settings a worker must see as the run sees them now (the key)

_POOL: ProcessPoolExecutor | None = None
_POOL_LOCK = threading.Lock()


def _prepare_in_worker(env: dict[str, str], landing: Path, extract_id: str, month: str, year: int) -> Prepared:
    from kinerja.catalog import load_catalog
    from kinerja.extracts import registry

    for name in [n for n in os.environ if n.startswith(PASSED_ENV_PREFIX) and n not in env]:
        del os.environ[name]
    os.environ.update(env)
    return prepare(landing, registry()[extract_id], Month.parse(month), load_catalog(year))


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
    with _POOL_LOCK:
        pool, _POOL = _POOL, None
    if pool is not None:
        pool.shutdown(wait=wait, cancel_futures=True)


class ReadAhead:
    """The month's extracts submitted in order to the worker; ``take`` waits for one."""

    def __init__(self, landing: Path, extract_ids: list[str], month: str, year: int):
        env = {k: v for k, v in os.environ.items() if k.startswith(PASSED_ENV_PREFIX)}
        self._futures: dict[str, Future] = {}
        try:
            pool = _pool()
            for extract_id in extract_ids:
                self._futures[extract_id] = pool.submit(_prepare_in_worker, env, landing, extract_id, month, year)
        except Exception:  # no worker (a pool that died earlier, no process to be had): read in this process
            shutdown()
            self.cancel()

    def take(self, extract_id: str) -> Prepared | None:
        """The extract's result, once; None when it has none (taken already, or the worker died):
        the caller then reads the file itself. Any other exception is the read's own (an I/O error)."""
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
