"""The partial replica: tests/fixtures/pos-v6.db (a full replica of schema 6, enrolled with a real
headquarters) is pruned by migration 0008 after a backup, and a live till drops the members of
other stores it no longer needs (``pos-app replica prune``, keep days), never a row it owns."""

from __future__ import annotations

import json
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pos_app import cli
from pos_app.core.errors import InvalidInput
from pos_app.services import members, online, points, prune, sales, settings
from pos_app.services import sync as sync_service
from pos_app.services.context import Terminal
from pos_app.storage.database import schema_version
from pos_app.storage.integrity import run_checks
from tests.conftest import FakeClock
from tests.hq.hqserver import ThreadServer, prepare_hq
from tests.services.test_reference_examples import line
from tests.services.test_sync_service import HQ, TERMINALS, till

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "pos-v6.db"
HOME = {"13800138000": "王芳", "13900139000": "Li Lei"}  # store S001, this till's store
SERVED_HERE = "13600136000"  # 张伟 of S002: an own sale at T01 (points earned and paid)
REFERRER = "13700137000"  # 赵敏 of S002: 张伟's referrer (member.referrer_id names her)
GONE = {"13500135000": "孙丽", "13400134000": "周杰"}  # S002's members never served at T01


def run(capsys: pytest.CaptureFixture[str], db: Path, *args: str) -> dict[str, Any]:
    code = cli.main(["--db", str(db), "--json", *args])
    out = capsys.readouterr().out
    assert code == 0, out
    return dict(json.loads(out))


def _picture(con: sqlite3.Connection) -> dict[str, dict[str, Any]]:
    """Every member by phone: record, balance, debt, entries, lots, tier months, coupons."""
    out = {}
    for mid, phone, muuid, balance, debt, tier in con.execute(
            "SELECT id, phone, uuid, balance, debt, tier FROM member"):
        out[phone] = {
            "uuid": muuid, "balance": balance, "debt": debt, "tier": tier,
            "entries": sorted(con.execute("SELECT uuid, terminal_id, seq, points, hash FROM ledger_entry"
                                          " WHERE member_id = ?", (mid,)).fetchall()),
            "lots": sorted(con.execute("SELECT key, earned_on, expires_on, points, remaining FROM lot"
                                       " WHERE member_id = ?", (mid,)).fetchall()),
            "moves": sorted(con.execute("SELECT e.uuid, l.key, m.points FROM lot_move m JOIN ledger_entry e"
                                        " ON e.id = m.entry_id JOIN lot l ON l.id = m.lot_id"
                                        " WHERE l.member_id = ?", (mid,)).fetchall()),
            "tier_months": sorted(con.execute("SELECT month, points FROM tier_month WHERE member_id = ?",
                                              (mid,)).fetchall()),
            "coupons": sorted(con.execute("SELECT code, used_at FROM coupon WHERE member_id = ?", (mid,)).fetchall()),
        }
    return out


def assert_verified(report: dict[str, Any]) -> None:
    """``verify`` passes: this till's own chain complete, the other chains partial copies."""
    assert report["ok"] is True, {k: v for k, v in report["checks"].items() if not v["ok"]}
    chains = report["checks"]["hash_chains"]
    assert chains["own_chain"]["complete"] is True and chains["own_chain"]["terminal_id"] == "T01"


