"""Parameters are checked first: a bad period or path stops the run before any file is opened.

The deployments also publish the period pattern in their parameter schema (the server
refuses a bad period before a run exists: tests/flows/test_deployment_integration.py); these
tests cover a run that gets past it (a flow called directly, an old deployment).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from prefect.utilities.callables import parameter_schema

from flows.backfill import backfill
from flows.monthly import PERIOD_PATTERN, monthly
from kinerja.periods import PeriodError

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def opened(monkeypatch) -> list[str]:
    """Every landing file a run tries to find (kinerja.readers.locate)."""
    from kinerja import ingestion, pipeline

    calls: list[str] = []
    real = ingestion.locate

    def spy(landing, source, month, extract):
        calls.append(f"{source}/{month}/{extract}")
        return real(landing, source, month, extract)

    for module in (ingestion, pipeline):  # an extract's file; whether an on_change extract's landed
        monkeypatch.setattr(module, "locate", spy)
    return calls


@pytest.mark.flow
@pytest.mark.parametrize(("period", "problem"), [
    ("2024-13", "period month must be 01-12, got '2024-13'"), ("2024-00", "period month must be 01-12"),
    ("2024-3", "period must look like YYYY-MM (e.g. 2024-03)"), ("24-03", "period must look like YYYY-MM"),
    ("../../etc", "period must look like YYYY-MM"), ("2024-03; DROP TABLE x", "period must look like YYYY-MM"),
    ("1999-12", "period year 1999 is outside 2000-2100")])
def test_a_malformed_period_fails_fast_with_a_clear_message(prefect_harness, period, problem, tmp_path, opened):
    warehouse_file = tmp_path / "wh.db"
    state = monthly(period=period, landing_dir=str(tmp_path), warehouse_url=f"sqlite:///{warehouse_file}",
                    return_state=True)
    assert state.is_failed() and state.message.startswith(problem)  # the run's message, not a traceback
    with pytest.raises(PeriodError, match=re.escape(problem)):
        state.result()
    assert opened == [] and not warehouse_file.exists()  # no landing file looked for, no warehouse touched


@pytest.mark.flow
def test_a_missing_landing_directory_fails_before_the_warehouse_is_touched(prefect_harness, tmp_path, opened):
    warehouse_file = tmp_path / "wh.db"
    state = monthly(period="2024-03", landing_dir=str(tmp_path / "not-mounted"),
                    warehouse_url=f"sqlite:///{warehouse_file}", return_state=True)
    with pytest.raises(ValueError, match=r"landing directory .*not-mounted does not exist"):
        state.result()
    assert opened == [] and not warehouse_file.exists()
    # the control: with good parameters the same spy sees the run look for its files
    (tmp_path / "landing").mkdir()
    monthly(period="2024-03", landing_dir=str(tmp_path / "landing"), warehouse_url=f"sqlite:///{warehouse_file}",
            return_state=True)
    assert "ekinerja/2024-03/skm_responses" in opened and warehouse_file.exists()


@pytest.mark.flow
def test_a_backfill_names_the_bad_bound(prefect_harness, tmp_path, opened):
    state = backfill(from_period="2024-01", to_period="2024-0", landing_dir=str(tmp_path),
                     warehouse_url=f"sqlite:///{tmp_path / 'wh.db'}", return_state=True)
    with pytest.raises(PeriodError, match=r"^to_period: period must look like YYYY-MM"):
        state.result()
    state = backfill(from_period="2024-05", to_period="2024-02", landing_dir=str(tmp_path),
                     warehouse_url=f"sqlite:///{tmp_path / 'wh.db'}", return_state=True)
    with pytest.raises(PeriodError, match="before its start"):
        state.result()
    assert opened == []


def test_the_published_schema_carries_the_period_pattern():
    for f, names in ((monthly, ["period"]), (backfill, ["from_period", "to_period"])):
        props = parameter_schema(f).model_dump()["properties"]
        for name in names:
            assert props[name]["pattern"] == PERIOD_PATTERN
            assert props[name]["description"]  # from the docstring: the UI shows it next to the field
    pattern = re.compile(PERIOD_PATTERN)
    assert pattern.match("2024-03") and not pattern.match("2024-13") and not pattern.match("2024-3")


def test_prefect_yaml_declares_the_three_deployments():
    spec = yaml.safe_load((ROOT / "prefect.yaml").read_text(encoding="utf-8"))
    by_name = {d["name"]: d for d in spec["deployments"]}
    assert set(by_name) == {"monthly", "corrections", "backfill"}
    assert by_name["monthly"]["schedules"] == [{"cron": "0 6 6 * *", "timezone": "Asia/Jakarta", "active": True}]
    assert by_name["corrections"]["schedules"] == [{"cron": "0 6 21 * *", "timezone": "Asia/Jakarta", "active": True}]
    assert by_name["backfill"]["schedules"] == []
    for d in by_name.values():
        assert d["concurrency_limit"] == {"limit": 1, "collision_strategy": "ENQUEUE"}
        assert d["work_pool"]["name"] == "kinerja-process"
        assert d["work_pool"]["job_variables"]["env"]["PREFECT_SERVER_ANALYTICS_ENABLED"] == "false"
    # the run starts in the project directory; no clone, no network
    steps = [next(iter(step)) for step in spec["pull"]]
    assert steps == ["prefect.deployments.steps.set_working_directory"]
    text = (ROOT / "prefect.yaml").read_text(encoding="utf-8")
    assert "git_clone" not in text and "password" not in text.lower()


def test_a_warehouse_password_in_the_parameters_is_refused_before_anything_opens(tmp_path):
    """Prefect stores and shows flow parameters: credentials must come from the environment."""
    from flows.monthly import check_parameters

    with pytest.raises(ValueError, match="KINERJA_WAREHOUSE_URL") as info:
        check_parameters("2024-03", str(tmp_path), "postgresql+psycopg://kinerja:Pw-Secret-1@db.example/wh")
    assert "Pw-Secret-1" not in str(info.value)
    month, settings = check_parameters("2024-03", str(tmp_path), "postgresql+psycopg://kinerja@db.example/wh")
    assert str(month) == "2024-03" and settings.warehouse_url.endswith("@db.example/wh")
