"""``kinerja demo`` ends well: a short console that ends with the scorecard, whose agreement it is, how
far the data go, where the warehouse and the full log are, and what to try next."""

from __future__ import annotations

import logging
import sys

import pytest

import flows.backfill  # noqa: F401  (importing the flows sets up Prefect's logging, as in the demo)
from kinerja import runlog
from kinerja.cli import main

pytestmark = pytest.mark.flow


def test_the_demo_ends_with_where_things_are_and_what_to_try(prefect_harness, catalog, tmp_path, monkeypatch,
                                                              capsys):
    # Prefect's console handler writes to the stream it got when logging was set up; point it at the
    # captured stderr, so that everything a terminal would show is counted here
    consoles = runlog.console_handlers()
    assert consoles, "Prefect's console handler was not found"
    levels = [h.level for h in consoles]
    for handler in consoles:
        monkeypatch.setattr(handler, "stream", sys.stderr)
        monkeypatch.setattr(handler.console, "file", sys.stderr)
    db = tmp_path / "wh.db"
    code = main(["demo", "--scale", "0.02", "--landing", str(tmp_path / "landing"), "--warehouse", f"sqlite:///{db}"])
    out, err = capsys.readouterr()
    assert code == 0, err

    console = out.splitlines() + err.splitlines()
    assert len(console) < 150, "\n".join(console[:40])
    last = "\n".join(out.rstrip().splitlines()[-25:])  # the summary after the scorecard
    assert f"{catalog.agency}: PK 2024, data through 2024-12" in last
    assert f"warehouse: {db}" in last
    assert f"kinerja report --year 2024 --format xlsx --out pk-2024.xlsx --warehouse sqlite:///{db}" in last
    assert f"sqlite3 {db} 'SELECT " in last and "FROM v_scorecard" in last
    assert "kinerja run --period 2024-12" in last
    assert "kinerja status --period 2024-12" in last
    # what the demo planted for kinerja status: one file late, one missing at first, then late
    assert ("arrivals: esakip/output_realisasi 2024-06 landed late (2024-07-12); crm/pengaduan 2024-08 was "
            "missing when 2024-08 first ran,") in last
    assert "landed late (2024-09-18), and `kinerja backfill --only-failed` ran 2024-08 again" in last
    assert out.index("Perjanjian Kinerja 2024: scorecard") < out.index("data through 2024-12")

    log = tmp_path / "logs" / "demo.log"
    assert f"full log of the run: {log}" in last
    text = log.read_text(encoding="utf-8")
    assert "Flow run 'kinerja-backfill-2024-01-2024-12' - Finished in state Completed()" in text
    assert "backfill: 2024-08 runs again: its last run failed" in text
    assert "year to date" in text and "quarantined rows by check" in text  # INFO and WARNING lines
    assert [h.level for h in consoles] == levels  # the console is as it was after the demo
    assert main(["status", "--period", "2024-12", "--landing", str(tmp_path / "landing"),
                 "--warehouse", f"sqlite:///{db}"]) == 0
    status = capsys.readouterr().out.splitlines()
    assert next(r for r in status if r.startswith("crm/pengaduan")).split()[8] == "LATE"
    assert next(r for r in status if r.startswith("esakip/output_realisasi")).split()[6] == "LATE"
    assert next(r for r in status if r.startswith("sipinter/merit_assessment")).split()[1:] == [
        "ok", ".", "ok", ".", "ok", ".", ".", ".", "ok", ".", ".", "."]


def test_the_log_file_takes_what_the_console_would_have_shown(tmp_path):
    consoles = runlog.console_handlers()
    levels = [h.level for h in consoles]
    logger = logging.getLogger("prefect.kinerja_test")
    with runlog.prefect_log_to_file(tmp_path / "logs" / "x.log"):
        assert all(h.level >= logging.ERROR for h in consoles)
        logger.info("an info line")
        logger.error("an error line")
    text = (tmp_path / "logs" / "x.log").read_text(encoding="utf-8")
    assert "an info line" in text and "an error line" in text
    assert [h.level for h in consoles] == levels
