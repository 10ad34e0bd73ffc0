"""The data contract of a source extract: its columns, natural key and pandera checks.

Each module in ``schemas/`` defines one ``EXTRACT``; :func:`registry` finds them.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from zoneinfo import ZoneInfo

import pandas as pd
import pandera.pandas as pa

from kinerja.catalog import Catalog
from kinerja.periods import Month, deadline_after

KINDS = {"text", "int", "float", "bool", "date", "datetime", "month"}
PANDERA_DTYPES = {
    "text": "string",
    "int": "Int64",
    "float": "Float64",
    "bool": "boolean",
    "date": "datetime64[us]",
    "datetime": None,  # tz-aware, set per context
    "month": "string",
}
# the portable SQL type (SQLite and PostgreSQL) each column kind is staged as (sql/staging/, checked by
# tests/schemas/test_extract_definitions.py)
SQL_TYPES = {
    "text": "TEXT",
    "int": "BIGINT",
    "float": "DOUBLE PRECISION",
    "bool": "BOOLEAN",
    "date": "DATE",
    "datetime": "TIMESTAMPTZ",
    "month": "TEXT",
}


@dataclass(frozen=True)
class Column:
    name: str
    kind: str
    description: str
    nullable: bool = False
    pii: bool = False  # personal identifier: pseudonymised before staging, masked in quarantine
    # beyond the contract (SPEC section 4): a file may leave it out, and its rows are then staged blank
    optional: bool = False

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"column {self.name}: unknown kind {self.kind}")
        if self.optional and not self.nullable:
            raise ValueError(f"column {self.name}: an optional column must be nullable (a file may lack it)")

    @property
    def staged_name(self) -> str:
        return f"{self.name}_pseudonym" if self.pii else self.name


@dataclass(frozen=True)
class ValidationContext:
    """What a schema may depend on: the catalog and the landing month of the file."""

    catalog: Catalog
    month: Month
    # optional columns the file leaves out: a schema's row rules read them as blank
    absent: frozenset[str] = frozenset()

    @property
    def tz(self) -> str:
        return self.catalog.timezone

    @property
    def cutoff(self) -> datetime:
        """The collection deadline of the file's month: no event may be later than it."""
        return deadline_after(self.month.last_day, self.catalog.collection_deadline_day, self.tz)

    @property
    def year_start(self) -> datetime:
        """1 January of the PK year, 00:00 local time: no event of the year is earlier."""
        return datetime(self.catalog.pk_year, 1, 1, tzinfo=ZoneInfo(self.tz))

    @property
    def cutoff_date(self) -> date:
        return self.cutoff.date()

    def start_of(self, year: int) -> datetime:
        """1 January of ``year``, 00:00 local time (a lower bound for a date-time column)."""
        return datetime(year, 1, 1, tzinfo=ZoneInfo(self.tz))

    @property
    def previous_year_start(self) -> datetime:
        """1 January of the year before the PK year: the reach of records that may begin before the year
        and still count in it (a training ending in January, a dataset sent ahead of its release)."""
        return self.start_of(self.catalog.pk_year - 1)


@dataclass(frozen=True)
class Extract:
    source: str
    name: str
    description: str
    key: tuple[str, ...]
    columns: tuple[Column, ...]
    schema: Callable[[ValidationContext], pa.DataFrameSchema]
    # a snapshot extract restates its whole population each month (SPEC section 2)
    snapshot: bool = False
    extra_staged: tuple[Column, ...] = field(default_factory=tuple)

    @property
    def id(self) -> str:
        return f"{self.source}/{self.name}"

    @property
    def table(self) -> str:
        return f"stg_{self.source}__{self.name}"

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def required_column_names(self) -> list[str]:
        """The contract's columns (SPEC section 4): a file without one of them is refused."""
        return [c.name for c in self.columns if not c.optional]

    @property
    def optional_column_names(self) -> list[str]:
        """Columns Kinerja understands beyond the contract: a file may leave them out."""
        return [c.name for c in self.columns if c.optional]

    @property
    def staged_key(self) -> list[str]:
        by_name = {c.name: c for c in self.columns}
        return [by_name[k].staged_name for k in self.key]

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


