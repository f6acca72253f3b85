"""What a sale and a member scan cost: SQL statements per sale, and work that must stay flat as the
ledger and a member's lots grow (issue 12 item 23). Work is counted, not timed: statements through
sqlite3's trace callback, SQLite virtual-machine steps through its progress handler, Python calls
through the profiler hook, so the tests are exact on a busy machine."""

from __future__ import annotations

import datetime as dt
import sqlite3
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from pos_app.core.earning import SaleLine
from pos_app.core.lots import Lot, expiring_soon, next_expiry
from pos_app.services import context, members, sales, verify
from pos_app.services.context import Terminal
from pos_app.storage.repo import MemberRecord
from tests.conftest import FakeClock

LINES = [SaleLine(1, "sku", "name", "food", 1, 10000)]
#: The raw writer of benchmarks/bench_sale.py writes one member sale's rows in 12 statements (BEGIN,
#: the receipt counter, sale, sale line, entry, its outbox row, member, tier month, lot, the sale event,
#: audit, COMMIT). The services update the member twice (the balance with the entry, the purchase dates
#: returning the member as it is after the sale) and read 7 things: the program, the member, lapsed
#: lots, the day's earnings (daily cap), the chain's last hash, the tier months (upgrade) and the lots
#: about to expire (the receipt's notice). It ran 30 before: five program lookups, four member loads.
MAX_SALE_STATEMENTS = 21  # 20 before migration 0010; the services also write the sale's tender row


def connection(t: Terminal) -> sqlite3.Connection:
    conn: sqlite3.Connection = t.database.db.connection()
    return conn


@contextmanager
def statements(t: Terminal) -> Iterator[list[str]]:
    seen: list[str] = []
    conn = connection(t)
    conn.set_trace_callback(seen.append)
    try:
        yield seen
    finally:
        conn.set_trace_callback(None)


def vm_steps(t: Terminal, fn: Callable[[], Any]) -> int:
    """SQLite virtual-machine instructions ``fn`` runs on the terminal's connection."""
    count = [0]

    def tick() -> int:
        count[0] += 1
        return 0

    conn = connection(t)
    conn.set_progress_handler(tick, 1)
    try:
        fn()
    finally:
        conn.set_progress_handler(None, 1)
    return count[0]


def python_calls(fn: Callable[[], Any]) -> int:
    """Python function calls (generator resumptions included) made while ``fn`` runs."""
    count = [0]

    def hook(frame: Any, event: str, arg: Any) -> None:
        if event == "call":
            count[0] += 1

    sys.setprofile(hook)
    try:
        fn()
    finally:
        sys.setprofile(None)
    return count[0]


def shopper(t: Terminal, phone: str) -> MemberRecord:
    m = members.enroll_member(t, phone=phone, name="顾客")
    sales.record_sale(t, lines=LINES, member_ref=m.card_no)  # first purchase done: later sales are alike
    return members.find_member(t, m.card_no)


def add_lots(t: Terminal, member: MemberRecord, n: int, *, start: dt.date) -> None:
    """``n`` live lots of 10 points for ``member``, each with its crediting import entry, one per day
    from ``start`` (written in bulk; the chain stays this terminal's)."""
    from pos_app.storage.ledger import Stamp

    with t.database.transaction():
        for i in range(n):
            day = start + dt.timedelta(days=i % 700)
            stamp = Stamp(dt.datetime.combine(day, dt.time(9)), t.clock())
            entry = t.ledger.append(member_id=member.id, member_uuid=member.uuid, kind="import", points=10,
                                    ref_type="import", ref_no=f"bulk:{i}", breakdown={}, stamp=stamp,
                                    program_version=t.program.version)
            t.ledger.credit_lot(member_id=member.id, entry_id=entry, points=10, earned_on=day,
                                expires_on=day + dt.timedelta(days=730))


def test_a_sale_runs_few_statements(terminal: Terminal) -> None:
    m = shopper(terminal, "13800138000")
    with statements(terminal) as seen:
        result = sales.record_sale(terminal, lines=LINES, member_ref=m.card_no)
    assert result.points_earned == 100 and result.member is not None and result.member.balance == m.balance + 100
    assert len(seen) <= MAX_SALE_STATEMENTS, "\n".join(seen)
    assert sum("FROM program" in s for s in seen) <= 1, "\n".join(seen)
    assert sum(s.startswith("SELECT id, uuid, phone") for s in seen) <= 1, "\n".join(seen)


