"""Replication on the terminal: the outbox exported in batches (resume rule, acks, resets) and
another terminal's entries imported into the local ledger, lots and projections."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pos_app.core.chain import GENESIS_HASH, HASHED_FIELDS, entry_hash
from pos_app.core.errors import Conflict
from pos_app.services import context, demo, points, sales, staff
from pos_app.services.context import Terminal
from pos_app.storage import replica
from pos_app.storage.database import open_database
from pos_app.storage.integrity import run_checks
from pos_app.sync import protocol
from tests.conftest import FakeClock
from tests.services.test_reference_examples import line

GOLD = "13800138000"  # demo member with 12,000 points
SILVER = "13900139000"


def body(t: Terminal, batch: replica.PendingBatch) -> dict[str, Any]:
    return {"protocol": protocol.PROTOCOL, "store_id": t.store_id, "terminal_id": t.terminal_id,
            "batch_id": batch.batch_id, "entries": batch.entries, "events": batch.events}


def drain(t: Terminal, *, limit: int = protocol.DEFAULT_BATCH) -> list[dict[str, Any]]:
    """Push everything pending as headquarters would receive it (each body checked with the
    protocol's own checks) and return the feed headquarters would publish: per batch the
    members first, then the entries."""
    changes: list[dict[str, Any]] = []
    while (batch := replica.export_batch(t.database, t.terminal_id, limit=limit)) is not None:
        protocol.check_push(json.loads(json.dumps(body(t, batch))), terminal_id=t.terminal_id, store_id=t.store_id)
        changes += [{"kind": "member", "data": ev["payload"]} for ev in batch.events if ev["kind"] == "member"]
        changes += [{"kind": "entry", "data": e} for e in batch.entries]
        replica.mark_acked(t.database, batch.batch_id, batch.last_seq or 0,
                           max((ev["oid"] for ev in batch.events), default=0))
    return changes


def numbered(changes: list[dict[str, Any]], start: int = 1) -> list[dict[str, Any]]:
    return [{"id": start + i, **c} for i, c in enumerate(changes)]


def checks_ok(t: Terminal) -> None:
    bad = {k: v for k, v in run_checks(t.database).items() if not v["ok"]}
    assert not bad, bad


def balances(t: Terminal) -> dict[str, tuple[int, int]]:
    return {r[0]: (r[1], r[2]) for r in t.database.execute("SELECT uuid, balance, debt FROM member")}


def lots(t: Terminal) -> dict[str, tuple[int, int]]:
    return {r[0]: (r[1], r[2]) for r in t.database.execute("SELECT key, points, remaining FROM lot")}


@pytest.fixture
def shop_a(tmp_path: Path, clock: FakeClock) -> Iterator[Terminal]:
    """A real terminal: the demo store, sales (one paid with points), a refund and a gift."""
    t = context.init_terminal(tmp_path / "a.db", store_id="S001", terminal_id="T01", clock=clock)
    demo.seed_demo(t)
    r1 = sales.record_sale(t, lines=[line(1, 20000), line(2, 5000)], member_ref=GOLD, points=1000, presence="card")
    sales.record_sale(t, lines=[line(1, 8000)], member_ref=SILVER)
    clock.advance(minutes=30)
    sales.refund_sale(t, receipt_no=r1.receipt_no, line_nos=[1])
    points.redeem_gift(t, member_ref=SILVER, gift_code="G002", presence="card")
    yield t
    t.close()


@pytest.fixture
def shop_b(tmp_path: Path, clock: FakeClock) -> Iterator[Terminal]:
    """A second terminal of another store: program and staff, no members of its own."""
    t = context.init_terminal(tmp_path / "b.db", store_id="S002", terminal_id="T02", clock=clock)
    context.load_program(t, context.reference_program_source())
    staff.create_staff(t, code="9001", name="店长", role="manager", pin="9999")
    yield t
    t.close()


def test_wire_facts_agree_with_the_protocol() -> None:
    assert replica.DEFAULT_BATCH == protocol.DEFAULT_BATCH
    assert replica.PUSHED_SETTINGS == protocol.PUSHED_SETTINGS


def test_export_of_a_real_outbox(shop_a: Terminal) -> None:
    t = shop_a
    total_rows = replica.pending_count(t.database)
    n_entries = t.database.execute("SELECT count(*) FROM ledger_entry").fetchone()[0]
    batch = replica.export_batch(t.database, t.terminal_id, limit=1000)
    assert batch is not None and not batch.resent
    protocol.check_push(json.loads(json.dumps(body(t, batch))), terminal_id="T01", store_id="S001")
    assert len(batch.entries) == n_entries and len(batch.entries) + len(batch.events) == total_rows
    assert [e["seq"] for e in batch.entries] == list(range(1, n_entries + 1))
    assert batch.entries[0]["prev_hash"] == GENESIS_HASH
    assert {ev["kind"] for ev in batch.events} == {"member", "tier", "sale", "refund", "coupon_issue", "redemption"}
    by_kind: dict[str, list[dict[str, Any]]] = {}
    for e in batch.entries:
        by_kind.setdefault(e["kind"], []).append(e)
    # an earn creates its lot, keyed by the entry's uuid
    earn = by_kind["earn"][0]
    assert earn["effects"]["new"][0][2] == earn["points"] and not earn["effects"]["taken"]
    key = t.database.execute("SELECT l.key FROM lot l JOIN ledger_entry e ON e.id = l.entry_id WHERE e.uuid = ?",
                             (earn["uuid"],)).fetchone()[0]
    assert key == earn["uuid"]
    # the points payment names the lots it took; the refund gives them back into those lots
    redeem = by_kind["redeem"][0]
    assert sum(p for _, p in redeem["effects"]["taken"]) == 1000
    ret = by_kind["return"][0]
    assert ret["effects"]["new"] == [] and {k for k, _ in ret["effects"]["back"]} <= {
        k for k, _ in redeem["effects"]["taken"]}
    assert sum(p for _, p in ret["effects"]["back"]) == ret["points"]
    gift = by_kind["gift"][0]
    assert sum(p for _, p in gift["effects"]["taken"]) == 1000
    replica.mark_acked(t.database, batch.batch_id, batch.last_seq or 0, max(ev["oid"] for ev in batch.events))
    assert replica.pending_count(t.database) == 0
    assert replica.export_batch(t.database, t.terminal_id) is None


def test_resume_rule_resends_the_same_rows_with_the_same_batch_id(shop_a: Terminal, clock: FakeClock) -> None:
    t = shop_a
    first = replica.export_batch(t.database, t.terminal_id, limit=7)
    assert first is not None and len(first.outbox_ids) == 7
    # the till crashes after the batch id was written, before any answer: reopen the file
    path = t.database.path
    t.database.close()
    again_db = open_database(path)
    again = replica.export_batch(again_db, "T01", limit=50)  # a different limit changes nothing
    assert again is not None and again.resent
    assert again.batch_id == first.batch_id and again.outbox_ids == first.outbox_ids
    assert json.dumps(again.entries) == json.dumps(first.entries) and again.events == first.events
    replica.mark_acked(again_db, again.batch_id, again.last_seq or 0,
                       max((ev["oid"] for ev in again.events), default=0))
    nxt = replica.export_batch(again_db, "T01", limit=7)
    assert nxt is not None and nxt.batch_id != first.batch_id and not nxt.resent
    assert min(nxt.outbox_ids) > max(first.outbox_ids)
    assert nxt.first_seq == (first.last_seq or 0) + 1 and nxt.entries[0]["prev_hash"] == first.entries[-1]["hash"]
    again_db.close()


def test_reset_from_sends_again_what_headquarters_lost(shop_a: Terminal) -> None:
    t = shop_a
    drain(t)
    assert replica.pending_count(t.database) == 0
    replica.reset_from(t.database, 4, acked_oid=0)
    batch = replica.export_batch(t.database, t.terminal_id, limit=1000)
    assert batch is not None and batch.first_seq == 4
    protocol.check_push(json.loads(json.dumps(body(t, batch))), terminal_id="T01", store_id="S001")
    assert batch.events and batch.events[0]["oid"] == 1  # every event, as none was held
    # headquarters holds more than we thought (our acks were lost): everything below is acked
    replica.reset_from(t.database, batch.last_seq or 0)
    again = replica.export_batch(t.database, t.terminal_id, limit=1000)
    assert again is not None and again.batch_id != batch.batch_id
    assert [e["seq"] for e in again.entries] == [batch.last_seq]


def test_foreign_entries_are_imported_and_both_terminals_verify(shop_a: Terminal, shop_b: Terminal,
                                                               clock: FakeClock) -> None:
    a, b = shop_a, shop_b
    feed_a = numbered(drain(a, limit=10))
    report = replica.apply_changes(b.database, b.terminal_id, b.store_id, feed_a, cursor=len(feed_a))
    assert report.entries_imported == a.database.execute("SELECT count(*) FROM ledger_entry").fetchone()[0]
    assert report.placeholders == [] and report.conflicts == [] and report.shortfalls == []
    assert replica.current_cursor(b.database) == str(len(feed_a))
    assert balances(b) == balances(a)
    assert lots(b) == lots(a)  # the same lots under the same keys, with the same points left
    assert replica.pending_count(b.database) == 0  # foreign entries never go up again
    checks_ok(a)
    checks_ok(b)
    # the same page again (a retry after a lost answer) changes nothing
    again = replica.apply_changes(b.database, b.terminal_id, b.store_id, feed_a, cursor=len(feed_a))
    assert again.entries_imported == 0 and again.entries_known == report.entries_imported
    assert balances(b) == balances(a)
    # the member shops at the other store: earns there and pays with points there
    clock.advance(hours=1)
    sales.record_sale(b, lines=[line(1, 30000)], member_ref=GOLD, points=2000, presence="card")
    points.redeem_gift(b, member_ref=SILVER, gift_code="G001", presence="card")
    feed_b = numbered(drain(b), start=1000)
    assert {c["data"]["terminal_id"] for c in feed_b if c["kind"] == "entry"} == {"T02"}
    rep_a = replica.apply_changes(a.database, a.terminal_id, a.store_id, feed_b)
    assert rep_a.entries_imported == len(feed_b) and rep_a.cursor == str(999 + len(feed_b))
    assert balances(a) == balances(b)
    assert lots(a) == lots(b)
    checks_ok(a)
    checks_ok(b)
    # the chains of both terminals are in both ledgers
    for t in (a, b):
        chains = dict(t.database.execute("SELECT terminal_id, count(*) FROM ledger_entry GROUP BY terminal_id"))
        assert set(chains) == {"T01", "T02"}


def test_overlapping_spend_ends_with_the_same_balance_and_debt(shop_a: Terminal, shop_b: Terminal,
                                                              clock: FakeClock) -> None:
    a, b = shop_a, shop_b
    replica.apply_changes(b.database, b.terminal_id, b.store_id, numbered(drain(a)))
    start = a.repo.member_by_phone(SILVER)
    assert start is not None and start.balance > 5000
    # both tills are offline and each spends most of the member's points
    points.redeem_gift(a, member_ref=SILVER, gift_code="G003", presence="card", manager_code="9001", manager_pin="9999")
    points.redeem_gift(b, member_ref=SILVER, gift_code="G003", presence="card", manager_code="9001", manager_pin="9999")
    feed_a, feed_b = numbered(drain(a), start=500), numbered(drain(b), start=600)
    rb = replica.apply_changes(b.database, b.terminal_id, b.store_id, feed_a)
    ra = replica.apply_changes(a.database, a.terminal_id, a.store_id, feed_b)
    assert balances(a) == balances(b)
    after = a.repo.member_by_phone(SILVER)
    assert after is not None and after.balance == start.balance - 10000 < 0
    assert after.debt == -after.balance  # every lot is empty: the rest is debt, on both sides
    assert ra.shortfalls and rb.shortfalls  # each side saw a debit its lots could not cover
    checks_ok(a)
    checks_ok(b)
    # a later credit on one terminal pays the debt off, and the other agrees once it arrives
    sales.record_sale(b, lines=[line(1, 200000)], member_ref=SILVER)
    replica.apply_changes(a.database, a.terminal_id, a.store_id, numbered(drain(b), start=700))
    assert balances(a) == balances(b)
    assert lots(a) == lots(b)
    checks_ok(a)


def test_a_page_is_all_or_nothing(shop_a: Terminal, shop_b: Terminal) -> None:
    a, b = shop_a, shop_b
    feed = numbered(drain(a))
    entries = [c for c in feed if c["kind"] == "entry"]
    forged = json.loads(json.dumps(entries[3]))
    forged["data"]["points"] += 1  # the hash no longer matches
    page = [*feed[:-1], forged]
    with pytest.raises(Conflict):
        replica.apply_changes(b.database, b.terminal_id, b.store_id, page, cursor=99)
    assert b.database.execute("SELECT count(*) FROM ledger_entry").fetchone()[0] == 0
    assert replica.current_cursor(b.database) == "0"
    # an entry that does not follow the predecessor held here is refused too
    relinked = json.loads(json.dumps(entries[1]))
    relinked["data"]["prev_hash"] = entries[3]["data"]["hash"]
    relinked["data"]["hash"] = entry_hash({k: relinked["data"][k] for k in HASHED_FIELDS})
    with pytest.raises(Conflict) as err:
        replica.apply_changes(b.database, b.terminal_id, b.store_id, [c for c in feed if c is not entries[1]]
                              + [relinked])
    assert err.value.field == "changes.entry.prev_hash"
    assert b.database.execute("SELECT count(*) FROM ledger_entry").fetchone()[0] == 0


def test_a_foreign_chain_is_held_in_part(shop_a: Terminal, shop_b: Terminal) -> None:
    """Issue 13: a till holds another till's entries only for the members it holds, so a
    foreign chain has holes. An entry whose predecessor is not here is taken on its own hash;
    the link is checked where the predecessor is held; a forged entry is still refused."""
    a, b = shop_a, shop_b
    feed = numbered(drain(a))
    entries = [c for c in feed if c["kind"] == "entry"]
    assert len(entries) >= 4
    holes = {entries[0]["data"]["uuid"], entries[2]["data"]["uuid"]}
    partial = [c for c in feed if c["kind"] != "entry" or c["data"]["uuid"] not in holes]
    forged = json.loads(json.dumps(entries[0]))
    forged["data"]["points"] += 1  # its predecessor is not needed to see the hash is wrong
    with pytest.raises(Conflict) as err:
        replica.apply_changes(b.database, b.terminal_id, b.store_id, [forged])
    assert err.value.field == "changes.entry.hash"
    report = replica.apply_changes(b.database, b.terminal_id, b.store_id, partial)
    assert report.entries_imported == len(entries) - 2 and not report.bad
    held = [r[0] for r in b.database.execute("SELECT seq FROM ledger_entry WHERE terminal_id = ? ORDER BY seq",
                                              (a.terminal_id,))]
    assert held == [e["data"]["seq"] for e in entries if e["data"]["uuid"] not in holes]
    # the holes filled later (an online lookup, a subscription) link to what is held
    later = replica.apply_changes(b.database, b.terminal_id, b.store_id, [entries[2], entries[0]])
    assert later.entries_imported == 2
    assert balances(a) == balances(b)


def test_members_settings_stock_revocations_and_coupons(shop_a: Terminal, shop_b: Terminal) -> None:
    a, b = shop_a, shop_b
    feed = numbered(drain(a))
    replica.apply_changes(b.database, b.terminal_id, b.store_id, feed)
    gold = a.repo.member_by_phone(GOLD)
    assert gold is not None
    coupon = a.repo.row("SELECT * FROM coupon")
    assert coupon is not None
    # a member registered here with the same phone as another member at headquarters
    clash_uuid = "0190aaaa-0000-7000-8000-000000000001"
    b_member_before = b.repo.member_by_phone(GOLD)
    changes = [
        {"id": 200, "kind": "member", "data": {**json.loads(json.dumps(
            {"uuid": gold.uuid, "name": "张伟伟", "phone": GOLD, "card_no": gold.card_no, "status": "frozen",
             "tier": "gold", "tier_since": "2026-01-01", "first_purchase_at": None,
             "last_purchase_at": "2026-01-01T10:00:00"}))}},
        {"id": 201, "kind": "member", "data": {"uuid": clash_uuid, "phone": SILVER, "card_no": "2900000009990",
                                               "name": "重号", "tier": "normal"}},
        {"id": 202, "kind": "setting", "data": {"key": "member_qr.public_key", "value": "K" * 43}},
        {"id": 203, "kind": "setting", "data": {"key": "hq.url", "value": "http://evil.example"}},
        {"id": 204, "kind": "gift_stock", "data": {"store_id": "S002", "gift_code": "G004", "stock": 7}},
        {"id": 205, "kind": "gift_stock", "data": {"store_id": "S001", "gift_code": "G004", "stock": 99}},
        {"id": 206, "kind": "revoked", "data": {"kind": "card", "value": "2900000000018", "reason": "lost",
                                                "revoked_at": "2026-11-03T09:00:00"}},
        {"id": 207, "kind": "coupon", "data": {**{k: coupon[k] for k in ("code", "gift_code", "value_fen",
                                                                         "min_spend_fen", "issued_at",
                                                                         "valid_until")},
                                               "member_uuid": a.repo.member_by_phone(SILVER).uuid}},  # type: ignore[union-attr]
        {"id": 208, "kind": "something_new", "data": {}},
        {"id": 209, "kind": "gift_stock", "data": {"store_id": "S002", "gift_code": "G001", "stock": "many"}},
    ]
    rep = replica.apply_changes(b.database, b.terminal_id, b.store_id, changes)
    # skipped: hq.url, the other store's stock, the unknown kind, the unreadable stock (audited)
    assert rep.cursor == "209" and rep.skipped == 4 and [x["id"] for x in rep.bad] == [209]
    assert b.repo.row("SELECT ref FROM audit WHERE action = 'sync.bad_change'") == {"ref": "209"}
    g = b.repo.member_by_uuid(gold.uuid)
    assert g is not None and (g.name, g.status, g.tier) == ("张伟伟", "frozen", "gold")
    assert g.balance == gold.balance  # never taken from the record: the ledger decides
    # the purchase dates come from the sales entries imported (the member bought at the other
    # store: no second first-purchase bonus here); an older date from headquarters changes nothing
    assert gold.first_purchase_at is not None
    assert (g.first_purchase_at, g.last_purchase_at) == (gold.first_purchase_at, gold.last_purchase_at)
    replica.apply_changes(a.database, a.terminal_id, a.store_id, changes[:1])
    ga = a.repo.member_by_uuid(gold.uuid)
    assert ga is not None and ga.status == "frozen"
    assert (ga.first_purchase_at, ga.last_purchase_at) == (gold.first_purchase_at, gold.last_purchase_at)
    assert rep.conflicts == [{"member": clash_uuid, "fields": ["phone"],
                              "local_members": [a.repo.member_by_phone(SILVER).uuid]}]  # type: ignore[union-attr]
    assert b.repo.member_by_phone(SILVER).uuid != clash_uuid  # type: ignore[union-attr]
    assert b_member_before is not None
    assert b.repo.row("SELECT action FROM audit WHERE action = 'sync.conflict' AND ref = ?", (clash_uuid,))
    assert b.repo.setting("member_qr.public_key") == "K" * 43
    assert b.repo.setting("hq.url") is None
    assert b.repo.gift_stock("G004") == 7
    assert b.repo.row("SELECT reason FROM revoked_code WHERE value = '2900000000018'") == {"reason": "lost"}
    assert b.repo.coupon(coupon["code"])["member_id"] == b.repo.member_by_phone(SILVER).id  # type: ignore[index,union-attr]
    # the coupon used at the other store, then given back by a refund of that whole sale
    code = coupon["code"]
    used = {"code": code, "used_at": "2026-11-04T10:00:00", "used_receipt_no": "R1"}
    replica.apply_changes(b.database, b.terminal_id, b.store_id, [{"id": 210, "kind": "coupon", "data": used}])
    assert b.repo.coupon(code)["used_receipt_no"] == "R1"  # type: ignore[index]
    back = {"code": code, "used_at": None, "used_receipt_no": None}
    replica.apply_changes(b.database, b.terminal_id, b.store_id,
                          [{"id": 211, "kind": "coupon", "data": {**back, "returned_from": "R9"}}])
    assert b.repo.coupon(code)["used_receipt_no"] == "R1"  # type: ignore[index]  # another sale's return
    replica.apply_changes(b.database, b.terminal_id, b.store_id, [{"id": 212, "kind": "coupon", "data": back}])
    assert b.repo.coupon(code)["used_receipt_no"] == "R1"  # type: ignore[index]  # no receipt named: kept
    replica.apply_changes(b.database, b.terminal_id, b.store_id,
                          [{"id": 213, "kind": "coupon", "data": {**back, "returned_from": "R1"}}])
    assert b.repo.coupon(code)["used_at"] is None  # type: ignore[index]  # usable again here too
    checks_ok(b)


def test_local_stock_is_headquarters_stock_less_redemptions_not_yet_sent(shop_a: Terminal) -> None:
    a = shop_a
    drain(a)
    points.redeem_gift(a, member_ref=GOLD, gift_code="G004", presence="card", manager_code="9001", manager_pin="9999")
    assert a.repo.gift_stock("G004") == 4
    replica.apply_changes(a.database, a.terminal_id, a.store_id,
                          [{"id": 1, "kind": "gift_stock", "data": {"store_id": "S001", "gift_code": "G004",
                                                                    "stock": 5}}])
    assert a.repo.gift_stock("G004") == 4  # HQ's 5 less the redemption it has not received
    drain(a)
    replica.apply_changes(a.database, a.terminal_id, a.store_id,
                          [{"id": 2, "kind": "gift_stock", "data": {"store_id": "S001", "gift_code": "G004",
                                                                    "stock": 4}}])
    assert a.repo.gift_stock("G004") == 4


def test_an_entry_before_its_member_makes_a_placeholder(shop_a: Terminal, shop_b: Terminal) -> None:
    a, b = shop_a, shop_b
    feed = numbered([c for c in drain(a) if c["kind"] == "entry"])
    rep = replica.apply_changes(b.database, b.terminal_id, b.store_id, feed)
    assert len(rep.placeholders) == a.repo.member_count()
    assert balances(b) == balances(a)
    checks_ok(b)
    # the member's record arrives later and fills the placeholder in
    gold = a.repo.member_by_phone(GOLD)
    assert gold is not None
    replica.apply_changes(b.database, b.terminal_id, b.store_id, [
        {"id": 900, "kind": "member", "data": {"uuid": gold.uuid, "phone": GOLD, "card_no": gold.card_no,
                                               "name": gold.name}}])
    found = b.repo.member_by_phone(GOLD)
    assert found is not None and found.uuid == gold.uuid and found.balance == gold.balance


def test_a_batch_is_cut_by_size_so_headquarters_always_accepts_it(tmp_path: Path) -> None:
    """Large baskets: a batch stops at about MAX_BATCH_BYTES whatever its row count, far under HQ's
    body limit (else a till would be stuck on a 413 for ever); nothing is skipped."""
    from pos_app.hq.app import MAX_BODY

    t = context.init_terminal(tmp_path / "big.db", store_id="S001", terminal_id="T01")
    demo.seed_demo(t)
    basket = [line(i, 100 + i) for i in range(1, 41)]
    for _ in range(12):
        sales.record_sale(t, lines=basket, member_ref=GOLD)
    old = replica.MAX_BATCH_BYTES
    replica.MAX_BATCH_BYTES = 40_000  # a few big entries' worth, to see the cut
    try:
        sizes, bodies = [], []
        while (batch := replica.export_batch(t.database, t.terminal_id, limit=1000)) is not None:
            body = json.dumps({"entries": batch.entries, "events": batch.events}, ensure_ascii=False).encode()
            sizes.append(len(batch.outbox_ids))
            bodies.append(len(body))
            replica.mark_acked(t.database, batch.batch_id, 0, 0)
    finally:
        replica.MAX_BATCH_BYTES = old
    assert len(sizes) >= 3 and max(bodies) < 40_000 + 25_000  # cut by size, far below the 1,000-row limit
    assert sum(sizes) == t.database.execute("SELECT count(*) FROM outbox").fetchone()[0]
    assert replica.MAX_BATCH_BYTES * 2 < MAX_BODY
