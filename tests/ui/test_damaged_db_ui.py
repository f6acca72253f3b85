"""The window and a damaged database (issue 12 item 6): a blocking message at start, and when
the damage shows during the day the sale is refused with the way out and the status bar says so."""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

import pytest

from pos_app.services import context
from pos_app.ui import app as app_module
from pos_app.ui.app import App
from pos_app.ui.qt import QApplication
from tests.ui.test_checkout_flow import GOLD_CARD, login

DAMAGED_TEXT = ("The database file is damaged: nothing more is written to it. Close the window and restore the "
                "last checked backup (pos-app restore; the daily copies are in backups/auto), then call the "
                "store's IT person.")


def invert(path: Path, offset: int) -> None:
    data = bytearray(path.read_bytes())
    data[offset:offset + 16] = bytes(255 - b for b in data[offset:offset + 16])
    path.write_bytes(bytes(data))


def checkpoint(path: Path) -> None:
    con = sqlite3.connect(path)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()


def test_a_damaged_database_gets_a_blocking_message_at_start(qtbot: object, store: context.Terminal,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    db = store.database.path
    store.close()
    checkpoint(db)
    invert(db, 12288)
    before = db.read_bytes()
    shown: list[str] = []
    monkeypatch.setattr(app_module.QMessageBox, "critical",
                        staticmethod(lambda _parent, _title, text: shown.append(text)))
    qapp = QApplication.instance()
    assert isinstance(qapp, QApplication)
    style, handlers = qapp.styleSheet(), list(logging.getLogger().handlers)
    try:
        code = app_module.main(["--db", str(db), "--lang", "en"])
    finally:
        qapp.setStyleSheet(style)
        for h in logging.getLogger().handlers:
            if h not in handlers:
                logging.getLogger().removeHandler(h)
                h.close()
    assert code == 2
    assert shown == [DAMAGED_TEXT]
    assert db.read_bytes() == before


def test_damage_found_during_the_day_refuses_the_sale_and_shows_in_the_status_bar(qtbot: object, app: App) -> None:
    login(qtbot, app)
    page = app.window.work.pages["checkout"]  # type: ignore[attr-defined]
    vm = app.checkout
    vm.identify(GOLD_CARD)
    vm.add_code("6970000000017")
    assert vm.lines
    status = app.window.status_label  # type: ignore[attr-defined]
    assert "DAMAGED" not in status.text()
    # the disk damages the receipt counter's page while the till runs (read again from the file)
    db = app.terminal.database
    db.close()
    checkpoint(db.path)
    invert(db.path, 12288)
    errors: list[str] = []
    vm.error_raised.connect(errors.append)
    assert vm.complete() is None
    assert errors == [DAMAGED_TEXT]
    assert db.damage is not None
    assert "DATABASE DAMAGED" in status.text()
    assert page.isVisible()
