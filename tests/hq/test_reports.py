"""Headquarters' reports on a small hand-made chain of two stores, with exact numbers."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any

import pytest

from pos_app.core.errors import InvalidInput
from pos_app.core.members import make_card_number
from pos_app.hq import db, reports
from tests.hq.conftest import Till, member_event, push, register


@pytest.fixture
def chain(hq_db: Any) -> dict[str, Any]:
    """Two stores. m1 (S01): +10 in October, +100, +50, -30 paid. m2 (S02): +200, -80 gift,
    -20 clawed back, +5 returned. m3 (S01): +100 at S01, then S01 and S02 each spend 80 of
    it offline: the second is an overdraft (debt 60)."""
    db.Store.create(id="S01", name="东城店", created_at=db.utcnow())
    db.Store.create(id="S02", name="西城店", created_at=db.utcnow())
    t1, t2 = register("S01-T1", "S01"), register("S02-T1", "S02")
    a, b = Till("S01-T1", "S01"), Till("S02-T1", "S02")
    m1, m2, m3 = (str(uuid.uuid4()) for _ in range(3))
    old = a.earn(m1, 10, day="2026-10-01")
    e1 = a.earn(m1, 100)
    e2 = a.earn(m1, 50)
    r1 = a.entry(m1, "redeem", -30, taken=[[e1["uuid"], 30]])
    e3 = a.earn(m3, 100)
    r3a = a.entry(m3, "redeem", -80, taken=[[e3["uuid"], 80]])
    push(t1, a.batch([old, e1, e2, r1, e3, r3a], [
        member_event(a, m1, phone="13800000001", card_no=make_card_number(1)),
        member_event(a, m3, phone="13800000003", card_no=make_card_number(3))]))
    f1 = b.earn(m2, 200)
    g2 = b.entry(m2, "gift", -80, taken=[[f1["uuid"], 80]])
    c2 = b.entry(m2, "clawback", -20, taken=[[f1["uuid"], 20]])
    ret = b.entry(m2, "return", 5, back=[[f1["uuid"], 5]])
    r3b = b.entry(m3, "redeem", -80, taken=[[e3["uuid"], 80]])  # the same lot, spent offline at S02
    push(t2, b.batch([f1, g2, c2, ret, r3b], [member_event(b, m2, phone="13800000002", card_no=make_card_number(2))]))
    return {"m1": m1, "m2": m2, "m3": m3, "overdraft_entry": r3b["uuid"]}


def test_liability_by_home_store(chain: dict[str, Any]) -> None:
    assert reports.liability_by_store() == [
        {"store_id": "S01", "store_name": "东城店", "members": 2, "members_with_points": 1, "points": 130, "debt": 60},
        {"store_id": "S02", "store_name": "西城店", "members": 1, "members_with_points": 1, "points": 105, "debt": 0},
    ]


def test_issued_vs_redeemed_per_store_between_dates(chain: dict[str, Any]) -> None:
    rows = reports.issued_vs_redeemed(dt.date(2026, 11, 1), dt.date(2026, 11, 30))
    assert rows == [
        {"store_id": "HQ", "issued": 0, "redeemed": 0, "expired": 0, "clawed_back": 0, "returned": 0, "entries": 1},
        {"store_id": "S01", "issued": 250, "redeemed": 110, "expired": 0, "clawed_back": 0, "returned": 0,
         "entries": 5},
        {"store_id": "S02", "issued": 200, "redeemed": 160, "expired": 0, "clawed_back": 20, "returned": 5,
         "entries": 5},
    ]
    october = reports.issued_vs_redeemed(dt.date(2026, 10, 1), dt.date(2026, 10, 31))
    assert [(r["store_id"], r["issued"], r["entries"]) for r in october] == [("S01", 10, 1)]
    everything = reports.issued_vs_redeemed()
    assert [r["issued"] for r in everything] == [0, 260, 200]
    with pytest.raises(InvalidInput):
        reports.issued_vs_redeemed(dt.date(2026, 12, 1), dt.date(2026, 11, 1))


def test_expired_points_count_net_of_corrections(chain: dict[str, Any]) -> None:
    from pos_app.core.replica import Effects, NewLot
    from pos_app.hq import ingest

    day = dt.date(2026, 11, 20)
    lot = (db.Lot.select().where((db.Lot.member_uuid == chain["m1"]) & (db.Lot.remaining > 0))
           .order_by(db.Lot.id).first())
    with db.writing(db.proxy.obj):
        ingest.append_hq_entry(member_uuid=chain["m1"], kind="expire", points=-lot.remaining, ref_type="expiry",
                               ref_no="EXP", breakdown={}, effects=Effects(taken=((lot.key, lot.remaining),)),
                               business_date=day)
        ingest.append_hq_entry(member_uuid=chain["m1"], kind="expire_fix", points=4, ref_type="entry", ref_no="x",
                               breakdown={}, effects=Effects(new=(NewLot(day, day, 4),)), business_date=day)
    [hq] = [r for r in reports.issued_vs_redeemed(day, day) if r["store_id"] == "HQ"]
    assert (hq["issued"], hq["expired"], hq["entries"]) == (0, lot.remaining - 4, 2)


def test_reconciliation_lists_the_overdraft(chain: dict[str, Any]) -> None:
    rows = reports.reconciliation()
    assert len(rows) == 1
    row = rows[0]
    assert (row["kind"], row["store_id"], row["terminal_id"], row["member_uuid"], row["ref"], row["points"]) == (
        "overdraft", "S02", "S02-T1", chain["m3"], chain["overdraft_entry"], 60)
    assert json.loads(row["details"])["shortfall"] == 60
    today = dt.datetime.now(dt.UTC).date()
    assert len(reports.reconciliation(today, today)) == 1
    assert reports.reconciliation(dt.date(2020, 1, 1), dt.date(2020, 12, 31)) == []


def test_stale_terminals_are_tills_quiet_for_a_day_or_never_heard_from(hq_db: Any) -> None:
    now = dt.datetime(2026, 11, 20, 12, 0, tzinfo=dt.UTC)
    for tid, last in (("S01-T1", "2026-11-20T08:00:00+00:00"), ("S01-T2", "2026-11-19T11:59:00+00:00"),
                      ("S02-T1", None)):
        t = register(tid, tid[:3])
        db.Terminal.update(last_push_at=last).where(db.Terminal.id == t.id).execute()
    db.Terminal.create(id="WEB", store_id="S01", kind="channel", created_at=db.utcnow())  # not a till
    off = register("S02-T9", "S02")
    db.Terminal.update(active=False).where(db.Terminal.id == off.id).execute()  # deactivated on purpose
    rows = reports.stale_terminals(now)
    assert [(r["terminal_id"], r["hours_since_push"]) for r in rows] == [("S01-T2", 24), ("S02-T1", None)]
    assert [r["terminal_id"] for r in reports.stale_terminals(now, hours=48)] == ["S02-T1"]
