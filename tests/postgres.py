"""The PostgreSQL server every test uses, from one setting: ``POS_TEST_PG_DSN``, the URL of a
database the tests connect to for creating (and dropping) their own fresh databases."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager

PG_ADMIN_URL = os.environ.get("POS_TEST_PG_DSN", "postgresql://postgres@127.0.0.1:5432/test")


@contextmanager
def postgres_database(prefix: str = "hq_test") -> Iterator[str]:
    """A new, empty PostgreSQL database (its URL), dropped afterwards. An unreachable server
    fails the test: PostgreSQL is part of the product."""
    import psycopg2

    name = f"{prefix}_{secrets.token_hex(6)}"
    admin = psycopg2.connect(PG_ADMIN_URL)
    admin.autocommit = True
    try:
        with admin.cursor() as cur:
            cur.execute(f'CREATE DATABASE "{name}"')
        yield f"{PG_ADMIN_URL.rsplit('/', 1)[0]}/{name}"
    finally:
        with admin.cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()
