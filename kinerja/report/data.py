"""Everything a report shows, read from the warehouse in one place (read-only: no DDL, no writes).

The report reads the base tables and ``v_scorecard`` only, so it works on any
warehouse the pipeline has written, also through a read-only analyst account.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

import pandas as pd
import sqlalchemy as sa

from kinerja import scorecard, warehouse
from kinerja.catalog import CatalogError, load_catalog
from kinerja.indicators.base import ALL

# period keys of the scorecard columns (v_scorecard prefixes) -> label, period suffix
PERIODS = scorecard.PERIODS
NOT_COMPUTED = "belum dihitung"  # no result row at all: the indicator or the period is not computed yet
QUARTERS = ("tw1", "tw2", "tw3", "tw4")


class ReportError(ValueError):
    """Bad usage: an unknown year, a warehouse without the Kinerja tables."""


def period_key(year: int, key: str) -> str:
    """``tw1`` -> ``2024-Q1``; ``year`` -> ``2024``."""
    return str(year) if key == "year" else f"{year}-Q{key[-1]}"


@dataclass
class ReportData:
    year: int
    agency: str | None
    generated_at: str
    indicators: pd.DataFrame     # one row per indicator of the year: catalog columns
    scorecard: pd.DataFrame      # v_scorecard, every indicator (None where not computed)
    results: pd.DataFrame        # every ALL result row of the year (month, quarter, year), with lineage
    components: pd.DataFrame     # every component row of the year (all units)
    quarantine: pd.DataFrame     # rejected rows of each file's latest run, by extract, check, landing month
    runs: pd.DataFrame           # the year's pipeline runs, newest first
    notes: list[str] = field(default_factory=list)

    # -- lookups the renderers share --------------------------------------------------------

    def result(self, indicator_no: int, period: str) -> dict | None:
        """The agency-level result row of an indicator and period, or None (not computed)."""
        rows = self.results[(self.results["indicator_no"] == indicator_no) & (self.results["period"] == period)]
        return None if rows.empty else rows.iloc[0].to_dict()

    def status(self, indicator_no: int, period: str) -> str:
        row = self.result(indicator_no, period)
        return NOT_COMPUTED if row is None else row["status"]

    def as_of(self) -> str | None:
        """The last month any result of the year includes."""
        if self.results.empty:
            return None
        return str(self.results["as_of_month"].max())

    def latest_run(self) -> dict | None:
        return None if self.runs.empty else self.runs.iloc[0].to_dict()

    def indicator_no(self, code: str) -> int | None:
        rows = self.indicators[self.indicators["code"] == code]
        return None if rows.empty else int(rows.iloc[0]["indicator_no"])

    def monthly(self, indicator_no: int) -> pd.DataFrame:
        """Agency-level month rows of an indicator, by month."""
        r = self.results
        return r[(r["indicator_no"] == indicator_no) & (r["period_type"] == "month")].sort_values("period")

    def monthly_components(self, indicator_no: int, names: list[str] | tuple[str, ...]) -> pd.DataFrame:
        """Agency-level month components of an indicator, one column per name, index = month."""
        c = self.components
        sel = c[(c["indicator_no"] == indicator_no) & (c["unit_code"] == ALL) & (c["component"].isin(names))
                & (c["period"].str.fullmatch(r"\d{4}-\d{2}"))]
        wide = sel.pivot_table(index="period", columns="component", values="value", aggfunc="first")
        return wide.reindex(columns=list(names))

    def target(self, indicator_no: int, key: str) -> float | None:
        row = self.scorecard[self.scorecard["indicator_no"] == indicator_no]
        if row.empty:
            return None
        value = row.iloc[0][f"{key}_target"]
        return None if scorecard._missing(value) else float(value)


def _now() -> str:
    return datetime.now(UTC).astimezone().isoformat(timespec="seconds")


def _has_tables(engine: sa.Engine) -> bool:
    names = set(sa.inspect(engine).get_table_names()) | set(sa.inspect(engine).get_view_names())
    return {"indicator", "indicator_result", "v_scorecard"} <= names


def known_years(engine: sa.Engine) -> list[int]:
    df = warehouse.query(engine, "SELECT DISTINCT pk_year FROM indicator ORDER BY pk_year")
    return [int(y) for y in df["pk_year"]]


def _timestamps(df: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Timestamps as ISO text on both dialects (SQLite stores text, PostgreSQL returns datetimes)."""
    for col in columns:
        if col in df.columns:
            df[col] = df[col].map(lambda v: None if v is None or v is pd.NaT or (isinstance(v, float) and v != v)
                                  else (v.isoformat() if hasattr(v, "isoformat") else str(v)))
    return df


# The quarantine of each landing file as its latest run left it: the rows of the latest run that read
# the file (by start time, ties by run id), by check. A file run again (a rerun, the corrections run)
# replaces its earlier counts; it does not add to them. Rows, not records: a row failing one check in
# two columns counts once.
LATEST_QUARANTINE = """
WITH latest AS (
    SELECT e.extract_id, e.landing_month, e.run_id,
           ROW_NUMBER() OVER (PARTITION BY e.extract_id, e.landing_month
                              ORDER BY r.started_at DESC, r.run_id DESC) AS n
    FROM pipeline_run_extract e JOIN pipeline_run r ON r.run_id = e.run_id
    WHERE r.pk_year = :y
)
SELECT q.source, q.extract, q.check_name, q.landing_month, COUNT(DISTINCT q.row_number) AS rows_quarantined,
       MIN(q.reason) AS example_reason
FROM quarantine q
JOIN latest l ON l.n = 1 AND l.run_id = q.run_id AND l.landing_month = q.landing_month
             AND l.extract_id = q.source || '/' || q.extract
WHERE q.pk_year = :y
GROUP BY q.source, q.extract, q.check_name, q.landing_month
ORDER BY q.source, q.extract, q.check_name, q.landing_month
"""


