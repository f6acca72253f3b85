"""The README's two commands set up the system's part themselves: ``make run`` and ``make test``
check (as root: install) the system packages before the virtual environment is made, and
``make test`` makes PostgreSQL ready for the tests before pytest runs
(scripts/install-system-deps.sh). The PostgreSQL part runs here against a fresh cluster, as a
new Debian machine has it: stopped, no test database, password logins only."""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "scripts" / "install-system-deps.sh"


def dry_run(target: str) -> list[str]:
    done = subprocess.run(["make", "-n", "-B", target], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout.splitlines()


def index(lines: list[str], text: str) -> int:
    return next(i for i, line in enumerate(lines) if text in line)


def test_make_run_and_make_test_set_up_the_system_first() -> None:
    for target in ("run", "test"):
        lines = dry_run(target)
        assert index(lines, "install-system-deps.sh packages") < index(lines, "-m venv")
    lines = dry_run("test")
    assert index(lines, "install-system-deps.sh test-db") < index(lines, "pytest")


def run_script(*args: str, env: dict[str, str], user: str | None = None) -> subprocess.CompletedProcess[str]:
    command = ["bash", str(SCRIPT), *args]
    if user:
        command = ["runuser", "-u", user, "--", *command]
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)


def test_with_everything_there_it_is_quiet() -> None:
    done = run_script(env=dict(os.environ))
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")


def test_a_server_that_is_not_ours_is_reported_without_its_password() -> None:
    env = {**os.environ, "POS_TEST_PG_DSN": "postgresql://tester:s3cret@127.0.0.1:1/test"}
    done = run_script("test-db", env=env, user="nobody")
    assert done.returncode == 1
    assert "POS_TEST_PG_DSN" in done.stderr and "127.0.0.1:1/test" in done.stderr and "s3cret" not in done.stderr


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def fresh_cluster() -> Iterator[tuple[str, int]]:
    """A new PostgreSQL cluster with the distribution's defaults, not started; dropped afterwards."""
    if os.geteuid() != 0 or not shutil.which("pg_createcluster"):
        pytest.skip("needs root and postgresql-common (CI runs as root on Debian)")
    version = sorted(os.listdir("/usr/lib/postgresql"), key=int)[-1]
    name = f"pos_setup_{secrets.token_hex(4)}"
    port = free_port()
    subprocess.run(["pg_createcluster", version, name, "-p", str(port)], check=True, capture_output=True, timeout=120)
    try:
        yield name, port
    finally:
        subprocess.run(["pg_dropcluster", "--stop", version, name], capture_output=True, timeout=120)


def test_a_fresh_postgresql_is_started_given_its_database_and_a_login_for_the_tests(
        fresh_cluster: tuple[str, int], tmp_path: Path) -> None:
    import psycopg2

    _name, port = fresh_cluster
    dsn = f"postgresql://postgres@127.0.0.1:{port}/test"
    env = {**os.environ, "POS_TEST_PG_DSN": dsn, "HOME": str(tmp_path)}
    env.pop("PGPASSFILE", None)
    as_user = run_script("test-db", env=env, user="nobody")
    assert as_user.returncode == 1
    assert "sudo bash scripts/install-system-deps.sh" in as_user.stderr  # the one command to run as root
    with pytest.raises(psycopg2.OperationalError):
        psycopg2.connect(dsn, passfile=str(tmp_path / ".pgpass"), connect_timeout=5)

    done = run_script("test-db", env=env)
    assert done.returncode == 0, done.stderr
    assert "starting PostgreSQL" in done.stdout and "creating the tests' database 'test'" in done.stdout
    assert "setting a password" in done.stdout
    pgpass = tmp_path / ".pgpass"
    assert pgpass.stat().st_mode & 0o777 == 0o600
    password = pgpass.read_text().strip().rsplit(":", 1)[1]
    assert password not in done.stdout + done.stderr
    con = psycopg2.connect(dsn, passfile=str(pgpass), connect_timeout=5)  # what the tests do, through libpq
    con.autocommit = True
    with con.cursor() as cur:
        cur.execute("CREATE DATABASE hq_probe")  # the tests make their own databases
        cur.execute("DROP DATABASE hq_probe")
    con.close()

    again = run_script("test-db", env=env)
    assert (again.returncode, again.stdout, again.stderr) == (0, "", "")  # idempotent and quiet
