"""Sync use cases against a real headquarters (FastAPI on uvicorn, loopback, SQLite): enrollment,
rounds of push and pull between two stores, the offline allowance, HQ unreachable, a 409 reset,
a stuck batch, the back-off, and the `pos-app enroll` / `pos-app sync` commands."""

from __future__ import annotations

import datetime as dt
import json
import logging
import socket
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pos_app import cli
from pos_app.core.errors import ApprovalRequired, InvalidInput, PermissionDenied, RuleViolation
from pos_app.hq import db as hqdb
from pos_app.services import context, members, points, sales, staff
from pos_app.services import sync as sync_service
from pos_app.services.context import Terminal
from pos_app.storage import replica
from pos_app.storage.integrity import run_checks
from pos_app.sync.client import HQClient, SyncError
from tests.conftest import FakeClock
from tests.hq.hqserver import ThreadServer, prepare_hq
from tests.services.test_reference_examples import line

TERMINALS = {"S01-T1": "S01", "S02-T1": "S02"}


class HQ:
    def __init__(self, server: ThreadServer, codes: dict[str, str]) -> None:
        self.server = server
        self.url = server.url
        self.codes = codes


@pytest.fixture
def hq(tmp_path: Path) -> Iterator[HQ]:
    url = f"sqlite:///{tmp_path / 'hq.db'}"
    codes = prepare_hq(url, TERMINALS)
    with ThreadServer(url) as server:
        yield HQ(server, codes)


def till(tmp_path: Path, terminal_id: str, clock: FakeClock) -> Terminal:
    t = context.init_terminal(tmp_path / f"{terminal_id}.db", store_id=TERMINALS.get(terminal_id, "S09"),
                              terminal_id=terminal_id, clock=clock)
    context.load_program(t, context.reference_program_source())
    staff.create_staff(t, code="1001", name="收银员", role="cashier", pin="1234")
    staff.create_staff(t, code="9001", name="店长", role="manager", pin="9999")
    return t


@pytest.fixture
def tills(hq: HQ, tmp_path: Path, clock: FakeClock) -> Iterator[tuple[Terminal, Terminal]]:
    a, b = till(tmp_path, "S01-T1", clock), till(tmp_path, "S02-T1", clock)
    sync_service.enroll(a, hq.url, hq.codes["S01-T1"])
    sync_service.enroll(b, hq.url, hq.codes["S02-T1"])
    yield a, b
    a.close()
    b.close()


def checks_ok(t: Terminal) -> None:
    bad = {k: v for k, v in run_checks(t.database).items() if not v["ok"]}
    assert not bad, bad


def closed_port_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def test_enroll_sell_sync_and_the_other_store_sees_the_member(hq: HQ, tmp_path: Path, clock: FakeClock,
                                                              caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)  # what the window logs (peewee echoes SQL at DEBUG)
    a, b = till(tmp_path, "S01-T1", clock), till(tmp_path, "S02-T1", clock)
    assert not sync_service.status(a).enrolled
    answer = sync_service.enroll(a, hq.url, hq.codes["S01-T1"])
    sync_service.enroll(b, hq.url, hq.codes["S02-T1"])
    assert (answer["store_id"], answer["terminal_id"], answer["adopted"]) == ("S01", "S01-T1", False)
    st = sync_service.status(a)
    assert st.enrolled and st.hq_url == hq.url and st.last_success == clock.now and st.last_error is None
    secret = a.repo.setting("sync.secret")
    assert secret and len(secret) == 64
    audit = json.dumps(a.repo.rows("SELECT action, ref, details FROM audit WHERE action LIKE 'sync.%'"))
    assert "sync.enroll" in audit and secret not in audit and secret not in caplog.text

    m = members.enroll_member(a, phone="13800000001", name="张三", staff_code="1001")
    sales.record_sale(a, lines=[line(1, 20000)], member_ref=m.card_no, staff_code="1001")
    waiting = sync_service.status(a).waiting
    assert waiting > 0
    clock.advance(minutes=3)
    report = sync_service.sync_once(a)
    assert report.pushed_entries == a.database.execute("SELECT count(*) FROM ledger_entry").fetchone()[0] == 2
    assert report.pushed_entries + report.pushed_events == waiting and report.waiting == 0
    assert sync_service.status(a).last_success == clock.now

    identified(b, m.uuid)  # the member shops at S02 too
    rb = sync_service.sync_once(b)
    assert rb.imported_entries == 2 and rb.pushed_entries == 0
    at_b = members.find_member(b, m.phone)
    at_a = members.find_member(a, m.phone)
    assert at_b.uuid == m.uuid and at_b.balance == at_a.balance == 50 + 200 + 100
    # the member pays with points at the other store; the first till learns of it
    sales.record_sale(b, lines=[line(1, 10000)], member_ref=m.card_no, points=200, staff_code="1001")
    sync_service.sync_once(b)
    ra = sync_service.sync_once(a)
    assert ra.imported_entries == 2  # the payment and the earn of store S02
    assert members.find_member(a, m.phone).balance == members.find_member(b, m.phone).balance == 350 - 200 + 98
    checks_ok(a)
    checks_ok(b)
    # nothing new: a round pushes and imports nothing
    again = sync_service.sync_once(a)
    assert (again.pushed_entries, again.imported_entries, again.waiting) == (0, 0, 0)


def test_enroll_refuses_another_terminals_code(hq: HQ, tmp_path: Path, clock: FakeClock) -> None:
    a = till(tmp_path, "S01-T1", clock)
    with pytest.raises(SyncError) as err:
        sync_service.enroll(a, hq.url, hq.codes["S02-T1"])
    assert err.value.kind == "auth" and err.value.payload.get("reason") == "wrong_terminal"
    assert a.repo.setting("sync.secret") is None and not sync_service.status(a).enrolled


