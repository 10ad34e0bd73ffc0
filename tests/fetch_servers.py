"""Servers the fetch tests start on 127.0.0.1 (an SFTP share, a paged JSON API) and their shared helpers.

Not a test module: ``tests/test_fetch_*.py`` import it.
"""

from __future__ import annotations

import asyncio
import json
import os
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pandas as pd

from kinerja import pipeline, warehouse
from kinerja.catalog import load_catalog
from kinerja.periods import Month

RESULT_COLUMNS = ["indicator_no", "unit_code", "period", "value", "status", "n_source_rows"]


def write_sources(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def run_and_read(landing: Path, db: Path, month: Month, indicators: list[int]) -> pd.DataFrame:
    """Run the month from ``landing`` into a fresh SQLite warehouse; the indicators' results of the year."""
    engine = warehouse.create_engine(f"sqlite:///{db}")
    try:
        pipeline.run_month(engine, load_catalog(month.year), landing, month, f"run-{db.stem}")
        nos = ", ".join(str(n) for n in indicators)
        df = warehouse.query(engine, f"SELECT {', '.join(RESULT_COLUMNS)} FROM indicator_result "
                                     f"WHERE indicator_no IN ({nos})")
    finally:
        engine.dispose()
    return df.sort_values(RESULT_COLUMNS[:3]).reset_index(drop=True)


# -- an SFTP share (asyncssh, in a thread of this process) ---------------------------------------

class SftpShare:
    """An SFTP server on 127.0.0.1 serving ``root``; one user with a password; its host key in a
    known_hosts file (``known_hosts``) as a client should check it."""

    def __init__(self, root: Path, user: str, password: str, known_hosts: Path):
        import asyncssh

        self.root, self.user, self.password = root, user, password
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()
        key = asyncssh.generate_private_key("ssh-ed25519")
        share = self

        class Server(asyncssh.SSHServer):
            def begin_auth(self, username):
                return True

            def password_auth_supported(self):
                return True

            def validate_password(self, username, password):
                return username == share.user and password == share.password

        async def start():
            return await asyncssh.create_server(
                Server, "127.0.0.1", 0, server_host_keys=[key],
                sftp_factory=lambda chan: asyncssh.SFTPServer(chan, chroot=str(root).encode()))

        self._server = asyncio.run_coroutine_threadsafe(start(), self._loop).result(30)
        self.port = self._server.sockets[0].getsockname()[1]
        public = key.export_public_key("openssh").decode().strip()
        known_hosts.write_text(f"[127.0.0.1]:{self.port} {public}\n", encoding="utf-8")

    def close(self) -> None:
        async def stop():
            self._server.close()
            await self._server.wait_closed()

        asyncio.run_coroutine_threadsafe(stop(), self._loop).result(30)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)


# -- a paged JSON API (http.server, in a thread of this process) ---------------------------------

class JsonApi:
    """A JSON API on 127.0.0.1: ``handler(path, query, headers) -> (status, headers, body)`` answers each GET;
    every request is kept in ``requests`` as (path, query, headers)."""

    def __init__(self, handler: Callable[[str, dict, dict], tuple[int, dict, object]]):
        api = self
        self.requests: list[tuple[str, dict, dict]] = []

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - http.server's name
                url = urlparse(self.path)
                query = {k: v[-1] for k, v in parse_qs(url.query).items()}
                headers = dict(self.headers.items())
                api.requests.append((url.path, query, headers))
                status, extra, body = handler(url.path, query, headers)
                data = json.dumps(body).encode() if not isinstance(body, bytes) else body
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for k, v in extra.items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):  # quiet
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self._server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(10)


# -- the local database servers: skipped when unreachable, required in CI (as tests/conftest.py does) ------

MARIADB_URL = os.environ.get("KINERJA_TEST_MARIADB_URL", "mysql+pymysql://root@127.0.0.1:3306/")
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def reachable_or_skip(url: str, what: str) -> None:
    import pytest
    import sqlalchemy as sa

    try:
        engine = sa.create_engine(url, connect_args={"connect_timeout": 5})
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
        engine.dispose()
    except Exception as exc:  # any driver or network error means: no server here
        if IN_CI:
            pytest.fail(f"{what} is required in CI but not reachable at {url}: {type(exc).__name__}: {exc}")
        pytest.skip(f"no {what} reachable at {url}")
