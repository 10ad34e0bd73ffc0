"""Typing and validating one raw extract: staged rows, and quarantined rows with reasons.

Every record ends either staged or quarantined, never both and never lost:
``rows_read == rows_staged + rows_quarantined``.

A quarantined row gets one quarantine record per problem: the file, the row number
a spreadsheet shows (header = row 1), the column, the check, the offending value as
written in the file (personal identifiers masked: first 4 and last 4 characters),
and a reason in words. All problems of a row are reported at once, so one round of
corrections is enough; a row the reader could not split into columns (truncated,
an unquoted delimiter) is reported only for that. Rows sharing a natural key are
all quarantined together, each naming the rows of its copies.

The raw text is first typed column by column (:func:`parse_columns`); a cell that does not
parse is reported as such. pandera then validates the typed rows against the extract's
schema (``schemas/<extract>.py``), lazily, so that every failure is found in one pass; each
of its failure cases becomes a quarantine record, named and worded by the check itself
(``kinerja.extracts``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import pandas as pd
import pandera.pandas as pa
from pandera.config import ValidationDepth, config_context
from pandera.errors import SchemaErrors

from kinerja import parsing
from kinerja.extracts import DUPLICATE_KEY, Extract, ValidationContext
from kinerja.privacy import mask, normalise_identifier
from kinerja.readers import ExtractFileError, RawExtract
from kinerja.safety import mask_digit_runs, show_nul

QUARANTINE_COLUMNS = ["file", "row_number", "column_name", "check_name", "value", "reason"]
# what a spreadsheet writes into a cell whose formula failed: never data
SPREADSHEET_ERRORS = frozenset({"#n/a", "#ref!", "#value!", "#div/0!", "#name?", "#num!", "#null!",
                                "#spill!", "#calc!", "#getting_data"})


@dataclass
class ValidatedExtract:
    staged: pd.DataFrame  # typed, with _row_number
    quarantine: pd.DataFrame  # one row per (row, column, check) failure
    rows_read: int
    rows_quarantined: int
    blank_counts: dict[str, int]

    @property
    def rows_staged(self) -> int:
        return len(self.staged)


def _cells(raw: RawExtract, extract: Extract) -> pd.DataFrame:
    """The extract's columns of the raw frame; personal identifiers normalised (spaces, apostrophe)."""
    cells = raw.frame[extract.column_names].copy()
    for col in extract.columns:
        if col.pii:
            cells[col.name] = normalise_identifier(cells[col.name])
    return cells


def _spreadsheet_errors(text: pd.Series) -> pd.Series:
    """Cells holding a spreadsheet error (``#N/A``, ``#REF!`` ...), any case, surrounding spaces ignored."""
    # every such error contains '#': a column without one (nearly all) needs no stripping and lowering
    if not text.str.contains("#", regex=False).fillna(False).any():
        return pd.Series(False, index=text.index)
    return text.str.strip().str.lower().isin(SPREADSHEET_ERRORS).fillna(False).astype(bool)


NUL = "\x00"


def nul_cells(cells: pd.DataFrame) -> tuple[pd.DataFrame, list[dict]]:
    """The cells without those holding a NUL character (made blank), and one error per such cell.
    A NUL is never data: no text type of PostgreSQL can hold it, and it marks a damaged export; the row
    is quarantined alike on every warehouse."""
    errors, clean = [], cells
    for name in cells.columns:
        hit = cells[name].str.contains(NUL, regex=False).fillna(False).astype(bool)
        if not hit.any():
            continue
        if clean is cells:
            clean = cells.copy()
        clean[name] = clean[name].mask(hit)
        errors += [{"index": idx, "column_name": name, "check_name": "nul_character",
                    "reason": f"{name} holds a NUL character (a zero byte, shown as \\x00): no warehouse text "
                              "can hold it, the export is damaged; export the file again"}
                   for idx in hit[hit].index]
    return clean, errors


def parse_columns(raw: RawExtract, extract: Extract, ctx: ValidationContext,
                  cells: pd.DataFrame | None = None) -> tuple[pd.DataFrame, list[dict]]:
    """Typed columns, and one error per present cell that does not parse (or is a spreadsheet error)."""
    cells = _cells(raw, extract) if cells is None else cells
    typed: dict[str, pd.Series] = {}
    errors: list[dict] = []
    for col in extract.columns:
        text = cells[col.name]
        values, bad = parsing.parse(col.kind, text, raw.decimal, ctx.tz)
        sheet_error = _spreadsheet_errors(text)
        if sheet_error.any():
            values = values.mask(sheet_error)
        typed[col.name] = values
        for idx in sheet_error[sheet_error].index:
            errors.append({"index": idx, "column_name": col.name, "check_name": "spreadsheet_error",
                           "reason": f"{col.name} holds the spreadsheet error {text.at[idx].strip()}: the "
                                     "formula behind it failed; fix it and export again"})
        for idx in bad[bad & ~sheet_error].index:
            errors.append({"index": idx, "column_name": col.name, "check_name": f"parse_{col.kind}",
                           "reason": f"{col.name} {parsing.problem(col.kind, text.at[idx], raw.decimal)}"})
    return pd.DataFrame(typed, index=raw.frame.index), errors