def test_hq_unreachable_loses_nothing_and_the_next_round_pushes_it(tills: tuple[Terminal, Terminal],
                                                                   hq: HQ, clock: FakeClock) -> None:
    a, b = tills
    m = members.enroll_member(a, phone="13800000002", name="李四", staff_code="1001")
    sales.record_sale(a, lines=[line(1, 5000)], member_ref=m.phone)
    before = sync_service.status(a)
    clock.advance(minutes=1)
    with pytest.raises(SyncError) as err:
        sync_service.sync_once(a, client=HQClient(closed_port_url(), a.terminal_id,
                                                  a.repo.setting("sync.secret") or "", timeout=2))
    assert err.value.kind == "offline"
    after = sync_service.status(a)
    assert after.waiting == before.waiting > 0
    assert after.last_success == before.last_success  # HQ was not heard from
    assert after.last_error and after.last_error.startswith("offline")
    # the batch id was given before the attempt: the next round sends the same rows
    pending = replica.export_batch(a.database, a.terminal_id)
    assert pending is not None and pending.resent
    report = sync_service.sync_once(a)
    assert report.waiting == 0 and report.pushed_entries == 2
    assert sync_service.status(a).last_error is None
    identified(b, m.uuid)  # the member shops at S02 too
    sync_service.sync_once(b)
    assert members.find_member(b, m.phone).balance == members.find_member(a, m.phone).balance


def test_a_gap_at_headquarters_is_sent_again_from_where_it_expects(tills: tuple[Terminal, Terminal]) -> None:
    a, _ = tills
    m = members.enroll_member(a, phone="13800000003", name="王五", staff_code="1001")
    sales.record_sale(a, lines=[line(1, 5000)], member_ref=m.phone)
    # the till believes headquarters holds its first entries (as after restoring HQ from a backup)
    first = replica.export_batch(a.database, a.terminal_id, limit=2)
    assert first is not None
    replica.mark_acked(a.database, first.batch_id, first.last_seq or 0, max((e["oid"] for e in first.events),
                                                                             default=0))
    report = sync_service.sync_once(a)
    assert report.resets == 1 and report.waiting == 0
    n = a.database.execute("SELECT count(*) FROM ledger_entry").fetchone()[0]
    hqdb.connect(hq_db_url(a))
    try:
        held = [e.seq for e in hqdb.Entry.select().where(hqdb.Entry.terminal_id == a.terminal_id)
                .order_by(hqdb.Entry.seq)]
    finally:
        hqdb.proxy.obj.close()
    assert held == list(range(1, n + 1))


def hq_db_url(t: Terminal) -> str:
    return f"sqlite:///{Path(t.database.path).parent / 'hq.db'}"


def test_a_refused_batch_stops_the_push_and_says_which(tills: tuple[Terminal, Terminal]) -> None:
    a, _ = tills
    members.enroll_member(a, phone="13800000004", name="赵六", staff_code="1001")
    sync_service.sync_once(a)
    done = a.repo.row("SELECT batch_id FROM outbox WHERE batch_id IS NOT NULL LIMIT 1")
    assert done is not None
    members.enroll_member(a, phone="13800000005", name="钱七", staff_code="1001")
    # a different batch under a key headquarters holds already: refused, 422
    a.database.execute("UPDATE outbox SET batch_id = ? WHERE acked_at IS NULL", (done["batch_id"],))
    with pytest.raises(SyncError) as err:
        sync_service.sync_once(a)
    assert err.value.kind == "conflict" and err.value.status == 422
    st = sync_service.status(a)
    assert st.waiting > 0 and st.last_error is not None and done["batch_id"] in st.last_error
    assert "refused" in st.last_error and "Idempotency-Key" in st.last_error


def test_offline_allowance(tills: tuple[Terminal, Terminal], tmp_path: Path, clock: FakeClock) -> None:
    a, _ = tills
    m = members.enroll_member(a, phone="13800000006", name="孙八", staff_code="1001")
    points.adjust_points(a, member_ref=m.phone, points=20000, reason="opening balance", manager_code="9001",
                         manager_pin="9999")
    sync_service.sync_once(a)
    # heard from headquarters a minute ago: no limit
    clock.advance(minutes=1)
    assert not sync_service.offline_allowance(a, clock.now.date()).limited
    sales.record_sale(a, lines=[line(1, 10000)], member_ref=m.card_no, points=2500)
    # silent for more than 10 minutes: today's 2,500 points already pass the 2,000 allowed
    clock.advance(minutes=10)
    allowance = sync_service.offline_allowance(a, clock.now.date())
    assert allowance.limited and (allowance.used_today, allowance.limit) == (2500, 2000)
    balance = members.find_member(a, m.phone).balance
    with pytest.raises(ApprovalRequired) as err:
        sales.record_sale(a, lines=[line(1, 10000)], member_ref=m.card_no, points=100)
    assert err.value.field == "offline" and err.value.params["used_today"] == 2500
    with pytest.raises(ApprovalRequired):
        points.redeem_gift(a, member_ref=m.card_no, gift_code="G001")
    assert members.find_member(a, m.phone).balance == balance  # nothing written
    with pytest.raises(PermissionDenied):  # a cashier cannot approve
        sales.record_sale(a, lines=[line(1, 10000)], member_ref=m.card_no, points=100, approval=("1001", "1234"))
    r = sales.record_sale(a, lines=[line(1, 10000)], member_ref=m.card_no, points=100, approval=("9001", "9999"))
    g = points.redeem_gift(a, member_ref=m.card_no, gift_code="G001", manager_code="9001", manager_pin="9999")
    overrides = a.repo.rows("SELECT ref, details FROM audit WHERE action = 'offline.override' ORDER BY id")
    assert [o["ref"] for o in overrides] == [r.receipt_no, g.redemption_no]
    assert json.loads(overrides[0]["details"])["approved_by"] == "9001"
    # headquarters answers again: the allowance no longer applies
    sync_service.sync_once(a)
    sales.record_sale(a, lines=[line(1, 10000)], member_ref=m.card_no, points=1000)
    # a till that was never enrolled is not limited, however long it has been alone
    lone = till(tmp_path, "LONE", clock)
    n = members.enroll_member(lone, phone="13800000007", name="周九", staff_code="1001")
    points.adjust_points(lone, member_ref=n.phone, points=9000, reason="opening balance", manager_code="9001",
                         manager_pin="9999")
    clock.advance(days=2)
    sales.record_sale(lone, lines=[line(1, 20000)], member_ref=n.card_no, points=5000)
    assert not sync_service.offline_allowance(lone, clock.now.date()).limited
    lone.close()


