"""Which landing files of a PK year arrived, when, and which are late or missing (table ``landing_arrival``).

One row per PK year, extract and month. A run surveys the landing directory for every month of its
year to date (``survey``) and records what it found (``record``); ``kinerja status`` prints the same
survey as a matrix without writing anything. The rules are the catalog's: each extract's cadence
(``[cadence]``) and the collection deadline (``agreement.collection_deadline_day``).

- expected: a ``monthly`` extract every month; an ``on_change`` one until its first file of the year
  has landed (after that a month without a file is normal: its latest version stands).
- arrived: when the file landed, by its modification time as the landing share reports it (the first
  version seen); a later version is a change (``changed_at``), and a *correction* once the run of its
  month had staged the earlier version. Both checksums are kept (``first_sha256``, ``sha256``).
- status: ``on time`` (arrived by the collection deadline of its month), ``late`` (after it),
  ``missing`` (expected, not there, deadline passed), ``awaited`` (expected, deadline not passed yet),
  ``not expected``.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from kinerja.catalog import MONTHLY, Catalog
from kinerja.extracts import Extract
from kinerja.periods import Month, deadline_after, month_range
from kinerja.readers import EXTENSIONS

TABLE = "landing_arrival"
ON_TIME, LATE, MISSING, AWAITED, NOT_EXPECTED = "on time", "late", "missing", "awaited", "not expected"
STATUSES = (ON_TIME, LATE, MISSING, AWAITED, NOT_EXPECTED)
# a problem worth telling operations about: the file is not there by its deadline, or came after it
OVERDUE = (LATE, MISSING)


@dataclass
class Arrival:
    """One cell of the arrival matrix: an extract's file for one month of the PK year."""

    pk_year: int
    extract_id: str
    month: str
    cadence: str
    expected: bool
    deadline: str  # ISO, local time of the agreement
    status: str
    file: str | None = None  # path inside the landing directory
    size_bytes: int | None = None
    mtime_ns: int | None = None
    first_seen_at: str | None = None  # when the first version seen landed (ISO, local time)
    changed_at: str | None = None  # when the current version landed, if it is not the first
    first_sha256: str | None = None
    sha256: str | None = None  # the current version
    staged_sha256: str | None = None  # the version the run of its month staged last
    corrected: bool = False  # replaced after its month was staged
    reported_run_id: str | None = None  # the run whose alert named it late or missing
    checked_at: str | None = None

    @property
    def source(self) -> str:
        return self.extract_id.split("/")[0]

    @property
    def extract(self) -> str:
        return self.extract_id.split("/")[1]


COLUMNS = [f for f in Arrival.__dataclass_fields__]


# -- files ----------------------------------------------------------------------------------------

def landing_file(landing: Path, ext: Extract, month: Month) -> Path | None:
    """The landing file of an extract for a month, or None (several: the first, by name; the run says
    which to keep). Source and extract names come from ``schemas/``, the month is a Month."""
    folder = Path(landing) / ext.source / str(month)
    found = [folder / f"{ext.name}.{e}" for e in EXTENSIONS if (folder / f"{ext.name}.{e}").is_file()]
    return found[0] if found else None


def latest_landed(landing: Path, ext: Extract, month: Month) -> tuple[Month, Path] | None:
    """The latest month of the PK year before ``month`` with a file of the extract, and that file."""
    for m in reversed(month_range(Month(month.year, 1), month)[:-1]):
        path = landing_file(landing, ext, m)
        if path is not None:
            return m, path
    return None


