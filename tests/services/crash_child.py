"""The child process of test_crash.py: sales (each with its receipt print job queued) and now
and then a full refund, in a loop on a terminal database file, until the parent kills it.

Usage: python crash_child.py DB_PATH SEED

Prints ``READY`` once the database is open, then one line per operation, each written and
flushed only after the operation's transaction committed:

    SALE <receipt_no> <number of lines> <points paid>
    REFUND <receipt_no>
"""

from __future__ import annotations

import random
import sys

from pos_app.core.earning import SaleLine
from pos_app.services import context, sales


def basket(rng: random.Random) -> list[SaleLine]:
    return [
        SaleLine(i, f"SKU{i:03d}", f"商品{i}", rng.choice(["general", "general", "food", "tobacco"]),
                 rng.randint(1, 3), rng.randint(100, 30_000), flags=("new",) if rng.random() < 0.2 else ())
        for i in range(1, rng.randint(1, 3) + 1)
    ]


def main() -> None:
    path, seed = sys.argv[1], int(sys.argv[2])
    rng = random.Random(seed)
    t = context.Terminal.open(path)
    cards: list[str | None] = [r[0] for r in t.database.execute("SELECT card_no FROM member ORDER BY id")]
    cards.append(None)  # an anonymous sale now and then
    print("READY", flush=True)
    while True:
        if rng.random() < 0.1:
            row = t.database.execute(
                "SELECT receipt_no FROM sale s WHERE NOT EXISTS (SELECT 1 FROM refund f WHERE f.sale_id = s.id)"
                " ORDER BY random() LIMIT 1").fetchone()
            if row is not None:
                sales.refund_sale(t, receipt_no=row[0])
                print(f"REFUND {row[0]}", flush=True)
                continue
        card = rng.choice(cards)
        lines = basket(rng)
        pay = 0
        if card is not None and rng.random() < 0.5:
            most = sales.quote_sale(t, lines=lines, member_ref=card).max_points
            if most >= 100:
                pay = rng.randrange(100, most + 1, 100)
        r = sales.record_sale(t, lines=lines, member_ref=card, points=pay, queue_receipt=True)
        print(f"SALE {r.receipt_no} {len(lines)} {pay}", flush=True)


if __name__ == "__main__":
    main()
