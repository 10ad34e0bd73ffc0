"""Benchmark: a full-year backfill, one monthly run and their input/output floor, per backend and scale.

    .venv/bin/python benchmarks/run.py [--scales 0.25 1 4] [--backends sqlite postgresql] [--repeat N]

For each backend and scale, in a fresh subprocess each (peak RSS is the child's own
``resource.getrusage``):

(a) backfill: flows.backfill 2024-01..2024-12 through the real flows, against a Prefect
    server started once beforehand (its start is not counted);
(b) monthly: flows.monthly 2024-12 after the backfill, in a fresh process, as the scheduled
    run is;
(c) floor: reading the same landing files with the plainest bulk readers (pyarrow.csv,
    python-calamine), without Kinerja's checks, plus bulk-loading the rows the year leaves in staging and in the result
    tables with the fastest path (COPY on PostgreSQL, executemany in one transaction on
    SQLite), into empty copies of those tables.

With ``--repeat N`` each backend and scale is measured N times, (a), (b) and (c) in turn: the
table shows the median of each and the median of the N ratios, each backfill over the floor
measured minutes after it, with their range.

Landing data is generated once per scale under build/bench/ (git-ignored). PostgreSQL:
KINERJA_BENCH_PG_URL (default the local server's ``test`` database), a fresh schema per
measurement, dropped afterwards. Results are printed as a table and written to
build/bench/results.json.

A second table says where the CPU went during each measurement (Linux, from /proc): the run's
process (and, of it, the main thread the flows run in), the Prefect server and the local PostgreSQL
server. All of it divided by the number of cores is the least wall time
the machine could give that work; the wall time the main thread is not on a core is time it waits.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUILD = ROOT / "build" / "bench"
PG_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
YEAR = 2024


# -- children: one measurement each ------------------------------------------------------------------

def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def _cpu(who: int = resource.RUSAGE_SELF) -> float:
    used = resource.getrusage(who)
    return used.ru_utime + used.ru_stime


class CpuMeter:
    """CPU seconds over the timed parts of a measurement: this process, the thread that measures (the
    flows run in it: ``main``, a part of ``run``), and each server the parent named in
    KINERJA_BENCH_SERVERS ("name=pid,..."; pid 0: every local PostgreSQL process)."""

    def __init__(self) -> None:
        named = os.environ.get("KINERJA_BENCH_SERVERS", "")
        self.servers = {n: int(p) for n, p in (item.split("=") for item in named.split(",") if item)}
        self.used = {"run": 0.0, "main": 0.0} | dict.fromkeys(self.servers, 0.0)

    def _now(self) -> dict[str, float | None]:
        return {"run": _cpu(), "main": time.thread_time()} | {n: _server_cpu(pid) for n, pid in self.servers.items()}

    @contextmanager
    def window(self) -> Iterator[None]:
        before = self._now()
        yield
        for name, value in self._now().items():
            if value is None or before[name] is None:
                self.used.pop(name, None)
            elif name in self.used:
                self.used[name] += value - before[name]


def child_generate(landing: str, scale: float) -> dict:
    from kinerja import demo

    tmp = Path(landing + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    counts = demo.generate(tmp, YEAR, YEAR, scale)
    tmp.rename(landing)
    return {"rows": counts}


def child_backfill(landing: str, url: str) -> dict:
    from flows.backfill import backfill

    return _timed_flow(lambda: backfill(from_period=f"{YEAR}-01", to_period=f"{YEAR}-12", landing_dir=landing,
                                        warehouse_url=url, return_state=True))


def child_monthly(landing: str, url: str) -> dict:
    from flows.monthly import monthly

    return _timed_flow(lambda: monthly(period=f"{YEAR}-12", landing_dir=landing, warehouse_url=url,
                                       return_state=True))


def _timed_flow(run) -> dict:
    meter = CpuMeter()
    with meter.window():
        t = time.perf_counter()
        state = run()
        seconds = time.perf_counter() - t
    return {"seconds": seconds, "state": state.type.value, "cpu_seconds": meter.used}


def _read_csv(path: Path) -> int:
    import pyarrow.csv as pacsv

    head = path.read_bytes()[:65536]
    try:
        head.decode("utf-8")
        encoding = "utf-8"
    except UnicodeDecodeError:
        encoding = "latin-1"
    first = head.decode(encoding, errors="replace").splitlines()[0] if head else ""
    delimiter = max(",;\t|", key=first.count)
    try:
        table = pacsv.read_csv(path, read_options=pacsv.ReadOptions(encoding=encoding),
                               parse_options=pacsv.ParseOptions(delimiter=delimiter))
        return table.num_rows
    except Exception:  # a file with a preamble or ragged rows: pandas' C parser
        import pandas as pd

        return len(pd.read_csv(path, sep=delimiter, dtype=str, encoding=encoding, on_bad_lines="skip",
                               engine="c", keep_default_na=False))


def _read_xlsx(path: Path) -> int:
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_path(str(path))
    return sum(len(book.get_sheet_by_index(i).to_python()) for i in range(len(book.sheet_names)))


def _read_landing(landing: str) -> tuple[int, int]:
    """Every landing file of the year read with the fastest reader: (files, rows)."""
    files = rows_read = 0
    for path in sorted(Path(landing).rglob("*")):
        if not path.is_file():
            continue
        suffix = path.suffix.lower()
        if suffix in (".csv", ".txt"):
            rows_read += _read_csv(path)
        elif suffix == ".xlsx":
            rows_read += _read_xlsx(path)
        else:
            continue
        files += 1
    return files, rows_read


def child_floor(landing: str, url: str) -> dict:
    """Read every landing file of the year, then bulk-load what the backfill left in the warehouse."""
    import sqlalchemy as sa

    from kinerja import warehouse

    meter = CpuMeter()
    with meter.window():
        t = time.perf_counter()
        files, rows_read = _read_landing(landing)
        read_seconds = time.perf_counter() - t

    engine = warehouse.create_engine(url)
    tables = [n for n in sa.inspect(engine).get_table_names()
              if n.startswith("stg_") or n in ("indicator_result", "indicator_result_history", "indicator_component")]
    pg = engine.dialect.name == "postgresql"
    data = {}
    with engine.connect() as conn:  # not timed: the rows to load
        for name in tables:
            data[name] = conn.exec_driver_sql(f"SELECT * FROM {name}").all()
        ddl = {} if pg else {name: conn.exec_driver_sql(
            "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)).scalar() for name in tables}
        staged_over_year = conn.exec_driver_sql(
            "SELECT COALESCE(SUM(rows_staged), 0) FROM pipeline_run_extract").scalar()
    rows_loaded = 0
    t = time.perf_counter()
    with meter.window(), engine.begin() as conn:
        driver = conn.connection.driver_connection
        for name, rows in data.items():
            if not rows:
                continue
            copy_name = f"floor_{name}"
            if pg:
                driver.execute(f"CREATE TABLE {copy_name} (LIKE {name} INCLUDING ALL)")
                with driver.cursor() as cur, cur.copy(f"COPY {copy_name} FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                driver.execute(ddl[name].replace(f"CREATE TABLE {name}", f"CREATE TABLE {copy_name}", 1))
                marks = ", ".join("?" * len(rows[0]))
                driver.executemany(f"INSERT INTO {copy_name} VALUES ({marks})", [tuple(r) for r in rows])
            rows_loaded += len(rows)
    load_seconds = time.perf_counter() - t
    with engine.begin() as conn:
        for name in data:
            conn.exec_driver_sql(f"DROP TABLE IF EXISTS floor_{name}")
    engine.dispose()
    return {"seconds": read_seconds + load_seconds, "read_seconds": read_seconds, "load_seconds": load_seconds,
            "cpu_seconds": meter.used,
            "files": files, "rows_read": rows_read, "rows_loaded": rows_loaded,
            "rows_staged_over_year": int(staged_over_year)}


CHILDREN = {"generate": child_generate, "backfill": child_backfill, "monthly": child_monthly, "floor": child_floor}


def run_child(kind: str, *args: str, env: dict, servers: dict[str, int] | None = None) -> dict:
    """One measurement in a fresh interpreter; its JSON answer plus its peak RSS. ``servers`` (name ->
    process id, 0 for the local PostgreSQL) are the servers whose CPU the child measures (CpuMeter)."""
    fd, out = tempfile.mkstemp(suffix=".json")
    os.close(fd)
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", kind, out, *args]
    env = env | {"KINERJA_BENCH_SERVERS": ",".join(f"{n}={p}" for n, p in (servers or {}).items())}
    # what the previous measurement wrote reaches the disk now, not while this one commits and is timed
    os.sync()
    started = time.perf_counter()
    proc = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True)
    wall = time.perf_counter() - started
    if proc.returncode != 0:
        raise RuntimeError(f"{kind} failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    answer = json.loads(Path(out).read_text())
    os.unlink(out)
    answer["process_seconds"] = wall
    return answer


def _server_cpu(pid: int) -> float | None:
    """CPU seconds used so far by a server (its process and children; pid 0: every local PostgreSQL
    process, PostgreSQL forks one per connection), where /proc tells (Linux); else None."""
    proc = Path("/proc")
    if not proc.is_dir():
        return None
    if pid:
        pids, todo = [], [pid]
        while todo:
            p = todo.pop()
            pids.append(p)
            children = proc / str(p) / "task" / str(p) / "children"
            todo += [int(c) for c in children.read_text().split()] if children.exists() else []
    else:
        pids = [int(p.name) for p in proc.iterdir() if p.name.isdigit() and _comm(p) == "postgres"]
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for p in pids:
        try:
            fields = (proc / str(p) / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:  # ended meanwhile
            continue
        total += sum(int(f) for f in fields[11:15]) / tick  # utime, stime, and those of waited-for children
    return total


def _comm(path: Path) -> str:
    try:
        return (path / "comm").read_text().strip()
    except OSError:
        return ""


# -- the parent ------------------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_prefect(home: Path) -> tuple[subprocess.Popen, dict]:
    port = free_port()
    env = {**os.environ, "PREFECT_HOME": str(home), "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
           "PREFECT_SERVER_UI_ENABLED": "false", "PREFECT_API_URL": f"http://127.0.0.1:{port}/api",
           "PREFECT_LOGGING_LEVEL": "WARNING"}
    log = open(home / "server.log", "w")  # noqa: SIM115 (lives as long as the server)
    server = subprocess.Popen([str(Path(sys.executable).parent / "prefect"), "server", "start", "--host",
                               "127.0.0.1", "--port", str(port)], env=env, stdout=log, stderr=subprocess.STDOUT)
    for _ in range(120):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health", timeout=2) as r:
                if r.status == 200:
                    return server, env
        except OSError:
            time.sleep(0.5)
    server.terminate()
    raise RuntimeError(f"the Prefect server did not start; see {home / 'server.log'}")


def pg_warehouse(base: str) -> tuple[str, callable]:
    import sqlalchemy as sa

    schema = f"bench_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(base)
    with admin.begin() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    url = sa.make_url(base).update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(
        hide_password=False)

    def drop() -> None:
        with admin.begin() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()

    return url, drop


def landing_for(scale: float, env: dict) -> Path:
    landing = BUILD / f"land-{scale:g}"
    if not landing.is_dir():
        print(f"generating scale {scale:g} landing data in {landing} ...", flush=True)
        run_child("generate", str(landing), str(scale), env=env)
    return landing


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", type=float, nargs="+", default=[0.25, 1.0, 4.0])
    parser.add_argument("--backends", nargs="+", default=["sqlite", "postgresql"], choices=["sqlite", "postgresql"])
    parser.add_argument("--repeat", type=int, default=1,
                        help="measure each backend and scale N times, backfill, monthly and floor in turn; report "
                             "the median of each and the median of the N ratios, each backfill over the floor "
                             "measured right after it (the machine's speed drifts)")
    args = parser.parse_args()
    BUILD.mkdir(parents=True, exist_ok=True)
    home = Path(tempfile.mkdtemp(prefix="kinerja-bench-prefect-"))
    server, env = start_prefect(home)
    env.setdefault("KINERJA_PSEUDONYM_KEY", "bench-key-0123456789abcdef")
    snapshots = BUILD / "snapshots"
    shutil.rmtree(snapshots, ignore_errors=True)
    env["KINERJA_SNAPSHOT_DIR"] = str(snapshots)
    results_file = BUILD / "results.json"
    rows = json.loads(results_file.read_text()) if results_file.exists() else []
    try:
        for scale in args.scales:
            landing = landing_for(scale, env)
            for backend in args.backends:
                servers = {"prefect": server.pid} | ({"postgresql": 0} if backend == "postgresql" else {})
                repeats = [measure(backend, scale, landing, env, servers) for _ in range(max(1, args.repeat))]
                row = summarise(backend, scale, repeats)
                rows = [r for r in rows if (r["backend"], r["scale"]) != (backend, scale)] + [row]
                results_file.write_text(json.dumps(rows, indent=1))
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(home, ignore_errors=True)
    print_table([r for r in rows if r["scale"] in args.scales and r["backend"] in args.backends])


def measure(backend: str, scale: float, landing: Path, env: dict, servers: dict[str, int]) -> dict:
    """One backfill into an empty warehouse, then the monthly run and the floor on what it left."""
    if backend == "sqlite":
        db = BUILD / f"wh-{scale:g}.db"
        for p in BUILD.glob(f"wh-{scale:g}.db*"):
            p.unlink()
        url, drop = f"sqlite:///{db}", (lambda: None)
    else:
        url, drop = pg_warehouse(os.environ.get("KINERJA_BENCH_PG_URL", PG_DEFAULT))
    try:
        answers = {}
        for kind in ("backfill", "monthly", "floor"):
            answers[kind] = answer = run_child(kind, str(landing), url, env=env, servers=servers)
            print(f"  {backend} x{scale:g} {kind}: {answer['seconds']:.1f} s, "
                  f"{answer['peak_mib']:.0f} MiB {answer.get('state', '')}", flush=True)
        return answers
    finally:
        drop()


def summarise(backend: str, scale: float, repeats: list[dict]) -> dict:
    """The median measurement of each kind (its CPU and memory with it), and the median of the ratios
    of each backfill to the floor measured after it; every ratio is kept under ``ratios``."""
    row = {"backend": backend, "scale": scale, "repeats": len(repeats)}
    for kind in ("backfill", "monthly", "floor"):
        ordered = sorted((r[kind] for r in repeats), key=lambda answer: answer["seconds"])
        row[kind] = ordered[(len(ordered) - 1) // 2]  # the lower median: a measurement that happened
    row["ratios"] = [r["backfill"]["seconds"] / r["floor"]["seconds"] for r in repeats]
    row["ratio"] = statistics.median(row["ratios"])
    return row


def print_table(rows: list[dict]) -> None:
    head = ("backend", "scale", "backfill s", "peak MiB", "monthly s", "peak MiB", "floor s", "(read+load)", "ratio")
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for r in sorted(rows, key=lambda r: (r["backend"], r["scale"])):
        b, m, f = r["backfill"], r["monthly"], r["floor"]
        print(f"| {r['backend']} | {r['scale']:g} | {b['seconds']:.1f} | {_memory(b)} | {m['seconds']:.1f} | "
              f"{_memory(m)} | {f['seconds']:.1f} | {f['read_seconds']:.1f}+{f['load_seconds']:.1f} | "
              f"{_ratio(r)} |")
    print_cpu(rows)


def print_cpu(rows: list[dict]) -> None:
    """Where the CPU went: the wall time the machine's cores could give at best is the sum over
    every process that worked (the run, the servers) divided by the number of cores."""
    cores = os.cpu_count() or 1
    print()
    print(f"| backend | scale | measured | wall s | CPU s: run | its main thread | "
          f"Prefect server | PostgreSQL | all / {cores} cores |")
    print("|---|---|---|---|---|---|---|---|---|")
    for r in sorted(rows, key=lambda r: (r["backend"], r["scale"])):
        for kind in ("backfill", "monthly", "floor"):
            cpu = r[kind].get("cpu_seconds")
            if not cpu:
                continue
            cells = [f"{cpu[name]:.1f}" if name in cpu else "-"
                     for name in ("run", "main", "prefect", "postgresql")]
            processes = sum(seconds for name, seconds in cpu.items() if name != "main")  # main: a part of run
            print(f"| {r['backend']} | {r['scale']:g} | {kind} | {r[kind]['seconds']:.1f} | {' | '.join(cells)} | "
                  f"{processes / cores:.1f} |")
    print("CPU s: user + system seconds over what each measurement times (the run's imports left out), "
          "each process with its children; its main thread: the one the flows run in (wall time it is not on a "
          "core: waits for the disk, the servers or the interpreter)")


def _ratio(row: dict) -> str:
    ratios = row.get("ratios", [row["ratio"]])
    if len(ratios) == 1:
        return f"{row['ratio']:.2f}"
    return f"{row['ratio']:.2f} ({min(ratios):.2f}-{max(ratios):.2f}, {len(ratios)} runs)"


def _memory(answer: dict) -> str:
    return f"{answer['peak_mib']:.0f}"


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        kind, out, *rest = sys.argv[2:]
        sys.path.insert(0, str(ROOT))
        answer = CHILDREN[kind](rest[0], float(rest[1])) if kind == "generate" else CHILDREN[kind](*rest)
        answer["peak_mib"] = _peak_mib()
        Path(out).write_text(json.dumps(answer))
    else:
        main()
