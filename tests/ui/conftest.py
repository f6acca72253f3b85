"""UI fixtures: a seeded demo store on a real database file, the app built with a synchronous pool."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from pos_app.services import context, demo
from pos_app.storage.paths import data_root
from pos_app.ui.app import App, build
from pos_app.ui.qt import QApplication, QEvent
from pos_app.ui.workers import ImmediatePool
from tests.conftest import FakeClock, sqlite_copy


@pytest.fixture(autouse=True, scope="session")
def _product_style(qapp: QApplication) -> None:
    """The style sheet the window runs with (``ui.app.main``): sizes and fonts as a cashier sees them."""
    qapp.setStyleSheet((data_root() / "resources" / "style.qss").read_text(encoding="utf-8"))


@pytest.fixture(autouse=True)
def _no_window_left_open(qapp: QApplication) -> Iterator[None]:
    """Every top-level widget is closed after each test (after pytest-qt closed the ones it was
    given), and a test that left one open fails: a dialog left behind would be the active modal
    widget of whatever test runs next."""
    yield
    left = [w for w in QApplication.topLevelWidgets() if w.isVisible()]
    names = [f"{type(w).__name__}({w.objectName()!r})" for w in left]
    for widget in left:
        widget.close()
        widget.deleteLater()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    assert not [w for w in QApplication.topLevelWidgets() if w.isVisible()], "a window would not close"
    assert not names, "the test left windows open: " + ", ".join(names)


@pytest.fixture(scope="session")
def _seeded_stores(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The demo store seeded once per session for each clock reading it was seeded at (the
    staff's PIN hashes are slow on purpose), copied for each test by ``store``."""
    return {}


@pytest.fixture
def store(tmp_path: Path, clock: FakeClock, _seeded_stores: dict[str, Path],
          tmp_path_factory: pytest.TempPathFactory) -> Iterator[context.Terminal]:
    """The demo store on a database file of the test's own: a copy (SQLite's backup API) of the
    one ``demo.seed_demo`` made at the same clock reading."""
    key = clock.now.isoformat()
    if key not in _seeded_stores:
        seeded = context.init_terminal(tmp_path_factory.mktemp("seeded-store") / "store.db", store_id="S001",
                                       terminal_id="T01", clock=clock)
        demo.seed_demo(seeded)
        seeded.close()
        _seeded_stores[key] = Path(seeded.database.path)
    sqlite_copy(_seeded_stores[key], tmp_path / "store.db")
    t = context.init_terminal(tmp_path / "store.db", store_id="S001", terminal_id="T01", clock=clock)
    yield t
    t.close()


@pytest.fixture
def app(qtbot: object, store: context.Terminal) -> Iterator[App]:
    built = build(store, pool=ImmediatePool(), language="en")
    qtbot.addWidget(built.window)  # type: ignore[attr-defined]
    built.window.show()  # type: ignore[attr-defined]
    yield built
    built.stop_devices()  # a test may have started the camera or the scanner through the settings
