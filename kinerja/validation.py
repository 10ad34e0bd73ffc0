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
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import pandera.pandas as pa
from pandera.config import ValidationDepth, get_config_context
from pandera.engines.pandas_engine import Engine

from kinerja import parsing
from kinerja.extracts import Extract, ValidationContext
from kinerja.privacy import mask, normalise_identifier
from kinerja.readers import ExtractFileError, RawExtract
from kinerja.safety import mask_digit_runs

PARSE_REASONS = {
    "int": "is not a whole number",
    "float": "is not a number",
    "bool": "is not a yes/no value (ya/tidak, true/false, 1/0, Y/N)",
    "date": "is not a date (YYYY-MM-DD, DD/MM/YYYY or DD-MM-YYYY)",
    "datetime": "is not a date-time (a date, optionally with HH:MM[:SS] and an offset)",
    "month": "is not a month (YYYY-MM)",
}
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


def _describe(check: str, column: str | None) -> tuple[str, str, list[str] | None]:
    """(check name, reason in words, columns named by a row rule) from a pandera failure."""
    if check == "not_nullable":
        return "required", f"{column} is blank but required", None
    if check in {"multiple_fields_uniqueness", "field_uniqueness"}:
        return "duplicate_key", "natural key repeated within the file: every copy is quarantined", None
    if ": " in check:
        name, reason = check.split(": ", 1)
        cols = None
        if reason.endswith("]") and " [" in reason:
            reason, cols_text = reason[:-1].rsplit(" [", 1)
            cols = cols_text.split(",")
        subject = column if cols is None else "row"
        return name, f"{subject} {reason}" if subject else reason, cols
    return check, f"{column} fails check {check}", None


class _NotCovered(Exception):
    """A schema feature or a check outcome that :func:`_direct_failures` does not reproduce."""


def _check_label(check: pa.Check) -> str:
    """How pandera's failure cases name a check."""
    if check.error is not None:
        return check.error
    return check.name if check.name is not None else str(check)


def _check_failures(check: pa.Check, frame: pd.DataFrame, column: str | None = None) -> list[tuple]:
    """(index, check, column) of each failure case of one check (of a column, or of the rows), as
    pandera's lazy validation reports them."""
    if check.raise_warning:
        raise _NotCovered
    result = check(frame, column)  # pandera's own call: nulls skipped, a row rule passes an all-blank row
    if result.check_passed:
        return []
    if result.failure_cases is None:  # fails as a whole (a single True/False)
        raise _NotCovered
    label = _check_label(check)
    if column is not None:
        cases = result.failure_cases.dropna() if check.ignore_na else result.failure_cases
        return [(i, label, column) for i in cases.index]
    cells = result.failure_cases.unstack()  # a failing row: one case per cell, as pandera reports it
    if check.ignore_na:
        cells = cells.dropna()
    return [(i, label, c) for c, i in cells.index]


def _direct_failures(schema: pa.DataFrameSchema, frame: pd.DataFrame) -> list[tuple]:
    """(index, check, column) of every failure case of ``schema.validate(frame, lazy=True)``, found by
    running the same checks with the same calls, without pandera's bookkeeping around them (a copy of
    the frame, and per failing check a failure-case frame and a message listing every value), which
    costs more than the checks. Raises :class:`_NotCovered` for anything but plain columns and checks,
    and for a check that fails as a whole, which pandera itself then reports."""
    config = get_config_context()
    if (not config.validation_enabled or config.use_narwhals_backend
            or config.validation_depth not in (None, ValidationDepth.SCHEMA_AND_DATA)
            or schema.coerce or schema.unique or schema.parsers or schema.dtype is not None
            or schema.index is not None or schema.strict or schema.ordered or schema.add_missing_columns
            or schema.drop_invalid_rows or not frame.columns.is_unique):
        raise _NotCovered
    failures: list[tuple] = []
    for check in schema.checks:  # pandera lists the row rules' cases first
        failures += _check_failures(check, frame)
    for name, col in schema.columns.items():
        if (name not in frame.columns or col.coerce or col.unique or col.regex or col.parsers
                or col.default is not None or col.drop_invalid_rows):
            raise _NotCovered
        series = frame[name]
        if col.dtype is not None:
            ok = col.dtype.check(Engine.dtype(series.dtype), series)  # True/False, or per value
            if not (ok if isinstance(ok, bool) else ok.all()):
                raise _NotCovered
        if not col.nullable and series.hasnans:
            failures += [(i, "not_nullable", name) for i in series.index[series.isna()]]
        for check in col.checks:
            failures += _check_failures(check, frame, name)
    return failures


def _errors(failures: list[tuple], skip_cells: set[tuple], in_pandera_order: bool) -> list[dict] | None:
    """One error per row, check name and column of the failure cases, except on cells already reported
    as unreadable. Should two checks of one name fail on one cell for different reasons, the first case
    listed is kept: None then, unless the cases are listed in pandera's order."""
    errors, seen = [], {}
    for index, check, fc_column in failures:
        name, reason, cols = _describe(str(check), fc_column)
        column = ",".join(cols) if cols else fc_column
        if any((index, c) in skip_cells for c in (cols or [fc_column])):
            continue  # a consequence of a value already reported as unreadable
        marker = (index, name, column)
        if marker in seen:
            if seen[marker] != reason and not in_pandera_order:
                return None
            continue
        seen[marker] = reason
        errors.append({"index": index, "column_name": column, "check_name": name, "reason": reason})
    return errors


