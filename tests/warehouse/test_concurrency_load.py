"""Two runs of one PK year at once never interleave their warehouse writes (SQLite and PostgreSQL).

``warehouse.load_results`` holds the year's lock for its whole transaction: a
transaction-scoped advisory lock on PostgreSQL, ``BEGIN IMMEDIATE`` (one writer at
a time) on SQLite. The tests start two loads at the same instant in two threads,
each with its own engine (its own connection, as two worker processes would have),
and hold each load inside its transaction for a while, so that without the lock
they would overlap.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

import pandas as pd
import pytest
import sqlalchemy as sa

from kinerja import pipeline, warehouse
from kinerja.warehouse import results as loading

HOLD = 0.6  # seconds each load sleeps inside its transaction, between reading and writing
YEAR = 2024
DIALECTS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@pytest.fixture
def wh_url(request, catalog) -> str:
    """A prepared, empty warehouse of the requested dialect."""
    if request.param == "sqlite":
        request.getfixturevalue("sqlite_engine")
        return request.getfixturevalue("sqlite_url")
    request.getfixturevalue("pg_engine")
    return request.getfixturevalue("pg_url")


def results(value: float) -> pd.DataFrame:
    """SKM (indicator 3) for January 2024: the month, TW I to date and the year to date."""
    rows = [(period, ptype, target) for period, ptype, target in
            (("2024-01", "month", None), ("2024-Q1", "quarter", 94.0), ("2024", "year", 94.0))]
    return pd.DataFrame([{
        "pk_year": YEAR, "indicator_no": 3, "unit_code": "ALL", "period": period, "period_type": ptype,
        "as_of_month": "2024-01", "value": value, "target": target,
        "capaian_pct": None if target is None else value / target * 100,
        "status": "tanpa target" if target is None else ("tercapai" if value >= target else "tidak tercapai"),
        "category": None, "n_source_rows": 10} for period, ptype, target in rows])


NO_COMPONENTS = pd.DataFrame(columns=warehouse.COMPONENT_COLUMNS)


@dataclass
class Trace:
    """When each load got the year's lock and when it finished writing ``indicator_result``."""

    events: list[tuple[str, str, float]] = field(default_factory=list)
    guard: threading.Lock = field(default_factory=threading.Lock)

    def note(self, what: str) -> None:
        with self.guard:
            self.events.append((threading.current_thread().name, what, time.monotonic()))

    def at(self, run: str, what: str) -> float:
        return next(t for name, w, t in self.events if name == run and w == what)


@pytest.fixture
def trace(monkeypatch) -> Trace:
    """Instrument the load: note 'locked' once the year's lock is held, then hold the transaction
    HOLD seconds before writing indicator_result, and note 'written' after."""
    tr = Trace()
    lock_year, upsert_rows = loading.lock_year, loading.upsert_rows

    def traced_lock(conn, pk_year):
        lock_year(conn, pk_year)
        tr.note("locked")

    def slow_upsert(conn, table, rows, key):
        if table == "indicator_result":
            time.sleep(HOLD)
        upsert_rows(conn, table, rows, key)
        if table == "indicator_result":
            tr.note("written")

    monkeypatch.setattr(loading, "lock_year", traced_lock)
    monkeypatch.setattr(loading, "upsert_rows", slow_upsert)
    return tr


def load_at_once(make_engine, loads: dict[str, float]) -> dict[str, BaseException]:
    """Run one load_results per entry (thread name -> value) at the same instant; their errors."""
    start = threading.Barrier(len(loads))
    errors: dict[str, BaseException] = {}

    def one(name: str, value: float) -> None:
        engine = make_engine()
        try:
            start.wait(timeout=30)
            warehouse.load_results(engine, YEAR, results(value), NO_COMPONENTS, run_id=name)
        except BaseException as exc:  # reported to the test below
            errors[name] = exc
        finally:
            engine.dispose()

    threads = [threading.Thread(target=one, args=item, name=item[0]) for item in loads.items()]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
        assert not t.is_alive(), "a load hung"
    return errors


