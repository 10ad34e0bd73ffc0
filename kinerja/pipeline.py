"""The steps of a monthly run as plain functions: extract, validate, stage, compute, load.

Prefect tasks in ``tasks/`` wrap these one to one; tests call them directly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from kinerja import extracts as extract_registry
from kinerja import warehouse
from kinerja.catalog import Catalog, Indicator
from kinerja.extracts import Extract, ValidationContext
from kinerja.indicators import base
from kinerja.indicators import registry as indicator_registry
from kinerja.periods import Month, Window, windows_to_date
from kinerja.privacy import MissingKeyError, pseudonym_key, pseudonymise
from kinerja.readers import ExtractFileError, RawExtract, locate, read_landing_file
from kinerja.validation import ValidatedExtract, validate

RENCANA_AKSI = "rencana_aksi"


def implemented_indicators(catalog: Catalog) -> list[Indicator]:
    """The catalog's indicators that have a formula module."""
    modules = indicator_registry()
    return [ind for ind in catalog.indicators.values() if ind.code in modules]


def needed_extracts(catalog: Catalog) -> list[Extract]:
    ids: list[str] = []
    for ind in implemented_indicators(catalog):
        ids += [e for e in ind.extracts if e not in ids]
    known = extract_registry.registry()
    extra = [e for e in known if e.endswith(f"/{RENCANA_AKSI}") and e not in ids]
    return [known[e] for e in ids + extra if e in known]


def extract(landing: Path, ext: Extract, month: Month) -> RawExtract:
    """Find and read the month's landing file of an extract (raises ExtractFileError).

    An extract with personal identifiers is refused before its file is opened when
    the pseudonymisation key is missing (MissingKeyError, a file-level failure)."""
    path = locate(landing, ext.source, month, ext.name)
    if any(c.pii for c in ext.columns):
        try:
            pseudonym_key()
        except MissingKeyError as exc:
            rel = f"{ext.source}/{month}/{path.name}"
            raise MissingKeyError(f"{rel}: refused: {exc}", rel) from None
    return read_landing_file(path, landing, ext.column_names,
                             [c.name for c in ext.columns if c.kind in ("int", "float")])


def validate_extract(raw: RawExtract, ext: Extract, catalog: Catalog, month: Month) -> ValidatedExtract:
    """Type and check the rows; personal identifiers are pseudonymised before anything is staged."""
    pii = [c for c in ext.columns if c.pii]
    key = pseudonym_key() if pii else None  # MissingKeyError: the extract fails, nothing is staged
    validated = validate(raw, ext, ValidationContext(catalog, month))
    for col in pii:
        validated.staged[col.name] = pseudonymise(validated.staged[col.name], key)
    return validated


def stage_extract(engine: sa.Engine, ext: Extract, raw: RawExtract, validated: ValidatedExtract,
                  month: Month, run_id: str, pk_year: int, tz: str | None = None) -> warehouse.ExtractOutcome:
    outcome = warehouse.ExtractOutcome(ext.id, str(month), raw.file, raw.sha256, "staged", None,
                                       validated.rows_read, validated.rows_staged, validated.rows_quarantined)
    warehouse.stage(engine, ext, validated.staged, str(month), raw.file, run_id,
                    also=lambda conn: warehouse.write_lineage(conn, run_id, pk_year, outcome, validated.quarantine),
                    tz=tz)
    return outcome


def record_failure(engine: sa.Engine, ext: Extract, month: Month, run_id: str, pk_year: int,
                   error: Exception, raw: RawExtract | None = None) -> warehouse.ExtractOutcome:
    file = getattr(error, "file", None) or (raw.file if raw else f"{ext.source}/{month}/{ext.name}.*")
    outcome = warehouse.ExtractOutcome(ext.id, str(month), file, raw.sha256 if raw else None, "failed",
                                       str(error), len(raw.frame) if raw is not None else 0, 0, 0)
    warehouse.record_extract(engine, run_id, pk_year, outcome, None)
    return outcome


