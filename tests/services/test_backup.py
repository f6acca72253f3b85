"""Backup, restore and the automatic backup (services.backup), the instance lock and the paths,
on real database files; the acceptance test backs up while another process writes sales."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pos_app.core.earning import SaleLine
from pos_app.core.errors import Conflict, DatabaseError, InvalidInput
from pos_app.services import backup, context, members, sales, verify
from pos_app.services.paths import AppPaths, app_paths
from pos_app.storage import database as dbmod
from pos_app.storage.instance_lock import hold_lock, lock_path
from tests.services.test_crash import Child, setup_database

NOW = dt.datetime(2026, 11, 3, 10, 0)
ROOT = Path(__file__).resolve().parents[2]


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def make_till(path: Path, store: str = "S001", terminal: str = "T01", sales_count: int = 2) -> list[str]:
    """A closed terminal database with a member and some sales; returns the receipt numbers."""
    t = context.init_terminal(path, store_id=store, terminal_id=terminal)
    try:
        context.load_program(t, context.reference_program_source())
        m = members.enroll_member(t, phone="13800138000", name="张三")
        return [sales.record_sale(t, lines=[SaleLine(1, "6901", "面包", "food", 1, 5850 + i)],
                                  member_ref=m.card_no).receipt_no for i in range(sales_count)]
    finally:
        t.close()


def receipts(db: Path) -> set[str]:
    con = sqlite3.connect(db)
    try:
        return {r[0] for r in con.execute("SELECT receipt_no FROM sale")}
    finally:
        con.close()


def backup_of(db: Path, to: Path, now: dt.datetime = NOW) -> Path:
    t = context.Terminal.open(db)
    try:
        return backup.take_backup(t, to, now=now).path
    finally:
        t.close()


def tamper(db: Path, sql: str) -> None:
    con = sqlite3.connect(db)
    con.execute(sql)
    con.commit()
    con.close()


def leftovers(directory: Path) -> list[str]:
    """Files a refused restore must not leave: kept copies, work folders, partial copies."""
    return sorted(p.name for p in directory.iterdir()
                  if ".before-restore-" in p.name or p.name.startswith((".restore-", ".pos-")))


# -- paths ---------------------------------------------------------------------------------------
def test_app_paths_under_pos_app_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POS_APP_HOME", str(tmp_path / "till"))
    monkeypatch.delenv("POS_APP_DB", raising=False)
    p = app_paths()
    assert p == AppPaths(data_dir=tmp_path / "till", database=tmp_path / "till" / "pos.db",
                         log_dir=tmp_path / "till" / "logs", backup_dir=tmp_path / "till" / "backups")
    assert p.auto_backup_dir == tmp_path / "till" / "backups" / "auto"
    assert context.default_db() == str(tmp_path / "till" / "pos.db")
    # $POS_APP_DB moves only the database file
    monkeypatch.setenv("POS_APP_DB", str(tmp_path / "other.db"))
    p = app_paths()
    assert p.database == tmp_path / "other.db" and context.default_db() == str(tmp_path / "other.db")
    assert p.backup_dir == tmp_path / "till" / "backups" and p.log_dir == tmp_path / "till" / "logs"


def test_app_paths_under_platformdirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("POS_APP_HOME", raising=False)
    monkeypatch.delenv("POS_APP_DB", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    p = app_paths()
    assert p.data_dir == tmp_path / "data" / "pos-app"
    assert p.database == tmp_path / "data" / "pos-app" / "pos.db"
    assert p.backup_dir == tmp_path / "data" / "pos-app" / "backups"
    assert p.log_dir == tmp_path / "state" / "pos-app" / "log"
    assert context.default_db() == str(p.database)


# -- backup --------------------------------------------------------------------------------------
def test_backup_is_a_checked_single_file_named_for_the_till(tmp_path: Path) -> None:
    db = tmp_path / "live.db"
    sold = make_till(db, "S001", "T01")
    t = context.Terminal.open(db)
    try:
        r = backup.take_backup(t, tmp_path / "out", now=NOW)
    finally:
        t.close()
    assert r.path == tmp_path / "out" / "pos-S001-T01-20261103-100000.db"
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [r.path.name]  # no -wal, no partial copy
    assert r.bytes == r.path.stat().st_size and r.counts["sale"] == 2
    assert receipts(r.path) == set(sold)
    con = sqlite3.connect(r.path)
    assert con.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    con.close()
    t = context.Terminal.open(r.path)
    try:
        assert verify.verify(t)["ok"]
    finally:
        t.close()


def test_backup_never_overwrites_a_file(tmp_path: Path) -> None:
    db, out = tmp_path / "live.db", tmp_path / "out"
    make_till(db)
    out.mkdir()
    taken = out / "pos-S001-T01-20261103-100000.db"
    taken.write_bytes(b"somebody's file")
    first = backup_of(db, out)
    second = backup_of(db, out)
    assert taken.read_bytes() == b"somebody's file"
    assert [first.name, second.name] == ["pos-S001-T01-20261103-100000-2.db", "pos-S001-T01-20261103-100000-3.db"]


def test_backup_whose_copy_fails_verify_is_removed(tmp_path: Path) -> None:
    db, out = tmp_path / "live.db", tmp_path / "out"
    make_till(db)
    tamper(db, "UPDATE member SET balance = balance + 7")
    t = context.Terminal.open(db)
    try:
        with pytest.raises(DatabaseError) as err:
            backup.take_backup(t, out, now=NOW)
    finally:
        t.close()
    assert err.value.field == "backup" and "balance_equals_ledger" in err.value.params["checks"]
    assert list(out.iterdir()) == []


def test_backup_to_a_folder_that_cannot_be_made(tmp_path: Path) -> None:
    db = tmp_path / "live.db"
    make_till(db)
    (tmp_path / "afile").write_text("x")
    t = context.Terminal.open(db)
    try:
        with pytest.raises(InvalidInput) as err:
            backup.take_backup(t, tmp_path / "afile" / "sub", now=NOW)
    finally:
        t.close()
    assert err.value.field == "to"


# -- the acceptance test: a backup while another process sells ---------------------------------
def test_backup_while_sales_are_written_restores_every_sale_committed_before(tmp_path: Path) -> None:
    """Three backups (two in this process, one through the CLI) while a child process sells: each
    restores to a database that passes verify and holds every sale reported before it began.
    (A plain file copy fails this: the last commits are in the -wal file, not in the database.)"""
    db, out = tmp_path / "till" / "pos.db", tmp_path / "backups"
    db.parent.mkdir()
    setup_database(db)
    taken: list[tuple[Path, set[str]]] = []
    child = Child(db, 20261103)  # sells (and now and then refunds) until killed; a line after each COMMIT
    try:
        assert child.ready.wait(timeout=30), "the writer never opened the database"
        for round_no in range(3):
            deadline = time.monotonic() + 60
            while sum(line.startswith("SALE") for line in child.lines) < 60 * (round_no + 1) + 7 * round_no \
                    and time.monotonic() < deadline:
                time.sleep(0.02)
            # every sale reported now was committed before the backup starts
            before = {line.split()[1] for line in list(child.lines) if line.startswith("SALE")}
            assert len(before) >= 60 * (round_no + 1)
            if round_no < 2:  # in this process: the copy starts at once
                taken.append((backup_of(db, out, now=NOW + dt.timedelta(minutes=round_no)), before))
                continue
            # the command, in a process of its own
            done = subprocess.run([sys.executable, "-m", "pos_app.cli", "--db", str(db), "--json", "backup",
                                   "--to", str(out)], capture_output=True, text=True, timeout=120, cwd=ROOT)
            assert done.returncode == 0, done.stderr
            taken.append((Path(json.loads(done.stdout)["file"]), before))
        # the writer was never blocked: it goes on selling after the backups
        written = len(child.lines)
        deadline = time.monotonic() + 30
        while len(child.lines) < written + 20 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert len(child.lines) >= written + 20, "the writer stopped while the backups were taken"
        assert child.proc.poll() is None
    finally:
        child.kill()
    after = receipts(db)
    assert len({copy for copy, _ in taken}) == 3
    for i, (copy, before) in enumerate(taken):
        target = tmp_path / f"restored-{i}" / "pos.db"
        backup.restore(target, copy, now=NOW)
        restored = receipts(target)
        missing = sorted(before - restored)
        assert not missing, f"backup {i}: sales committed before it began are missing: {missing}"
        assert restored <= after
        t = context.Terminal.open(target)
        try:
            report = verify.verify(t)
            assert report["ok"], {k: v for k, v in report["checks"].items() if not v["ok"]}
        finally:
            t.close()
    # and over the live database (the writer is gone, no window is open): the old one is kept
    r = backup.restore(db, taken[-1][0], now=NOW)
    assert r.kept is not None and receipts(r.kept) == after
    assert taken[-1][1] <= receipts(db) <= after


# -- restore -------------------------------------------------------------------------------------
def test_restore_keeps_the_old_database_and_puts_the_backup_in_place(tmp_path: Path) -> None:
    db = tmp_path / "pos.db"
    sold = make_till(db)
    copy = backup_of(db, tmp_path / "out")
    t = context.Terminal.open(db)
    later = sales.record_sale(t, lines=[SaleLine(1, "6902", "牛奶", "food", 1, 1200)]).receipt_no
    t.close()
    r = backup.restore(db, copy, now=dt.datetime(2026, 11, 4, 9, 30))
    assert r.kept == tmp_path / "pos.db.before-restore-20261104-093000"
    assert receipts(db) == set(sold) and receipts(r.kept) == {*sold, later}
    assert not (tmp_path / "pos.db-wal").exists() or (tmp_path / "pos.db-wal").stat().st_size == 0
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".restore-")] == []
    assert (r.store_id, r.terminal_id, r.enrolled, r.warnings) == ("S001", "T01", False, [])
    for path in (db, r.kept):
        t = context.Terminal.open(path)
        try:
            assert verify.verify(t)["ok"]
        finally:
            t.close()
    # the backup itself was only read
    assert receipts(copy) == set(sold)


def test_restore_onto_a_machine_without_a_database(tmp_path: Path) -> None:
    db = tmp_path / "src.db"
    sold = make_till(db)
    copy = backup_of(db, tmp_path / "out")
    new = tmp_path / "new" / "pos.db"
    r = backup.restore(new, copy, now=NOW)
    assert r.kept is None and receipts(new) == set(sold)


@pytest.fixture
def live(tmp_path: Path) -> Path:
    db = tmp_path / "live" / "pos.db"
    db.parent.mkdir()
    make_till(db)
    return db


def refused(live: Path, file: Path, field: str = "file", **kwargs: bool) -> str:
    before = digest(live)
    with pytest.raises((InvalidInput, Conflict)) as err:
        backup.restore(live, file, now=NOW, **kwargs)
    assert err.value.field == field
    assert digest(live) == before, "a refused restore changed the database"
    assert leftovers(live.parent) == []
    return err.value.message


def test_restore_refuses_bad_files_and_changes_nothing(tmp_path: Path, live: Path) -> None:
    good = backup_of(live, tmp_path / "out")
    text = tmp_path / "notes.db"
    text.write_text("not a database at all", encoding="utf-8")
    empty = tmp_path / "empty.db"
    empty.write_bytes(b"")
    foreign = tmp_path / "foreign.db"
    con = sqlite3.connect(foreign)
    con.execute("CREATE TABLE x (a)")
    con.close()
    newer, broken, forged = tmp_path / "newer.db", tmp_path / "broken.db", tmp_path / "forged.db"
    for f in (newer, broken, forged):
        f.write_bytes(good.read_bytes())
    tamper(newer, "PRAGMA user_version = 99")
    tamper(broken, "UPDATE member SET balance = balance + 1")
    tamper(forged, "DROP TRIGGER ledger_entry_no_update")
    tamper(forged, "UPDATE ledger_entry SET ref_no = 'forged' WHERE seq = 1")
    made = {f.name: digest(f) for f in (newer, broken, forged, foreign)}

    assert "no such file" in refused(live, tmp_path / "missing.db")
    assert "not a file" in refused(live, tmp_path)
    assert "not an SQLite database" in refused(live, text)
    assert "not an SQLite database" in refused(live, empty)
    assert "not one of this program" in refused(live, foreign)
    assert "schema version 99, newer than" in refused(live, newer)
    assert "fails verify (balance_equals_ledger" in refused(live, broken)
    message = refused(live, forged)
    assert "fails verify" in message and "hash_chains" in message
    assert "the database itself" in refused(live, live)
    # the refused files were only read: verify ran on a copy of each
    assert {f.name: digest(f) for f in (newer, broken, forged, foreign)} == made


def test_restore_refuses_while_the_window_holds_the_lock(tmp_path: Path, live: Path) -> None:
    good = backup_of(live, tmp_path / "out")
    with hold_lock(live):
        assert "in use by another program" in refused(live, good, field="db")
    # and from another process (the window is another process)
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time\nfrom pos_app.storage.instance_lock import hold_lock\n"
         f"lock = hold_lock({str(live)!r})\nprint('READY', flush=True)\nsys.stdin.read()"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "READY\n"
        message = refused(live, good, field="db")
        assert f"process {holder.pid}" in message
        with pytest.raises(Conflict):
            hold_lock(live)  # a second window is refused the same way
    finally:
        assert holder.stdin is not None
        holder.stdin.close()
        holder.wait(timeout=10)
    # the holder is gone: its lock went with it
    r = backup.restore(live, good, now=NOW)
    assert r.kept is not None and lock_path(live).exists()


def test_restore_of_another_terminal_needs_force(tmp_path: Path, live: Path) -> None:
    other_db = tmp_path / "other.db"
    other_sales = make_till(other_db, "S002", "T09", sales_count=1)
    other = backup_of(other_db, tmp_path / "out")
    assert other.name.startswith("pos-S002-T09-")
    message = refused(live, other)
    assert "belongs to store S002 terminal T09" in message and "S001/T01" in message and "--force" in message
    r = backup.restore(live, other, force=True, now=NOW)
    assert (r.store_id, r.terminal_id) == ("S002", "T09")
    assert r.warnings == ["this till was S001/T01 and is now S002/T09"]
    assert receipts(live) == set(other_sales)


def test_restore_of_an_enrolled_till_warns_about_headquarters(tmp_path: Path, live: Path) -> None:
    t = context.Terminal.open(live)
    with t.database.transaction():
        t.repo.set_setting("hq.url", "https://hq.example.com")
        t.repo.set_setting("sync.secret", "s3cret")
    t.close()
    copy = backup_of(live, tmp_path / "out")
    r = backup.restore(live, copy, now=NOW)
    assert r.enrolled
    assert any("exist only at headquarters" in w for w in r.warnings)


def test_restore_of_an_older_backup_migrates_the_copy_not_the_file(tmp_path: Path, live: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    old = backup_of(live, tmp_path / "out")
    old_digest, old_version = digest(old), dbmod.schema_version()
    # a newer build: today's migrations and one more
    mig = tmp_path / "migrations"
    mig.mkdir()
    for f in dbmod.migrations_dir().glob("*.sql"):
        (mig / f.name).write_text(f.read_text(encoding="utf-8"), encoding="utf-8")
    (mig / f"{old_version + 1:04d}_note.sql").write_text("ALTER TABLE member ADD COLUMN note TEXT;",
                                                        encoding="utf-8")
    monkeypatch.setattr(dbmod, "migrations_dir", lambda: mig)
    r = backup.restore(live, old, now=NOW)
    assert r.schema_from == old_version and r.to_dict()["schema"] == old_version + 1
    con = sqlite3.connect(live)
    assert con.execute("PRAGMA user_version").fetchone()[0] == old_version + 1
    con.close()
    assert digest(old) == old_digest
    assert sorted(p.name for p in old.parent.iterdir()) == [old.name]  # no migration backup beside it
    assert r.kept is not None and leftovers(live.parent) == [r.kept.name]


# -- the automatic backup ------------------------------------------------------------------------
@pytest.fixture
def paths(tmp_path: Path) -> AppPaths:
    home = tmp_path / "home"
    return AppPaths(data_dir=home, database=home / "pos.db", log_dir=home / "logs", backup_dir=home / "backups")


def auto_names(paths: AppPaths) -> list[str]:
    return sorted(p.name for p in paths.auto_backup_dir.iterdir())


def test_auto_backup_takes_one_when_none_or_old_and_not_when_fresh(live: Path, paths: AppPaths) -> None:
    t = context.Terminal.open(live)
    try:
        r = backup.auto_backup(t, paths, NOW)
        assert r.taken is not None and r.taken.path.parent == paths.auto_backup_dir
        assert r.last == NOW and r.removed == []
        assert auto_names(paths) == ["pos-S001-T01-20261103-100000.db"]
        fresh = backup.auto_backup(t, paths, NOW + dt.timedelta(hours=23, minutes=59))
        assert fresh.taken is None and fresh.last == NOW
        assert auto_names(paths) == ["pos-S001-T01-20261103-100000.db"]
        old = backup.auto_backup(t, paths, NOW + dt.timedelta(hours=24))
        assert old.taken is not None and old.last == NOW + dt.timedelta(hours=24)
        assert auto_names(paths) == ["pos-S001-T01-20261103-100000.db", "pos-S001-T01-20261104-100000.db"]
        # a clock that was wrong (a backup dated in the future) does not stop the backups
        back = backup.auto_backup(t, paths, NOW - dt.timedelta(days=3))
        assert back.taken is not None
    finally:
        t.close()
    assert backup.last_auto_backup(paths, "S001", "T01") == NOW + dt.timedelta(hours=24)


def test_auto_backup_rotation_keeps_exactly_keep_and_leaves_manual_backups(live: Path, paths: AppPaths) -> None:
    t = context.Terminal.open(live)
    try:
        manual = backup.take_backup(t, paths.backup_dir, now=NOW - dt.timedelta(days=30)).path
        paths.auto_backup_dir.mkdir(parents=True)
        other_till = paths.auto_backup_dir / "pos-S001-T02-20260101-000000.db"
        other_till.write_bytes(manual.read_bytes())
        note = paths.auto_backup_dir / "README.txt"
        note.write_text("kept by hand", encoding="utf-8")
        taken = []
        for day in range(6):
            r = backup.auto_backup(t, paths, NOW + dt.timedelta(days=day), keep=3)
            assert r.taken is not None
            taken.append(r.taken.path.name)
            assert len(backup.auto_backups(paths, "S001", "T01")) == min(day + 1, 3)
        assert r.removed == [paths.auto_backup_dir / taken[2]]
        with pytest.raises(InvalidInput) as err:
            backup.auto_backup(t, paths, NOW, keep=0)
        assert err.value.field == "keep"
    finally:
        t.close()
    assert auto_names(paths) == sorted([*taken[3:], other_till.name, note.name])
    assert manual.exists() and note.read_text(encoding="utf-8") == "kept by hand"
    assert sorted(p.name for p in paths.backup_dir.iterdir()) == sorted([manual.name, "auto"])
