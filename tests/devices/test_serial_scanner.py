"""The serial scanner on a real pseudo-terminal: scans arrive, unplugging and replugging is survived."""

from __future__ import annotations

import os
import queue
import sys
import time
import tty
from collections.abc import Iterator
from pathlib import Path

import pytest

from pos_app.devices.serial_scanner import LineSplitter, SerialScanner, strip_affixes

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="pseudo-terminals are POSIX")


class Cable:
    """A scanner on a pty: ``path`` is a symlink to the slave side, as udev would give a
    stable name; unplugging closes the master and removes the link."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.master: int | None = None
        self.slave: int | None = None

    def plug(self) -> None:
        self.master, self.slave = os.openpty()
        tty.setraw(self.slave)
        if self.path.is_symlink():
            self.path.unlink()
        self.path.symlink_to(os.ttyname(self.slave))

    def unplug(self) -> None:
        if self.path.is_symlink():
            self.path.unlink()
        for fd in (self.master, self.slave):
            if fd is not None:
                os.close(fd)
        self.master = self.slave = None

    def send(self, data: bytes) -> None:
        assert self.master is not None
        os.write(self.master, data)


def wait_for(q: queue.Queue[str], want: str, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    seen = []
    while time.monotonic() < deadline:
        try:
            item = q.get(timeout=0.05)
        except queue.Empty:
            continue
        seen.append(item)
        if item == want:
            return
    raise AssertionError(f"waited for {want!r}, got {seen}")


@pytest.fixture
def cable(tmp_path: Path) -> Iterator[Cable]:
    c = Cable(tmp_path / "ttyScanner")
    yield c
    c.unplug()


def test_scans_arrive_and_replug_is_survived(cable: Cable) -> None:
    cable.plug()
    scans: queue.Queue[str] = queue.Queue()
    states: queue.Queue[str] = queue.Queue()
    reader = SerialScanner(str(cable.path), 9600, on_scan=scans.put, on_state=states.put, prefix="]E0",
                           retry_initial_s=0.02, retry_max_s=0.1)
    reader.start()
    try:
        wait_for(states, "connected")
        cable.send(b"2900000000428\r\n6901234567892\r]E0")
        cable.send(b"96385074\n\n")
        for want in ("2900000000428", "6901234567892", "96385074"):
            assert scans.get(timeout=5) == want

        cable.unplug()
        wait_for(states, "disconnected")
        assert reader.running  # the thread keeps trying
        time.sleep(0.2)  # a few failed reopen attempts while the path is missing
        assert reader.state == "disconnected"

        cable.plug()
        wait_for(states, "connected")
        cable.send(b"CP3F9A0B1C2D4E\r")
        assert scans.get(timeout=5) == "CP3F9A0B1C2D4E"
    finally:
        started = time.monotonic()
        reader.stop()
        stop_took = time.monotonic() - started
    assert not reader.running and reader.state == "stopped"
    assert stop_took < 2.0  # stop() joins the thread; it must not hang on a blocked read
    assert scans.empty()


def test_a_port_that_is_not_there_yet(cable: Cable) -> None:
    states: queue.Queue[str] = queue.Queue()
    scans: queue.Queue[str] = queue.Queue()
    reader = SerialScanner(str(cable.path), 9600, on_scan=scans.put, on_state=states.put,
                           retry_initial_s=0.02, retry_max_s=0.05)
    reader.start()
    try:
        wait_for(states, "disconnected")
        assert "ttyScanner" in reader.last_error
        cable.plug()
        wait_for(states, "connected")
        cable.send(b"6901234567892\r")
        assert scans.get(timeout=5) == "6901234567892"
    finally:
        reader.stop()


def test_a_failing_callback_does_not_kill_the_reader(cable: Cable) -> None:
    cable.plug()
    got: queue.Queue[str] = queue.Queue()
    states: queue.Queue[str] = queue.Queue()

    def on_scan(text: str) -> None:
        if text == "boom":
            raise RuntimeError("handler bug")
        got.put(text)

    reader = SerialScanner(str(cable.path), on_scan=on_scan, on_state=states.put)
    reader.start()
    try:
        wait_for(states, "connected")
        cable.send(b"boom\r6901234567892\r")
        assert got.get(timeout=5) == "6901234567892"
    finally:
        reader.stop()


def test_line_splitter() -> None:
    s = LineSplitter()
    assert s.feed(b"12") == []
    assert s.feed(b"34\r\n56\n\r\r78") == ["1234", "56"]
    assert s.feed(b"\n") == ["78"]
    assert s.feed(b"x" * 600 + b"\rok\r") == ["ok"]  # an overlong line (noise) is dropped
    assert s.feed("会员\r".encode()) == ["会员"]


def test_strip_affixes() -> None:
    assert strip_affixes("]E06901234567892", "]E0", "") == "6901234567892"
    assert strip_affixes("*123*", "*", "*") == "123"
    assert strip_affixes("123", "*", "#") == "123"


def test_no_port_is_refused() -> None:
    with pytest.raises(ValueError, match="port"):
        SerialScanner("", on_scan=print)
