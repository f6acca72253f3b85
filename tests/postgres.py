"""The PostgreSQL server every test uses, from one setting: ``POS_TEST_PG_DSN``, the URL of a
database the tests connect to for creating (and dropping) their own fresh databases.

Two things keep the PostgreSQL tests cheap without sharing a database between tests:

- template databases: a database prepared once per test process (migrated, or with a test
  module's fixture data) is copied for each test with ``CREATE DATABASE ... TEMPLATE``, which costs
  a fraction of migrating (and of hashing the console accounts' passwords) again;
- drops in the background: ``DROP DATABASE`` waits for a checkpoint of the whole server, several
  seconds on a busy one; a test's database is dropped by a few threads of this process after the
  test, and ``finish()`` (at the end of the session) waits for the last ones and drops the
  templates.
"""

from __future__ import annotations

import os
import secrets
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

PG_ADMIN_URL = os.environ.get("POS_TEST_PG_DSN", "postgresql://postgres@127.0.0.1:5432/test")

_dropper = ThreadPoolExecutor(max_workers=4, thread_name_prefix="pg-drop")
_drops: list[Future[None]] = []
_templates: dict[str, tuple[str, Any]] = {}  # key -> (database name, what its preparation returned)
_templates_lock = threading.Lock()


def url_of(name: str) -> str:
    return f"{PG_ADMIN_URL.rsplit('/', 1)[0]}/{name}"


def _admin() -> Any:
    import psycopg2

    admin = psycopg2.connect(PG_ADMIN_URL)
    admin.autocommit = True
    return admin


def _drop(name: str) -> None:
    admin = _admin()
    try:
        with admin.cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        admin.close()


@contextmanager
def postgres_database(prefix: str = "hq_test", *, template: str | None = None) -> Iterator[str]:
    """A new PostgreSQL database (its URL), empty or a copy of ``template`` (a database name,
    see ``template_database``), dropped afterwards. An unreachable server fails the test:
    PostgreSQL is part of the product."""
    name = f"{prefix}_{secrets.token_hex(6)}"
    admin = _admin()
    try:
        with admin.cursor() as cur:
            cur.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
    finally:
        admin.close()
    try:
        yield url_of(name)
    finally:
        # WITH (FORCE): a connection the test left open does not keep the database alive
        _drops.append(_dropper.submit(_drop, name))


def template_database(key: str, prepare: Callable[[str], Any]) -> tuple[str, Any]:
    """The name of a database prepared once per test process by ``prepare(url)`` (which must
    close every connection it opened: a template cannot be copied while in use), and what
    ``prepare`` returned. Copy it with ``postgres_database(template=name)``."""
    with _templates_lock:
        if key not in _templates:
            name = f"tmpl_{key}_{secrets.token_hex(6)}"
            admin = _admin()
            try:
                with admin.cursor() as cur:
                    cur.execute(f'CREATE DATABASE "{name}"')
            finally:
                admin.close()
            try:
                result = prepare(url_of(name))
            except BaseException:
                _drop(name)
                raise
            _templates[key] = (name, result)
        return _templates[key]


def finish() -> None:
    """Wait for the databases being dropped, then drop the templates (the end of the session)."""
    for future in _drops:
        future.result()
    _drops.clear()
    with _templates_lock:
        for name, _ in _templates.values():
            _drop(name)
        _templates.clear()
