"""The sync worker in the window: the status bar's waiting count and last success, rounds off the
UI thread (a sale completes while headquarters does not answer), and the manager's approval
at the checkout for points beyond the offline allowance. Headquarters is the real service
(uvicorn on loopback)."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from pos_app.services import context, demo, members
from pos_app.services import sync as sync_service
from pos_app.ui.app import App, build
from pos_app.ui.sync import SyncWorker
from pos_app.ui.workers import ImmediatePool
from tests.conftest import FakeClock
from tests.hq.hqserver import ThreadServer, prepare_hq


@pytest.fixture
def hq(tmp_path: Path) -> Iterator[tuple[str, str, str]]:
    """(address, T01's code, T02's code): T01 is the window's till, T02 a till of store S002."""
    url = f"sqlite:///{tmp_path / 'hq.db'}"
    codes = prepare_hq(url, {"T01": "S001", "T02": "S002"})
    with ThreadServer(url) as server:
        yield server.url, codes["T01"], codes["T02"]


@pytest.fixture
def enrolled_app(qtbot: object, tmp_path: Path, clock: FakeClock, hq: tuple[str, str, str]) -> Iterator[App]:
    t = context.init_terminal(tmp_path / "store.db", store_id="S001", terminal_id="T01", clock=clock)
    demo.seed_demo(t)
    sync_service.enroll(t, hq[0], hq[1])
    built = build(t, pool=ImmediatePool(), language="en")
    qtbot.addWidget(built.window)  # type: ignore[attr-defined]
    built.window.show()  # type: ignore[attr-defined]
    yield built
    built.stop_devices()
    t.close()


def status(app: App) -> str:
    return app.window.status_label.text()  # type: ignore[attr-defined]


def test_no_worker_without_enrollment(app: App) -> None:
    assert app.sync is None
    assert "Sync: " in app.status_text() and "waiting" in app.status_text()


def test_status_bar_shows_waiting_entries_and_changes_after_a_sync(enrolled_app: App, qtbot: object,
                                                                   clock: FakeClock) -> None:
    app = enrolled_app
    assert isinstance(app.sync, SyncWorker) and not app.sync.running
    waiting = sync_service.status(app.terminal).waiting
    assert waiting > 0  # the demo store's members and their points
    app.window.refresh_status()  # type: ignore[attr-defined]
    assert f"Sync: {waiting} waiting" in status(app)
    clock.advance(minutes=2)
    with qtbot.waitSignal(app.sync.synced, timeout=10000):  # type: ignore[attr-defined]
        report = app.sync.run_once()
    assert report is not None and report.pushed_entries > 0 and app.sync.state == "online"
    assert "Sync: 0 waiting" in status(app)
    assert clock.now.isoformat() in status(app)  # the last success
    assert "offline" not in status(app)


