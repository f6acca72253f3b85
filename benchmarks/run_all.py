"""``make bench``: every benchmark once, figures against targets; exits non-zero only if a benchmark crashed."""

from __future__ import annotations

import sys
import time
import traceback
from collections.abc import Callable

import bench_camera_stream
import bench_camera_ui
import bench_customer_display
import bench_decoders
import bench_expiry
import bench_frozen
import bench_lookup
import bench_sale
import bench_scanner
import bench_sync_push
import bench_ui
from benchlib import BENCH_DIR, Figure, machine_info, print_figures

BENCHMARKS: list[tuple[str, Callable[[], list[Figure]]]] = [
    ("sale: services vs raw sqlite3 (figures 1, 2)", bench_sale.run),
    ("member lookup by card and phone (figure 3)", bench_lookup.run),
    ("expiry run and verify (figure 4)", bench_expiry.run),
    ("cashier window: start, scan, sale, memory (figures 5-8)", bench_ui.run),
    ("camera decoders on the photo corpus", bench_decoders.run),
    ("camera worker and the UI thread (figure 9)", bench_camera_ui.run),
    ("camera network stream lag (figure 18)", bench_camera_stream.run),
    ("push to headquarters: 1 and 20 terminals, SQLite and PostgreSQL (figure 10)", bench_sync_push.run),
    ("one-folder build: size and start (figure 11)", bench_frozen.run),
    ("keyboard-wedge scans through X under CPU load (figure 12)", bench_scanner.run),
    ("customer display: a scanned line to the display painted", bench_customer_display.run),
]


def summary_table(figures: list[Figure]) -> str:
    rows = ["| Figure | Measured | Target | Result |", "|---|---:|---:|:---:|"]
    for f in figures:
        target = f"<= {f.target:g} {f.unit}" if f.target is not None else ""
        rows.append(f"| {f.name} | {f.value:.3f} {f.unit} | {target} | {f.verdict if f.target is not None else ''} |")
    return "\n".join(rows)


def main() -> int:
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    info = machine_info()
    print("pos_app benchmarks")
    for key, value in info.items():
        print(f"  {key:<10} {value}")
    started = time.perf_counter()
    figures: list[Figure] = []
    crashed: list[str] = []
    for title, run in BENCHMARKS:
        print(f"\n== {title}", flush=True)
        begin = time.perf_counter()
        try:
            got = run()
        except Exception:
            traceback.print_exc()
            crashed.append(title)
            print(f"   CRASHED after {time.perf_counter() - begin:.1f} s", flush=True)
            continue
        print_figures(title, got)
        print(f"   ({time.perf_counter() - begin:.1f} s)", flush=True)
        figures.extend(got)
    print(f"\n== summary (one run, {time.perf_counter() - started:.0f} s in all)\n")
    print(summary_table(figures))
    judged = [f for f in figures if f.target is not None]
    missed = [f.name for f in judged if f.verdict == "FAIL"]
    print(f"\n{len(judged) - len(missed)} of {len(judged)} targets met" + (f"; missed: {', '.join(missed)}" if missed
                                                                        else ""))
    if crashed:
        print(f"CRASHED: {', '.join(crashed)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