def schema_errors(typed: pd.DataFrame, extract: Extract, ctx: ValidationContext, file: str,
                  skip_cells: set[tuple], skip_rows: set) -> list[dict]:
    """The pandera checks of the extract over the typed rows, except on cells that did not parse
    (already reported) and rows the reader could not split."""
    checkable = typed.drop(index=list(skip_rows)) if skip_rows else typed
    if checkable.empty:
        return []
    try:  # the checks see a copy (and so they do in pandera): ``checkable`` stays as it is
        errors = _errors(_direct_failures(extract.schema(ctx), checkable.copy(deep=False)), skip_cells, False)
    except Exception:  # not covered, or a check that raises: pandera decides, and reports it its way
        errors = None
    if errors is not None:
        return errors
    try:
        extract.schema(ctx).validate(checkable, lazy=True)
        return []
    except pa.errors.SchemaErrors as exc:
        fc = exc.failure_cases
    except Exception as exc:  # a schema that cannot run makes the file unusable, not the run
        raise ExtractFileError(f"{file}: the checks of {extract.id} could not run: {type(exc).__name__}: {exc}",
                               file) from exc
    if fc["index"].isna().any():
        first = fc[fc["index"].isna()].iloc[0]
        raise ExtractFileError(f"{file}: column {first['column']} fails {first['check']} as a whole", file)
    return _errors(list(zip(fc["index"], fc["check"], fc["column"], strict=True)), skip_cells, True)


def duplicate_errors(typed: pd.DataFrame, cells: pd.DataFrame, extract: Extract,
                     row_numbers: pd.Series) -> list[dict]:
    """Every row whose natural key another row of the file shares, naming the rows of all copies."""
    key = list(extract.key)
    dup = typed[key].notna().all(axis=1) & typed.duplicated(subset=key, keep=False)
    if not dup.any():
        return []
    index = dup[dup].index
    group = typed.loc[index, key[0]].astype("string")
    for k in key[1:]:  # the key as one text per row (no part is blank here)
        group = group + "\x1f" + typed.loc[index, k].astype("string")
    groups = group.tolist()
    copies: dict[str, list[int]] = {}
    for g, number in zip(groups, row_numbers[index].tolist(), strict=True):
        copies.setdefault(g, []).append(number)
    listed = {g: ", ".join(map(str, sorted(numbers))) for g, numbers in copies.items()}
    pii = {c.name for c in extract.columns if c.pii}
    parts = [[f"{k}={mask(v) if k in pii else v}" for v in cells.loc[index, k].tolist()] for k in key]
    out = []
    for idx, group_key, *shown in zip(index, groups, *parts, strict=True):
        out.append({"index": idx, "column_name": ",".join(key), "check_name": "duplicate_key",
                    "reason": f"natural key ({', '.join(shown)}) appears on rows {listed[group_key]} of the file: "
                              "every copy is quarantined; keep one and send the file again"})
    return out


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
                        "value": value, "reason": mask_digit_runs(e["reason"])})
    return pd.DataFrame.from_records(records, columns=QUARANTINE_COLUMNS)


def validate(raw: RawExtract, extract: Extract, ctx: ValidationContext) -> ValidatedExtract:
    missing = [c for c in extract.column_names if c not in raw.frame.columns]
    if missing:
        raise ExtractFileError(
            f"{raw.file}: missing column(s) {', '.join(missing)}; found {', '.join(raw.frame.columns)}",
            raw.file)
    cells = _cells(raw, extract)
    broken = {e["index"] for e in raw.row_errors if not e.get("column_name")}  # rows not split into columns
    typed, errors = parse_columns(raw, extract, ctx, cells)
    errors = [e for e in errors if e["index"] not in broken]
    skip_cells = {(e["index"], e["column_name"]) for e in errors}
    for e in raw.row_errors:
        if e.get("column_name"):
            skip_cells.add((e["index"], e["column_name"]))
    errors += schema_errors(typed, extract, ctx, raw.file, skip_cells, broken)
    errors += [e for e in duplicate_errors(typed, cells, extract, raw.row_numbers) if e["index"] not in broken]
    errors += raw.row_errors
    bad_rows = {e["index"] for e in errors}
    quarantine = _quarantine(raw, extract, cells, errors)
    staged = typed.drop(index=list(bad_rows))
    staged["_row_number"] = raw.row_numbers.drop(index=list(bad_rows)).to_numpy()
    blank_counts = {c.name: int(staged[c.name].isna().sum()) for c in extract.columns if c.nullable}
    return ValidatedExtract(staged.reset_index(drop=True), quarantine, len(raw.frame), len(bad_rows),
                            blank_counts)