def _run_schema(extract: Extract, ctx: ValidationContext, typed: pd.DataFrame, file: str) -> SchemaErrors | None:
    """pandera's lazy validation of the typed rows against the extract's schema: None when every
    check passes. The checks always run in full, whatever pandera's configuration says."""
    try:
        schema = extract.schema(ctx)
        with config_context(validation_enabled=True, validation_depth=ValidationDepth.SCHEMA_AND_DATA):
            schema.validate(typed, lazy=True)
        return None
    except SchemaErrors as exc:
        return exc
    except Exception as exc:  # a schema that cannot run makes the file unusable, not the run
        raise ExtractFileError(f"{file}: the checks of {extract.id} could not run: {type(exc).__name__}: {exc}",
                               file) from exc


def _worded(subject: str, check: pa.Check) -> str:
    """The reason for a failing check: what (a column, or the row) does wrong."""
    return f"{subject} {check.error}" if check.error else f"{subject} fails check {check.name}"


def _failed_checks(exc: SchemaErrors, file: str) -> list[tuple[str, str, str, list[str], pd.Index]]:
    """(check name, reason, quarantine column, columns read, failing rows) per failing check (and
    column) of pandera's failure cases: row rules first, then column by column, each in the
    order declared."""
    fc = exc.failure_cases
    if fc["index"].isna().any():  # a check or dtype that fails as a whole, not on rows
        first = fc[fc["index"].isna()].iloc[0]
        raise ExtractFileError(f"{file}: column {first['column']} fails {first['check']} as a whole", file)
    schema = exc.schema
    out = []
    rules = fc[fc["schema_context"] == "DataFrameSchema"]
    for number, cases in rules.groupby("check_number", sort=True):  # a case per cell of a failing row
        check = schema.checks[int(number)]
        read = list(check.statistics.get("columns", ()))
        if read:
            out.append((check.name, _worded("row", check), ",".join(read), read, pd.Index(cases["index"].unique())))
            continue
        for column, rows in cases.groupby("column", sort=False)["index"]:  # a rule naming no columns
            out.append((check.name, _worded(column, check), column, [column], pd.Index(rows.unique())))
    columns = fc[fc["schema_context"] != "DataFrameSchema"]
    position = {name: i for i, name in enumerate(schema.columns)}
    groups = columns.groupby(["column", "check", "check_number"], sort=False, dropna=False)["index"]
    for (column, label, number), rows in sorted(groups, key=lambda g: (position.get(g[0][0], -1),
                                                                        -1 if pd.isna(g[0][2]) else g[0][2])):
        if not pd.isna(number):
            check = schema.columns[column].checks[int(number)]
            name, reason = check.name, _worded(column, check)
        elif label == "not_nullable":
            name, reason = "required", f"{column} is blank but required"
        else:
            name, reason = label, f"{column} fails check {label}"
        out.append((name, reason, column, [column], pd.Index(rows.unique())))
    return out


def _copies(rows: pd.Index, data: pd.DataFrame, cells: pd.DataFrame, extract: Extract,
            row_numbers: pd.Series) -> dict:
    """The reason for each row sharing its natural key with another: its key as written (personal
    identifiers masked) and the rows of all its copies."""
    key = list(extract.key)
    group = data.loc[rows, key[0]].astype("string")
    for k in key[1:]:  # the key as one text per row (no part is blank here)
        group = group + "\x1f" + data.loc[rows, k].astype("string")
    groups = group.tolist()
    copies: dict[str, list[int]] = {}
    for g, number in zip(groups, row_numbers[rows].tolist(), strict=True):
        copies.setdefault(g, []).append(number)
    listed = {g: ", ".join(map(str, sorted(numbers))) for g, numbers in copies.items()}
    pii = {c.name for c in extract.columns if c.pii}
    parts = [[f"{k}={mask(v) if k in pii else v}" for v in cells.loc[rows, k].tolist()] for k in key]
    return {idx: f"natural key ({', '.join(shown)}) appears on rows {listed[g]} of the file: every copy is "
                 "quarantined; keep one and send the file again"
            for idx, g, *shown in zip(rows, groups, *parts, strict=True)}


