"""The agreement as data: one TOML catalog file per PK year (``catalog/pk-<year>.toml``).

Nothing here knows a target, weight or band: it only reads them.
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from pathlib import Path
from typing import Any

from kinerja.paths import CATALOG_DIR

TARGET_KEYS = ("Q1", "Q2", "Q3", "Q4", "year")
WINDOW_KINDS = {"period", "snapshot", "ytd", "increment"}


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


def parse_catalog(data: dict[str, Any], source: str) -> Catalog:
    agreement = data["agreement"]
    indicators: dict[int, Indicator] = {}
    for raw in data["indicator"]:
        where = f"{source}: indicator {raw.get('no')}"
        if raw["window"] not in WINDOW_KINDS:
            raise CatalogError(f"{where}: unknown window kind {raw['window']!r}")
        if raw["polarity"] not in {"higher", "lower"}:
            raise CatalogError(f"{where}: polarity must be 'higher' or 'lower'")
        missing = set(TARGET_KEYS) - set(raw["targets"])
        if missing:
            raise CatalogError(f"{where}: targets missing {sorted(missing)}")
        indicators[raw["no"]] = Indicator(
            no=raw["no"],
            code=raw["code"],
            level=raw["level"],
            sasaran=raw["sasaran"],
            name=raw["name"],
            short_name=raw["short_name"],
            unit_of_measure=raw["unit_of_measure"],
            source_system=raw["source_system"],
            window=raw["window"],
            polarity=raw["polarity"],
            extracts=tuple(raw["extracts"]),
            targets={k: _target(raw["targets"][k], where) for k in TARGET_KEYS},
            rules=raw.get("rules", {}),
            bands=tuple(Band(**b) for b in raw.get("bands", [])),
            decimals=raw.get("decimals", agreement.get("display_decimals", 2)),
        )
    plans = tuple(ActionPlanOutput(**p) for p in data.get("action_plan", []))
    return Catalog(
        pk_year=agreement["pk_year"],
        agency=agreement["agency"],
        timezone=agreement["timezone"],
        collection_deadline_day=agreement["collection_deadline_day"],
        correction_deadline_day=agreement["correction_deadline_day"],
        display_decimals=agreement.get("display_decimals", 2),
        indicators=dict(sorted(indicators.items())),
        action_plan=plans,
        source=source,
        schema_version=data.get("schema_version", 1),
    )


def catalog_path(year: int, directory: Path = CATALOG_DIR) -> Path:
    return directory / f"pk-{year}.toml"


@cache
def load_catalog(year: int, directory: Path = CATALOG_DIR) -> Catalog:
    path = catalog_path(year, directory)
    if not path.exists():
        raise CatalogError(f"no catalog for PK year {year}: {path.name} is missing")
    with path.open("rb") as fh:
        return parse_catalog(tomllib.load(fh), path.name)
