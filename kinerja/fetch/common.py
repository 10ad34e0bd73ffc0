"""What the three kinds of source share: the month's bound values, the CSV they write, retries, errors."""

from __future__ import annotations

import csv
import json
import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import TypeVar

from kinerja.periods import Month, deadline_after

LOG = logging.getLogger("kinerja.fetch")
T = TypeVar("T")


class FetchError(Exception):
    """An extract that could not be fetched. The message is fit for a log, the warehouse and an alert:
    it names the source system and holds no credential."""


class SourceUnreachable(FetchError):
    """The source system did not answer after its retries."""


@dataclass(frozen=True)
class Fetched:
    """What a kind's fetch wrote into the temporary file."""

    ext: str  # csv | xlsx | parquet | json
    rows: int | None
    origin: dict  # for the manifest: the query or URL (never a credential) and what was asked


def period_values(month: Month, deadline_day: int, tz: str) -> dict[str, object]:
    """The values a query, an API parameter or a file pattern may use for the month; ``deadline_day``
    and ``tz`` are the catalog's ``collection_deadline_day`` and ``timezone``.

    ``period`` 2024-03, ``start`` 2024-03-01, ``end`` 2024-03-31, ``next_start`` 2024-04-01 (for a
    half-open range), ``cutoff`` 2024-04-05 23:59:59 (the collection deadline, wall time of ``tz``,
    without offset: as source databases store local times), ``year`` 2024, ``month`` 3, and for file
    names ``yyyy`` 2024, ``mm`` 03, ``yyyymm`` 202403."""
    cutoff = deadline_after(month.last_day, deadline_day, tz).replace(tzinfo=None)
    return {"period": str(month), "start": month.first_day, "end": month.last_day,
            "next_start": month.last_day + timedelta(days=1), "cutoff": cutoff, "year": month.year,
            "month": month.month, "yyyy": f"{month.year:04d}", "mm": f"{month.month:02d}",
            "yyyymm": f"{month.year:04d}{month.month:02d}"}


def text_of(value: object) -> str:
    """A cell as the landing CSV holds it: ISO dates, ``true``/``false``, blank for null."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return "" if value != value else repr(value)
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


class CsvOut:
    """The landing CSV a query or an API is written to, row batch by row batch (UTF-8, ``,``, ``.``)."""

    def __init__(self, path: Path):
        self._handle = open(path, "w", encoding="utf-8", newline="")  # noqa: SIM115 - closed by close()
        self._writer = csv.writer(self._handle, lineterminator="\n")
        self.rows = 0

    def header(self, columns: Iterable[str]) -> None:
        self._writer.writerow(list(columns))

    def write(self, rows: Iterable[Iterable[object]]) -> None:
        for row in rows:
            self._writer.writerow([text_of(v) for v in row])
            self.rows += 1

    def close(self) -> None:
        self._handle.close()

    def __enter__(self) -> CsvOut:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def with_retries(call: Callable[[], T], *, attempts: int, delays: tuple[float, ...],
                 transient: Callable[[BaseException], bool], what: str, scrub: Callable[[object], str],
                 sleep: Callable[[float], None] = time.sleep, log: logging.Logger | logging.LoggerAdapter = LOG
                 ) -> T:
    """``call()``, tried again after ``delays[i]`` seconds while it fails with a ``transient`` error, at
    most ``attempts`` times in all; then SourceUnreachable naming ``what``. Other errors pass at once."""
    for attempt in range(1, attempts + 1):
        try:
            return call()
        except FetchError:
            raise
        except Exception as exc:
            if not transient(exc):
                raise
            reason = scrub(f"{type(exc).__name__}: {first_line(exc)}")
            if attempt == attempts:
                raise SourceUnreachable(f"{what}: unreachable after {attempts} attempt(s): {reason}") from None
            delay = delays[min(attempt - 1, len(delays) - 1)] if delays else 0.0
            log.warning("%s: attempt %d of %d failed (%s); again in %.0f s", what, attempt, attempts, reason, delay)
            sleep(delay)
    raise AssertionError("unreachable")  # pragma: no cover


def first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
