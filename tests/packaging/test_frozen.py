"""The one-folder build (`make package`) works on its own: the frozen command line runs a sale
and verifies it, the frozen window reaches the login screen (or, with no database, the first-start
dialog), and the decoders' native libraries are inside the folder.

The build is made (or brought up to date) by ``make package`` once per session: make rebuilds
only when a source file changed. Each program runs with a fresh ``POS_APP_HOME`` and without the
source tree or the virtual environment on its paths.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.packaging.conftest import EXE, ROOT

CORPUS = ROOT.parent / "shared" / "corpus" / "barcodes"


def clean_env(home: Path) -> dict[str, str]:
    """What a store PC has: no virtual environment, no source tree, no display."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "VIRTUAL_ENV", "POS_APP_DB", "PYTHONHOME", "DISPLAY", "WAYLAND_DISPLAY")}
    env.update(POS_APP_HOME=str(home), QT_QPA_PLATFORM="offscreen", PATH="/usr/bin:/bin")
    return env


def cli(frozen: Path, home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(frozen / f"pos-app{EXE}"), *args], cwd=home, env=clean_env(home),
                          capture_output=True, text=True, timeout=120)


@pytest.fixture
def home(tmp_path: Path) -> Path:
    h = tmp_path / "store-pc"
    h.mkdir()
    return h


def set_up_till(frozen: Path, home: Path) -> None:
    program = frozen / "_internal" / "db" / "reference-program.toml"
    for args in (("init", "--store", "S001", "--terminal", "T01"), ("program", "load", str(program)),
                 ("staff", "add", "--code", "9001", "--name", "Wang", "--role", "manager", "--pin", "2468")):
        done = cli(frozen, home, *args)
        assert done.returncode == 0, done.stderr


def test_the_frozen_command_line_sells_and_verifies(frozen: Path, home: Path) -> None:
    set_up_till(frozen, home)
    assert (home / "pos.db").is_file()
    done = cli(frozen, home, "member", "enroll", "--phone", "13800138000", "--name", "王芳", "--consent",
               "--staff", "9001")
    assert done.returncode == 0, done.stderr
    done = cli(frozen, home, "--json", "sale", "--amount", "258.00", "--member", "13800138000", "--staff", "9001")
    assert done.returncode == 0, done.stderr
    sale = json.loads(done.stdout)
    assert sale["receipt_no"] == "S001-T01-00000001" and sale["total_fen"] == 25800
    assert sale["points_earned"] > 0
    done = cli(frozen, home, "--json", "verify")
    assert done.returncode == 0 and json.loads(done.stdout)["ok"] is True, done.stdout
    bad = cli(frozen, home, "sale", "--amount", "12.345", "--staff", "9001")
    assert bad.returncode == 2 and "amount" in bad.stderr and "Traceback" not in bad.stderr


def test_the_frozen_demo_seed_seeds_the_whole_demo_store(frozen: Path, home: Path) -> None:
    """It once crashed half-way: the demo's member-QR key was not in the folder."""
    done = cli(frozen, home, "--json", "demo-seed")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["seeded"] is True
    done = cli(frozen, home, "--json", "member-qr", "issue", "--key",
               str(frozen / "_internal" / "db" / "demo" / "member-qr-demo-private-key.pem"),
               "--card", "2900000000018")
    assert done.returncode == 0, done.stderr
    code = json.loads(done.stdout)["code"]
    done = cli(frozen, home, "--json", "member-qr", "check", code)
    assert done.returncode == 0 and json.loads(done.stdout)["valid"] is True, done.stdout + done.stderr
    done = cli(frozen, home, "--json", "verify")
    assert done.returncode == 0 and json.loads(done.stdout)["ok"] is True, done.stdout


def test_the_decoders_native_libraries_are_in_the_folder(frozen: Path, home: Path) -> None:
    if sys.platform.startswith("linux"):
        assert list((frozen / "_internal").glob("libzbar.so*")), "libzbar is not bundled"
        assert list((frozen / "_internal").glob("libusb-1.0.so*")), "libusb is not bundled"
    images = [sorted(p for p in (CORPUS / d).iterdir() if p.suffix in (".png", ".jpg", ".webp"))[0]
              for d in ("ean13-1", "qrcode-1", "code128-1")]
    for backend in ("zxing", "pyzbar"):
        done = cli(frozen, home, "--json", "scan-image", "--backend", backend, *map(str, images))
        assert done.returncode == 0, done.stderr
        found = [c for f in json.loads(done.stdout)["files"] for c in f["codes"]]
        assert found, f"{backend} decoded nothing from {images}"


def start_window(frozen: Path, home: Path) -> subprocess.Popen[str]:
    return subprocess.Popen([str(frozen / f"pos-app-gui{EXE}")], cwd=home, env=clean_env(home),
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def wait_for_log(proc: subprocess.Popen[str], log: Path, text: str, timeout: float = 60) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        content = log.read_text(encoding="utf-8") if log.exists() else ""
        if text in content:
            return content
        if proc.poll() is not None:
            output = proc.stdout.read() if proc.stdout else ""
            pytest.fail(f"the window exited with {proc.returncode} before '{text}':\n{content}\n{output}")
        time.sleep(0.2)
    pytest.fail(f"no '{text}' in {log} after {timeout} s:\n{log.read_text() if log.exists() else '(no log)'}")


@pytest.fixture
def stop() -> Iterator[list[subprocess.Popen[str]]]:
    procs: list[subprocess.Popen[str]] = []
    yield procs
    for p in procs:
        if p.poll() is None:
            p.terminate()
            try:
                p.wait(15)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait(5)


def test_the_frozen_window_reaches_the_login_screen(frozen: Path, home: Path,
                                                    stop: list[subprocess.Popen[str]]) -> None:
    set_up_till(frozen, home)
    proc = start_window(frozen, home)
    stop.append(proc)
    log = wait_for_log(proc, home / "logs" / "pos-app.log", "cashier window shown: login screen for S001/T01")
    assert "(frozen)" in log and "ERROR" not in log
    proc.terminate()
    proc.wait(15)
    done = cli(frozen, home, "--json", "verify")
    assert done.returncode == 0 and json.loads(done.stdout)["ok"] is True, done.stdout


def test_the_frozen_window_on_a_fresh_data_folder_asks_for_the_first_start(
        frozen: Path, home: Path, stop: list[subprocess.Popen[str]]) -> None:
    proc = start_window(frozen, home)
    stop.append(proc)
    wait_for_log(proc, home / "logs" / "pos-app.log", f"first start: no database at {home / 'pos.db'}")
    assert proc.poll() is None  # the dialog waits for the manager
    assert not (home / "pos.db").exists()
