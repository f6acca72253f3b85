"""Headquarters' member administration without HTTP: search, a member's file, revoking a card,
adjustments on headquarters' chain and their maker-checker approval (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from pathlib import Path
from typing import Any

import pytest

from pos_app.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied, RuleViolation
from pos_app.core.members import make_card_number
from pos_app.hq import authority, db, verify
from pos_app.hq import members_admin as admin

REPO = Path(__file__).resolve().parents[2]
SOURCE = (REPO / "db" / "reference-program.toml").read_text(encoding="utf-8")
TODAY = dt.date(2026, 11, 20)


@pytest.fixture
def program(hq_db: Any) -> Any:
    return authority.publish_program(SOURCE, actor="test")


def member(phone: str, name: str = "张三", *, card: int = 1, store: str = "S01") -> db.Member:
    return db.Member.create(uuid=str(uuid.uuid4()), phone=phone, name=name, card_no=make_card_number(card),
                            store_id=store, tier="normal", enrolled_at="2026-01-01T10:00:00")


def reload(m: db.Member) -> db.Member:
    return db.Member.get(db.Member.uuid == m.uuid)


def audits(action: str) -> list[dict[str, Any]]:
    return [json.loads(a.details) for a in db.Audit.select().where(db.Audit.action == action).order_by(db.Audit.id)]


def hq_entries(m: db.Member) -> list[db.Entry]:
    return list(db.Entry.select().where((db.Entry.member_uuid == m.uuid) & (db.Entry.terminal_id == db.HQ_CHAIN))
                .order_by(db.Entry.seq))


def test_search_by_phone_card_uuid_and_name_prefix_within_a_store(program: Any) -> None:
    a = member("13800000001", "张三", card=1)
    b = member("13800000002", "张三丰", card=2, store="S02")
    member("13800000003", "李四", card=3)
    assert [m.uuid for m in admin.search_members("138 0000 0001").rows] == [a.uuid]
    assert admin.search_members("+86 13800000002").by == "phone"
    found = admin.search_members(make_card_number(2))
    assert (found.by, [m.uuid for m in found.rows]) == ("card", [b.uuid])
    assert [m.uuid for m in admin.search_members(a.uuid).rows] == [a.uuid]
    assert {m.uuid for m in admin.search_members("张三").rows} == {a.uuid, b.uuid}
    assert [m.uuid for m in admin.search_members("张三", store_id="S01").rows] == [a.uuid]
    assert admin.search_members("三").rows == []  # a prefix, not a substring
    prefix = admin.search_members("1380000")  # a phone's first digits, in phone order
    assert (prefix.by, [m.phone for m in prefix.rows]) == ("phone", ["13800000001", "13800000002", "13800000003"])
    assert [m.phone for m in admin.search_members("138 0000", store_id="S02").rows] == ["13800000002"]
    assert admin.search_members("1390").rows == [] and admin.search_members("29000").rows == []
    assert admin.search_members("%").rows == [] and admin.search_members("_").rows == []  # no wildcards
    page1 = admin.search_members("张", limit=1)
    page2 = admin.search_members("张", limit=1, offset=1)
    assert page1.more and not page2.more and {page1.rows[0].uuid, page2.rows[0].uuid} == {a.uuid, b.uuid}
    assert admin.search_members("").rows == []
    with pytest.raises(InvalidInput) as exc:
        admin.search_members("x" * 41)
    assert exc.value.field == "q"


def test_a_name_prefix_is_an_index_range_in_code_point_order(program: Any, hq_db: Any) -> None:
    """Names starting with the text, every one, in code point order then uuid (whatever the
    database's collation), paged; names just past the prefix's range are not listed."""
    names = ["王", "王五", "王\U0010ffff", "王a", "王Z", "玌", "汪", "Wang", "wang", "王二小"]
    made = {name: member(f"1390000{i:04d}", name, card=10 + i) for i, name in enumerate(names)}
    found = admin.search_members("王", limit=50)
    expected = sorted((n for n in names if n.startswith("王")), key=lambda n: (n, made[n].uuid))
    assert (found.by, [m.name for m in found.rows]) == ("name", expected)
    pages = [admin.search_members("王", limit=2, offset=i).rows for i in range(0, 6, 2)]
    assert [m.name for page in pages for m in page] == expected
    assert [m.name for m in admin.search_members("王\U0010ffff").rows] == ["王\U0010ffff"]
    assert [m.name for m in admin.search_members("W").rows] == ["Wang"]  # case as typed
    assert "member_name_uuid" in index_plan(hq_db, "王")


def index_plan(database: Any, prefix: str) -> str:
    """The plan of the name search (with sequential scans off on PostgreSQL: a small table)."""
    from pos_app.hq import members_admin

    captured: list[tuple[str, tuple[Any, ...]]] = []
    real = database.execute_sql

    def spy(sql: str, params: Any = None, *args: Any, **kwargs: Any) -> Any:
        if "FROM \"member\"" in sql and not captured:
            captured.append((sql, tuple(params or ())))
        return real(sql, params, *args, **kwargs)

    database.execute_sql = spy
    try:
        members_admin.search_members(prefix)
    finally:
        del database.execute_sql
    sql, params = captured[0]
    if db.is_postgres(database):
        database.execute_sql("SET enable_seqscan = off")
        try:
            return "\n".join(r[0] for r in database.execute_sql("EXPLAIN " + sql, params).fetchall())
        finally:
            database.execute_sql("SET enable_seqscan = on")
    return "\n".join(str(r[-1]) for r in database.execute_sql("EXPLAIN QUERY PLAN " + sql, params).fetchall())


def test_a_small_adjustment_is_written_on_headquarters_chain_and_published(program: Any) -> None:
    m = member("13800000001")
    done = admin.request_adjustment(m.uuid, "300", "goodwill after a complaint", actor="staff:market", today=TODAY)
    assert done.status == "done" and done.balance == 300
    [entry] = hq_entries(m)
    assert (entry.kind, entry.points, entry.ref_type) == ("adjust", 300, "adjust")
    assert json.loads(entry.breakdown) == {"made_by": "staff:market", "reason": "goodwill after a complaint"}
    [lot] = db.Lot.select().where(db.Lot.member_uuid == m.uuid)
    assert (lot.earned_on, lot.remaining) == (TODAY.isoformat(), 300) and lot.expires_on is not None
    assert db.Change.select().where((db.Change.kind == "entry") | (db.Change.kind == "member")).count() >= 2
    taken = admin.request_adjustment(m.uuid, -120, "correction", actor="staff:market", today=TODAY)
    assert taken.balance == 180 and reload(m).balance == 180
    assert db.Lot.get(db.Lot.member_uuid == m.uuid).remaining == 180
    assert [a["points"] for a in audits("member.adjust")] == [300, -120]
    report = verify.verify()
    assert report["ok"], report


def test_bad_adjustments_name_the_field_and_write_nothing(program: Any) -> None:
    m = member("13800000001")
    admin.request_adjustment(m.uuid, 50, "opening", actor="staff:market", today=TODAY)
    before = (db.Entry.select().count(), db.Approval.select().count(), db.Audit.select().count())
    for points, reason, field in (("abc", "ok reason", "points"), ("0", "ok reason", "points"),
                                  ("1.5", "ok reason", "points"), ("10", "", "reason"), ("10", "x", "reason"),
                                  ("-51", "too much", "points"), (str(10**10), "big", "points")):
        with pytest.raises(InvalidInput) as exc:
            admin.request_adjustment(m.uuid, points, reason, actor="staff:market", today=TODAY)
        assert exc.value.field == field, (points, reason)
    with pytest.raises(NotFound):
        admin.request_adjustment(str(uuid.uuid4()), 10, "ok reason", actor="staff:market")
    assert (db.Entry.select().count(), db.Approval.select().count(), db.Audit.select().count()) == before
    assert reload(m).balance == 50


def test_a_large_adjustment_waits_for_a_second_person(program: Any) -> None:
    m = member("13800000001")
    pending = admin.request_adjustment(m.uuid, 5000, "lost receipts from the flood", actor="staff:market",
                                       today=TODAY)
    assert pending.status == "pending" and pending.approval_id is not None
    assert hq_entries(m) == [] and reload(m).balance == 0
    [row] = admin.pending_approvals()
    assert (row["points"], row["made_by"], row["member_uuid"]) == (5000, "staff:market", m.uuid)
    with pytest.raises(PermissionDenied):
        admin.decide(pending.approval_id, approve=True, actor="staff:market", today=TODAY)
    assert hq_entries(m) == []
    done = admin.decide(str(pending.approval_id), approve=True, actor="staff:finance", today=TODAY)
    assert done.status == "approved" and done.balance == 5000
    [entry] = hq_entries(m)
    assert entry.points == 5000 and json.loads(entry.breakdown)["approved_by"] == "staff:finance"
    assert entry.ref_no == f"HQADJ-{pending.approval_id}"
    with pytest.raises(Conflict):
        admin.decide(pending.approval_id, approve=False, actor="staff:admin")
    assert admin.pending_approvals() == []
    assert [a["approval"] for a in audits("member.adjust_requested")] == [pending.approval_id]
    assert [a["made_by"] for a in audits("member.adjust_approved")] == ["staff:market"]


def test_a_rejected_adjustment_writes_no_entry_and_the_threshold_is_a_setting(program: Any) -> None:
    m = member("13800000001")
    db.Setting.create(key=admin.APPROVAL_SETTING, value="100")
    assert admin.approval_threshold() == 100
    assert admin.request_adjustment(m.uuid, 100, "at the threshold", actor="staff:a", today=TODAY).status == "done"
    assert admin.request_adjustment(m.uuid, 100, "again", actor="staff:a", today=TODAY).status == "done"
    pending = admin.request_adjustment(m.uuid, -101, "above it either way", actor="staff:a", today=TODAY)
    assert pending.status == "pending"
    admin.decide(pending.approval_id, approve=False, actor="staff:b", note="no evidence")
    assert reload(m).balance == 200 and len(hq_entries(m)) == 2
    assert audits("member.adjust_rejected")[0]["note"] == "no evidence"
    with pytest.raises(InvalidInput):
        admin.decide("x", approve=True, actor="staff:b")
    with pytest.raises(NotFound):
        admin.decide(9999, approve=True, actor="staff:b")


def test_an_approved_debit_is_checked_against_the_balance_at_approval(program: Any) -> None:
    m = member("13800000001")
    admin.request_adjustment(m.uuid, 900, "opening", actor="staff:a", today=TODAY)
    admin.request_adjustment(m.uuid, 900, "opening 2", actor="staff:a", today=TODAY)
    pending = admin.request_adjustment(m.uuid, -1500, "take back", actor="staff:a", today=TODAY)
    admin.request_adjustment(m.uuid, -900, "spent meanwhile", actor="staff:a", today=TODAY)
    with pytest.raises(InvalidInput) as exc:
        admin.decide(pending.approval_id, approve=True, actor="staff:b", today=TODAY)
    assert exc.value.field == "points"
    assert reload(m).balance == 900 and db.Approval.get_by_id(pending.approval_id).status == "pending"


def test_a_merged_member_is_not_adjusted_and_revoking_needs_a_reason(program: Any) -> None:
    m = member("13800000001")
    other = member("13800000002", card=2)
    db.Member.update(merged_into=other.uuid).where(db.Member.uuid == m.uuid).execute()
    with pytest.raises(RuleViolation):
        admin.request_adjustment(m.uuid, 10, "ok reason", actor="staff:a")
    with pytest.raises(InvalidInput) as exc:
        admin.revoke_card(other.uuid, " ", actor="staff:a")
    assert exc.value.field == "reason" and db.Revoked.select().count() == 0
    admin.revoke_card(other.uuid, "reported stolen", actor="staff:a")
    assert admin.card_revoked(other.card_no) is not None
    with pytest.raises(Conflict):
        admin.revoke_card(other.uuid, "again", actor="staff:a")


def test_the_members_file(program: Any) -> None:
    m = member("13800000001")
    for i in range(5):
        admin.request_adjustment(m.uuid, 10 + i, f"reason {i}", actor="staff:a", today=TODAY)
    first = admin.history(m.uuid, limit=2)
    assert [e["points"] for e in first.entries] == [14, 13] and first.next_before is not None
    second = admin.history(m.uuid, before=first.next_before, limit=2)
    assert [e["points"] for e in second.entries] == [12, 11]
    assert ("reason", "reason 4") in first.entries[0]["rules"]
    assert sorted(lot.remaining for lot in admin.live_lots(m.uuid)) == [10, 11, 12, 13, 14]
    assert admin.stores_visited(m.uuid) == []  # headquarters' own entries are no visit
    rows = admin.breakdown_rows("earn", json.dumps({"credited_purchase": 200, "sale_multipliers": [
        {"id": "gold", "multiplier": "3/2"}], "bonuses": [{"id": "first_purchase", "points": 100}],
        "daily_cap_cut": 0, "total": 300}))
    assert rows == [("purchase", "200"), ("× gold", "3/2"), ("first_purchase", "100"), ("total", "300")]
    assert admin.tier_history(m) == []
    for i, (store, ref) in enumerate((("S01", m.uuid), ("S02", m.uuid), ("S01", str(uuid.uuid4())))):
        db.Event.create(terminal_id=f"T{i}", oid=1, store_id=store, kind="tier", ref=ref,
                        payload=json.dumps({"from": "normal", "to": "silver", "reason": "upgrade"}),
                        created_at=f"2026-11-0{i + 1}T10:00:00", received_at=db.utcnow())
    db.Audit.create(at="2026-11-05T00:00:00+00:00", actor="hq", action="tier.upgrade", ref=m.uuid,
                    details=json.dumps({"from": "silver", "to": "gold", "at": "2026-11-05"}))
    changes = admin.tier_history(m)  # S02's event is not found: the member never shopped there
    assert [(c["to"], c["source"]) for c in changes] == [("gold", "hq"), ("silver", "T0")]
