"""Databases made by earlier releases (tests/fixtures/pos-v3.db and pos-v4.db, schemas 3 and 4)
open in this build: migrated after a backup, every entry and balance kept, and the till sells on."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from pos_app import cli
from pos_app.storage.database import schema_version

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "pos-v3.db"

pytestmark = pytest.mark.usefixtures("daytime")  # sales "now" earn by the time of day


def run(capsys: pytest.CaptureFixture[str], db: Path, *args: str) -> dict[str, object]:
    code = cli.main(["--db", str(db), "--json", *args])
    out = capsys.readouterr().out
    assert code == 0, out
    return dict(json.loads(out))


def test_the_previous_release_database_is_migrated_after_a_backup(tmp_path: Path,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "pos.db"
    shutil.copyfile(FIXTURE, db)
    with sqlite3.connect(FIXTURE) as con:
        assert con.execute("PRAGMA user_version").fetchone()[0] == 3
    assert schema_version() > 3

    report = run(capsys, db, "verify")  # the first open migrates
    assert report["ok"] is True

    backups = list(tmp_path.glob("pos.db.v3-*.bak"))
    assert len(backups) == 1
    with sqlite3.connect(backups[0]) as con:
        assert con.execute("PRAGMA user_version").fetchone()[0] == 3
        assert con.execute("SELECT count(*) FROM ledger_entry").fetchone()[0] == 7
    with sqlite3.connect(db) as con:
        assert con.execute("PRAGMA user_version").fetchone()[0] == schema_version()
        assert con.execute("SELECT count(*) FROM ledger_entry").fetchone()[0] == 7

    assert run(capsys, db, "member", "show", "13800138000")["balance"] == 427
    assert run(capsys, db, "member", "show", "13900139000")["balance"] == 50
    sale = run(capsys, db, "sale", "--amount", "100.00", "--member", "13800138000", "--staff", "1001")
    assert sale["receipt_no"] == "S001-T01-00000005" and sale["points_earned"] == 100
    assert run(capsys, db, "member", "show", "13800138000")["balance"] == 527
    assert run(capsys, db, "verify")["ok"] is True
    assert len(list(tmp_path.glob("pos.db.v*.bak"))) == 1  # migrated once, not on every open


FIXTURE_V4 = FIXTURE.with_name("pos-v4.db")


def test_the_schema_4_release_database_is_migrated_and_refunds_give_coupons_back(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """tests/fixtures/pos-v4.db (the release before migration 0005): its refund keeps no coupon,
    and a refund made now of its coupon sale gives the coupon back."""
    db = tmp_path / "pos.db"
    shutil.copyfile(FIXTURE_V4, db)
    with sqlite3.connect(FIXTURE_V4) as con:
        assert con.execute("PRAGMA user_version").fetchone()[0] == 4
    assert run(capsys, db, "verify")["ok"] is True
    assert len(list(tmp_path.glob("pos.db.v4-*.bak"))) == 1
    with sqlite3.connect(db) as con:
        assert con.execute("PRAGMA user_version").fetchone()[0] == schema_version()
        assert con.execute("SELECT count(*) FROM ledger_entry").fetchone()[0] == 9
        assert con.execute("SELECT refund_no, coupon_returned FROM refund").fetchall() == [
            ("S001-T01-00000002-R1", None)]
        assert con.execute("SELECT used_receipt_no FROM coupon WHERE code = 'CPE8198C39884E'").fetchone() == (
            "S001-T01-00000005",)
    assert run(capsys, db, "member", "show", "13800138000")["balance"] == 376
    refund = run(capsys, db, "refund", "S001-T01-00000005", "--staff", "1001")
    assert refund["coupon_returned"] == "CPE8198C39884E" and refund["complete"] is True
    assert run(capsys, db, "member", "show", "13800138000")["balance"] == 327  # the sale's 49 points back out
    sale = run(capsys, db, "sale", "--amount", "10.00", "--member", "13800138000", "--coupon", "CPE8198C39884E",
               "--staff", "1001")
    assert sale["coupon_fen"] == 100
    assert run(capsys, db, "verify")["ok"] is True


FIXTURE_V5 = FIXTURE.with_name("pos-v5.db")


def test_the_schema_5_release_database_gets_the_lot_entry_index(tmp_path: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    """tests/fixtures/pos-v5.db (the release before migration 0006): crediting a lot counts the
    lots of its entry through an index instead of scanning the lot table, and its lots keep their keys."""
    db = tmp_path / "pos.db"
    shutil.copyfile(FIXTURE_V5, db)
    count_sql = "SELECT count(*) FROM lot WHERE entry_id = ?"
    with sqlite3.connect(FIXTURE_V5) as con:
        assert con.execute("PRAGMA user_version").fetchone()[0] == 5
        plan = " ".join(r[3] for r in con.execute(f"EXPLAIN QUERY PLAN {count_sql}", (1,)))
        assert "SCAN lot" in plan and "lot_entry" not in plan
        keys = con.execute("SELECT id, key FROM lot ORDER BY id").fetchall()
    assert run(capsys, db, "verify")["ok"] is True
    assert len(list(tmp_path.glob("pos.db.v5-*.bak"))) == 1
    with sqlite3.connect(db) as con:
        assert con.execute("PRAGMA user_version").fetchone()[0] == schema_version()
        plan = " ".join(r[3] for r in con.execute(f"EXPLAIN QUERY PLAN {count_sql}", (1,)))
        assert "USING COVERING INDEX lot_entry" in plan, plan
        assert con.execute("SELECT id, key FROM lot ORDER BY id").fetchall() == keys
    assert run(capsys, db, "member", "show", "13800138000")["balance"] == 376
    sale = run(capsys, db, "sale", "--amount", "100.00", "--member", "13800138000", "--staff", "1001")
    assert sale["receipt_no"] == "S001-T01-00000006" and sale["points_earned"] == 100
    with sqlite3.connect(db) as con:
        new_key, entry_uuid = con.execute("SELECT l.key, e.uuid FROM lot l JOIN ledger_entry e ON e.id = l.entry_id"
                                          " ORDER BY l.id DESC LIMIT 1").fetchone()
    assert new_key == entry_uuid
    assert run(capsys, db, "verify")["ok"] is True


FIXTURE_V8 = FIXTURE.with_name("pos-v8.db")


def test_the_schema_8_release_database_learns_merged_members(tmp_path: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    """tests/fixtures/pos-v8.db (the release before migration 0009): migrated after a backup, its
    members gain ``merged_into`` (empty), balances and entries kept; a member merged at
    headquarters (the record naming the surviving member) then leads to that member."""
    from pos_app.services.context import Terminal
    from pos_app.services.members import find_member
    from pos_app.storage import replica

    db = tmp_path / "pos.db"
    shutil.copyfile(FIXTURE_V8, db)
    with sqlite3.connect(FIXTURE_V8) as con:
        assert con.execute("PRAGMA user_version").fetchone()[0] == 8
        assert "merged_into" not in {r[1] for r in con.execute("PRAGMA table_info(member)")}
    assert run(capsys, db, "verify")["ok"] is True
    assert len(list(tmp_path.glob("pos.db.v8-*.bak"))) == 1
    with sqlite3.connect(db) as con:
        assert con.execute("PRAGMA user_version").fetchone()[0] == schema_version()
        assert con.execute("SELECT count(*) FROM ledger_entry").fetchone()[0] == 7
        rows = con.execute("SELECT uuid, card_no, merged_into FROM member ORDER BY id").fetchall()
    assert [r[2] for r in rows] == [None, None]
    assert run(capsys, db, "member", "show", "13800138000")["balance"] == 427
    (wang, wang_card, _), (li, _li_card, _) = rows
    t = Terminal.open(db)
    try:
        replica.apply_changes(t.database, t.terminal_id, t.store_id, [
            {"id": 1, "kind": "member", "data": {"uuid": li, "status": "frozen", "merged_into": wang}}])
        assert find_member(t, "13900139000").uuid == wang  # Li Lei's phone leads to the surviving member
        assert find_member(t, li).uuid == wang and find_member(t, wang_card).uuid == wang
    finally:
        t.close()
    assert run(capsys, db, "verify")["ok"] is True


FIXTURE_V9 = FIXTURE.with_name("pos-v9.db")


def test_the_schema_9_release_database_gets_one_tender_per_sale(tmp_path: Path,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    """tests/fixtures/pos-v9.db (the release before migration 0010): migrated after a backup,
    each old sale gets its one tender (its kind, the amount it paid), balances and entries
    kept, and the till then takes split tenders with change."""
    db = tmp_path / "pos.db"
    shutil.copyfile(FIXTURE_V9, db)
    with sqlite3.connect(FIXTURE_V9) as con:
        assert con.execute("PRAGMA user_version").fetchone()[0] == 9
        assert "sale_tender" not in {r[0] for r in con.execute("SELECT name FROM sqlite_master")}
    assert run(capsys, db, "verify")["ok"] is True
    assert len(list(tmp_path.glob("pos.db.v9-*.bak"))) == 1
    with sqlite3.connect(db) as con:
        assert con.execute("PRAGMA user_version").fetchone()[0] == schema_version()
        assert con.execute("SELECT count(*) FROM ledger_entry").fetchone()[0] == 8
        tenders = con.execute("SELECT s.receipt_no, t.kind, t.amount_fen, t.given_fen, s.change_fen FROM sale s"
                              " JOIN sale_tender t ON t.sale_id = s.id ORDER BY s.id").fetchall()
        assert con.execute("SELECT count(*) FROM suspended_sale").fetchone()[0] == 0
    assert tenders == [("S001-T01-00000001", "cash", 25800, 25800, 0), ("S001-T01-00000002", "card", 9990, 9990, 0),
                       ("S001-T01-00000003", "wechat", 11900, 11900, 0), ("S001-T01-00000004", "cash", 3500, 3500, 0)]
    assert run(capsys, db, "member", "show", "13800138000")["balance"] == 327
    sale = run(capsys, db, "sale", "--amount", "100.00", "--member", "13800138000", "--staff", "1001",
               "--pay", "card=60", "--pay", "cash=50")
    assert sale["receipt_no"] == "S001-T01-00000005" and sale["change_fen"] == 1000
    assert run(capsys, db, "verify")["ok"] is True


FIXTURE_V10 = FIXTURE.with_name("pos-v10.db")


def test_the_schema_10_release_database_gets_the_report_indexes(tmp_path: Path,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    """tests/fixtures/pos-v10.db (the release before migration 0011): migrated after a backup,
    the store report's range over business days reads an index instead of the whole ledger,
    balances and entries kept, and the report's figures come out of the old entries."""
    db = tmp_path / "pos.db"
    shutil.copyfile(FIXTURE_V10, db)
    sql = ("SELECT staff_code, sum(points) FROM ledger_entry WHERE terminal_id = ? AND business_date >= ?"
           " AND business_date <= ? GROUP BY 1")
    with sqlite3.connect(FIXTURE_V10) as con:
        assert con.execute("PRAGMA user_version").fetchone()[0] == 10
        plan = " ".join(r[3] for r in con.execute(f"EXPLAIN QUERY PLAN {sql}", ("T01", "2026-10-01", "2026-10-31")))
        assert "ledger_business_day" not in plan and "business_date" not in plan  # every entry of the till read
    assert run(capsys, db, "verify")["ok"] is True
    assert len(list(tmp_path.glob("pos.db.v10-*.bak"))) == 1
    with sqlite3.connect(db) as con:
        assert con.execute("PRAGMA user_version").fetchone()[0] == schema_version()
        assert con.execute("SELECT count(*) FROM ledger_entry").fetchone()[0] == 8
        plan = " ".join(r[3] for r in con.execute(f"EXPLAIN QUERY PLAN {sql}", ("T01", "2026-10-01", "2026-10-31")))
        assert "USING COVERING INDEX ledger_business_day" in plan, plan
    assert run(capsys, db, "member", "show", "13800138000")["balance"] == 327
    rep = run(capsys, db, "report", "--from", "2026-10-01", "--to", "2026-10-09", "--by", "store",
              "--manager", "9001", "--manager-pin", "2468")
    # issued: two sign-ups 100, earned 358 + 199 + 119; redeemed 100 paid + the gift's 100; refund claws back 199
    assert {k: rep["total"][k] for k in ("sales", "points_issued", "points_redeemed", "refunds", "points_clawed_back",
                                         "gifts", "coupons_issued")} == {
        "sales": 4, "points_issued": 776, "points_redeemed": 200, "refunds": 1, "points_clawed_back": 199,
        "gifts": 1, "coupons_issued": 1}


