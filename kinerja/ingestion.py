"""One extract of a month: its landing file found and read, its rows validated (personal identifiers
pseudonymised), the valid rows staged with the file's lineage; or its failure recorded. ``pipeline.ingest``
decides which of these a month's extract gets; ``largest_first`` the order of a month's extracts."""

from __future__ import annotations

import logging
from logging import Logger, LoggerAdapter
from pathlib import Path

import sqlalchemy as sa

from kinerja import warehouse
from kinerja.catalog import Catalog
from kinerja.extracts import Extract, ValidationContext
from kinerja.periods import Month
from kinerja.privacy import MissingKeyError, pseudonym_key, pseudonymise
from kinerja.readers import ExtractFileError, RawExtract, locate, read_landing_file
from kinerja.validation import ValidatedExtract, validate

LOG = logging.getLogger(__name__)
Log = Logger | LoggerAdapter  # a Prefect run logger is an adapter


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
                             [c.name for c in ext.columns if c.kind in ("int", "float")], ext.required_column_names)


def largest_first(landing: Path, needed: list[Extract], month: Month) -> list[Extract]:
    """``needed`` by the size of its landing files, largest first (a missing or unusable file counts as
    empty; equal sizes keep their order): the server's write of a large file then overlaps the reading of
    the small ones, instead of the month waiting for it at the end."""

    def size(ext: Extract) -> int:
        try:
            return locate(landing, ext.source, month, ext.name).stat().st_size
        except (ExtractFileError, OSError):
            return 0

    return sorted(needed, key=size, reverse=True)


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


def read_and_validate(landing: Path, ext: Extract, month: Month, catalog: Catalog,
                      log: Log = LOG) -> tuple[RawExtract, ValidatedExtract]:
    """Read and validate one extract of a month, logging the file, its checksum, what was detected in
    it and the quarantined rows by check. A file-level problem raises ExtractFileError carrying what
    was read (``raw``, None when the file could not be read)."""
    raw = None
    try:
        raw = extract(landing, ext, month)
        log.info("read %s: %d rows, sha256 %s; %s", raw.file, len(raw.frame), raw.sha256[:12], "; ".join(raw.notes))
        if raw.row_errors:
            log.warning("%s: %d row(s) do not split into the header's columns (quarantined)", raw.file,
                        len(raw.row_errors))
        validated = validate_extract(raw, ext, catalog, month)
    except ExtractFileError as exc:
        exc.raw = raw
        raise
    log.info("%s: %d rows read, %d valid, %d quarantined", raw.file, validated.rows_read, validated.rows_staged,
             validated.rows_quarantined)
    if validated.rows_quarantined:
        log.warning("%s: quarantined rows by check: %s", raw.file,
                    validated.quarantine.groupby("check_name").size().to_dict())
    return raw, validated


def ingest_extract(engine: sa.Engine, catalog: Catalog, landing: Path, ext: Extract, month: Month, run_id: str,
                   log: Log = LOG) -> warehouse.ExtractOutcome:
    """Read, validate and stage one extract of a month. A file-level problem (missing, unreadable,
    a column missing) raises ExtractFileError carrying what was read (``raw``): nothing is staged."""
    raw, validated = read_and_validate(landing, ext, month, catalog, log)
    outcome = stage_extract(engine, ext, raw, validated, month, run_id, catalog.pk_year, catalog.timezone)
    log.info("staged %d rows of %s into %s", outcome.rows_staged, raw.file, ext.table)
    return outcome
