"""The real window in its own process on a private X server, driven by xdotool: what the tests
on a real X server share (``test_real_keyboard``, ``test_real_shift``). A person types with a
human's delay between keys; a scanner's code comes from one xdotool process at scanner speed.
What the till wrote is read back from its database file."""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from pos_app.services import context, demo
from pos_app.services.settings import save_settings
from tests.xvfb import xvfb_display

# Xvfb and xdotool come with scripts/install-system-deps.sh (as .ci/run and `make test` as root do)
assert shutil.which("Xvfb") and shutil.which("xdotool"), "install Xvfb and xdotool: scripts/install-system-deps.sh"


def realtime() -> list[str]:
    """A command prefix that runs a program at a real-time priority (SCHED_FIFO), if allowed here."""
    if shutil.which("chrt") and subprocess.run(["chrt", "-f", "10", "true"], capture_output=True).returncode == 0:
        return ["chrt", "-f", "10"]
    return []


REALTIME = realtime()


def wait_for(what: str, check: Callable[[], object], timeout: float = 60.0) -> object:
    """Polls ``check`` until it is true; the timeout is generous: a loaded machine can take tens
    of seconds to start the window."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        got = check()
        if got:
            return got
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


class RealWindow:
    """The cashier window of a demo store (``pos-app demo-seed``), started on ``display``."""

    def __init__(self, tmp_path: Path, display: str, language: str = "en") -> None:
        self.db = tmp_path / "store.db"
        t = context.init_terminal(self.db, store_id="S001", terminal_id="T01")
        demo.seed_demo(t)
        # a scanner's keys come 4 ms apart; xdotool's, on a machine running other tests beside
        # this one (pytest-xdist), now and then 60-100 ms apart: the test's scanner may pause up
        # to 150 ms (the default is 50), and the person types 400 ms apart, well above it
        save_settings(t, {"scanner.max_gap_ms": 150})
        t.close()
        self.home = tmp_path / "home"  # the window's log (read below) and its automatic backup
        self.env = {**os.environ, "DISPLAY": display, "QT_QPA_PLATFORM": "xcb", "POS_APP_HOME": str(self.home),
                    "PYTHONFAULTHANDLER": "1"}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "pos_app.ui.app", "--db", str(self.db), "--lang", language], env=self.env,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        self.window = ""

    def xdo(self, *args: str) -> str:
        return subprocess.run(["xdotool", *args], env=self.env, capture_output=True, text=True, timeout=30).stdout

    def scan(self, code: str) -> None:
        """A scanner: the code's characters and Enter, 4 ms apart, from one xdotool process, at a
        real-time priority where that is allowed: the X server stamps each key when xdotool sends
        it, and a hardware scanner's timing does not stretch when the CPU is busy."""
        keys = ["minus" if c == "-" else c for c in code]
        subprocess.run([*REALTIME, "xdotool", "key", "--delay", "4", *keys, "Return"], env=self.env, check=True,
                       timeout=30)

    def type(self, text: str, delay_ms: int = 400) -> None:
        """A person typing (400 ms between keys: each key a burst of its own)."""
        self.xdo("type", "--delay", str(delay_ms), text)

    def key(self, *keys: str) -> None:
        """Keys pressed one after another by a person (``ctrl+1``, ``F12``, ``Return``)."""
        self.xdo("key", "--delay", "400", *keys)

    def rows(self, sql: str) -> list[tuple[object, ...]]:
        with sqlite3.connect(self.db) as c:
            return c.execute(sql).fetchall()

    def log_lines(self, needle: str) -> list[str]:
        log = self.home / "logs" / "pos-app.log"
        text = log.read_text(encoding="utf-8", errors="replace") if log.exists() else ""
        return [line for line in text.splitlines() if needle in line]

    def focused(self) -> bool:
        """The window has the X keyboard focus, given again if it was lost: with no window manager
        the focus fell to nobody now and then under load (failed runs found getwindowfocus empty
        and every later key lost)."""
        if self.xdo("getwindowfocus").strip() != self.window:
            self.xdo("windowfocus", "--sync", self.window)
        return self.xdo("getwindowfocus").strip() == self.window

    def start(self) -> None:
        """Waits for the login screen, moves the pointer off the window (no hover tooltip) and
        gives the window the keyboard focus."""
        found = wait_for("the window", lambda: self.xdo("search", "--name", "S001").split()[-1:])
        self.window = str(found[0])  # type: ignore[index]
        wait_for("the login screen", lambda: self.log_lines("cashier window shown"))
        self.xdo("mousemove", "--sync", "1275", "1019")
        wait_for("the window to have the keyboard focus", self.focused)

    def login(self, code: str, pin: str) -> None:
        self.type(code)
        self.key("Tab")
        self.type(pin)
        self.key("Return")

    def failure(self, exc: AssertionError) -> AssertionError:
        """``exc`` with what the window did: its log, the X focus and every thread's stack."""
        focus = self.xdo("getwindowfocus", "getwindowname")
        self.process.send_signal(signal.SIGABRT)  # PYTHONFAULTHANDLER: every thread's stack in its output
        out = self.process.communicate(timeout=15)[0].decode(errors="replace")
        log = self.home / "logs" / "pos-app.log"
        return AssertionError(f"{exc}\n--- the window's log ---\n"
                              + (log.read_text(errors="replace") if log.exists() else "(none)")
                              + f"\n--- the X focus: {focus!r}\n--- its output ---\n" + out)

    def stop(self) -> str:
        """Ends the window (if it still runs) and returns its output."""
        if self.process.poll() is None:
            self.process.terminate()
        return self.process.communicate(timeout=15)[0].decode(errors="replace")


@contextmanager
def real_window(tmp_path: Path, language: str = "en") -> Iterator[RealWindow]:
    """A RealWindow on its own Xvfb; a failed assertion inside gets the window's log and stacks,
    and a traceback in the window's output fails the test."""
    with xvfb_display("1280x1024x24") as display:
        till = RealWindow(tmp_path, display, language)
        try:
            till.start()
            yield till
        except AssertionError as exc:
            raise till.failure(exc) from None
        finally:
            out = till.stop() if till.process.returncode is None else ""
        assert "Traceback" not in out, out
