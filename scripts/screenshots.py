"""Screenshots of every main screen, for docs/screenshots (run under Xvfb by `make screenshots`).

    python scripts/screenshots.py --lang zh_CN --out docs/screenshots

Builds a fresh demo store in a temporary directory, drives the real window through its
view-models into a typical state per screen, and saves ``<lang>-<screen>.png`` at 1024x768.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pos_app.core.members import make_card_number  # noqa: E402
from pos_app.core.money import format_fen  # noqa: E402
from pos_app.services import context, demo, sales, settings  # noqa: E402
from pos_app.storage.paths import data_root  # noqa: E402
from pos_app.ui.app import build, install_translator  # noqa: E402
from pos_app.ui.qt import QApplication  # noqa: E402
from pos_app.ui.workers import ImmediatePool  # noqa: E402

SIZE = (1024, 768)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lang", default="zh_CN", choices=("zh_CN", "en"))
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    qapp = QApplication(sys.argv[:1])
    install_translator(qapp, args.lang)
    qapp.setStyleSheet((data_root() / "resources" / "style.qss").read_text(encoding="utf-8"))
    tmp = Path(tempfile.mkdtemp(prefix="pos-shots-"))
    now = dt.datetime.now().replace(microsecond=0, second=0)
    clock = lambda: now  # noqa: E731 - a fixed clock: every run shows the same figures
    t = context.init_terminal(tmp / "demo.db", store_id="S001", terminal_id="T01", clock=clock)
    demo.seed_demo(t)
    gold, silver = make_card_number(1), make_card_number(2)
    # a little history so that members, refunds and reports have something to show
    for days, card, lines in ((20, gold, [("EARBUD", 1)]), (12, silver, [("CUP", 2), ("BREAD", 3)]),
                              (5, gold, [("MILK", 6), ("WATER", 4)]), (1, silver, [("EARBUD", 1)])):
        from pos_app.services import catalog

        basket = [catalog.product_by_code(t, sku).line(i + 1, qty) for i, (sku, qty) in enumerate(lines)]
        sales.record_sale(t, lines=basket, member_ref=card, at=now - dt.timedelta(days=days), staff_code="1001")
    last = sales.record_sale(t, lines=[catalog.product_by_code(t, "CUP").line(1), catalog.product_by_code(
        t, "BREAD").line(2, 2)], member_ref=gold, points=2000, staff_code="1001")
    # the customer display as a window beside the till's (no second screen under Xvfb), with its QR code
    settings.save_settings(t, {"display.mode": "window", "display.enrol_url": "https://m.example.com/join?store=S001"})
    app = build(t, pool=ImmediatePool(), language=args.lang)
    w = app.window
    w.resize(*SIZE)  # type: ignore[attr-defined]
    w.show()  # type: ignore[attr-defined]

    def shot(name: str) -> None:
        for _ in range(3):
            qapp.processEvents()
        path = out / f"{args.lang}-{name}.png"
        w.grab().save(str(path))  # type: ignore[attr-defined]
        print(path)

    shot("login")
    app.session.login("9001", "9999")  # the manager sees every screen
    work = w.work  # type: ignore[attr-defined]
    co = app.checkout
    co.identify(gold)
    co.add_code("6970000000017")
    co.add_code("6901234567892")
    co.add_code("6901028001236")
    co.set_points(5000)
    work.show_page("checkout")
    shot("checkout")
    display = app.display
    assert display is not None

    def display_shot(name: str) -> None:
        display.resize(*SIZE)
        for _ in range(3):
            qapp.processEvents()
        path = out / f"{args.lang}-{name}.png"
        display.grab().save(str(path))
        print(path)

    co.reset()  # a member a gift away (李娜, silver, 8,000 points): the display's nudge shows
    co.identify(silver)
    co.add_code("6970000000017")
    co.add_code("6901234567892")
    co.add_code("6907992100012")
    display_shot("display-sale")
    co.reset()  # between customers: the enrolment QR code and the promotions
    display_shot("display-idle")
    display.close()
    members_page = work.pages["members"]
    work.show_page("members")
    if members_page.vm.search("13800138000") and members_page.vm.member is None:
        members_page.vm.open(members_page.vm.results[0].id)
    shot("members")
    gifts_page = work.pages["gifts"]
    work.show_page("gifts")
    gifts_page.vm.identify(silver)
    shot("gifts")
    refunds_page = work.pages["refunds"]
    work.show_page("refunds")
    refunds_page.vm.load(last.receipt_no)
    refunds_page.vm.set_line(1, True)
    shot("refunds")
    preview = refunds_page.preview_receipt()  # the receipt as the printer prints it
    if preview is not None:
        for _ in range(3):
            qapp.processEvents()
        path = out / f"{args.lang}-receipt.png"
        preview.grab().save(str(path))
        print(path)
        preview.close()
    work.show_page("adjustments")
    shot("adjustments")
    work.show_page("reports")
    shot("reports")
    reports_page = work.pages["reports"]  # the store report over a month, per cashier
    reports_page.from_input.setText((now.date() - dt.timedelta(days=30)).isoformat())
    reports_page.to_input.setText(now.date().isoformat())
    reports_page._show_store_report()
    shot("store-report")
    work.show_page("settings")
    shot("settings")
    work.show_page("staff")
    shot("staff")
    # the cash-up that closes the shift: the expected takings per payment kind, the counted cash
    if app.session.shift is None:
        app.session.open_shift()
    w.open_cash_up()  # type: ignore[attr-defined]
    dialog = w.cash_up_dialog  # type: ignore[attr-defined]
    if dialog is not None:
        expected = int(dialog.expected.get("cash", 0))
        dialog.counted_input.setText(format_fen(expected - 1000))  # ten yuan short
        for _ in range(3):
            qapp.processEvents()
        path = out / f"{args.lang}-cash-up.png"
        dialog.grab().save(str(path))
        print(path)
        dialog.reject()
    t.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
