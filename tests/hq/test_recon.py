"""The reconciliation queue's resolutions and the gift stock operations, without HTTP
(``hq/recon.py``, ``hq/gifts_admin.py``), on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import json
import uuid as uuid_mod
from typing import Any

import pytest

from pos_app.core.errors import Conflict, InvalidInput, NotFound, PosError, RuleViolation
from pos_app.hq import authority, db, gifts_admin, recon, verify
from pos_app.services import context
from tests.hq.conftest import Till, member_event, push, register

M1 = str(uuid_mod.uuid4())
TODAY = dt.date(2026, 11, 20)


def bonus_breakdown(*ids: str) -> dict[str, Any]:
    points = {"first_purchase": 100, "birthday": 200}
    return {"purchase_points": 50, "bonuses": [{"id": i, "points": points[i]} for i in ids]}


def member(uuid: str = M1) -> db.Member:
    return db.Member.get(db.Member.uuid == uuid)


def double_bonus(*, spend: int = 0) -> tuple[db.Flag, Till]:
    """M1's first-purchase bonus given by T01 and again by T02 (S002) before they synced; T01
    then spends ``spend`` of the member's points."""
    authority.publish_program(context.reference_program_source(), actor="test")
    a, b = Till("T01", "S001"), Till("T02", "S002")
    ta, tb = register("T01", "S001"), register("T02", "S002")
    push(ta, a.batch([], [member_event(a, M1, phone="13800000001", card_no="2900000000018")]))
    first = a.earn(M1, 150, breakdown=bonus_breakdown("first_purchase"))
    push(ta, a.batch([first]))
    push(tb, b.batch([b.earn(M1, 150, day="2026-11-04", breakdown=bonus_breakdown("first_purchase"))]))
    if spend:
        push(ta, a.batch([a.entry(M1, "redeem", -spend, taken=[[first["uuid"], min(spend, 150)]])]))
    return db.Flag.get(db.Flag.kind == "double_bonus"), a


def hq_entries() -> list[tuple[str, int, str]]:
    E = db.Entry
    return [(e.kind, int(e.points), e.ref_no) for e in E.select().where(E.terminal_id == db.HQ_CHAIN).order_by(E.seq)]


def test_a_double_bonus_is_taken_back_by_an_hq_adjustment_that_goes_to_the_tills(hq_db: Any) -> None:
    flag, _ = double_bonus()
    assert member().balance == 300 and flag.points == 100
    done = recon.take_back(flag.id, "两家店都给了首单奖励", actor="staff:finance", today=TODAY)
    assert (done.resolution, done.points, done.not_taken) == ("taken_back", 100, 0)
    assert member().balance == 200 and member().debt == 0
    assert hq_entries() == [("adjust", -100, f"FLAG-{flag.id}")]
    row = db.Flag.get_by_id(flag.id)
    assert (row.resolution, row.resolved_by, row.resolution_note) == (
        "taken_back", "staff:finance", "两家店都给了首单奖励")
    assert row.resolved_at is not None
    audit = db.Audit.get(db.Audit.action == "flag.resolve")
    assert audit.actor == "staff:finance" and json.loads(audit.details)["taken"] == 100
    entry = db.Entry.get(db.Entry.terminal_id == db.HQ_CHAIN)
    assert db.Change.select().where((db.Change.kind == "entry") & (db.Change.key == entry.uuid)).exists()
    assert verify.verify()["ok"]
    with pytest.raises(Conflict) as again:  # resolved once only
        recon.take_back(flag.id, actor="staff:finance", today=TODAY)
    assert again.value.field == "flag"
    assert member().balance == 200
    assert recon.list_flags() == [] and [f.id for f in recon.list_flags(resolved=True)] == [flag.id]


def test_a_bonus_the_member_has_spent_is_taken_back_only_down_to_zero(hq_db: Any) -> None:
    flag, _ = double_bonus(spend=250)
    assert member().balance == 50
    done = recon.take_back(flag.id, actor="staff:admin", today=TODAY)
    assert (done.resolution, done.points, done.not_taken) == ("taken_back_partly", 50, 50)
    assert (member().balance, member().debt) == (0, 0)
    assert json.loads(db.Audit.get(db.Audit.action == "flag.resolve").details)["not_taken"] == 50
    assert verify.verify()["ok"]


def overdraft() -> db.Flag:
    authority.publish_program(context.reference_program_source(), actor="test")
    a, b = Till("T01", "S001"), Till("T02", "S002")
    ta, tb = register("T01", "S001"), register("T02", "S002")
    push(ta, a.batch([], [member_event(a, M1, phone="13800000001", card_no="2900000000018")]))
    earn = a.earn(M1, 100)
    push(ta, a.batch([earn, a.entry(M1, "redeem", -80, taken=[[earn["uuid"], 80]])]))
    push(tb, b.batch([b.entry(M1, "redeem", -80, taken=[[earn["uuid"], 80]])]))
    return db.Flag.get(db.Flag.kind == "overdraft")


def test_an_overdraft_written_off_clears_the_debt(hq_db: Any) -> None:
    flag = overdraft()
    assert (member().balance, member().debt, flag.points) == (-60, 60, 60)
    done = recon.write_off(flag.id, "小额, 核销", actor="staff:finance", today=TODAY)
    assert (done.resolution, done.points) == ("written_off", 60)
    assert (member().balance, member().debt) == (0, 0)
    assert hq_entries()[-1] == ("adjust", 60, f"FLAG-{flag.id}")
    assert db.Flag.get_by_id(flag.id).resolution == "written_off"
    assert verify.verify()["ok"]


