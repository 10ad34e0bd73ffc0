"""Runs and their lineage: ``pipeline_run``, each extract's ``pipeline_run_extract`` row and its
quarantined rows."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd
import sqlalchemy as sa

from kinerja.warehouse.engine import now_utc
from kinerja.warehouse.rows import column_values, insert_tuples, upsert_rows


@dataclass
class ExtractOutcome:
    extract_id: str
    landing_month: str
    file: str | None
    sha256: str | None
    status: str  # staged | failed
    message: str | None
    rows_read: int = 0
    rows_staged: int = 0
    rows_quarantined: int = 0

    def as_dict(self) -> dict:
        return dict(self.__dict__)


def start_run(engine: sa.Engine, run_id: str, flow_name: str, pk_year: int, period: str) -> None:
    with engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM pipeline_run_extract WHERE run_id = :r"), {"r": run_id})
        upsert_rows(conn, "pipeline_run", [{
            "run_id": run_id, "flow_name": flow_name, "pk_year": pk_year, "period": period,
            "started_at": now_utc(), "finished_at": None, "status": "running", "message": None,
            "rows_in": 0, "rows_staged": 0, "rows_quarantined": 0, "files_json": "[]"}], ["run_id"])


def record_extract(engine: sa.Engine, run_id: str, pk_year: int, outcome: ExtractOutcome,
                   quarantine: pd.DataFrame | None) -> None:
    with engine.begin() as conn:
        write_lineage(conn, run_id, pk_year, outcome, quarantine)


def write_lineage(conn, run_id: str, pk_year: int, outcome: ExtractOutcome, quarantine: pd.DataFrame | None) -> None:
    """The extract's row in pipeline_run_extract and its quarantined rows, in the caller's transaction."""
    source, name = outcome.extract_id.split("/")
    upsert_rows(conn, "pipeline_run_extract", [{
        "run_id": run_id, "extract_id": outcome.extract_id, "landing_month": outcome.landing_month,
        "file": outcome.file, "sha256": outcome.sha256, "status": outcome.status, "message": outcome.message,
        "rows_read": outcome.rows_read, "rows_staged": outcome.rows_staged,
        "rows_quarantined": outcome.rows_quarantined}], ["run_id", "extract_id", "landing_month"])
    if quarantine is not None and len(quarantine):
        # the run's own values joined to each row's as a tuple (~4x cheaper than a dict per row)
        head, tail = (run_id, pk_year, outcome.landing_month, source, name), (now_utc(),)
        cols = ["run_id", "pk_year", "landing_month", "source", "extract", *quarantine.columns, "quarantined_at"]
        rows = zip(*(column_values(quarantine[c]) for c in quarantine.columns), strict=True)
        insert_tuples(conn, "quarantine", cols, (head + row + tail for row in rows))


def finish_run(engine: sa.Engine, run_id: str, status: str, message: str | None,
               outcomes: Iterable[ExtractOutcome]) -> None:
    outcomes = list(outcomes)
    with engine.begin() as conn:
        conn.execute(sa.text(
            "UPDATE pipeline_run SET finished_at = :f, status = :s, message = :m, rows_in = :i, "
            "rows_staged = :st, rows_quarantined = :q, files_json = :j WHERE run_id = :r"),
            {"f": now_utc(), "s": status, "m": message, "r": run_id,
             "i": sum(o.rows_read for o in outcomes), "st": sum(o.rows_staged for o in outcomes),
             "q": sum(o.rows_quarantined for o in outcomes),
             "j": json.dumps([o.as_dict() for o in outcomes], sort_keys=True)})
