"""The agreement as data: one TOML catalog file per PK year (``catalog/pk-<year>.toml``).

Nothing here knows a target, weight or band: it only reads them.
"""

from __future__ import annotations

import math
import os
import tomllib
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from pathlib import Path
from typing import Any

from kinerja.paths import CATALOG_DIR

TARGET_KEYS = ("Q1", "Q2", "Q3", "Q4", "year")
WINDOW_KINDS = {"period", "snapshot", "ytd", "increment"}
# How often an extract lands (SPEC section 4): every month (a month without its file is a missing
# file), or when its content changes (a month without a file keeps the latest staged version).
CADENCES = {"monthly", "on_change"}
MONTHLY, ON_CHANGE = "monthly", "on_change"
CATALOG_ENV = "KINERJA_CATALOG_DIR"


@dataclass(frozen=True)
class Band:
    """A category band: values above ``min`` (or at it, when inclusive) get ``label``.

    A band with no ``min`` catches everything below the bands before it.
    """

    label: str
    min: float | None = None
    min_inclusive: bool = True


@dataclass(frozen=True)
class Indicator:
    no: int
    code: str
    level: str
    sasaran: str
    name: str
    short_name: str
    unit_of_measure: str
    source_system: str
    window: str
    polarity: str
    extracts: tuple[str, ...]
    targets: dict[str, float | None]
    rules: dict[str, Any] = field(default_factory=dict)
    bands: tuple[Band, ...] = ()
    decimals: int = 2

    def target_for(self, period_type: str, quarter: int | None) -> float | None:
        """The PK target of a quarter or the year; months carry none."""
        if period_type == "year":
            return self.targets["year"]
        if period_type == "quarter":
            return self.targets[f"Q{quarter}"]
        return None

    def category(self, value: float | None) -> str | None:
        """The band label of a value, on the value rounded as the rules say."""
        if value is None or not self.bands or (isinstance(value, float) and math.isnan(value)):
            return None
        digits = self.rules.get("category_round")
        v = half_up(value, digits) if digits is not None else value
        for band in self.bands:
            if band.min is None:
                return band.label
            if v > band.min or (band.min_inclusive and v == band.min):
                return band.label
        return None


@dataclass(frozen=True)
class ActionPlanOutput:
    """One output (*Target/Output*) of a rencana aksi (action plan) with its due quarter."""

    iku_no: int
    output_code: str
    rencana_aksi: str
    kriteria: str
    output: str
    due_quarter: int


@dataclass(frozen=True)
class Catalog:
    pk_year: int
    agency: str
    timezone: str
    collection_deadline_day: int
    correction_deadline_day: int
    display_decimals: int
    indicators: dict[int, Indicator]
    action_plan: tuple[ActionPlanOutput, ...]
    source: str
    schema_version: int
    cadences: dict[str, str] = field(default_factory=dict)  # extract id -> monthly | on_change

    def indicator(self, code: str) -> Indicator:
        for ind in self.indicators.values():
            if ind.code == code:
                return ind
        raise KeyError(code)

    @property
    def skm_unit_codes(self) -> tuple[str, ...]:
        return tuple(u["code"] for u in self.indicator("skm").rules["units"])

    def indicators_needing(self, extract_key: str) -> list[Indicator]:
        return [i for i in self.indicators.values() if extract_key in i.extracts]

    def cadence(self, extract_id: str) -> str:
        """``monthly`` or ``on_change``: how the agreement expects the extract to land."""
        try:
            return self.cadences[extract_id]
        except KeyError:
            raise CatalogError(f"{self.source}: cadence: no cadence for extract {extract_id!r}") from None


def half_up(value: float, digits: int) -> float:
    """Round as a person does on paper (88.305 -> 88.31), not as binary floats do."""
    return float(Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP))


class CatalogError(ValueError):
    pass


def _target(value: Any, where: str) -> float | None:
    if value == "N/A":
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    raise CatalogError(f"{where}: target must be a number or 'N/A', got {value!r}")


def _get(table: Any, key: str, where: str, kind: type | tuple[type, ...]) -> Any:
    """``table[key]``, refused with the file, the key and the reason when it is absent or of another type."""
    if not isinstance(table, dict):
        raise CatalogError(f"{where}: must be a table")
    if key not in table:
        raise CatalogError(f"{where}.{key}: missing")
    value = table[key]
    kinds = kind if isinstance(kind, tuple) else (kind,)
    if not isinstance(value, kinds) or (isinstance(value, bool) and bool not in kinds):
        names = " or ".join(k.__name__ for k in kinds)
        raise CatalogError(f"{where}.{key}: must be {names}, got {value!r}")
    return value


def _day(agreement: dict, key: str, where: str) -> int:
    day = _get(agreement, key, where, int)
    if not 1 <= day <= 28:  # a day every month has
        raise CatalogError(f"{where}.{key}: must be a day of the month from 1 to 28, got {day}")
    return day


