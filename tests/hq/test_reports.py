"""Headquarters' reports on a small hand-made chain of two stores, with exact numbers."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from pathlib import Path
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


# -- the console's reports (issue 14 item 9) ---------------------------------------------------------

def test_a_report_range_is_checked_and_names_the_bad_field() -> None:
    today = dt.date(2026, 11, 20)
    assert reports.parse_range("", "", today=today) == (dt.date(2026, 10, 22), today)
    assert reports.parse_range("2026-01-01", "2026-12-31", today=today) == (dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    assert reports.parse_range("2024-01-01", "2024-12-31", today=today)[0] == dt.date(2024, 1, 1)  # 366 days
    for date_from, date_to, field in (("2026-02-30", "", "from"), ("", "20261101", "to"), ("x", "2026-11-01", "from"),
                                      ("2026-11-02", "2026-11-01", "to"), ("2025-01-01", "2026-01-02", "to"),
                                      ("2026-1-1", "", "from")):
        with pytest.raises(InvalidInput) as caught:
            reports.parse_range(date_from, date_to, today=today)
        assert caught.value.field == field, (date_from, date_to)


def test_points_by_day_and_store(chain: dict[str, Any]) -> None:
    rows = reports.points_by_day(dt.date(2026, 10, 1), dt.date(2026, 11, 30))
    assert rows == [
        {"day": "2026-10-01", "store_id": "S01", "issued": 10, "redeemed": 0},
        {"day": "2026-11-03", "store_id": "HQ", "issued": 0, "redeemed": 0},  # the overdraft's debt entry
        {"day": "2026-11-03", "store_id": "S01", "issued": 250, "redeemed": 110},
        {"day": "2026-11-03", "store_id": "S02", "issued": 200, "redeemed": 160},
    ]
    assert reports.points_by_day(dt.date(2026, 11, 3), dt.date(2026, 11, 3), "S02") == [rows[3]]
    assert reports.points_by_day(dt.date(2026, 11, 4), dt.date(2026, 11, 30)) == []


def test_liability_values_the_points_at_the_program_s_rate(chain: dict[str, Any]) -> None:
    from pos_app.core.program import parse_program

    program = parse_program((Path(__file__).parents[2] / "db" / "reference-program.toml").read_text("utf-8"))
    rows = reports.liability(program)
    assert [(r["store_id"], r["store_name"], r["points"], r["value_fen"], r["debt"]) for r in rows] == [
        ("S01", "东城店", 130, 130, 60), ("S02", "西城店", 105, 105, 0)]  # 100 points = 100 fen
    assert [r["store_id"] for r in reports.liability(program, "S02")] == ["S02"]
    assert reports.liability(None, "S01")[0]["value_fen"] == 0


def test_expiring_points_per_home_store_in_30_60_90_days(hq_db: Any) -> None:
    db.Store.create(id="S01", name="东城店", created_at=db.utcnow())
    term = register("S01-T1", "S01")
    till = Till("S01-T1", "S01")
    m = str(uuid.uuid4())
    today = dt.date(2026, 11, 20)
    ends = {"yesterday": "2026-11-19", "today": "2026-11-20", "d30": "2026-12-19", "d31": "2026-12-20",
            "d60": "2027-01-18", "d90": "2027-02-17", "d91": "2027-02-18"}
    entries = [till.earn(m, 1 << i, expires=end) for i, end in enumerate(ends.values())]
    push(term, till.batch(entries, [member_event(till, m, phone="13800000009", card_no=make_card_number(9))]))
    [row] = reports.expiring(today)
    # today counts as the first day (the tills' 30 days); a lot past its day is not "expiring"
    assert (row["within_30"], row["within_60"], row["within_90"], row["members"]) == (2 + 4, 2 + 4 + 8 + 16,
                                                                                     2 + 4 + 8 + 16 + 32, 1)
    assert reports.expiring(today, "S02") == []


def test_gift_redemptions_from_the_tills_events(hq_db: Any) -> None:
    term = register("S01-T1", "S01")
    till = Till("S01-T1", "S01")
    m = str(uuid.uuid4())
    events = [member_event(till, m, phone="13800000010", card_no=make_card_number(10))]
    sold = (("G005", 2000, 1990, "2026-11-03"), ("G005", 2000, 1990, "2026-11-04"), ("G001", 100, 0, "2026-11-03"),
            ("G001", 100, 0, "2026-10-01"))
    for no, (gift, points, cash, day) in enumerate(sold):
        ev = till.event("redemption", f"S01-T1-G{no:07d}", {"member": m, "gift": gift, "points": points,
                                                           "cash_fen": cash, "business_date": day,
                                                           "created_at": f"{day}T10:00:00"})
        ev["created_at"] = f"{day}T10:00:00"
        events.append(ev)
    push(term, till.batch([], events))
    rows = reports.gift_redemptions(dt.date(2026, 11, 1), dt.date(2026, 11, 30))
    assert rows == [{"store_id": "S01", "gift": "G001", "redemptions": 1, "points": 100, "cash_fen": 0},
                    {"store_id": "S01", "gift": "G005", "redemptions": 2, "points": 4000, "cash_fen": 3980}]
    assert reports.gift_redemptions(dt.date(2026, 11, 4), dt.date(2026, 11, 4), "S01")[0]["redemptions"] == 1
    assert reports.gift_redemptions(dt.date(2026, 11, 1), dt.date(2026, 11, 30), "S02") == []


def test_segments_count_every_member_as_the_tills_classify_them(hq_db: Any) -> None:
    """Members around every threshold of the reference rules: the report's counts and member lists
    equal ``core.segments.classify`` applied to each member's own facts."""
    import random

    from pos_app.core import segments as core_segments
    from pos_app.core.program import parse_program

    program = parse_program((Path(__file__).parents[2] / "db" / "reference-program.toml").read_text("utf-8"))
    today = dt.date(2026, 11, 20)
    since = today - dt.timedelta(days=program.segments.window_days)
    rng = random.Random(14)
    expected: dict[tuple[str, str], set[str]] = {}
    for store in ("S01", "S02"):
        term = register(f"{store}-T1", store)
        till = Till(f"{store}-T1", store)
        entries, events, facts = [], [], {}
        for n in range(30):
            m = str(uuid.uuid4())
            sales = [(today - dt.timedelta(days=rng.choice((0, 5, 89, 90, 91, 120)))).isoformat()
                     for _ in range(rng.choice((0, 1, 2, 3, 5, 6, 7)))]
            for k, on in enumerate(sales):
                ref = f"{store}-R{n}-{k}"
                entries.append(till.entry(m, "earn", 10, new=[[on, None, 10]], day=on, ref_type="sale", ref_no=ref))
                if k % 2:  # paid partly with points: the same sale, counted once
                    entries.append(till.entry(m, "redeem", -1, day=on, ref_type="sale", ref_no=ref))
            enrolled = today - dt.timedelta(days=rng.choice((0, 29, 30, 31, 400)))
            last = rng.choice((None, 1, 89, 90, 91, 200))
            last_on = None if last is None else today - dt.timedelta(days=last)
            events.append(till.event("member", m, {
                "uuid": m, "phone": None, "name": f"m{n}", "birthday": None, "card_no": None, "status": "active",
                "tier": "normal", "store_id": store, "enrolled_at": f"{enrolled}T10:00:00", "consent": True,
                "first_purchase_at": None, "last_purchase_at": f"{last_on}T09:00:00" if last_on else None,
                "referrer_uuid": None}))
            balance = rng.choice((-5, 0, 4999, 5000, 5001, 9999, 10000, 10001, 19999, 20000, 20001, 25000))
            facts[m] = core_segments.MemberFacts(balance=balance, purchases_in_window=sum(s >= since.isoformat()
                                                                                          for s in sales),
                                                 last_purchase_on=last_on, registered_on=enrolled)
        push(term, till.batch(entries, events))
        for m, f in facts.items():
            db.Member.update(balance=f.balance).where(db.Member.uuid == m).execute()
            expected.setdefault((store, core_segments.classify(program.segments, f, today)), set()).add(m)
    rows = reports.segment_counts(program, today)
    assert {(r["store_id"], r["segment"]): r["members"] for r in rows} == {
        (store, seg): len(expected.get((store, seg), ())) for store in ("S01", "S02")
        for seg in reports.segment_ids(program)}
    assert len({seg for _store, seg in expected}) >= 4  # the population reaches most segments
    for seg in reports.segment_ids(program):
        chain_wide = {r["uuid"] for r in reports.segment_members(program, today, seg, limit=None)}
        assert chain_wide == expected.get(("S01", seg), set()) | expected.get(("S02", seg), set()), seg
        one_store = reports.segment_members(program, today, seg, "S02", limit=3)
        assert [r["uuid"] for r in one_store] == sorted(expected.get(("S02", seg), set()))[:3]
    with pytest.raises(InvalidInput):
        reports.segment_members(program, today, "nobody", None)


