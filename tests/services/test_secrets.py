"""Secrets in files (issue 12 item 19): the till's database, its -wal and -shm, backups,
before-restore copies and their folders are private (0600, 0700); backups hold no sync secret
(a restore keeps the live one); enrollment over plain http:// only to this computer."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from pos_app.cli import main
from pos_app.core.errors import InvalidInput
from pos_app.services import backup, context, sales, sync
from pos_app.services.settings import parse_value
from tests.conftest import FakeClock

SECRET = "5ec7e7" * 10 + "abcd"  # what enrollment stores: 64 hex characters


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def till(path: Path, clock: FakeClock, *, enrolled: bool = True) -> context.Terminal:
    t = context.init_terminal(path, store_id="S001", terminal_id="T01", clock=clock)
    context.load_program(t, context.reference_program_source())
    sales.record_sale(t, lines=[sales.SaleLine(1, "6901", "面包", "food", 1, 1000)])
    if enrolled:  # the rows `pos-app enroll` writes
        with t.database.transaction():
            t.repo.set_setting("hq.url", "https://hq.example.com")
            t.repo.set_setting("sync.secret", SECRET)
    return t


def test_the_database_its_copies_and_folders_are_private(tmp_path: Path, clock: FakeClock) -> None:
    db = tmp_path / "data" / "pos.db"
    t = till(db, clock)
    try:
        assert mode(db.parent) == 0o700
        assert [mode(p) for p in (db, Path(f"{db}-wal"), Path(f"{db}-shm"))] == [0o600] * 3
        b = backup.take_backup(t, tmp_path / "backups")
    finally:
        t.close()
    assert mode(tmp_path / "backups") == 0o700 and mode(b.path) == 0o600
    r = backup.restore(db, b.path)
    assert r.kept is not None and mode(r.kept) == 0o600 and mode(db) == 0o600


def test_an_older_release_s_0644_database_is_made_private_when_opened(tmp_path: Path, clock: FakeClock) -> None:
    db = tmp_path / "pos.db"
    till(db, clock).close()
    db.chmod(0o644)
    context.Terminal.open(db).close()
    assert mode(db) == 0o600


def test_a_backup_holds_no_sync_secret_and_a_restore_keeps_the_live_one(tmp_path: Path, clock: FakeClock) -> None:
    db = tmp_path / "pos.db"
    t = till(db, clock)
    try:
        b = backup.take_backup(t, tmp_path / "backups")
    finally:
        t.close()
    assert SECRET.encode() not in b.path.read_bytes()  # not in a row, not in a free page
    assert backup.check_file(b.path)["has_secret"] is False
    r = backup.restore(db, b.path)
    assert r.enrolled and not any("enroll the till again" in w for w in r.warnings)
    t = context.Terminal.open(db)
    try:
        assert t.repo.setting("sync.secret") == SECRET  # kept from the database it replaced
    finally:
        t.close()
    # restored on a new machine: nothing to keep, the till is enrolled again
    elsewhere = tmp_path / "new-pc" / "pos.db"
    r = backup.restore(elsewhere, b.path)
    assert any("enroll the till again" in w for w in r.warnings)
    t = context.Terminal.open(elsewhere)
    try:
        assert t.repo.setting("sync.secret") is None and not sync.is_enrolled(t)
    finally:
        t.close()


@pytest.mark.parametrize("url", ["http://127.0.0.1:8800", "http://localhost:8800", "http://[::1]:8800",
                                 "https://hq.example.com", "https://10.0.0.5:8800"])
def test_https_or_plain_http_to_this_computer(url: str) -> None:
    assert parse_value("hq.url", url) == url


@pytest.mark.parametrize("url", ["http://hq.example.com", "http://10.0.0.5:8800", "HTTP://192.168.1.2"])
def test_plain_http_to_another_computer_is_refused(url: str) -> None:
    with pytest.raises(InvalidInput, match="use https://") as err:
        parse_value("hq.url", url)
    assert err.value.field == "hq.url"


def test_enroll_over_plain_http_is_refused_before_anything_is_sent(tmp_path: Path, clock: FakeClock,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "pos.db"
    till(db, clock, enrolled=False).close()
    assert main(["--db", str(db), "enroll", "--hq", "http://hq.example.com:8800", "--code", "ABCD-EFGH-JKLM"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: hq.url: http:// would send the enrollment code"), err
