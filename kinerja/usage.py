"""Bad usage, caught before a run starts: the same checks, in the same words, for the command line
(exit status 2, before Prefect starts) and for the flows (the run ends Failed with the message,
before any file is opened or any table written).

What a run of some months needs: a catalog for each of their PK years, and, when the catalog needs
an extract with personal data, a usable pseudonym key. That the key is the warehouse's own is
checked against the warehouse (kinerja.keys): by the command line before Prefect starts, by the
flows before they stage anything.
"""

from __future__ import annotations

import sqlalchemy as sa

from kinerja import extracts as extract_registry
from kinerja import keys, pipeline
from kinerja.catalog import Catalog, CatalogError, catalog_dir, catalog_path, load_catalog
from kinerja.config import Settings, check_limits, read_only_warehouse, resolve
from kinerja.periods import Month, PeriodError, month_range, previous_month
from kinerja.privacy import MissingKeyError, pseudonym_key
from kinerja.warehouse import safe_url


class UsageError(ValueError):
    """A run that cannot start as asked; the message (one line) says what to do."""


# What a run reports as bad usage: its own message, no traceback (CLI exit status 2).
BAD_USAGE = (UsageError, PeriodError, keys.KeyMismatchError)


def parse_range(first: str, last: str, names: tuple[str, str] = ("from_period", "to_period")) -> list[Month]:
    """The months from ``first`` to ``last``, or a PeriodError naming the bound at fault."""
    bounds = []
    for name, text in zip(names, (first, last), strict=True):
        try:
            bounds.append(Month.parse(text))
        except PeriodError as exc:
            raise PeriodError(f"{name}: {exc}") from None
    return month_range(*bounds)


def catalogs(months: list[Month], defaulted: bool = False) -> list[Catalog]:
    """The catalog of every PK year of the months (UsageError naming the missing file and where catalogs
    are looked for). ``defaulted``: the month was not given but is the previous month."""
    found = []
    for year in sorted({m.year for m in months}):
        path = catalog_path(year)
        first = min(m for m in months if m.year == year)
        what = f"period {first}" + (" (the previous month: no period was given)" if defaulted else "")
        if not path.is_file():
            raise UsageError(f"{what}: no catalog for PK year {year}: {path.name} is not in {catalog_dir()} "
                             "(add the year's agreement there, or choose a period of a year that has one)")
        try:
            catalog = load_catalog(year)
            check_catalog(catalog)
        except CatalogError as exc:
            raise UsageError(f"{what}: the catalog {path} is refused: {exc}") from None
        found.append(catalog)
    return found


def check_catalog(catalog: Catalog) -> None:
    """What the catalog names must exist in the code: its extracts (``schemas/``) and the extracts it
    gives a cadence. Raises CatalogError naming the file, the key and the reason."""
    known = extract_registry.registry()
    for ind in catalog.indicators.values():
        for extract_id in ind.extracts:
            if extract_id not in known:
                raise CatalogError(f"{catalog.source}: indicator {ind.no} ({ind.code}).extracts: unknown extract "
                                   f"{extract_id!r} (defined in schemas/: {', '.join(sorted(known))})")
    for extract_id in catalog.cadences:
        if extract_id not in known:
            raise CatalogError(f"{catalog.source}: cadence.\"{extract_id}\": unknown extract")
    for ext in pipeline.needed_extracts(catalog):
        catalog.cadence(ext.id)


def needs_personal_data(catalog: Catalog) -> bool:
    """Whether a run of the catalog's year stages an extract with personal identifiers."""
    return any(c.pii for ext in pipeline.needed_extracts(catalog) for c in ext.columns)


def usable_key() -> bytes:
    """The pseudonym key from the environment (UsageError when it is missing or too short)."""
    try:
        return pseudonym_key()
    except MissingKeyError as exc:
        raise UsageError(str(exc)) from None


def check_run(months: list[Month], *, defaulted: bool = False) -> bytes | None:
    """Everything that makes a run of ``months`` bad usage, before it opens a file or the warehouse
    (raises UsageError). The pseudonym key when the run stages personal data, else None: the caller
    compares it with the warehouse's (kinerja.keys)."""
    if any(needs_personal_data(c) for c in catalogs(months, defaulted)):
        return usable_key()
    return None


def resolve_period(period: str | None) -> Month:
    return Month.parse(period) if period else previous_month()


def check_parameters(period: str | None, landing_dir: str | None, warehouse_url: str | None,
                     months: list[Month] | None = None) -> tuple[Month, Settings]:
    """A flow's parameters, checked before any file is opened or any table written (raises one of
    ``BAD_USAGE``). ``months``: every month the run covers (a backfill's), default ``period``."""
    month = resolve_period(period)
    settings = resolve(landing_dir, warehouse_url)
    if not settings.landing_dir.is_dir():
        what = "is not a directory" if settings.landing_dir.exists() else "does not exist"
        raise UsageError(f"landing directory {settings.landing_dir} {what} (parameter landing_dir, "
                         f"or KINERJA_LANDING_DIR)")
    try:
        url = sa.make_url(settings.warehouse_url)
    except sa.exc.ArgumentError:
        raise UsageError("warehouse URL does not parse as a SQLAlchemy URL (parameter warehouse_url, "
                         "or KINERJA_WAREHOUSE_URL), e.g. sqlite:///data/warehouse.db") from None
    if warehouse_url and sa.make_url(warehouse_url).password:
        # a flow parameter is stored and shown by Prefect: credentials only come from the environment
        raise UsageError(f"parameter warehouse_url carries a password ({safe_url(url)}): pass credentials "
                         "through KINERJA_WAREHOUSE_URL in the worker's environment instead")
    check_warehouse_writable(settings.warehouse_url)
    check_settings()
    check_run(months or [month], defaulted=not period)
    return month, settings


def check_warehouse_writable(url: str) -> None:
    """A run writes the warehouse: a read-only SQLite file (or directory) is refused at once, by name
    (UsageError), not after the retries of a step that cannot open it."""
    try:
        problem = read_only_warehouse(url)
    except sa.exc.ArgumentError:  # a URL that does not parse is reported by the caller's own check
        return
    if problem:
        raise UsageError(problem)


def check_settings() -> None:
    """The limits on landing files (``kinerja.config.LIMITS``) and ``KINERJA_STALE_RUN_HOURS`` are whole
    numbers (UsageError naming the variable otherwise)."""
    try:
        check_limits()
    except ValueError as exc:
        raise UsageError(str(exc)) from None
