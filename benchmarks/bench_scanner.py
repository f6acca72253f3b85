"""Figure 12: keyboard-wedge scans through a real X server under CPU load: misroutes in 1,000 scans.

Xvfb, a small window with the product's scanner filter (``pos_app.ui.scanner.KeyboardWedge``,
default settings: 50 ms gap, 6 characters, Enter) on a focused text field, and xdotool typing
each scan as a scanner does (13 digits and Enter, 4 ms apart, one xdotool process per scan),
while one busy process per CPU core competes for the machine. The window prints every scan it
reads; the next scan starts when the last one was read (or after 3 s without it). A misroute is
a scan not read whole and exactly as typed: split in two, lost, or typed into the field (the
field's text is reported at the end too).

xdotool plays the scanner at a real-time priority (``chrt -f``, where allowed: root): the X
server stamps each key when xdotool sends it, so a preempted xdotool would stretch the scan's
own gaps, which a hardware scanner's timing never does. The window, Xvfb and the busy processes
run at normal priority: the window's UI thread is starved as on a loaded till.

    .venv/bin/python benchmarks/bench_scanner.py          # needs Xvfb and xdotool
    BENCH_SCALE=0.1 .venv/bin/python benchmarks/bench_scanner.py   # 100 scans
    BENCH_SCANNER_CODE=/path/to/other/checkout .venv/bin/python benchmarks/bench_scanner.py  # that pos_app
"""

from __future__ import annotations

import os
import queue
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from benchlib import Figure, print_figures, scaled  # noqa: E402

from tests.xvfb import xvfb_display  # noqa: E402

END = "9999999999999"  # the last scan: the window reports its field and quits
GAP_MS = 4  # between a scanner's keys
WAIT_S = 3.0  # a scan not read by then is counted lost


def window() -> int:
    """The window under test (run in a child process on the Xvfb display)."""
    if os.environ.get("BENCH_SCANNER_CODE"):
        sys.path.insert(0, os.environ["BENCH_SCANNER_CODE"])
    from pos_app.ui.qt import QApplication, QLineEdit
    from pos_app.ui.scanner import KeyboardWedge

    qapp = QApplication(sys.argv[:1])
    field = QLineEdit()
    field.setWindowTitle("bench-scanner")
    field.resize(400, 40)
    wedge = KeyboardWedge()

    def scanned(text: str) -> None:
        print(f"SCAN {text}", flush=True)
        if text == END:
            print(f"FIELD {field.text()}", flush=True)
            qapp.quit()

    wedge.scanned.connect(scanned)
    wedge.install(qapp)
    field.show()
    field.activateWindow()
    field.setFocus()
    print("READY", flush=True)
    return qapp.exec()


@contextmanager
def cpu_load() -> Iterator[int]:
    """One busy process per core for as long as the block runs."""
    busy = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(os.cpu_count() or 1)]
    try:
        yield len(busy)
    finally:
        for p in busy:
            p.kill()
            p.wait()


def realtime() -> list[str]:
    """A command prefix that runs a program at a real-time priority (SCHED_FIFO), if allowed here."""
    if shutil.which("chrt") and subprocess.run(["chrt", "-f", "10", "true"], capture_output=True).returncode == 0:
        return ["chrt", "-f", "10"]
    return []


def run() -> list[Figure]:
    n = scaled(1000, minimum=20)
    codes = [f"69{i:011d}" for i in range(n)]
    scanner = [*realtime(), "xdotool", "key", "--delay", str(GAP_MS)]
    with xvfb_display("1024x768x24") as display:
        env = {**os.environ, "DISPLAY": display, "QT_QPA_PLATFORM": "xcb", "PYTHONPATH": str(REPO_ROOT)}
        child = subprocess.Popen([sys.executable, __file__, "--window"], env=env, stdout=subprocess.PIPE, text=True)
        lines: queue.Queue[str] = queue.Queue()
        reader = threading.Thread(target=lambda: [lines.put(line.rstrip("\n")) for line in child.stdout or ()],
                                  daemon=True)
        reader.start()
        try:
            if lines.get(timeout=60) != "READY":
                raise RuntimeError("the window did not start")
            found = subprocess.run(["xdotool", "search", "--sync", "--name", "bench-scanner"], env=env,
                                   capture_output=True, text=True, timeout=30).stdout.split()
            subprocess.run(["xdotool", "windowfocus", "--sync", found[-1]], env=env, check=True, timeout=30)
            misroutes: list[tuple[str, list[str]]] = []
            with cpu_load() as busy:
                began = time.perf_counter()
                for code in codes:
                    subprocess.run([*scanner, *code, "Return"], env=env, check=True, timeout=30)
                    got: list[str] = []
                    with suppress(queue.Empty):
                        got.append(lines.get(timeout=WAIT_S))
                    while got and got[-1] != f"SCAN {code}":  # a split scan reads as two
                        try:
                            got.append(lines.get(timeout=0.2))
                        except queue.Empty:
                            break
                    if got != [f"SCAN {code}"]:
                        misroutes.append((code, got))
                seconds = time.perf_counter() - began
            subprocess.run([*scanner, *END, "Return"], env=env, check=True, timeout=30)
            field = ""
            while True:
                line = lines.get(timeout=30)
                if line.startswith("FIELD "):
                    field = line[len("FIELD "):]
                    break
            child.wait(30)
        finally:
            if child.poll() is None:
                child.kill()
                child.wait()
    print(f"  {n} scans in {seconds:.0f} s with {busy} busy processes on {os.cpu_count()} cores,"
          f" xdotool {'at a real-time priority' if scanner[0] == 'chrt' else 'at normal priority'};"
          f" misroutes {len(misroutes)}; characters left in the field {len(field)}")
    for code, got in misroutes[:10]:
        print(f"    {code}: read {got or 'nothing'}")
    return [
        Figure(f"12a misrouted scans in {n} under CPU load", float(len(misroutes)), "", 0.0),
        Figure("12b scan characters left in the text field", float(len(field)), "", 0.0),
    ]


if __name__ == "__main__":
    if sys.argv[1:] == ["--window"]:
        sys.exit(window())
    print_figures("keyboard-wedge scans under CPU load", run())