@dataclass
class Prepared:
    """What reading and validating one extract gave: the raw extract (None when the file could not
    be read) and its validated rows, or the file-level error."""

    raw: RawExtract | None
    validated: ValidatedExtract | None
    error: ExtractFileError | None = None

    def unwrap(self) -> tuple[RawExtract, ValidatedExtract]:
        """(raw, validated), or the file-level error raised, carrying what was read (``raw``)."""
        if self.error is not None:
            self.error.raw = self.raw
            raise self.error
        return self.raw, self.validated


def prepare(landing: Path, ext: Extract, month: Month, catalog: Catalog) -> Prepared:
    """Read and validate one extract of a month: what ingest stages."""
    raw = None
    try:
        raw = extract(landing, ext, month)
        return Prepared(raw, validate_extract(raw, ext, catalog, month))
    except ExtractFileError as exc:
        return Prepared(raw, None, exc)


def ingest(engine: sa.Engine, catalog: Catalog, landing: Path, ext: Extract, month: Month,
           run_id: str) -> warehouse.ExtractOutcome:
    """Extract, validate and stage one extract; a file-level problem is recorded, not raised."""
    prepared = prepare(landing, ext, month, catalog)
    if prepared.error is not None:
        return record_failure(engine, ext, month, run_id, catalog.pk_year, prepared.error, prepared.raw)
    return stage_extract(engine, ext, prepared.raw, prepared.validated, month, run_id, catalog.pk_year,
                         catalog.timezone)


@dataclass
class ComputeOutput:
    results: pd.DataFrame
    components: pd.DataFrame
    failed_indicators: list[int] = field(default_factory=list)
    action_plan_status: pd.DataFrame | None = None


def read_inputs(engine: sa.Engine, catalog: Catalog, extract_ids: list[str]) -> dict[str, pd.DataFrame]:
    known = extract_registry.registry()
    return {e: warehouse.read_staged(engine, known[e], catalog.timezone) for e in extract_ids}


def compute_indicator(indicator: Indicator, inputs: dict[str, pd.DataFrame], windows: list[Window],
                      pk_year: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    module = indicator_registry()[indicator.code]
    computed = module.compute({e: inputs[e] for e in indicator.extracts}, windows, indicator)
    return base.finish(computed, indicator, windows, pk_year)


def run_windows(catalog: Catalog, as_of: Month) -> list[Window]:
    return windows_to_date(as_of, catalog.collection_deadline_day, catalog.timezone)


def blank_for_failed(indicator: Indicator, windows: list[Window], as_of: Month, pk_year: int,
                     results: pd.DataFrame, components: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """An indicator whose extract failed this month: ``tidak ada data`` for every window
    that includes the month; earlier, complete windows keep their values."""
    touched = [w for w in windows if w.start <= as_of.first_day <= w.end]
    touched_periods = {w.period for w in touched}
    blank, _ = base.no_data(indicator, touched, pk_year)
    kept = results[~results["period"].isin(touched_periods)]
    kept_components = components[~components["period"].isin(touched_periods)]
    return pd.concat([kept, blank], ignore_index=True), kept_components


def compute_action_plan(catalog: Catalog, inputs: dict[str, pd.DataFrame], windows: list[Window]
                        ) -> pd.DataFrame | None:
    """Status of every rencana aksi output per period, when its extract is defined and staged."""
    ids = [e for e in inputs if e.endswith(f"/{RENCANA_AKSI}")]
    if not ids:
        return None
    from kinerja import rencana_aksi

    return rencana_aksi.compute(inputs[ids[0]], catalog, windows)


def load(engine: sa.Engine, pk_year: int, output: ComputeOutput, run_id: str) -> warehouse.LoadSummary:
    return warehouse.load_results(engine, pk_year, output.results, output.components, run_id,
                                  output.action_plan_status)


def prepare_warehouse(engine: sa.Engine, catalog: Catalog) -> None:
    warehouse.ensure_schema(engine)
    warehouse.load_catalog_tables(engine, catalog)
