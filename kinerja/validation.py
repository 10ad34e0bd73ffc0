"""Typing and validating one raw extract: staged rows, and quarantined rows with reasons.

Every record ends either staged or quarantined, never both and never lost:
``rows_read == rows_staged + rows_quarantined``.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import pandera.pandas as pa

from kinerja import parsing
from kinerja.extracts import Extract, ValidationContext
from kinerja.privacy import mask
from kinerja.readers import ExtractFileError, RawExtract

PARSE_REASONS = {
    "int": "is not a whole number",
    "float": "is not a number",
    "bool": "is not a yes/no value (ya/tidak, true/false, 1/0, Y/N)",
    "date": "is not a date (YYYY-MM-DD, DD/MM/YYYY or DD-MM-YYYY)",
    "datetime": "is not a date-time (a date, optionally with HH:MM[:SS] and an offset)",
    "month": "is not a month (YYYY-MM)",
}
QUARANTINE_COLUMNS = ["file", "row_number", "column_name", "check_name", "value", "reason"]


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


def parse_columns(raw: RawExtract, extract: Extract, ctx: ValidationContext) -> tuple[pd.DataFrame, list[dict]]:
    typed: dict[str, pd.Series] = {}
    errors: list[dict] = []
    for col in extract.columns:
        cells = raw.frame[col.name]
        if col.kind == "text":
            values, bad = parsing.parse_text(cells)
        elif col.kind == "int":
            values, bad = parsing.parse_int(cells, raw.decimal)
        elif col.kind == "float":
            values, bad = parsing.parse_number(cells, raw.decimal)
        elif col.kind == "bool":
            values, bad = parsing.parse_bool(cells)
        elif col.kind == "date":
            values, bad = parsing.parse_date(cells)
        elif col.kind == "datetime":
            values, bad = parsing.parse_datetime(cells, ctx.tz)
        else:
            values, bad = parsing.parse_month(cells)
        typed[col.name] = values
        for idx in bad[bad].index:
            errors.append({"index": idx, "column_name": col.name, "check_name": f"parse_{col.kind}",
                           "reason": f"{col.name} {PARSE_REASONS[col.kind]}"})
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


def validate(raw: RawExtract, extract: Extract, ctx: ValidationContext) -> ValidatedExtract:
    missing = [c for c in extract.column_names if c not in raw.frame.columns]
    if missing:
        raise ExtractFileError(
            f"{raw.file}: missing column(s) {', '.join(missing)}; found {', '.join(raw.frame.columns)}",
            raw.file)
    typed, errors = parse_columns(raw, extract, ctx)
    unparsed = {e["index"] for e in errors}
    checkable = typed.drop(index=list(unparsed))
    schema = extract.schema(ctx)
    key = list(extract.key)
    if not checkable.empty:
        try:
            schema.validate(checkable, lazy=True)
        except pa.errors.SchemaErrors as exc:
            fc = exc.failure_cases
            if fc["index"].isna().any():
                first = fc[fc["index"].isna()].iloc[0]
                raise ExtractFileError(
                    f"{raw.file}: column {first['column']} fails {first['check']} as a whole", raw.file
                ) from exc
            seen: set[tuple] = set()
            for rec in fc.itertuples(index=False):
                name, reason, cols = _describe(str(rec.check), rec.column)
                column = ",".join(cols) if cols else rec.column
                marker = (rec.index, name, column)
                if marker in seen:
                    continue
                seen.add(marker)
                errors.append({"index": rec.index, "column_name": column, "check_name": name, "reason": reason})
    dup = typed[key].notna().all(axis=1) & typed.duplicated(subset=key, keep=False)
    for idx in dup[dup].index:
        errors.append({"index": idx, "column_name": ",".join(key), "check_name": "duplicate_key",
                       "reason": f"natural key ({', '.join(key)}) repeated within the file: "
                                 "every copy is quarantined"})
    bad_rows = {e["index"] for e in errors}
    pii = {c.name for c in extract.columns if c.pii}
    records = []
    for e in sorted(errors, key=lambda e: (e["index"], e["column_name"] or "")):
        cols = (e["column_name"] or "").split(",")
        shown = []
        for c in cols:
            if c in raw.frame.columns:
                v = raw.frame.at[e["index"], c]
                v = None if pd.isna(v) else str(v)
                shown.append(mask(v) if c in pii else v)
        value = shown[0] if len(shown) == 1 else "; ".join(f"{c}={v}" for c, v in zip(cols, shown, strict=False))
        records.append({"file": raw.file, "row_number": int(raw.row_numbers.iloc[e["index"]]),
                        "column_name": e["column_name"], "check_name": e["check_name"],
                        "value": value, "reason": e["reason"]})
    quarantine = pd.DataFrame.from_records(records, columns=QUARANTINE_COLUMNS)
    staged = typed.drop(index=list(bad_rows))
    staged["_row_number"] = raw.row_numbers.drop(index=list(bad_rows)).to_numpy()
    blank_counts = {c.name: int(staged[c.name].isna().sum()) for c in extract.columns if c.nullable}
    return ValidatedExtract(staged.reset_index(drop=True), quarantine, len(raw.frame), len(bad_rows),
                            blank_counts)
