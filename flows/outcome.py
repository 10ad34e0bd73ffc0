"""How a run ends when something expected goes wrong: Failed, with its message, and no traceback.

Expected: a data failure (a landing file missing or unusable, an indicator that could not be
computed: :class:`RunFailed`) and bad usage (a malformed period, a year without a catalog, no
usable pseudonym key, another key than the warehouse's: ``kinerja.usage.BAD_USAGE``). The flows
return :func:`failed`'s state instead of raising: Prefect then records the state and runs the
``on_failure`` hooks (the alert) without logging the exception as unexpected. Anything else is a
bug and keeps its traceback.
"""

from __future__ import annotations

import logging

from prefect.states import Failed, State

from flows import alerts
from kinerja.pipeline import MonthOutcome
from kinerja.usage import BAD_USAGE


class RunFailed(RuntimeError):
    """The run finished and loaded what it could, but an extract or an indicator failed.

    Carries what failed, for the alert: ``period``, ``failed_extracts`` (extract id ->
    message), ``failed_indicators`` (indicator no -> reason), ``indicator_names`` and ``late_files``
    (the monthly extracts' files late or missing that no alert named before: source, extract, month).
    """

    def __init__(self, message: str, *, period: str | None = None, failed_extracts: dict | None = None,
                 failed_indicators: dict | None = None, indicator_names: dict | None = None,
                 failed_months: dict | None = None, late_files: list | None = None):
        super().__init__(message)
        self.late_files = list(late_files or [])
        self.period = period
        self.failed_extracts = dict(failed_extracts or {})
        self.failed_indicators = dict(failed_indicators or {})
        self.indicator_names = dict(indicator_names or {})
        self.failed_months = dict(failed_months or {})


EXPECTED = (RunFailed, *BAD_USAGE)


def failed(flow_run_id, exc: BaseException, logger: logging.Logger | logging.LoggerAdapter | None = None) -> State:
    """The state a flow returns for an expected failure: Failed, its message the exception's, the exception
    as its data (``state.result()`` raises it) and remembered for the alert hooks (flows.alerts)."""
    message = str(exc)
    if logger is not None:
        logger.error(message)
    alerts.remember(flow_run_id, exc)
    return Failed(message=message, data=exc)


def of_month(flow_run_id, run: MonthOutcome, logger: logging.Logger | logging.LoggerAdapter | None = None
             ) -> dict | State:
    """What the monthly flow returns for a month that ran to its end: what was loaded, or, when an
    extract or an indicator failed, the Failed state of a :class:`RunFailed` naming them."""
    if run.message:
        return failed(flow_run_id, RunFailed(
            run.message, period=run.period, failed_extracts=run.failed_extracts,
            failed_indicators=run.failed_indicators, indicator_names=run.indicator_names,
            late_files=run.late_files), logger)
    return {"period": run.period, "run_id": run.run_id, "failed_extracts": run.failed_extracts,
            "failed_indicators": run.failed_indicators, "loaded": run.loaded.__dict__}


class _ExpectedFailureFilter(logging.Filter):
    """Drops the engine's "unexpected exception" record, with its traceback, for an expected failure.

    A deployment's flow-run process asks the engine for the flow's result once the run has ended;
    for a Failed state that raises the state's exception, which the engine then logs as unexpected,
    after the run already ended Failed with its message. For a bug it stays."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        return not (isinstance(exc, EXPECTED) and "exited with unexpected exception" in record.getMessage())


_FILTER = _ExpectedFailureFilter()
logging.getLogger("prefect.flow_runs").addFilter(_FILTER)
