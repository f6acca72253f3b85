"""Window start-up (issue 12 item 24), in fresh processes: httpx, OpenCV, numpy, the barcode
decoders and python-escpos are not loaded until something needs them, and python-escpos's
capabilities pickle is made once in the till's cache directory instead of a new temporary
folder per process."""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
from pathlib import Path
from typing import Any

from pos_app.services import context, demo

HEAVY = ("httpx", "cv2", "numpy", "zxingcpp", "pyzbar", "escpos")

CHILD = """
import json, sys
from pos_app.services import context, printing, settings
from pos_app.ui.app import build
from pos_app.ui.qt import QApplication
from pos_app.ui.workers import ImmediatePool

HEAVY = {heavy!r}
loaded = lambda: sorted(m for m in HEAVY if m in sys.modules)
qapp = QApplication(sys.argv[:1])
terminal = context.Terminal.open(sys.argv[1])
app = build(terminal, pool=ImmediatePool(), language="en")
app.window.show()
qapp.processEvents()
out = {{"window": loaded()}}
job = settings.queue_test_print(terminal)
data = printing.job_bytes(terminal, printing.job_or_error(terminal, job))
out["printed"] = loaded()
out["bytes"] = len(data)
assert app.session.login("1001", "1234")
qapp.processEvents()
app.window.work.show_page("settings")
qapp.processEvents()
assert app.window.work.pages["settings"].isVisible()
out["settings"] = loaded()
app.stop_devices()
terminal.close()
print(json.dumps(out))
"""


def run_window(db: Path, home: Path, tmp: Path) -> dict[str, Any]:
    env = {k: v for k, v in os.environ.items() if k != "ESCPOS_CAPABILITIES_PICKLE_DIR"}
    env.update({"POS_APP_HOME": str(home), "TMPDIR": str(tmp), "QT_QPA_PLATFORM": "offscreen",
                "PYTHONPATH": str(Path(__file__).resolve().parents[2])})
    done = subprocess.run([sys.executable, "-c", CHILD.format(heavy=HEAVY), str(db)], env=env,
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def test_window_starts_without_heavy_modules_and_escpos_caches_once(tmp_path: Path) -> None:
    home, tmp = tmp_path / "home", tmp_path / "tmp"
    home.mkdir()
    tmp.mkdir()
    db = home / "pos.db"
    t = context.init_terminal(db, store_id="S001", terminal_id="T01")
    demo.seed_demo(t)
    t.close()

    first = run_window(db, home, tmp)
    assert first["window"] == []  # nothing heavy at window start (no camera, not enrolled)
    assert first["printed"] == ["escpos"] and first["bytes"] > 0  # python-escpos at the first print
    assert {"cv2", "numpy", "zxingcpp"} <= set(first["settings"])  # the decoders when Settings shows them
    assert "httpx" not in first["settings"]
    pickle = home / "cache" / "escpos" / f"{platform.python_version()}.capabilities.pickle"
    assert pickle.is_file() and pickle.stat().st_size > 0
    assert list(tmp.iterdir()) == []  # no temporary folder left behind
    made = pickle.stat()

    second = run_window(db, home, tmp)
    assert second["printed"] == ["escpos"]
    again = pickle.stat()
    assert (again.st_ino, again.st_mtime_ns) == (made.st_ino, made.st_mtime_ns)  # read, not rebuilt
    assert list(tmp.iterdir()) == []

    # a pickle cut short (a process killed while writing it) is rebuilt, printing still works
    pickle.write_bytes(b"\x80\x02}q")
    third = run_window(db, home, tmp)
    assert third["bytes"] > 0
    assert pickle.stat().st_size == made.st_size
    assert list(tmp.iterdir()) == []
