"""End to end: an adjustment made at headquarters (the console's maker-checker) reaches the real
till holding the member through the change feed, and the till's ``verify`` still passes."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

from pos_app.services import sync as sync_service
from pos_app.services.members import enroll_member, find_member
from pos_app.services.sales import record_sale
from tests.e2e.conftest import REPO, HQServer, run_hq
from tests.e2e.test_sync_e2e import checks_ok, line, sync_until_done


def test_an_approved_adjustment_and_a_debit_reach_the_till_and_verify_passes(hq: HQServer, two_tills: Any) -> None:
    from pos_app.hq import db as hqdb
    from pos_app.hq import members_admin

    a, _b, clock = two_tills
    m = enroll_member(a, phone="13800000021", name="钱七", staff_code="1001")
    record_sale(a, lines=line(20000), member_ref=m.card_no, staff_code="1001")
    sync_until_done(a)
    start = find_member(a, m.phone).balance  # the sign-up award, 200 for the sale, the first purchase bonus
    today = clock.now.date()
    database = hqdb.connect(hq.db_url)
    try:
        pending = members_admin.request_adjustment(m.uuid, 5000, "积分补录", actor="staff:market", today=today)
        assert pending.status == "pending"
        approved = members_admin.decide(pending.approval_id, approve=True, actor="staff:finance", today=today)
        assert approved.balance == start + 5000
        taken = members_admin.request_adjustment(m.uuid, -250, "重复积分冲正", actor="staff:market", today=today)
        assert taken.status == "done" and taken.balance == start + 4750
    finally:
        database.close()
    for _ in range(3):  # the feed's pages: pull until the member's entries are in
        sync_service.sync_once(a)
        if find_member(a, m.phone).balance == start + 4750:
            break
    assert find_member(a, m.phone).balance == start + 4750
    kinds = a.database.execute("SELECT kind, points FROM ledger_entry WHERE terminal_id = 'HQ' ORDER BY seq").fetchall()
    assert [tuple(k) for k in kinds] == [("adjust", 5000), ("adjust", -250)]
    checks_ok(a)
    verify = subprocess.run([sys.executable, "-m", "pos_app.cli", "--db", str(a.database.path), "verify"],
                            cwd=REPO, capture_output=True, text=True, timeout=120)
    assert verify.returncode == 0, verify.stdout + verify.stderr
    assert "ok" in run_hq(hq.db_url, "verify").lower()
    # the till spends the adjusted points: headquarters agrees
    record_sale(a, lines=line(100000), member_ref=m.card_no, points=2000, staff_code="1001")
    sync_until_done(a)
    database = hqdb.connect(hq.db_url)
    try:
        assert int(hqdb.Member.get_by_id(m.uuid).balance) == find_member(a, m.phone).balance
    finally:
        database.close()