def parse_catalog(data: dict[str, Any], source: str) -> Catalog:
    """The catalog of a TOML document; a malformed one raises CatalogError naming ``source``, the
    key and the reason (``pk-2024.toml: indicator 3 (skm).window: unknown window kind 'weekly'``)."""
    agreement = _get(data, "agreement", source, dict)
    at = f"{source}: agreement"
    pk_year = _get(agreement, "pk_year", at, int)
    timezone = _get(agreement, "timezone", at, str)
    try:
        from zoneinfo import ZoneInfo

        ZoneInfo(timezone)
    except Exception:
        raise CatalogError(f"{at}.timezone: unknown time zone {timezone!r}") from None
    indicators: dict[int, Indicator] = {}
    for i, raw in enumerate(_get(data, "indicator", source, list)):
        where = f"{source}: indicator {raw.get('no', f'#{i + 1}') if isinstance(raw, dict) else f'#{i + 1}'}"
        no = _get(raw, "no", where, int)
        code = _get(raw, "code", where, str)
        where = f"{source}: indicator {no} ({code})"
        if no in indicators:
            raise CatalogError(f"{where}.no: indicator {no} is defined twice")
        window = _get(raw, "window", where, str)
        if window not in WINDOW_KINDS:
            raise CatalogError(f"{where}.window: unknown window kind {window!r} "
                               f"(one of {', '.join(sorted(WINDOW_KINDS))})")
        if _get(raw, "polarity", where, str) not in {"higher", "lower"}:
            raise CatalogError(f"{where}.polarity: must be 'higher' or 'lower'")
        targets = _get(raw, "targets", where, dict)
        missing = set(TARGET_KEYS) - set(targets)
        if missing:
            raise CatalogError(f"{where}.targets: missing {', '.join(k for k in TARGET_KEYS if k in missing)}")
        extracts = _get(raw, "extracts", where, list)
        if not extracts or not all(isinstance(e, str) and e.count("/") == 1 for e in extracts):
            raise CatalogError(f"{where}.extracts: must list extracts as 'source/name', got {extracts!r}")
        try:
            bands = tuple(Band(**b) for b in raw.get("bands", []))
        except TypeError as exc:
            raise CatalogError(f"{where}.bands: {exc}") from None
        indicators[no] = Indicator(
            no=no,
            code=code,
            level=_get(raw, "level", where, str),
            sasaran=_get(raw, "sasaran", where, str),
            name=_get(raw, "name", where, str),
            short_name=_get(raw, "short_name", where, str),
            unit_of_measure=_get(raw, "unit_of_measure", where, str),
            source_system=_get(raw, "source_system", where, str),
            window=window,
            polarity=raw["polarity"],
            extracts=tuple(extracts),
            targets={k: _target(targets[k], f"{where}.targets.{k}") for k in TARGET_KEYS},
            rules=raw.get("rules", {}),
            bands=bands,
            decimals=raw.get("decimals", agreement.get("display_decimals", 2)),
        )
    try:
        plans = tuple(ActionPlanOutput(**p) for p in data.get("action_plan", []))
    except TypeError as exc:
        raise CatalogError(f"{source}: action_plan: {exc}") from None
    cadences = _cadences(data, source, indicators)
    return Catalog(
        pk_year=pk_year,
        agency=_get(agreement, "agency", at, str),
        timezone=timezone,
        collection_deadline_day=_day(agreement, "collection_deadline_day", at),
        correction_deadline_day=_day(agreement, "correction_deadline_day", at),
        display_decimals=agreement.get("display_decimals", 2),
        indicators=dict(sorted(indicators.items())),
        action_plan=plans,
        source=source,
        schema_version=data.get("schema_version", 1),
        cadences=cadences,
    )


def _cadences(data: dict, source: str, indicators: dict[int, Indicator]) -> dict[str, str]:
    """The ``[cadence]`` table: every extract an indicator needs has one, each ``monthly`` or ``on_change``."""
    table = _get(data, "cadence", source, dict)
    for extract_id, cadence in table.items():
        if cadence not in CADENCES:
            raise CatalogError(f"{source}: cadence.\"{extract_id}\": must be one of "
                               f"{', '.join(sorted(CADENCES))}, got {cadence!r}")
    for ind in indicators.values():
        for extract_id in ind.extracts:
            if extract_id not in table:
                raise CatalogError(f"{source}: cadence.\"{extract_id}\": missing (indicator {ind.no} needs "
                                   "the extract: say whether it lands monthly or on_change)")
    return dict(table)


def catalog_dir() -> Path:
    """Where the catalogs are: ``KINERJA_CATALOG_DIR``, else the project's ``catalog/``."""
    text = os.environ.get(CATALOG_ENV, "").strip()
    return Path(text).expanduser().resolve() if text else CATALOG_DIR


def catalog_path(year: int, directory: Path | None = None) -> Path:
    return (directory or catalog_dir()) / f"pk-{year}.toml"


def load_catalog(year: int, directory: Path | None = None) -> Catalog:
    """The catalog of a PK year from ``directory`` (default: ``catalog_dir()``); CatalogError naming the
    file, the key and the reason when it is missing or malformed."""
    path = catalog_path(year, directory)
    try:
        stat = path.stat()
    except OSError:
        raise CatalogError(f"no catalog for PK year {year}: {path.name} is missing from {path.parent}") from None
    return _load(path, stat.st_mtime_ns, stat.st_size, year)


@cache
def _load(path: Path, _mtime_ns: int, _size: int, year: int) -> Catalog:
    """One parse per file version (a changed file is read again)."""
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise CatalogError(f"{path.name}: not valid TOML: {exc}") from None
    catalog = parse_catalog(data, path.name)
    if catalog.pk_year != year:
        raise CatalogError(f"{path.name}: agreement.pk_year: is {catalog.pk_year}, but the file is for {year}")
    return catalog