def load(engine: sa.Engine, year: int) -> ReportData:
    """Read the report of a PK year; raises ReportError when the warehouse does not know the year."""
    if not _has_tables(engine):
        raise ReportError("the warehouse has no Kinerja tables yet (run `kinerja run`, `backfill` or `demo` first)")
    years = known_years(engine)
    if year not in years:
        known = ", ".join(map(str, years)) or "none"
        raise ReportError(f"the warehouse has no PK year {year} (years in the warehouse: {known})")
    try:
        agency = load_catalog(year).agency
    except CatalogError:
        agency = None

    indicators = warehouse.query(
        engine, "SELECT indicator_no, code, level, sasaran, name, short_name, unit_of_measure, polarity, "
                "window_kind, decimals FROM indicator WHERE pk_year = :y ORDER BY indicator_no", y=year)
    card = scorecard.fetch(engine, year, computed_only=False)
    card = card.merge(indicators[["indicator_no", "code", "name"]], on="indicator_no", how="left")
    card = _timestamps(card, ["computed_at"])

    results = warehouse.query(
        engine, "SELECT indicator_no, period, period_type, as_of_month, value, target, capaian_pct, status, "
                "category, n_source_rows, revision, run_id, computed_at FROM indicator_result "
                "WHERE pk_year = :y AND unit_code = :u ORDER BY indicator_no, period_type, period",
        y=year, u=ALL)
    results = _timestamps(results, ["computed_at"])
    components = warehouse.query(
        engine, "SELECT indicator_no, unit_code, period, component, value, as_of_month, run_id, computed_at "
                "FROM indicator_component WHERE pk_year = :y ORDER BY indicator_no, unit_code, period, component",
        y=year)
    components = _timestamps(components, ["computed_at"])
    quarantine = warehouse.query(engine, LATEST_QUARANTINE, y=year)
    runs = warehouse.query(
        engine, "SELECT run_id, flow_name, period, status, message, started_at, finished_at, rows_in, "
                "rows_staged, rows_quarantined FROM pipeline_run WHERE pk_year = :y "
                "ORDER BY started_at DESC, run_id DESC", y=year)
    runs = _timestamps(runs, ["started_at", "finished_at"])
    return ReportData(year=year, agency=agency, generated_at=_now(), indicators=indicators, scorecard=card,
                      results=results, components=components, quarantine=quarantine, runs=runs)


# -- the agreement's table, as every renderer shows it -----------------------------------------

@dataclass
class Cell:
    """One period of one indicator: target, realisasi, capaian, status and where the number comes from."""

    target: float | None
    value: float | None
    capaian: float | None
    status: str
    as_of_month: str | None = None
    window_end: str | None = None   # the last month of the full window (quarter or year)
    run_id: str | None = None
    computed_at: str | None = None
    revision: int | None = None

    @property
    def partial(self) -> bool:
        """A window still in progress: computed through a month before its last."""
        return bool(self.as_of_month and self.window_end and self.as_of_month < self.window_end)

    def lineage(self) -> str:
        if self.run_id is None:
            return ""
        return (f"run {self.run_id}; data s.d. {self.as_of_month}; dihitung {self.computed_at}; "
                f"revisi {self.revision}")


@dataclass
class Row:
    no: int
    level: str
    sasaran: str
    name: str
    short_name: str
    unit_of_measure: str
    decimals: int
    category: str | None
    cells: dict[str, Cell]


def _num(v) -> float | None:
    return None if scorecard._missing(v) else float(v)


def window_end(year: int, key: str) -> str:
    return f"{year}-12" if key == "year" else f"{year}-{3 * int(key[-1]):02d}"


def table_rows(data: ReportData) -> list[Row]:
    """One row per indicator of the year, in agreement order; every period filled or ``belum dihitung``."""
    rows = []
    for ind in data.indicators.itertuples(index=False):
        no = int(ind.indicator_no)
        cells = {}
        for key, _label in PERIODS:
            res = data.result(no, period_key(data.year, key))
            target = data.target(no, key)
            if res is None:
                cells[key] = Cell(target, None, None, NOT_COMPUTED, window_end=window_end(data.year, key))
            else:
                cells[key] = Cell(target, _num(res["value"]), _num(res["capaian_pct"]), str(res["status"]),
                                  str(res["as_of_month"]), window_end(data.year, key), str(res["run_id"]),
                                  res["computed_at"], int(res["revision"]))
        year_row = data.result(no, str(data.year))
        category = None
        if year_row is not None and not scorecard._missing(year_row["category"]) and year_row["category"]:
            category = str(year_row["category"])
        rows.append(Row(no, str(ind.level), str(ind.sasaran), str(ind.name), str(ind.short_name),
                        str(ind.unit_of_measure), int(ind.decimals), category, cells))
    return rows
