"""A whole shift at a real counter (issue 15): the real window on a real X server (Xvfb), every
key from xdotool as a cashier's keyboard and a wedge scanner send them (one xdotool call per
scan), nothing touched through Qt. The login; five sales, with split tenders and change; one sale
suspended while the next customer is served, then resumed; a refund back to the sale's own
tenders; a gift asked about, kept (Esc), redeemed, then cancelled; the cash-up with a counted
difference.
The till's database is read back at the end: what a customer and the cash drawer saw is what was
written."""

from __future__ import annotations

import json
from pathlib import Path

from pos_app.core.members import make_card_number
from tests.ui.realx import real_window, wait_for

BREAD, CUP, EARBUDS = "6901234567892", "6970000000024", "6970000000017"  # 8.50, 89.00, 199.00 (new: x1.2)


def test_a_whole_shift_by_keyboard_and_scanner_on_a_real_x_server(tmp_path: Path) -> None:
    with real_window(tmp_path) as till:
        def sales() -> list[tuple[object, ...]]:
            return till.rows("SELECT receipt_no, total_fen, tender_kind, change_fen FROM sale ORDER BY id")

        def paid(ctrl_digit: str, amount: str) -> None:
            """Ctrl+1..4 (cash, card, WeChat Pay, Alipay) puts the cursor in the amount handed over."""
            till.key(f"ctrl+{ctrl_digit}")
            till.type(amount)
            till.key("Return")

        def complete(count: int) -> None:
            wait_for("the window to have the keyboard focus", till.focused)
            till.key("F12")
            wait_for(f"sale {count}", lambda: len(sales()) == count)

        def scanned(code: str, lines: int) -> None:
            till.scan(code)
            wait_for(f"{code} in the basket", lambda: len(till.log_lines("scan read: product")) == lines)

        till.login("1001", "1234")
        wait_for("the shift to open at login", lambda: till.rows("SELECT id FROM shift WHERE closed_at IS NULL"))
        wait_for("the window to have the keyboard focus", till.focused)

        # 1. a member's bread, paid in cash: 20.00 handed over, 11.50 change
        till.scan(make_card_number(1))
        wait_for("the card scan", lambda: till.log_lines("scan read: member_card"))
        scanned(BREAD, 1)
        paid("1", "20")
        complete(1)
        # 2. a cup, 89.00: 50.00 by bank card and 50.00 in cash, 11.00 change
        scanned(CUP, 2)
        paid("2", "50")
        paid("1", "50")
        complete(2)
        # 3. earbuds, 199.00, suspended (Ctrl+H) while the next customer is served ...
        scanned(EARBUDS, 3)
        till.key("ctrl+h")
        wait_for("the basket put aside", lambda: till.rows("SELECT id FROM suspended_sale"))
        # 4. ... who pays their bread exactly (F12 alone: the amount due in cash)
        scanned(BREAD, 4)
        complete(3)
        # 5. the earbuds taken back (Ctrl+U, Enter): 100.00 by WeChat Pay and 100.00 in cash, 1.00 change
        till.key("ctrl+u")
        wait_for("the suspended sales list", lambda: till.log_lines("suspended sales shown"))
        till.key("Return")
        wait_for("the basket resumed", lambda: not till.rows("SELECT id FROM suspended_sale"))
        # the list was a window of its own: with no window manager here, nobody gives the keyboard
        # back to the main window when it closes (a desktop's window manager does)
        wait_for("the window to have the keyboard focus", till.focused)
        paid("3", "100")
        paid("1", "100")
        complete(4)
        # 6. two breads, 17.00: 10.00 by Alipay and 10.00 in cash, 3.00 change
        scanned(BREAD, 5)
        scanned(BREAD, 6)
        paid("4", "10")
        paid("1", "10")
        complete(5)

        # 7. the cup's sale refunded (F7, its receipt scanned, Space ticks the line, F12): the money
        # goes back to its own tenders, 50.00 to the card and 39.00 in cash
        cup_receipt = str(sales()[1][0])
        till.key("F7")
        wait_for("the refunds screen", lambda: till.log_lines("screen shown: refunds"))
        till.scan(cup_receipt)
        wait_for("the receipt scan", lambda: till.log_lines("scan read: receipt"))
        wait_for("the window to have the keyboard focus", till.focused)
        till.key("space")
        till.key("F12")
        wait_for("the refund", lambda: till.rows("SELECT refund_no FROM refund"))

        # 8. a gift (F6): the member's card scanned, the thermos cup chosen (the fifth gift: 2,000
        # points and 19.90 in cash), Enter asks first; Esc keeps the points, Enter again and Enter
        # on the question redeems it; then Ctrl+Z cancels it with a reason (the points and the
        # cash go back)
        till.key("F6")
        wait_for("the gifts screen", lambda: till.log_lines("screen shown: gifts"))
        till.scan(make_card_number(1))
        wait_for("the card scan on the gifts screen", lambda: till.log_lines("scan read: member_card, 13 characters, "
                                                                              "on the gifts"))
        wait_for("the window to have the keyboard focus", till.focused)
        till.key("Down", "Down", "Down", "Down", "Return")
        wait_for("the question", lambda: till.log_lines("gift question shown: G005"))
        till.key("Escape")
        wait_for("the window to have the keyboard focus", till.focused)
        till.key("Return")
        wait_for("the question again", lambda: len(till.log_lines("gift question shown: G005")) == 2)
        till.key("Return")
        wait_for("the redemption", lambda: till.rows("SELECT redemption_no FROM redemption"))
        wait_for("the window to have the keyboard focus", till.focused)
        till.key("ctrl+z")
        wait_for("the reason asked", lambda: till.log_lines("gift cancel asked"))
        till.type("changed mind")
        till.key("Return")
        wait_for("the cancellation", lambda: till.rows("SELECT 1 FROM redemption WHERE cancelled_at IS NOT NULL"))

        # 9. the cash-up (Ctrl+F12): the drawer should hold the float (0) + 8.50 + 39.00 + 8.50 + 99.00
        # + 7.00 - 39.00 refunded = 123.00; the cashier counts 122.50 (0.50 short) and closes the shift
        wait_for("the window to have the keyboard focus", till.focused)
        till.key("ctrl+F12")
        wait_for("the cash-up", lambda: till.log_lines("cash-up shown for shift"))
        till.type("122.50")
        till.key("Return")
        wait_for("the shift closed", lambda: till.rows("SELECT id FROM shift WHERE closed_at IS NOT NULL"))

        # the database read back
        assert [(total, kind, change) for _no, total, kind, change in sales()] == [
            (850, "cash", 1150), (8900, "split", 1100), (850, "cash", 0), (19900, "split", 100),
            (1700, "split", 300)]
        tenders = till.rows("""SELECT s.total_fen, t.kind, t.amount_fen, t.given_fen FROM sale_tender t
                               JOIN sale s ON s.id = t.sale_id ORDER BY s.id, t.seq""")
        assert tenders == [
            (850, "cash", 850, 2000),
            (8900, "cash", 3900, 5000), (8900, "card", 5000, 5000),
            (850, "cash", 850, 850),
            (19900, "cash", 9900, 10000), (19900, "wechat", 10000, 10000),
            (1700, "cash", 700, 1000), (1700, "alipay", 1000, 1000)]
        assert till.rows("SELECT r.refund_fen FROM refund r") == [(8900,)]
        assert sorted(till.rows("SELECT kind, amount_fen FROM refund_tender")) == [("card", 5000), ("cash", 3900)]
        member_sales = till.rows("SELECT count(*) FROM sale WHERE member_id IS NOT NULL")
        assert member_sales == [(1,)]  # the member identified for the first sale only (reset after it)
        assert not till.log_lines("checkout notice shown")  # no error was shown to the cashier
        assert not till.rows("SELECT id FROM suspended_sale")
        assert till.rows("SELECT gift_code, points, cash_fen, cancelled_by FROM redemption") == [
            ("G005", 2000, 1990, "1001")]
        assert till.rows("SELECT points FROM ledger_entry WHERE ref_type = 'redemption' ORDER BY id") == [
            (-2000,), (2000,)]  # the gift and its cancellation: the points back
        report = json.loads(str(till.rows("SELECT report FROM shift")[0][0]))
        assert (report["expected"]["cash"], report["counted_cash_fen"], report["cash_difference_fen"]) == (
            12300, 12250, -50)
        assert report["expected"]["card"] == 0 and report["expected"]["wechat"] == 10000
        assert till.rows("SELECT kind FROM print_job WHERE kind = 'shift'") == [("shift",)]