@pytest.mark.parametrize("wh_url", DIALECTS, indirect=True)
def test_two_loads_of_one_year_at_once_run_one_after_the_other(wh_url, trace):
    began = time.monotonic()
    errors = load_at_once(lambda: warehouse.create_engine(wh_url), {"run-a": 90.0, "run-b": 95.0})
    elapsed = time.monotonic() - began
    assert errors == {}

    # whichever got the lock first finished writing before the other even got the lock
    first, second = sorted(["run-a", "run-b"], key=lambda r: trace.at(r, "locked"))
    assert trace.at(second, "locked") > trace.at(first, "written")
    assert elapsed >= 2 * HOLD  # each held its transaction HOLD seconds, one after the other

    engine = warehouse.create_engine(wh_url)
    value = {"run-a": 90.0, "run-b": 95.0}
    current = warehouse.query(engine, "SELECT period, value, revision, run_id FROM indicator_result "
                                      "WHERE pk_year = :y ORDER BY period", y=YEAR)
    # the second load saw the first one's rows: a change, so revision 2 (no lost update)
    assert current["period"].tolist() == ["2024", "2024-01", "2024-Q1"]
    assert current["revision"].tolist() == [2, 2, 2]
    assert current["run_id"].tolist() == [second] * 3
    assert current["value"].tolist() == [value[second]] * 3
    history = warehouse.query(engine, "SELECT period, revision, run_id, value FROM indicator_result_history "
                                      "WHERE pk_year = :y ORDER BY period, revision", y=YEAR)
    # each period: revision 1 by the first load, revision 2 by the second, never two rows of one revision
    assert history.groupby("period")["revision"].apply(list).to_dict() == {p: [1, 2] for p in current["period"]}
    assert history.groupby("period")["run_id"].apply(list).to_dict() == {p: [first, second]
                                                                        for p in current["period"]}
    assert history.groupby("period")["value"].apply(list).to_dict() == {
        p: [value[first], value[second]] for p in current["period"]}
    engine.dispose()


def _unguarded_engine(url: str) -> sa.Engine:
    """An engine without the guard: plain deferred transactions on SQLite (no BEGIN IMMEDIATE)."""
    if url.startswith("sqlite"):
        return sa.create_engine(url, connect_args={"timeout": 30})
    return warehouse.create_engine(url)


@pytest.mark.parametrize("wh_url", DIALECTS, indirect=True)
def test_without_the_guard_the_same_two_loads_interleave(wh_url, trace, monkeypatch):
    """The control: the test above can fail. Take the lock away and the two loads both read an
    empty table, both write revision 1, and the second one's history row collides."""
    monkeypatch.setattr(loading, "lock_year", lambda conn, pk_year: trace.note("locked"))  # no lock
    errors = load_at_once(lambda: _unguarded_engine(wh_url), {"run-a": 90.0, "run-b": 95.0})

    first, second = sorted(["run-a", "run-b"], key=lambda r: trace.at(r, "locked"))
    assert trace.at(second, "locked") < trace.at(first, "written")  # they overlapped
    assert len(errors) == 1  # the later writer failed on the history's primary key
    failure = next(iter(errors.values()))
    assert isinstance(failure, sa.exc.IntegrityError), failure
    engine = warehouse.create_engine(wh_url)
    revisions = warehouse.query(engine, "SELECT revision FROM indicator_result WHERE pk_year = :y", y=YEAR)
    assert revisions["revision"].tolist() == [1, 1, 1]  # no revision 2: the second value is lost
    engine.dispose()


@pytest.mark.parametrize("wh_url", DIALECTS, indirect=True)
def test_two_runs_preparing_the_warehouse_at_once_do_not_collide(wh_url, catalog):
    """Each run starts by reloading the catalog tables of its year (DELETE then INSERT). Without the
    year's lock, on PostgreSQL the second DELETE misses the first one's new rows and its INSERT
    violates the primary key; with it, every attempt succeeds."""
    failures = []
    for _ in range(5):
        start = threading.Barrier(2)

        def prepare(start: threading.Barrier) -> None:
            engine = warehouse.create_engine(wh_url)
            try:
                start.wait(timeout=30)
                pipeline.prepare_warehouse(engine, catalog)
            except BaseException as exc:  # reported below
                failures.append(exc)
            finally:
                engine.dispose()

        threads = [threading.Thread(target=prepare, args=(start,)) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
    assert failures == []
    engine = warehouse.create_engine(wh_url)
    n = warehouse.query(engine, "SELECT COUNT(*) AS n FROM indicator WHERE pk_year = :y", y=YEAR)["n"].iloc[0]
    assert n == len(catalog.indicators)
    engine.dispose()
