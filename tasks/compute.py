"""Tasks: read the staged inputs once, then compute each indicator over every window to date."""

import pandas as pd
import sqlalchemy as sa
from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE

from kinerja import pipeline
from kinerja.catalog import Catalog, Indicator
from kinerja.periods import Window
from kinerja.scorecard import id_number
from tasks.retries import DB_RETRY


@task(name="read-staged", cache_policy=NO_CACHE, **DB_RETRY)
def read_staged(engine: sa.Engine, catalog: Catalog, extract_ids: list[str]) -> dict[str, pd.DataFrame]:
    inputs = pipeline.read_inputs(engine, catalog, extract_ids)
    get_run_logger().info("staged rows: %s", {k: len(v) for k, v in inputs.items()})
    return inputs


# no retries: a formula that raises on these inputs raises again; the flow records it and goes on
@task(name="compute-indicators", task_run_name="compute-indicators-{month}", retries=0, cache_policy=NO_CACHE)
def compute_indicators(indicators: list[Indicator], inputs: dict[str, pd.DataFrame], windows: list[Window],
                       pk_year: int, month: str) -> tuple[dict[int, tuple[pd.DataFrame, pd.DataFrame]], dict[int, str]]:
    """Every indicator over every window to date in one task: ``({no: (results, components)},
    {no: error})``. A formula that raises is logged with its indicator and does not stop the others."""
    logger = get_run_logger()
    computed, errors = {}, {}
    for ind in indicators:
        try:
            results, components = pipeline.compute_indicator(ind, inputs, windows, pk_year)
        except Exception as exc:  # one broken formula must not stop the others
            errors[ind.no] = f"{type(exc).__name__}: {exc}"
            logger.error("indicator %d (%s) failed: %s", ind.no, ind.code, errors[ind.no])
            continue
        computed[ind.no] = (results, components)
        year = results[(results["period_type"] == "year") & (results["unit_code"] == "ALL")]
        if len(year):  # the value as the scorecard prints it: decimal comma, the indicator's decimals
            logger.info("indicator %d (%s): year to date %s, %s", ind.no, ind.code,
                        id_number(year["value"].iloc[0], ind.decimals), year["status"].iloc[0])
    return computed, errors