def test_offline_allowance_from_the_command_line(tills: tuple[Terminal, Terminal], clock: FakeClock,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    a, _ = tills
    m = members.enroll_member(a, phone="13800000008", name="吴十", staff_code="1001")
    points.adjust_points(a, member_ref=m.phone, points=9000, reason="opening balance", manager_code="9001",
                         manager_pin="9999")
    stamp = (dt.datetime.now() - dt.timedelta(minutes=30)).replace(microsecond=0)
    a.repo.set_setting("sync.last_success", stamp.isoformat())  # the CLI runs on the real clock
    db = str(a.database.path)
    args = ["--db", db, "sale", "--amount", "100.00", "--member", m.card_no, "--points", "2500"]
    assert cli.main(args) == cli.EXIT_BAD_INPUT
    assert "offline" in capsys.readouterr().err
    assert cli.main([*args, "--manager", "9001", "--manager-pin", "9999"]) == cli.EXIT_OK


def test_sync_command(tills: tuple[Terminal, Terminal], hq: HQ, capsys: pytest.CaptureFixture[str]) -> None:
    a, _ = tills
    members.enroll_member(a, phone="13800000009", name="郑一", staff_code="1001")
    db = str(a.database.path)
    real_url = a.repo.setting("hq.url")
    a.repo.set_setting("hq.url", closed_port_url())
    assert cli.main(["--db", db, "sync"]) == cli.EXIT_DISCREPANCY
    err = capsys.readouterr().err
    assert "offline" in err and "waiting" in err
    a.repo.set_setting("hq.url", real_url or "")
    assert cli.main(["--db", db, "sync", "--json"]) == cli.EXIT_OK
    out = json.loads(capsys.readouterr().out)
    assert out["pushed_entries"] == 1 and out["waiting"] == 0


def test_a_push_answered_200_without_json_is_reported_not_a_crash(tills: tuple[Terminal, Terminal], hq: HQ,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    """A captive portal (or a misconfigured proxy) answers the push 200 with an HTML page: the
    round fails as a server error with sync.last_error written, nothing is marked sent, and the
    next round through the real headquarters sends it."""
    from tests.e2e.faultproxy import FaultProxy

    a, _ = tills
    members.enroll_member(a, phone="13800000019", name="郑二", staff_code="1001")
    db = str(a.database.path)
    real_url = a.repo.setting("hq.url") or ""
    port = int(real_url.rsplit(":", 1)[1])
    proxy = FaultProxy("127.0.0.1", port).start()
    try:
        proxy.match = "/v1/push"
        proxy.faults = ["html"]
        a.repo.set_setting("hq.url", proxy.url)
        assert cli.main(["--db", db, "sync"]) == cli.EXIT_DISCREPANCY
        err = capsys.readouterr().err
        assert "Traceback" not in err and "without JSON" in err and "server" in err
        assert "without JSON" in (sync_service.status(a).last_error or "")
        assert sync_service.status(a).waiting > 0
        assert cli.main(["--db", db, "sync", "--json"]) == cli.EXIT_OK
        assert json.loads(capsys.readouterr().out)["waiting"] == 0
        assert not sync_service.status(a).last_error
    finally:
        proxy.stop()
        a.repo.set_setting("hq.url", real_url)


def test_enroll_command(hq: HQ, tmp_path: Path, clock: FakeClock, capsys: pytest.CaptureFixture[str]) -> None:
    t = till(tmp_path, "S02-T1", clock)
    t.close()
    db = str(tmp_path / "S02-T1.db")
    assert cli.main(["--db", db, "enroll", "--hq", hq.url, "--code", "WRONG-CODE"]) == cli.EXIT_DISCREPANCY
    assert "auth" in capsys.readouterr().err
    assert cli.main(["--db", db, "enroll", "--hq", hq.url, "--code", hq.codes["S02-T1"]]) == cli.EXIT_OK
    out = capsys.readouterr().out
    assert "S02/S02-T1" in out
    assert cli.main(["--db", db, "sync", "--json"]) == cli.EXIT_OK
    assert json.loads(capsys.readouterr().out)["pulled"] >= 1  # at least the program headquarters published


def test_backoff_is_exponential_with_full_jitter_and_resets() -> None:
    draws = iter([1.0, 1.0, 1.0, 0.5, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.0])
    b = sync_service.Backoff(rand=lambda: next(draws))
    waits = [b.failure() for _ in range(4)]
    assert waits == [2.0, 4.0, 8.0, 8.0]  # ceilings 2, 4, 8, 16 s; the last draw was a half
    waits = [b.failure() for _ in range(6)]
    assert waits[-1] == 300.0 and max(waits) == 300.0  # never more than five minutes
    assert b.failure() == 0.0  # full jitter: anything from zero up
    b.success()
    assert b.failures == 0 and b.ceiling() == 2.0


def test_status_counts_what_waits(tills: tuple[Terminal, Terminal]) -> None:
    a, _ = tills
    assert sync_service.status(a).waiting == 0
    members.enroll_member(a, phone="13800000010", name="冯二", staff_code="1001")
    st: Any = sync_service.status(a)
    assert st.waiting == replica.pending_count(a.database) == 2  # the member event and the sign-up award
    assert st.to_dict()["enrolled"] is True


def test_a_chains_own_ca_for_headquarters_tls(tmp_path: Path, clock: FakeClock,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    """Headquarters behind a certificate of the chain's own CA: a till that does not trust it
    says so (and stores nothing); `pos-app enroll --ca-file` trusts it from then on, for every
    round; a file that is not a certificate is refused by name, changing nothing."""
    from tests.hq.test_http import _self_signed

    certfile, keyfile = _self_signed(tmp_path)
    url = f"sqlite:///{tmp_path / 'hq-tls.db'}"
    code = prepare_hq(url, {"S01-T1": "S01"})["S01-T1"]
    t = till(tmp_path, "S01-T1", clock)
    t.close()
    db = str(tmp_path / "S01-T1.db")
    with ThreadServer(url, certfile=str(certfile), keyfile=str(keyfile)) as server:
        assert server.url.startswith("https://")
        assert cli.main(["--db", db, "enroll", "--hq", server.url, "--code", code]) == cli.EXIT_DISCREPANCY
        err = capsys.readouterr().err
        assert "not trusted" in err and "--ca-file" in err  # the message names the fix
        not_pem = tmp_path / "not-a-cert.pem"
        not_pem.write_text("hello")
        assert cli.main(["--db", db, "enroll", "--hq", server.url, "--code", code,
                         "--ca-file", str(not_pem)]) == cli.EXIT_BAD_INPUT
        assert "hq.ca_file" in capsys.readouterr().err
        assert cli.main(["--db", db, "enroll", "--hq", server.url, "--code", code, "--ca-file", "relative.pem"]
                        ) == cli.EXIT_BAD_INPUT
        assert "hq.ca_file" in capsys.readouterr().err
        t = context.Terminal.open(db, clock=clock)
        assert not sync_service.is_enrolled(t) and t.repo.setting("hq.ca_file") is None
        t.close()
        assert cli.main(["--db", db, "enroll", "--hq", server.url, "--code", code,
                         "--ca-file", str(certfile)]) == cli.EXIT_OK
        assert "S01/S01-T1" in capsys.readouterr().out
        t = context.Terminal.open(db, clock=clock)
        try:
            assert t.repo.setting("hq.ca_file") == str(certfile)
            audit = t.repo.rows("SELECT ref FROM audit WHERE action = 'setting.change'")
            assert {"ref": "hq.ca_file"} in audit
            m = members.enroll_member(t, phone="13800000001", name="张三", staff_code="1001")
            sales.record_sale(t, lines=[line(1, 20000)], member_ref=m.card_no, staff_code="1001")
            report = sync_service.sync_once(t)  # the stored CA is used by every round
            assert report.pushed_entries == 2 and report.waiting == 0
            # the CA file gone: a round says which setting to fix, and nothing is lost
            certfile.rename(tmp_path / "moved.crt")
            sales.record_sale(t, lines=[line(1, 10000)], member_ref=m.card_no, staff_code="1001")
            with pytest.raises(InvalidInput) as exc:
                sync_service.sync_once(t)
            assert exc.value.field == "hq.ca_file"
            assert sync_service.status(t).waiting > 0
        finally:
            t.close()


def test_a_coupon_given_back_by_a_refund_is_usable_at_the_other_store(tills: tuple[Terminal, Terminal]) -> None:
    a, b = tills
    m = members.enroll_member(a, phone="13800000020", name="钱七", staff_code="1001")
    sales.record_sale(a, lines=[line(1, 2_000_000)], member_ref=m.card_no, staff_code="1001")  # points to spend
    coupon = points.redeem_gift(a, member_ref=m.card_no, gift_code="G002").coupon_code
    assert coupon
    sold = sales.record_sale(a, lines=[line(1, 6000)], member_ref=m.card_no, coupon=coupon, staff_code="1001")
    sync_service.sync_once(a)
    identified(b, m.uuid)  # the member shops at S02 too
    sync_service.sync_once(b)
    assert b.repo.coupon(coupon)["used_receipt_no"] == sold.receipt_no  # type: ignore[index]
    refund = sales.refund_sale(a, receipt_no=sold.receipt_no, staff_code="1001")
    assert refund.coupon_returned == coupon
    sync_service.sync_once(a)
    assert hqdb_coupon_used(b, coupon) is None
    sync_service.sync_once(b)
    assert b.repo.coupon(coupon)["used_at"] is None  # type: ignore[index]
    at_b = sales.record_sale(b, lines=[line(1, 6000)], member_ref=m.phone, coupon=coupon, staff_code="1001")
    assert at_b.coupon_fen == 1000
    sync_service.sync_once(b)
    sync_service.sync_once(a)
    assert a.repo.coupon(coupon)["used_receipt_no"] == at_b.receipt_no  # type: ignore[index]
    checks_ok(a)
    checks_ok(b)


def identified(t: Terminal, member_uuid: str) -> None:
    """Till ``t`` identified a member of another store: headquarters subscribes it to the member
    (what an online lookup does; issue 13: a till holds its store's members and those it
    identified), so its next pull brings the member and every entry of theirs."""
    from pos_app.hq import feed

    database = hqdb.connect(hq_db_url(t))
    try:
        with hqdb.writing(database):
            feed.subscribe(t.terminal_id, member_uuid, at=hqdb.utcnow())
    finally:
        database.close()


def hqdb_coupon_used(t: Terminal, code: str) -> str | None:
    """Headquarters' record of the coupon's use (read through the change feed the till pulls)."""
    client = sync_service.make_client(t)
    try:
        changes = client.changes(0, 2000)["changes"]
    finally:
        client.close()
    last = [c["data"] for c in changes if c["kind"] == "coupon" and c["data"]["code"] == code][-1]
    return last["used_at"]


def test_a_till_restored_from_an_older_backup_takes_back_what_headquarters_holds_of_it(
        tills: tuple[Terminal, Terminal], tmp_path: Path, clock: FakeClock, capsys: pytest.CaptureFixture[str]) -> None:
    """HQ holds more of the till's chain than the restored database (it used to stop the round
    with a conflict): the round takes the missing entries and events back, the sale made after
    the backup can be refunded and the next receipt number follows it; `pos-app sync` says so."""
    from pos_app.services import backup

    a, _ = tills
    m = members.enroll_member(a, phone="13800000030", name="孙八", staff_code="1001")
    sales.record_sale(a, lines=[line(1, 10000)], member_ref=m.card_no, staff_code="1001")
    sync_service.sync_once(a)
    old = backup.take_backup(a, tmp_path / "backups")  # everything in it was synced already
    later = sales.record_sale(a, lines=[line(1, 20000)], member_ref=m.card_no, staff_code="1001")
    assert sync_service.sync_once(a).pushed_entries == 1
    balance = members.find_member(a, m.card_no).balance
    db = Path(a.database.path)
    a.close()
    backup.restore(db, old.path)
    assert cli.main(["--db", str(db), "sync"]) == cli.EXIT_OK
    assert "took back 1 entries and 1 events of this till" in capsys.readouterr().out
    a = context.Terminal.open(db, clock=clock)
    try:
        assert replica.own_last_seq(a.database, "S01-T1") == 3
        assert members.find_member(a, m.card_no).balance == balance
        refund = sales.refund_sale(a, receipt_no=later.receipt_no, staff_code="1001")
        assert refund.clawback == later.points_earned
        again = sales.record_sale(a, lines=[line(1, 500)], staff_code="1001")
        assert int(again.receipt_no[-8:]) == int(later.receipt_no[-8:]) + 1
        report = sync_service.sync_once(a)
        assert report.waiting == 0 and report.recovered_entries == 0
        checks_ok(a)
    finally:
        a.close()


@pytest.mark.parametrize("sold_meanwhile", [False, True])
def test_a_recovery_cut_half_way_resumes_where_its_last_page_ended(
        hq: HQ, tills: tuple[Terminal, Terminal], tmp_path: Path, clock: FakeClock,
        monkeypatch: pytest.MonkeyPatch, sold_meanwhile: bool) -> None:
    """A rebuilt till takes its history back in pages of one transaction each: the connection
    drops after two pages; the next round goes on from there and the result is whole. A sale
    made in between (its receipt number is one HQ holds) stops the recovery with a conflict."""
    from tests.e2e.conftest import run_hq

    a, _ = tills
    m = members.enroll_member(a, phone="13800000032", name="孙十", staff_code="1001")
    for i in range(12):
        sales.record_sale(a, lines=[line(1, 10000 + i)], member_ref=m.card_no if i % 2 else None, staff_code="1001")
    sync_service.sync_once(a)
    chain = a.database.execute("SELECT seq, hash FROM ledger_entry ORDER BY seq").fetchall()
    receipts = a.database.execute("SELECT receipt_no FROM sale ORDER BY receipt_no").fetchall()
    events = a_events(a)
    path = Path(a.database.path)
    a.close()
    path.unlink()
    code = run_hq(hq.server.db_url, "terminal", "code", "S01-T1").split()[-1]
    (tmp_path / "new").mkdir()
    b = till(tmp_path / "new", "S01-T1", clock)
    try:
        sync_service.enroll(b, hq.url, code)
        monkeypatch.setattr(sync_service, "RECOVERY_PAGE", 5)
        calls = {"n": 0}

        class Dropping(HQClient):
            def own(self, part: str, after: int, limit: int) -> dict[str, Any]:
                calls["n"] += 1
                if calls["n"] == 3:
                    raise SyncError("offline", "cannot reach headquarters: connection reset")
                return super().own(part, after, limit)

        with Dropping(hq.url, "S01-T1", b.repo.setting("sync.secret") or "") as client:
            with pytest.raises(SyncError) as exc:
                sync_service.sync_once(b, client=client)
            assert exc.value.kind == "offline"
            half = b.database.execute("SELECT count(*) FROM outbox").fetchone()[0]
            assert half == 10  # two pages of events, each committed
            if sold_meanwhile:
                sales.record_sale(b, lines=[line(1, 700)], staff_code="1001")
                with pytest.raises(SyncError) as exc:
                    sync_service.sync_once(b, client=client)
                assert exc.value.kind == "conflict" and "while its history was coming back" in exc.value.message
                assert b.database.execute("SELECT count(*) FROM ledger_entry").fetchone()[0] == 0
                return
            report = sync_service.sync_once(b, client=client)
        assert report.recovered_events + half == events == a_events(b)
        assert report.recovered_entries == len(chain)
        assert b.database.execute("SELECT seq, hash FROM ledger_entry ORDER BY seq").fetchall() == chain
        assert b.database.execute("SELECT receipt_no FROM sale ORDER BY receipt_no").fetchall() == receipts
        assert len(b.repo.rows("SELECT id FROM audit WHERE action = 'sync.recover'")) == 2
        checks_ok(b)
    finally:
        b.close()


def test_a_rebuilt_till_that_sold_before_its_first_sync_is_told_and_loses_nothing(
        hq: HQ, tills: tuple[Terminal, Terminal], tmp_path: Path, clock: FakeClock) -> None:
    """A till rebuilt from nothing sells (no member: events only) before its first sync: its
    receipt number and outbox id repeat what headquarters holds. HQ refuses the push (it used
    to count such an event as a duplicate and lose it), and the round stops with a conflict
    that says so, taking nothing back."""
    from tests.e2e.conftest import run_hq

    a, _ = tills
    m = members.enroll_member(a, phone="13800000033", name="孙十一", staff_code="1001")
    sales.record_sale(a, lines=[line(1, 10000)], member_ref=m.card_no, staff_code="1001")
    sync_service.sync_once(a)
    path = Path(a.database.path)
    a.close()
    path.unlink()
    code = run_hq(hq.server.db_url, "terminal", "code", "S01-T1").split()[-1]
    (tmp_path / "new").mkdir()
    b = till(tmp_path / "new", "S01-T1", clock)
    try:
        sync_service.enroll(b, hq.url, code)
        sales.record_sale(b, lines=[line(1, 700)], staff_code="1001")
        with pytest.raises(SyncError) as exc:
            sync_service.sync_once(b)
        assert exc.value.kind == "conflict"
        assert "rebuilt and sold before its first sync" in (sync_service.status(b).last_error or "")
        assert b.database.execute("SELECT count(*) FROM sale").fetchone()[0] == 1  # its own, nothing else
        assert sync_service.status(b).waiting == 1  # kept, not lost
    finally:
        b.close()


def a_events(t: Terminal) -> int:
    return int(t.database.execute("SELECT count(*) FROM outbox WHERE entry_id IS NULL").fetchone()[0])


def test_a_restored_till_that_sold_before_syncing_is_told_and_takes_nothing_back(
        tills: tuple[Terminal, Terminal], tmp_path: Path, clock: FakeClock, capsys: pytest.CaptureFixture[str]) -> None:
    """Restored from an older backup and sold on before a sync: its new entries carry sequence
    numbers HQ holds other entries under. The round stops with a conflict that says so (its
    ledger is not touched), and the CLI exits 1 with it."""
    from pos_app.services import backup

    a, _ = tills
    m = members.enroll_member(a, phone="13800000031", name="孙九", staff_code="1001")
    sales.record_sale(a, lines=[line(1, 10000)], member_ref=m.card_no, staff_code="1001")
    sync_service.sync_once(a)
    old = backup.take_backup(a, tmp_path / "backups")
    sales.record_sale(a, lines=[line(1, 20000)], member_ref=m.card_no, staff_code="1001")
    sync_service.sync_once(a)
    db = Path(a.database.path)
    a.close()
    backup.restore(db, old.path)
    a = context.Terminal.open(db, clock=clock)
    try:
        sales.record_sale(a, lines=[line(1, 30000)], member_ref=m.card_no, staff_code="1001")  # #3 again
        chain = a.database.execute("SELECT seq, hash FROM ledger_entry ORDER BY seq").fetchall()
        with pytest.raises(SyncError) as exc:
            sync_service.sync_once(a)
        assert exc.value.kind == "conflict"
        assert "did not accept" in (sync_service.status(a).last_error or "")
        assert a.database.execute("SELECT seq, hash FROM ledger_entry ORDER BY seq").fetchall() == chain
    finally:
        a.close()
    assert cli.main(["--db", str(db), "sync"]) == cli.EXIT_DISCREPANCY
    assert "restored from an older backup and sold on" in capsys.readouterr().err


def test_first_purchase_bonus_granted_at_two_stores_offline_is_flagged_at_hq(hq: HQ,
                                                                            tills: tuple[Terminal, Terminal]) -> None:
    a, b = tills
    m = members.enroll_member(a, phone="13800000040", name="周九", staff_code="1001")
    sync_service.sync_once(a)
    identified(b, m.uuid)  # the member shops at S02 too
    sync_service.sync_once(b)  # both stores know the member, neither has seen a purchase
    ra = sales.record_sale(a, lines=[line(1, 10000)], member_ref=m.card_no, staff_code="1001")
    rb = sales.record_sale(b, lines=[line(1, 10000)], member_ref=m.phone, staff_code="1001")
    assert ra.breakdown is not None and rb.breakdown is not None
    assert [x["id"] for x in ra.breakdown["bonuses"]] == [x["id"] for x in rb.breakdown["bonuses"]] == [
        "first_purchase"]
    sync_service.sync_once(a)
    sync_service.sync_once(b)
    # read headquarters' file beside the running server (its connection stays its own)
    with sqlite3.connect(hq.server.db_url.removeprefix("sqlite:///")) as con:
        flags = con.execute("SELECT terminal_id, points, details FROM flag WHERE kind = 'double_bonus'").fetchall()
    assert len(flags) == 1 and flags[0][:2] == ("S02-T1", 100)
    assert json.loads(flags[0][2])["first_terminal_id"] == "S01-T1"


def test_headquarters_restored_from_a_backup_loses_nothing_for_good(tmp_path: Path, clock: FakeClock) -> None:
    """HQ's database goes back to a backup: the entries a till had pushed since are sent again
    (HQ says how much of the till it holds), and a till whose feed cursor the restored HQ does
    not know reads the feed again from 0 instead of skipping the changes that now carry ids it
    had passed."""
    hq_file = tmp_path / "hq.db"
    url = f"sqlite:///{hq_file}"
    codes = prepare_hq(url, TERMINALS)
    a, b = till(tmp_path, "S01-T1", clock), till(tmp_path, "S02-T1", clock)
    try:
        with ThreadServer(url) as server:
            sync_service.enroll(a, server.url, codes["S01-T1"])
            sync_service.enroll(b, server.url, codes["S02-T1"])
            first = members.enroll_member(a, phone="13800000050", name="吴一", staff_code="1001")
            identified(b, first.uuid)  # the member shops at S02 too
            sync_service.sync_once(a)
            sync_service.sync_once(b)
            with sqlite3.connect(hq_file) as live, sqlite3.connect(tmp_path / "hq-backup.db") as copy:
                live.backup(copy)  # last night's backup of headquarters
            later = [members.enroll_member(a, phone=f"1380000006{i}", name=f"郑{i}", staff_code="1001")
                     for i in range(4)]
            sales.record_sale(a, lines=[line(1, 10000)], member_ref=first.card_no, staff_code="1001")
            for m in later:
                identified(b, m.uuid)  # they shop at S02 too
            sync_service.sync_once(a)
            sync_service.sync_once(b)
            assert all(members.find_member(b, m.phone).uuid == m.uuid for m in later)
            a_entries = a.database.execute("SELECT count(*) FROM ledger_entry WHERE terminal_id = 'S01-T1'"
                                           ).fetchone()[0]
        (tmp_path / "hq-backup.db").replace(hq_file)  # headquarters restored
        for suffix in ("-wal", "-shm"):
            Path(str(hq_file) + suffix).unlink(missing_ok=True)
        with ThreadServer(url) as server:
            for t in (a, b):
                with t.database.transaction():
                    t.repo.set_setting("hq.url", server.url)
            # a member enrolled at the other store after the restore: its changes get ids the
            # first till's cursor had already passed
            newcomer = members.enroll_member(b, phone="13800000070", name="王二", staff_code="1001")
            identified(a, newcomer.uuid)  # who shops at S01 too
            assert sync_service.sync_once(b).feed_restarted  # its cursor was past the restored feed too
            report = sync_service.sync_once(a)
            assert report.resent and report.feed_restarted
            assert members.find_member(a, newcomer.phone).uuid == newcomer.uuid  # not skipped
            assert sync_service.status(a).waiting == 0  # what HQ lost went up again in the same round
            assert not sync_service.sync_once(b).feed_restarted  # once is enough
            assert all(members.find_member(b, m.phone).uuid == m.uuid for m in later)
            audit = a.repo.rows("SELECT action FROM audit WHERE action IN ('sync.resend', 'sync.feed_restart')")
            assert {r["action"] for r in audit} == {"sync.resend", "sync.feed_restart"}
        database = hqdb.connect(url)
        try:
            held = hqdb.Entry.select().where(hqdb.Entry.terminal_id == "S01-T1").count()
            assert held == a_entries  # every entry of the till, once
            assert hqdb.Member.select().where(hqdb.Member.phone == later[-1].phone).count() == 1
        finally:
            database.close()
        checks_ok(a)
        checks_ok(b)
    finally:
        a.close()
        b.close()


def test_once_only_and_per_period_rules_count_what_other_stores_did(hq: HQ, tills: tuple[Terminal, Terminal],
                                                                    clock: FakeClock) -> None:
    """Issue 12: after both tills synced, the second store gave the birthday bonus again and a
    second gift of a per-member monthly limit: the checks read only the till's own sales and
    redemptions. Every once-only or per-period rule counts what the till holds from every store."""
    a, b = tills
    clock.set("2026-05-18T10:00")
    m = members.enroll_member(a, phone="13800000050", name="吴十", birthday="1990-05-18", staff_code="1001")
    points.adjust_points(a, member_ref=m.card_no, points=60000, reason="opening balance", manager_code="9001",
                         manager_pin="9999")
    for t in (a, b):
        points.set_gift_stock(t, gift_code="G004", stock=5)
    first = sales.record_sale(a, lines=[line(1, 10000)], member_ref=m.card_no, staff_code="1001")
    assert first.breakdown is not None
    assert {x["id"] for x in first.breakdown["bonuses"]} == {"first_purchase", "birthday"}
    points.redeem_gift(a, member_ref=m.card_no, gift_code="G004", manager_code="9001", manager_pin="9999")
    for _ in range(2):  # 10,000 + 2 x 5,000: the monthly cap of 20,000 is reached
        points.redeem_gift(a, member_ref=m.card_no, gift_code="G003", manager_code="9001", manager_pin="9999")
    assert a.repo.award_count(m.id, "profile_completed") == 1  # registered with a birthday: complete
    for _ in range(3):
        members.award_behaviour(a, member_ref=m.card_no, award_id="share")
    for _ in range(2):  # 100,000 points a day at most
        sales.record_sale(a, lines=[line(1, 5_000_000)], member_ref=m.card_no, staff_code="1001")
    sync_service.sync_once(a)
    identified(b, m.uuid)  # the member shops at S02 too
    sync_service.sync_once(b)
    at_b = members.find_member(b, m.phone)
    assert at_b.first_purchase_at is not None and at_b.balance == members.find_member(a, m.phone).balance
    assert b.repo.purchases_since(at_b.id, clock().date()) == 3  # the segments count the other store's sales
    again = sales.record_sale(b, lines=[line(1, 10000)], member_ref=m.phone, staff_code="1001")
    assert again.points_earned == 0 and "daily_cap" in again.flags  # no first-purchase or birthday bonus
    assert again.breakdown is not None and again.breakdown["bonuses"] == []
    with pytest.raises(RuleViolation) as gift:
        points.redeem_gift(b, member_ref=m.card_no, gift_code="G004", manager_code="9001", manager_pin="9999")
    assert "per member per month" in gift.value.message
    with pytest.raises(RuleViolation) as cap:
        points.redeem_gift(b, member_ref=m.card_no, gift_code="G001")
    assert "monthly redemption cap" in cap.value.message
    members.update_member(b, member_ref=m.phone, birthday="")  # the profile completed again at store B:
    members.update_member(b, member_ref=m.phone, birthday="1990-05-18")  # no second award (once only)
    assert b.repo.award_count(at_b.id, "profile_completed") == 1
    with pytest.raises(RuleViolation):
        members.award_behaviour(b, member_ref=m.phone, award_id="share")
    assert b.repo.purchase_counts(clock().date())[at_b.id] == 4
    clock.set("2026-06-01T10:00")  # a new month: the gift again, and a day with room
    points.redeem_gift(b, member_ref=m.card_no, gift_code="G004", manager_code="9001", manager_pin="9999")
    members.award_behaviour(b, member_ref=m.phone, award_id="share")
    checks_ok(a)
    checks_ok(b)


def _relay_as_an_older_hq(terminal_id: str, member_uuid: str, *, created_at: str) -> None:
    """Put into headquarters' feed what a headquarters without validation accepted from a till:
    two entries of ``terminal_id``'s chain (the first with ``created_at``, the second following
    it) and a member record with a birthday that is no date."""
    from pos_app.core.chain import HASHED_FIELDS, canonical_json, entry_hash
    from pos_app.hq import feed

    with hqdb.writing(hqdb.proxy.obj):
        term = hqdb.Terminal.get(hqdb.Terminal.id == terminal_id)
        seq, prev = int(term.last_seq), str(term.last_hash)
        buf = feed.ChangeBuffer()
        for n, stamp in enumerate((created_at, "2026-11-03T10:00:00"), start=1):
            fields: dict[str, Any] = {
                "uuid": f"00000000-0000-4000-8000-00000000000{n}", "terminal_id": terminal_id, "seq": seq + n,
                "member_uuid": member_uuid, "kind": "adjust", "points": 0, "tier_points": 0, "ref_type": "sale",
                "ref_no": f"R-{n}", "program_version": None, "breakdown": "{}", "created_at": stamp,
                "business_date": "2026-11-03", "recorded_at": "2026-11-03T10:00:00", "backdated": False,
                "staff_code": None, "prev_hash": prev}
            fields["hash"] = prev = entry_hash(fields)
            hqdb.Entry.insert(**{k: fields[k] for k in (*HASHED_FIELDS, "hash")}, store_id=term.store_id,
                              effects=canonical_json({"new": [], "back": [], "taken": []}),
                              received_at=hqdb.utcnow(), batch_id=None).execute()
            buf.add_entry(fields["uuid"], member_uuid)
        member = hqdb.Member.get(hqdb.Member.uuid == member_uuid)
        data = feed.member_data(member)
        data["birthday"] = {"y": 1990}
        buf.add("member", member_uuid, data)
        buf.flush()
        hqdb.Terminal.update(last_seq=seq + 2, last_hash=prev).where(hqdb.Terminal.id == terminal_id).execute()


def test_a_change_a_till_cannot_apply_is_quarantined_not_fatal(
        tills: tuple[Terminal, Terminal], capsys: pytest.CaptureFixture[str]) -> None:
    """One till's bad data (relayed by a headquarters that did not check it) is set aside at the
    other tills: `pos-app sync` succeeds, the cursor moves on, the member can still be shown and
    sold to, verify passes, and the status and audit say what was set aside."""
    a, b = tills
    m = members.enroll_member(a, phone="13800000077", name="李四", staff_code="1001")
    sales.record_sale(a, lines=[line(1, 10000)], member_ref=m.card_no, staff_code="1001")
    sync_service.sync_once(a)
    identified(b, m.uuid)  # the member shops at S02 too
    assert sync_service.sync_once(b).imported_entries == 2  # a first sync: the current state
    _relay_as_an_older_hq("S01-T1", m.uuid, created_at="yesterday")  # then the feed brings these
    db = str(b.database.path)
    assert cli.main(["--db", db, "sync", "--json"]) == cli.EXIT_OK
    out = json.loads(capsys.readouterr().out)
    assert out["quarantined"] == 3 and out["imported_entries"] == 0
    assert sync_service.status(b).quarantined == 3
    assert replica.current_cursor(b.database) == out["cursor"] != "0"
    rows = b.repo.rows("SELECT details FROM audit WHERE action = 'sync.bad_change' ORDER BY id")
    details = [json.loads(r["details"]) for r in rows]
    assert [d["kind"] for d in details] == ["entry", "entry", "member"]
    assert "created_at" in details[0]["error"] and "prev_hash" in details[1]["error"]
    assert "birthday" in details[2]["error"] and details[2]["change"]["birthday"] == {"y": 1990}
    assert b.database.execute("SELECT count(*) FROM ledger_entry WHERE created_at = 'yesterday'").fetchone()[0] == 0
    assert cli.main(["--db", db, "member", "show", m.phone, "--json"]) == cli.EXIT_OK
    assert json.loads(capsys.readouterr().out)["balance"] == members.find_member(a, m.phone).balance
    assert cli.main(["--db", db, "sale", "--amount", "10.00", "--member", m.phone, "--staff", "1001",
                     "--json"]) == cli.EXIT_OK
    capsys.readouterr()
    assert cli.main(["--db", db, "verify"]) == cli.EXIT_OK
    again = sync_service.sync_once(b)  # the cursor moved past them: nothing is set aside twice
    assert again.quarantined == 0 and sync_service.status(b).quarantined == 3


def test_a_first_sync_is_a_snapshot_that_resumes_where_the_till_stopped(tills: tuple[Terminal, Terminal],
                                                                        hq: HQ) -> None:
    """Issue 13: a new till's first sync reads the current state (a snapshot), not the feed's
    history; each page is applied with its cursor, so a till that dies part way resumes from
    the page it reached, and then follows the feed."""
    a, b = tills
    people = [members.enroll_member(a, phone=f"1380000090{i}", name=f"会员{i}", staff_code="1001")
              for i in range(6)]
    for m in people:
        sales.record_sale(a, lines=[line(1, 10000)], member_ref=m.phone, staff_code="1001")
        identified(b, m.uuid)  # S02 serves them all
    sync_service.sync_once(a)

    class DiesAfterTwoPages(HQClient):
        pages = 0

        def changes(self, cursor: int | str, limit: int, mark: str | None = None) -> dict[str, Any]:
            self.pages += 1
            if self.pages > 2:
                raise SyncError("offline", "the till was switched off")
            return super().changes(cursor, limit, mark)

    secret = b.repo.setting("sync.secret")
    assert secret
    dying = DiesAfterTwoPages(hq.url, b.terminal_id, secret)
    try:
        with pytest.raises(SyncError):
            sync_service.sync_once(b, client=dying, page_size=3)
    finally:
        dying.close()
    stopped = replica.current_cursor(b.database)
    assert stopped.startswith("s.")  # part way through the snapshot
    held = b.database.execute("SELECT count(*) FROM member").fetchone()[0]
    assert 0 < held < len(people)
    report = sync_service.sync_once(b, page_size=3)
    assert report.snapshot_pages >= 1 and not report.feed_restarted
    assert not replica.current_cursor(b.database).startswith("s.")  # on the feed now
    for m in people:
        assert members.find_member(b, m.phone).balance == members.find_member(a, m.phone).balance
    checks_ok(b)
    # from here on the feed: a later sale at S01 arrives as a change, not a snapshot
    sales.record_sale(a, lines=[line(1, 20000)], member_ref=people[0].phone, staff_code="1001")
    sync_service.sync_once(a)
    later = sync_service.sync_once(b)
    assert later.snapshot_pages == 0 and later.imported_entries == 1
    assert members.find_member(b, people[0].phone).balance == members.find_member(a, people[0].phone).balance
