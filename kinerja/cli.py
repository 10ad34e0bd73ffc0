"""kinerja: the indicators of a performance agreement (Perjanjian Kinerja), computed every month.

Exit status: 0 all indicators computed; 1 the run finished but something failed;
2 bad usage (e.g. a malformed period).
"""

from __future__ import annotations

import argparse
import os
import sys
from contextlib import contextmanager

from kinerja.periods import Month, PeriodError, previous_month

# No network at run time: the local Prefect server must not phone home.
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")
# A busy two-core machine can take longer than Prefect's 20 s default to start its local server.
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "180")

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2

# What `kinerja --help` tells a newcomer; the key's minimum is kinerja.privacy.MIN_KEY_LENGTH (not
# imported here: --help must not load pandas).
EPILOG = """\
settings (an option beats its environment variable, which beats the default):
  --landing DIR    KINERJA_LANDING_DIR    where the monthly extracts arrive, as
                                          DIR/<source>/<YYYY-MM>/<extract>.<csv|xlsx|parquet|json>
                                          (default data/landing, from the current directory)
  --warehouse URL  KINERJA_WAREHOUSE_URL  a SQLAlchemy URL, e.g. postgresql+psycopg://user@host/db
                                          (default sqlite:///data/warehouse.db, from the current
                                          directory); a password belongs in the variable, not on the
                                          command line
  --sources FILE   KINERJA_SOURCES        fetch: which extracts come from which source system (SQL,
                                          HTTP API, file share); without it nothing is fetched

the pseudonym key, KINERJA_PSEUDONYM_KEY (environment only):
  a secret of at least 16 characters that keys the one-way hash replacing every NIP before it is
  stored. It must be the same every month: under another key the same civil servant gets another
  pseudonym and the months no longer join. Keep it out of git and out of the warehouse. Without it,
  personnel extracts are refused; `kinerja demo` makes up a demo key when none is set. The
  warehouse remembers a fingerprint of the key (never the key) and refuses another one; to change
  the key on purpose, run `kinerja rekey --from YYYY-MM --to YYYY-MM`.

exit status:
  0  done: every indicator computed (report written, quality report printed)
  1  the run finished but something failed (an extract, an indicator): its log says what;
     quality: no run of that period
  2  bad usage: a malformed period or option, a missing landing directory or warehouse, a year
     without a catalog, a missing or short key, or not the key the warehouse was built with
"""


