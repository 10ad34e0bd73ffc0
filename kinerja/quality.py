"""The data-quality report of a month's run: what each landing file gave, what was rejected and
why, and what changed since the previous month.

Per extract (from the latest run of the period in the warehouse):

- the file, its status (staged / failed, with the failure message), rows read,
  staged and quarantined (``read = staged + quarantined`` always holds);
- the quarantined rows grouped by check and column, with a count, the first row
  numbers (as a spreadsheet shows them) and an example reason;
- the changes from the previous month's run that deserve a look: rows read moving
  by more than half, the share of blanks in a column moving by 10 points or more,
  the mean of a numeric column (or the share of ``ya`` in a yes/no column) moving
  by more than half. Nulls and means are profiled on the staged rows that the
  month's file delivered (``_landing_month``); a record sent again in a later
  month's file moves to that month.

``kinerja quality --period YYYY-MM`` prints it (``kinerja.cli``); :func:`markdown` is
what the monthly flow publishes as a Prefect artifact. Every value taken from a
landing file is escaped for markdown; NIPs never appear (the warehouse holds
pseudonyms and masked values only).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import sqlalchemy as sa

from kinerja import extracts as extract_registry
from kinerja.periods import Month

# what counts as a sharp change from the previous month (operational thresholds, not agreement rules)
SHARP_ROWS = 0.5  # rows read changed by more than 50%
SHARP_MEAN = 0.5  # mean of a numeric column (share of true in a yes/no column) changed by more than 50%
NULL_POINTS = 0.10  # share of blanks in a column changed by 10 percentage points or more
MIN_ROWS = 10  # below this many rows in either month, means and blanks are not compared
EXAMPLE_ROWS = 5


@dataclass
class ReasonCount:
    check_name: str
    column_name: str | None
    rows: int
    example_rows: list[int]
    reason: str


@dataclass
class ExtractQuality:
    extract_id: str
    file: str | None
    status: str
    message: str | None
    rows_read: int
    rows_staged: int
    rows_quarantined: int
    reasons: list[ReasonCount] = field(default_factory=list)
    previous_rows_read: int | None = None
    changes: list[str] = field(default_factory=list)


@dataclass
class QualityReport:
    period: str
    previous_period: str
    run_id: str
    run_status: str
    run_message: str | None
    started_at: str | None
    finished_at: str | None
    extracts: list[ExtractQuality]

    @property
    def failed(self) -> list[ExtractQuality]:
        return [e for e in self.extracts if e.status == "failed"]


def _query(conn, sql: str, **params) -> pd.DataFrame:
    return pd.read_sql(sa.text(sql), conn, params=params)


def latest_run(conn, period: Month | str) -> dict | None:
    """The latest run of a period (by start time), as a dict, or None."""
    df = _query(conn, "SELECT run_id, flow_name, status, message, started_at, finished_at FROM pipeline_run "
                      "WHERE period = :p ORDER BY started_at DESC, run_id DESC", p=str(period))
    return None if df.empty else df.iloc[0].to_dict()


def profiles(frame: pd.DataFrame, ext: extract_registry.Extract, landing_months: list[str]
             ) -> dict[str, dict | None]:
    """Per landing month: rows, blanks per column and the mean of numeric / yes-no columns of the
    staged rows that month's file delivered, from the staged rows (``warehouse.read_staged``). A
    month's rows are contiguous in staged order (landing month first): they are sliced, not copied."""
    out: dict[str, dict | None] = {}
    for month in landing_months:
        at = np.flatnonzero((frame["_landing_month"] == month).to_numpy(dtype=bool))
        contiguous = len(at) and at[-1] - at[0] + 1 == len(at)
        rows = frame.iloc[at[0]:at[-1] + 1] if contiguous else frame.iloc[at]
        item = {"rows": len(rows), "blanks": {}, "means": {}}
        for col in ext.columns:
            values = rows[col.staged_name]
            item["blanks"][col.name] = int(values.isna().sum())
            if col.kind in ("int", "float", "bool") and values.notna().any():
                item["means"][col.name] = float(values.astype("Float64").mean())
        out[month] = item
    return out


def _pct(a: float, b: float) -> str:
    return f"{(b - a) / abs(a) * 100:+.0f}%"


def _num(v: float) -> str:
    text = f"{v:,.2f}" if abs(v) < 1e15 else f"{v:.3e}"
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")  # Indonesian: 1.234,56


