"""Merging two members at headquarters without HTTP (hq.merge): exact sums, lots moved with
their expiry, debt, tiers, refusals naming the field, the feed's audiences (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from pathlib import Path
from typing import Any

import pytest

from pos_app.core.errors import Conflict, InvalidInput, NotFound, RuleViolation
from pos_app.core.members import make_card_number
from pos_app.core.replica import Effects, NewLot
from pos_app.hq import authority, db, feed, merge, projection, verify
from pos_app.hq.cli import main as hq_main

REPO = Path(__file__).resolve().parents[2]
SOURCE = (REPO / "db" / "reference-program.toml").read_text(encoding="utf-8")
TODAY = dt.date(2026, 11, 20)


@pytest.fixture
def program(hq_db: Any) -> Any:
    return authority.publish_program(SOURCE, actor="test")


def member(phone: str, name: str = "张三", *, card: int = 1, store: str = "S01", tier: str = "normal") -> db.Member:
    return db.Member.create(uuid=str(uuid.uuid4()), phone=phone, name=name, card_no=make_card_number(card),
                            store_id=store, tier=tier, tier_since="2026-01-01", enrolled_at="2026-01-01T10:00:00")


def reload(m: db.Member) -> db.Member:
    return db.Member.get(db.Member.uuid == m.uuid)


def credit(m: db.Member, *lots: tuple[str, str | None, int]) -> None:
    """Lots for a member, each (earned, last valid day, points), by one HQ entry."""
    new = tuple(NewLot(dt.date.fromisoformat(e), dt.date.fromisoformat(x) if x else None, p) for e, x, p in lots)
    with db.writing(db.proxy.obj):
        projection.append_hq_entry(member_uuid=m.uuid, kind="adjust", points=sum(p for *_, p in lots),
                                   ref_type="adjust", ref_no=f"T-{uuid.uuid4().hex[:8]}", breakdown={},
                                   effects=Effects(new=new), business_date=TODAY)


def debit(m: db.Member, points: int) -> None:
    """A debit nobody covers: the member's debt."""
    with db.writing(db.proxy.obj):
        projection.append_hq_entry(member_uuid=m.uuid, kind="adjust", points=-points, ref_type="adjust",
                                   ref_no=f"T-{uuid.uuid4().hex[:8]}", breakdown={}, effects=Effects(),
                                   business_date=TODAY)


def live(m: db.Member) -> list[tuple[str, str | None, int]]:
    L = db.Lot
    return sorted((str(lot.earned_on), lot.expires_on, int(lot.remaining))
                  for lot in L.select().where((L.member_uuid == m.uuid) & (L.remaining > 0)))


def test_a_merge_moves_every_lot_with_its_expiry_and_the_sums_are_exact(program: Any) -> None:
    a = member("13800000001", "王芳", card=1, store="S01")
    b = member("13800000001", "王芳", card=2, store="S02", tier="silver")
    credit(a, ("2026-03-01", "2027-03-01", 120), ("2026-06-10", "2027-06-10", 35), ("2026-07-01", None, 7))
    credit(b, ("2026-05-05", "2027-05-05", 1000))
    before_a, before_b = int(reload(a).balance), int(reload(b).balance)
    plan = merge.plan_merge(a.uuid, b.uuid)
    assert (plan.points, plan.debt, plan.balance_after, plan.tier) == (162, 0, 1162, "silver")
    out = merge.merge_members(a.uuid, make_card_number(2), actor="staff:admin", today=TODAY)
    assert (out.points, out.balance) == (162, before_a + before_b)
    ra, rb = reload(a), reload(b)
    assert (ra.balance, ra.debt, ra.status, ra.merged_into) == (0, 0, "merged", b.uuid)
    assert (rb.balance, rb.debt, rb.tier) == (1162, 0, "silver")
    assert live(a) == []
    assert live(b) == sorted([("2026-03-01", "2027-03-01", 120), ("2026-06-10", "2027-06-10", 35),
                              ("2026-07-01", None, 7), ("2026-05-05", "2027-05-05", 1000)])
    E = db.Entry
    rows = list(E.select().where(E.ref_type == "merge").order_by(E.seq))
    assert [(e.terminal_id, e.member_uuid, e.kind, e.points) for e in rows] == [
        (db.HQ_CHAIN, a.uuid, "merge_out", -162), (db.HQ_CHAIN, b.uuid, "merge_in", 162)]
    assert json.loads(rows[1].breakdown)["from"] == a.uuid
    [audit] = db.Audit.select().where(db.Audit.action == "member.merge")
    assert (audit.actor, json.loads(audit.details)["points"]) == ("staff:admin", 162)
    # the feed: the source goes out frozen with merged_into, before the target's record
    members = [json.loads(c.data) for c in db.Change.select().where(db.Change.kind == "member").order_by(db.Change.id)]
    merged = [d for d in members if d["uuid"] == a.uuid][-1]
    assert (merged["status"], merged["merged_into"], merged["balance"]) == ("frozen", b.uuid, 0)
    report = verify.verify()
    assert report["ok"], report


