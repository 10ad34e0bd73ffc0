"""Benchmark: fetching a scale-1 month from MariaDB into the landing zone (``kinerja.fetch``, kind ``sql``).

    .venv/bin/python benchmarks/fetch_mariadb.py [--month 2024-03] [--scale 1] [--chunk-rows 10000] [--repeat 3]

The demo generator (``kinerja.demo.personnel``) makes the year's SIMPEG PNS snapshots and Simdiklat
training records at the given scale (about 65,000 PNS at scale 1); the month's snapshot and the
training records of the month's file are loaded into the tables ``pns`` and ``diklat`` of a fresh
MariaDB database (not timed). Then the month is fetched as a monthly run does, ``--repeat`` times
into an empty landing directory (timed: query, stream in chunks, write the CSV, sha256, rename,
manifest) and once more into the filled one (an identical file, left alone). The database is dropped
afterwards.

MariaDB: KINERJA_BENCH_MARIADB_URL (default ``mysql+pymysql://root@127.0.0.1:3306/``).
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kinerja import fetch  # noqa: E402
from kinerja.catalog import load_catalog  # noqa: E402
from kinerja.demo import DemoContext, personnel  # noqa: E402
from kinerja.periods import Month  # noqa: E402

URL = os.environ.get("KINERJA_BENCH_MARIADB_URL", "mysql+pymysql://root@127.0.0.1:3306/")
SOURCES = """
[sources.simpeg]
kind = "sql"
url = "{url}"
chunk_rows = {chunk}

[sources.simpeg.extracts.pns_snapshot]
query = "SELECT snapshot_month, nip, unit_code, education, skp_predicate, discipline_penalty, active FROM pns"

[sources.simdiklat]
kind = "sql"
url = "{url}"
chunk_rows = {chunk}

[sources.simdiklat.extracts.training]
query = '''SELECT nip, training_id, start_date, end_date, jp, verified FROM diklat
           WHERE end_date >= :start AND end_date < :next_start'''
"""


def load(engine: sa.Engine, month: Month, scale: float) -> dict[str, int]:
    """The month's PNS snapshot and training file of the demo year, as source tables (every cell as text,
    as the export has it; the training file's dates as DATE so the month's query is a range)."""
    items = {(i.extract_id, i.month): i.frame for i in personnel.generate(DemoContext(month.year, 2024, scale))}
    pns = items[("simpeg/pns_snapshot", month)].astype("string")
    training = items[("simdiklat/training", month)].astype("string")
    training["end_date"] = str(month.first_day)  # the file of the month: its records end in the month
    with engine.begin() as conn:
        pns.to_sql("pns", conn, index=False, chunksize=5000, method="multi")
        training.to_sql("diklat", conn, index=False, chunksize=5000, method="multi")
        conn.execute(sa.text("ALTER TABLE diklat MODIFY end_date DATE"))
    return {"pns": len(pns), "diklat": len(training)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--month", default="2024-03")
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--chunk-rows", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    month = Month.parse(args.month)
    name = f"kinerja_bench_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4"))
    url = sa.make_url(URL).set(database=name)
    work = Path(tempfile.mkdtemp(prefix="kinerja-fetch-bench-"))
    try:
        engine = sa.create_engine(url)
        started = time.perf_counter()
        rows = load(engine, month, args.scale)
        engine.dispose()
        print(f"loaded {rows['pns']:,} PNS and {rows['diklat']:,} training rows of {month} at scale {args.scale} "
              f"into MariaDB in {time.perf_counter() - started:.1f} s (not part of the measurement)")
        sources_file = work / "sources.toml"
        sources_file.write_text(SOURCES.format(url=url.render_as_string(hide_password=False), chunk=args.chunk_rows))
        sources = fetch.load_sources(sources_file)
        catalog = load_catalog(month.year)
        times = []
        for i in range(args.repeat):
            landing = work / f"landing-{i}"
            started = time.perf_counter()
            results = fetch.fetch_month(sources, landing, month, catalog)
            times.append(time.perf_counter() - started)
            assert [r.status for r in results] == ["new", "new"], results
            per = ", ".join(f"{r.extract_id} {r.rows:,} rows {r.seconds:.2f} s" for r in results)
            print(f"fetch {i + 1}: {times[-1]:.2f} s ({per})")
        started = time.perf_counter()
        again = fetch.fetch_month(sources, work / "landing-0", month, catalog)
        unchanged = time.perf_counter() - started
        assert [r.status for r in again] == ["unchanged", "unchanged"], again
        total = sum(r.rows for r in results)
        size = sum((work / "landing-0" / r.file).stat().st_size for r in results)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"\nscale {args.scale}, {month}: {total:,} rows ({size / 1e6:.1f} MB of CSV), chunks of "
              f"{args.chunk_rows:,} rows")
        print(f"  fetch into an empty landing directory: median {statistics.median(times):.2f} s "
              f"(min {min(times):.2f}, max {max(times):.2f}, n={len(times)}), "
              f"{total / statistics.median(times):,.0f} rows/s")
        print(f"  fetch again, identical files left alone: {unchanged:.2f} s")
        print(f"  peak RSS of this process (includes generating the demo year): {peak:.0f} MB")
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f"DROP DATABASE IF EXISTS `{name}`"))
        admin.dispose()
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
