"""End to end: two members with the same phone, one at each of two real tills of two stores (a
``duplicate_phone`` pair), merged at headquarters (``hq.merge``); both tills sync: the surviving
member's balance is the sum at both tills, the merged member's card and phone lead to the
surviving member at the till that held it, every till's ``verify`` and ``pos-hq verify`` pass.
SQLite and PostgreSQL (the ``hq`` fixture)."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

from pos_app.services.members import enroll_member, find_member
from pos_app.services.sales import record_sale
from tests.e2e.conftest import REPO, HQServer, run_hq
from tests.e2e.test_sync_e2e import checks_ok, line, sync_until_done

PHONE = "13800000031"


def verify_till(t: Any) -> None:
    checks_ok(t)
    out = subprocess.run([sys.executable, "-m", "pos_app.cli", "--db", str(t.database.path), "verify"],
                         cwd=REPO, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stdout + out.stderr


def test_a_merge_reaches_both_tills_and_every_chain_stays_valid(hq: HQServer, two_tills: Any) -> None:
    from pos_app.hq import db as hqdb

    a, b, _clock = two_tills
    x = enroll_member(a, phone=PHONE, name="王芳", staff_code="1001")  # at S01
    record_sale(a, lines=line(25800), member_ref=x.card_no, staff_code="1001")
    y = enroll_member(b, phone=PHONE, name="王芳", staff_code="1001")  # the same person at S02, offline
    record_sale(b, lines=line(9990), member_ref=y.card_no, staff_code="1001")
    sync_until_done(a)
    sync_until_done(b)
    bal_x, bal_y = find_member(a, x.card_no).balance, find_member(b, y.card_no).balance
    assert bal_x > 0 and bal_y > 0
    flagged = run_hq(hq.db_url, "--json", "verify")  # headquarters holds both, flagged as a duplicate phone
    assert '"ok": true' in flagged
    out = run_hq(hq.db_url, "--json", "member", "merge", x.uuid, y.card_no)
    assert f'"balance": {bal_x + bal_y}' in out, out

    for _ in range(3):
        sync_until_done(b)
        sync_until_done(a)
    # the till holding the target: the sum
    assert find_member(b, y.card_no).balance == bal_x + bal_y
    # the till that held the source: its card and the phone lead to the surviving member
    found = find_member(a, x.card_no)
    assert (found.uuid, found.balance) == (y.uuid, bal_x + bal_y)
    assert find_member(a, PHONE).uuid == y.uuid
    assert a.database.execute("SELECT balance, merged_into FROM member WHERE uuid = ?",
                              (x.uuid,)).fetchone() == (0, y.uuid)
    lots = a.database.execute("SELECT sum(remaining) FROM lot l JOIN member m ON m.id = l.member_id"
                              " WHERE m.uuid = ?", (y.uuid,)).fetchone()[0]
    assert lots == bal_x + bal_y
    for t in (a, b):
        verify_till(t)
    assert '"ok": true' in run_hq(hq.db_url, "--json", "verify")
    database = hqdb.connect(hq.db_url)
    try:
        target, source = hqdb.Member.get_by_id(y.uuid), hqdb.Member.get_by_id(x.uuid)
        assert (int(target.balance), int(source.balance), source.status) == (bal_x + bal_y, 0, "merged")
    finally:
        hqdb.close_pool(database)
    # the surviving member spends the sum at the till that held the source; headquarters agrees
    record_sale(a, lines=line(100000), member_ref=x.card_no, points=100, staff_code="1001")
    sync_until_done(a)
    sync_until_done(b)
    assert find_member(b, y.card_no).balance == find_member(a, PHONE).balance
    database = hqdb.connect(hq.db_url)
    try:
        assert int(hqdb.Member.get_by_id(y.uuid).balance) == find_member(a, PHONE).balance
    finally:
        hqdb.close_pool(database)
    for t in (a, b):
        verify_till(t)
