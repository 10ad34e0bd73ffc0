"""Read-ahead: a month's files read and validated in the worker process give exactly what the
run's own process gives, errors included, and a dead worker costs only time."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from kinerja import demo, pipeline, readahead
from kinerja.periods import Month
from kinerja.privacy import KEY_ENV, MissingKeyError
from kinerja.readers import ExtractFileError

MONTH = Month(2024, 3)


@pytest.fixture(scope="module")
def landing(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("landing")
    demo.generate(root, 2024, 2024, 0.01)
    return root


def extract_ids(catalog) -> list[str]:
    return [e.id for e in pipeline.needed_extracts(catalog)]


@pytest.fixture(autouse=True)
def running_worker():
    """A worker already running (as in a backfill's later months): every file goes to it."""
    readahead._pool()


def test_while_a_new_worker_starts_the_first_files_are_read_here(landing, catalog):
    readahead.shutdown()  # a scheduled run: no worker yet
    ids = extract_ids(catalog)
    cold = readahead.ReadAhead(landing, ids, str(MONTH), 2024)
    assert [cold.take(i) is None for i in ids[:3]] == [True] * readahead.READ_HERE_WHILE_STARTING + [False]
    warm = readahead.ReadAhead(landing, ids, str(MONTH), 2024)  # the worker runs now: it reads them all
    assert all(warm.take(i) is not None for i in ids[:3])


def test_the_worker_gives_what_the_run_process_gives(landing, catalog):
    ahead = readahead.ReadAhead(landing, extract_ids(catalog), str(MONTH), 2024)
    for ext in pipeline.needed_extracts(catalog):
        here = pipeline.prepare(landing, ext, MONTH, catalog)
        there = ahead.take(ext.id)
        raw, validated = there.unwrap()
        assert len(raw.frame) == len(here.raw.frame) and raw.frame.columns.empty  # the cells stay in the worker
        assert (raw.file, raw.sha256, raw.notes, raw.row_errors) == (here.raw.file, here.raw.sha256, here.raw.notes,
                                                                     here.raw.row_errors)
        pd.testing.assert_frame_equal(validated.staged, here.validated.staged)
        pd.testing.assert_frame_equal(validated.quarantine, here.validated.quarantine)
        assert ahead.take(ext.id) is None  # once


def test_a_file_level_error_comes_back_with_what_was_read(landing, catalog, tmp_path):
    broken = tmp_path / "landing"
    (broken / "crm" / str(MONTH)).mkdir(parents=True)
    (broken / "crm" / str(MONTH) / "pengaduan.csv").write_text("ticket_id;nothing_else\nT-1;x\n", encoding="utf-8")
    ahead = readahead.ReadAhead(broken, ["crm/pengaduan", "simdiklat/training"], str(MONTH), 2024)
    with pytest.raises(ExtractFileError, match="missing column") as found:
        ahead.take("crm/pengaduan").unwrap()
    assert found.value.file == f"crm/{MONTH}/pengaduan.csv"
    with pytest.raises(ExtractFileError, match="missing file") as missing:
        ahead.take("simdiklat/training").unwrap()
    assert missing.value.raw is None


def test_the_worker_sees_the_settings_of_the_run_now(landing, catalog, monkeypatch):
    readahead.ReadAhead(landing, ["ekinerja/skm_responses"], str(MONTH), 2024).take("ekinerja/skm_responses")
    monkeypatch.delenv(KEY_ENV)  # the worker was started with the key: it must not keep using it
    ahead = readahead.ReadAhead(landing, ["simdiklat/training"], str(MONTH), 2024)
    with pytest.raises(MissingKeyError, match=KEY_ENV):
        ahead.take("simdiklat/training").unwrap()


def test_a_dead_worker_means_reading_in_the_run_process(landing, catalog, monkeypatch):
    readahead.shutdown()
    ahead = readahead.ReadAhead(landing, extract_ids(catalog), str(MONTH), 2024)
    assert ahead.take("ekinerja/skm_responses") is not None
    for process in list(readahead._POOL._processes.values()):
        process.kill()
        process.join()
    assert ahead.take("simdiklat/training") is None  # the caller reads it itself
    assert readahead._POOL is None
    fresh = readahead.ReadAhead(landing, extract_ids(catalog), str(MONTH), 2024)  # a new worker
    assert fresh.take("simdiklat/training").unwrap()[1].rows_staged > 0


def test_no_worker_to_be_had_means_reading_in_the_run_process(landing, monkeypatch):
    def no_process():
        raise OSError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(readahead, "_pool", no_process)
    ahead = readahead.ReadAhead(landing, ["simdiklat/training"], str(MONTH), 2024)
    assert ahead.take("simdiklat/training") is None


def test_the_worker_count_setting(monkeypatch):
    monkeypatch.setenv(readahead.WORKERS_ENV, "0")
    assert readahead.workers() == 0
    monkeypatch.setenv(readahead.WORKERS_ENV, "not a number")
    assert readahead.workers() == 1
    monkeypatch.delenv(readahead.WORKERS_ENV)
    assert readahead.workers() == 1


class _NoSubmits:
    def submit(self, *args, **kwargs):
        raise AssertionError("the file was queued again")


@pytest.fixture
def worker(monkeypatch):
    """The read-ahead worker on (the suite reads in the run's process)."""
    monkeypatch.setenv(readahead.WORKERS_ENV, "1")
    yield
    readahead.discard()


def test_a_month_read_ahead_is_taken_over_by_its_run(landing, catalog, worker, monkeypatch):
    # a backfill queues the next month's files while this month runs: that month's ReadAhead
    # takes those reads over and queues nothing again
    ids = ["ekinerja/skm_responses", "simdiklat/training"]
    readahead.prefetch(landing, ids, str(MONTH), 2024)
    readahead.prefetch(landing, ids, str(MONTH), 2024)  # queued already: left as it is
    monkeypatch.setattr(readahead, "_pool", lambda: _NoSubmits())
    ahead = readahead.ReadAhead(landing, ids, str(MONTH), 2024)
    for ext_id in ids:
        ext = next(e for e in pipeline.needed_extracts(catalog) if e.id == ext_id)
        taken = ahead.take(ext_id)
        assert taken is not None
        pd.testing.assert_frame_equal(taken.unwrap()[1].staged, pipeline.prepare(landing, ext, MONTH, catalog)
                                      .validated.staged)
    assert readahead._AHEAD == {}


def test_a_read_ahead_that_starts_the_worker_leaves_the_first_files_to_the_run(landing, catalog, worker):
    # a backfill's first month: its files are queued before the worker has started, so its run
    # reads the first ones itself meanwhile (as a scheduled run does), and the worker the rest
    readahead.shutdown()
    ids, n = extract_ids(catalog)[:4], readahead.READ_HERE_WHILE_STARTING
    readahead.prefetch(landing, ids, str(MONTH), 2024)
    readahead.prefetch(landing, ids, str(MONTH.next()), 2024)  # the next month: the worker runs now
    assert sorted(readahead._AHEAD) == sorted([(str(landing), str(MONTH), i) for i in ids[n:]]
                                              + [(str(landing), str(MONTH.next()), i) for i in ids])
    first = readahead.ReadAhead(landing, ids, str(MONTH), 2024)
    assert [first.take(i) is None for i in ids] == [True] * n + [False] * (len(ids) - n)
    assert not readahead._HERE
    second = readahead.ReadAhead(landing, ids, str(MONTH.next()), 2024)
    assert all(second.take(i) is not None for i in ids)


def test_a_read_ahead_made_with_other_settings_or_for_another_month_is_not_used(landing, catalog, worker,
                                                                               monkeypatch):
    readahead.prefetch(landing, ["simdiklat/training"], str(MONTH), 2024)
    readahead.prefetch(landing, ["simdiklat/training"], str(MONTH.next()), 2024)
    monkeypatch.setenv(KEY_ENV, "another-key-0123456789abcdef")  # the pseudonyms it made are no longer valid
    ahead = readahead.ReadAhead(landing, ["simdiklat/training"], str(MONTH), 2024)
    ext = next(e for e in pipeline.needed_extracts(catalog) if e.id == "simdiklat/training")
    here = pipeline.prepare(landing, ext, MONTH, catalog).validated.staged
    pd.testing.assert_frame_equal(ahead.take("simdiklat/training").unwrap()[1].staged, here)
    assert list(readahead._AHEAD) == [(str(landing), str(MONTH.next()), "simdiklat/training")]
    readahead.discard()  # the backfill ended: what no run took is dropped
    assert readahead._AHEAD == {}


def test_no_read_ahead_without_a_worker(landing, monkeypatch):
    monkeypatch.setenv(readahead.WORKERS_ENV, "0")
    readahead.prefetch(landing, ["simdiklat/training"], str(MONTH), 2024)
    assert readahead._AHEAD == {}