def test_a_sale_paid_partly_with_points_runs_few_statements(terminal: Terminal) -> None:
    m = shopper(terminal, "13800138000")
    with statements(terminal) as seen:
        result = sales.record_sale(terminal, lines=LINES, member_ref=m.card_no, points=100)
    assert result.points_paid == 100 and result.member is not None
    assert result.member.balance == m.balance - 100 + result.points_earned
    # + the month's redemptions, the offline allowance's setting, the lots to take from, the redeem
    #   entry, its outbox row, the balance, and a movement and an update for each lot taken (two here)
    assert len(seen) <= MAX_SALE_STATEMENTS + 10, "\n".join(seen)


def test_a_sale_costs_the_same_sqlite_work_however_many_lots_the_till_holds(terminal: Terminal) -> None:
    buyer = shopper(terminal, "13800138000")
    other = shopper(terminal, "13900139000")
    few = vm_steps(terminal, lambda: sales.record_sale(terminal, lines=LINES, member_ref=buyer.card_no))
    add_lots(terminal, other, 5000, start=dt.date(2026, 1, 1))  # another member's history (a pulled store)
    many = vm_steps(terminal, lambda: sales.record_sale(terminal, lines=LINES, member_ref=buyer.card_no))
    assert many < few * 1.5, (few, many)


def test_a_member_scan_does_the_same_python_work_for_10_lots_as_for_2000(terminal: Terminal,
                                                                         clock: FakeClock) -> None:
    small = members.enroll_member(terminal, phone="13800138000", name="少")
    big = members.enroll_member(terminal, phone="13900139000", name="多")
    add_lots(terminal, small, 10, start=dt.date(2024, 11, 1))
    add_lots(terminal, big, 2000, start=dt.date(2024, 11, 1))
    today = clock().date()

    def scan(m: MemberRecord) -> members.MemberPicture:
        return members.member_picture(terminal, members.find_member(terminal, m.card_no))

    scan(small)  # program parsed, statements prepared
    calls_small = python_calls(lambda: scan(small))
    calls_big = python_calls(lambda: scan(big))
    assert calls_big <= calls_small + 20, (calls_small, calls_big)
    # the sums in SQL say what the lots say
    for m in (small, big):
        pic = scan(m)
        lots = [Lot(r[0], dt.date.fromisoformat(r[1]), dt.date.fromisoformat(r[2]), r[3]) for r in
                terminal.database.execute("SELECT id, earned_on, expires_on, remaining FROM lot"
                                          " WHERE member_id = ? AND remaining > 0", (m.id,)).fetchall()]
        assert pic.expiring == expiring_soon(lots, today, terminal.program.expiry.notice_days)
        assert pic.next_expiry == next_expiry(lots, today)
        assert pic.expiring[-1][1] > 0 and pic.next_expiry is not None


def test_a_program_another_process_loads_between_sales_is_the_next_sales_program(
        terminal: Terminal, db_path: Path, clock: FakeClock) -> None:
    m = shopper(terminal, "13800138000")
    other = Terminal.open(db_path, clock=clock)  # `pos-app program load` while the window runs
    try:
        source = context.reference_program_source()
        context.load_program(other, source.replace("version = 1", "version = 2", 1)
                             .replace("fen_per_point = 100 ", "fen_per_point = 50 ", 1))
    finally:
        other.close()
    result = sales.record_sale(terminal, lines=LINES, member_ref=m.card_no)
    assert result.points_earned == 200
    assert terminal.database.execute("SELECT program_version FROM sale WHERE receipt_no = ?",
                                     (result.receipt_no,)).fetchone()[0] == 2


def test_a_program_loaded_inside_a_transaction_is_the_program_from_then_on(terminal: Terminal) -> None:
    source = context.reference_program_source().replace("version = 1", "version = 2", 1)
    with terminal.database.transaction():
        assert terminal.program.version == 1
        context.load_program(terminal, source)
        assert terminal.program.version == 2
    assert terminal.program.version == 2


def test_an_entry_rolled_back_with_its_savepoint_is_not_the_chains_last(terminal: Terminal) -> None:
    m = shopper(terminal, "13800138000")
    with terminal.database.transaction():
        try:
            with terminal.database.transaction():  # a savepoint
                sales.record_sale(terminal, lines=LINES, member_ref=m.card_no)
                raise RuntimeError("undo")
        except RuntimeError:
            pass
        sales.record_sale(terminal, lines=LINES, member_ref=m.card_no)
    assert verify.verify(terminal)["ok"]