def test_debt_moves_to_the_target_and_the_higher_tier_is_kept(program: Any) -> None:
    a = member("13800000001", card=1, tier="gold")
    b = member("13800000002", card=2)
    debit(a, 40)
    credit(b, ("2026-05-05", "2027-05-05", 100), ("2026-08-05", "2027-08-05", 100))
    assert (reload(a).balance, reload(a).debt) == (-40, 40)
    out = merge.merge_members(a.uuid, b.uuid, actor="staff:admin", today=TODAY)
    assert (out.debt, out.balance, out.tier) == (40, 160, "gold")
    ra, rb = reload(a), reload(b)
    assert (ra.balance, ra.debt) == (0, 0)
    assert (rb.balance, rb.debt, rb.tier, rb.tier_since) == (160, 0, "gold", a.tier_since)
    assert live(b) == [("2026-05-05", "2027-05-05", 60), ("2026-08-05", "2027-08-05", 100)]  # soonest first
    # a target without points takes the debt as debt
    c = member("13800000003", card=3)
    d = member("13800000004", card=4)
    debit(c, 25)
    merge.merge_members(c.uuid, d.uuid, actor="staff:admin", today=TODAY)
    assert (reload(d).balance, reload(d).debt, reload(c).balance, reload(c).debt) == (-25, 25, 0, 0)
    assert verify.verify()["ok"]


def test_refusals_name_the_field_and_write_nothing(program: Any) -> None:
    a = member("13800000001", card=1)
    b = member("13800000002", card=2)
    c = member("13800000003", card=3)
    credit(a, ("2026-05-05", "2027-05-05", 10))
    counts = lambda: (db.Entry.select().count(), db.Change.select().count(), db.Audit.select().count())  # noqa: E731
    before = counts()
    for source, target, field, error in [
        (a.uuid, a.uuid, "target", InvalidInput), ("", b.uuid, "source", InvalidInput),
        (a.uuid, "hello", "target", InvalidInput), (a.uuid, "13900000000", "target", NotFound),
        (str(uuid.uuid4()), b.uuid, "source", NotFound),
    ]:
        with pytest.raises(error) as info:
            merge.merge_members(source, target, actor="staff:admin", today=TODAY)
        assert info.value.field == field
    assert counts() == before
    merge.merge_members(a.uuid, b.uuid, actor="staff:admin", today=TODAY)
    after = counts()
    with pytest.raises(Conflict) as twice:  # a double merge
        merge.merge_members(a.uuid, c.uuid, actor="staff:admin", today=TODAY)
    assert twice.value.field == "source"
    with pytest.raises(RuleViolation) as into:  # into a member merged away
        merge.merge_members(c.uuid, a.uuid, actor="staff:admin", today=TODAY)
    assert into.value.field == "target"
    assert counts() == after and reload(b).balance == 10


def test_a_shared_phone_names_the_other_member_of_the_pair(program: Any) -> None:
    a = member("13800000001", card=1)
    b = member("13800000001", card=2)
    assert merge.find_member("13800000001", field_name="target", exclude=a.uuid).uuid == b.uuid
    with pytest.raises(InvalidInput) as several:
        merge.find_member("13800000001", field_name="target")
    assert several.value.field == "target"


def test_the_tills_holding_the_source_are_subscribed_to_the_target_and_sent_its_entries(program: Any) -> None:
    for tid, store in (("T01", "S01"), ("T02", "S01"), ("T03", "S02")):
        db.Terminal.create(id=tid, store_id=store, kind="till", created_at=db.utcnow())
    a = member("13800000001", card=1, store="S01")
    b = member("13800000002", card=2, store="S02")
    credit(b, ("2026-05-05", "2027-05-05", 70))
    [earlier] = [e.uuid for e in db.Entry.select().where(db.Entry.member_uuid == b.uuid)]
    credit(a, ("2026-05-05", "2027-05-05", 30))
    out = merge.merge_members(a.uuid, b.uuid, actor="staff:admin", today=TODAY)
    assert out.subscribed == ("T01", "T02")
    assert feed.member_audiences([b.uuid])[b.uuid] == ["S:S02", "T:T01", "T:T02"]
    C = db.Change
    for tid in ("T01", "T02"):
        keys = [c.key for c in C.select().where((C.audience == f"T:{tid}") & (C.kind == "entry")).order_by(C.id)]
        assert keys[0] == earlier and len(keys) == 2  # the target's earlier entry, then the merge_in
    kinds = [(c.kind, c.key) for c in C.select().where(C.audience == "S:S01").order_by(C.id)]
    assert ("member", a.uuid) in kinds


@pytest.mark.parametrize("hq_db", ["sqlite"], indirect=True)  # the CLI is run against the SQLite file
def test_the_cli_merges_and_shows_a_dry_run(program: Any, capsys: pytest.CaptureFixture[str],
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    a = member("13800000001", card=1)
    b = member("13800000002", card=2)
    credit(a, ("2026-05-05", "2027-05-05", 30))
    url = db.proxy.obj.database
    assert hq_main(["--db", url, "--json", "member", "merge", "--dry-run", a.uuid, b.uuid]) == 0
    assert json.loads(capsys.readouterr().out)["points"] == 30 and reload(a).balance == 30
    assert hq_main(["--db", url, "--json", "member", "merge", make_card_number(1), "13800000002"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert (out["points"], out["balance"]) == (30, 30)


def test_the_online_lookup_answers_the_surviving_member(program: Any) -> None:
    from pos_app.hq import lookup

    a = member("13800000001", card=1)
    b = member("13800000002", card=2)
    c = member("13800000003", card=3)
    merge.merge_members(a.uuid, b.uuid, actor="staff:admin", today=TODAY)
    merge.merge_members(b.uuid, c.uuid, actor="staff:admin", today=TODAY)  # a chain of merges is followed
    assert lookup._find(make_card_number(1)) == c.uuid
    assert lookup._find("13800000001") == c.uuid and lookup._find(make_card_number(3)) == c.uuid
    assert merge.merged_target(a.uuid) == c.uuid
