"""``kinerja fetch --period 2024-03 [--extract source/name] [--landing DIR] [--sources FILE]``.

Bad usage is refused before Prefect starts (exit status 2): a malformed period, a period whose year has
no usable catalog (its collection deadline and time zone set the ``cutoff``), a landing path that is not a
directory, no sources file or one that does not load, an extract it does not configure. Then the
fetch flow runs (``flows/fetch.py``): exit status 0 when every extract landed (new, unchanged or
replaced), 1 when one could not be fetched.
"""

from __future__ import annotations

import sys

from kinerja.config import resolve
from kinerja.fetch.config import SOURCES_ENV, SourcesError, load_sources, sources_path
from kinerja.periods import PeriodError, previous_month
from kinerja.usage import UsageError, catalogs, resolve_period

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def usage_problem(args) -> str | None:
    """Why the fetch cannot start as asked, or None."""
    try:
        catalogs([resolve_period(args.period)], defaulted=args.period is None)
    except (PeriodError, UsageError) as exc:
        return str(exc)
    landing = resolve(args.landing, None).landing_dir
    if not landing.is_dir():
        return f"landing directory {landing} does not exist (--landing, or KINERJA_LANDING_DIR)"
    path = sources_path(args.sources)
    if path is None:
        return f"nothing to fetch: no sources file (--sources FILE, or {SOURCES_ENV})"
    try:
        sources = load_sources(path)
    except SourcesError as exc:
        return str(exc)
    if args.extract is not None and sources.extract(args.extract) is None:
        return (f"--extract {args.extract}: not in the sources file {path} (configured: "
                f"{', '.join(sources.extract_ids()) or 'none'})")
    return None


def main(args) -> int:
    problem = usage_problem(args)
    if problem:
        print(f"kinerja: {problem}", file=sys.stderr)
        return EXIT_USAGE
    from flows.fetch import fetch

    period = args.period or str(previous_month())
    state = fetch(period=period, extract=args.extract, landing_dir=args.landing,
                  sources=str(sources_path(args.sources)), return_state=True)
    if state.is_completed():
        for line in state.result()["fetched"]:
            print(f"kinerja fetch: {line['extract_id']}: {line['status']}, {line['rows']} rows, {line['file']}")
        return EXIT_OK
    print(f"kinerja: {state.message}", file=sys.stderr)
    return EXIT_FAILED
