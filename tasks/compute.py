"""Tasks: read the staged inputs once, then compute each indicator over every window to date."""

import pandas as pd
import sqlalchemy as sa
from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE

from kinerja import pipeline
from kinerja.catalog import Catalog, Indicator
from kinerja.periods import Window
from tasks.retries import DB_RETRY


@task(name="read-staged", cache_policy=NO_CACHE, **DB_RETRY)
def read_staged(engine: sa.Engine, catalog: Catalog, extract_ids: list[str]) -> dict[str, pd.DataFrame]:
    inputs = pipeline.read_inputs(engine, catalog, extract_ids)
    get_run_logger().info("staged rows: %s", {k: len(v) for k, v in inputs.items()})
    return inputs


# no retries: a formula that raises on these inputs raises again; the run records it and goes on
@task(name="compute-indicators", task_run_name="compute-indicators-{month}", retries=0, cache_policy=NO_CACHE)
def compute_indicators(indicators: list[Indicator], inputs: dict[str, pd.DataFrame], windows: list[Window],
                       pk_year: int, month: str) -> tuple[dict[int, tuple[pd.DataFrame, pd.DataFrame]], dict[int, str]]:
    """Every indicator in one task run: ``({no: (results, components)}, {no: error})``."""
    return pipeline.compute_indicators(indicators, inputs, windows, pk_year, month, log=get_run_logger())
