"""Real headquarters servers for tests: uvicorn on 127.0.0.1 (a free port), in a thread of
the test process (so ``caplog`` sees its log records) or in a subprocess (so a test can kill
and restart it), plus fresh databases (empty, or copies of one prepared once per session) and a
signing HTTP client.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import sqlite3
import ssl
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import uvicorn

from pos_app.core.chain import canonical_json
from pos_app.hq.app import create_app
from pos_app.sync import signing
from tests.postgres import postgres_database, template_database

ROOT = Path(__file__).resolve().parents[2]


@contextmanager
def database_url(backend: str, tmp_path: Path) -> Iterator[str]:
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'hq.db'}"
    else:
        with postgres_database() as url:
            yield url


_SQLITE_TEMPLATES: dict[str, tuple[Path, Any]] = {}


@contextmanager
def prepared_database(backend: str, tmp_path: Path, key: str,
                      prepare: Callable[[str], Any]) -> Iterator[tuple[str, Any]]:
    """A fresh headquarters database of its own for one test (its URL), a copy of the one
    ``prepare(url)`` made once per session under ``key`` for this backend, and what ``prepare``
    returned then. ``prepare`` must close every connection it opened. The copy is byte for byte
    the database ``prepare`` would make for this test (same migrations, same rows), minus the
    cost of making it again: SQLite's backup API into the test's folder, PostgreSQL's
    ``CREATE DATABASE ... TEMPLATE``."""
    if backend == "sqlite":
        if key not in _SQLITE_TEMPLATES:
            folder = Path(tempfile.mkdtemp(prefix=f"hq-template-{key}-"))
            result = prepare(f"sqlite:///{folder / 'hq.db'}")
            _SQLITE_TEMPLATES[key] = (folder / "hq.db", result)
        source_path, result = _SQLITE_TEMPLATES[key]
        target = tmp_path / "hq.db"
        source, copy = sqlite3.connect(source_path), sqlite3.connect(target)
        try:
            source.backup(copy)
        finally:
            source.close()
            copy.close()
        yield f"sqlite:///{target}", result
    else:
        name, result = template_database(key, prepare)
        with postgres_database(template=name) as url:
            yield url, result


def migrated(url: str) -> None:
    """Preparation for ``prepared_database``: the schema, nothing else."""
    from pos_app.hq import db as hqdb

    hqdb.close_pool(hqdb.connect(url))


def remove_sqlite_templates() -> None:
    for path, _ in _SQLITE_TEMPLATES.values():
        shutil.rmtree(path.parent, ignore_errors=True)
    _SQLITE_TEMPLATES.clear()


def prepare_hq(db_url: str, terminals: dict[str, str]) -> dict[str, str]:
    """Stores and terminals (terminal id -> store id) at the headquarters at ``db_url``, the
    reference program published, and a one-time enrollment code per terminal (returned)."""
    from pos_app.hq import admin, authority
    from pos_app.hq import db as hqdb

    database = hqdb.connect(db_url)
    try:
        for store in sorted(set(terminals.values())):
            admin.create_store(store, f"store {store}")
        for terminal_id, store in terminals.items():
            admin.create_terminal(terminal_id, store)
        authority.publish_program((ROOT / "db" / "reference-program.toml").read_text(encoding="utf-8"), actor="test")
        return {terminal_id: admin.new_enrollment_code(terminal_id) for terminal_id in terminals}
    finally:
        database.close()


def _free_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


class ThreadServer:
    """uvicorn serving ``create_app(db_url)`` from a thread of this process."""

    def __init__(self, db_url: str, *, certfile: str | None = None, keyfile: str | None = None,
                 **app_options: Any) -> None:
        self.db_url = db_url
        self.sock = _free_socket()
        self.port = self.sock.getsockname()[1]
        scheme = "https" if certfile else "http"
        self.url = f"{scheme}://127.0.0.1:{self.port}"
        config = uvicorn.Config(create_app(db_url, **app_options), log_level="warning", ssl_certfile=certfile,
                                ssl_keyfile=keyfile, lifespan="on")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True)

    def __enter__(self) -> ThreadServer:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("headquarters did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=20)
        if self.thread.is_alive():  # open connections held the graceful shutdown: cut them
            self.server.force_exit = True
            self.thread.join(timeout=20)
        self.sock.close()
        # a server thread left running would go on using a database its test has closed or deleted,
        # and a daemon thread inside SQLite's C code when the interpreter exits can crash the process
        # (a segfault once at high load): say so here instead
        assert not self.thread.is_alive(), "headquarters' server thread did not stop"


class ProcessServer:
    """``uvicorn --factory pos_app.hq.app:app_from_env`` in a subprocess (kill and restart it)."""

    def __init__(self, db_url: str, *, port: int | None = None) -> None:
        self.db_url = db_url
        if port is None:
            with _free_socket() as s:
                port = s.getsockname()[1]
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> ProcessServer:
        env = {**os.environ, "POS_HQ_DB": self.db_url}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "--factory", "pos_app.hq.app:app_from_env", "--host", "127.0.0.1",
             "--port", str(self.port), "--log-level", "warning"], cwd=ROOT, env=env)
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{self.url}/v1/health", timeout=1).status_code == 200:
                    return self
            except httpx.TransportError:
                pass
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("headquarters did not start")
            time.sleep(0.05)

    def stop(self, *, kill: bool = False) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL if kill else signal.SIGTERM)
            self.proc.wait(timeout=20)
        self.proc = None

    def __enter__(self) -> ProcessServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


class SignedClient:
    """An httpx client that signs each request as ``terminal_id`` with ``secret``."""

    def __init__(self, base_url: str, terminal_id: str, secret: str, **kwargs: Any) -> None:
        self.http = httpx.Client(base_url=base_url, timeout=30, **kwargs)
        self.terminal_id = terminal_id
        self.secret = secret

    def request(self, method: str, path: str, body: bytes | Any = b"", *, idempotency_key: str = "",
                now: float | None = None, headers: dict[str, str] | None = None) -> httpx.Response:
        raw = body if isinstance(body, bytes) else canonical_json(body).encode("utf-8")
        signed = signing.sign(self.secret, self.terminal_id, method, path, raw, idempotency_key=idempotency_key,
                              now=now)
        all_headers = {"content-type": "application/json", **signed, **(headers or {})}
        return self.http.request(method, path, content=raw, headers=all_headers)

    def close(self) -> None:
        self.http.close()


def tls_context(cafile: str) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=cafile)