def _black_hole() -> socket.socket:
    """A port that accepts connections and never answers (headquarters hanging)."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen(16)
    return s


def test_the_worker_never_blocks_the_counter(enrolled_app: App, qtbot: object) -> None:
    from pos_app.sync.client import HQClient

    app = enrolled_app
    assert app.sync is not None
    hole = _black_hole()
    url = f"http://127.0.0.1:{hole.getsockname()[1]}"
    secret = app.terminal.repo.setting("sync.secret") or ""
    worker = SyncWorker(app.terminal, client_factory=lambda: HQClient(url, "T01", secret, timeout=3), poll_s=0.05)
    worker.state_changed.connect(lambda _s: app.window.refresh_status())  # type: ignore[attr-defined]
    app.sync = worker
    try:
        worker.start()
        time.sleep(0.3)  # the worker is now waiting for an answer that does not come
        vm = app.checkout
        assert vm.add_amount("25.00")
        started = time.monotonic()
        result = vm.complete()
        took = time.monotonic() - started
        assert result is not None and took < 1.0, took
        waiting = sync_service.status(app.terminal).waiting
        # the state is reported through a queued signal: the status bar follows on the UI thread
        qtbot.waitUntil(lambda: "(offline)" in status(app), timeout=15000)  # type: ignore[attr-defined]
        assert worker.state == "offline"
        assert sync_service.status(app.terminal).waiting >= waiting  # nothing lost
        assert worker.backoff.failures >= 1
        started = time.monotonic()
        worker.stop()
        assert time.monotonic() - started < 5 and not worker.running
    finally:
        worker.stop()
        hole.close()


def test_checkout_asks_a_manager_for_points_beyond_the_offline_allowance(enrolled_app: App, qtbot: object,
                                                                          clock: FakeClock) -> None:
    from pos_app.ui.widgets.approval import ApprovalDialog

    app = enrolled_app
    clock.advance(minutes=30)  # headquarters silent for longer than the program's 10 minutes
    vm = app.checkout
    assert vm.identify("13800138000", presence_kind="card")  # 12,000 points; the card shown
    assert vm.add_amount("100.00")
    assert vm.set_points(2500)
    with qtbot.waitSignal(vm.approval_needed, timeout=2000):  # type: ignore[attr-defined]
        assert vm.complete() is None
    page = app.window.work.pages["checkout"]  # type: ignore[attr-defined]
    dialog = page.approval
    assert isinstance(dialog, ApprovalDialog) and dialog.isVisible()
    assert "2,500" in dialog.text_label.text()
    balance = members.find_member(app.terminal, "13800138000").balance
    dialog.code_input.setText("1001")  # a cashier: refused, the dialog stays
    dialog.pin_input.setText("1234")
    dialog.submit()
    assert dialog.isVisible() and members.find_member(app.terminal, "13800138000").balance == balance
    dialog.code_input.setText("9001")
    dialog.pin_input.setText("9999")
    with qtbot.waitSignal(vm.sale_completed, timeout=2000):  # type: ignore[attr-defined]
        dialog.submit()
    assert not dialog.isVisible()
    assert vm.last_sale is not None and vm.last_sale.points_paid == 2500
    override = app.terminal.repo.row("SELECT ref, details FROM audit WHERE action = 'offline.override'")
    assert override is not None and override["ref"] == vm.last_sale.receipt_no
    assert json.loads(override["details"])["approved_by"] == "9001"


def test_gifts_past_the_offline_allowance_ask_a_manager_with_the_reason(enrolled_app: App, qtbot: object,
                                                                        clock: FakeClock) -> None:
    app = enrolled_app
    clock.advance(minutes=30)  # headquarters silent for longer than the program's 10 minutes
    vm = app.window.work.pages["gifts"].vm  # type: ignore[attr-defined]
    assert vm.identify("13800138000", presence_kind="card")
    assert vm.redeem("G005") is not None  # 2,000 points: exactly this till's offline allowance
    texts: list[str] = []
    vm.approval_needed.connect(texts.append)
    assert vm.redeem("G002") is None  # 1,000 more: past it
    assert texts and "offline points" in texts[0] and "2,000 of its 2,000" in texts[0] and "1,000" in texts[0]
    dialog = app.window.work.pages["gifts"].approval  # type: ignore[attr-defined]
    assert dialog is not None and dialog.isVisible()  # the manager approves in the dialog the screen opened
    dialog.code_input.setText("9001")
    dialog.pin_input.setText("9999")
    dialog.submit()
    assert not dialog.isVisible()
    assert vm.last_result is not None and vm.last_result.gift_code == "G002" and vm.last_result.approved_by == "9001"
    override = app.terminal.repo.row("SELECT details FROM audit WHERE action = 'offline.override'")
    assert override is not None and json.loads(override["details"])["approved_by"] == "9001"


def test_open_screens_show_another_stores_sale_after_a_pull(enrolled_app: App, qtbot: object, tmp_path: Path,
                                                           clock: FakeClock, hq: tuple[str, str, str]) -> None:
    from pos_app.core.members import make_card_number
    from pos_app.services import sales, staff
    from tests.services.test_reference_examples import line

    app = enrolled_app
    assert app.sync is not None
    app.sync.run_once()  # the demo store's members reach headquarters
    other = context.init_terminal(tmp_path / "s002.db", store_id="S002", terminal_id="T02", clock=clock)
    try:
        staff.create_staff(other, code="1001", name="收银员", role="cashier", pin="1234")
        sync_service.enroll(other, hq[0], hq[2])
        card = make_card_number(1)  # 张伟, gold
        # S002's till identified 张伟 (what an online lookup does: headquarters subscribes it)
        from pos_app.hq import db as hqdb
        from pos_app.hq import feed

        database = hqdb.connect(f"sqlite:///{tmp_path / 'hq.db'}")
        try:
            with hqdb.writing(database):
                feed.subscribe("T02", members.find_member(app.terminal, card).uuid, at=hqdb.utcnow())
        finally:
            database.close()
        sync_service.sync_once(other)  # the program and the member
        assert app.checkout.identify(card)
        gifts = app.window.work.pages["gifts"]  # type: ignore[attr-defined]
        assert gifts.vm.identify(card)
        before = app.checkout.member.member.balance  # type: ignore[union-attr]
        page = app.window.work.pages["checkout"]  # type: ignore[attr-defined]
        assert f"{before:,}" in page.balance_label.text()
        sold = sales.record_sale(other, lines=[line(1, 10000)], member_ref=card, staff_code="1001")
        sync_service.sync_once(other)
        clock.advance(minutes=2)
        with qtbot.waitSignal(app.sync.synced, timeout=10000):  # type: ignore[attr-defined]
            report = app.sync.run_once()
        assert report is not None and report.imported_entries >= 1
        after = before + sold.points_earned
        assert app.checkout.member.member.balance == after  # type: ignore[union-attr]
        assert f"{after:,}" in page.balance_label.text()  # the checkout screen shows it without a new lookup
        assert f"{after:,}" in gifts.balance_label.text()
    finally:
        other.close()