def changes(extract_id: str, rows: int | None, prev_rows: int | None, now: dict | None, before: dict | None,
            kinds: dict[str, str]) -> list[str]:
    """The sharp changes between a month and the previous one, in words."""
    out = []
    if rows is not None and prev_rows is not None:
        if prev_rows == 0 and rows > 0:
            out.append(f"rows read {prev_rows} → {rows} (none the month before)")
        elif prev_rows > 0 and abs(rows - prev_rows) / prev_rows > SHARP_ROWS:
            out.append(f"rows read {prev_rows} → {rows} ({_pct(prev_rows, rows)})")
    if not now or not before or now["rows"] < MIN_ROWS or before["rows"] < MIN_ROWS:
        return out
    for col, blank in now["blanks"].items():
        a, b = before["blanks"].get(col, 0) / before["rows"], blank / now["rows"]
        if abs(b - a) >= NULL_POINTS:
            out.append(f"blanks in {col} {a:.1%} → {b:.1%}")
    for col, mean in now["means"].items():
        old = before["means"].get(col)
        if old is None:
            continue
        what = "share of ya in" if kinds.get(col) == "bool" else "mean of"
        if old == 0:
            if mean != 0:
                out.append(f"{what} {col} {_num(old)} → {_num(mean)}")
        elif abs(mean - old) / abs(old) > SHARP_MEAN:
            shown = (f"{old:.1%} → {mean:.1%}" if kinds.get(col) == "bool"
                     else f"{_num(old)} → {_num(mean)} ({_pct(old, mean)})")
            out.append(f"{what} {col} {shown}")
    return out


def build(engine: sa.Engine, period: Month, run_id: str | None = None,
          staged: dict[str, pd.DataFrame] | None = None) -> QualityReport | None:
    """The report of a run of ``period`` (default: its latest run); None when there is no such run.
    ``staged``: the staged rows per extract the run holds (read after its last write); the others are
    read from the warehouse."""
    prev = period.previous()
    known = extract_registry.registry()
    with engine.connect() as conn:
        run = latest_run(conn, period) if run_id is None else None
        if run_id is not None:
            df = _query(conn, "SELECT run_id, flow_name, status, message, started_at, finished_at FROM pipeline_run "
                              "WHERE run_id = :r", r=run_id)
            run = None if df.empty else df.iloc[0].to_dict()
        if run is None:
            return None
        files = _query(conn, "SELECT extract_id, file, status, message, rows_read, rows_staged, rows_quarantined "
                             "FROM pipeline_run_extract WHERE run_id = :r AND landing_month = :m "
                             "ORDER BY extract_id", r=run["run_id"], m=str(period))
        quarantine = _query(conn, "SELECT source, extract, check_name, column_name, row_number, reason "
                                  "FROM quarantine WHERE run_id = :r AND landing_month = :m",
                            r=run["run_id"], m=str(period))
        prev_run = latest_run(conn, prev)
        prev_files = pd.DataFrame(columns=["extract_id", "rows_read"]) if prev_run is None else _query(
            conn, "SELECT extract_id, rows_read, status FROM pipeline_run_extract WHERE run_id = :r "
                  "AND landing_month = :m", r=prev_run["run_id"], m=str(prev))
    prev_rows = {r.extract_id: int(r.rows_read) for r in prev_files.itertuples()
                 if getattr(r, "status", "staged") == "staged"}
    quarantine["extract_id"] = quarantine["source"] + "/" + quarantine["extract"]
    items = []
    for f in files.itertuples():
        item = ExtractQuality(f.extract_id, f.file, f.status, f.message, int(f.rows_read), int(f.rows_staged),
                              int(f.rows_quarantined), previous_rows_read=prev_rows.get(f.extract_id))
        q = quarantine[quarantine["extract_id"] == f.extract_id]
        if len(q):
            q = q.assign(column_name=q["column_name"].fillna(""))
            for (check, column), grp in q.groupby(["check_name", "column_name"], sort=True):
                rows = sorted(set(int(r) for r in grp["row_number"]))
                item.reasons.append(ReasonCount(check, column or None, len(rows), rows[:EXAMPLE_ROWS],
                                                str(grp.sort_values("row_number")["reason"].iloc[0])))
            item.reasons.sort(key=lambda r: (-r.rows, r.check_name))
        ext = known.get(f.extract_id)
        now = before = None
        if ext is not None and f.status == "staged":
            frame = staged[ext.id] if staged and ext.id in staged else _staged_rows(engine, ext, period)
            if frame is not None:
                found = profiles(frame, ext, [str(period), str(prev)])
                now, before = found[str(period)], found[str(prev)]
        kinds = {c.name: c.kind for c in ext.columns} if ext is not None else {}
        rows_now = int(f.rows_read) if f.status == "staged" else None
        item.changes = changes(f.extract_id, rows_now, item.previous_rows_read, now, before, kinds)
        items.append(item)
    return QualityReport(str(period), str(prev), run["run_id"], run["status"], run["message"],
                         _text(run["started_at"]), _text(run["finished_at"]), items)


