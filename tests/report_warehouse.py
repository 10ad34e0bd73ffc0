"""A small, real warehouse for the report, query and view tests (no Prefect).

Demo landing files of the SKM and SDI generators only (scale 0.02, seeded), run
through the plain pipeline functions month by month, like the monthly flow does:
start the run, ingest every extract, compute indicators 3 and 5, load, finish.
Then one hand-made restatement (a corrected TW I value loaded by a later run),
and one indicator ``tidak ada data`` (its extract failed), so every status the report shows exists.
Runs get the times a real schedule gives them (the 6th of the next month, 01:00 UTC;
the restatement at 01:10, the failed run at 01:20 of the last month's run day).
The other indicators have no result rows at all (``belum dihitung``).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from kinerja import pipeline, warehouse
from kinerja.catalog import Catalog
from kinerja.demo import DemoContext, write_landing
from kinerja.demo import sdi as demo_sdi
from kinerja.demo import skm as demo_skm
from kinerja.indicators import base
from kinerja.periods import Month

CODES = ("skm", "sdi")
SCALE = 0.02
RESTATED_RUN = "run-restatement"
NO_DATA_RUN = "run-no-data"


def _clock(engine: sa.Engine, run_id: str, month: Month, minute: int = 0) -> None:
    """Give a run the start and end time a real monthly run has (the 6th of the next month), so that
    "latest run" and "since the last report" do not depend on how fast the test machine is."""
    nxt = month.next()
    start = f"{nxt.year}-{nxt.month:02d}-06T01:{minute:02d}:00+00:00"
    end = f"{nxt.year}-{nxt.month:02d}-06T01:{minute:02d}:30+00:00"
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE pipeline_run SET started_at = :s, finished_at = :e WHERE run_id = :r"),
                     {"s": start, "e": end, "r": run_id})


def write_demo_landing(landing: Path, year: int = 2024) -> None:
    ctx = DemoContext(year, seed=2024, scale=SCALE)
    for module in (demo_skm, demo_sdi):
        for item in module.generate(ctx):
            write_landing(landing, item)


def run_month(engine: sa.Engine, catalog: Catalog, landing: Path, month: Month) -> str:
    """One monthly run of indicators 3 and 5, as flows/monthly does it (without Prefect)."""
    run_id = f"run-{month}"
    indicators = [catalog.indicator(c) for c in CODES]
    known = pipeline.extract_registry.registry()
    extract_ids = sorted({e for ind in indicators for e in ind.extracts})
    warehouse.start_run(engine, run_id, "kinerja-monthly", catalog.pk_year, str(month))
    outcomes = [pipeline.ingest(engine, catalog, landing, known[e], month, run_id) for e in extract_ids]
    windows = pipeline.run_windows(catalog, month)
    inputs = pipeline.read_inputs(engine, catalog, extract_ids)
    results, components = [], []
    for ind in indicators:
        res, comp = pipeline.compute_indicator(ind, inputs, windows, catalog.pk_year)
        results.append(res)
        components.append(comp)
    output = pipeline.ComputeOutput(pd.concat(results, ignore_index=True), pd.concat(components, ignore_index=True))
    pipeline.load(engine, catalog.pk_year, output, run_id)
    warehouse.finish_run(engine, run_id, "completed", None, outcomes)
    _clock(engine, run_id, month)
    return run_id


def restate_q1_skm(engine: sa.Engine, catalog: Catalog, as_of: Month, delta: float = 1.5) -> tuple[float, float]:
    """Load a corrected TW I SKM value (same window, as of 2024-03) in a later run: a restatement."""
    year = catalog.pk_year
    skm = catalog.indicator("skm")
    cur = warehouse.query(engine, "SELECT * FROM indicator_result WHERE pk_year = :y AND indicator_no = :i "
                                  "AND unit_code = 'ALL' AND period = :p", y=year, i=skm.no, p=f"{year}-Q1")
    row = cur.iloc[0].to_dict()
    old = float(row["value"])
    new = old + delta
    row["value"] = new
    row["capaian_pct"] = base.capaian(new, row["target"], skm.polarity)
    row["status"] = base.status(new, row["target"], skm.polarity)
    row["category"] = skm.category(new)
    warehouse.start_run(engine, RESTATED_RUN, "kinerja-monthly", year, str(as_of))
    warehouse.load_results(engine, year, pd.DataFrame([row]), pd.DataFrame(columns=warehouse.COMPONENT_COLUMNS),
                           RESTATED_RUN)
    warehouse.finish_run(engine, RESTATED_RUN, "completed", None, [])
    _clock(engine, RESTATED_RUN, as_of, minute=10)
    return old, new


def add_no_data_indicator(engine: sa.Engine, catalog: Catalog, code: str, as_of: Month) -> None:
    """An indicator whose extract failed: every window to date ``tidak ada data``."""
    ind = catalog.indicator(code)
    windows = pipeline.run_windows(catalog, as_of)
    res, comp = base.no_data(ind, windows, catalog.pk_year)
    warehouse.start_run(engine, NO_DATA_RUN, "kinerja-monthly", catalog.pk_year, str(as_of))
    warehouse.load_results(engine, catalog.pk_year, res, comp, NO_DATA_RUN)
    warehouse.finish_run(engine, NO_DATA_RUN, "failed", f"extract of {code} failed", [])
    _clock(engine, NO_DATA_RUN, as_of, minute=20)


def build(engine: sa.Engine, catalog: Catalog, landing: Path, months: int = 4,
          no_data_code: str = "komunikasi") -> dict:
    """Demo months 1..``months`` of indicators 3 and 5, a restatement, one ``tidak ada data`` indicator."""
    if not landing.exists() or not any(landing.iterdir()):
        landing.mkdir(parents=True, exist_ok=True)
        write_demo_landing(landing, catalog.pk_year)
    runs = [run_month(engine, catalog, landing, Month(catalog.pk_year, m)) for m in range(1, months + 1)]
    old, new = restate_q1_skm(engine, catalog, Month(catalog.pk_year, months))
    add_no_data_indicator(engine, catalog, no_data_code, Month(catalog.pk_year, months))
    return {"runs": runs, "restated": (old, new), "no_data_code": no_data_code}
