"""The print queue: back-off, reprints, order, kinds, and a printer that is not set up."""

from __future__ import annotations

import pytest

from pos_app.core.earning import SaleLine
from pos_app.core.errors import InvalidInput, NotFound
from pos_app.services import demo, points, printing, sales, shifts
from pos_app.services.context import Terminal
from pos_app.services.settings import queue_test_print, save_settings
from tests.conftest import FakeClock
from tests.devices.escpos_interpreter import interpret
from tests.devices.fake_printer import MemoryPrinter

BREAD = [SaleLine(1, "B", "面包", "food", 1, 850)]


@pytest.fixture
def store(terminal: Terminal) -> Terminal:
    demo.seed_demo(terminal)
    save_settings(terminal, {"printer.connection": "network", "printer.host": "192.0.2.1"})
    return terminal


def test_backoff_doubles_up_to_a_minute() -> None:
    assert [printing.backoff_seconds(n) for n in range(1, 8)] == [5, 10, 20, 40, 60, 60, 60]


def test_not_set_up_keeps_jobs_waiting(terminal: Terminal) -> None:
    demo.seed_demo(terminal)
    sales.record_sale(terminal, lines=BREAD, queue_receipt=True)
    mem = MemoryPrinter()
    res = printing.print_pending(terminal, mem.connect)
    assert (res.state, res.pending, mem.opened) == ("not_set_up", 1, 0)
    assert printing.printer_state(terminal, mem.connect) == "not_set_up"


def test_failures_back_off_and_the_next_run_prints_everything_in_order(store: Terminal, clock: FakeClock) -> None:
    mem = MemoryPrinter("paper_out")
    a = sales.record_sale(store, lines=BREAD, queue_receipt=True).receipt_no
    res = printing.print_pending(store, mem.connect)
    assert res.state == "paper_out" and len(res.failed) == 1
    job = store.repo.row("SELECT * FROM print_job")
    assert job is not None
    assert (job["status"], job["attempts"], job["last_error"]) == ("failed", 1, "printer paper_out")
    assert job["next_try_at"] == "2026-11-03T10:00:05"
    clock.advance(seconds=5)
    printing.print_pending(store, mem.connect)
    job = store.repo.row("SELECT * FROM print_job")
    assert job is not None and job["attempts"] == 2 and job["next_try_at"] == "2026-11-03T10:00:15"
    mem.state = "online"
    b = sales.record_sale(store, lines=BREAD, queue_receipt=True).receipt_no  # due now; a is still backing off
    res = printing.print_pending(store, mem.connect)
    assert res.state == "online" and res.pending == 0 and len(res.printed) == 2
    assert [interpret(d).qr_codes() for d in mem.jobs] == [[a], [b]]  # the older receipt first
    assert mem.jobs[0] == printing.receipt_bytes(store, a)
    rows = store.repo.rows("SELECT status, last_error, next_try_at FROM print_job ORDER BY id")
    assert rows == [{"status": "printed", "last_error": None, "next_try_at": None}] * 2


def test_probe_reports_state_without_jobs(store: Terminal) -> None:
    mem = MemoryPrinter("cover_open")
    assert printing.print_pending(store, mem.connect).state == "idle"
    assert printing.print_pending(store, mem.connect, probe=True).state == "cover_open"
    mem.state = "offline"
    assert printing.printer_state(store, mem.connect) == "offline"


def test_reprint_is_a_new_marked_job(store: Terminal) -> None:
    no = sales.record_sale(store, lines=BREAD, queue_receipt=True).receipt_no
    mem = MemoryPrinter()
    printing.print_pending(store, mem.connect)
    job_id = printing.reprint_receipt(store, no, staff_code="1001")
    job = store.repo.row("SELECT * FROM print_job WHERE id = ?", (job_id,))
    first = store.repo.row("SELECT id FROM print_job WHERE reprint_of IS NULL")
    assert job is not None and first is not None
    assert (job["kind"], job["ref"], job["status"], job["reprint_of"]) == ("receipt", no, "queued", first["id"])
    printing.print_pending(store, mem.connect)
    assert len(mem.jobs) == 2
    assert any("重印 REPRINT" in line for line in interpret(mem.jobs[1]).text)
    assert interpret(mem.jobs[1]).qr_codes() == [no]
    with pytest.raises(NotFound) as err:
        printing.reprint_receipt(store, "S001-T01-00009999")
    assert err.value.field == "receipt_no"
    with pytest.raises(InvalidInput) as err2:
        printing.reprint(store, "test", "test-1")
    assert err2.value.field == "kind"


def test_every_kind_prints_through_the_queue(store: Terminal) -> None:
    shifts.open_shift(store, staff_code="1001")
    sales.record_sale(store, lines=BREAD, queue_receipt=True)
    gift = points.redeem_gift(store, member_ref="13800138000", gift_code="G002", queue_slip=True,
                              presence="card")
    queue_test_print(store)
    shift_no = shifts.close_shift(store, staff_code="1001")["shift_no"]
    mem = MemoryPrinter()
    res = printing.print_pending(store, mem.connect)
    assert len(res.printed) == 4 and res.pending == 0
    kinds = [j["kind"] for j in printing.list_jobs(store)]
    assert kinds == ["shift", "test", "coupon", "receipt"]  # newest first
    assert interpret(mem.jobs[1]).barcodes() == [gift.coupon_code]
    assert interpret(mem.jobs[3]).qr_codes() == []  # the shift report has no code
    assert any(shift_no in line for line in interpret(mem.jobs[3]).text)


def test_a_job_that_cannot_be_rendered_is_parked_and_the_rest_print(store: Terminal) -> None:
    with store.database.transaction():
        store.repo.queue_print_job("receipt", "S001-T01-00000404", {}, "2026-11-03T10:00:00")
    no = sales.record_sale(store, lines=BREAD, queue_receipt=True).receipt_no
    mem = MemoryPrinter()
    res = printing.print_pending(store, mem.connect)
    assert len(res.printed) == 1 and len(res.failed) == 1 and res.pending == 1
    assert interpret(mem.jobs[0]).qr_codes() == [no]
    bad = store.repo.row("SELECT status, last_error FROM print_job WHERE ref = 'S001-T01-00000404'")
    assert bad is not None and bad["status"] == "failed" and bad["last_error"].startswith("receipt_no:")


def test_a_job_claimed_elsewhere_is_not_printed_again(store: Terminal, monkeypatch: pytest.MonkeyPatch) -> None:
    sales.record_sale(store, lines=BREAD, queue_receipt=True)
    real_bytes = printing.job_bytes

    def someone_else_claims(t: Terminal, job: dict, settings: object = None) -> bytes:  # type: ignore[type-arg]
        with t.database.transaction():
            t.database.execute("UPDATE print_job SET attempts = attempts + 1 WHERE id = ?", (job["id"],))
        return real_bytes(t, job, settings)  # type: ignore[arg-type]

    monkeypatch.setattr(printing, "job_bytes", someone_else_claims)
    mem = MemoryPrinter()
    res = printing.print_pending(store, mem.connect)
    assert res.printed == [] and mem.jobs == []


def test_a_probe_that_finds_the_printer_ready_prints_jobs_still_backing_off(store: Terminal) -> None:
    mem = MemoryPrinter("cover_open")
    sales.record_sale(store, lines=BREAD, queue_receipt=True)
    printing.print_pending(store, mem.connect)
    mem.state = "online"
    assert printing.print_pending(store, mem.connect).state == "idle"  # backing off, not asked
    res = printing.print_pending(store, mem.connect, probe=True)
    assert res.state == "online" and len(res.printed) == 1 and res.pending == 0
