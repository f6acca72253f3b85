"""Push at headquarters: idempotency, chain continuity, all-or-nothing, projections equal to
the terminal's, overdrafts, double expiries, coupons used twice, HQ's own chain."""

from __future__ import annotations

import datetime as dt
import json
import uuid as uuid_mod
from pathlib import Path
from typing import Any

import pytest

from pos_app.core.chain import GENESIS_HASH, HASHED_FIELDS, entry_hash
from pos_app.core.earning import SaleLine
from pos_app.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from pos_app.core.replica import Effects, NewLot
from pos_app.hq import db, feed, ingest
from pos_app.services import context, demo, points, sales
from pos_app.services.members import find_member
from tests.conftest import FakeClock
from tests.hq.conftest import (
    Till,
    batch,
    member_event,
    push,
    push_outbox,
    register,
    terminal_lots,
)

M1 = str(uuid_mod.uuid4())
M2 = str(uuid_mod.uuid4())


def counts() -> dict[str, int]:
    return {m.__name__: m.select().count() for m in (db.Entry, db.Event, db.Lot, db.LotMove, db.Member, db.Change,
                                                       db.Flag, db.Batch, db.TierMonth, db.Coupon)}


def member(uuid: str) -> db.Member:
    return db.Member.get(db.Member.uuid == uuid)


def known(till: Till, term: db.Terminal, uuid: str = M1, phone: str = "13800000001",
          card: str = "2900000000018") -> None:
    push(term, till.batch([], [member_event(till, uuid, phone=phone, card_no=card)]))


# -- a real terminal ------------------------------------------------------------------------------


def _sell(t: context.Terminal, ref: str, fen: int, *, points_paid: int = 0, coupon: str | None = None) -> str:
    line = SaleLine(line_no=1, sku="CUP", name="保温杯", category="home", qty=1, unit_price_fen=fen)
    return sales.record_sale(t, lines=[line], member_ref=ref, points=points_paid, coupon=coupon,
                             staff_code="1001", presence="card").receipt_no


def real_terminal(path: Path) -> context.Terminal:
    """A seeded demo store with sales, points paid, a refund, gifts and a coupon used."""
    clock = FakeClock(dt.datetime(2026, 11, 3, 10, 0))
    t = context.init_terminal(path, store_id="S001", terminal_id="T01", clock=clock)
    demo.seed_demo(t)
    _sell(t, "13800138000", 25000)
    receipt = _sell(t, "13900139000", 60000, points_paid=2000)
    clock.advance(hours=1)
    sales.refund_sale(t, receipt_no=receipt, staff_code="1001")
    gift = points.redeem_gift(t, member_ref="13800138000", gift_code="G002", staff_code="1001",
                              presence="card")
    assert gift.coupon_code
    _sell(t, "13800138000", 8000, coupon=gift.coupon_code)
    points.redeem_gift(t, member_ref="13800138000", gift_code="G004", staff_code="1001", presence="card",
                       manager_code="9001", manager_pin="9999")
    _sell(t, "13600136000", 1200)
    return t


def test_balances_and_lots_at_hq_equal_the_terminal(hq_db: Any, tmp_path: Path) -> None:
    t = real_terminal(tmp_path / "t01.db")
    term = register("T01", "S001")
    db.GiftStock.create(store_id="S001", gift_code="G004", stock=7)
    answers = push_outbox(t.database, term, size=7)
    assert len(answers) > 3 and all(a["duplicates"] == 0 for a in answers)
    answer = answers[-1]
    last_seq = t.database.execute("SELECT max(seq) FROM ledger_entry").fetchone()[0]
    assert answer["acked_seq"] == last_seq
    for row in t.database.execute("SELECT uuid, balance, debt, tier, phone FROM member").fetchall():
        m = member(row[0])
        assert (m.balance, m.debt, m.tier, m.phone) == (row[1], row[2], row[3], row[4])
    hq_lots = {lot.key: lot.remaining for lot in db.Lot.select()}
    assert hq_lots == terminal_lots(t.database)
    assert db.Entry.select().count() == last_seq
    assert db.GiftStock.get(store_id="S001", gift_code="G004").stock == 6
    used = db.Coupon.get(db.Coupon.used_at.is_null(False))
    assert used.used_by == "T01" and used.gift_code == "G002"
    tier_points = sum(r[0] for r in t.database.execute("SELECT points FROM tier_month").fetchall())
    assert sum(tm.points for tm in db.TierMonth.select()) == tier_points
    assert db.Flag.select().count() == 0
    t.close()


# -- idempotency and continuity -----------------------------------------------------------------


def test_retry_of_a_batch_gets_the_same_answer_and_inserts_nothing(hq_db: Any) -> None:
    till = Till("T01", "S001")
    term = register("T01", "S001")
    body = till.batch([till.earn(M1, 100), till.earn(M1, 50)],
                      [member_event(till, M1, phone="13800000001", card_no="2900000000018")])
    first = push(term, body)
    assert first == {"batch_id": body["batch_id"], "acked_seq": 2, "acked_oid": 3, "inserted": 3, "duplicates": 0}
    before = counts()
    assert push(term, body) == first
    assert counts() == before
    assert member(M1).balance == 150


