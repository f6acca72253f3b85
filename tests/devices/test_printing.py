"""The printer contract (status over DLE EOT, sending a job) for the in-memory fake and for the
real python-escpos Network adapter talking to a fake port-9100 printer on loopback; and the
spooler against that network printer going offline, out of paper and back."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from pos_app.core.earning import SaleLine
from pos_app.devices.escpos_out import (
    ONLINE,
    EscposPrinter,
    Printer,
    PrinterConfig,
    PrinterError,
    open_printer,
)
from pos_app.services import demo, printing, sales
from pos_app.services.context import Terminal
from pos_app.services.settings import save_settings
from tests.conftest import FakeClock
from tests.devices.escpos_interpreter import interpret
from tests.devices.fake_printer import FakeNetworkPrinter, MemoryPrinter


def wait_for(predicate: Callable[[], bool], seconds: float = 5.0) -> bool:
    """Waits for the fake printer's thread to record what it got (synchronisation only)."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.01)
    return predicate()


class Rig:
    """One printer behind the contract: switch its state, connect, read what it received."""

    def __init__(self, set_state: Callable[[str], None], connect: Callable[[], Printer],
                 received: Callable[[], list[bytes]]) -> None:
        self.set_state, self.connect, self.received = set_state, connect, received


@pytest.fixture
def network_printer() -> Iterator[FakeNetworkPrinter]:
    fake = FakeNetworkPrinter()
    yield fake
    fake.close()


@pytest.fixture(params=["memory", "escpos-network"])
def rig(request: pytest.FixtureRequest, network_printer: FakeNetworkPrinter) -> Rig:
    if request.param == "memory":
        mem = MemoryPrinter()
        return Rig(lambda s: setattr(mem, "state", s), mem.connect, lambda: mem.jobs)
    config = PrinterConfig("network", host="127.0.0.1", port=network_printer.port, timeout=2.0)
    return Rig(network_printer.set_state, lambda: open_printer(config), lambda: network_printer.jobs)


def test_contract_online_printer_takes_a_job(rig: Rig) -> None:
    p = rig.connect()
    try:
        assert p.status() == ONLINE
        p.send(b"\x1b@hello\n")
    finally:
        p.close()
    assert wait_for(lambda: rig.received() == [b"\x1b@hello\n"])


@pytest.mark.parametrize("state", ["paper_out", "cover_open"])
def test_contract_status_reports_why_the_printer_is_not_ready(rig: Rig, state: str) -> None:
    rig.set_state(state)
    p = rig.connect()
    try:
        assert p.status() == state
    finally:
        p.close()


def test_contract_offline_printer_refuses_to_connect_then_comes_back(rig: Rig) -> None:
    rig.set_state("offline")
    with pytest.raises(PrinterError):
        rig.connect()
    rig.set_state(ONLINE)
    p = rig.connect()
    try:
        assert p.status() == ONLINE
    finally:
        p.close()


def test_real_adapter_is_python_escpos_network(network_printer: FakeNetworkPrinter) -> None:
    from escpos.printer import Network

    p = open_printer(PrinterConfig("network", host="127.0.0.1", port=network_printer.port))
    assert isinstance(p, EscposPrinter) and isinstance(p.device, Network)
    p.close()


def test_file_transport_writes_the_bytes(tmp_path: Path) -> None:
    target = tmp_path / "printer.bin"
    p = open_printer(PrinterConfig("file", file=str(target)))
    assert p.status() == ONLINE  # a file cannot answer: printing is the only proof
    p.send(b"\x1b@abc\n")
    p.close()
    assert target.read_bytes() == b"\x1b@abc\n"


def test_unreachable_printers_name_their_setting() -> None:
    with pytest.raises(PrinterError) as err:
        open_printer(PrinterConfig("serial", serial_port="/dev/ttyNOPE0", timeout=0.5))
    assert err.value.field == "printer.serial_port"
    with pytest.raises(PrinterError) as err2:
        open_printer(PrinterConfig("none"))
    assert err2.value.field == "printer.connection"
    # the real python-escpos Usb class through pyusb and libusb: no such printer on this machine
    with pytest.raises(PrinterError) as err3:
        open_printer(PrinterConfig("usb", usb="04b8:0202", timeout=0.5))
    assert err3.value.field == "printer.usb" and "not found" in err3.value.message


# ---------------------------------------------------------------------------- spooler end to end


def test_sales_go_on_while_the_network_printer_is_off_and_every_receipt_prints_once(
        terminal: Terminal, clock: FakeClock, network_printer: FakeNetworkPrinter) -> None:
    demo.seed_demo(terminal)
    save_settings(terminal, {"printer.connection": "network", "printer.host": "127.0.0.1",
                             "printer.port": network_printer.port})
    receipts: list[str] = []

    def sell(n: int) -> None:
        for i in range(n):
            r = sales.record_sale(terminal, lines=[SaleLine(1, "B", f"面包 {i}", "food", 1, 850)],
                                  member_ref="13800138000", tender="cash", queue_receipt=True)
            receipts.append(r.receipt_no)

    sell(2)
    res = printing.print_pending(terminal)
    assert res.state == ONLINE and len(res.printed) == 2 and res.pending == 0

    for state in ("offline", "paper_out", "cover_open"):
        network_printer.set_state(state)
        connections = network_printer.connections
        sell(2)  # the counter never talks to the printer
        assert network_printer.connections == connections
        clock.advance(seconds=61)
        res = printing.print_pending(terminal)
        assert res.state == state and res.printed == [] and res.pending == len(receipts) - 2
        failed = terminal.repo.rows("SELECT status, attempts, last_error, next_try_at FROM print_job"
                                    " WHERE status <> 'printed'")
        assert all(j["status"] == "failed" and j["attempts"] >= 1 and j["last_error"] for j in failed)
        assert all(j["next_try_at"] > clock().isoformat() for j in failed)
        # not due yet: the spooler does not even call the printer
        before = network_printer.connections
        assert printing.print_pending(terminal).state == "idle"
        assert network_printer.connections == before

    network_printer.set_state(ONLINE)
    clock.advance(seconds=61)
    res = printing.print_pending(terminal)
    assert res.state == ONLINE and res.pending == 0
    assert printing.print_pending(terminal, force=True).printed == []  # nothing left, nothing twice
    assert wait_for(lambda: len(interpret(network_printer.data()).qr_codes()) == len(receipts))
    counts = Counter(interpret(network_printer.data()).qr_codes())
    assert counts == Counter({no: 1 for no in receipts})
    assert network_printer.while_not_ready == []
    order = [j["ref"] for j in terminal.repo.rows("SELECT ref FROM print_job ORDER BY printed_at, id")]
    assert order == receipts
