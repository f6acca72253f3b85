"""Whole flows across processes: a real ``pos-hq`` (uvicorn on loopback, its own process) on
SQLite and on the real PostgreSQL server, and real terminal databases."""

from __future__ import annotations

import datetime as dt
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.hq.hqserver import prepared_database

REPO = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class HQServer:
    """``pos-hq serve`` in a child process; can be killed and started again on the same port."""

    def __init__(self, db_url: str, log: Path) -> None:
        self.db_url = db_url
        self.port = free_port()
        self.log = log
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> HQServer:
        with self.log.open("ab") as out:
            # the test PostgreSQL server is shared: other databases' writers hold its feed horizon
            # back (see pos_app.hq.feed); a pull waits for them up to 8 s (below the till's timeout)
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "pos_app.hq", "--db", self.db_url, "serve", "--host", "127.0.0.1",
                 "--port", str(self.port)], cwd=REPO, stdout=out, stderr=subprocess.STDOUT,
                env={**os.environ, "POS_HQ_FEED_WAIT": "8"})
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"pos-hq exited: {self.log.read_text(errors='replace')[-2000:]}")
            try:
                if httpx.get(f"{self.url}/v1/health", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                time.sleep(0.1)
        raise RuntimeError("pos-hq did not start")

    def kill(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()


def prepare_hq(db_url: str) -> None:
    """Stores, terminals and the program, before a server starts (the admin CLI's work)."""
    run_hq(db_url, "store", "add", "S01", "东城店")
    run_hq(db_url, "store", "add", "S02", "西城店")
    run_hq(db_url, "terminal", "add", "S01-T1", "--store", "S01")
    run_hq(db_url, "terminal", "add", "S02-T1", "--store", "S02")
    run_hq(db_url, "program", "publish", str(REPO / "db" / "reference-program.toml"))


@pytest.fixture(params=["sqlite", "postgresql"])
def hq_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A headquarters database of the test's own (its URL) with the two stores, their tills and
    the program: a copy of the one ``prepare_hq`` made once per session (five CLI processes)."""
    with prepared_database(request.param, tmp_path, "e2e", prepare_hq) as (url, _):
        try:
            yield url
        finally:
            from pos_app.hq import db as hqdb

            if hqdb.proxy.obj is not None and not hqdb.proxy.obj.is_closed():
                hqdb.proxy.obj.close()


@pytest.fixture
def hq(hq_url: str, tmp_path: Path) -> Iterator[HQServer]:
    server = HQServer(hq_url, tmp_path / "hq.log")
    server.start()
    try:
        yield server
    finally:
        server.stop()


def run_hq(db_url: str, *args: str) -> str:
    out = subprocess.run([sys.executable, "-m", "pos_app.hq", "--db", db_url, *args], cwd=REPO,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stdout + out.stderr
    return out.stdout


def enrollment_code(db_url: str, terminal_id: str) -> str:
    text = run_hq(db_url, "terminal", "code", terminal_id).strip()
    return text.split()[-1]


NOW = dt.datetime(2026, 11, 20, 10, 0)


class Clock:
    def __init__(self, now: dt.datetime = NOW) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now


def make_terminal(tmp_path: Path, store_id: str, terminal_id: str, clock: Any) -> Any:
    """A till with the reference program and two staff members, no members yet."""
    from pos_app.services.context import init_terminal, load_program, reference_program_source
    from pos_app.services.staff import create_staff

    t = init_terminal(tmp_path / f"{terminal_id}.db", store_id=store_id, terminal_id=terminal_id, clock=clock)
    load_program(t, reference_program_source())
    create_staff(t, code="1001", name="收银员", role="cashier", pin="1234")
    create_staff(t, code="9001", name="店长", role="manager", pin="9999")
    return t


@pytest.fixture
def two_tills(hq: HQServer, tmp_path: Path) -> Iterator[tuple[Any, Any, Clock]]:
    """Two stores' tills (S01-T1, S02-T1) enrolled with ``hq``, on one fake clock."""
    from pos_app.services import sync as sync_service

    clock = Clock()
    a = make_terminal(tmp_path, "S01", "S01-T1", clock)
    b = make_terminal(tmp_path, "S02", "S02-T1", clock)
    sync_service.enroll(a, hq.url, enrollment_code(hq.db_url, "S01-T1"))
    sync_service.enroll(b, hq.url, enrollment_code(hq.db_url, "S02-T1"))
    yield a, b, clock
    a.close()
    b.close()
