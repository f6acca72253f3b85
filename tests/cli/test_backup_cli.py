"""``pos-app backup`` and ``pos-app restore``: output, exit status 2 with the field named on
every refusal, the database byte-for-byte unchanged then."""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
from pathlib import Path

import pytest

from pos_app.cli import main
from pos_app.storage.instance_lock import hold_lock


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict | None, str]:
    code = main(["--json", *args])
    cap = capsys.readouterr()
    return code, (json.loads(cap.out) if cap.out.strip() else None), cap.err


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("POS_APP_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("POS_APP_DB", raising=False)
    return tmp_path / "home"


def till(path: Path, store: str, terminal: str, capsys: pytest.CaptureFixture[str]) -> Path:
    assert main(["--db", str(path), "init", "--store", store, "--terminal", terminal]) == 0
    assert main(["--db", str(path), "demo-seed"]) == 0
    assert main(["--db", str(path), "sale", "--amount", "58.50", "--member", "13800138000"]) == 0
    capsys.readouterr()
    return path


def test_backup_into_the_backups_folder_and_elsewhere(home: Path, tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    db = till(home / "pos.db", "S001", "T01", capsys)  # the default database of $POS_APP_HOME
    code, data, err = run(capsys, "backup")
    assert code == 0, err
    assert data is not None and data["verify"] == "ok" and data["counts"]["sale"] == 1
    path = Path(data["file"])
    assert path.parent == home / "backups"
    assert re.fullmatch(r"pos-S001-T01-\d{8}-\d{6}\.db", path.name)
    assert data["bytes"] == path.stat().st_size
    assert main(["--db", str(path), "verify"]) == 0
    capsys.readouterr()
    assert main(["--db", str(db), "backup", "--to", str(tmp_path / "usb")]) == 0
    out = capsys.readouterr().out
    [copy] = list((tmp_path / "usb").iterdir())
    assert out == f"backup written to {copy} ({copy.stat().st_size} bytes, verify OK)\n"


def test_backup_refusals_exit_2(home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = till(tmp_path / "pos.db", "S001", "T01", capsys)
    (tmp_path / "afile").write_text("x")
    code, data, err = run(capsys, "--db", str(db), "backup", "--to", str(tmp_path / "afile"))
    assert code == 2 and data is not None and data["field"] == "to" and "error: to: cannot write" in err
    # a database that fails verify: the copy is removed, the backup fails loudly
    con = sqlite3.connect(db)
    con.execute("UPDATE member SET balance = balance + 1")
    con.commit()
    con.close()
    code, data, err = run(capsys, "--db", str(db), "backup", "--to", str(tmp_path / "out"))
    assert code == 2 and data is not None and data["field"] == "backup"
    assert "fails verify (balance_equals_ledger" in err
    assert list((tmp_path / "out").iterdir()) == []


def test_restore_refusals_name_the_field_and_change_nothing(home: Path, tmp_path: Path,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    db = till(tmp_path / "live" / "pos.db", "S001", "T01", capsys)
    code, data, _ = run(capsys, "--db", str(db), "backup", "--to", str(tmp_path / "out"))
    assert code == 0 and data is not None
    good = Path(data["file"])
    before = digest(db)
    text = tmp_path / "notes.txt"
    text.write_text("hello", encoding="utf-8")
    newer = tmp_path / "newer.db"
    newer.write_bytes(good.read_bytes())
    con = sqlite3.connect(newer)
    con.execute("PRAGMA user_version = 42")
    con.close()
    cases = [(tmp_path / "missing.db", "no such file"), (text, "not an SQLite database"),
             (newer, "schema version 42, newer than this program's")]
    for file, words in cases:
        code, data, err = run(capsys, "--db", str(db), "restore", str(file))
        assert code == 2, file
        assert data is not None and data["error"] == "invalid_input" and data["field"] == "file"
        assert err.startswith("error: file: ") and words in err
        assert digest(db) == before
    with hold_lock(db):
        code, data, err = run(capsys, "--db", str(db), "restore", str(good))
    assert code == 2 and data is not None and data["field"] == "db" and data["reason"] == "in_use"
    assert "close the cashier window" in err
    assert digest(db) == before
    assert sorted(p.name for p in db.parent.iterdir()) == ["pos.db", "pos.db.lock"]
    with pytest.raises(SystemExit) as usage:
        main(["--db", str(db), "restore"])
    assert usage.value.code == 2 and "required: file" in capsys.readouterr().err


def test_restore_of_another_till_needs_force_and_keeps_the_old_database(
        home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = till(tmp_path / "live" / "pos.db", "S001", "T01", capsys)
    other = till(tmp_path / "other.db", "S002", "T07", capsys)
    code, data, _ = run(capsys, "--db", str(other), "backup", "--to", str(tmp_path / "out"))
    assert code == 0 and data is not None
    copy = Path(data["file"])
    before = digest(db)
    code, data, err = run(capsys, "--db", str(db), "restore", str(copy))
    assert code == 2 and data is not None and data["field"] == "file"
    assert "belongs to store S002 terminal T07" in err and "--force" in err
    assert digest(db) == before
    code, data, err = run(capsys, "--db", str(db), "restore", str(copy), "--force")
    assert code == 0, err
    assert data is not None and data["store_id"] == "S002" and data["terminal_id"] == "T07"
    kept = Path(data["kept"])
    assert kept.parent == db.parent and kept.name.startswith("pos.db.before-restore-")
    assert digest(kept) == before  # (no -wal was waiting: the CLI's connections had closed)
    assert "warning: this till was S001/T01 and is now S002/T07" in err
    code, data, _ = run(capsys, "--db", str(db), "verify")
    assert code == 0 and data is not None and data["terminal_id"] == "T07"


def test_restore_of_an_enrolled_till_warns(home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = till(tmp_path / "pos.db", "S001", "T01", capsys)
    con = sqlite3.connect(db)
    con.executemany("INSERT INTO setting (key, value) VALUES (?, ?)",
                    [("hq.url", "https://hq.example.com"), ("sync.secret", "s")])
    con.commit()
    con.close()
    assert main(["--db", str(db), "backup", "--to", str(tmp_path / "out")]) == 0
    capsys.readouterr()
    [copy] = list((tmp_path / "out").iterdir())
    assert main(["--db", str(db), "restore", str(copy)]) == 0
    cap = capsys.readouterr()
    assert cap.out.startswith(f"restored {copy} into {db} (S001/T01, verify OK); the previous database is kept as ")
    assert "warning: this till is enrolled with headquarters: entries it wrote after the backup" in cap.err
