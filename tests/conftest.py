"""Shared fixtures: the 2024 catalog, throw-away warehouses, the Prefect test harness.

PostgreSQL tests use ``KINERJA_TEST_PG_URL`` (default: the local server's ``test``
database), each in a schema of its own. They skip when no server answers, except
in CI (``CI=true``), where they must run.
"""

from __future__ import annotations

import os
import tempfile
import uuid

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("KINERJA_PSEUDONYM_KEY", "test-pseudonym-key")
# files of the staged frames of the session's throw-away warehouses: never in the project's data/
os.environ.setdefault("KINERJA_SNAPSHOT_DIR", tempfile.mkdtemp(prefix="kinerja-test-snapshots-"))

import pytest  # noqa: E402
import sqlalchemy as sa  # noqa: E402
from hypothesis import settings  # noqa: E402

from kinerja import pipeline, warehouse  # noqa: E402
from kinerja.catalog import load_catalog  # noqa: E402

# Property tests must not fail on a busy machine's timing: no per-example deadline.
settings.register_profile("kinerja", deadline=None)
settings.load_profile("kinerja")

PG_URL = os.environ.get("KINERJA_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


@pytest.fixture(scope="session")
def catalog():
    return load_catalog(2024)


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'warehouse.db'}"


@pytest.fixture
def sqlite_engine(sqlite_url, catalog):
    engine = warehouse.create_engine(sqlite_url)
    pipeline.prepare_warehouse(engine, catalog)
    yield engine
    engine.dispose()


def _pg_reachable() -> str | None:
    try:
        engine = sa.create_engine(PG_URL)
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
        engine.dispose()
        return None
    except Exception as exc:  # any driver or network error means: no server here
        return f"{type(exc).__name__}: {exc}"


@pytest.fixture
def pg_url():
    """A PostgreSQL URL pointing at a fresh, empty schema (dropped afterwards)."""
    problem = _pg_reachable()
    if problem:
        if IN_CI:
            pytest.fail(f"PostgreSQL is required in CI but not reachable at {PG_URL}: {problem}")
        pytest.skip(f"no PostgreSQL reachable at {PG_URL}")
    schema = f"kinerja_test_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    url = sa.make_url(PG_URL).update_query_dict({"options": f"-csearch_path={schema}"})
    yield url.render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture
def pg_engine(pg_url, catalog):
    engine = warehouse.create_engine(pg_url)
    pipeline.prepare_warehouse(engine, catalog)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def prefect_harness():
    """One Prefect test server for the whole session (its start is slow)."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=180):
        yield
