"""The one-folder build (figure 11): its size, and how long the frozen programs take to start.

    make package && .venv/bin/python benchmarks/bench_frozen.py

- size: every file under dist/pos-app (what an installer copies), in MB;
- window start: ``pos-app-gui`` launched with a fresh, initialised ``POS_APP_HOME``
  (offscreen), until its log says the login screen is shown (the line is written right after
  ``window.show()``; the first paint follows within one event-loop turn); median of 7 warm
  launches after one discarded launch;
- the same for the window from source (``python -m pos_app.ui.app``), for the ratio;
- command line: ``pos-app verify`` on that small database, median of 7.
Targets: none in the issue; figures 5 (window start from source, <= 3 s) gives the yardstick.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchlib import REPO_ROOT, Figure, print_figures, scaled

DIST = REPO_ROOT / "dist" / "pos-app"
RUNS = scaled(7, 3)


def folder_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink()) / 1e6


def env_for(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("POS_APP_DB", "DISPLAY", "WAYLAND_DISPLAY")}
    env.update(POS_APP_HOME=str(home), QT_QPA_PLATFORM="offscreen")
    return env


def set_up(home: Path) -> None:
    cli = str(DIST / "pos-app")
    program = DIST / "_internal" / "db" / "reference-program.toml"
    for args in (["init", "--store", "S001", "--terminal", "T01"], ["program", "load", str(program)],
                 ["staff", "add", "--code", "9001", "--name", "Wang", "--role", "manager", "--pin", "2468"]):
        subprocess.run([cli, *args], env=env_for(home), check=True, capture_output=True, timeout=120)


def window_start_s(command: list[str], home: Path) -> float:
    log = home / "logs" / "pos-app.log"
    log.unlink(missing_ok=True)
    t0 = time.perf_counter()
    proc = subprocess.Popen(command, env=env_for(home), cwd=home, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        while time.perf_counter() - t0 < 120:
            if log.exists() and "cashier window shown" in log.read_text(encoding="utf-8"):
                return time.perf_counter() - t0
            if proc.poll() is not None:
                raise RuntimeError(f"{command[0]} exited with {proc.returncode}")
            time.sleep(0.01)
        raise RuntimeError("the window did not start in 120 s")
    finally:
        proc.terminate()
        proc.wait(30)


def median_of(fn, runs: int) -> float:  # type: ignore[no-untyped-def]
    fn()  # discarded: first launch after the build reads the files from disk
    return statistics.median(fn() for _ in range(runs))


def run() -> list[Figure]:
    if not (DIST / "pos-app-gui").exists():
        raise RuntimeError("no build in dist/pos-app: run `make package` first")
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        set_up(home)
        frozen = median_of(lambda: window_start_s([str(DIST / "pos-app-gui")], home), RUNS)
        source = median_of(lambda: window_start_s([sys.executable, "-m", "pos_app.ui.app"], home), RUNS)

        def verify_s() -> float:
            t0 = time.perf_counter()
            subprocess.run([str(DIST / "pos-app"), "verify"], env=env_for(home), check=True, capture_output=True)
            return time.perf_counter() - t0

        cli = median_of(verify_s, RUNS)
    size = folder_mb(DIST)
    return [
        Figure("11a build: dist/pos-app size", size, "MB", note=f"{sum(1 for _ in DIST.rglob('*'))} files"),
        Figure("11b frozen window: start to login", frozen * 1000, "ms", note=f"median of {RUNS}"),
        Figure("11c window from source: start to login", source * 1000, "ms",
               note=f"median of {RUNS}; frozen/source {frozen / source:.2f}"),
        Figure("11d frozen CLI: pos-app verify", cli * 1000, "ms", note=f"median of {RUNS}"),
    ]


if __name__ == "__main__":
    print_figures("one-folder build", run())
