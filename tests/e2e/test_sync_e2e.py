"""End to end: two stores' tills and a real headquarters, on SQLite and on PostgreSQL.

Every test runs ``pos-hq`` in its own process (uvicorn on loopback) and real terminal
databases; faults come from a proxy of our own between them (``faultproxy``).
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from pos_app.core.earning import SaleLine
from pos_app.services import sync as sync_service
from pos_app.services.members import enroll_member, find_member
from pos_app.services.points import adjust_points
from pos_app.services.sales import record_sale
from pos_app.storage.integrity import run_checks
from pos_app.sync.client import HQClient, SyncError
from tests.e2e.conftest import REPO, HQServer, run_hq
from tests.e2e.faultproxy import FaultProxy, wait_for


def line(fen: int, no: int = 1) -> list[SaleLine]:
    return [SaleLine(no, f"SKU{no}", f"商品{no}", "general", 1, fen)]


def checks_ok(t: Any) -> None:
    report = run_checks(t.database)
    bad = {k: v for k, v in report.items() if not v["ok"]}
    assert not bad, bad


def hq_state(db_url: str, terminal_ids: list[str] | None = None) -> dict[str, Any]:
    """What headquarters holds, read straight from its database."""
    from pos_app.hq import db as hqdb

    database = hqdb.connect(db_url)
    try:
        members = {m.uuid: (m.balance, m.debt) for m in hqdb.Member.select()}
        entries: dict[str, list[tuple[int, str]]] = {}
        q = hqdb.Entry.select(hqdb.Entry.terminal_id, hqdb.Entry.seq, hqdb.Entry.uuid, hqdb.Entry.kind)
        for e in q.order_by(hqdb.Entry.terminal_id, hqdb.Entry.seq):
            entries.setdefault(e.terminal_id, []).append((e.seq, e.uuid))
        kinds = [e.kind for e in hqdb.Entry.select(hqdb.Entry.kind)]
        events = [(e.terminal_id, e.oid) for e in hqdb.Event.select(hqdb.Event.terminal_id, hqdb.Event.oid)]
        flags = [(f.kind, f.member_uuid) for f in hqdb.Flag.select()]
    finally:
        database.close()
    return {"members": members, "entries": entries, "kinds": kinds, "events": events, "flags": flags}


def identified(db_url: str, terminal_id: str, member_uuid: str) -> None:
    """The till identified a member of another store: headquarters subscribes it to the member
    (what an online lookup does; issue 13: a till holds only its store's members and those
    it identified), so its next pull brings the member and every entry of theirs."""
    from pos_app.hq import db as hqdb
    from pos_app.hq import feed

    database = hqdb.connect(db_url)
    try:
        with hqdb.writing(database):
            feed.subscribe(terminal_id, member_uuid, at=hqdb.utcnow())
    finally:
        database.close()


def local_entries(t: Any, terminal_id: str) -> list[tuple[int, str]]:
    rows = t.database.execute("SELECT seq, uuid FROM ledger_entry WHERE terminal_id = ? ORDER BY seq",
                              (terminal_id,)).fetchall()
    return [(r[0], r[1]) for r in rows]


def local_event_oids(t: Any) -> list[int]:
    return [r[0] for r in t.database.execute("SELECT id FROM outbox WHERE entry_id IS NULL ORDER BY id")]


def sync_until_done(t: Any, client: HQClient | None = None, *, rounds: int = 40) -> list[str]:
    """Sync rounds until nothing waits; returns the errors seen on the way."""
    errors = []
    for _ in range(rounds):
        try:
            sync_service.sync_once(t, client=client)
        except SyncError as exc:
            errors.append(exc.kind)
            continue
        if sync_service.status(t).waiting == 0:
            return errors
    raise AssertionError(f"still {sync_service.status(t).waiting} waiting after {rounds} rounds: {errors}")



def test_a_member_enrolled_in_one_store_has_the_same_balance_everywhere(hq: HQServer, two_tills: Any) -> None:
    a, b, _ = two_tills
    m = enroll_member(a, phone="13800000001", name="张三", staff_code="1001")
    first = record_sale(a, lines=line(20000), member_ref=m.card_no, staff_code="1001")
    assert first.points_earned == 200 + 100  # 200.00 yuan and the first-purchase bonus
    sync_until_done(a)
    identified(hq.db_url, "S02-T1", m.uuid)  # the member shops at S02 too
    sync_until_done(b)
    at_b = find_member(b, m.phone)
    assert at_b.uuid == m.uuid and at_b.balance == find_member(a, m.phone).balance == 50 + 300
    # the member shops in the other store and pays with points: no second first-purchase bonus
    second = record_sale(b, lines=line(10000), member_ref=m.card_no, points=200, staff_code="1001")
    assert "first_purchase" not in str(second.breakdown)
    sync_until_done(b)
    sync_until_done(a)
    balance = find_member(b, m.phone).balance
    assert balance == 350 - 200 + 98
    assert find_member(a, m.phone).balance == balance
    assert hq_state(hq.db_url)["members"][m.uuid] == (balance, 0)
    checks_ok(a)
    checks_ok(b)
    verify = subprocess.run([sys.executable, "-m", "pos_app.cli", "--db", str(a.database.path), "verify"],
                            cwd=REPO, capture_output=True, text=True, timeout=120)
    assert verify.returncode == 0, verify.stdout + verify.stderr
    assert "ok" in run_hq(hq.db_url, "verify").lower()


def test_points_spent_twice_offline_become_an_explicit_overdraft(hq: HQServer, two_tills: Any) -> None:
    a, b, _ = two_tills
    m = enroll_member(a, phone="13800000002", name="李四", staff_code="1001")
    adjust_points(a, member_ref=m.phone, points=1950, reason="opening balance", manager_code="9001",
                  manager_pin="9999")
    record_sale(a, lines=line(1000), member_ref=m.phone, staff_code="1001")  # 10 + first purchase 100
    sync_until_done(a)
    identified(hq.db_url, "S02-T1", m.uuid)  # the member shops at S02 too
    sync_until_done(b)
    assert find_member(b, m.phone).balance == 2110
    hq.stop()  # headquarters unreachable: both tills honour a redemption of 1,500 of the same 2,110 points
    for till in (a, b):
        with pytest.raises(SyncError):
            sync_service.sync_once(till)
        record_sale(till, lines=line(10000), member_ref=m.card_no, points=1500, staff_code="1001")
        assert find_member(till, m.phone).balance == 2110 - 1500 + 85
    hq.start()
    sync_until_done(a)
    sync_until_done(b)
    sync_until_done(a)
    # 2,110 - 2 x 1,500 + 2 x 85 earned: never clamped, the same on every machine
    assert find_member(a, m.phone).balance == find_member(b, m.phone).balance == -720
    assert find_member(a, m.phone).debt == find_member(b, m.phone).debt == 720
    state = hq_state(hq.db_url)
    assert state["members"][m.uuid] == (-720, 720)
    assert state["kinds"].count("overdraft") == 1
    assert ("overdraft", m.uuid) in state["flags"]
    report = run_hq(hq.db_url, "report", "reconciliation", "--csv")
    assert "overdraft" in report and m.uuid in report
    overdraft_at_a = a.database.execute("SELECT count(*) FROM ledger_entry WHERE kind = 'overdraft'").fetchone()[0]
    assert overdraft_at_a == 1  # the explicit entry reached the tills too
    checks_ok(a)
    checks_ok(b)


def test_faults_between_till_and_headquarters_lose_nothing_and_count_nothing_twice(
        hq: HQServer, two_tills: Any, tmp_path: Path) -> None:
    a, _, _ = two_tills
    proxy = FaultProxy("127.0.0.1", hq.port).start()
    try:
        a.repo.set_setting("hq.url", proxy.url)  # direct write: the test stands in for the manager
        members = [enroll_member(a, phone=f"1380000{i:04d}", name=f"会员{i}", staff_code="1001") for i in range(5)]
        for i in range(40):
            record_sale(a, lines=line(1000 + 37 * i), member_ref=members[i % 5].phone, staff_code="1001")
        secret = a.repo.setting("sync.secret")
        client = HQClient(proxy.url, "S01-T1", secret, timeout=1.0)
        proxy.match = "/v1/push"
        # the answer lost after HQ committed, 500 before and after the work, a slow answer past the
        # client's timeout, the connection dropped before anything was sent, an HTML page answered 200
        proxy.faults = ["drop", "500", "html", "500_after", ("slow", 2.5), "drop_before", "drop", None, "drop"]
        errors = sync_until_done(a, client)
        assert errors and set(errors) <= {"offline", "server"}
        for _ in range(30):
            record_sale(a, lines=line(2000), member_ref=members[0].phone, staff_code="1001")

        # headquarters killed while batches are going in, then started again
        def kill_soon() -> None:
            time.sleep(0.15)
            hq.kill()

        killer = threading.Thread(target=kill_soon)
        killer.start()
        small = HQClient(proxy.url, "S01-T1", secret, timeout=5.0)
        try:
            for _ in range(200):
                sync_service.sync_once(a, client=small, batch_size=3)
        except SyncError:
            pass
        killer.join()
        hq.start()
        proxy.upstream = ("127.0.0.1", hq.port)
        sync_until_done(a, client)

        # the till killed while it waits for HQ's answer (HQ has committed the batch)
        for _ in range(10):
            record_sale(a, lines=line(3000), member_ref=members[1].phone, staff_code="1001")
        release = threading.Event()
        proxy.faults = [("hold", release)]
        child = subprocess.Popen([sys.executable, "-m", "pos_app.cli", "--db", str(a.database.path), "sync"],
                                 cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        assert wait_for(lambda: any(p == "/v1/push" and s == 200 for p, f, s in proxy.log if f), 30)
        child.kill()
        child.wait(10)
        release.set()
        assert sync_service.status(a).waiting > 0  # the till never heard the answer
        sync_until_done(a, client)
    finally:
        proxy.stop()
    state = hq_state(hq.db_url)
    mine = local_entries(a, "S01-T1")
    assert state["entries"]["S01-T1"] == mine  # none missing, none twice, same order
    assert [s for s, _ in mine] == list(range(1, len(mine) + 1))
    held_oids = sorted(o for tid, o in state["events"] if tid == "S01-T1")
    assert held_oids == local_event_oids(a)
    for m in members:
        assert state["members"][m.uuid][0] == find_member(a, m.phone).balance
    checks_ok(a)


def test_once_only_and_per_period_rules_across_two_stores(hq: HQServer, two_tills: Any) -> None:
    """Issue 12: offline, two stores can each grant what the chain allows once (birthday and
    first-purchase bonuses, a gift of a per-member monthly limit, once-only and daily-limited
    awards) and together cross the daily earning cap and the monthly redemption cap: HQ flags
    every one on the entry that arrived second. Synced, the second store refuses them."""
    from pos_app.core.errors import RuleViolation
    from pos_app.services.members import award_behaviour, update_member
    from pos_app.services.points import redeem_gift, set_gift_stock

    a, b, _ = two_tills
    m = enroll_member(a, phone="13800000003", name="王五", staff_code="1001")  # no birthday: profile incomplete
    adjust_points(a, member_ref=m.phone, points=60000, reason="opening balance", manager_code="9001",
                  manager_pin="9999")
    for till in (a, b):
        set_gift_stock(till, gift_code="G004", stock=5)
    sync_until_done(a)
    identified(hq.db_url, "S02-T1", m.uuid)  # the member shops at S02 too
    sync_until_done(b)
    hq.stop()
    for till, gifts in ((a, ("G004", "G003", "G003")), (b, ("G004",))):
        with pytest.raises(SyncError):
            sync_service.sync_once(till)
        # each store is given the birthday: each grants the completed profile (once only)
        update_member(till, member_ref=m.phone, birthday="1990-11-20")
        assert till.repo.award_count(find_member(till, m.phone).id, "profile_completed") == 1
        sale = record_sale(till, lines=line(10000), member_ref=m.phone, staff_code="1001")
        assert sale.breakdown is not None
        assert {x["id"] for x in sale.breakdown["bonuses"]} == {"first_purchase", "birthday"}
        for code in gifts:
            redeem_gift(till, member_ref=m.card_no, gift_code=code, manager_code="9001", manager_pin="9999")
        for _ in range(3 if till is a else 1):
            award_behaviour(till, member_ref=m.phone, award_id="share")
        record_sale(till, lines=line(5_000_000), member_ref=m.phone, staff_code="1001")
    hq.start()
    sync_until_done(a)
    sync_until_done(b)
    sync_until_done(a)
    flags = [kind for kind, member_uuid in hq_state(hq.db_url)["flags"] if member_uuid == m.uuid]
    assert sorted(flags) == sorted(["double_bonus", "double_bonus", "gift_limit", "redeem_cap", "award_limit",
                                    "award_limit", "daily_cap"])
    report = run_hq(hq.db_url, "report", "reconciliation", "--csv")
    assert all(kind in report for kind in ("gift_limit", "redeem_cap", "award_limit", "daily_cap"))
    # synced: each store counts what the other did
    for till in (a, b):
        again = record_sale(till, lines=line(10000), member_ref=m.phone, staff_code="1001")
        assert again.breakdown is not None and again.breakdown["bonuses"] == [] and again.points_earned == 0
        with pytest.raises(RuleViolation):
            redeem_gift(till, member_ref=m.card_no, gift_code="G004", manager_code="9001", manager_pin="9999")
        with pytest.raises(RuleViolation):
            redeem_gift(till, member_ref=m.card_no, gift_code="G001")
        update_member(till, member_ref=m.phone, birthday="")  # completed once more: no third award
        update_member(till, member_ref=m.phone, birthday="1990-11-20")
        assert till.repo.award_count(find_member(till, m.phone).id, "profile_completed") == 2  # one flagged
    checks_ok(a)
    checks_ok(b)


def test_a_member_enrolled_today_is_new_and_not_reviewed_for_a_period_before_they_joined(
        hq: HQServer, two_tills: Any) -> None:
    """Issue 12: a member enrolled today without a purchase showed as "dormant", and a tier
    review run in late 2026 for the review dated 2026-01-01 downgraded members enrolled that
    day, at HQ and on the till. Both stores and HQ agree: "new", and the tier is kept."""
    from pos_app.services.members import member_picture
    from pos_app.services.tiers import run_tier_review, set_tier

    a, b, clock = two_tills
    m = enroll_member(a, phone="13800000004", name="赵六", staff_code="1001")
    set_tier(a, member=m, tier="gold", reason="migrated from the old scheme")
    sync_until_done(a)
    identified(hq.db_url, "S02-T1", m.uuid)  # the member shops at S02 too
    sync_until_done(b)
    for till in (a, b):
        assert member_picture(till, find_member(till, m.phone)).segment == "new"
        assert find_member(till, m.phone).tier == "gold"
    today = clock.now.date().isoformat()
    review = run_hq(hq.db_url, "tier-review", "--as-of", today)
    assert "tier review of 2026-01-01: 0 members reviewed, 0 changed, 1 joined during the period (kept)" in review
    from pos_app.core.errors import Conflict

    with pytest.raises(Conflict):  # an enrolled till leaves the review to HQ: one writer per tier change
        run_tier_review(b, as_of=clock.now.date())
    sync_until_done(b)
    sync_until_done(a)
    assert find_member(a, m.phone).tier == find_member(b, m.phone).tier == "gold"
    from pos_app.hq import db as hqdb

    database = hqdb.connect(hq.db_url)
    try:
        assert hqdb.Member.get(hqdb.Member.uuid == m.uuid).tier == "gold"
    finally:
        database.close()
