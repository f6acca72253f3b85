"""End to end: what the reconciliation queue writes reaches the tills. Two stores' tills grant
one member's first-purchase bonus twice and spend another member's points twice while
headquarters is away; headquarters takes the bonus back and writes the overdraft off
(``hq/recon.py``); both tills pull, agree with headquarters, and every chain verifies."""

from __future__ import annotations

from typing import Any

import pytest

from pos_app.services import sync as sync_service
from pos_app.services.members import enroll_member, find_member
from pos_app.services.points import adjust_points
from pos_app.services.sales import record_sale
from pos_app.sync.client import SyncError
from tests.e2e.conftest import HQServer, run_hq
from tests.e2e.test_sync_e2e import checks_ok, identified, line, sync_until_done


def test_a_bonus_taken_back_and_an_overdraft_written_off_reach_both_tills(hq: HQServer, two_tills: Any) -> None:
    from pos_app.hq import db as hqdb
    from pos_app.hq import recon

    a, b, _ = two_tills
    x = enroll_member(a, phone="13800000031", name="钱七", staff_code="1001")
    y = enroll_member(a, phone="13800000032", name="孙八", staff_code="1001")
    adjust_points(a, member_ref=y.phone, points=1950, reason="opening balance", manager_code="9001",
                  manager_pin="9999")
    record_sale(a, lines=line(1000), member_ref=y.phone, staff_code="1001")  # y's first purchase: 10 + 100
    sync_until_done(a)
    for member in (x, y):
        identified(hq.db_url, "S02-T1", member.uuid)  # both shop at S02 too
    sync_until_done(b)
    hq.stop()  # offline: both stores give x a first-purchase bonus and take 1,500 of y's 2,060 points
    for till in (a, b):
        with pytest.raises(SyncError):
            sync_service.sync_once(till)
        record_sale(till, lines=line(10000), member_ref=x.phone, staff_code="1001")  # 100 + first purchase 100
        record_sale(till, lines=line(10000), member_ref=y.card_no, points=1500, staff_code="1001")
    hq.start()
    for till in (a, b, a):
        sync_until_done(till)
    x_before = find_member(a, x.phone).balance
    assert find_member(b, x.phone).balance == x_before  # both bonuses kept, as the tills granted them
    y_before = find_member(a, y.phone)
    assert y_before.debt > 0 and y_before.balance == -y_before.debt

    database = hqdb.connect(hq.db_url)
    try:
        flags = {f.kind: f for f in hqdb.Flag.select() if f.kind in ("double_bonus", "overdraft")}
        assert (flags["double_bonus"].member_uuid, flags["double_bonus"].points) == (x.uuid, 100)
        assert flags["overdraft"].member_uuid == y.uuid
        taken = recon.take_back(flags["double_bonus"].id, "两店都给了首单奖励", actor="staff:finance")
        written = recon.write_off(flags["overdraft"].id, "核销", actor="staff:finance")
    finally:
        hqdb.close_pool(database)
    assert (taken.points, taken.not_taken) == (100, 0)
    assert written.points == y_before.debt

    for till in (a, b):
        sync_until_done(till)
        assert find_member(till, x.phone).balance == x_before - 100
        y_now = find_member(till, y.phone)
        assert (y_now.balance, y_now.debt) == (0, 0)
        checks_ok(till)
    assert "ok" in run_hq(hq.db_url, "verify").lower()
