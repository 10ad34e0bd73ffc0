"""An operator reruns past months after a backfill: nothing the warehouse holds changes.

After a backfill of the demo year, every month is run again in a shuffled order. The current
results, their components, the action-plan status and every staging table must be exactly as
they were (run ids and timestamps included: a rerun that changes nothing writes nothing), and
no history row is added. SQLite and PostgreSQL alike.
"""

import random

import pandas as pd
import pytest

from flows.backfill import backfill
from flows.monthly import monthly
from kinerja import demo, extracts, warehouse

pytestmark = pytest.mark.flow
BACKENDS = ["sqlite_url", pytest.param("pg_url", marks=pytest.mark.postgres)]


@pytest.fixture(scope="module")
def landing(tmp_path_factory):
    root = tmp_path_factory.mktemp("landing")
    demo.generate(root, 2024, seed=7, scale=0.02)
    return root


def snapshot(engine) -> dict[str, pd.DataFrame]:
    """Every table a rerun must leave as it is, sorted by all its columns."""
    tables = ["indicator_result", "indicator_component", "action_plan_status",
              *(ext.table for ext in extracts.registry().values())]
    out = {}
    for table in tables:
        df = warehouse.query(engine, f"SELECT * FROM {table}")
        out[table] = df.astype(str).sort_values(list(df.columns)).reset_index(drop=True)
    return out


def history_rows(engine) -> int:
    return int(warehouse.query(engine, "SELECT COUNT(*) AS n FROM indicator_result_history")["n"].iloc[0])


@pytest.mark.parametrize("backend", BACKENDS)
def test_rerunning_every_month_after_a_backfill_changes_nothing(prefect_harness, landing, backend, request):
    url = request.getfixturevalue(backend)
    state = backfill(from_period="2024-01", to_period="2024-12", landing_dir=str(landing), warehouse_url=url,
                     return_state=True)
    assert state.is_completed(), state.message
    engine = warehouse.create_engine(url)
    before, history = snapshot(engine), history_rows(engine)
    assert len(before["indicator_result"]) > 0 and len(before["stg_simpeg__pns_snapshot"]) > 0

    months = [f"2024-{m:02d}" for m in range(1, 13)]
    random.Random(20).shuffle(months)
    for month in months:
        state = monthly(period=month, landing_dir=str(landing), warehouse_url=url, return_state=True)
        assert state.is_completed(), f"{month}: {state.message}"
    after = snapshot(engine)
    changed = {t: len(before[t].compare(after[t])) if before[t].shape == after[t].shape else "shape"
               for t in before if not before[t].equals(after[t])}
    assert changed == {}, f"months rerun in the order {months} changed {changed}"
    assert history_rows(engine) == history
    engine.dispose()
