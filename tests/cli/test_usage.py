"""Bad usage is caught before anything runs: exit status 2 and one line from the command line, before
Prefect starts; the same message as the Failed state of a flow run (a deployment run), before any file
is opened or any table written."""

from __future__ import annotations

import pytest

import flows.backfill
import flows.monthly
from flows.monthly import monthly
from kinerja import cli, usage
from kinerja.cli import main
from kinerja.paths import CATALOG_DIR
from kinerja.periods import Month, PeriodError
from kinerja.privacy import KEY_ENV


@pytest.fixture
def no_prefect(monkeypatch):
    """The command line must answer before it starts a flow."""

    def started(*args, **kwargs):
        raise AssertionError("a flow was started")

    monkeypatch.setattr(flows.monthly, "monthly", started)
    monkeypatch.setattr(flows.backfill, "backfill", started)


def refused(argv: list[str], capsys) -> str:
    """The one line the command line printed for ``argv``, which must exit 2."""
    assert main(argv) == 2
    out = capsys.readouterr()
    assert out.out == "" and out.err.count("\n") == 1 and out.err.startswith("kinerja: "), out.err
    assert "Traceback" not in out.err
    return out.err.removeprefix("kinerja: ").rstrip("\n")


CASES = {
    "month 13": (["run", "--period", "2024-13"], None, "period month must be 01-12, got '2024-13'"),
    "month 00 in a range": (["backfill", "--from", "2024-01", "--to", "2024-00"], None,
                            "--to: period month must be 01-12, got '2024-00'"),
    "a year without a catalog": (["run", "--period", "2031-03"], None,
                                 f"period 2031-03: no catalog for PK year 2031: pk-2031.toml is not in {CATALOG_DIR} "),
    "a range into a year without a catalog": (["backfill", "--from", "2024-11", "--to", "2025-02"], None,
                                              "period 2025-01: no catalog for PK year 2025: pk-2025.toml is not in "),
    "no key": (["run", "--period", "2024-03"], "", f"{KEY_ENV} is not set: personnel extracts (NIPs) cannot be staged"),
    "a short key": (["backfill", "--from", "2024-01", "--to", "2024-02"], "short-key", f"{KEY_ENV} is too short"),
}


@pytest.mark.parametrize("case", CASES)
def test_bad_usage_exits_2_with_one_line_before_prefect_starts(case, tmp_path, monkeypatch, capsys, no_prefect):
    argv, key, message = CASES[case]
    if key is not None:
        monkeypatch.setenv(KEY_ENV, key)
    warehouse_file = tmp_path / "wh.db"
    line = refused([*argv, "--landing", str(tmp_path), "--warehouse", f"sqlite:///{warehouse_file}"], capsys)
    assert line.startswith(message)
    assert not warehouse_file.exists()  # no warehouse table written, none even created


def test_run_without_a_period_in_a_year_without_a_catalog_says_so(tmp_path, monkeypatch, capsys, no_prefect):
    # the default period is the previous month: in a year whose agreement is not in the project yet
    # the command answers at once, naming the catalog file and where catalogs are looked for
    monkeypatch.setattr(cli, "previous_month", lambda: Month(2030, 10))
    line = refused(["run", "--landing", str(tmp_path)], capsys)
    assert line.startswith("period 2030-10 (the previous month: no period was given): no catalog for PK year "
                           f"2030: pk-2030.toml is not in {CATALOG_DIR} ")


@pytest.mark.flow
@pytest.mark.parametrize("case", ["month 13", "a year without a catalog", "no key", "a short key"])
def test_a_flow_run_is_refused_with_the_same_message(case, prefect_harness, tmp_path, monkeypatch, capsys):
    argv, key, _ = CASES[case]
    if key is not None:
        monkeypatch.setenv(KEY_ENV, key)
    warehouse_file = tmp_path / "wh.db"
    options = ["--landing", str(tmp_path), "--warehouse", f"sqlite:///{warehouse_file}"]
    if argv[0] == "run":
        state = monthly(period=argv[2], landing_dir=str(tmp_path), warehouse_url=f"sqlite:///{warehouse_file}",
                        return_state=True)
    else:
        state = flows.backfill.backfill(from_period=argv[2], to_period=argv[4], landing_dir=str(tmp_path),
                                        warehouse_url=f"sqlite:///{warehouse_file}", return_state=True)
    assert state.is_failed()
    with pytest.raises(usage.BAD_USAGE):
        state.result()
    assert refused([*argv, *options], capsys) == state.message
    assert not warehouse_file.exists()


@pytest.mark.flow
def test_a_flow_run_without_a_period_in_a_year_without_a_catalog_is_refused(prefect_harness, tmp_path, monkeypatch):
    monkeypatch.setattr(usage, "previous_month", lambda: Month(2030, 10))
    state = monthly(landing_dir=str(tmp_path), warehouse_url=f"sqlite:///{tmp_path / 'wh.db'}", return_state=True)
    assert state.is_failed() and state.message.startswith("period 2030-10 (the previous month: no period was given)")
    assert not (tmp_path / "wh.db").exists()


def test_the_checks_are_one_function_for_the_command_line_and_the_flows(monkeypatch):
    with pytest.raises(PeriodError, match="month must be 01-12"):
        Month.parse("2024-13")
    with pytest.raises(usage.UsageError, match=r"pk-2031\.toml is not in"):
        usage.check_run([Month(2031, 1)])
    monkeypatch.setenv(KEY_ENV, "0123456789abcdef")
    assert usage.check_run([Month(2024, 1), Month(2024, 2)]) == b"0123456789abcdef"
    monkeypatch.delenv(KEY_ENV)
    with pytest.raises(usage.UsageError, match="is not set"):
        usage.check_run([Month(2024, 1)])
