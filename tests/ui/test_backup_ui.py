"""The window's side of backups: Settings > About shows where the files are and the last
automatic backup; the automatic backup runs through the pool, a failure shows in the status
bar; a second window on the same database is refused."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from pos_app.services import context
from pos_app.services.backup import auto_backups
from pos_app.services.paths import app_paths
from pos_app.storage.instance_lock import hold_lock
from pos_app.ui import app as app_module
from pos_app.ui.app import App, build
from pos_app.ui.backup import AutoBackupWorker
from pos_app.ui.qt import QApplication, QFormLayout, QLabel, Qt
from pos_app.ui.workers import ImmediatePool
from tests.ui.test_settings import settings_page


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("POS_APP_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("POS_APP_DB", raising=False)
    return tmp_path / "home"


@pytest.fixture
def home_app(qtbot: object, home: Path, store: context.Terminal) -> Iterator[App]:
    built = build(store, pool=ImmediatePool(), language="en")
    qtbot.addWidget(built.window)  # type: ignore[attr-defined]
    built.window.show()  # type: ignore[attr-defined]
    yield built
    built.stop_devices()


def form_label(value: QLabel) -> str:
    form = value.parentWidget().layout()
    assert isinstance(form, QFormLayout)
    label = form.labelForField(value)
    assert isinstance(label, QLabel)
    return label.text()


def test_about_shows_the_paths_and_the_last_automatic_backup(qtbot: object, home: Path, home_app: App) -> None:
    page = settings_page(qtbot, home_app)
    assert page.database_label.text() == str(home_app.terminal.database.path)
    assert (page.backup_dir_label.text(), form_label(page.backup_dir_label)) == (str(home / "backups"),
                                                                                 "Backups folder")
    assert (page.log_dir_label.text(), form_label(page.log_dir_label)) == (str(home / "logs"), "Logs folder")
    assert (page.last_backup_label.text(), form_label(page.last_backup_label)) == ("none yet",
                                                                                   "Last automatic backup")
    for label in (page.database_label, page.backup_dir_label, page.log_dir_label, page.last_backup_label):
        assert label.textInteractionFlags() & Qt.TextInteractionFlag.TextSelectableByMouse
    # the automatic backup (the tests' pool runs it at once) and the page shown again
    assert home_app.backup is not None
    home_app.backup.run_once()
    found = auto_backups(app_paths(), "S001", "T01")
    assert [p.parent for _, p in found] == [home / "backups" / "auto"]
    home_app.window.work.show_page("checkout")  # type: ignore[attr-defined]
    home_app.window.work.show_page("settings")  # type: ignore[attr-defined]
    assert page.last_backup_label.text() == "2026-11-03 10:00"


def test_automatic_backup_failure_shows_in_the_status_bar(qtbot: object, home: Path, home_app: App) -> None:
    worker = home_app.backup
    assert worker is not None and not worker.running  # main() starts it, the tests choose
    home.mkdir(parents=True)
    (home / "backups").write_text("a file where the backups folder should be", encoding="utf-8")
    with qtbot.waitSignal(worker.failed):  # type: ignore[attr-defined]
        worker.run_once()
    status = home_app.window.status_label.text()  # type: ignore[attr-defined]
    assert "Backup failed: cannot write to" in status
    assert not worker.busy
    # the counter still works, and the next run that succeeds clears the message
    (home / "backups").unlink()
    with qtbot.waitSignal(worker.finished):  # type: ignore[attr-defined]
        worker.run_once()
    assert worker.last_error == "" and worker.last_backup is not None
    assert "Backup failed" not in home_app.window.status_label.text()  # type: ignore[attr-defined]


def test_automatic_backup_runs_at_start_and_again_on_its_timer(qtbot: object, home: Path,
                                                              store: context.Terminal) -> None:
    worker = AutoBackupWorker(store, app_paths(), ImmediatePool(), interval_ms=20)
    runs: list[object] = []
    worker.finished.connect(runs.append)
    worker.start()  # a run at once
    assert worker.running and len(runs) == 1
    first = runs[0]
    assert getattr(first, "taken", None) is not None
    qtbot.waitUntil(lambda: len(runs) >= 3, timeout=5000)  # type: ignore[attr-defined]
    worker.stop()
    assert not worker.running
    assert all(getattr(r, "taken", "x") is None for r in runs[1:])  # fresh: no second copy the same day
    assert len(auto_backups(app_paths(), "S001", "T01")) == 1


def test_a_second_window_on_the_same_database_is_refused(qtbot: object, home: Path, store: context.Terminal,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    shown: list[str] = []
    monkeypatch.setattr(app_module.QMessageBox, "critical",
                        staticmethod(lambda _parent, _title, text: shown.append(text)))
    qapp = QApplication.instance()
    assert isinstance(qapp, QApplication)
    style, handlers = qapp.styleSheet(), list(logging.getLogger().handlers)
    try:
        with hold_lock(store.database.path):  # the first window
            code = app_module.main(["--db", str(store.database.path), "--lang", "en"])
    finally:
        qapp.setStyleSheet(style)
        for h in logging.getLogger().handlers:
            if h not in handlers:
                logging.getLogger().removeHandler(h)
                h.close()
    assert code == 2
    assert shown == ["The cashier window is already open on this database (or a restore is running). "
                     "Use the window that is open, or close it first."]
    assert (home / "logs" / "pos-app.log").exists()
