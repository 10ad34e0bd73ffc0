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


def parse_columns(raw: RawExtract, extract: Extract, ctx: ValidationContext,
                  cells: pd.DataFrame | None = None) -> tuple[pd.DataFrame, list[dict]]:
    """Typed columns, and one error per present cell that does not parse (or is a spreadsheet error)."""
    cells = _cells(raw, extract) if cells is None else cells
    typed: dict[str, pd.Series] = {}
    errors: list[dict] = []
    for col in extract.columns:
        text = cells[col.name]
        values, bad = parsing.parse(col.kind, text, raw.decimal, ctx.tz)
        sheet_error = text.str.strip().str.lower().isin(SPREADSHEET_ERRORS).fillna(False).astype(bool)
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


def schema_errors(typed: pd.DataFrame, extract: Extract, ctx: ValidationContext, file: str,
                  skip_cells: set[tuple], skip_rows: set) -> list[dict]:
    """The pandera checks of the extract over the typed rows, except on cells that did not parse
    (already reported) and rows the reader could not split."""
    checkable = typed.drop(index=list(skip_rows))
    if checkable.empty:
        return []
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
    errors, seen = [], set()
    for rec in fc.itertuples(index=False):
        name, reason, cols = _describe(str(rec.check), rec.column)
        column = ",".join(cols) if cols else rec.column
        if any((rec.index, c) in skip_cells for c in (cols or [rec.column])):
            continue  # a consequence of a value already reported as unreadable
        marker = (rec.index, name, column)
        if marker in seen:
            continue
        seen.add(marker)
        errors.append({"index": rec.index, "column_name": column, "check_name": name, "reason": reason})
    return errors


def duplicate_errors(typed: pd.DataFrame, cells: pd.DataFrame, extract: Extract,
                     row_numbers: pd.Series) -> list[dict]:
    """Every row whose natural key another row of the file shares, naming the rows of all copies."""
    key = list(extract.key)
    dup = typed[key].notna().all(axis=1) & typed.duplicated(subset=key, keep=False)
    if not dup.any():
        return []
    rows = pd.DataFrame({"group": typed.loc[dup, key].astype("string").agg("\x1f".join, axis=1),
                         "row": row_numbers[dup[dup].index].to_numpy()}, index=dup[dup].index)
    listed = rows.groupby("group")["row"].agg(lambda r: ", ".join(map(str, sorted(r))))
    pii = {c.name for c in extract.columns if c.pii}
    out = []
    for idx, group in rows["group"].items():
        shown = ", ".join(f"{k}={mask(cells.at[idx, k]) if k in pii else cells.at[idx, k]}" for k in key)
        out.append({"index": idx, "column_name": ",".join(key), "check_name": "duplicate_key",
                    "reason": f"natural key ({shown}) appears on rows {listed[group]} of the file: "
                              "every copy is quarantined; keep one and send the file again"})
    return out


def _shown(cells: pd.DataFrame, idx, columns: list[str], pii: set[str]) -> str | None:
    """The offending value(s) as written in the file; personal identifiers masked."""
    shown = []
    for c in columns:
        if c not in cells.columns:
            continue
        v = cells.at[idx, c]
        v = None if pd.isna(v) else str(v)
        shown.append((c, mask(v) if c in pii else (None if v is None else mask_digit_runs(v))))
    if not shown:
        return None
    if len(shown) == 1:
        return shown[0][1]
    return "; ".join(f"{c}={'' if v is None else v}" for c, v in shown)


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
    pii = {c.name for c in extract.columns if c.pii}
    records = []
    for e in sorted(errors, key=lambda e: (e["index"], e["column_name"] or "", e["check_name"])):
        if e["column_name"]:
            value = _shown(cells, e["index"], e["column_name"].split(","), pii)
        else:  # the reader's row problems: show the row as read
            value = _shown(cells, e["index"], extract.column_names, pii)
        records.append({"file": raw.file, "row_number": int(raw.row_numbers.iloc[e["index"]]),
                        "column_name": e["column_name"], "check_name": e["check_name"],
                        "value": value, "reason": mask_digit_runs(e["reason"])})
    quarantine = pd.DataFrame.from_records(records, columns=QUARANTINE_COLUMNS)
    staged = typed.drop(index=list(bad_rows))
    staged["_row_number"] = raw.row_numbers.drop(index=list(bad_rows)).to_numpy()
    blank_counts = {c.name: int(staged[c.name].isna().sum()) for c in extract.columns if c.nullable}
    return ValidatedExtract(staged.reset_index(drop=True), quarantine, len(raw.frame), len(bad_rows),
                            blank_counts)