def _staged_rows(engine: sa.Engine, ext: extract_registry.Extract, period: Month) -> pd.DataFrame | None:
    """The staged rows of an extract read from the warehouse (in the time zone of the period's catalog,
    which the run read them in); None when its staging table cannot be read."""
    from kinerja.catalog import load_catalog
    from kinerja.warehouse import read_staged

    try:
        tz = load_catalog(period.year).timezone
    except Exception:  # no catalog for the year: the profiles do not depend on the time zone
        tz = "UTC"
    try:
        return read_staged(engine, ext, tz)
    except sa.exc.SQLAlchemyError:
        return None


def _text(v) -> str | None:
    return None if v is None or (isinstance(v, float) and pd.isna(v)) else str(v)


# -- markdown -----------------------------------------------------------------------------------------

_MD_ESCAPES = (("\\", "\\\\"), ("|", "\\|"), ("`", "\\`"), ("*", "\\*"), ("[", "\\["), ("]", "\\]"),
               ("<", "&lt;"), (">", "&gt;"))


def md(value, escape: bool = True) -> str:
    """A value from a landing file made safe inside a markdown table cell: one line, no control
    characters, and (``escape``) no markdown or HTML that would render (links, emphasis, tags)."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    text = " ".join("".join(ch if ch.isprintable() else " " for ch in str(value)).split())
    if escape:
        for a, b in _MD_ESCAPES:
            text = text.replace(a, b)
    else:
        text = text.replace("|", "/")
    return text


def extract_table(extracts, escape: bool = True, previous_period: str | None = None) -> list[str]:
    """The rows-per-extract table of a run, then its failed extracts with their messages: the lines
    of the quality report, and of the short artifact of a run that stopped before it could be built.
    ``extracts``: objects with the counts of ``ExtractQuality`` (``previous_rows_read`` only with a
    ``previous_period``)."""
    def cell(value) -> str:
        return _md(value, escape)

    prev_head = f" read {previous_period} |" if previous_period else ""
    lines = [f"| extract | file | status | read | staged | quarantined |{prev_head}",
             "|---|---|---|---:|---:|---:|" + ("---:|" if previous_period else "")]
    for e in extracts:
        prev = ""
        if previous_period:
            prev = " - |" if e.previous_rows_read is None else f" {e.previous_rows_read} |"
        lines.append(f"| {cell(e.extract_id)} | {cell(e.file)} | {cell(e.status)} | {e.rows_read} | {e.rows_staged} | "
                     f"{e.rows_quarantined} |{prev}")
    failed = [e for e in extracts if e.status == "failed"]
    if failed:
        lines += ["", "## Failed extracts", ""]
        lines += [f"- **{cell(e.extract_id)}**: {cell(e.message)}" for e in failed]
    return lines


def to_markdown(report: QualityReport, escape: bool = True) -> str:
    """The report as markdown; ``escape=False`` for a terminal (values kept readable, still one line)."""
    def md(value) -> str:
        return _md(value, escape)

    lines = [f"# Data quality {report.period}", "",
             f"Run `{md(report.run_id)}`: **{md(report.run_status)}**, started {md(report.started_at)}, "
             f"finished {md(report.finished_at) or '-'}."]
    if report.run_message:
        lines += ["", f"> {md(report.run_message)}"]
    lines += ["", *extract_table(report.extracts, escape, report.previous_period)]
    with_reasons = [e for e in report.extracts if e.reasons]
    lines += ["", "## Quarantined rows by reason", ""]
    if not with_reasons:
        lines.append("No row was quarantined.")
    for e in with_reasons:
        lines += [f"### {md(e.extract_id)} ({md(e.file)}): {e.rows_quarantined} row(s)", "",
                  "| check | column | rows | first rows | reason (first row) |", "|---|---|---:|---|---|"]
        for r in e.reasons:
            first = ", ".join(map(str, r.example_rows)) + (", …" if r.rows > len(r.example_rows) else "")
            lines.append(f"| {md(r.check_name)} | {md(r.column_name)} | {r.rows} | {first} | {md(r.reason)} |")
        lines.append("")
    lines += ["", f"## Changes from {report.previous_period}", ""]
    changed = [e for e in report.extracts if e.changes]
    if not changed:
        lines.append("No sharp change.")
    for e in changed:
        lines += [f"- **{md(e.extract_id)}**: " + "; ".join(md(c) for c in e.changes)]
    return "\n".join(lines).rstrip() + "\n"


_md = md


def markdown(engine: sa.Engine, period: Month, run_id: str | None = None,
             staged: dict[str, pd.DataFrame] | None = None) -> str:
    """The report as markdown (the Prefect artifact); a short note when the run is not found."""
    report = build(engine, period, run_id, staged)
    if report is None:
        return f"# Data quality {period}\n\nNo run of {period} in the warehouse.\n"
    return to_markdown(report)
