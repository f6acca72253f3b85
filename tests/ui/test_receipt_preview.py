"""The receipt preview (the same lines as the paper), reprint from the refunds screen, and the
printer worker's state reports."""

from __future__ import annotations

from typing import Any

from pos_app.core.earning import SaleLine
from pos_app.core.members import make_card_number
from pos_app.devices.escpos_out import document_bytes
from pos_app.devices.receipt import Document, TextLine
from pos_app.services import receipts, sales
from pos_app.services.settings import save_settings
from pos_app.ui.app import App
from pos_app.ui.printing import PrinterWorker
from pos_app.ui.widgets.receipt_preview import ReceiptPreview
from tests.devices.escpos_interpreter import interpret
from tests.devices.fake_printer import MemoryPrinter
from tests.devices.test_charset import ISSUE_SET
from tests.ui.test_refunds import open_refunds, sell


def test_preview_shows_the_paper_lines(qtbot: Any, app: App) -> None:
    no = sell(app, make_card_number(1))
    page = open_refunds(qtbot, app, no)
    dialog = page.preview_receipt()
    assert isinstance(dialog, ReceiptPreview)
    qtbot.addWidget(dialog)
    doc = receipts.receipt_document(app.terminal, no)
    printed = [t.rstrip() for t in interpret(document_bytes(doc)).text if t.strip()]
    shown = [t.rstrip() for t in dialog.paper.lines() if t.strip()]
    assert shown == printed
    assert dialog.paper.sizeHint().width() >= doc.columns * dialog.paper.cell
    dialog.paper.grab()  # paints without error


def test_preview_shows_the_fallback_the_paper_gets(qtbot: Any, app: App) -> None:
    names = [ISSUE_SET[:13], ISSUE_SET[13:]]
    no = sales.record_sale(app.terminal, lines=[SaleLine(i, "X", n, "food", 1, 500) for i, n in enumerate(names, 1)],
                           staff_code="1001").receipt_no
    for charset in ("gbk", "gb2312", "ascii", "gb18030"):
        save_settings(app.terminal, {"printer.charset": charset})
        doc = receipts.receipt_document(app.terminal, no)
        dialog = ReceiptPreview(doc)
        qtbot.addWidget(dialog)
        printed = [t.rstrip() for t in interpret(document_bytes(doc)).text if t.strip()]
        assert [t.rstrip() for t in dialog.paper.lines() if t.strip()] == printed
        assert any(t.startswith("?") for t in printed) == (charset != "gb18030")
        dialog.paper.grab()
    # a document made without the layout: the preview still shows what the bytes print
    raw = Document(32, (TextLine("价 " + ISSUE_SET[:8]),), "raw", "gbk")
    raw_dialog = ReceiptPreview(raw)
    qtbot.addWidget(raw_dialog)
    assert raw_dialog.paper.lines() == interpret(document_bytes(raw)).text == ["价 ?￥ncssOgα"]


def test_reprint_button_queues_a_marked_job(qtbot: Any, app: App) -> None:
    no = sell(app, make_card_number(1))
    page = open_refunds(qtbot, app, no)
    page.reprint_button.click()
    jobs = app.terminal.repo.rows("SELECT kind, ref, payload FROM print_job WHERE ref = ?", (no,))
    assert [(j["kind"], j["ref"]) for j in jobs] == [("receipt", no)]
    assert '"reprint": true' in jobs[0]["payload"]


def test_worker_reports_state_and_queue(qtbot: Any, app: App) -> None:
    assert app.printer is not None and not app.printer.running  # tests do not start the thread
    sell_no = sell(app, make_card_number(1))
    with app.terminal.database.transaction():
        app.terminal.repo.queue_print_job("receipt", sell_no, {}, "2026-11-03T10:00:00")
    mem = MemoryPrinter("paper_out")
    worker = PrinterWorker(app.terminal, connect=mem.connect)
    states: list[str] = []
    counts: list[int] = []
    worker.state_changed.connect(states.append)
    worker.queue_changed.connect(counts.append)
    assert worker.run_once().state == "not_set_up"
    save_settings(app.terminal, {"printer.connection": "network", "printer.host": "192.0.2.1"})
    worker.run_once()
    mem.state = "online"
    worker.run_once()
    assert states == ["not_set_up", "paper_out", "online"]
    assert counts == [1, 0]
    assert len(mem.jobs) == 1


def test_worker_thread_prints_after_a_poke(qtbot: Any, app: App) -> None:
    sell_no = sell(app, make_card_number(1))
    save_settings(app.terminal, {"printer.connection": "network", "printer.host": "192.0.2.1"})
    mem = MemoryPrinter()
    worker = PrinterWorker(app.terminal, connect=mem.connect, interval_s=60)
    with app.terminal.database.transaction():
        app.terminal.repo.queue_print_job("receipt", sell_no, {}, "2026-11-03T10:00:00")
    worker.start()
    try:
        qtbot.waitUntil(lambda: len(mem.jobs) == 1, timeout=5000)
        with app.terminal.database.transaction():
            app.terminal.repo.queue_print_job("receipt", sell_no, {"reprint": True}, "2026-11-03T10:00:00")
        worker.poke()
        qtbot.waitUntil(lambda: len(mem.jobs) == 2, timeout=5000)
    finally:
        worker.stop()
    assert not worker.running
    assert interpret(mem.jobs[0]).qr_codes() == [sell_no]
