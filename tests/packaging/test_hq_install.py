"""Headquarters installs as docs/operations/headquarters.md says: the wheel with its ``hq`` extra
into a fresh virtual environment. It gets FastAPI, uvicorn and PostgreSQL's driver, never Qt,
OpenCV or the barcode decoders, and ``pos-hq`` works from there."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.packaging.conftest import ROOT, build_lock


def run(*args: str | Path, cwd: Path | None = None, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    # without PYTHONPATH: a checkout on it (its pos_app.egg-info) made pip in the new environment
    # find pos_app "already installed" and install no pos-hq
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    return subprocess.run([str(a) for a in args], cwd=cwd, capture_output=True, text=True, timeout=timeout, env=env)


def test_headquarters_installs_from_the_wheel_without_the_tills_libraries(tmp_path: Path) -> None:
    with build_lock():
        built = run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", tmp_path / "wheels", ROOT)
    assert built.returncode == 0, built.stderr[-3000:]
    wheel = next((tmp_path / "wheels").glob("pos_app-*.whl"))
    venv = tmp_path / "venv"
    assert run(sys.executable, "-m", "venv", venv).returncode == 0
    python = venv / "bin" / "python"
    installed = run(python, "-m", "pip", "install", "--quiet", f"{wheel}[hq]")
    assert installed.returncode == 0, installed.stderr[-3000:]

    names = {line.split("==")[0].lower() for line in run(python, "-m", "pip", "freeze").stdout.splitlines()}
    assert {"fastapi", "uvicorn", "psycopg2-binary", "peewee", "httpx", "cryptography"} <= names
    assert not names & {"pyside6-essentials", "opencv-python-headless", "zxing-cpp", "pyzbar", "python-escpos",
                        "numpy"}, names

    db = f"sqlite:///{tmp_path / 'hq.db'}"
    pos_hq = venv / "bin" / "pos-hq"
    for args in (("store", "add", "S001", "东城店"), ("terminal", "add", "S001-T01", "--store", "S001"),
                 ("program", "publish", ROOT / "db" / "reference-program.toml"), ("verify",)):
        done = run(pos_hq, "--db", db, *args, cwd=tmp_path)
        assert done.returncode == 0, (args, done.stdout[-2000:], done.stderr[-2000:])
    # the service itself loads (the app the systemd unit runs through uvicorn)
    app = run(python, "-c", "from pos_app.hq.app import create_app; print(type(create_app('sqlite:///x.db')).__name__)",
              cwd=tmp_path)
    assert app.returncode == 0 and app.stdout.strip() == "FastAPI", app.stderr[-2000:]
