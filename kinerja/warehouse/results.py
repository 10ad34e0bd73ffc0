"""Loading a run's results: ``indicator_result`` and its history, ``indicator_component`` and
``action_plan_status``, in one transaction, each row rewritten only when it changed."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import pandas as pd
import sqlalchemy as sa

from kinerja.warehouse.engine import lock_year, now_utc
from kinerja.warehouse.rows import frame_records, insert_rows, py_value, upsert_rows

RESULT_COLUMNS = ["pk_year", "indicator_no", "unit_code", "period", "period_type", "as_of_month", "value",
                  "target", "capaian_pct", "status", "category", "n_source_rows"]
RESULT_KEY = ["pk_year", "indicator_no", "unit_code", "period"]
COMPONENT_COLUMNS = ["pk_year", "indicator_no", "unit_code", "period", "component", "value", "as_of_month"]
COMPARED = ["period_type", "as_of_month", "value", "target", "capaian_pct", "status", "category", "n_source_rows"]
PLAN_KEY = ["pk_year", "iku_no", "output_code", "period"]


def _same(a, b) -> bool:
    """Equal as stored: None only to None, floats to 12 digits, a date to its ISO text (SQLite keeps text)."""
    a, b = (v.isoformat() if isinstance(v, date) else v for v in (py_value(a), py_value(b)))
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, float) or isinstance(b, float):
        try:
            return math.isclose(float(a), float(b), rel_tol=1e-12, abs_tol=1e-12)
        except (TypeError, ValueError):
            return False
    return a == b


@dataclass
class LoadSummary:
    inserted: int = 0
    changed: int = 0
    unchanged: int = 0
    skipped_newer: int = 0


def load_results(engine: sa.Engine, pk_year: int, results: pd.DataFrame, components: pd.DataFrame,
                 run_id: str, action_plan_status: pd.DataFrame | None = None,
                 also: Callable[[sa.Connection], None] | None = None) -> LoadSummary:
    """Load a run's results in one transaction: all or nothing, idempotent. ``also`` writes in the same
    transaction (the run's end: its results become current together with it, ``runs.record_end``).

    A row changes (new revision, history row) only when a compared field changes.
    A row already computed through a later month than this run is left alone, so
    rerunning an old month never rolls a quarter or the year back.
    """
    summary = LoadSummary()
    computed_at = now_utc()
    new = results[RESULT_COLUMNS]
    with engine.begin() as conn:
        lock_year(conn, pk_year)
        existing = {
            tuple(r[:4]): r for r in conn.execute(sa.text(
                f"SELECT {', '.join(RESULT_KEY + COMPARED)}, revision FROM indicator_result WHERE pk_year = :y"),
                {"y": pk_year}).all()
        }
        upserts, history, written_keys = [], [], set()
        for rec in frame_records(new):
            key = tuple(rec[k] for k in RESULT_KEY)
            old = existing.get(key)
            if old is not None:
                old_map = dict(zip(RESULT_KEY + COMPARED + ["revision"], old, strict=True))
                if old_map["as_of_month"] > rec["as_of_month"]:
                    summary.skipped_newer += 1
                    continue
                written_keys.add(key)
                if all(_same(old_map[c], rec[c]) for c in COMPARED):
                    summary.unchanged += 1
                    continue
                revision = old_map["revision"] + 1
                summary.changed += 1
            else:
                written_keys.add(key)
                revision = 1
                summary.inserted += 1
            row = {**rec, "run_id": run_id, "computed_at": computed_at, "revision": revision}
            upserts.append(row)
            history.append(row)
        upsert_rows(conn, "indicator_result", upserts, RESULT_KEY)
        insert_rows(conn, "indicator_result_history", history)
        if len(components):
            _replace_changed_components(conn, pk_year, components[COMPONENT_COLUMNS], written_keys, run_id,
                                        computed_at)
        if action_plan_status is not None and len(action_plan_status):
            _upsert_changed_plan_status(conn, pk_year, action_plan_status, run_id, computed_at)
        if also is not None:
            also(conn)
    return summary


def _replace_changed_components(conn, pk_year: int, components: pd.DataFrame, written_keys: set, run_id: str,
                                computed_at: str) -> None:
    """Rewrite the components of every result written by this run whose set of components changed;
    a result whose components are all the same keeps its rows (and their run)."""
    new: dict[tuple, dict] = {}
    for r in frame_records(components):
        key = (r["pk_year"], r["indicator_no"], r["unit_code"], r["period"])
        if key in written_keys:
            new.setdefault(key, {})[r["component"]] = r
    old: dict[tuple, dict] = {}
    for row in conn.execute(sa.text("SELECT indicator_no, unit_code, period, component, value, as_of_month "
                                    "FROM indicator_component WHERE pk_year = :y"), {"y": pk_year}):
        old.setdefault((pk_year, *row[:3]), {})[row[3]] = row[4:]
    changed = [key for key, comps in new.items()
               if comps.keys() != old.get(key, {}).keys()
               or any(not _same(r["value"], old[key][c][0]) or r["as_of_month"] != old[key][c][1]
                      for c, r in comps.items())]
    if not changed:
        return
    conn.execute(sa.text("DELETE FROM indicator_component WHERE pk_year = :y AND indicator_no = :i "
                         "AND unit_code = :u AND period = :p"),
                 [{"y": y, "i": i, "u": u, "p": p} for y, i, u, p in sorted(changed)])
    insert_rows(conn, "indicator_component", [{**r, "run_id": run_id, "computed_at": computed_at}
                                              for key in changed for r in new[key].values()])


def _upsert_changed_plan_status(conn, pk_year: int, status: pd.DataFrame, run_id: str, computed_at: str) -> None:
    """Upsert the action-plan rows whose status (or dates) changed; an unchanged row keeps its run, and
    a row computed through a later month than this run is left alone (as results are)."""
    records = frame_records(status)
    compared = [c for c in records[0] if c not in PLAN_KEY]
    old = {tuple(row[:4]): dict(zip(compared, row[4:], strict=True)) for row in conn.execute(sa.text(
        f"SELECT {', '.join(PLAN_KEY + compared)} FROM action_plan_status WHERE pk_year = :y"), {"y": pk_year})}
    rows = [{**r, "run_id": run_id, "computed_at": computed_at} for r in records
            if (was := old.get(tuple(r[k] for k in PLAN_KEY))) is None
            or (was["as_of_month"] <= r["as_of_month"] and not all(_same(r[c], was[c]) for c in compared))]
    upsert_rows(conn, "action_plan_status", rows, PLAN_KEY)
