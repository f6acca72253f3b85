"""Figures 5-8: the cashier window (Qt, ``QT_QPA_PLATFORM=offscreen``) on a fresh seeded demo database.

5. start: a fresh process runs ``pos_app.ui.app.main(["--db", DB, "--lang", "zh_CN"])`` (what
   ``python -m pos_app.ui.app --db DB --lang zh_CN`` runs) until the login page has painted and the
   event loop is about to block (idle). One launch with no bytecode yet (info), one with the files a
   start reads evicted from the page cache (cold), then the warm launches.
6. member scan -> member panel filled, 7. Complete click -> receipt print job committed,
8. resident memory over 1,000 sales: one child process builds the window the way ``main()`` does,
   starts its workers as ``main()`` does (printer, scanner, automatic backup) with a printer that
   prints every receipt (a file printer in var/bench), logs in and drives it with QTest from inside
   the running event loop (each action starts when the loop is idle, as a cashier's next keypress
   would). It also counts the references to ``None`` and
   ``True`` that PySide6 loses (see ``cushion_singletons``): the figure that says whether the window
   survives a day.

The parent process never imports Qt: every figure is measured in a fresh child, so the memory figure is
the app's own (not the memory left behind by the other benchmarks of ``run_all.py``).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from itertools import pairwise
from pathlib import Path
from typing import Any

from benchlib import BENCH_DIR, REPO_ROOT, STORE_ID, TERMINAL_ID, Figure, Stats, print_figures, remove_database, scaled

# Set before anything imports Qt (only the child processes do; they inherit it, and get it explicitly too).
os.environ["QT_QPA_PLATFORM"] = "offscreen"

DB_NAME = "ui-demo.db"
PYCACHE = BENCH_DIR / "ui-pycache"
LANGUAGE = "zh_CN"
TARGET_START_S = 1.5
TARGET_SCAN_MS = 100.0
TARGET_SALE_MS = 200.0
TARGET_RSS_MB = 250.0
#: "No growth trend": after warm-up, RSS grows by less than this per 100 sales (least-squares slope over
#: the second half of the run). 1 MB per 100 sales would be ~100 MB over a 10,000-sale week.
TARGET_SLOPE_MB = 1.0
#: Demo members (``pos_app.services.demo.DEMO_MEMBERS``: card serial, name) and product barcodes used.
MEMBERS = ((1, "张伟"), (2, "李娜"), (3, "王芳"), (4, "刘洋"))
BASKETS = (
    ("6901234567892", "6907992100012"),                   # bread, milk
    ("6921168509256", "6970000000024", "6901234567892"),  # water, cup, bread
    ("6970000000017", "6907992100012", "6921168509256"),  # earbuds (new), milk, water
)

# ------------------------------------------------------------------------------------------ figure 5 child

#: Run with ``python -c LAUNCH_CHILD DB LANG``. It calls the real ``main()``; the only additions are
#: timestamps: a wrapper around ``build`` (breakdown only) that also puts an event filter on the login page
#: to note its first Paint, and ``aboutToBlock`` of the event dispatcher, which fires when the loop has
#: nothing left to do. At the first idle after that paint it records the time and quits the loop.
LAUNCH_CHILD = r"""
import time
t_interpreter = time.time()
import json, os, sys
launched = float(os.environ["BENCH_UI_LAUNCHED"])
import pos_app.ui.app as app_mod
t_imported = time.time()
from PySide6.QtCore import QAbstractEventDispatcher, QEvent, QObject
from pos_app.ui.qt import QApplication
db, lang = sys.argv[1], sys.argv[2]
sys.argv = [app_mod.__file__]  # as under `python -m pos_app.ui.app`
marks = {"interpreter": t_interpreter, "imported": t_imported}
built = {}
marks_ok = {"login_shown": False, "refs": {}}
real_build = app_mod.build
def build(*args, **kwargs):
    marks["build_start"] = time.time()
    built["app"] = real_build(*args, **kwargs)
    marks["build_end"] = time.time()
    built["app"].window.login.installEventFilter(first_paint)  # only the login page's events pass through
    return built["app"]
