"""The monthly flow publishes the arrival matrix as an artifact, and its alert names each late or missing
file of a monthly extract once (source system, extract, month), all in one message."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from prefect import get_client
from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId

from flows import alerts
from flows.backfill import backfill
from flows.monthly import monthly
from kinerja import demo

pytestmark = pytest.mark.flow


@pytest.fixture
def sent(monkeypatch) -> list[dict]:
    bodies: list[dict] = []
    monkeypatch.setenv(alerts.ALERT_URL_ENV, "https://chat.example.go.id/hooks/test")
    monkeypatch.setattr(alerts, "send", lambda url, payload, logger=None, **kw: bodies.append(payload) or True)
    return bodies


def _artifacts(state) -> dict:
    with get_client(sync_client=True) as client:
        return {a.key: a for a in client.read_artifacts(artifact_filter=ArtifactFilter(
            flow_run_id=ArtifactFilterFlowRunId(any_=[state.state_details.flow_run_id])))}


def test_late_files_alert_once_and_the_matrix_is_an_artifact(prefect_harness, tmp_path, sent):
    landing = tmp_path / "landing"
    demo.generate(landing, 2024, seed=9, scale=0.01)
    for extract in ("crm/2024-02/pengaduan", "sipd/2024-02/belanja_realisasi"):
        for path in Path(landing).glob(f"{extract}.*"):
            shutil.move(path, tmp_path / path.name)
    url = f"sqlite:///{tmp_path / 'wh.db'}"
    first = backfill(from_period="2024-01", to_period="2024-02", landing_dir=str(landing), warehouse_url=url,
                     return_state=True)
    assert first.is_failed()
    assert len(sent) == 1  # one message for the backfill
    assert sent[0]["late_files"] == [
        {"source": "crm", "extract": "pengaduan", "month": "2024-02", "status": "missing", "arrived": None},
        {"source": "sipd", "extract": "belanja_realisasi", "month": "2024-02", "status": "missing", "arrived": None}]
    assert "late files: crm/pengaduan 2024-02 (missing), sipd/belanja_realisasi 2024-02 (missing)" in sent[0]["text"]
    # the corrections run of the 21st: still missing, named under failed extracts, not again as late
    again = monthly(period="2024-02", landing_dir=str(landing), warehouse_url=url, return_state=True)
    assert again.is_failed() and len(sent) == 2
    assert sent[1]["late_files"] == []
    assert {e["extract"] for e in sent[1]["failed_extracts"]} == {"crm/pengaduan", "sipd/belanja_realisasi"}
    artifact = _artifacts(again)["kinerja-2024-arrivals"]
    assert "| crm/pengaduan | ok | MISS |" in artifact.data
    # the files land; only February runs again, and completes
    for path in tmp_path.glob("*.*"):
        if path.suffix in (".csv", ".xlsx"):
            source = "crm" if path.stem == "pengaduan" else "sipd"
            shutil.move(path, landing / source / "2024-02" / path.name)
    done = backfill(from_period="2024-01", to_period="2024-02", landing_dir=str(landing), warehouse_url=url,
                    only_failed=True, return_state=True)
    assert done.is_completed(), done.message
    assert done.result() == {"months": ["2024-02"]}
    assert len(sent) == 2