def test_wrong_actions_and_bad_input_name_the_field_and_write_nothing(hq_db: Any) -> None:
    flag = overdraft()
    before = (db.Entry.select().count(), db.Audit.select().count())
    for call, field in ((lambda: recon.take_back(flag.id, actor="x"), "flag"),
                        (lambda: recon.dismiss(flag.id, "  ", actor="x"), "note"),
                        (lambda: recon.dismiss(flag.id, "x" * 501, actor="x"), "note"),
                        (lambda: recon.dismiss("abc", "why", actor="x"), "flag"),
                        (lambda: recon.dismiss(10**9, "why", actor="x"), "flag"),
                        (lambda: recon.mark_merged(flag.id, actor="x"), "flag")):
        with pytest.raises(PosError) as err:
            call()
        assert err.value.field == field
    assert (db.Entry.select().count(), db.Audit.select().count()) == before
    assert db.Flag.get_by_id(flag.id).resolved_at is None
    recon.dismiss(flag.id, "customer paid cash", actor="staff:admin")
    assert db.Flag.get_by_id(flag.id).resolution == "dismissed"
    assert (member().debt, db.Entry.select().count()) == (60, before[0])  # dismissing writes no entry
    with pytest.raises(InvalidInput):
        recon.list_flags(kind="no_such_kind")


# -- gift stock ---------------------------------------------------------------------------------------

def stores() -> None:
    authority.publish_program(context.reference_program_source(), actor="test")
    register("T01", "S001")
    register("T02", "S002")


def stock(store: str, gift: str = "G004") -> int | None:
    row = db.GiftStock.get_or_none((db.GiftStock.store_id == store) & (db.GiftStock.gift_code == gift))
    return None if row is None else int(row.stock)


def test_receive_transfer_and_count_record_moves_and_reach_the_stores_tills(hq_db: Any) -> None:
    stores()
    gifts_admin.receive("S001", "G004", "10", "到货单 123", actor="staff:market")
    gifts_admin.transfer("S001", "S002", "G004", "4", actor="staff:market")
    done = gifts_admin.count("S002", "G004", "3", "盘点", actor="staff:market")
    assert (stock("S001"), stock("S002"), done.qty) == (6, 3, -1)
    M = db.GiftStockMove
    assert [(m.store_id, m.kind, int(m.qty), int(m.stock_after)) for m in M.select().order_by(M.id)] == [
        ("S001", "receive", 10, 10), ("S001", "transfer_out", -4, 6), ("S002", "transfer_in", 4, 4),
        ("S002", "count", -1, 3)]
    changes = [(c.audience, json.loads(c.data)["stock"])
               for c in db.Change.select().where(db.Change.kind == "gift_stock").order_by(db.Change.id)]
    assert changes == [("S:S001", 10), ("S:S001", 6), ("S:S002", 4), ("S:S002", 3)]
    assert [a.action for a in db.Audit.select().where(db.Audit.action.startswith("gift."))] == [
        "gift.receive", "gift.transfer", "gift.count"]
    assert [m["kind"] for m in gifts_admin.history("S002", "G004")] == ["count", "transfer_in"]
    table = gifts_admin.stock_table("S002")
    assert [s.id for s in table.stores] == ["S002"] and table.stock == {("G004", "S002"): 3}


def test_bad_stock_operations_name_the_field_and_write_nothing(hq_db: Any) -> None:
    stores()
    gifts_admin.receive("S001", "G004", 2, actor="staff:market")
    before = (db.GiftStockMove.select().count(), db.Change.select().count(), db.Audit.select().count())
    cases: list[tuple[Any, str, type[PosError]]] = [
        (lambda: gifts_admin.transfer("S001", "S002", "G004", "3", actor="x"), "qty", RuleViolation),
        (lambda: gifts_admin.transfer("S001", "S001", "G004", "1", actor="x"), "to_store", InvalidInput),
        (lambda: gifts_admin.count("S001", "G004", "-1", actor="x"), "counted", InvalidInput),
        (lambda: gifts_admin.count("S001", "G004", "1.5", actor="x"), "counted", InvalidInput),
        (lambda: gifts_admin.receive("S001", "G999", "1", actor="x"), "gift_code", NotFound),
        (lambda: gifts_admin.receive("S001", "G001", "1", actor="x"), "gift_code", RuleViolation),
        (lambda: gifts_admin.receive("S009", "G004", "1", actor="x"), "store_id", NotFound),
        (lambda: gifts_admin.receive("S001", "G004", "0", actor="x"), "qty", InvalidInput),
        (lambda: gifts_admin.receive("S001", "G004", "", actor="x"), "qty", InvalidInput),
        (lambda: gifts_admin.receive("S001", "G004", "1", "n" * 201, actor="x"), "note", InvalidInput),
    ]
    for call, field, kind in cases:
        with pytest.raises(kind) as err:
            call()
        assert err.value.field == field
    assert (db.GiftStockMove.select().count(), db.Change.select().count(), db.Audit.select().count()) == before
    assert (stock("S001"), stock("S002")) == (2, None)


def test_the_cli_and_the_tills_redemptions_are_in_the_history_too(hq_db: Any) -> None:
    stores()
    authority.set_gift_stock("S001", "G004", 7, actor="admin")
    authority.set_gift_stock("S001", "G004", 5, actor="admin")
    till = Till("T01", "S001")
    push(db.Terminal.get_by_id("T01"), till.batch([], [
        member_event(till, M1, phone="13800000001", card_no="2900000000018"),
        till.event("redemption", "RD-1", {"member": M1, "gift": "G004", "points": 10000, "cash_fen": 0})]))
    assert [(m["kind"], m["qty"], m["stock_after"], m["actor"]) for m in gifts_admin.history("S001", "G004")] == [
        ("redeem", -1, 4, "T01"), ("set", -2, 5, "admin"), ("set", 7, 7, "admin")]
