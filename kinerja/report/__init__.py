"""``kinerja report``: the scorecard as a spreadsheet (xlsx), a page (html) or markdown (md).

Read-only on the warehouse. Exit status 0 when the report is written, 2 on bad usage
(an unknown year, a missing output directory, a warehouse that does not exist yet).
"""

from __future__ import annotations

import sys
from pathlib import Path

import sqlalchemy as sa

from kinerja.report.data import ReportData, ReportError, load

EXIT_OK, EXIT_USAGE = 0, 2
FORMATS = ("md", "xlsx", "html")

__all__ = ["FORMATS", "ReportData", "ReportError", "build", "cli", "load", "render", "write"]


def render(data: ReportData, fmt: str) -> bytes:
    """The report of ``data`` in one format, as the bytes of the file."""
    if fmt == "html":
        from kinerja.report import html

        return html.render(data).encode("utf-8")
    if fmt == "xlsx":
        from kinerja.report import xlsx

        return xlsx.render(data)
    if fmt == "md":
        from kinerja.report import md

        return md.render(data).encode("utf-8")
    raise ReportError(f"unknown format {fmt!r} (one of {', '.join(FORMATS)})")


def check_out(out: Path) -> None:
    if out.is_dir():
        raise ReportError(f"--out {out} is a directory; give a file name")
    if not out.parent.is_dir():
        raise ReportError(f"--out {out}: directory {out.parent} does not exist")


def write(data: ReportData, fmt: str, out: Path) -> Path:
    check_out(out)
    payload = render(data, fmt)
    tmp = out.with_name(f".{out.name}.tmp")
    tmp.write_bytes(payload)
    tmp.replace(out)  # a reader never sees half a file
    return out


def build(engine: sa.Engine, year: int, fmt: str, out: Path) -> Path:
    """Read the year from the warehouse and write the report; raises ReportError on bad usage."""
    check_out(out)
    return write(load(engine, year), fmt, out)


def _engine(url: str) -> sa.Engine:
    from kinerja.config import missing_warehouse
    from kinerja.warehouse import create_engine

    try:
        problem = missing_warehouse(url)  # never create an empty warehouse just to report on it
    except sa.exc.ArgumentError:
        raise ReportError("the warehouse URL does not parse") from None
    if problem:
        raise ReportError(problem)
    return create_engine(url)


def _unreadable(url: str, exc: Exception) -> str:
    """Why the warehouse could not be read, in a sentence: the database's own first line, and what is
    read-only about an SQLite warehouse (SQLite writes a ``-shm`` file beside it even to read it)."""
    from kinerja.config import read_only_part
    from kinerja.safety import redact
    from kinerja.warehouse import safe_url

    text = str(getattr(exc, "orig", None) or exc)
    first = text.splitlines()[0] if text else type(exc).__name__
    why = read_only_part(url)
    return redact(f"cannot read the warehouse {safe_url(url)}: {first}" + (f" ({why})" if why else ""), url)


def cli(args) -> int:
    """``kinerja report --year Y --format md|xlsx|html --out PATH [--warehouse URL]``."""
    from kinerja.config import resolve

    out = Path(args.out).expanduser()
    try:
        check_out(out)
        if args.format not in FORMATS:
            raise ReportError(f"unknown format {args.format!r} (one of {', '.join(FORMATS)})")
        url = resolve(None, args.warehouse).warehouse_url
        engine = _engine(url)
        try:
            data = load(engine, args.year)
        except sa.exc.DBAPIError as exc:  # cannot open or read it: a sentence, not a traceback
            raise ReportError(_unreadable(url, exc)) from None
        finally:
            engine.dispose()
        write(data, args.format, out)
    except ReportError as exc:
        print(f"kinerja report: {exc}", file=sys.stderr)
        return EXIT_USAGE
    as_of = data.as_of() or "no results yet"
    print(f"kinerja report: wrote {out} ({args.format}, PK {args.year}, data through {as_of})")
    return EXIT_OK
