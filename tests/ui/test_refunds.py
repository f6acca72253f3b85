"""The refunds screen through the real widgets on the demo store: preview before confirming,
partial refund then the rest, and a clawback the balance cannot cover."""

from __future__ import annotations

from typing import Any

from pos_app.core.members import make_card_number
from pos_app.services import catalog, points, sales
from pos_app.ui.app import App
from pos_app.ui.qt import Qt
from pos_app.ui.widgets.refunds import RefundsPage
from tests.ui.test_checkout_flow import login
from tests.ui.test_gifts import assert_fits_1024x768

SILVER_CARD = make_card_number(2)  # 李娜, silver, 8,000 points
NORMAL_CARD = make_card_number(3)  # 王芳, normal, 0 points


def sell(app: App, card: str, points_paid: int = 0) -> str:
    """New earbuds (199.00, flagged new) and a thermos cup (89.00), sold to a member."""
    t = app.terminal
    lines = [catalog.product_by_code(t, code).line(n) for n, code in enumerate(("EARBUD", "CUP"), 1)]
    return sales.record_sale(t, lines=lines, member_ref=card, points=points_paid, staff_code="1001").receipt_no


def open_refunds(qtbot: Any, app: App, receipt: str) -> RefundsPage:
    login(qtbot, app)
    app.window.work.show_page("refunds")  # type: ignore[attr-defined]
    page = app.window.work.pages["refunds"]  # type: ignore[attr-defined]
    assert isinstance(page, RefundsPage) and page.isVisible()
    qtbot.keyClicks(page.receipt_input, receipt)
    qtbot.keyClick(page.receipt_input, Qt.Key.Key_Return)
    return page


def balance(app: App, card: str) -> int:
    return app.terminal.repo.member_by_card(card).balance  # type: ignore[union-attr]


def refunds(app: App) -> list[dict[str, Any]]:
    return app.terminal.repo.rows("SELECT refund_no, refund_fen, clawback_purchase + clawback_bonus clawback,"
                                  " returned_points, shortfall FROM refund ORDER BY id")


def test_partial_refund_then_the_rest_with_the_numbers_shown_before_confirming(qtbot: Any, app: App) -> None:
    # silver 1.2; paid 5,000 points; earned 325 purchase points + 100 first-purchase bonus
    receipt = sell(app, SILVER_CARD, points_paid=5000)
    assert balance(app, SILVER_CARD) == 8000 - 5000 + 425
    page = open_refunds(qtbot, app, receipt)
    assert receipt in page.sale_label.text() and "李娜" in page.sale_label.text()
    assert "5,000 points paid" in page.sale_label.text() and "425 points earned" in page.sale_label.text()
    assert page.table.rowCount() == 2 and page.table.item(0, 0).text() == "1. 新款蓝牙耳机"
    assert not page.confirm_button.isEnabled() and page.money_label.text() == ""

    # Space ticks the current line (the first one after loading)
    qtbot.keyClick(page.table, Qt.Key.Key_Space)
    assert page.vm.selected == {1}
    # the earbuds' share: money 199.00 less their share of the 50.00 paid in points
    assert page.money_label.text() == "¥164.46"
    assert page.clawback_label.text() == "236"  # floor(325 x 23880 / 32780): no bonus until the last line
    assert page.returned_label.text() == "3,454"
    assert page.balance_label.text() == "3,425 → 6,643"
    assert page.shortfall_label.text() == ""
    assert refunds(app) == [] and balance(app, SILVER_CARD) == 3425  # nothing written before confirming

    qtbot.keyClick(page.table, Qt.Key.Key_Return)  # Enter moves to the confirm button ...
    assert page.confirm_button.hasFocus()
    qtbot.keyClick(page.confirm_button, Qt.Key.Key_Return)  # ... and confirms
    assert refunds(app) == [{"refund_no": f"{receipt}-R1", "refund_fen": 16446, "clawback": 236,
                             "returned_points": 3454, "shortfall": 0}]
    assert balance(app, SILVER_CARD) == 6643
    assert f"Refund {receipt}-R1: ¥164.46 back" in page.result_label.text()
    assert "balance 6,643" in page.result_label.text()
    assert page.table.item(0, 3).text() == f"refunded ({receipt}-R1)"
    assert not page.table.item(0, 0).flags() & Qt.ItemFlag.ItemIsUserCheckable
    assert page.vm.selected == set() and not page.confirm_button.isEnabled()

    # the rest: the refund that completes the sale takes back the bonus too
    page.receipt_input.clear()
    qtbot.keyClicks(page.receipt_input, receipt)
    qtbot.keyClick(page.receipt_input, Qt.Key.Key_Return)
    qtbot.mouseClick(page.all_button, Qt.MouseButton.LeftButton)
    assert page.vm.selected == {2}
    assert page.table.item(1, 0).checkState() == Qt.CheckState.Checked
    assert page.money_label.text() == "¥73.54"
    assert page.clawback_label.text() == "189"  # 325 - 236 purchase points + the 100 bonus
    assert page.returned_label.text() == "1,546"
    assert page.balance_label.text() == "6,643 → 8,000"
    qtbot.keyClick(page.table, Qt.Key.Key_F12)
    assert balance(app, SILVER_CARD) == 8000  # exactly where the member started
    assert [r["refund_fen"] for r in refunds(app)] == [16446, 7354]
    assert "refunded entirely" in page.sale_label.text()
    assert not page.all_button.isEnabled()
    # each refund's slip waits in the print queue, written with the refund itself
    jobs = app.terminal.repo.rows("SELECT kind, ref FROM print_job WHERE kind = 'refund' ORDER BY id")
    assert [(j["kind"], j["ref"]) for j in jobs] == [("refund", f"{receipt}-R1"), ("refund", f"{receipt}-R2")]