def test_same_key_with_another_body_is_a_conflict(hq_db: Any) -> None:
    till = Till("T01", "S001")
    term = register("T01", "S001")
    body = till.batch([till.earn(M1, 100)])
    push(term, body)
    other = till.batch([till.earn(M1, 5)], batch_id=body["batch_id"])
    with pytest.raises(Conflict) as err:
        push(term, other)
    assert err.value.field == "Idempotency-Key"
    assert db.Entry.select().count() == 1


def test_resent_entries_are_duplicates_and_new_ones_follow(hq_db: Any) -> None:
    till = Till("T01", "S001")
    term = register("T01", "S001")
    e1, e2, e3 = till.earn(M1, 10), till.earn(M1, 20), till.earn(M1, 30)
    push(term, till.batch([e1, e2]))
    answer = push(term, till.batch([e2, e3]))  # the answer to the first push was lost: resent from e2
    assert (answer["acked_seq"], answer["inserted"], answer["duplicates"]) == (3, 1, 1)
    assert member(M1).balance == 60


def test_a_different_entry_under_a_held_sequence_is_refused(hq_db: Any) -> None:
    till = Till("T01", "S001")
    term = register("T01", "S001")
    push(term, till.batch([till.earn(M1, 10), till.earn(M1, 20)]))
    forged = Till("T01", "S001")
    with pytest.raises(Conflict) as err:
        push(term, forged.batch([forged.earn(M1, 10)]))  # seq 1 again, another uuid and hash
    assert err.value.field == "entries[0]"
    assert "different entry" in err.value.message


def test_a_held_uuid_under_a_new_sequence_is_refused(hq_db: Any) -> None:
    till = Till("T01", "S001")
    term = register("T01", "S001")
    e1 = till.earn(M1, 10)
    push(term, till.batch([e1]))
    copy = till.entry(M1, "earn", 10, new=[["2026-11-03", None, 10]])
    copy["uuid"] = e1["uuid"]
    fields = {k: copy[k] for k in HASHED_FIELDS}
    copy["hash"] = entry_hash(fields)
    with pytest.raises(Conflict) as err:
        push(term, till.batch([copy]))
    assert err.value.field == "entries[0].uuid"


def test_a_gap_is_answered_with_the_expected_sequence(hq_db: Any) -> None:
    till = Till("T01", "S001")
    term = register("T01", "S001")
    ev = member_event(till, M1, phone="13800000001", card_no="2900000000018")
    push(term, till.batch([till.earn(M1, 10)], [ev]))
    till.earn(M1, 20)  # seq 2 never sent
    with pytest.raises(ingest.SequenceGap) as err:
        push(term, till.batch([till.earn(M1, 30)]))
    assert err.value.code == "sequence_gap"
    assert err.value.params == {"expected_seq": 2, "acked_oid": ev["oid"]}
    assert err.value.to_dict()["expected_seq"] == 2
    assert db.Entry.select().count() == 1


def test_a_broken_chain_is_refused(hq_db: Any) -> None:
    till = Till("T01", "S001")
    term = register("T01", "S001")
    push(term, till.batch([till.earn(M1, 10)]))
    till.prev = GENESIS_HASH  # seq 2 claims to follow nothing
    with pytest.raises(Conflict) as err:
        push(term, till.batch([till.earn(M1, 20)]))
    assert err.value.field == "entries[0].prev_hash"


def test_a_batch_is_all_or_nothing(hq_db: Any) -> None:
    other = Till("T02", "S001")
    held = other.earn(M2, 5)
    push(register("T02", "S001"), other.batch([held]))
    till = Till("T01", "S001")
    term = register("T01", "S001")
    push(term, till.batch([till.earn(M1, 10)]))
    before = counts()
    second, third = till.earn(M1, 20), till.earn(M1, 30)
    bad = till.entry(M1, "earn", 40, new=[["2026-11-03", None, 40]])
    bad["uuid"] = held["uuid"]  # an entry HQ holds (another terminal's) under a new sequence
    bad["hash"] = entry_hash({k: bad[k] for k in HASHED_FIELDS})
    with pytest.raises(Conflict) as err:
        push(term, till.batch([second, third, bad], [member_event(till, M1, phone="13800000001",
                                                                  card_no="2900000000018")]))
    assert err.value.field == "entries[2].uuid"
    assert counts() == before
    row = db.Terminal.get_by_id("T01")
    assert (row.last_seq, row.last_oid) == (1, 0)
    assert member(M1).balance == 10