FIXTURE_V11 = FIXTURE.with_name("pos-v11.db")
DONATION_DEMO = Path(__file__).resolve().parents[2] / "db" / "campaigns" / "donation-demo.toml"


def test_the_schema_11_release_database_learns_campaigns(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """tests/fixtures/pos-v11.db (the release before migration 0012): migrated after a backup, it
    gets the campaign table, keeps its entries and balances, and keeps and lists a campaign."""
    db = tmp_path / "pos.db"
    shutil.copyfile(FIXTURE_V11, db)
    with sqlite3.connect(FIXTURE_V11) as con:
        assert con.execute("PRAGMA user_version").fetchone()[0] == 11
        assert "campaign" not in {r[0] for r in con.execute("SELECT name FROM sqlite_master")}
    assert run(capsys, db, "verify")["ok"] is True
    assert len(list(tmp_path.glob("pos.db.v11-*.bak"))) == 1
    with sqlite3.connect(db) as con:
        assert con.execute("PRAGMA user_version").fetchone()[0] == schema_version()
        assert con.execute("SELECT count(*) FROM ledger_entry").fetchone()[0] == 8
        assert con.execute("SELECT count(*) FROM campaign").fetchone()[0] == 0
    assert run(capsys, db, "member", "show", "13800138000")["balance"] == 327
    assert run(capsys, db, "member", "show", "13900139000")["balance"] == 50
    loaded = run(capsys, db, "campaign", "load", str(DONATION_DEMO), "--staff", "9001")
    assert loaded["id"] == "DONATE-2026-BOOKS" and loaded["new"] is True
    listed = json.loads(_out(capsys, db, "campaign", "list"))
    assert [(c["id"], c["kind"], c["version"]) for c in listed] == [("DONATE-2026-BOOKS", "donation", 1)]
    with sqlite3.connect(db) as con:
        assert con.execute("SELECT staff_code, ref FROM audit WHERE action = 'campaign.load'").fetchall() == [
            ("9001", "DONATE-2026-BOOKS@1")]
    assert run(capsys, db, "verify")["ok"] is True


def _out(capsys: pytest.CaptureFixture[str], db: Path, *args: str) -> str:
    code = cli.main(["--db", str(db), "--json", *args])
    out = capsys.readouterr().out
    assert code == 0, out
    return out
