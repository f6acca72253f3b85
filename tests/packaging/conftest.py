"""The one-folder build, made (or brought up to date) once per session by ``make package``;
make rebuilds only when a source file changed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from filelock import FileLock

ROOT = Path(__file__).resolve().parents[2]
DIST = ROOT / "dist" / "pos-app"
EXE = ".exe" if sys.platform == "win32" else ""


def build_lock() -> FileLock:
    """What builds from the checkout (``make package``: its ``pip install -e`` rewrites the
    ``*.egg-info``; ``pip wheel``) runs under this lock: the test processes (pytest-xdist) share
    one checkout. A wheel built while another process rewrote the egg-info had no ``pos-hq``."""
    (ROOT / "build").mkdir(exist_ok=True)
    return FileLock(str(ROOT / "build" / "package.lock"))


@pytest.fixture(scope="session")
def frozen() -> Path:
    # one dist/ for every test process: the first builds it, the others find it up to date
    with build_lock():
        done = subprocess.run(["make", "-s", "package"], cwd=ROOT, capture_output=True, text=True, timeout=1200)
    assert done.returncode == 0, f"make package failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    assert (DIST / f"pos-app{EXE}").is_file() and (DIST / f"pos-app-gui{EXE}").is_file()
    return DIST
