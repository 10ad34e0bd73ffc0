"""Backfill: the monthly job for each month of a range, in order. A failed month does not stop the next."""

from __future__ import annotations

from prefect import flow, get_run_logger

from flows.monthly import RunFailed, monthly
from kinerja.periods import Month, month_range


@flow(name="kinerja-backfill", flow_run_name="kinerja-backfill-{from_period}-{to_period}")
def backfill(from_period: str, to_period: str, landing_dir: str | None = None,
             warehouse_url: str | None = None) -> dict:
    logger = get_run_logger()
    months = month_range(Month.parse(from_period), Month.parse(to_period))
    failed = []
    for m in months:
        state = monthly(period=str(m), landing_dir=landing_dir, warehouse_url=warehouse_url, return_state=True)
        if not state.is_completed():
            failed.append(f"{m}: {state.message}")
    if failed:
        logger.error("backfill: %d of %d months failed", len(failed), len(months))
        raise RunFailed("backfill failed months: " + " | ".join(failed))
    return {"months": [str(m) for m in months]}
