"""The benchmark (benchmarks/run.py): its CPU accounting (what it reads of the run and of the servers)
and how it sums up repeated measurements."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc (Linux)")


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("kinerja_benchmark", ROOT / "benchmarks" / "run.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def burn(seconds: float) -> None:
    end = time.thread_time() + seconds
    while time.thread_time() < end:
        pass


def test_a_window_counts_the_run_and_a_servers_children_and_only_inside_it(bench, monkeypatch):
    # a "server" that forks a child doing the work, as PostgreSQL forks one per connection
    code = "import subprocess, sys; subprocess.run([sys.executable, '-c', 'import time\\nwhile True: pass'])"
    server = subprocess.Popen([sys.executable, "-c", code])
    idle = subprocess.Popen(["sleep", "30"])
    try:
        monkeypatch.setenv("KINERJA_BENCH_SERVERS", f"busy={server.pid},idle={idle.pid}")
        meter = bench.CpuMeter()
        time.sleep(1.0)  # outside any window: not counted
        started = time.perf_counter()
        with meter.window():
            helper = threading.Thread(target=burn, args=(0.2,))  # the run's other threads: run, not main
            helper.start()
            burn(0.3)
            helper.join()
            time.sleep(0.5)
        inside = time.perf_counter() - started
    finally:
        kill_tree(server.pid)
        kill_tree(idle.pid)
    assert 0.45 <= meter.used["run"] < 0.8
    assert 0.28 <= meter.used["main"] < 0.4
    assert 0.3 <= meter.used["busy"] <= inside + 0.05  # its grandchild's spinning in the window, not before
    assert meter.used["idle"] < 0.05


def kill_tree(pid: int) -> None:
    children = Path(f"/proc/{pid}/task/{pid}/children")
    for child in children.read_text().split() if children.exists() else []:
        os.kill(int(child), 9)
    os.kill(pid, 9)
    os.waitpid(pid, 0)


def test_a_server_that_cannot_be_read_drops_out_of_the_answer(bench, monkeypatch):
    monkeypatch.setenv("KINERJA_BENCH_SERVERS", "gone=0")
    meter = bench.CpuMeter()
    monkeypatch.setattr(bench, "_server_cpu", lambda pid: None)
    with meter.window():
        burn(0.05)
    assert set(meter.used) == {"run", "main"}


def test_repeated_measurements_report_medians_and_the_median_of_paired_ratios(bench):
    def answers(backfill: float, monthly: float, floor: float) -> dict:
        return {kind: {"seconds": seconds, "peak_mib": 100.0} for kind, seconds in
                (("backfill", backfill), ("monthly", monthly), ("floor", floor))}

    repeats = [answers(30.0, 5.0, 10.0), answers(24.0, 4.0, 6.0), answers(27.0, 6.0, 9.0)]
    row = bench.summarise("sqlite", 1.0, repeats)
    assert (row["backfill"]["seconds"], row["monthly"]["seconds"], row["floor"]["seconds"]) == (27.0, 5.0, 9.0)
    assert row["ratios"] == [3.0, 4.0, 3.0]  # each backfill over the floor measured after it
    assert row["ratio"] == 3.0
    assert bench._ratio(row) == "3.00 (3.00-4.00, 3 runs)"
    two = bench.summarise("sqlite", 1.0, repeats[:2])
    assert two["backfill"]["seconds"] == 24.0 and two["ratio"] == 3.5  # lower median of the runs, median of ratios
    one = bench.summarise("postgresql", 1.0, repeats[:1])
    assert bench._ratio(one) == "3.00"


def test_the_cpu_table_shows_the_main_thread_as_a_part_of_the_run_not_added_to_it(bench, monkeypatch, capsys):
    monkeypatch.setattr(bench.os, "cpu_count", lambda: 2)
    answer = {"seconds": 12.0, "cpu_seconds": {"run": 10.0, "main": 8.0, "prefect": 2.0}}
    bench.print_cpu([{"backend": "sqlite", "scale": 1.0, "backfill": answer, "monthly": {}, "floor": {}}])
    row = [line for line in capsys.readouterr().out.splitlines() if line.startswith("| sqlite")]
    assert row == ["| sqlite | 1 | backfill | 12.0 | 10.0 | 8.0 | 2.0 | - | 6.0 |"]  # (10 + 2) / 2