def test_a_slow_segment_count_is_kept_ten_minutes_and_a_fast_one_never(hq_db: Any, monkeypatch: pytest.MonkeyPatch
                                                                        ) -> None:
    from pos_app.core.program import parse_program

    program = parse_program((Path(__file__).parents[2] / "db" / "reference-program.toml").read_text("utf-8"))
    today = dt.date(2026, 11, 20)
    register("S01-T1", "S01")
    calls: list[int] = []
    real = reports.segment_counts

    def counted(*args: Any) -> list[dict[str, Any]]:
        calls.append(1)
        return real(*args)

    monkeypatch.setattr(reports, "segment_counts", counted)
    tick = iter(range(0, 10_000, 1)).__next__  # every reading of the clock is a second later: "slow"
    first, at = reports.segment_snapshot(program, today, "S01", clock=tick)
    again, at2 = reports.segment_snapshot(program, today, "S01", clock=tick)
    assert len(calls) == 1 and again == first and at2 == at
    assert reports.segment_members(program, today, "dormant", "S01") == []  # known empty: not even read
    late = iter(range(1_000, 10_000)).__next__  # ten minutes on
    reports.segment_snapshot(program, today, "S01", clock=late)
    assert len(calls) == 2
    reports.segment_snapshot(program, today, None)  # fast (a real clock): counted every time
    reports.segment_snapshot(program, today, None)
    assert len(calls) == 4
    expiring, when = reports.expiring_snapshot(today, "S01", clock=tick)
    assert reports.expiring_snapshot(today, "S01", clock=tick) == (expiring, when)


