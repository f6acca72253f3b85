"""Shared fixtures: a fresh terminal database file per test, with a clock the test controls."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings

from pos_app.core.members import make_card_number
from pos_app.services import context
from pos_app.services.context import Terminal

# Hypothesis' default 200 ms deadline per example is a wall-clock bound: on a loaded machine
# (load average 15+) a property test failed once by it and passed on a rerun. Speed belongs in
# benchmarks/, so no test has a deadline.
hypothesis_settings.register_profile("pos", deadline=None)
hypothesis_settings.load_profile("pos")

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

# The programs the tests start (``python -m pos_app.cli``, ``pos-app``, ``pos-hq``) run this
# checkout's code, whichever checkout the environment's editable install points at: two
# worktrees sharing one .venv ran each other's code (a till migrated to a schema this checkout
# does not know yet).
_ROOT = str(Path(__file__).resolve().parents[1])
os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (_ROOT, os.environ.get("PYTHONPATH", "")) if p)


class FakeClock:
    """The store's local time, set by the test (services take ``now`` from here)."""

    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now

    def set(self, when: str | dt.datetime) -> None:
        self.now = dt.datetime.fromisoformat(when) if isinstance(when, str) else when

    def advance(self, **kwargs: float) -> None:
        self.now += dt.timedelta(**kwargs)


@pytest.fixture(autouse=True, scope="session")
def _app_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Logs and automatic backups of every window and CLI the tests start go to a temporary
    folder, never to the user's own (tests that need another set ``POS_APP_HOME`` themselves);
    the same for headquarters' secrets key."""
    before = {k: os.environ.get(k) for k in ("POS_APP_HOME", "POS_HQ_KEY_FILE")}
    os.environ["POS_APP_HOME"] = str(tmp_path_factory.mktemp("pos-app-home"))
    # headquarters' secrets key (hq.sealing), for every pos-hq the tests run, in or out of process
    os.environ["POS_HQ_KEY_FILE"] = str(tmp_path_factory.mktemp("pos-hq-key") / "hq-secrets.key")
    yield
    for key, value in before.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


def pytest_sessionfinish(session: pytest.Session) -> None:
    """The PostgreSQL databases still being dropped, and the template databases (tests/postgres.py)."""
    postgres = sys.modules.get("tests.postgres")
    if postgres is not None:
        postgres.finish()
    hqserver = sys.modules.get("tests.hq.hqserver")
    if hqserver is not None:
        hqserver.remove_sqlite_templates()


@pytest.fixture
def daytime(monkeypatch: pytest.MonkeyPatch) -> None:
    """The computer's clock as the CLI run in this process reads it, at 10:00 today and running
    on from there: the reference program doubles points from 20:00 (its evening hours), so a
    test that asserts the points of a sale "now" failed every evening (found at 20:50 UTC)."""
    import time

    from pos_app.services import context

    base, started = dt.datetime.combine(dt.date.today(), dt.time(10, 0)), time.monotonic()
    monkeypatch.setattr(context, "system_now",
                        lambda: base + dt.timedelta(seconds=int(time.monotonic() - started)))


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(dt.datetime(2026, 11, 3, 10, 0))


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "terminal.db"


def sqlite_copy(source: Path, target: Path) -> None:
    """``target``: a copy of the SQLite database ``source`` (SQLite's backup API, so a copy of
    what is committed whatever the journal holds)."""
    from_db, to_db = sqlite3.connect(source), sqlite3.connect(target)
    try:
        from_db.backup(to_db)
    finally:
        from_db.close()
        to_db.close()


@pytest.fixture(scope="session")
def _prepared_terminals() -> dict[str, Path]:
    """Terminal databases ``terminal`` made once per session (by clock reading), copied for each test."""
    return {}


@pytest.fixture
def terminal(db_path: Path, clock: FakeClock, _prepared_terminals: dict[str, Path],
             tmp_path_factory: pytest.TempPathFactory) -> Iterator[Terminal]:
    """A terminal with the reference program loaded, no staff and no members: a database file of
    the test's own, a copy of the one made once with the same clock reading."""
    key = clock.now.isoformat()
    if key not in _prepared_terminals:
        made = context.init_terminal(tmp_path_factory.mktemp("prepared-terminal") / "terminal.db", store_id="S001",
                                     terminal_id="T01", clock=clock)
        context.load_program(made, context.reference_program_source())
        made.close()
        _prepared_terminals[key] = Path(made.database.path)
    sqlite_copy(_prepared_terminals[key], db_path)
    t = context.init_terminal(db_path, store_id="S001", terminal_id="T01", clock=clock)
    yield t
    t.close()


def card(serial: int) -> str:
    return make_card_number(serial)


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Schemathesis' items (tests/hq/test_schemathesis.py, one per operation) shared one node id,
    ``test_no_server_error`` (pytest 9 builds ids itself; schemathesis still sets the old
    ``_nodeid``): reports named none of them apart, and pytest-xdist, which schedules by node id,
    could not tell them apart. Each gets its name's id, unique."""
    from _pytest.nodeid import NodeId  # pytest 9 keeps the id structured (schemathesis sets the old _nodeid)

    for item in items:
        name = getattr(item, "name", "")
        if "[" in name and "[" not in item.nodeid:
            item._id = NodeId.parse(f"{item.nodeid}{name[name.index('['):]}")  # type: ignore[attr-defined]
