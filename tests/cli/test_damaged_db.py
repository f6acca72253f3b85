"""A damaged database (outside testing, issue 12 item 6): 16 bytes inverted in a checkpointed
copy, a damaged schema, a damaged program text. Every command says what happened and what to
do (restore the last checked backup), ``verify`` exits 1, writing commands exit 2, and nothing
is written into the file."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest

from pos_app.cli import main
from pos_app.core.errors import DatabaseDamaged
from pos_app.services import context


@pytest.fixture
def good_db(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    db = tmp_path / "good.db"
    assert main(["--db", str(db), "init", "--store", "S001", "--terminal", "T01"]) == 0
    assert main(["--db", str(db), "demo-seed"]) == 0
    assert main(["--db", str(db), "sale", "--amount", "10.00", "--member", "13800138000"]) == 0
    con = sqlite3.connect(db)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # everything in the main file, as a probe copies it
    con.close()
    capsys.readouterr()
    return db


def damaged(src: Path, offset: int, new: bytes | None = None) -> Path:
    """A copy of ``src`` with 16 bytes at ``offset`` inverted (or replaced by ``new``)."""
    data = bytearray(src.read_bytes())
    data[offset:offset + len(new or b"x" * 16)] = new if new is not None else bytes(255 - b for b in
                                                                                   data[offset:offset + 16])
    dest = src.with_name(f"damaged-{offset}.db")
    dest.write_bytes(bytes(data))
    return dest


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def run(capsys: pytest.CaptureFixture[str], db: Path, *args: str) -> tuple[int, str]:
    code = main(["--db", str(db), *args])  # a traceback would be an exception here
    cap = capsys.readouterr()
    return code, cap.out + cap.err


def assert_refused_with_the_fix(capsys: pytest.CaptureFixture[str], db: Path) -> None:
    before = digest(db)
    code, err = run(capsys, db, "verify")
    assert code == 1, err
    assert err.startswith("error: db: ") and "damaged" in err and "pos-app restore" in err, err
    code, err = run(capsys, db, "sale", "--amount", "5.00")
    assert code == 2, err
    assert "damaged" in err and "pos-app restore" in err and "nothing was written" in err, err
    code, err = run(capsys, db, "member", "enroll", "--phone", "13512345678", "--name", "王五")
    assert code == 2 and "damaged" in err, err
    assert digest(db) == before  # not one byte written
    assert "Traceback" not in err


@pytest.mark.parametrize("offset", [8192, 12288])
def test_inverted_bytes_are_reported_and_nothing_is_written(good_db: Path, offset: int,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, good_db, "verify")[0] == 0
    assert_refused_with_the_fix(capsys, damaged(good_db, offset))


def test_a_damaged_schema_is_found_before_anything_is_written(good_db: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    # the tier_month table's column list in sqlite_master: its "points" column loses its name,
    # which SQLite still parses (verify used to crash on it while sales went on writing)
    data = good_db.read_bytes()
    at = data.index(b"CREATE TABLE tier_month")
    column = data.index(b"points    INTEGER", at)
    assert_refused_with_the_fix(capsys, damaged(good_db, column))


def test_damaged_program_text_is_a_damaged_database(good_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    at = good_db.read_bytes().index(b"# The reference loyalty program (")
    db = damaged(good_db, at + 34)  # inside the Chinese name: no longer UTF-8
    before = digest(db)
    code, err = run(capsys, db, "verify")
    assert code == 1 and "DISCREPANCIES in loyalty_program" in err and "pos-app restore" in err, err
    code, err = run(capsys, db, "sale", "--amount", "5.00")
    assert code == 2 and "loyalty program" in err and "damaged" in err and "pos-app restore" in err, err
    assert digest(db) == before


def test_program_text_changed_in_the_file_no_longer_matches_its_digest(good_db: Path) -> None:
    data = good_db.read_bytes()
    at = data.index(b"fen_per_point = 100")
    db = damaged(good_db, at, b"fen_per_point = 200")  # still a valid program, but not the one loaded
    t = context.Terminal.open(db)
    try:
        with pytest.raises(DatabaseDamaged, match="no longer matches"):
            t.program  # noqa: B018
        assert t.database.damage is not None
        with pytest.raises(DatabaseDamaged), t.database.transaction():
            t.repo.set_setting("x", "y")
    finally:
        t.close()