def test_a_slow_page_of_segment_members_is_kept_and_an_export_is_counted_afresh(
        chain: dict[str, Any], hq_db: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Figure 17's one slow page (segment=potential, 340 ms p95 on a million members): a page of a
    segment's members is kept like the segment counts when counting it was slow; each page (its
    ``after``) is kept apart; an export is never served from the kept pages."""
    from pos_app.core.program import parse_program

    program = parse_program((Path(__file__).parents[2] / "db" / "reference-program.toml").read_text("utf-8"))
    today = dt.date(2026, 11, 20)
    segment = next(s for s in reports.segment_ids(program) if reports.segment_members(program, today, s, limit=None))
    calls: list[tuple[str, int | None]] = []
    real = reports.segment_members

    def counted(*args: Any, after: str = "", limit: int | None = 100) -> list[dict[str, Any]]:
        calls.append((after, limit))
        return real(*args, after=after, limit=limit)

    monkeypatch.setattr(reports, "segment_members", counted)
    tick = iter(range(0, 10_000)).__next__  # each reading of the clock a second later: a slow count
    first, at = reports.segment_members_snapshot(program, today, segment, limit=2, clock=tick)
    assert first == real(program, today, segment, limit=2) and first
    assert reports.segment_members_snapshot(program, today, segment, limit=2, clock=tick) == (first, at)
    assert calls == [("", 2)]
    reports.segment_members_snapshot(program, today, segment, after=first[0]["uuid"], limit=2, clock=tick)
    assert calls == [("", 2), (first[0]["uuid"], 2)]  # another page: counted
    late = iter(range(1_000, 10_000)).__next__  # ten minutes on: counted again
    reports.segment_members_snapshot(program, today, segment, limit=2, clock=late)
    assert len(calls) == 3
    with pytest.raises(InvalidInput):
        reports.segment_members_snapshot(program, today, "nobody", clock=tick)


def test_the_daily_figures_are_the_entries_counted_afresh(chain: dict[str, Any], hq_db: Any) -> None:
    """``points_by_day`` reads ``store_day`` (kept by the database's triggers on every push):
    the same numbers as the entries themselves, counted now, for any range and store."""
    not_issued = ", ".join(f"'{k}'" for k in reports.NOT_ISSUED_KINDS)
    live = reports._query(f"""
        SELECT business_date AS day, store_id,
               sum(CASE WHEN points > 0 AND kind NOT IN ({not_issued}) THEN points ELSE 0 END) AS issued,
               sum(CASE WHEN kind IN ('redeem', 'gift') THEN -points ELSE 0 END) AS redeemed
        FROM entry GROUP BY business_date, store_id ORDER BY business_date, store_id""")
    year = reports.points_by_day(dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    assert year == reports._ints(live, "issued", "redeemed")
    b, t2 = Till("S02-T1", "S02"), db.Terminal.get(db.Terminal.id == "S02-T1")
    b.seq = 5
    b.prev = db.Entry.select().where(db.Entry.terminal_id == "S02-T1").order_by(db.Entry.seq.desc()).first().hash
    push(t2, b.batch([b.earn(chain["m2"], 40, day="2026-10-01")], []))  # a late push of an old day
    assert reports.points_by_day(dt.date(2026, 10, 1), dt.date(2026, 10, 1)) == [
        {"day": "2026-10-01", "store_id": "S01", "issued": 10, "redeemed": 0},
        {"day": "2026-10-01", "store_id": "S02", "issued": 40, "redeemed": 0}]


def test_the_chain_s_member_figures_are_kept_a_minute_and_counted_again_in_the_background(
        chain: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reports, "_figures", {})
    monkeypatch.delenv(reports.KEPT_ENV, raising=False)
    slow = iter(range(0, 10_000)).__next__  # every reading of the clock a second later: a slow count
    first, at = reports.member_figures(clock=slow)
    assert [(r["store_id"], r["members"], r["points"], r["debt"]) for r in first] == [
        ("S01", 2, 130, 60), ("S02", 1, 105, 0)]
    db.Member.update(balance=db.Member.balance + 1000).where(db.Member.uuid == chain["m2"]).execute()
    assert reports.member_figures(clock=slow) == (first, at)  # within the minute: the kept figures
    assert reports.member_figures("S02")[0][0]["points"] == 1105  # one store: counted now
    later = iter(range(100, 10_000)).__next__
    assert reports.member_figures(clock=later) == (first, at)  # older: shown while counted again
    reports.settle()
    again, at2 = reports.member_figures(clock=later)
    assert at2 > at and [(r["store_id"], r["points"]) for r in again] == [("S01", 130), ("S02", 1105)]
    rows, when = reports.liability_snapshot(None, clock=later)
    assert (when, [r["points"] for r in rows]) == (at2, [130, 1105])
    monkeypatch.setattr(reports, "_figures", {})
    reports.member_figures(clock=lambda: 0.0)  # a fast count (a small chain): never kept
    assert reports._figures == {}
    monkeypatch.setenv(reports.KEPT_ENV, "0")
    assert reports.member_figures(clock=slow)[0] == again and reports._figures == {}