def checksum(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def relative(landing: Path, path: Path) -> str:
    return path.resolve().relative_to(Path(landing).resolve()).as_posix()


# -- the survey -----------------------------------------------------------------------------------

def _local(ns: int, tz: str) -> str:
    return datetime.fromtimestamp(ns / 1e9, ZoneInfo(tz)).isoformat(timespec="seconds")


def survey(catalog: Catalog, extracts: list[Extract], landing: Path, through: Month,
           recorded: dict[tuple[str, str], Arrival] | None = None, now: datetime | None = None
           ) -> list[Arrival]:
    """Every cell from January of the PK year to ``through``, from the landing directory and what was
    recorded before (``recorded``: by (extract id, month)). A file whose size and modification time
    are those recorded is not read again."""
    recorded = recorded or {}
    tz = catalog.timezone
    now = now or datetime.now(UTC)
    checked = now.astimezone(ZoneInfo(tz)).isoformat(timespec="seconds")
    cells = []
    for ext in sorted(extracts, key=lambda e: e.id):
        cadence = catalog.cadence(ext.id)
        landed_before = False  # an on_change extract has landed in an earlier month of the year
        for m in month_range(Month(catalog.pk_year, 1), through):
            deadline = deadline_after(m.last_day, catalog.collection_deadline_day, tz)
            prior = recorded.get((ext.id, str(m)))
            expected = cadence == MONTHLY or not landed_before
            cell = prior and replace(prior, cadence=cadence, expected=expected, deadline=deadline.isoformat())
            cell = cell or Arrival(catalog.pk_year, ext.id, str(m), cadence, expected, deadline.isoformat(), AWAITED)
            path = landing_file(landing, ext, m) if landing is not None else None
            if path is not None:
                _seen(cell, path, landing, tz)
            cell.status = status_of(cell, deadline, now)
            cell.checked_at = checked
            landed_before = landed_before or cell.first_seen_at is not None
            cells.append(cell)
    return cells


def _seen(cell: Arrival, path: Path, landing: Path, tz: str) -> None:
    """Update a cell with the file in the landing directory now: a new file, the same one, or a new version."""
    stat = path.stat()
    same = cell.sha256 is not None and (cell.size_bytes, cell.mtime_ns) == (stat.st_size, stat.st_mtime_ns)
    sha = cell.sha256 if same else checksum(path)
    cell.file, cell.size_bytes, cell.mtime_ns = relative(landing, path), stat.st_size, stat.st_mtime_ns
    if cell.first_sha256 is None:
        cell.first_seen_at, cell.first_sha256, cell.sha256 = _local(stat.st_mtime_ns, tz), sha, sha
    elif sha != cell.sha256:
        cell.sha256, cell.changed_at = sha, _local(stat.st_mtime_ns, tz)
    if cell.staged_sha256 is not None and cell.sha256 != cell.staged_sha256:
        cell.corrected = True


def status_of(cell: Arrival, deadline: datetime, now: datetime) -> str:
    if cell.first_seen_at is not None:
        return ON_TIME if datetime.fromisoformat(cell.first_seen_at) <= deadline else LATE
    if not cell.expected:
        return NOT_EXPECTED
    return MISSING if now > deadline else AWAITED


def staged_by(cells: list[Arrival], outcomes) -> list[Arrival]:
    """The cells with the versions a run staged (its ``ExtractOutcome`` list) as their staged version."""
    staged = {(o.extract_id, o.landing_month): o.sha256 for o in outcomes if o.status == "staged"}
    for cell in cells:
        sha = staged.get((cell.extract_id, cell.month))
        if sha is not None and sha == cell.sha256:
            cell.staged_sha256 = sha
    return cells


# -- the warehouse --------------------------------------------------------------------------------

def _table() -> sa.Table:
    meta = sa.MetaData()
    return sa.Table(TABLE, meta, *(sa.Column(c) for c in COLUMNS))


def recorded(engine: sa.Engine, pk_year: int) -> dict[tuple[str, str], Arrival]:
    """What runs recorded for a PK year, by (extract id, month); empty when the table does not exist yet."""
    if not sa.inspect(engine).has_table(TABLE):
        return {}
    t = _table()
    with engine.connect() as conn:
        rows = conn.execute(sa.select(t).where(t.c.pk_year == pk_year)).mappings().all()
    out = {}
    for r in rows:
        values = dict(r)
        values["expected"], values["corrected"] = bool(values["expected"]), bool(values["corrected"])
        out[(r["extract_id"], r["month"])] = Arrival(**values)
    return out


def record(engine: sa.Engine, cells: list[Arrival]) -> None:
    """Replace the recorded cells of the months surveyed (one transaction)."""
    if not cells:
        return
    t = _table()
    with engine.begin() as conn:
        for year, month in sorted({(c.pk_year, c.month) for c in cells}):
            conn.execute(sa.delete(t).where(t.c.pk_year == year, t.c.month == month))
        conn.execute(sa.insert(t), [asdict(c) for c in cells])


def mark_reported(conn: sa.Connection, cells: list[Arrival], run_id: str) -> None:
    """Record that the failed run ``run_id`` names these files in its alert, in the caller's transaction
    (the one that records the run's end)."""
    t = _table()
    for c in cells:
        conn.execute(sa.update(t).where(t.c.pk_year == c.pk_year, t.c.extract_id == c.extract_id,
                                        t.c.month == c.month).values(reported_run_id=run_id))
        c.reported_run_id = run_id


def staged_already(engine: sa.Engine, extract_id: str, landing_month: str, sha256: str) -> bool:
    """Whether a run staged this very version of a month's file (``pipeline_run_extract``)."""
    with engine.connect() as conn:
        return conn.execute(sa.text(
            "SELECT 1 FROM pipeline_run_extract WHERE extract_id = :e AND landing_month = :m AND sha256 = :s "
            "AND status = 'staged' LIMIT 1"), {"e": extract_id, "m": landing_month, "s": sha256}).first() is not None


# -- what a run does with it ------------------------------------------------------------------------

@dataclass
class RunArrivals:
    """What a run found: every cell to date, and the overdue ones no alert has named yet."""

    cells: list[Arrival]
    newly_overdue: list[Arrival] = field(default_factory=list)


def overdue_to_report(cells: list[Arrival]) -> list[Arrival]:
    """Monthly extracts' files late or missing that no earlier alert named: an alert names a file once."""
    return [c for c in cells if c.cadence == MONTHLY and c.status in OVERDUE and c.reported_run_id is None]


def late_files(cells: list[Arrival]) -> list[dict]:
    """The cells an alert names: source system, extract, month, status."""
    return [{"source": c.source, "extract": c.extract, "month": c.month, "status": c.status,
             "arrived": c.first_seen_at} for c in cells]


# -- which months to run again ---------------------------------------------------------------------

def months_to_rerun(engine: sa.Engine, catalog: Catalog, extracts: list[Extract], landing: Path,
                    months: list[Month]) -> dict[str, str]:
    """``{month: why}`` for the months whose last run failed (or that never ran), or whose landing
    files differ from what their last run read: a file that arrived late, a corrected file."""
    out: dict[str, str] = {}
    with engine.connect() as conn:
        for m in months:
            run = conn.execute(sa.text("SELECT run_id, status FROM pipeline_run WHERE period = :p "
                                       "ORDER BY started_at DESC, run_id DESC LIMIT 1"), {"p": str(m)}).first()
            if run is None:
                out[str(m)] = "never run"
                continue
            if run.status != "completed":
                out[str(m)] = f"its last run {run.status}"
                continue
            read = {r.extract_id: r.sha256 for r in conn.execute(sa.text(
                "SELECT extract_id, sha256 FROM pipeline_run_extract WHERE run_id = :r AND landing_month = :m"),
                {"r": run.run_id, "m": str(m)})}
            changed = []
            for ext in sorted(extracts, key=lambda e: e.id):
                path = landing_file(landing, ext, m)
                if path is not None and read.get(ext.id) != checksum(path):
                    changed.append(ext.id)
            if changed:
                out[str(m)] = "new or changed file(s) since its last run: " + ", ".join(changed)
    return out


# -- the matrix ------------------------------------------------------------------------------------

SYMBOLS = {ON_TIME: "ok", LATE: "LATE", MISSING: "MISS", AWAITED: "wait", NOT_EXPECTED: "."}


def matrix(cells: list[Arrival]) -> tuple[list[str], list[str], dict[tuple[str, str], Arrival]]:
    extracts = sorted({c.extract_id for c in cells})
    months = sorted({c.month for c in cells})
    return extracts, months, {(c.extract_id, c.month): c for c in cells}


def _symbol(cell: Arrival | None) -> str:
    if cell is None:
        return ""
    return SYMBOLS[cell.status] + ("*" if cell.corrected else "")


def details(cells: list[Arrival]) -> list[str]:
    """One line per cell worth a look: late, missing, changed or corrected."""
    lines = []
    for c in sorted(cells, key=lambda c: (c.month, c.extract_id)):
        if c.status in OVERDUE or c.changed_at or c.corrected:
            what = c.status
            if c.first_seen_at:
                what += f", arrived {c.first_seen_at}"
            what += f", deadline {c.deadline}"
            if c.changed_at:
                kind = "corrected" if c.corrected else "replaced"
                what += f"; {kind} {c.changed_at} (sha256 {c.first_sha256[:12]} -> {c.sha256[:12]})"
            lines.append(f"{c.month} {c.extract_id}: {what}")
    return lines


def legend() -> str:
    return ("ok on time, LATE arrived after the collection deadline, MISS missing, wait not due yet,\n"
            ". not expected (lands on change), * corrected after its month was staged")


def text(cells: list[Arrival], title: str) -> str:
    extracts, months, at = matrix(cells)
    width = max([len("extract"), *map(len, extracts)])
    head = f"{'extract':<{width}}  " + " ".join(f"{m[5:]:>5}" for m in months)
    lines = [title, "", head]
    for e in extracts:
        lines.append(f"{e:<{width}}  " + " ".join(f"{_symbol(at.get((e, m))):>5}" for m in months))
    lines += ["", legend()]
    more = details(cells)
    if more:
        lines += ["", *more]
    return "\n".join(lines)


def _md(value: str) -> str:
    return value.replace("|", "\\|")


def markdown(cells: list[Arrival], title: str) -> str:
    extracts, months, at = matrix(cells)
    lines = [f"# {title}", "", "| extract | " + " | ".join(months) + " |",
             "|---|" + "|".join(":---:" for _ in months) + "|"]
    for e in extracts:
        lines.append(f"| {_md(e)} | " + " | ".join(_symbol(at.get((e, m))) for m in months) + " |")
    lines += ["", legend().replace("\n", " ")]
    more = details(cells)
    if more:
        lines += ["", *[f"- {_md(line)}" for line in more]]
    return "\n".join(lines) + "\n"


def as_json(cells: list[Arrival]) -> str:
    rows = [{k: v for k, v in asdict(c).items() if k not in ("mtime_ns",)} for c in cells]
    return json.dumps(rows, indent=2, ensure_ascii=False)


def title(catalog: Catalog, through: Month) -> str:
    return f"Landing files of PK {catalog.pk_year}, {catalog.pk_year}-01 to {through}"