@cache
def registry() -> dict[str, Extract]:
    """Every extract defined in the ``schemas`` package, by ``source/name``."""
    import schemas

    found: dict[str, Extract] = {}
    for info in sorted(pkgutil.iter_modules(schemas.__path__), key=lambda i: i.name):
        module = importlib.import_module(f"schemas.{info.name}")
        ext = getattr(module, "EXTRACT", None)
        if isinstance(ext, Extract):
            found[ext.id] = ext
    return found


def get(extract_id: str) -> Extract:
    try:
        return registry()[extract_id]
    except KeyError:
        raise KeyError(f"unknown extract {extract_id!r}") from None


# -- checks with a name and a reason in words -------------------------------------------
#
# Each check carries the name the quarantine gives it (``name``) and what a failing value does
# wrong, in words (``error``): a column check's reason starts with the column, a row rule's
# with "row". A row rule also names the columns it reads (``statistics["columns"]``): the
# quarantine names them and shows their values.

DUPLICATE_KEY = "duplicate_key"

# -- plausible ranges ---------------------------------------------------------------------
#
# Bounds of plausibility that are not rules of the agreement (those are catalog data): a value
# beyond them is a typing or export error, and staging it would skew (or overflow) every sum.
# The schemas use them through the helpers below, never as literals of their own.

AMOUNT_MAX = 10**15  # rupiah: a thousand trillion, over ten times the province's whole annual budget
COUNT_MAX = 10**9  # items, crises, questions, rows, versions, output volumes
YEAR_MIN = 2000  # the earliest year a record may name (an assessment, an audit report)


def between(lo: float, hi: float) -> pa.Check:
    return pa.Check.in_range(lo, hi, name="range", error=f"must be between {lo} and {hi}")


def at_least(lo: float) -> pa.Check:
    return pa.Check.ge(lo, name="range", error=f"must be at least {lo}")


def above(lo: float) -> pa.Check:
    return pa.Check.gt(lo, name="range", error=f"must be greater than {lo}")


def at_most(hi: float) -> pa.Check:
    return pa.Check.le(hi, name="range", error=f"must be at most {hi}")


def one_of(values) -> pa.Check:
    values = list(values)
    return pa.Check.isin(values, name="enumeration", error="must be one of " + ", ".join(map(str, values)))


def matches(pattern: str, what: str) -> pa.Check:
    return pa.Check.str_matches(pattern, name="format", error=f"must be {what}")


def at_most_amount() -> pa.Check:
    """An amount of money no larger than AMOUNT_MAX rupiah."""
    return pa.Check.le(AMOUNT_MAX, name="range",
                       error=f"must be at most {AMOUNT_MAX:,} rupiah (not a plausible amount)")


def amount_range() -> pa.Check:
    """An amount that may be negative (a correction) but not beyond AMOUNT_MAX rupiah either way."""
    return pa.Check.in_range(-AMOUNT_MAX, AMOUNT_MAX, name="range",
                             error=f"must be between -{AMOUNT_MAX:,} and {AMOUNT_MAX:,} rupiah "
                                   "(not a plausible amount)")


def at_most_count() -> pa.Check:
    return pa.Check.le(COUNT_MAX, name="range", error=f"must be at most {COUNT_MAX:,} (not a plausible count)")


def _aligned(limit: datetime | date, s: pd.Series) -> pd.Timestamp:
    """``limit`` comparable with the values of ``s``: in the column's time zone for a date-time column
    (a date limit is midnight there), the local date and time for a date column."""
    ts = pd.Timestamp(limit)
    if isinstance(s.dtype, pd.DatetimeTZDtype):
        return ts.tz_convert(s.dt.tz) if ts.tzinfo else ts.tz_localize(s.dt.tz)
    return ts.tz_localize(None) if ts.tzinfo else ts


# A date window's checks say which side they bound (``statistics["window"]``): build_schema gives a
# date or date-time column the default window on a side it declares nothing for.
def not_after(limit: datetime | date, what: str = "the collection deadline of the file's month") -> pa.Check:
    ts = pd.Timestamp(limit)
    shown = f"{ts:%Y-%m-%d %H:%M:%S %Z}" if isinstance(limit, datetime) else f"{ts:%Y-%m-%d}"
    return pa.Check(lambda s: s <= _aligned(limit, s), name="date_window",
                    error=f"must not be after {what} ({shown})", statistics={"window": "upper"})