def test_a_clawback_beyond_the_balance_shows_the_shortfall(qtbot: Any, app: App) -> None:
    receipt = sell(app, NORMAL_CARD)  # 327 purchase points + 100 first-purchase bonus
    for _ in range(3):  # she spends 300 of her 427 points on 1-yuan coupons
        points.redeem_gift(app.terminal, member_ref=NORMAL_CARD, gift_code="G001")
    assert balance(app, NORMAL_CARD) == 127
    page = open_refunds(qtbot, app, receipt)
    page.line_item(1).setCheckState(Qt.CheckState.Checked)  # type: ignore[union-attr]
    assert page.clawback_label.text() == "238" and page.returned_label.text() == "0"
    assert page.money_label.text() == "¥199.00" and page.balance_label.text() == "127 → -111"
    assert page.shortfall_label.text() == (
        "Shortfall: 111 points. The balance will be negative (-111); later earnings pay it off first.")
    assert refunds(app) == []
    qtbot.mouseClick(page.confirm_button, Qt.MouseButton.LeftButton)
    assert refunds(app)[0]["shortfall"] == 111 and balance(app, NORMAL_CARD) == -111
    assert "Shortfall: 111 points could not be taken back; the member owes 111 points." in page.result_label.text()

    # the second line: all of its clawback is short, the debt grows to 300
    page.line_item(2).setCheckState(Qt.CheckState.Checked)  # type: ignore[union-attr]
    assert page.clawback_label.text() == "189" and page.balance_label.text() == "-111 → -300"
    assert page.shortfall_label.text().startswith("Shortfall: 189 points.")
    qtbot.mouseClick(page.confirm_button, Qt.MouseButton.LeftButton)
    assert refunds(app)[1]["shortfall"] == 189 and balance(app, NORMAL_CARD) == -300
    assert "the member owes 300 points" in page.result_label.text()
    assert_fits_1024x768(app, page)


def test_unknown_receipt_untick_and_escape(qtbot: Any, app: App) -> None:
    page = open_refunds(qtbot, app, "S001-T01-09999999")
    assert page.notice.text() == "No sale with this receipt number."
    assert page.vm.sale is None and page.table.rowCount() == 0
    receipt = sell(app, SILVER_CARD)
    page.receipt_input.clear()
    qtbot.keyClicks(page.receipt_input, receipt)
    qtbot.keyClick(page.receipt_input, Qt.Key.Key_Return)
    qtbot.mouseClick(page.all_button, Qt.MouseButton.LeftButton)
    assert page.vm.selected == {1, 2} and page.confirm_button.isEnabled()
    page.line_item(1).setCheckState(Qt.CheckState.Unchecked)  # type: ignore[union-attr]
    assert page.vm.selected == {2} and page.money_label.text() == "¥89.00"
    qtbot.keyClick(page.table, Qt.Key.Key_Escape)
    assert page.vm.sale is None and page.table.rowCount() == 0 and page.money_label.text() == ""
    qtbot.keyClick(page.receipt_input, Qt.Key.Key_F12)  # nothing to refund: a sentence, no refund
    assert page.notice.text() == "Tick the lines to refund first."
    assert refunds(app) == []


def test_refunding_the_whole_sale_gives_the_coupon_back(qtbot: Any, app: App) -> None:
    t = app.terminal
    coupon = points.redeem_gift(t, member_ref=SILVER_CARD, gift_code="G002").coupon_code  # 10 yuan off 50
    assert coupon
    lines = [catalog.product_by_code(t, code).line(n) for n, code in enumerate(("EARBUD", "CUP"), 1)]
    receipt = sales.record_sale(t, lines=lines, member_ref=SILVER_CARD, coupon=coupon, staff_code="1001").receipt_no
    page = open_refunds(qtbot, app, receipt)
    page.line_item(1).setCheckState(Qt.CheckState.Checked)  # type: ignore[union-attr]
    assert page.coupon_label.text() == "none"  # part of the sale: the coupon stays used
    qtbot.mouseClick(page.all_button, Qt.MouseButton.LeftButton)
    assert page.coupon_label.text() == coupon  # the whole sale: shown before confirming
    qtbot.keyClick(page.table, Qt.Key.Key_F12)
    assert f"Coupon {coupon} is the member's again." in page.result_label.text()
    assert t.repo.coupon(coupon)["used_at"] is None  # type: ignore[index]
