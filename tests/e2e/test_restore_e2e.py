"""A replaced or restored till gets its own history back from headquarters (issue 13 item 7):
a real ``pos-hq`` process (uvicorn on loopback) on SQLite and on PostgreSQL, a till that
made 1,000 sales, destroyed and rebuilt from nothing, then restored from a backup taken
after 200 sales."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from pos_app import cli
from pos_app.services import backup, members, points, sales
from pos_app.services import sync as sync_service
from pos_app.services.context import Terminal
from pos_app.storage.integrity import run_checks
from tests.e2e.conftest import Clock, HQServer, enrollment_code, make_terminal
from tests.services.test_reference_examples import line

STORE, TERMINAL = "S01", "S01-T1"
SALES = 1000


def own_chain(t: Terminal) -> list[tuple[int, str, str]]:
    return [(r[0], r[1], r[2]) for r in t.database.execute(
        "SELECT seq, uuid, hash FROM ledger_entry WHERE terminal_id = ? ORDER BY seq", (TERMINAL,)).fetchall()]


def balances(t: Terminal, uuids: list[str]) -> dict[str, tuple[int, int]]:
    out = {}
    for u in uuids:
        row = t.database.execute("SELECT balance, debt FROM member WHERE uuid = ?", (u,)).fetchone()
        out[u] = (row[0], row[1])
    return out


def business_rows(t: Terminal) -> dict[str, Any]:
    q = t.database.execute
    return {
        "sales": q("SELECT receipt_no, uuid, member_id IS NOT NULL, total_fen, coupon_code, coupon_fen, points_paid,"
                   " points_value_fen, tender_fen, tender_kind, credited_purchase, credited_bonus, bonuses, flags"
                   " FROM sale ORDER BY receipt_no").fetchall(),
        "lines": q("SELECT s.receipt_no, l.line_no, l.sku, l.name, l.qty, l.net_fen, l.eligible_fen, l.multiplier,"
                   " r.refund_no FROM sale_line l JOIN sale s ON s.id = l.sale_id"
                   " LEFT JOIN refund r ON r.id = l.refund_id"
                   " ORDER BY s.receipt_no, l.line_no").fetchall(),
        "refunds": q("SELECT refund_no, net_fen, refund_fen, clawback_purchase, clawback_bonus, returned_points,"
                     " complete FROM refund ORDER BY refund_no").fetchall(),
        "redemptions": q("SELECT redemption_no, gift_code, points, cash_fen, coupon_code FROM redemption"
                         " ORDER BY redemption_no").fetchall(),
        "coupons": q("SELECT code, gift_code, value_fen, used_receipt_no FROM coupon ORDER BY code").fetchall(),
    }


def verify_ok(t: Terminal) -> None:
    bad = {k: v for k, v in run_checks(t.database).items() if not v["ok"]}
    assert not bad, bad
    assert cli.main(["--db", str(t.database.path), "verify"]) == cli.EXIT_OK


def sell(a: Terminal, member_cards: list[str], clock: Clock, backup_dir: Path) -> tuple[dict[str, Any], Path]:
    """1,000 sales (two thirds with a member, some paying with points), two gift redemptions
    (goods with cash, a coupon later used), a partial refund; a backup after 200 sales."""
    notes: dict[str, Any] = {"points_paid": [], "member_sales": []}
    taken: Path | None = None
    for i in range(SALES):
        card = member_cards[i % len(member_cards)] if i % 3 else None
        pay = 100 if card and i > 60 and i % 7 == 1 else 0
        r = sales.record_sale(a, lines=[line(1, 50000 + i), line(2, 2500, "food")], member_ref=card, points=pay,
                              staff_code="1001")
        if pay:
            notes["points_paid"].append(r.receipt_no)
        elif card:
            notes["member_sales"].append(r.receipt_no)
        if i == 150:
            g = points.redeem_gift(a, member_ref=member_cards[1], gift_code="G005", staff_code="1001")
            c = points.redeem_gift(a, member_ref=member_cards[1], gift_code="G001", staff_code="1001")
            assert c.coupon_code
            used = sales.record_sale(a, lines=[line(1, 3000)], member_ref=member_cards[1], coupon=c.coupon_code,
                                     staff_code="1001")
            notes.update(gift=g.redemption_no, coupon=c.coupon_code, coupon_sale=used.receipt_no)
        if i == 170:
            partial = notes["points_paid"][0]
            sales.refund_sale(a, receipt_no=partial, line_nos=[2], staff_code="1001")
            notes["partial"] = partial
        if i == 199:
            taken = backup.take_backup(a, backup_dir).path
        if i % 250 == 249:
            sync_service.sync_once(a)
    assert taken is not None
    return notes, taken


def test_a_till_rebuilt_from_nothing_and_restored_from_an_older_backup_gets_its_history_back(
        hq: HQServer, tmp_path: Path) -> None:
    clock = Clock(dt.datetime(2026, 11, 20, 10, 0))
    (tmp_path / "a").mkdir()
    a = make_terminal(tmp_path / "a", STORE, TERMINAL, clock)
    sync_service.enroll(a, hq.url, enrollment_code(hq.db_url, TERMINAL))
    cards, uuids = [], []
    for n in range(20):
        m = members.enroll_member(a, phone=f"1390000{n:04d}", name=f"会员{n}", staff_code="1001")
        cards.append(m.card_no)
        uuids.append(m.uuid)
    notes, old_backup = sell(a, cards, clock, tmp_path / "backups")
    report = sync_service.sync_once(a)
    assert report.waiting == 0
    chain, before = own_chain(a), business_rows(a)
    assert len(before["sales"]) == SALES + 1 and len(chain) > 500
    outbox_events, last_event = a.database.execute(
        "SELECT count(*), max(id) FROM outbox WHERE entry_id IS NULL").fetchone()
    held = balances(a, uuids)
    refund_of = notes["points_paid"][3]
    quote_a = sales.quote_refund(a, receipt_no=refund_of)
    quote_partial = sales.quote_refund(a, receipt_no=notes["partial"])
    last_receipt = max(r[0] for r in before["sales"])
    assert quote_a["returned_points"] == 100 and quote_a["clawback"] > 0

    # the till is destroyed: its file is gone
    path_a = Path(a.database.path)
    a.close()
    for suffix in ("", "-wal", "-shm"):
        Path(str(path_a) + suffix).unlink(missing_ok=True)

    # a new till, same store and terminal id, a new enrollment code (the secret changes)
    (tmp_path / "b").mkdir()
    b = make_terminal(tmp_path / "b", STORE, TERMINAL, clock)
    try:
        sync_service.enroll(b, hq.url, enrollment_code(hq.db_url, TERMINAL))
        r = sync_service.sync_once(b)
        assert (r.recovered_entries, r.recovered_events) == (len(chain), outbox_events)
        assert own_chain(b) == chain  # original sequence, uuids and hashes
        assert business_rows(b) == before  # sales with lines, refunds, redemptions, coupons
        assert balances(b, uuids) == held
        verify_ok(b)
        audit = b.repo.rows("SELECT details FROM audit WHERE action = 'sync.recover'")
        assert len(audit) == 1 and f'"entries":{len(chain)}' in audit[0]["details"]
        assert sync_service.status(b).waiting == 0  # nothing recovered goes up again
        # an old receipt is refunded as the original till would have
        assert sales.quote_refund(b, receipt_no=refund_of) == quote_a
        assert sales.quote_refund(b, receipt_no=notes["partial"]) == quote_partial
        done = sales.refund_sale(b, receipt_no=refund_of, staff_code="1001")
        assert (done.clawback, done.returned_points) == (quote_a["clawback"], quote_a["returned_points"])
        # numbers follow the highest one recovered
        after = sales.record_sale(b, lines=[line(1, 4200)], member_ref=cards[2], staff_code="1001")
        assert after.receipt_no == f"{last_receipt[:-8]}{int(last_receipt[-8:]) + 1:08d}"
        gift = points.redeem_gift(b, member_ref=cards[4], gift_code="G005", staff_code="1001")
        assert int(gift.redemption_no[-7:]) == max(int(r[0][-7:]) for r in before["redemptions"]) + 1
        pushed = sync_service.sync_once(b)
        assert pushed.waiting == 0 and pushed.recovered_entries == 0
        # headquarters holds the new sale's event (its outbox id follows the recovered ones)
        with sync_service.make_client(b) as client:
            events = client.own("events", last_event, 100)["items"]
        assert [e["ref"] for e in events if e["kind"] == "sale"] == [after.receipt_no]
        chain_b, rows_b, held_b = own_chain(b), business_rows(b), balances(b, uuids)
        path_b = Path(b.database.path)
    finally:
        b.close()

    # the rebuilt till is restored from the backup taken after 200 sales: the rest comes back
    backup.restore(path_b, old_backup)
    c = Terminal.open(path_b, clock=clock)
    try:
        r = sync_service.sync_once(c)
        assert r.recovered_entries > 0 and r.recovered_events > 0
        assert own_chain(c) == chain_b
        assert business_rows(c) == rows_b
        assert len(rows_b["sales"]) == SALES + 2
        assert balances(c, uuids) == held_b
        verify_ok(c)
        again = sales.record_sale(c, lines=[line(1, 999)], staff_code="1001")
        assert int(again.receipt_no[-8:]) == int(after.receipt_no[-8:]) + 1
        assert sync_service.sync_once(c).waiting == 0
    finally:
        c.close()