def not_before(limit: date, what: str) -> pa.Check:
    ts = pd.Timestamp(limit)
    return pa.Check(lambda s: s >= _aligned(limit, s), name="date_window",
                    error=f"must not be before {what} ({ts:%Y-%m-%d})", statistics={"window": "lower"})


def window_sides(checks) -> set[str]:
    """Which sides (``lower``, ``upper``) of a date window the checks bound."""
    return {c.statistics.get("window") for c in checks if isinstance(c.statistics, dict)} - {None}


def default_window(kind: str, ctx: ValidationContext, checks: list[pa.Check]) -> list[pa.Check]:
    """The date-window checks a date or date-time column gets on a side it declares nothing for
    (SPEC section 4): not before the start of the PK year, not after the collection deadline of the
    file's month. No column is left unbounded, so no implausible date (year 1, with its odd local
    offset; year 9999) is ever staged."""
    if kind not in ("date", "datetime"):
        return []
    sides = window_sides(checks)
    added = []
    if "lower" not in sides:
        added.append(not_before(ctx.year_start, "the start of the PK year"))
    if "upper" not in sides:
        added.append(not_after(ctx.cutoff if kind == "datetime" else ctx.cutoff_date))
    return added


def month_in_file_window(ctx: ValidationContext) -> pa.Check:
    """A record's month (``YYYY-MM``) lies in the PK year and not after the month of the file that
    carries it (an earlier month is a restatement and replaces its staged version)."""
    first, last = f"{ctx.catalog.pk_year:04d}-01", str(ctx.month)
    return pa.Check.in_range(first, last, name="date_window",
                             error=f"must be a month from {first} to {last} (the PK year, not after the file's month)")


def in_order(earlier: str, later: str, reason: str) -> pa.Check:
    """A row rule: ``later`` is not before ``earlier`` (a blank on either side passes)."""
    def check(df: pd.DataFrame) -> pd.Series:
        return (df[earlier].isna() | df[later].isna() | (df[later] >= df[earlier])).astype(bool)

    return row_rule("date_order", check, reason, columns=(earlier, later))


def row_rule(name: str, fn: Callable[[pd.DataFrame], pd.Series], reason: str, columns: tuple[str, ...]) -> pa.Check:
    """A check across columns of one row: ``fn`` gives one True/False per row; ``columns`` are the
    ones it reads, named in the quarantine. A row whose every cell is blank passes (pandera)."""
    if not columns:
        raise ValueError(f"row rule {name}: name the columns it reads")
    return pa.Check(fn, name=name, error=reason, statistics={"columns": tuple(columns)})


def unique_key(key: tuple[str, ...]) -> pa.Check:
    """One row per natural key within a file: every row whose key (all parts present) another row
    shares fails, each copy. The quarantine's reason names the rows of the copies."""
    columns = list(key)

    def check(df: pd.DataFrame) -> pd.Series:
        return ~(df[columns].notna().all(axis=1) & df.duplicated(subset=columns, keep=False))

    return row_rule(DUPLICATE_KEY, check, "repeats the natural key of another row of the file", columns=key)


def column(kind: str, *checks: pa.Check, nullable: bool = False, tz: str | None = None,
           description: str | None = None) -> pa.Column:
    dtype = f"datetime64[us, {tz}]" if kind == "datetime" else PANDERA_DTYPES[kind]
    return pa.Column(dtype, list(checks), nullable=nullable, description=description)


def build_schema(extract: Extract, ctx: ValidationContext, checks: dict[str, list[pa.Check]],
                 row_checks: list[pa.Check] = ()) -> pa.DataFrameSchema:
    """The pandera schema of an extract: its typed columns (blank only where nullable) with the
    given checks, the given row rules, and one row per natural key. A date or date-time column also
    gets the default window on a side its checks leave open (``default_window``)."""
    unknown = sorted(set(checks) - set(extract.column_names))
    if unknown:
        raise ValueError(f"{extract.id}: checks for unknown column(s) {', '.join(unknown)}")
    columns = {}
    for c in extract.columns:
        declared = checks.get(c.name, [])
        columns[c.name] = column(c.kind, *declared, *default_window(c.kind, ctx, declared), nullable=c.nullable,
                                 tz=ctx.tz, description=c.description)
    return pa.DataFrameSchema(
        columns,
        checks=[*row_checks, unique_key(extract.key)],
        name=extract.id,
        strict=False,
    )