def _month(text: str) -> Month:
    try:
        return Month.parse(text)
    except PeriodError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--landing", metavar="DIR", help="landing directory (env KINERJA_LANDING_DIR, "
                                                    "default data/landing)")
    p.add_argument("--warehouse", metavar="URL", help="SQLAlchemy URL (env KINERJA_WAREHOUSE_URL, "
                                                      "default sqlite:///data/warehouse.db)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kinerja", description=__doc__.splitlines()[0], epilog=EPILOG,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    # run, backfill and rekey check their periods themselves (kinerja.usage): one line, as the flows say it
    run = sub.add_parser("run", help="the monthly job for one month")
    run.add_argument("--period", help="YYYY-MM (default: the previous month, Asia/Jakarta)")
    _common(run)
    back = sub.add_parser("backfill", help="the monthly job for each month of a range")
    back.add_argument("--from", dest="from_period", required=True, metavar="YYYY-MM")
    back.add_argument("--to", dest="to_period", required=True, metavar="YYYY-MM")
    _common(back)
    rekey = sub.add_parser("rekey", help="change the pseudonym key on purpose: stage the months' personal "
                                         "data again under the key now set")
    rekey.add_argument("--from", dest="from_period", required=True, metavar="YYYY-MM")
    rekey.add_argument("--to", dest="to_period", required=True, metavar="YYYY-MM")
    _common(rekey)
    demo = sub.add_parser("demo", help="generate a demo year, backfill it and print the scorecard")
    demo.add_argument("--year", type=int, default=2024)
    demo.add_argument("--seed", type=int, default=2024)
    demo.add_argument("--scale", type=float, default=0.1, help="1 = one province (default 0.1)")
    _common(demo)
    report = sub.add_parser("report", help="the scorecard as a spreadsheet, a page or markdown")
    report.add_argument("--year", type=int, required=True)
    report.add_argument("--format", choices=["md", "xlsx", "html"], required=True)
    report.add_argument("--out", required=True, metavar="PATH")
    _common(report)
    fetch = sub.add_parser("fetch", help="pull a month's extracts from the source systems into the landing "
                                         "directory")
    fetch.add_argument("--period", help="YYYY-MM (default: the previous month, Asia/Jakarta)")
    fetch.add_argument("--extract", metavar="SOURCE/NAME", help="one extract (default: every configured one)")
    fetch.add_argument("--sources", metavar="FILE", help="the sources file (env KINERJA_SOURCES)")
    fetch.add_argument("--landing", metavar="DIR", help="landing directory (env KINERJA_LANDING_DIR, "
                                                        "default data/landing)")
    quality = sub.add_parser("quality", help="the data-quality report of a month's run")
    quality.add_argument("--period", type=_month, required=True, metavar="YYYY-MM")
    _common(quality)
    status = sub.add_parser("status", help="which landing files of the PK year arrived, when, and which are "
                                           "late or missing")
    status.add_argument("--period", type=_month, metavar="YYYY-MM",
                        help="the months of its PK year up to this one (default: the previous month)")
    status.add_argument("--format", choices=["text", "md", "json"], default="text")
    _common(status)
    back.add_argument("--only-failed", action="store_true",
                      help="only the months whose last run failed, or whose landing files arrived late or "
                           "changed since it")
    return parser


def _state_exit(state) -> int:
    return EXIT_OK if state.is_completed() else EXIT_FAILED


def _landing_problem(args) -> str | None:
    """Why the landing directory cannot be used (checked before any file is opened), or None.

    ``run`` and ``backfill`` read it: it must be an existing directory. ``demo`` writes it: it must
    not be a file. A path with a NUL or control character is refused everywhere."""
    from kinerja.config import LANDING_ENV, resolve

    text = args.landing if args.landing is not None else os.environ.get(LANDING_ENV)
    where = "--landing" if args.landing is not None else (LANDING_ENV if text else "the default landing directory")
    if text is not None and (not text.strip() or any(ord(ch) < 32 for ch in text)):
        return f"{where}: an empty path or a path with a control character"
    if args.command not in ("run", "backfill", "rekey", "demo", "status"):
        return None
    landing = resolve(args.landing, None).landing_dir
    if landing.exists() and not landing.is_dir():
        return f"{where} {landing} is not a directory"
    if args.command in ("run", "backfill", "rekey", "status") and not landing.exists():
        return f"{where} {landing} does not exist"
    return None


@contextmanager
def _url_kept_out_of_parameters(url: str | None):
    """A warehouse URL with credentials reaches the flow through the environment, not as a parameter:
    Prefect stores flow-run parameters and shows them in its UI, which must never show a password."""
    from kinerja.config import WAREHOUSE_ENV

    if not url or "@" not in url:
        yield url
        return
    before = os.environ.get(WAREHOUSE_ENV)
    os.environ[WAREHOUSE_ENV] = url
    try:
        yield None
    finally:
        if before is None:
            os.environ.pop(WAREHOUSE_ENV, None)
        else:
            os.environ[WAREHOUSE_ENV] = before


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return EXIT_USAGE if exc.code else EXIT_OK
    problem = _landing_problem(args)
    if problem:
        print(f"kinerja: {problem}", file=sys.stderr)
        return EXIT_USAGE
    if args.command in ("run", "backfill", "rekey"):
        problem = _usage_problem(args)
        if problem:
            print(f"kinerja: {problem}", file=sys.stderr)
            return EXIT_USAGE
    if args.command in ("demo", "status"):
        problem = _catalog_problem(args)
        if problem:
            print(f"kinerja: {problem}", file=sys.stderr)
            return EXIT_USAGE
    if args.command in ("run", "backfill", "rekey", "demo"):
        from kinerja import children

        # the temporary Prefect server (and anything else this run starts) ends with this process,
        # even when it is killed outright
        children.end_with_this_process()

    if args.command == "run":
        from flows.monthly import monthly

        period = args.period or previous_month()
        with _url_kept_out_of_parameters(args.warehouse) as url:
            state = monthly(period=str(period), landing_dir=args.landing, warehouse_url=url, return_state=True)
        return _state_exit(state)

    if args.command == "backfill":
        from flows.backfill import backfill

        with _url_kept_out_of_parameters(args.warehouse) as url:
            state = backfill(from_period=str(args.from_period), to_period=str(args.to_period),
                             landing_dir=args.landing, warehouse_url=url, only_failed=args.only_failed,
                             return_state=True)
        return _state_exit(state)

    if args.command == "status":
        from kinerja import status

        return status.cli(args)
    if args.command == "rekey":
        return rekey(args)
    if args.command == "demo":
        return demo(args)
    if args.command == "report":
        from kinerja import report

        return report.cli(args)
    if args.command == "quality":
        return quality(args)
    if args.command == "fetch":
        from kinerja.fetch import cli as fetch_cli

        return fetch_cli.main(args)
    return EXIT_USAGE


def _catalog_problem(args) -> str | None:
    """Why ``demo`` or ``status`` cannot start: its year has no catalog, or a malformed one."""
    from kinerja import usage

    month = Month(args.year, 1) if args.command == "demo" else (args.period or previous_month())
    try:
        usage.catalogs([month], defaulted=args.command == "status" and args.period is None)
    except usage.BAD_USAGE as exc:
        return str(exc)
    return None


def _usage_problem(args) -> str | None:
    """Why ``run``, ``backfill`` or ``rekey`` cannot start as asked, or None: the checks the flows make
    first (kinerja.usage), then whether the key is the warehouse's (read only; kinerja.keys). ``rekey``
    needs a usable key even without personal data in the range, and replacing the warehouse's is its job."""
    from kinerja import keys, usage
    from kinerja.config import resolve

    try:
        if args.command == "run":
            months = [Month.parse(args.period) if args.period is not None else previous_month()]
        else:
            months = usage.parse_range(args.from_period, args.to_period, ("--from", "--to"))
        usage.check_warehouse_writable(resolve(args.landing, args.warehouse).warehouse_url)
        usage.check_settings()
        key = usage.check_run(months, defaulted=args.command == "run" and args.period is None)
        if args.command == "rekey":
            usage.usable_key()
        elif key is not None:
            keys.check_url(resolve(args.landing, args.warehouse).warehouse_url, key)
    except usage.BAD_USAGE as exc:
        return str(exc)
    return None


def rekey(args) -> int:
    """Change the warehouse's pseudonym key on purpose (kinerja.keys): refuse when a month of personal
    data staged now would be lost, delete the personal-data staging rows and record the new key, stage
    the months' personal data again, then backfill the months from their landing files."""
    import sqlalchemy as sa

    from flows.backfill import backfill
    from kinerja import keys, usage, warehouse
    from kinerja.config import resolve
    from kinerja.safety import redact

    settings = resolve(args.landing, args.warehouse)
    months = usage.parse_range(args.from_period, args.to_period, ("--from", "--to"))
    engine = warehouse.create_engine(settings.warehouse_url)
    try:
        warehouse.ensure_schema(engine)
        problem = keys.restage_problem(engine, settings.landing_dir, months)
        if problem:
            print(f"kinerja: {problem}", file=sys.stderr)
            return EXIT_USAGE
        deleted = keys.reset(engine, usage.usable_key())
        rows = ", ".join(f"{n} of {extract_id}" for extract_id, n in deleted.items())
        print(f"kinerja rekey: deleted the staged rows made with the old key ({rows}), recorded the new key")
        restaged = keys.restage(engine, settings.landing_dir, months)
    except sa.exc.OperationalError as exc:  # unreachable or busy beyond its timeout: nothing else to report
        first_line = str(exc).splitlines()[0] if str(exc) else ""
        print(redact(f"kinerja rekey: the warehouse {warehouse.safe_url(settings.warehouse_url)} failed: "
                     f"{type(exc).__name__}: {first_line}", settings.warehouse_url), file=sys.stderr)
        return EXIT_FAILED
    finally:
        engine.dispose()
    rows = ", ".join(f"{n} of {extract_id}" for extract_id, n in restaged.items())
    print(f"kinerja rekey: staged {months[0]}..{months[-1]} again under the new key ({rows}); backfilling them")
    with _url_kept_out_of_parameters(args.warehouse) as url:
        state = backfill(from_period=str(months[0]), to_period=str(months[-1]), landing_dir=args.landing,
                         warehouse_url=url, return_state=True)
    return _state_exit(state)


def quality(args) -> int:
    """``kinerja quality --period YYYY-MM [--landing DIR] [--warehouse URL]``: print the report of the
    latest run of the period (read from the warehouse only: ``--landing`` is accepted like every command's,
    and not used). Exit 0 printed; 1 no run of that period, or the warehouse cannot be read (the message
    never shows a password); 2 a warehouse URL that does not parse, or no warehouse (as ``kinerja report``)."""
    import sqlalchemy as sa

    from kinerja import quality as report_quality
    from kinerja.config import missing_warehouse, resolve
    from kinerja.safety import redact
    from kinerja.warehouse import create_engine, safe_url

    url = resolve(args.landing, args.warehouse).warehouse_url
    try:
        parsed = sa.make_url(url)
    except sa.exc.ArgumentError:
        print("kinerja quality: the warehouse URL does not parse", file=sys.stderr)
        return EXIT_USAGE
    problem = missing_warehouse(parsed)
    if problem:
        print(f"kinerja quality: {problem}", file=sys.stderr)
        return EXIT_USAGE
    engine = create_engine(url)
    try:
        report = report_quality.build(engine, args.period)
    except Exception as exc:  # unreachable server, missing tables
        print(redact(f"kinerja quality: cannot read the warehouse {safe_url(url)}: {type(exc).__name__}: {exc}",
                     url), file=sys.stderr)
        return EXIT_FAILED
    finally:
        engine.dispose()
    if report is None:
        print(f"kinerja quality: no run of {args.period} in the warehouse {safe_url(url)}", file=sys.stderr)
        return EXIT_FAILED
    print(report_quality.to_markdown(report, escape=False), end="")
    return EXIT_OK


def demo(args) -> int:
    """Generate the demo year, with one file landing late and one held back (kinerja.demo.plant_arrivals);
    backfill the year, in which the month of the held-back file fails; land it, late; backfill
    ``--only-failed``, which runs that month again (and the last month, to restate the year); print the
    scorecard. The exit status is the second backfill's."""
    from flows.backfill import backfill  # first: it sets up Prefect's logging, which the demo redirects
    from kinerja import demo as demo_data
    from kinerja import demo_summary
    from kinerja.config import resolve
    from kinerja.runlog import prefect_log_to_file, quiet_at_exit

    settings = resolve(args.landing, args.warehouse)
    if not os.environ.get("KINERJA_PSEUDONYM_KEY"):
        os.environ["KINERJA_PSEUDONYM_KEY"] = f"kinerja-demo-key-{args.seed}"
        print("kinerja demo: KINERJA_PSEUDONYM_KEY not set; using a generated demo key (not for real data)")
    counts = demo_data.generate(settings.landing_dir, args.year, args.seed, args.scale)
    planted = demo_data.plant_arrivals(settings.landing_dir, args.year)
    print(f"kinerja demo: wrote {sum(counts.values())} rows of landing data into {settings.landing_dir}")
    log = demo_summary.log_path(settings)
    print(f"kinerja demo: loading {args.year}-01 to {args.year}-12 into {demo_summary.where(settings.warehouse_url)}"
          f" (the full log goes to {log})", flush=True)
    year = {"from_period": f"{args.year}-01", "to_period": f"{args.year}-12",
            "landing_dir": str(settings.landing_dir)}
    # the month of the held-back file fails on purpose: no alert for it reaches a real webhook
    alert_url = os.environ.pop("KINERJA_ALERT_URL", None)
    try:
        state = _demo_backfills(year, settings, log, planted, backfill, demo_data, prefect_log_to_file)
    finally:
        if alert_url is not None:
            os.environ["KINERJA_ALERT_URL"] = alert_url
    quiet_at_exit()  # the summary below stays the last thing on the console
    print(demo_summary.text(settings, args.year, state.is_completed(), log, landing_given=bool(args.landing),
                            warehouse_given=bool(args.warehouse), planted=planted))
    return _state_exit(state)


def _demo_backfills(year: dict, settings, log, planted, backfill, demo_data, prefect_log_to_file):
    import logging

    with _url_kept_out_of_parameters(settings.warehouse_url) as url:
        # the month of the held-back file fails on purpose: its errors go to the log, not the console
        with prefect_log_to_file(log, console_level=logging.CRITICAL):
            backfill(**year, warehouse_url=url, return_state=True)
        demo_data.deliver(planted)
        with prefect_log_to_file(log, append=True):
            return backfill(**year, warehouse_url=url, only_failed=True, return_state=True)


if __name__ == "__main__":
    sys.exit(main())
