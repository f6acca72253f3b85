"""What a sale and a member scan cost: SQL statements per sale, and work that must stay flat as the
ledger and a member's lots grow (issue 12 item 23). Work is counted, not timed: statements through
sqlite3's trace callback, SQLite virtual-machine steps through its progress handler, Python calls
through the profiler hook, so the tests are exact on a busy machine."""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Callable
from typing import Any

from pos_app.core.earning import SaleLine
from pos_app.services import members, sales
from pos_app.services.context import Terminal
from pos_app.storage.repo import MemberRecord

LINES = [SaleLine(1, "sku", "name", "food", 1, 10000)]


def connection(t: Terminal) -> sqlite3.Connection:
    conn: sqlite3.Connection = t.database.db.connection()
    return conn


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


def test_a_sale_costs_the_same_sqlite_work_however_many_lots_the_till_holds(terminal: Terminal) -> None:
    buyer = shopper(terminal, "13800138000")
    other = shopper(terminal, "13900139000")
    few = vm_steps(terminal, lambda: sales.record_sale(terminal, lines=LINES, member_ref=buyer.card_no))
    add_lots(terminal, other, 5000, start=dt.date(2026, 1, 1))  # another member's history (a pulled store)
    many = vm_steps(terminal, lambda: sales.record_sale(terminal, lines=LINES, member_ref=buyer.card_no))
    assert many < few * 1.5, (few, many)