def test_a_full_replica_of_schema_6_becomes_partial_after_a_backup(tmp_path: Path,
                                                                     capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "pos.db"
    shutil.copyfile(FIXTURE, db)
    with sqlite3.connect(FIXTURE) as con:
        assert con.execute("PRAGMA user_version").fetchone()[0] == 6
        before = _picture(con)
        own_entries = con.execute("SELECT count(*) FROM ledger_entry WHERE terminal_id = 'T01'").fetchone()[0]
        total_before = con.execute("SELECT count(*) FROM ledger_entry").fetchone()[0]
        coupons_before = con.execute("SELECT count(*) FROM coupon").fetchone()[0]
        sales_before = con.execute("SELECT count(*) FROM sale").fetchone()[0]
    assert set(before) == {*HOME, SERVED_HERE, REFERRER, *GONE}  # a full replica: every member of the chain
    assert (own_entries, total_before) == (7, 20)

    report = run(capsys, db, "verify")  # the first open migrates
    assert_verified(report)
    assert report["checks"]["hash_chains"]["own_chain"]["entries"] == 7
    assert report["checks"]["hash_chains"]["other_chains"] == {"terminals": 1, "entries": 6, "partial": True}

    backups = list(tmp_path.glob("pos.db.v6-*.bak"))
    assert len(backups) == 1
    with sqlite3.connect(backups[0]) as con:
        assert con.execute("PRAGMA user_version").fetchone()[0] == 6
        assert _picture(con) == before
    with sqlite3.connect(db) as con:
        assert con.execute("PRAGMA user_version").fetchone()[0] == schema_version() >= 8
        after = _picture(con)
        total_after = con.execute("SELECT count(*) FROM ledger_entry").fetchone()[0]
        own_after = con.execute("SELECT count(*) FROM ledger_entry WHERE terminal_id = 'T01'").fetchone()[0]
        coupons_after = con.execute("SELECT count(*) FROM coupon").fetchone()[0]
        seen = dict(con.execute("SELECT phone, seen_at FROM member").fetchall())
        audit = con.execute("SELECT ref, details FROM audit WHERE action = 'replica.prune'").fetchall()
        triggers = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
        # deleting a member looks up who names them as referrer: indexed, not a scan per member
        assert con.execute("SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = 'member_referrer'"
                           ).fetchone() is not None
        assert con.execute("SELECT count(*) FROM sale").fetchone()[0] == sales_before
        assert con.execute("PRAGMA foreign_key_check").fetchall() == []

    # kept: home members, the member served here, her referrer; identical, every entry of theirs
    assert set(after) == {*HOME, SERVED_HERE, REFERRER}
    for phone in after:
        assert after[phone] == before[phone], phone
    assert sum(e[3] for e in after[SERVED_HERE]["entries"]) == after[SERVED_HERE]["balance"] == 357
    assert {e[1] for e in after[SERVED_HERE]["entries"]} == {"T01", "T02"}
    assert {e[1] for e in after["13800138000"]["entries"]} == {"T01", "T02"}  # 王芳 also bought at S002
    # the arithmetic: everything of the dropped members' went, nothing else, the own chain whole
    dropped = sum(len(before[p]["entries"]) for p in GONE)
    assert dropped == 7 and total_after == total_before - dropped == 13
    assert own_after == own_entries == 7
    assert total_after == sum(len(m["entries"]) for m in after.values())
    assert coupons_after == coupons_before - len(before["13500135000"]["coupons"]) == 1
    # seen here: the member's last entry of this till's own chain
    assert seen[SERVED_HERE] == "2026-10-09T10:00:00" and seen[REFERRER] is None
    assert len(audit) == 1
    counts = json.loads(audit[0][1])
    assert (counts["members"], counts["entries"], counts["coupons"], counts["members_kept"]) == (2, 7, 1, 4)
    assert {"ledger_entry_no_delete", "lot_move_no_delete", "ledger_entry_no_update"} <= triggers

    # the till sells on, to the foreign member it holds too
    assert run(capsys, db, "member", "show", SERVED_HERE)["balance"] == 357
    sale = run(capsys, db, "sale", "--amount", "100.00", "--member", SERVED_HERE, "--staff", "1001")
    assert sale["receipt_no"] == "S001-T01-00000005"
    assert run(capsys, db, "member", "show", SERVED_HERE)["balance"] == 357 + sale["points_earned"]
    assert_verified(run(capsys, db, "verify"))
    assert len(list(tmp_path.glob("pos.db.v*.bak"))) == 1  # migrated once


def test_a_till_never_enrolled_has_nothing_to_prune(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "pos.db"
    shutil.copyfile(FIXTURE.with_name("pos-v5.db"), db)
    assert run(capsys, db, "verify")["ok"] is True
    with sqlite3.connect(db) as con:
        assert con.execute("SELECT count(*) FROM ledger_entry").fetchone()[0] == 9
        assert con.execute("SELECT count(*) FROM audit WHERE action = 'replica.prune'").fetchone()[0] == 0
    out = run(capsys, db, "replica", "prune")
    assert out["members"] == 0 and out["skipped"]


# -- a live till --------------------------------------------------------------------------------


@pytest.fixture
def hq(tmp_path: Path) -> Iterator[HQ]:
    url = f"sqlite:///{tmp_path / 'hq.db'}"
    codes = prepare_hq(url, TERMINALS)
    with ThreadServer(url) as server:
        yield HQ(server, codes)


@pytest.fixture
def two_stores(hq: HQ, tmp_path: Path, clock: FakeClock) -> Iterator[tuple[Terminal, Terminal]]:
    a, b = till(tmp_path, "S01-T1", clock), till(tmp_path, "S02-T1", clock)
    sync_service.enroll(a, hq.url, hq.codes["S01-T1"])
    sync_service.enroll(b, hq.url, hq.codes["S02-T1"])
    yield a, b
    a.close()
    b.close()


def _held(t: Terminal, phone: str) -> bool:
    return t.database.execute("SELECT 1 FROM member WHERE phone = ?", (phone,)).fetchone() is not None


def _checks_ok(t: Terminal) -> None:
    bad = {k: v for k, v in run_checks(t.database).items() if not v["ok"]}
    assert not bad, bad


def identified(t: Terminal, phone: str) -> None:
    """The counter identifies a member: an online lookup brings them (and subscribes this till)."""
    found = online.identify(t, phone, budget=30)
    assert found.member.phone == phone and found.source in ("hq", "local")


def test_keep_days_drops_members_of_other_stores_no_longer_seen(two_stores: tuple[Terminal, Terminal],
                                                               clock: FakeClock) -> None:
    a, b = two_stores
    served = members.enroll_member(a, phone="13800000011", name="served", staff_code="1001")
    seen = members.enroll_member(a, phone="13800000012", name="seen", staff_code="1001")
    edited = members.enroll_member(a, phone="13800000013", name="edited", staff_code="1001")
    other = members.enroll_member(a, phone="13800000014", name="other", staff_code="1001")
    for m in (served, seen, edited, other):
        sales.record_sale(a, lines=[line(1, 10000)], member_ref=m.phone, staff_code="1001")
    sync_service.sync_once(a)
    for m in (served, seen, edited, other):  # all four shop at store S02 once
        identified(b, m.phone)
    sales.record_sale(b, lines=[line(1, 5000)], member_ref=served.phone, staff_code="1001")  # own entries
    members.update_member(b, member_ref=edited.phone, staff_code="1001", name="edited at S02")
    sync_service.sync_once(b)
    clock.advance(days=20)
    identified(b, seen.phone)  # seen again
    entries = b.database.execute("SELECT count(*) FROM ledger_entry").fetchone()[0]
    other_entries = b.database.execute("SELECT count(*) FROM ledger_entry e JOIN member m ON m.id = e.member_id"
                                       " WHERE m.uuid = ?", (other.uuid,)).fetchone()[0]
    assert other_entries == 2  # held with every entry (sign-up award, the sale at S01)
    balances = {m.phone: members.find_member(b, m.phone).balance for m in (served, seen, edited)}
    assert prune.prune_replica(b).members == 0  # nobody is 30 days past being seen yet

    clock.advance(days=11)
    report = prune.prune_replica(b, staff_code="9001")
    assert (report.members, report.entries, report.keep_days) == (1, other_entries, 30)
    assert not _held(b, other.phone)
    assert all(_held(b, m.phone) for m in (served, seen, edited))
    assert {m.phone: members.find_member(b, m.phone).balance for m in (served, seen, edited)} == balances
    assert b.database.execute("SELECT count(*) FROM ledger_entry").fetchone()[0] == entries - other_entries
    audit = b.repo.rows("SELECT staff_code, details FROM audit WHERE action = 'replica.prune'")
    assert len(audit) == 1 and audit[0]["staff_code"] == "9001" and json.loads(audit[0]["details"])["members"] == 1
    _checks_ok(b)

    # 30 days later the member seen here goes too; served and edited here stay (rows of this till)
    clock.advance(days=30)
    assert prune.daily_prune(b) is not None
    assert not _held(b, seen.phone) and _held(b, served.phone) and _held(b, edited.phone)
    assert prune.daily_prune(b) is None  # once a day
    _checks_ok(b)
    # the member dropped comes back complete when identified again; home store's till keeps its own
    identified(b, other.phone)
    assert members.find_member(b, other.phone).balance == members.find_member(a, other.phone).balance
    sales.record_sale(b, lines=[line(1, 5000)], member_ref=served.phone, staff_code="1001")
    assert prune.prune_replica(a).members == 0
    assert sync_service.sync_once(b).waiting == 0
    _checks_ok(b)


def test_a_member_with_a_pending_row_is_never_dropped(two_stores: tuple[Terminal, Terminal], clock: FakeClock,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    a, b = two_stores
    m = members.enroll_member(a, phone="13800000021", name="pending", staff_code="1001")
    sales.record_sale(a, lines=[line(1, 10000)], member_ref=m.phone, staff_code="1001")
    sync_service.sync_once(a)
    identified(b, m.phone)
    clock.advance(days=40)
    points.redeem_gift(b, member_ref=m.card_no, gift_code="G001", staff_code="1001")  # HQ has not heard of it
    assert sync_service.status(b).waiting > 0
    out = run(capsys, b.database.path, "replica", "prune", "--keep-days", "30")
    assert out["members"] == 0 and out["members_kept"] == 1 and _held(b, m.phone)


def test_keep_days_is_validated(two_stores: tuple[Terminal, Terminal], capsys: pytest.CaptureFixture[str]) -> None:
    a, _ = two_stores
    assert settings.load_settings(a).replica_keep_days == 30
    for bad in ("0", "29", "abc", "4000", "-1"):  # never below headquarters' subscription window
        with pytest.raises(InvalidInput) as err:
            settings.set_setting(a, "replica.keep_days", bad)
        assert err.value.field == "replica.keep_days"
    assert settings.set_setting(a, "replica.keep_days", "45")
    assert prune.prune_replica(a).keep_days == 45
    with pytest.raises(InvalidInput):
        prune.prune_replica(a, keep_days=0)
    code = cli.main(["--db", str(a.database.path), "--json", "replica", "prune", "--keep-days", "x"])
    assert code == 2 and "keep_days" in capsys.readouterr().out


def test_a_day_with_nothing_to_drop_never_takes_the_write_lock(two_stores: tuple[Terminal, Terminal],
                                                               clock: FakeClock) -> None:
    """The members to drop are counted in a read snapshot first: while the counter holds the
    write lock (a sale), a prune with nothing to drop returns at once instead of waiting."""
    from pos_app.storage.prune import prune_database

    a, b = two_stores
    m = members.enroll_member(a, phone="13800000061", name="home", staff_code="1001")
    sync_service.sync_once(a)
    identified(b, m.phone)
    sales.record_sale(b, lines=[line(1, 5000)], member_ref=m.phone, staff_code="1001")  # kept: served here
    counter = sqlite3.connect(b.database.path, timeout=0)
    try:
        counter.execute("BEGIN IMMEDIATE")
        report = prune_database(b.database, today=clock.now.date())
        assert (report.members, report.members_kept) == (0, 1)
    finally:
        counter.execute("ROLLBACK")
        counter.close()


def test_a_till_never_drops_a_member_headquarters_still_sends() -> None:
    """replica.keep_days has headquarters' subscription window as its floor: a member dropped
    while HQ still fans out their changes would come back as a placeholder with only the later
    entries (storage cannot import hq, so the two constants are tied here)."""
    from pos_app.hq import feed
    from pos_app.storage import prune as storage_prune

    assert storage_prune.MIN_KEEP_DAYS >= feed.SUBSCRIPTION_KEEP_DAYS
    assert storage_prune.DEFAULT_KEEP_DAYS >= feed.SUBSCRIPTION_KEEP_DAYS