def schema_errors(typed: pd.DataFrame, extract: Extract, ctx: ValidationContext, raw: RawExtract,
                  cells: pd.DataFrame, skip_cells: set[tuple], skip_rows: set) -> list[dict]:
    """One error per row, check and column that the extract's pandera schema finds in the typed
    rows, except on rows the reader could not split (``skip_rows``) and, but for copies of a
    natural key, on cells already reported as unreadable (``skip_cells``). Should two checks of
    one name fail on one cell for different reasons, the first listed is kept."""
    if typed.index.difference(list(skip_rows)).empty:
        return []
    exc = _run_schema(extract, ctx, typed, raw.file)
    if exc is None:
        return []
    errors, seen = [], set()
    for name, reason, column, read, rows in _failed_checks(exc, raw.file):
        by_row = _copies(rows, exc.data, cells, extract, raw.row_numbers) if name == DUPLICATE_KEY else None
        for index in rows:
            if index in skip_rows or (index, name, column) in seen:
                continue
            if by_row is None and any((index, c) in skip_cells for c in read):
                continue  # a consequence of a value already reported as unreadable
            seen.add((index, name, column))
            errors.append({"index": index, "column_name": column, "check_name": name,
                           "reason": reason if by_row is None else by_row[index]})
    return errors


def _shown(cells: dict[str, list], at: int, columns: list[str], pii: set[str]) -> str | None:
    """The offending value(s) as written in the file; personal identifiers masked. ``cells`` holds
    the cells of the quarantined rows by column, ``at`` the position of the row among them."""
    shown = []
    for c in columns:
        if c not in cells:
            continue
        v = cells[c][at]
        v = None if pd.isna(v) else str(v)
        shown.append((c, mask(v) if c in pii else (None if v is None else mask_digit_runs(v))))
    shown = [(c, None if v is None else show_nul(v)) for c, v in shown]
    if not shown:
        return None
    if len(shown) == 1:
        return shown[0][1]
    return "; ".join(f"{c}={'' if v is None else v}" for c, v in shown)


def _quarantine(raw: RawExtract, extract: Extract, cells: pd.DataFrame, errors: list[dict]) -> pd.DataFrame:
    """One quarantine record per error, ordered by row, column and check."""
    pii = {c.name for c in extract.columns if c.pii}
    rows = sorted({e["index"] for e in errors})
    at = {idx: i for i, idx in enumerate(rows)}
    quarantined = cells.loc[rows]
    row_cells = {c: quarantined[c].tolist() for c in cells.columns}  # one lookup per value shown
    numbers = raw.row_numbers.to_numpy()
    records = []
    for e in sorted(errors, key=lambda e: (e["index"], e["column_name"] or "", e["check_name"])):
        if e["column_name"]:
            value = _shown(row_cells, at[e["index"]], e["column_name"].split(","), pii)
        else:  # the reader's row problems: show the row as read
            value = _shown(row_cells, at[e["index"]], extract.column_names, pii)
        records.append({"file": raw.file, "row_number": int(numbers[e["index"]]),
                        "column_name": e["column_name"], "check_name": e["check_name"],
                        "value": value, "reason": show_nul(mask_digit_runs(e["reason"]))})
    return pd.DataFrame.from_records(records, columns=QUARANTINE_COLUMNS)


def validate(raw: RawExtract, extract: Extract, ctx: ValidationContext) -> ValidatedExtract:
    missing = [c for c in extract.required_column_names if c not in raw.frame.columns]
    if missing:
        raise ExtractFileError(
            f"{raw.file}: missing column(s) {', '.join(missing)}; found {', '.join(raw.frame.columns)}",
            raw.file)
    absent = [c for c in extract.optional_column_names if c not in raw.frame.columns]
    if absent:  # an optional column the file leaves out: blank in every row, and the schema knows it
        raw = replace(raw, frame=raw.frame.assign(**{c: pd.Series(None, index=raw.frame.index, dtype=object)
                                                     for c in absent}))
        ctx = replace(ctx, absent=ctx.absent | frozenset(absent))
    cells = _cells(raw, extract)
    broken = {e["index"] for e in raw.row_errors if not e.get("column_name")}  # rows not split into columns
    clean, nul_errors = nul_cells(cells)
    typed, errors = parse_columns(raw, extract, ctx, clean)
    errors = [e for e in nul_errors + errors if e["index"] not in broken]
    skip_cells = {(e["index"], e["column_name"]) for e in errors}
    for e in raw.row_errors:
        if e.get("column_name"):
            skip_cells.add((e["index"], e["column_name"]))
    errors += schema_errors(typed, extract, ctx, raw, cells, skip_cells, broken)
    errors += raw.row_errors
    bad_rows = {e["index"] for e in errors}
    quarantine = _quarantine(raw, extract, cells, errors)
    staged = typed.drop(index=list(bad_rows))
    staged["_row_number"] = raw.row_numbers.drop(index=list(bad_rows)).to_numpy()
    blank_counts = {c.name: int(staged[c.name].isna().sum()) for c in extract.columns if c.nullable}
    return ValidatedExtract(staged.reset_index(drop=True), quarantine, len(raw.frame), len(bad_rows),
                            blank_counts)