app_mod.build = build
qapp = QApplication(sys.argv[:1])  # main() takes this instance: QApplication.instance() or QApplication(...)
marks["qapplication"] = time.time()
class FirstPaint(QObject):
    def eventFilter(self, obj, event):
        if "paint" not in marks and event.type() == QEvent.Type.Paint:
            marks["paint"] = time.time()
        return False
first_paint = FirstPaint()
def idle():
    if "paint" in marks and "idle" not in marks:
        marks["idle"] = time.time()
        window = built["app"].window
        marks_ok["login_shown"] = window.stack.currentWidget() is window.login and window.login.isVisible()
        marks_ok["refs"] = {"None": sys.getrefcount(None), "True": sys.getrefcount(True)}
        qapp.quit()
QAbstractEventDispatcher.instance().aboutToBlock.connect(idle)
code = app_mod.main(["--db", db, "--lang", lang])
window = built["app"].window
status = open("/proc/self/status").read().split("\n")
rss_kb = next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))
maps = sorted({parts[5].strip() for parts in (line.split(None, 5) for line in open("/proc/self/maps"))
               if len(parts) == 6 and parts[5].startswith("/")})
print(json.dumps({
    "exit": code,
    "login_shown": marks_ok["login_shown"],
    "title": window.windowTitle(),
    "rss_mb": rss_kb / 1024,
    "refs": marks_ok["refs"],
    "since_launch": {k: v - launched for k, v in marks.items()},
    "maps": maps,
}))
"""


def _child_env() -> dict[str, str]:
    env = dict(os.environ)
    env["QT_QPA_PLATFORM"] = "offscreen"
    # An installed app runs from bytecode. This tree may be used with PYTHONDONTWRITEBYTECODE=1 (then every
    # start compiles all of pos_app from source): the children write and read their bytecode in var/bench.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(PYCACHE)
    # main() sets up a rotating log under platformdirs' user_log_dir, the automatic backup goes to the
    # user data directory, python-escpos's capabilities to the cache: all in var/bench, not in $HOME
    env["XDG_STATE_HOME"] = str(BENCH_DIR / "ui-state")
    env["XDG_DATA_HOME"] = str(BENCH_DIR / "ui-data")
    env["XDG_CACHE_HOME"] = str(BENCH_DIR / "ui-cache")
    env.pop("POS_APP_HOME", None)
    env.pop("BENCH_UI_LAUNCHED", None)
    return env


def launch(db: Path) -> dict[str, Any]:
    env = _child_env()
    launched = time.time()
    env["BENCH_UI_LAUNCHED"] = repr(launched)
    proc = subprocess.run([sys.executable, "-c", LAUNCH_CHILD, str(db), LANGUAGE], cwd=REPO_ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    if proc.returncode != 0 or not proc.stdout.strip():
        raise RuntimeError(f"launch child failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    if not result["login_shown"] or "idle" not in result["since_launch"]:
        raise RuntimeError(f"the login page was not shown and idle: {result['since_launch']}")
    return result


def evict_from_page_cache(paths: list[Path]) -> tuple[int, int]:
    """``posix_fadvise(DONTNEED)`` on every file: their clean pages leave the page cache (no root, nothing
    else on the machine is touched). Pages still mapped by a running process stay (e.g. libc)."""
    files = size = 0
    seen: set[Path] = set()

    def one(p: Path) -> None:
        nonlocal files, size
        try:
            real = p.resolve()
            if real in seen or not real.is_file():
                return
            seen.add(real)
            fd = os.open(real, os.O_RDONLY)
        except OSError:
            return
        try:
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
            files += 1
            size += os.fstat(fd).st_size
        finally:
            os.close(fd)

    for path in paths:
        if path.is_dir():
            for root, _dirs, names in os.walk(path):
                for name in names:
                    one(Path(root) / name)
        else:
            one(path)
    return files, size


def _startup_files(maps: list[str], db: Path) -> list[Path]:
    """What a launch reads: every file it had mapped (Qt, plugins, fonts, shared libraries), the Python
    trees it imports from (stdlib, the venv, pos_app with its bytecode), resources, fontconfig, the db."""
    py = f"python{sys.version_info.major}.{sys.version_info.minor}"
    trees = [PYCACHE, Path(sys.base_prefix) / "lib" / py, Path(sys.prefix) / "lib" / py / "site-packages",
             REPO_ROOT / "pos_app", REPO_ROOT / "resources", Path("/etc/fonts"), Path("/var/cache/fontconfig"),
             Path("/usr/share/fonts")]
    dbs = [Path(f"{db}{suffix}") for suffix in ("", "-wal", "-shm")]
    return [Path(m) for m in maps] + [t for t in trees if t.exists()] + dbs


# ------------------------------------------------------------------------------------------ figures 6-8 child


#: See ``cushion_singletons``. Set BENCH_UI_NO_CUSHION=1 to watch the window abort instead.
CUSHION = 1 << 40
SINGLETONS = (("None", None), ("True", True), ("False", False))


def cushion_singletons() -> int:
    """PySide6-Essentials 6.12.0 on CPython 3.11 drops one reference to ``None`` on every call of a void
    Qt method (``setText``, ``setItem``, ``hide``...) and one to ``True`` on every ``Signal.emit()`` (6.11.3
    does not). Once a count reaches zero the interpreter aborts ("Fatal Python error: none_dealloc"): the
    window dies within its first hundred sales. To measure the other figures anyway, the session child adds
    2**40 to the reference counts of these three static singletons (they are never freed: no memory and
    no time changes); the losses are still counted and reported. Python 3.12+ makes them immortal."""
    if os.environ.get("BENCH_UI_NO_CUSHION") or sys.version_info >= (3, 12):
        return 0
    import ctypes

    for _name, obj in SINGLETONS:
        ctypes.c_ssize_t.from_address(id(obj)).value += CUSHION  # ob_refcnt, the first field of PyObject
    return CUSHION


def singleton_refs(cushion: int) -> dict[str, int]:
    return {name: sys.getrefcount(obj) - cushion for name, obj in SINGLETONS}


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


def session_child(db: Path, scans: int, sales: int) -> dict[str, Any]:
    """Figures 6-8 in this (fresh) process: the window of ``main()``, driven from inside its event loop."""
    import sqlite3

    from PySide6.QtCore import QAbstractEventDispatcher
    from PySide6.QtTest import QTest

    from pos_app.core.members import make_card_number
    from pos_app.services.context import Terminal
    from pos_app.services.settings import save_settings
    from pos_app.storage.paths import data_root
    from pos_app.ui.app import build, install_translator
    from pos_app.ui.qt import QApplication, Qt, QTimer

    perf = time.perf_counter_ns
    cushion = cushion_singletons()
    # the steps of main() with --lang zh_CN (without its log file): Terminal.open, translator, style sheet,
    # build, show
    qapp = QApplication.instance() or QApplication([sys.argv[0]])
    assert isinstance(qapp, QApplication)
    terminal = Terminal.open(db)
    # a printer that takes every receipt (the worker prints each one after its sale, as at a till)
    save_settings(terminal, {"printer.connection": "file", "printer.file": str(BENCH_DIR / "ui-printer.bin")})
    install_translator(qapp, LANGUAGE)
    style = data_root() / "resources" / "style.qss"
    if style.exists():
        qapp.setStyleSheet(style.read_text(encoding="utf-8"))
    app = build(terminal, language=LANGUAGE)
    window: Any = app.window
    window.show()
    # the workers main() starts (sync only on a till enrolled with headquarters: not this one)
    for worker in (app.scanner, app.printer, app.sync, app.backup):
        if worker is not None:
            worker.start()
    page = window.work.pages["checkout"]
    reader = sqlite3.connect(f"file:{db}?mode=ro", uri=True)  # another connection, as a printer worker would
    members = [(make_card_number(serial), name) for serial, name in MEMBERS]
    out: dict[str, Any] = {"scan_filled_ns": [], "scan_idle_ns": [], "sale_queued_ns": [], "sale_idle_ns": [],
                           "sale_scan_ns": [], "rss": [], "refs": [], "rss_start": rss_mb(), "cushion": cushion}
    every = max(1, sales // 10)

    def say(text: str) -> None:
        print(f"   [ui session +{time.perf_counter() - started:5.1f}s] {text}", flush=True)

    def enter(widget: Any, text: str) -> None:
        widget.setText(text)
        QTest.keyClick(widget, Qt.Key.Key_Return)

    class Driver:
        """Runs one step of ``script`` each time the event loop is about to block (idle)."""

        def __init__(self, script: Iterator[None]) -> None:
            self.script = script
            self.pending = False
            self.done = False
            self.idle_ns = 0
            self.error: BaseException | None = None
            QAbstractEventDispatcher.instance().aboutToBlock.connect(self.idle)

        def idle(self) -> None:
            self.idle_ns = perf()
            if not self.pending and not self.done:
                self.pending = True
                QTimer.singleShot(0, self.step)

        def step(self) -> None:
            self.pending = False
            try:
                next(self.script)
            except StopIteration:
                self.done = True
                qapp.quit()
            except BaseException as exc:  # a slot must not raise: hand it to the caller
                self.error = exc
                self.done = True
                qapp.quit()

    def script() -> Iterator[None]:
        login = window.login
        QTest.keyClicks(login.code_input, "1001")
        QTest.keyClick(login.code_input, Qt.Key.Key_Return)
        QTest.keyClicks(login.pin_input, "1234")
        QTest.keyClick(login.pin_input, Qt.Key.Key_Return)
        yield
        if window.stack.currentWidget() is not window.work or app.session.shift is None:
            raise RuntimeError("login failed")
        out["rss_logged_in"] = rss_mb()
        out["refs_logged_in"] = singleton_refs(cushion)
        # figure 6: scans alternating over the four demo members, empty basket
        for i in range(scans + 20):
            card, name = members[i % len(members)]
            page.member_input.setText(card)
            start = perf()
            QTest.keyClick(page.member_input, Qt.Key.Key_Return)
            filled = name in page.member_label.text()
            end = perf()
            if not filled:
                raise RuntimeError(f"scan {card}: member label says {page.member_label.text()!r}")
            yield
            if i >= 20:  # the first 20 are warm-up
                out["scan_filled_ns"].append(end - start)
                out["scan_idle_ns"].append(driver.idle_ns - start)
        out["refs_after_scans"] = singleton_refs(cushion)
        app.checkout.clear_member()
        yield
        say(f"{scans} scans done, {sales} sales to go")
        out["refs_sales_start"] = singleton_refs(cushion)
        out["refs"].append((0, out["refs_sales_start"]))
        # figures 7 and 8: member, 2-3 products, Complete; RSS every `every` sales
        out["rss"].append((0, rss_mb()))
        for s in range(sales):
            card, name = members[s % len(members)]
            page.member_input.setText(card)
            start = perf()
            QTest.keyClick(page.member_input, Qt.Key.Key_Return)
            out["sale_scan_ns"].append(perf() - start)
            if name not in page.member_label.text():
                raise RuntimeError(f"sale {s}: member {card} not shown")
            yield
            for code in BASKETS[s % len(BASKETS)]:
                enter(page.code_input, code)
                yield
            if page.basket.rowCount() != len(BASKETS[s % len(BASKETS)]):
                raise RuntimeError(f"sale {s}: basket has {page.basket.rowCount()} lines")
            before = app.checkout.last_sale
            start = perf()
            QTest.mouseClick(page.complete_button, Qt.MouseButton.LeftButton)
            sale = app.checkout.last_sale
            job = (reader.execute("SELECT id FROM print_job WHERE kind = 'receipt' AND ref = ?",
                                  (sale.receipt_no,)).fetchone() if sale is not None and sale is not before else None)
            end = perf()
            if job is None:
                raise RuntimeError(f"sale {s}: no sale or no queued receipt ({page.notice.text()!r})")
            yield
            out["sale_queued_ns"].append(end - start)
            out["sale_idle_ns"].append(driver.idle_ns - start)
            if (s + 1) % every == 0:
                out["rss"].append((s + 1, rss_mb()))
                refs = singleton_refs(cushion)
                out["refs"].append((s + 1, refs))
                say(f"{s + 1} sales, RSS {out['rss'][-1][1]:.1f} MB, references: None {refs['None']:,}, "
                    f"True {refs['True']:,}")
        out["refs_sales_end"] = singleton_refs(cushion)

    started = time.perf_counter()
    driver = Driver(script())
    qapp.exec()
    if driver.error is not None:
        raise driver.error
    out["seconds"] = time.perf_counter() - started
    app.stop_devices()
    out["rows"] = {table: reader.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
                   for table in ("sale", "print_job", "lot", "ledger_entry", "outbox")}
    out["printed"] = reader.execute("SELECT count(*) FROM print_job WHERE status = 'printed'").fetchone()[0]
    out["modules"] = sorted(m for m in ("httpx", "cv2", "numpy", "zxingcpp", "pyzbar", "escpos") if m in sys.modules)
    reader.close()
    window.close()
    terminal.close()
    return out


# ------------------------------------------------------------------------------------------ parent


def session(db: Path, scans: int, sales: int) -> dict[str, Any]:
    """Runs the session child, echoing its progress; its last line is the JSON result."""
    proc = subprocess.Popen([sys.executable, str(Path(__file__).resolve()), "--session", str(db), str(scans),
                             str(sales)], cwd=REPO_ROOT, env=_child_env(), stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    last = ""
    for line in proc.stdout:
        if line.startswith("{"):
            last = line
        else:
            print(line, end="", flush=True)
    code = proc.wait()
    if code != 0 or not last:
        raise RuntimeError(f"session child failed with exit status {code} (after the progress shown above)")
    result: dict[str, Any] = json.loads(last)
    return result


def seed_database() -> Path:
    from pos_app.services import context, demo

    db = BENCH_DIR / DB_NAME
    remove_database(db)
    t = context.init_terminal(db, store_id=STORE_ID, terminal_id=TERMINAL_ID)
    try:
        demo.seed_demo(t)
    finally:
        t.close()
    return db


def sales_until_zero(initial: int, samples: list[tuple[int, int]]) -> float | None:
    """After how many sales a count that starts at ``initial`` and loses what ``samples`` (sales done,
    count) lost reaches zero: interpolated inside the run, else extrapolated at the second half's rate."""
    if len(samples) < 2 or samples[-1][1] >= samples[0][1]:
        return None
    base = samples[0][1]
    for (n0, c0), (n1, c1) in pairwise(samples):
        left0, left1 = initial - (base - c0), initial - (base - c1)
        if left1 <= 0 < left0:
            return n0 + (n1 - n0) * left0 / (left0 - left1)
    half = [p for p in samples if p[0] >= samples[-1][0] // 2]
    rate = (half[0][1] - half[-1][1]) / max(1, half[-1][0] - half[0][0])
    left = initial - (base - samples[-1][1])
    return samples[-1][0] + left / rate if rate > 0 else None


def slope(points: list[tuple[int, float]]) -> float:
    """Least-squares slope of (sales, MB) in MB per 100 sales."""
    n = len(points)
    mx = sum(x for x, _ in points) / n
    my = sum(y for _, y in points) / n
    sxx = sum((x - mx) ** 2 for x, _ in points)
    return 100 * sum((x - mx) * (y - my) for x, y in points) / sxx if sxx else 0.0


def run() -> list[Figure]:
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    launches = scaled(10, 2)
    scans = scaled(500, 20)
    sales = scaled(1000, 20)
    qm = REPO_ROOT / "resources" / "translations" / f"pos_app_{LANGUAGE}.qm"
    if not qm.exists():
        print(f"   WARNING: {qm.relative_to(REPO_ROOT)} is missing (run `make translations`): the window "
              "starts in English")
    db = seed_database()
    print(f"   fresh seeded demo database {db.relative_to(REPO_ROOT)}")

    # figure 5: a first launch with no bytecode (it writes it, and lists what a start maps); evict all that
    # from the page cache; then the cold launch; then the warm ones
    shutil.rmtree(PYCACHE, ignore_errors=True)
    probe = launch(db)
    files, size = evict_from_page_cache(_startup_files(probe["maps"], db))
    print(f"   evicted {files:,} files ({size / 1e6:,.0f} MB) from the page cache before the first launch")
    first = launch(db)
    warm = [launch(db) for _ in range(launches)]
    keys = ("interpreter", "imported", "qapplication", "build_start", "build_end", "paint", "idle")
    print("   launch  " + "  ".join(f"{k:>12}" for k in keys) + "   (s since the parent launched the process)")
    for label, r in [("no .pyc", probe), ("cold", first)] + [(f"warm {i + 1}", r) for i, r in enumerate(warm)]:
        print(f"   {label:<7} " + "  ".join(f"{r['since_launch'][k]:12.3f}" for k in keys))
    idle = sorted(r["since_launch"]["idle"] for r in warm)
    start_median = idle[len(idle) // 2] if len(idle) % 2 else (idle[len(idle) // 2 - 1] + idle[len(idle) // 2]) / 2

    def phase(a: str, b: str) -> float:
        values = sorted(r["since_launch"][b] - r["since_launch"][a] for r in warm)
        return values[len(values) // 2]

    interpreter = sorted(r["since_launch"]["interpreter"] for r in warm)[len(warm) // 2]
    print(f"   warm median phases: interpreter up {interpreter:.3f} s, "
          f"imports {phase('interpreter', 'imported'):.3f} s, QApplication {phase('imported', 'qapplication'):.3f} s, "
          f"Terminal.open+translator+style {phase('qapplication', 'build_start'):.3f} s, "
          f"build {phase('build_start', 'build_end'):.3f} s, show to first paint {phase('build_end', 'paint'):.3f} s, "
          f"paint to idle {phase('paint', 'idle'):.3f} s")
    print(f"   RSS of the idle login window: {sorted(r['rss_mb'] for r in warm)[len(warm) // 2]:.1f} MB (median)")

    # figures 6-8 in one fresh process
    print(f"   session child: {scans} scans, then {sales} sales", flush=True)
    s = session(db, scans, sales)
    scan, scan_idle = Stats.of_ns(s["scan_filled_ns"]), Stats.of_ns(s["scan_idle_ns"])
    sale, sale_idle = Stats.of_ns(s["sale_queued_ns"]), Stats.of_ns(s["sale_idle_ns"])
    sale_scan = Stats.of_ns(s["sale_scan_ns"])
    tail = max(1, len(s["sale_queued_ns"]) // 10)
    first_part, last_part = Stats.of_ns(s["sale_queued_ns"][:tail]), Stats.of_ns(s["sale_queued_ns"][-tail:])
    samples = [(int(n), float(mb)) for n, mb in s["rss"]]
    second_half = [(n, mb) for n, mb in samples if n >= sales // 2]
    growth = slope(second_half)
    final_rss = samples[-1][1]
    print(f"   session: {s['seconds']:.1f} s; rows at the end: {s['rows']}; receipts printed: {s['printed']}; "
          f"loaded of httpx, cv2, numpy, zxingcpp, pyzbar, escpos: {s['modules']}")
    print(f"   scan -> member panel filled:          {scan.text()}")
    print(f"   scan -> panel painted, loop idle:     {scan_idle.text()}")
    print(f"   scan at each sale's start (empty):    {sale_scan.text()}")
    print(f"   Complete -> receipt job committed:    {sale.text()}")
    print(f"   Complete -> screen reset, loop idle:  {sale_idle.text()}")
    print(f"   Complete -> job, first {tail} sales: median {first_part.median:.3f} ms; "
          f"last {tail}: median {last_part.median:.3f} ms")
    print(f"   scan at a sale's start, first {tail}: median {Stats.of_ns(s['sale_scan_ns'][:tail]).median:.3f} ms; "
          f"last {tail}: median {Stats.of_ns(s['sale_scan_ns'][-tail:]).median:.3f} ms")
    print(f"   RSS: started {s['rss_start']:.1f} MB, logged in {s['rss_logged_in']:.1f} MB; after N sales:")
    print("   " + "  ".join(f"{n}: {mb:.1f}" for n, mb in samples))
    print(f"   slope over sales {second_half[0][0]}-{second_half[-1][0]}: {growth:+.3f} MB per 100 sales "
          f"(no growth trend if < {TARGET_SLOPE_MB:g})")
    lost = {k: (s["refs_sales_start"][k] - s["refs_sales_end"][k]) / sales for k in ("None", "True")}
    at_login = {k: sorted(r["refs"][k] for r in warm)[len(warm) // 2] for k in ("None", "True")}
    print(f"   references lost per sale: None {lost['None']:.1f}, True {lost['True']:.1f}; per scan: None "
          f"{(s['refs_logged_in']['None'] - s['refs_after_scans']['None']) / (scans + 20):.1f}, True "
          f"{(s['refs_logged_in']['True'] - s['refs_after_scans']['True']) / (scans + 20):.1f}")
    abort_note = ""
    abort = {k: sales_until_zero(at_login[k], [(n, refs[k]) for n, refs in s["refs"]]) for k in at_login}
    if any(v is not None for v in abort.values()):
        name, after = min(((k, v) for k, v in abort.items() if v is not None), key=lambda kv: kv[1])
        abort_note = f"no cushion: {name} runs out, abort after ~{after:,.0f} sales"
        print(f"   at the idle login window None has {at_login['None']:,} references, True {at_login['True']:,}; "
              f"at the losses measured here the window aborts after about {after:,.0f} sales ({name} first; "
              "measured with a cushion of 2**40 references, see cushion_singletons)")
    return [
        Figure("5. (start with no bytecode yet, compiles all)", probe["since_launch"]["idle"], "s"),
        Figure("5. start to idle login, first (cold cache)", first["since_launch"]["idle"], "s", TARGET_START_S),
        Figure(f"5. start to idle login, median of {len(warm)}", start_median, "s", TARGET_START_S),
        Figure(f"5. start to idle login, max of {len(warm)}", idle[-1], "s", TARGET_START_S),
        Figure("6. member scan to panel filled, median", scan.median, "ms", TARGET_SCAN_MS),
        Figure("6. member scan to panel filled, p99", scan.p99, "ms", TARGET_SCAN_MS),
        Figure("6. (scan to panel painted, loop idle, p99)", scan_idle.p99, "ms"),
        Figure("6. (scan at a sale's start, empty panel, p99)", sale_scan.p99, "ms"),
        Figure("7. Complete to receipt job queued, median", sale.median, "ms", TARGET_SALE_MS),
        Figure("7. Complete to receipt job queued, p99", sale.p99, "ms", TARGET_SALE_MS),
        Figure("7. (Complete to screen reset, loop idle, p99)", sale_idle.p99, "ms"),
        Figure(f"8. RSS after {sales} sales", final_rss, "MB", TARGET_RSS_MB),
        Figure("8. RSS slope, 2nd half, MB per 100 sales", growth, "MB", TARGET_SLOPE_MB),
        Figure("8. references to None lost per sale", lost["None"], "", 0.0, abort_note),
    ]


def main() -> int:
    if len(sys.argv) == 5 and sys.argv[1] == "--session":
        result = session_child(Path(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]))
        print(json.dumps(result))
        return 0
    print_figures("ui", run())
    return 0


if __name__ == "__main__":
    sys.exit(main())
