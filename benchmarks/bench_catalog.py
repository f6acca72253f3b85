"""Figure 19: the product catalogue import (issue 15 item 7): 100,000 products from the ERP's CSV
(GB18030, Chinese headers and names, every barcode with its check digit) imported at a till in
under 30 s; then the same catalogue again with 10 % of the prices changed (the weekly update),
and the dry run of each. The till is a fresh terminal database with the reference program."""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import time

from benchlib import BENCH_DIR, STORE_ID, TERMINAL_ID, Figure, FixedClock, print_figures, remove_database, scaled

from pos_app.core.members import gs1_check_digit
from pos_app.services import context
from pos_app.services.catalog import import_products

TARGET_SECONDS = 30.0
CATEGORIES = ("food", "drink", "home", "electronics", "tobacco", "personal_care", "frozen", "snacks")
WORDS = "全麦面包纯牛奶矿泉水蓝牙耳机保温杯乌龙茶绿茶饼干薯片洗发水牙膏毛巾冰淇淋速冻水饺酸奶果汁"


def catalogue_csv(n: int, *, seed: int, changed_every: int = 0) -> bytes:
    """``n`` products as an ERP exports them; ``changed_every``: every such product costs 1 yuan more."""
    rng = random.Random(seed)
    lines = ["商品编码,条码,商品名称,类别,售价,新品,在售"]
    for i in range(n):
        body = f"69{i:010d}"
        barcode = body + str(gs1_check_digit(body))
        name = "".join(rng.choice(WORDS) for _ in range(rng.randint(3, 8))) + f" {i % 997}g"
        price = 100 + (i * 7919) % 99_900 + (100 if changed_every and i % changed_every == 0 else 0)
        new = "是" if i % 8 == 0 else ""
        lines.append(f"SKU{i:07d},{barcode},{name},{CATEGORIES[i % len(CATEGORIES)]},{price // 100}.{price % 100:02d},"
                     f"{new},是")
    return ("\r\n".join(lines) + "\r\n").encode("gb18030")


def run(n: int | None = None) -> list[Figure]:
    n = n or scaled(100_000, 1000)
    work = BENCH_DIR / "catalog"
    work.mkdir(parents=True, exist_ok=True)
    db = work / "till.db"
    remove_database(db)
    first, second = work / "products.csv", work / "products-update.csv"
    first.write_bytes(catalogue_csv(n, seed=18))
    second.write_bytes(catalogue_csv(n, seed=18, changed_every=10))
    t = context.init_terminal(db, store_id=STORE_ID, terminal_id=TERMINAL_ID,
                              clock=FixedClock(dt.datetime(2026, 12, 4, 10, 0)))
    context.load_program(t, context.reference_program_source())
    figures: list[Figure] = []
    try:
        for label, path, expect in (("first import", first, (n, 0)), ("update, 10 % of prices", second,
                                                                       (0, (n + 9) // 10))):
            start, cpu = time.perf_counter(), time.process_time()
            dry = import_products(t, path, dry_run=True)
            dry_s, dry_cpu = time.perf_counter() - start, time.process_time() - cpu
            start, cpu = time.perf_counter(), time.process_time()
            done = import_products(t, path)
            import_s, import_cpu = time.perf_counter() - start, time.process_time() - cpu
            got = (len(done.plan.added), len(done.plan.changed))
            if (len(dry.plan.added), len(dry.plan.changed)) != got or dry.written:
                raise AssertionError(f"{label}: the dry run said {dry.to_dict()}")
            if got != expect or done.plan.errors or not done.written:
                raise AssertionError(f"{label}: added/changed {got}, expected {expect}; {done.plan.errors[:3]}")
            print(f"   {label}: {n:,} rows ({path.stat().st_size / 1e6:.1f} MB GB18030), added {got[0]:,},"
                  f" changed {got[1]:,}: dry run {dry_s:.2f} s ({dry_cpu:.2f} s CPU), import {import_s:.2f} s"
                  f" ({import_cpu:.2f} s CPU)")
            figures.append(Figure(f"19. {label}: dry run, {n:,} products", dry_s, "s", note=f"CPU {dry_cpu:.2f} s"))
            figures.append(Figure(f"19. {label}: import, {n:,} products", import_s, "s", TARGET_SECONDS,
                                  note=f"CPU {import_cpu:.2f} s"))
        count = t.repo.row("SELECT count(*) n FROM product")
        assert count == {"n": n}, count
    finally:
        t.close()
        remove_database(db)
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--products", type=int, default=None, help="default 100,000 (x POS_BENCH_SCALE)")
    args = parser.parse_args()
    print_figures("product catalogue import", run(args.products))
    return 0


if __name__ == "__main__":
    sys.exit(main())