def test_a_failure_while_writing_leaves_no_trace(hq_db: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    till = Till("T01", "S001")
    term = register("T01", "S001")
    push(term, till.batch([till.earn(M1, 10)]))
    before = counts()
    last = db.Terminal.get_by_id("T01")

    def broken(self: feed.ChangeBuffer, **_options: Any) -> int:
        raise RuntimeError("disk full")

    monkeypatch.setattr(feed.ChangeBuffer, "flush", broken)
    body = till.batch([till.earn(M1, 20), till.earn(M1, 30), till.entry(M1, "redeem", -15, taken=[])],
                      [member_event(till, M1, phone="13800000001", card_no="2900000000018")])
    with pytest.raises(RuntimeError):
        push(term, body)
    assert counts() == before
    row = db.Terminal.get_by_id("T01")
    assert (row.last_seq, row.last_hash, row.last_oid) == (last.last_seq, last.last_hash, last.last_oid)
    assert member(M1).balance == 10
    monkeypatch.undo()
    assert push(term, body)["acked_seq"] == 4
    assert member(M1).balance == 45


def test_entries_of_another_terminal_or_store_are_refused(hq_db: Any) -> None:
    register("T01", "S001")
    term2 = register("T02", "S002")
    till = Till("T01", "S001")
    with pytest.raises(PermissionDenied):
        push(term2, batch("T02", "S002", [till.earn(M1, 10)]))
    with pytest.raises(PermissionDenied):
        push(term2, batch("T02", "S001", []))
    assert db.Entry.select().count() == 0


def test_the_key_must_be_the_batch_id(hq_db: Any) -> None:
    till = Till("T01", "S001")
    term = register("T01", "S001")
    with pytest.raises(Conflict):
        push(term, till.batch([till.earn(M1, 10)]), key="another-key-123")
    with pytest.raises(InvalidInput):
        push(term, {"protocol": 2}, key="some-key-1234")


# -- members and events ---------------------------------------------------------------------------


def test_member_events_upsert_without_touching_balance(hq_db: Any) -> None:
    till = Till("T01", "S001")
    term = register("T01", "S001")
    ev = member_event(till, M1, phone="13800000001", card_no="2900000000018")
    ev["payload"]["balance"] = 999999
    push(term, till.batch([till.earn(M1, 100)], [ev]))
    m = member(M1)
    assert (m.phone, m.card_no, m.name, m.balance, m.store_id) == ("13800000001", "2900000000018", "张三", 100, "S001")
    ev2 = member_event(till, M1, phone="13800000009", card_no="2900000000018", name="张三丰")
    push(term, till.batch([], [ev2]))
    m = member(M1)
    assert (m.phone, m.name, m.balance) == ("13800000009", "张三丰", 100)
    tier = till.event("tier", M1, {"from": "normal", "to": "gold", "reason": "upgrade", "at": "2026-11-04T10:00:00"})
    push(term, till.batch([], [tier]))
    assert (member(M1).tier, member(M1).tier_since) == ("gold", "2026-11-04")


def test_same_phone_or_card_on_two_members_is_kept_and_flagged(hq_db: Any) -> None:
    t1, t2 = Till("T01", "S001"), Till("T02", "S002")
    term1, term2 = register("T01", "S001"), register("T02", "S002")
    known(t1, term1, M1, "13800000001", "2900000000018")
    known(t2, term2, M2, "13800000001", "2900000000025")
    assert db.Member.select().count() == 2
    flags = list(db.Flag.select())
    assert [(f.kind, f.member_uuid, f.ref) for f in flags] == [("duplicate_phone", M2, M1)]
    known(t2, term2, M2, "13800000001", "2900000000025")  # sent again: not flagged twice
    assert db.Flag.select().count() == 1


def test_an_unknown_member_gets_a_placeholder_and_a_flag(hq_db: Any) -> None:
    till = Till("T01", "S001")
    term = register("T01", "S001")
    e = till.earn(M1, 40)
    push(term, till.batch([e]))
    m = member(M1)
    assert (m.balance, m.store_id, m.phone) == (40, "S001", None)
    flag = db.Flag.get()
    assert (flag.kind, flag.member_uuid, flag.ref) == ("unknown_member", M1, e["uuid"])


# -- offline double spending -------------------------------------------------------------------------


def test_two_tills_spending_the_same_points_give_an_overdraft_entry(hq_db: Any) -> None:
    a, b = Till("T01", "S001"), Till("T02", "S002")
    ta, tb = register("T01", "S001"), register("T02", "S002")
    known(a, ta)
    earn = a.earn(M1, 100)
    push(ta, a.batch([earn]))
    # both tills saw the lot (the feed brought it to T02) and spent 80 of it while offline
    push(ta, a.batch([a.entry(M1, "redeem", -80, taken=[[earn["uuid"], 80]])]))
    spend_b = b.entry(M1, "redeem", -80, taken=[[earn["uuid"], 80]])
    push(tb, b.batch([spend_b]))
    m = member(M1)
    assert (m.balance, m.debt) == (-60, 60)
    hq = list(db.Entry.select().where(db.Entry.terminal_id == db.HQ_CHAIN))
    assert [(e.kind, e.points, e.member_uuid) for e in hq] == [("overdraft", 0, M1)]
    assert json.loads(hq[0].breakdown) == {"entry": spend_b["uuid"], "terminal_id": "T02", "store_id": "S002",
                                           "shortfall": 60}
    flag = db.Flag.get(db.Flag.kind == "overdraft")
    assert (flag.terminal_id, flag.store_id, flag.points, flag.ref) == ("T02", "S002", 60, spend_b["uuid"])
    # points earned later pay the debt off first
    push(tb, b.batch([b.earn(M1, 100)]))
    assert (member(M1).balance, member(M1).debt) == (40, 0)
    verify_hq_chain()


def test_a_till_short_by_its_own_clawback_is_no_overdraft(hq_db: Any) -> None:
    a = Till("T01", "S001")
    ta = register("T01", "S001")
    known(a, ta)
    earn = a.earn(M1, 50)
    push(ta, a.batch([earn, a.entry(M1, "clawback", -80, taken=[[earn["uuid"], 50]])]))
    assert (member(M1).balance, member(M1).debt) == (-30, 30)
    assert db.Flag.select().count() == 0
    assert db.Entry.select().where(db.Entry.terminal_id == db.HQ_CHAIN).count() == 0


def test_a_lot_expired_on_two_machines_is_given_back(hq_db: Any) -> None:
    a, b = Till("T01", "S001"), Till("T02", "S002")
    ta, tb = register("T01", "S001"), register("T02", "S002")
    known(a, ta)
    earn = a.earn(M1, 100, day="2024-01-05", expires="2025-12-31")
    other = a.earn(M1, 30, day="2025-06-01", expires="2027-06-30")
    push(ta, a.batch([earn, other]))
    push(ta, a.batch([a.entry(M1, "expire", -100, taken=[[earn["uuid"], 100]], day="2026-01-01")]))
    push(tb, b.batch([b.entry(M1, "expire", -100, taken=[[earn["uuid"], 100]], day="2026-01-02")]))
    m = member(M1)
    assert (m.balance, m.debt) == (30, 0)
    assert db.Lot.get(db.Lot.key == other["uuid"]).remaining == 30  # the live lot is not touched
    fix = db.Entry.get(db.Entry.kind == "expire_fix")
    assert (fix.terminal_id, fix.points, fix.business_date) == (db.HQ_CHAIN, 100, "2026-01-02")
    assert json.loads(fix.effects)["new"] == [["2026-01-02", "2026-01-02", 100]]
    assert db.Flag.get().kind == "double_expiry"
    verify_hq_chain()


def two_tills_and_a_used_coupon(code: str, receipt_no: str) -> tuple[Till, Till, db.Terminal, db.Terminal]:
    """T01 (S001) issued a 10-yuan coupon to M1 and used it in sale ``receipt_no``; T02 (S002)."""
    a, b = Till("T01", "S001"), Till("T02", "S002")
    ta, tb = register("T01", "S001"), register("T02", "S002")
    issue = a.event("coupon_issue", code, {"member": M1, "gift": "G002", "value_fen": 1000,
                                           "min_spend_fen": 5000, "valid_until": "2026-12-03"})
    use = a.event("coupon_use", code, {"receipt_no": receipt_no, "at": "2026-11-04T10:00:00"})
    push(ta, a.batch([], [issue, use]))
    return a, b, ta, tb


def test_a_coupon_used_twice_flags_the_second_use(hq_db: Any) -> None:
    _a, b, _ta, tb = two_tills_and_a_used_coupon("CPAAAA", "S001-T01-00000009")
    push(tb, b.batch([], [b.event("coupon_use", "CPAAAA", {"receipt_no": "S002-T02-00000003",
                                                            "at": "2026-11-04T11:00:00"})]))
    c = db.Coupon.get_by_id("CPAAAA")
    assert (c.used_receipt_no, c.used_by, c.member_uuid, c.value_fen) == ("S001-T01-00000009", "T01", M1, 1000)
    flag = db.Flag.get()
    assert (flag.kind, flag.ref, flag.terminal_id) == ("coupon_reuse", "CPAAAA", "T02")
    assert json.loads(flag.details)["first_receipt_no"] == "S001-T01-00000009"


def test_a_coupon_used_before_its_issue_arrives_keeps_the_use(hq_db: Any) -> None:
    a, b = Till("T01", "S001"), Till("T02", "S002")
    ta, tb = register("T01", "S001"), register("T02", "S002")
    push(tb, b.batch([], [b.event("coupon_use", "CPBBBB", {"receipt_no": "R2", "at": "2026-11-04T11:00:00"})]))
    push(ta, a.batch([], [a.event("coupon_issue", "CPBBBB", {"member": M1, "gift": "G001", "value_fen": 100,
                                                             "min_spend_fen": 0, "valid_until": None})]))
    c = db.Coupon.get_by_id("CPBBBB")
    assert (c.used_receipt_no, c.used_by, c.issued_by, c.gift_code) == ("R2", "T02", "T01", "G001")


def test_a_coupon_returned_by_a_whole_refund_is_usable_again(hq_db: Any) -> None:
    a, b, ta, tb = two_tills_and_a_used_coupon("CPCCCC", "R1")
    # another till's return of a use it did not make changes nothing
    push(tb, b.batch([], [b.event("coupon_return", "CPCCCC", {"receipt_no": "R1", "refund_no": "R1-R1"})]))
    assert db.Coupon.get_by_id("CPCCCC").used_receipt_no == "R1"
    push(ta, a.batch([], [a.event("coupon_return", "CPCCCC", {"receipt_no": "R1", "refund_no": "R1-R1",
                                                               "at": "2026-11-05T10:00:00"})]))
    c = db.Coupon.get_by_id("CPCCCC")
    assert (c.used_at, c.used_receipt_no, c.used_by) == (None, None, None)
    change = db.Change.select().where(db.Change.key == "CPCCCC").order_by(db.Change.id.desc()).first()
    assert json.loads(change.data)["returned_from"] == "R1" and json.loads(change.data)["used_at"] is None
    # used again by another sale: an ordinary first use, no flag
    push(tb, b.batch([], [b.event("coupon_use", "CPCCCC", {"receipt_no": "R7", "at": "2026-11-06T10:00:00"})]))
    assert db.Coupon.get_by_id("CPCCCC").used_receipt_no == "R7" and db.Flag.select().count() == 0


def test_a_bonus_the_daily_cap_cut_to_nothing_was_not_granted(hq_db: Any) -> None:
    """A birthday bonus listed in a sale's breakdown but cut to nothing by the daily cap
    (credited_bonus 0) was never given: the next sale that does credit it is no double bonus,
    as the tills count it (storage.repo.birthday_bonus_year)."""
    from pos_app.hq import authority

    authority.publish_program(context.reference_program_source(), actor="test")
    a, ta = Till("T01", "S001"), register("T01", "S001")
    known(a, ta)
    capped = {"purchase_points": 30, "bonuses": [{"id": "birthday", "points": 200}], "credited_bonus": 0}
    given = {"purchase_points": 50, "bonuses": [{"id": "birthday", "points": 200}], "credited_bonus": 200}
    push(ta, a.batch([a.earn(M1, 30, day="2026-07-08", breakdown=capped),
                      a.earn(M1, 250, day="2026-07-09", breakdown=given)]))
    assert db.Flag.select().count() == 0
    push(ta, a.batch([a.earn(M1, 250, day="2026-07-10", breakdown=given)]))  # a second one given: flagged
    assert [f.kind for f in db.Flag.select()] == ["double_bonus"]


def test_a_once_only_bonus_granted_by_two_tills_is_flagged(hq_db: Any) -> None:
    """First purchase at two stores before either synced, a birthday bonus twice in one year:
    kept as the tills granted them, and flagged with the points and the first grant."""
    from pos_app.hq import authority, reports

    authority.publish_program(context.reference_program_source(), actor="test")
    a, b = Till("T01", "S001"), Till("T02", "S002")
    ta, tb = register("T01", "S001"), register("T02", "S002")
    known(a, ta)
    known(a, ta, M2, "13800000002", "2900000000025")

    def bonus(*ids: str) -> dict[str, Any]:
        points = {"first_purchase": 100, "birthday": 200, "no_such_bonus": 5}
        return {"purchase_points": 50, "bonuses": [{"id": i, "points": points[i]} for i in ids]}

    first_a = a.earn(M1, 150, breakdown=bonus("first_purchase"))
    push(ta, a.batch([first_a, a.earn(M1, 50, breakdown={"purchase_points": 50, "bonuses": []})]))
    assert db.Flag.select().count() == 0
    second = b.earn(M1, 150, day="2026-11-04", breakdown=bonus("first_purchase"))
    push(tb, b.batch([second, b.earn(M2, 150, breakdown=bonus("first_purchase", "no_such_bonus"))]))
    flag = db.Flag.get()
    assert (flag.kind, flag.ref, flag.terminal_id, flag.member_uuid, flag.points) == (
        "double_bonus", second["uuid"], "T02", M1, 100)
    assert json.loads(flag.details) == {"bonus": "first_purchase", "kind": "first_purchase",
                                        "year": None, "entry": second["uuid"], "first_entry": first_a["uuid"],
                                        "first_terminal_id": "T01"}
    assert member(M1).balance == 150 + 50 + 150  # kept: the till granted it
    # birthdays: once a year
    push(ta, a.batch([a.earn(M2, 250, day="2026-07-08", breakdown=bonus("birthday"))]))
    push(tb, b.batch([b.earn(M2, 250, day="2027-07-08", breakdown=bonus("birthday"))]))
    assert db.Flag.select().count() == 1  # another year
    late = b.earn(M2, 250, day="2027-07-09", breakdown=bonus("birthday"))
    push(tb, b.batch([late]))
    flags = list(db.Flag.select().order_by(db.Flag.id))
    assert [(f.kind, f.ref, f.points, json.loads(f.details)["year"]) for f in flags[1:]] == [
        ("double_bonus", late["uuid"], 200, "2027")]
    assert [r["kind"] for r in reports.reconciliation()] == ["double_bonus", "double_bonus"]


def test_limits_crossed_by_two_tills_are_flagged(hq_db: Any) -> None:
    """Issue 12: what two tills that have not seen each other's entries can still grant twice
    is flagged at HQ, on the entry that arrives second: the daily earning cap, the monthly
    redemption cap, a gift's per-member monthly limit, once-only and daily-limited awards and
    a referral award for the same referred member. Within the limits, nothing is flagged."""
    from pos_app.hq import authority, reports

    authority.publish_program(context.reference_program_source(), actor="test")
    a, b = Till("T01", "S001"), Till("T02", "S002")
    ta, tb = register("T01", "S001"), register("T02", "S002")
    known(a, ta)
    known(a, ta, M2, "13800000002", "2900000000025")

    def ours() -> list[tuple[str, str, str, int]]:
        return [(f.kind, f.terminal_id, f.ref, f.points) for f in db.Flag.select().order_by(db.Flag.id)
                if f.kind != "overdraft"]

    def gift(till: Till, code: str, pts: int, day: str = "2026-11-03") -> dict[str, Any]:
        return till.entry(M1, "gift", -pts, day=day, ref_type="redemption",
                          breakdown={"gift": code, "points": pts, "cash_fen": 0, "approved_by": None})

    def award(till: Till, award_id: str, *, day: str = "2026-11-03", **detail: Any) -> dict[str, Any]:
        return till.entry(M1, "award", 20, new=[[day, None, 20]], day=day, ref_type="award", ref_no=award_id,
                          breakdown={"award": award_id, "points": 20, **detail})

    push(ta, a.batch([a.earn(M1, 100000, day="2026-10-01")]))  # points to spend, another month and day
    # daily cap (100,000 a day): 60,000 at one till and 50,000 at the other
    push(ta, a.batch([a.earn(M1, 60000, day="2026-11-03")]))
    day_before = b.earn(M1, 40000, day="2026-11-02")
    over = b.earn(M1, 50000, day="2026-11-03")
    push(tb, b.batch([day_before, over, b.earn(M1, 50000, day="2026-11-04")]))
    assert ours() == [("daily_cap", "T02", over["uuid"], 10000)]
    # the monthly redemption cap (20,000) and G004's limit of one a month: a payment refunded
    # at the till gives its room back
    paid = a.entry(M1, "redeem", -15000, ref_type="sale", ref_no="R-A1")
    back = a.entry(M1, "return", 15000, new=[["2026-11-03", None, 15000]], ref_type="refund", ref_no="R-A1")
    push(ta, a.batch([paid, back, gift(a, "G004", 10000), gift(a, "G003", 5000)]))
    assert len(ours()) == 1
    last_month = gift(b, "G001", 100, day="2026-10-30")
    second_g004 = gift(b, "G004", 10000)
    push(tb, b.batch([last_month, second_g004, gift(b, "G004", 10000, day="2026-12-01")]))
    assert ours()[1:] == [("gift_limit", "T02", second_g004["uuid"], 10000),
                          ("redeem_cap", "T02", second_g004["uuid"], 5000)]
    # awards: once only, at most 3 shares a day, one referral award per referred member
    push(ta, a.batch([award(a, "profile_completed"), *[award(a, "share") for _ in range(3)],
                      award(a, "referral", referred=M2), award(a, "survey")]))
    assert len(ours()) == 3
    again = award(b, "profile_completed", day="2027-02-01")
    share = award(b, "share")
    other_day, other_member = award(b, "share", day="2026-11-04"), award(b, "referral", referred="other")
    referral = award(b, "referral", referred=M2)
    push(tb, b.batch([again, share, other_day, other_member, referral, award(b, "survey")]))
    assert ours()[3:] == [("award_limit", "T02", again["uuid"], 20), ("award_limit", "T02", share["uuid"], 20),
                          ("award_limit", "T02", referral["uuid"], 20)]
    flag = db.Flag.get(db.Flag.ref == share["uuid"])
    assert json.loads(flag.details) == {"award": "share", "limit": 3, "count": 4, "day": "2026-11-03",
                                        "entry": share["uuid"]}
    assert {r["kind"] for r in reports.reconciliation()} >= {"daily_cap", "redeem_cap", "gift_limit", "award_limit"}
    n = len(ours())
    # a gift cancelled at its till (a ``return`` marked ``cancel``) counts for neither any more
    g = gift(a, "G004", 10000, day="2027-03-02")
    cancel = a.entry(M1, "return", 10000, new=[["2027-03-02", None, 10000]], day="2027-03-02",
                     ref_type="redemption", ref_no=g["ref_no"],
                     breakdown={"cancel": True, "gift": "G004", "cash_fen": 0, "reason": "x", "approved_by": None,
                                "lots": []})
    push(ta, a.batch([g, cancel]))
    push(tb, b.batch([gift(b, "G004", 10000, day="2027-03-03"), gift(b, "G003", 5000, day="2027-03-03")]))
    assert len(ours()) == n  # March: G004 once and 10,000 + 5,000 + 5,000 redeemed, within 20,000


# -- headquarters' own chain ------------------------------------------------------------------------


def verify_hq_chain() -> None:
    prev = GENESIS_HASH
    rows = list(db.Entry.select().where(db.Entry.terminal_id == db.HQ_CHAIN).order_by(db.Entry.seq))
    for n, e in enumerate(rows, start=1):
        fields = {k: getattr(e, k) for k in HASHED_FIELDS}
        fields["backdated"] = bool(fields["backdated"])
        assert e.seq == n and e.prev_hash == prev
        assert entry_hash(fields) == e.hash
        prev = e.hash
    head = db.Terminal.get_by_id(db.HQ_CHAIN)
    assert (head.last_seq, head.last_hash, head.kind) == (len(rows), prev, "hq")


def test_hq_entries_chain_and_apply(hq_db: Any) -> None:
    a = Till("T01", "S001")
    ta = register("T01", "S001")
    known(a, ta)
    earn = a.earn(M1, 100, day="2024-01-05", expires="2025-12-31")
    push(ta, a.batch([earn]))
    with db.writing(hq_db):
        wire = ingest.append_hq_entry(member_uuid=M1, kind="expire", points=-100, ref_type="expiry",
                                      ref_no="2026-01-01", breakdown={"as_of": "2026-01-01"},
                                      effects=Effects(taken=((earn["uuid"], 100),)),
                                      business_date=dt.date(2026, 1, 1))
        award = ingest.append_hq_entry(member_uuid=M1, kind="award", points=50, ref_type="award",
                                       ref_no="survey", breakdown={"award": "survey"},
                                       effects=Effects(new=(NewLot(dt.date(2026, 1, 2), None, 50),)),
                                       business_date=dt.date(2026, 1, 2))
    assert wire["terminal_id"] == "HQ" and wire["seq"] == 1 and award["seq"] == 2
    assert award["prev_hash"] == wire["hash"]
    assert wire["effects"]["taken"] == [[earn["uuid"], 100]]
    assert db.Lot.get(db.Lot.key == earn["uuid"]).remaining == 0
    m = member(M1)
    assert (m.balance, m.debt) == (50, 0)
    assert db.Lot.get(db.Lot.key == award["uuid"]).remaining == 50
    verify_hq_chain()
    kinds = [(c.kind, c.key) for c in db.Change.select().order_by(db.Change.id)][-4:]
    assert kinds == [("entry", wire["uuid"]), ("member", M1), ("entry", award["uuid"]), ("member", M1)]
    with db.writing(hq_db), pytest.raises(NotFound):
        ingest.append_hq_entry(member_uuid=M2, kind="adjust", points=0, ref_type="adjust", ref_no="x",
                               breakdown={}, effects=Effects(), business_date=dt.date(2026, 1, 2))
    with db.writing(hq_db), pytest.raises(InvalidInput):
        ingest.append_hq_entry(member_uuid=M1, kind="award", points=5, ref_type="award", ref_no="x",
                               breakdown={}, effects=Effects(), business_date=dt.date(2026, 1, 2))


def test_hq_entry_credit_gets_its_lot(hq_db: Any) -> None:
    a = Till("T01", "S001")
    ta = register("T01", "S001")
    known(a, ta)
    with db.writing(hq_db):
        wire = ingest.append_hq_entry(member_uuid=M1, kind="award", points=50, ref_type="award", ref_no="survey",
                                      breakdown={"award": "survey"}, tier_points=50,
                                      effects=Effects(new=(NewLot(dt.date(2026, 1, 2), dt.date(2028, 1, 31), 50),)),
                                      business_date=dt.date(2026, 1, 2))
    lot = db.Lot.get(db.Lot.key == wire["uuid"])
    assert (lot.points, lot.remaining, lot.member_uuid, lot.expires_on) == (50, 50, M1, "2028-01-31")
    assert member(M1).balance == 50
    assert db.TierMonth.get(member_uuid=M1, month="2026-01").points == 50


def test_tier_points_add_up_per_month(hq_db: Any) -> None:
    a = Till("T01", "S001")
    ta = register("T01", "S001")
    push(ta, a.batch([a.earn(M1, 10, tier_points=10), a.earn(M1, 20, tier_points=20)]))
    push(ta, a.batch([a.earn(M1, 5, tier_points=5, day="2026-12-01")]))
    push(ta, a.batch([a.earn(M1, 7, tier_points=7)]))
    got = {(t.month, t.points) for t in db.TierMonth.select()}
    assert got == {("2026-11", 37), ("2026-12", 5)}


def test_demo_terminal_member_records_reach_hq(hq_db: Any, tmp_path: Path) -> None:
    t = real_terminal(tmp_path / "t.db")
    term = register("T01", "S001")
    push_outbox(t.database, term, size=500)
    local = find_member(t, "13600136000")
    m = member(local.uuid)
    assert (m.card_no, m.name, m.store_id, m.balance) == (local.card_no, local.name, "S001", local.balance)
    t.close()


def test_text_with_tabs_backslashes_and_newlines_is_stored_as_sent(hq_db: Any) -> None:
    till = Till("T01", "S001")
    term = register("T01", "S001")
    name = "王\\小\t明\n二\r号 \\N"
    push(term, till.batch([till.earn(M1, 10)], [member_event(till, M1, phone="13800000001",
                                                             card_no="2900000000018", name=name)]))
    assert member(M1).name == name
    change = db.Change.get(db.Change.kind == "member")
    assert json.loads(change.data)["name"] == name
    event = db.Event.get()
    assert json.loads(event.payload)["name"] == name


def test_hq_entries_can_share_one_change_buffer(hq_db: Any) -> None:
    a = Till("T01", "S001")
    ta = register("T01", "S001")
    known(a, ta)
    before = db.Change.select().count()
    buf = feed.ChangeBuffer()
    with db.writing(hq_db):
        for n in range(3):
            ingest.append_hq_entry(member_uuid=M1, kind="award", points=10, ref_type="award", ref_no=f"r{n}",
                                   breakdown={}, business_date=dt.date(2026, 1, 2), changes=buf,
                                   effects=Effects(new=(NewLot(dt.date(2026, 1, 2), None, 10),)))
        assert db.Change.select().count() == before  # nothing published until the flush
        assert buf.flush() == 6
    assert member(M1).balance == 30
    verify_hq_chain()


def test_concurrent_pushes_for_the_same_members_lose_nothing(hq_db: Any) -> None:
    """Two terminals push at the same time for the same members (on PostgreSQL truly in
    parallel): every balance is the sum of all entries, every lot taken exactly once."""
    import threading

    members = [str(uuid_mod.uuid4()) for _ in range(3)]
    tills = [Till("T01", "S001"), Till("T02", "S002")]
    terms = [register("T01", "S001"), register("T02", "S002")]
    bodies: list[list[dict[str, Any]]] = [[], []]
    for n, till in enumerate(tills):
        for b in range(8):
            entries = []
            for m in members:
                earn = till.earn(m, 10 + b, tier_points=1)
                entries += [earn, till.entry(m, "redeem", -3, taken=[[earn["uuid"], 3]])]
            bodies[n].append(till.batch(entries, [member_event(till, m, phone=f"1380000000{i}",
                                                               card_no=f"29000000000{i}{n}")
                                                  for i, m in enumerate(members)] if b == 0 and n == 0 else []))
    errors: list[BaseException] = []

    def run(n: int) -> None:
        try:
            for body in bodies[n]:
                push(terms[n], body)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            hq_db.close()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(2)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(60)
    assert errors == []
    expected = 2 * sum(10 + b - 3 for b in range(8))
    for m in members:
        row = member(m)
        assert (row.balance, row.debt) == (expected, 0)
        assert sum(lot.remaining for lot in db.Lot.select().where(db.Lot.member_uuid == m)) == expected
        assert db.TierMonth.get(member_uuid=m, month="2026-11").points == 16
    assert db.Flag.select().where(db.Flag.kind != "unknown_member").count() == 0


def test_a_debit_whose_lot_is_gone_takes_the_members_other_lots(hq_db: Any) -> None:
    a, b = Till("T01", "S001"), Till("T02", "S002")
    ta, tb = register("T01", "S001"), register("T02", "S002")
    known(a, ta)
    first = a.earn(M1, 80, expires="2027-01-31")
    second = a.earn(M1, 100, expires="2028-01-31")
    push(ta, a.batch([first, second]))
    push(ta, a.batch([a.entry(M1, "redeem", -80, taken=[[first["uuid"], 80]])]))
    # T02 had not heard of that spend: it takes 50 from the first lot too
    push(tb, b.batch([b.entry(M1, "redeem", -50, taken=[[first["uuid"], 50]])]))
    assert {lot.key: lot.remaining for lot in db.Lot.select()} == {first["uuid"]: 0, second["uuid"]: 50}
    assert (member(M1).balance, member(M1).debt) == (50, 0)
    assert db.Flag.select().count() == 0  # covered by points the member had: no overdraft


def test_a_member_record_with_nulls_keeps_what_hq_has_and_odd_types_are_refused(hq_db: Any) -> None:
    till = Till("T01", "S001")
    term = register("T01", "S001")
    odd = till.event("member", M1, {"uuid": M1, "name": None, "phone": 13800000001, "consent": "yes"})
    with pytest.raises(InvalidInput) as err:  # the schema shared with the tills: a phone is text
        push(term, till.batch([], [odd]))
    assert err.value.field == "events[0].payload.phone" and db.Member.select().count() == 0
    ev = till.event("member", M1, {"uuid": M1, "name": None, "status": None, "tier": None, "phone": "13800000001",
                                   "birthday": None, "consent": True, "enrolled_at": None})
    push(term, till.batch([], [ev]))
    m = member(M1)
    assert (m.name, m.status, m.tier, m.phone, m.consent, m.store_id) == ("", "active", "normal", "13800000001",
                                                                          True, "S001")


def test_two_entries_with_one_uuid_in_a_batch_are_refused(hq_db: Any) -> None:
    till = Till("T01", "S001")
    term = register("T01", "S001")
    first = till.earn(M1, 10)
    twin = till.entry(M1, "earn", 10, new=[["2026-11-03", None, 10]])
    twin["uuid"] = first["uuid"]
    twin["hash"] = entry_hash({k: twin[k] for k in HASHED_FIELDS})
    with pytest.raises(Conflict) as err:
        push(term, till.batch([first, twin]))
    assert err.value.field == "entries[1].uuid"
    assert db.Entry.select().count() == 0


def test_redemption_events_carry_their_cash_and_old_tills_without_it_still_push(hq_db: Any) -> None:
    a = Till("T01", "S001")
    ta = register("T01", "S001")
    push(ta, a.batch([], [a.event("redemption", "S001-T01-G0000001",
                                  {"member": M1, "gift": "G005", "points": 2000, "cash_fen": 1990}),
                          a.event("redemption", "S001-T01-G0000002", {"member": M1, "gift": "G001", "points": 500})]))
    payloads = {e.ref: json.loads(e.payload) for e in db.Event.select()}
    assert payloads["S001-T01-G0000001"]["cash_fen"] == 1990
    assert "cash_fen" not in payloads["S001-T01-G0000002"]
    for bad in ("19.90", -1, True, 19.9):
        before = counts()
        with pytest.raises(InvalidInput) as err:
            push(ta, a.batch([], [a.event("redemption", "S001-T01-G0000003",
                                          {"member": M1, "gift": "G005", "points": 2000, "cash_fen": bad})]))
        assert err.value.field == "events[0].payload.cash_fen"
        assert counts() == before
