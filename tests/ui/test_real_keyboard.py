"""The real window on a real X server (Xvfb), driven by real X key events (xdotool): a person
types the login at human speed, a keyboard-wedge scanner types a member card and a product
barcode at scanner speed, the mouse clicks in the side list, F12 completes the sale. What the
till wrote is read back from its database. This is the path the pytest-qt tests cannot take:
X key events through Qt's xcb platform into the application-wide scanner filter."""

from __future__ import annotations

from pathlib import Path

from pos_app.core.members import make_card_number
from tests.ui.realx import real_window, wait_for


def test_scanner_bursts_and_human_typing_through_a_real_x_server(tmp_path: Path) -> None:
    with real_window(tmp_path) as till:
        # a person: 400 ms between keys (each key a burst of its own, however xdotool is scheduled)
        till.login("1001", "1234")
        # the shift opens while the login is handled, and the checkout screen takes the focus (its
        # member field) in the same step, before the window reads any key typed after this
        wait_for("the shift to open at login", lambda: till.rows("SELECT id FROM shift WHERE closed_at IS NULL"))
        wait_for("the window to have the keyboard focus", till.focused)
        # the cashier types "1" into the member field (xdotool waits its 300 ms delay after the
        # key before it exits, so the scanner's first key comes at least that much later) ...
        till.type("1", delay_ms=300)
        # ... when a scanner types a card: 4 ms between keys, ended by Enter, all from one xdotool
        # process (a second one's start-up could exceed the 50 ms gap). Without the scanner filter
        # these keys would land in the member field behind the "1" (no such card, nothing
        # identified, no product, no sale); with it, each scan is routed whole.
        till.scan(make_card_number(1))
        wait_for("the card scan", lambda: till.log_lines("scan read: member_card, 13 characters, on the checkout"))
        till.scan("6901234567892")  # whole-wheat bread, 8.50
        wait_for("the product scan", lambda: till.log_lines("scan read: product, 13 characters, on the checkout"))
        # a click in the side list (its first row: checkout, the screen showing) must not take the
        # keys from the screen: F12 still completes the sale (it did nothing while the list had them)
        till.xdo("mousemove", "--window", till.window, "100", "30")
        till.xdo("click", "1")
        till.xdo("mousemove", "--sync", "1275", "1019")
        wait_for("the window to have the keyboard focus", till.focused)
        till.key("F12")
        sale = wait_for("the sale", lambda: till.rows("SELECT member_id, total_fen FROM sale"))
        assert sale == [(1, 850)]  # the scanned member, the scanned product, nothing else
        assert till.rows("SELECT kind, status FROM print_job") == [("receipt", "queued")]
        assert not till.log_lines("checkout notice shown")  # no error was shown to the cashier
