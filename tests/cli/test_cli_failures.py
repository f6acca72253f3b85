"""Failures that used to escape as tracebacks (exit 1) now exit 2 with a message naming the
cause (issue 12 item 7): a CSV field beyond the csv module's limit, invalid UTF-8 on the
command line, a read-only (immutable) database, a full disk. Nothing is written in any case."""

from __future__ import annotations

import contextlib
import errno
import hashlib
import io
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from pos_app.cli import main

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def demo_db(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    db = tmp_path / "demo.db"
    assert main(["--db", str(db), "demo-seed"]) == 0
    capsys.readouterr()
    return db


def checkpoint(db: Path) -> None:
    con = sqlite3.connect(db)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_csv_field_beyond_the_limit_is_a_message(demo_db: Path, tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    csv_file = tmp_path / "members.csv"
    csv_file.write_text("phone,name\n13512345678,张三\n13512345679," + "x" * 131_073 + "\n", encoding="utf-8")
    checkpoint(demo_db)
    before = digest(demo_db)
    assert main(["--db", str(demo_db), "import-members", str(csv_file)]) == 2
    # the importer reports the line as an invalid row (issue 12 item 8), the other rows as valid
    out = capsys.readouterr().out
    assert "2 rows, 1 valid, 1 invalid; nothing written" in out, out
    assert "line 3: row: a field is too long: field larger than field limit (131072)" in out, out
    checkpoint(demo_db)
    assert digest(demo_db) == before


def test_invalid_utf8_on_the_command_line_names_the_argument(demo_db: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "LC_ALL": "C.UTF-8"}
    proc = subprocess.run([sys.executable, "-m", "pos_app.cli", "--db", str(demo_db), "member", "enroll",
                           "--phone", "13512345678", "--name", b"\xff\xfe\xe5\xbc"],
                          capture_output=True, env=env, timeout=60, check=False)
    err = proc.stderr.decode("utf-8", "replace")
    assert proc.returncode == 2, err
    assert err.startswith("error: name: is not valid UTF-8 text"), err
    assert "Traceback" not in err
    con = sqlite3.connect(demo_db)
    assert con.execute("SELECT count(*) FROM member WHERE phone = '13512345678'").fetchone()[0] == 0
    con.close()


@contextlib.contextmanager
def read_only(path: Path) -> Iterator[None]:
    """The file made read-only for this user: immutable for root (whom permissions do not stop)."""
    if os.geteuid() == 0:
        subprocess.run(["chattr", "+i", str(path)], check=True)
        try:
            yield
        finally:
            subprocess.run(["chattr", "-i", str(path)], check=True)
    else:
        path.chmod(0o444)
        try:
            yield
        finally:
            path.chmod(0o600)


def test_a_read_only_database_is_a_message(demo_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    checkpoint(demo_db)
    before = digest(demo_db)
    with read_only(demo_db):
        assert main(["--db", str(demo_db), "sale", "--amount", "10.00", "--member", "13800138000"]) == 2
        err = capsys.readouterr().err
        assert main(["--db", str(demo_db), "verify"]) == 0  # reading still works
    assert err.startswith("error: db: ") and "read-only" in err and "nothing was written" in err, err
    assert "attempt to write a readonly database" in err  # SQLite's own words, after ours
    assert digest(demo_db) == before


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """An 8 MB file system of its own (tmpfs): filling it fills nothing else."""
    mnt = tmp_path / "disk"
    mnt.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root (CI runs as root)")
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(mnt)], check=True)
    try:
        yield mnt
    finally:
        subprocess.run(["umount", str(mnt)], check=True)


def fill(directory: Path, leave: int = 0) -> None:
    """Write into ``directory`` until the disk is full, then free ``leave`` bytes."""
    with open(directory / "filler", "wb", buffering=0) as f:
        try:
            while True:
                f.write(b"\0" * 4096)
        except OSError as exc:
            assert exc.errno == errno.ENOSPC
    if leave:
        os.truncate(directory / "filler", (directory / "filler").stat().st_size - leave)


@pytest.mark.parametrize("leave", [0, 100_000])  # full before the command, or during its transaction
def test_a_full_disk_is_named_as_such(small_disk: Path, leave: int, capsys: pytest.CaptureFixture[str]) -> None:
    db = small_disk / "pos.db"
    assert main(["--db", str(db), "demo-seed"]) == 0
    checkpoint(db)
    capsys.readouterr()
    before = digest(db)
    fill(small_disk, leave)
    code = main(["--db", str(db), "sale", "--amount", "10.00", "--member", "13800138000"])
    err = capsys.readouterr().err
    assert code == 2, err
    assert err.startswith("error: db: the disk holding") and "is full: nothing was written" in err, err
    assert "cannot rollback" not in err
    (small_disk / "filler").unlink()
    assert digest(db) == before
    assert main(["--db", str(db), "sale", "--amount", "10.00", "--member", "13800138000"]) == 0  # space again


# -- secrets: PINs off the command line (issue 12 item 19) ------------------------------------------
def test_a_manager_pin_left_out_is_read_from_standard_input(demo_db: Path, capsys: pytest.CaptureFixture[str],
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    args = ["--db", str(demo_db), "adjust", "--member", "13800138000", "--points", "-200", "--reason", "dup",
            "--manager", "9001"]
    monkeypatch.setattr("sys.stdin", io.StringIO("1111\n"))
    assert main(args) == 2
    assert capsys.readouterr().err.startswith("error: manager_pin: ")  # the wrong PIN, read from stdin
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    assert main(args) == 2
    assert "give the PIN at the prompt or as one line on standard input" in capsys.readouterr().err
    monkeypatch.setattr("sys.stdin", io.StringIO("9999\n"))
    assert main(args) == 0
    assert main(["--db", str(demo_db), "member", "show", "13800138000"]) == 0
    assert "balance 11800" in capsys.readouterr().out


def test_a_staff_pin_is_asked_without_echo_at_a_terminal(demo_db: Path, capsys: pytest.CaptureFixture[str],
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """With a terminal on standard input the PIN is read by getpass (no echo; the fake is the
    keyboard only)."""
    prompts: list[str] = []

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr("sys.stdin", Tty(""))
    monkeypatch.setattr("getpass.getpass", lambda prompt: prompts.append(prompt) or "2468")
    assert main(["--db", str(demo_db), "staff", "add", "--code", "1002", "--name", "王五", "--role", "cashier"]) == 0
    assert prompts == ["PIN for 1002: "]
    capsys.readouterr()
    from pos_app.services import context, staff

    t = context.Terminal.open(demo_db)
    try:
        assert staff.authenticate(t, "1002", "2468").code == "1002"
    finally:
        t.close()
