"""The headquarters demo (``make hq-demo``): a headquarters database with three stores whose
tills sold for the last 30 days, and console accounts, so a newcomer opens a working console.

Everything goes through the product's real paths: each store's till is a real till database
(``pos_app.services``) that enrolls with a real headquarters (uvicorn on loopback, started here
for the seeding only), sells with the reference program on a clock that walks through the last
30 days, and syncs at the end of each day. Two tills enroll the same phone while offline, so
the reconciliation queue has a duplicate to show.

    python scripts/hq_demo.py --db var/hq-demo.db      # seed (once; a seeded database is kept)

The console accounts share one random password, printed once and kept in
``<db>.password`` (mode 0600) beside the database; nothing is on a command line.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import secrets
import socket
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

STORES = (("S001", "朝阳店"), ("S002", "海淀店"), ("S003", "浦东店"))
ACCOUNTS = (  # login, role, store, name
    ("admin", "admin", None, "总部管理员"),
    ("market", "marketing", None, "市场部小周"),
    ("finance", "finance", None, "财务部老孙"),
    ("manager", "store_manager", "S001", "朝阳店王经理"),
)
DAYS = 30
SALES_PER_DAY = (8, 16)
NEW_MEMBERS_PER_DAY = (1, 4)
# sku, name, category, price (fen), flags
PRODUCTS = (
    ("6901234567892", "全麦面包", "food", 850, ()),
    ("6907992100012", "纯牛奶 250ml", "food", 450, ()),
    ("6921168509256", "矿泉水 550ml", "food", 200, ()),
    ("6970000000017", "新款蓝牙耳机", "electronics", 19900, ("new",)),
    ("6970000000024", "保温杯", "home", 8900, ()),
    ("6901028001236", "香烟", "tobacco", 3000, ()),
)
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = ("伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋",
         "勇", "艳", "杰", "娟", "涛", "明", "超", "秀英", "霞", "平")


class Clock:
    """The tills' clock: walks through the demo's days."""

    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _password_file(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + ".password")


def _write_secret(path: Path, text: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text + "\n")
    path.chmod(0o600)


def prepare(db_url: str, password: str) -> dict[str, str]:
    """Stores, tills, the reference program, the demo campaigns and the console accounts; enrollment
    codes returned."""
    from pos_app.hq import admin, authority, campaigns, staff
    from pos_app.hq import db as hqdb

    database = hqdb.connect(db_url)
    try:
        for store_id, name in STORES:
            admin.create_store(store_id, name, actor="demo")
            admin.create_terminal(f"{store_id}-T1", store_id, actor="demo")
        authority.publish_program((ROOT / "db" / "reference-program.toml").read_text(encoding="utf-8"), actor="demo")
        for path in sorted((ROOT / "db" / "campaigns").glob("*-demo.toml")):
            campaigns.publish_campaign(path.read_text(encoding="utf-8"), actor="demo")
        for login, role, store, name in ACCOUNTS:
            staff.add_staff(login, password, role, name=name, store_id=store, actor="demo")
        return {f"{s}-T1": admin.new_enrollment_code(f"{s}-T1", actor="demo") for s, _ in STORES}
    finally:
        hqdb.close_pool(database)


def is_seeded(db_url: str) -> bool:
    from pos_app.hq import db as hqdb

    database = hqdb.connect(db_url)
    try:
        return hqdb.Staff.select().count() > 0
    finally:
        hqdb.close_pool(database)


def _serve(db_url: str) -> tuple[str, object, threading.Thread]:
    import uvicorn

    from pos_app.hq.app import create_app

    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(db_url), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise SystemExit("the demo headquarters did not start")
        time.sleep(0.05)
    return f"http://127.0.0.1:{port}", server, thread


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


def run_tills(hq_url: str, codes: dict[str, str], till_dir: Path, *, today: dt.date,
              seed: int = 2026) -> dict[str, int]:
    """The stores' last ``DAYS`` days: enrollments, sales with lines, a sync each evening."""
    from pos_app.core.earning import SaleLine
    from pos_app.core.errors import PosError
    from pos_app.core.members import make_card_number
    from pos_app.services import sync as sync_service
    from pos_app.services.context import init_terminal, load_program, reference_program_source
    from pos_app.services.members import enroll_member
    from pos_app.services.points import redeem_gift
    from pos_app.services.sales import record_sale
    from pos_app.services.staff import create_staff

    rng = random.Random(seed)
    start = dt.datetime.combine(today - dt.timedelta(days=DAYS - 1), dt.time(9, 0))
    clock = Clock(start)
    tills = []
    till_dir.mkdir(parents=True, exist_ok=True)
    for number, (store_id, _store_name) in enumerate(STORES):
        terminal_id = f"{store_id}-T1"
        t = init_terminal(till_dir / f"{terminal_id}.db", store_id=store_id, terminal_id=terminal_id, clock=clock)
        load_program(t, reference_program_source())
        create_staff(t, code="1001", name="收银员", role="cashier", pin="1234")
        sync_service.enroll(t, hq_url, codes[terminal_id])
        tills.append((number, t, []))
    serial = 1000
    counts = {"members": 0, "sales": 0, "gifts": 0}
    try:
        for day in range(DAYS):
            for number, t, members in tills:
                clock.now = start + dt.timedelta(days=day)
                for _ in range(rng.randint(*NEW_MEMBERS_PER_DAY)):
                    serial += 1
                    phone = f"13{number}{serial:08d}"[:11]
                    birthday = f"19{rng.randint(60, 99)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
                    m = enroll_member(t, phone=phone, name=_name(rng), card_no=make_card_number(serial),
                                      birthday=birthday, consent=True, staff_code="1001")
                    members.append(m.card_no)
                    counts["members"] += 1
                for _ in range(rng.randint(*SALES_PER_DAY)):
                    clock.now += dt.timedelta(minutes=rng.randint(5, 40))
                    picks = rng.sample(PRODUCTS, rng.randint(1, 3))
                    lines = [SaleLine(i + 1, sku, name, category, rng.randint(1, 3), price, flags=flags)
                             for i, (sku, name, category, price, flags) in enumerate(picks)]
                    member = rng.choice(members) if members and rng.random() < 0.8 else None
                    points = 100 * rng.randint(1, 3) if member and rng.random() < 0.15 else 0
                    try:
                        record_sale(t, lines=lines, member_ref=member, points=points, staff_code="1001")
                    except PosError:  # not enough points, or over the share a sale may be paid with
                        record_sale(t, lines=lines, member_ref=member, staff_code="1001")
                    counts["sales"] += 1
                if members and rng.random() < 0.6:  # a gift from the points mall
                    try:
                        redeem_gift(t, member_ref=rng.choice(members), gift_code=rng.choice(("G001", "G002", "G005")),
                                    staff_code="1001")
                        counts["gifts"] += 1
                    except PosError:
                        pass  # the member has not enough points yet
            if day == DAYS - 2:  # two stores enroll one customer's phone before either syncs
                for _number, t, _members in tills[:2]:
                    serial += 1
                    enroll_member(t, phone="13912345678", name="赵敏", card_no=make_card_number(serial), consent=True,
                                  staff_code="1001")
            for _number, t, _members in tills:
                sync_service.sync_once(t)
        for _number, t, _members in tills:  # the duplicate's flag comes back to both
            sync_service.sync_once(t)
    finally:
        for _number, t, _members in tills:
            t.close()
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default="var/hq-demo.db", help="the demo's SQLite file (default var/hq-demo.db)")
    args = parser.parse_args(argv)
    db_path = Path(args.db).resolve()
    db_path.parent.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("POS_HQ_KEY_FILE", str(db_path.with_name(db_path.name + ".key")))
    db_url = f"sqlite:///{db_path}"
    secret_file = _password_file(db_path)
    if db_path.exists() and is_seeded(db_url):
        print(f"the demo headquarters {db_path} is seeded already; the console password is in {secret_file}")
        return 0
    password = "demo-" + secrets.token_urlsafe(9)
    began = time.monotonic()
    codes = prepare(db_url, password)
    _write_secret(secret_file, password)
    hq_url, server, thread = _serve(db_url)
    try:
        counts = run_tills(hq_url, codes, db_path.with_name(db_path.stem + "-tills"), today=dt.date.today())
    finally:
        server.should_exit = True  # type: ignore[attr-defined]
        thread.join(timeout=30)
    print(f"seeded {db_path}: {len(STORES)} stores, {counts['members']} members, {counts['sales']} sales over"
          f" {DAYS} days, {counts['gifts']} gifts ({time.monotonic() - began:.0f} s)")
    print("console accounts (password below, also in " f"{secret_file}, mode 0600):")
    for login, role, store, _full_name in ACCOUNTS:
        print(f"  {login:<8} {role}{' of ' + store if store else ''}")
    print(f"  password: {password}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
