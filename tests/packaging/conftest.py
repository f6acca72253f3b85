"""The one-folder build, made (or brought up to date) once per session by ``make package``;
make rebuilds only when a source file changed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DIST = ROOT / "dist" / "pos-app"
EXE = ".exe" if sys.platform == "win32" else ""


@pytest.fixture(scope="session")
def frozen() -> Path:
    done = subprocess.run(["make", "-s", "package"], cwd=ROOT, capture_output=True, text=True, timeout=1200)
    assert done.returncode == 0, f"make package failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    assert (DIST / f"pos-app{EXE}").is_file() and (DIST / f"pos-app-gui{EXE}").is_file()
    return DIST
