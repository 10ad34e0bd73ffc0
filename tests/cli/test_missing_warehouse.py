"""``kinerja report`` and ``kinerja quality`` refuse a missing SQLite warehouse the same way: exit 2 and
one line that names the file's absolute path, wherever they are run from; they never create it."""

from __future__ import annotations

import pytest

from kinerja.cli import main
from kinerja.config import WAREHOUSE_ENV

COMMANDS = {
    "report": ["report", "--year", "2024", "--format", "md", "--out", "pk.md"],
    "quality": ["quality", "--period", "2024-03"],
}


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_the_default_warehouse_missing_is_named_by_its_absolute_path(command, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)  # outside the project: the default sqlite:///data/warehouse.db is relative
    monkeypatch.delenv(WAREHOUSE_ENV, raising=False)
    assert main(COMMANDS[command]) == 2
    err = capsys.readouterr().err
    expected = tmp_path / "data" / "warehouse.db"
    assert err == (f"kinerja {command}: no warehouse at {expected} (run `kinerja demo` or `kinerja run` first, "
                   "or pass --warehouse)\n")
    assert not expected.exists() and not (tmp_path / "data").exists()


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_a_relative_warehouse_option_is_named_by_its_absolute_path(command, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main([*COMMANDS[command], "--warehouse", "sqlite:///elsewhere/../wh.db"]) == 2
    err = capsys.readouterr().err
    assert f"no warehouse at {tmp_path / 'wh.db'} (" in err and err.count("\n") == 1
    assert not (tmp_path / "wh.db").exists()
