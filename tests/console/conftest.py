"""Console fixtures: a real ``pos-hq`` (uvicorn on loopback, SQLite or PostgreSQL) with two
stores, tills, the reference program and one staff account per role; a real Chromium (Debian's
package, driven by Playwright; no browser download) and an httpx client that signs in like a
browser for the checks that need no page (CSRF, roles, headers).

Browser tests wait on conditions (Playwright's ``expect`` and locators), never on sleeps.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from pos_app.hq import db as hqdb
from pos_app.hq import staff
from tests.hq.hqserver import ThreadServer, prepare_hq, prepared_database

PASSWORD = "Counter-2026-pw"  # every test account's (the accounts live in a throwaway database)
ACCOUNTS = {  # login -> (role, store)
    "admin": ("admin", None),
    "admin2": ("admin", None),
    "market": ("marketing", None),
    "finance": ("finance", None),
    "manager1": ("store_manager", "S001"),
    "manager2": ("store_manager", "S002"),
}
TERMINALS = {"T01": "S001", "T02": "S001", "T03": "S002"}


def chromium_path() -> str:
    for candidate in (os.environ.get("POS_TEST_CHROMIUM"), "/usr/lib/chromium/chromium", shutil.which("chromium"),
                      shutil.which("chromium-browser")):
        if candidate and Path(candidate).exists():
            return candidate
    raise RuntimeError("Chromium is not installed: apt-get install -y chromium (bash scripts/install-system-deps.sh)")


@dataclass
class Console:
    """A running headquarters with its console."""

    url: str
    db_url: str
    codes: dict[str, str]  # terminal id -> one-time enrollment code
    clients: list[httpx.Client] = field(default_factory=list)

    @property
    def base(self) -> str:
        return f"{self.url}/console"

    def client(self, login: str | None = None) -> httpx.Client:
        """An httpx client; signed in as ``login`` when given (the login form, like a browser)."""
        client = httpx.Client(base_url=self.url, timeout=30, follow_redirects=False)
        self.clients.append(client)
        if login is not None:
            form = client.get("/console/login")
            token = csrf_of(form.text)
            answer = client.post("/console/login", data={"login": login, "password": PASSWORD, "csrf": token,
                                                         "next": "/console/"})
            assert answer.status_code == 303, answer.text
        return client


def csrf_of(html: str) -> str:
    """The CSRF token a page's forms carry."""
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, "no CSRF field on the page"
    return found.group(1)


def add_accounts() -> None:
    for login, (role, store) in ACCOUNTS.items():
        staff.add_staff(login, PASSWORD, role, name=f"{login} 名", store_id=store, actor="test")


def prepare_console(url: str) -> dict[str, str]:
    """The console tests' headquarters: stores, tills, the program and the accounts; the
    tills' enrollment codes (returned)."""
    codes = prepare_hq(url, TERMINALS)
    database = hqdb.connect(url)
    try:
        add_accounts()
    finally:
        hqdb.close_pool(database)
    return codes


@pytest.fixture(params=["sqlite", "postgresql"])
def console(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Console]:
    """Headquarters on uvicorn with the console, on SQLite and on PostgreSQL: a database of the
    test's own, a copy of the one ``prepare_console`` made once (the accounts' argon2 hashes are
    slow on purpose)."""
    monkeypatch.setenv("POS_HQ_FEED_WAIT", "20")
    with (prepared_database(request.param, tmp_path, "console", prepare_console) as (url, codes),
          ThreadServer(url) as server):
        running = Console(url=server.url, db_url=url, codes=codes)
        try:
            yield running
        finally:
            for client in running.clients:
                client.close()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=chromium_path(), args=["--no-sandbox"])
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh browser context (no cookies) and its page; 10 s for each expectation."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    context.set_default_timeout(15_000)
    tab = context.new_page()
    try:
        yield tab
    finally:
        context.close()


def sign_in(page: Any, console: Console, login: str, *, password: str = PASSWORD, next_path: str = "/") -> None:
    """Sign in through the login form and wait for the page after it."""
    from playwright.sync_api import expect

    page.goto(f"{console.base}/login?next=/console{next_path}")
    page.fill("#f-login", login)
    page.fill("#f-password", password)
    page.click("#sign-in")
    expect(page.locator("#logout")).to_be_visible()


def hq_open(console: Console) -> Any:
    """Headquarters' database as the server in this process (ThreadServer) has it open, with a
    connection for this thread. A test opened a pool of its own before (``hqdb.connect``): that
    replaced the server's database object, and closing it closed the connection of a request still
    running (a member page's tier history, loaded after the page): "cursor already closed", a
    server error, now and then on PostgreSQL."""
    database = hqdb.proxy.obj
    assert database is not None, "the console's server is not running in this process"
    database.connect(reuse_if_open=True)
    return database


def hq_close(database: Any) -> None:
    """This thread's connection back (to the pool on PostgreSQL); the server's stay open."""
    if not database.is_closed():
        database.close()

