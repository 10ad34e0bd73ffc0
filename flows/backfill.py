"""Backfill: the monthly job for each month of a range, in order. A failed month does not stop the next.

Each month runs as a subflow named ``kinerja-<month>``. A failed month does not alert on
its own: when the backfill ends, one alert names every failed month with its failed
extracts and indicators (``flows.alerts``). Bad usage (a bad range, a year without a catalog, no
usable or another pseudonym key) is caught for every month before the first one starts. Either
ends the backfill Failed with its message, without a traceback (``flows.outcome``).
"""

from __future__ import annotations

from prefect import flow, get_run_logger
from prefect.runtime import flow_run
from prefect.states import State

from flows import alerts, outcome
from flows.monthly import RequiredPeriod, RunFailed, monthly
from kinerja import keys, pipeline, usage, warehouse
from kinerja.periods import Month
from kinerja.usage import BAD_USAGE, check_parameters


def parse_range(from_period: str, to_period: str) -> list[Month]:
    """The months of the range, or a PeriodError naming the parameter at fault."""
    return usage.parse_range(from_period, to_period)


@flow(name="kinerja-backfill", flow_run_name="kinerja-backfill-{from_period}-{to_period}",
      on_failure=[alerts.on_failure], on_crashed=[alerts.on_crashed])
def backfill(from_period: RequiredPeriod, to_period: RequiredPeriod, landing_dir: str | None = None,
             warehouse_url: str | None = None, only_failed: bool = False) -> dict | State:
    """The monthly job for every month from ``from_period`` to ``to_period``, in order.

    Args:
        from_period: The first month, YYYY-MM (e.g. 2024-01).
        to_period: The last month, YYYY-MM (e.g. 2024-12), not before from_period.
        landing_dir: The landing directory. Empty: KINERJA_LANDING_DIR, else data/landing in the project.
        warehouse_url: SQLAlchemy URL of the warehouse. Empty: KINERJA_WAREHOUSE_URL, else
            sqlite:///data/warehouse.db.
        only_failed: Only the months of the range whose last run failed (or that never ran), or whose
            landing files arrived late or changed since their last run.
    """
    logger = get_run_logger()
    try:
        months = parse_range(from_period, to_period)  # first: a bad range fails before any file is opened
        _, settings = check_parameters(str(months[0]), landing_dir, warehouse_url, months)
    except BAD_USAGE as exc:
        return outcome.failed(flow_run.id, exc, logger)
    failed, details = [], {}
    with warehouse.shared_engine(settings.warehouse_url) as engine:  # one engine for all the months
        key = usage.check_run(months)  # passed in check_parameters: only the key is wanted here
        if key is not None:  # another key than the warehouse's is refused once, not month by month
            try:
                keys.check(engine, key)
            except keys.KeyMismatchError as exc:
                return outcome.failed(flow_run.id, exc, logger)
        if only_failed:
            rerun = pipeline.months_to_rerun(engine, settings.landing_dir, months)
            for m, why in rerun.items():
                logger.info("backfill: %s runs again: %s", m, why)
            logger.info("backfill: %d of %d months to run again", len(rerun), len(months))
            months = [m for m in months if str(m) in rerun]
        for m in months:
            state = monthly(period=str(m), landing_dir=landing_dir, warehouse_url=warehouse_url, return_state=True)
            if not state.is_completed():
                failed.append(f"{m}: {state.message}")
                exc = alerts.failure_of(state.state_details.flow_run_id, state)
                details[str(m)] = exc if isinstance(exc, RunFailed) else RunFailed(state.message or "", period=str(m))
    if failed:
        logger.error("backfill: %d of %d months failed", len(failed), len(months))
        return outcome.failed(flow_run.id, RunFailed("backfill failed months: " + " | ".join(failed),
                                                     period=f"{months[0]}..{months[-1]}", failed_months=details))
    return {"months": [str(m) for m in months]}

