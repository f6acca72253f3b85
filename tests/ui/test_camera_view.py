"""The camera on the UI side: the bridge carries the worker's frames, codes and states to the UI
thread, the UI thread stays responsive while the worker decodes a video, and the preview says
clearly when there is no camera."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from pos_app.core.members import make_card_number
from pos_app.devices.camera import CameraConfig
from pos_app.devices.decoding import DecoderUnavailable
from pos_app.services.settings import TerminalSettings
from pos_app.ui.app import App
from pos_app.ui.camera import CameraBridge
from pos_app.ui.qt import QTimer
from pos_app.ui.widgets.camera_view import CameraView
from tests.devices.test_camera import CARD, blank_frame, member_qr_frame, write_video
from tests.ui.test_checkout_flow import login

GOLD_CARD = make_card_number(1)  # demo member 张伟


@pytest.fixture
def bridge(qtbot: object) -> CameraBridge:
    b = CameraBridge(config=CameraConfig(hold_s=0.4))
    yield b
    b.stop()


def test_the_ui_thread_stays_responsive_while_the_worker_decodes(qtbot, bridge: CameraBridge,  # type: ignore[no-untyped-def]
                                                                 tmp_path: Path) -> None:
    qr, blank = member_qr_frame(), blank_frame()
    video = write_video(tmp_path / "member.avi", [(qr, 30), (blank, 30), (qr, 30)])  # 3 s
    view = CameraView()
    qtbot.addWidget(view)
    view.attach(bridge)
    codes: list[tuple[str, str, bool]] = []
    bridge.code.connect(lambda f, t: codes.append((f, t, threading.current_thread() is threading.main_thread())))
    gaps: list[float] = []
    last = [time.monotonic()]

    def tick() -> None:
        now = time.monotonic()
        gaps.append(now - last[0])
        last[0] = now

    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(tick)
    timer.start()
    assert bridge.start(str(video))
    qtbot.waitUntil(lambda: bridge.current_state == "stopped", timeout=20_000)
    timer.stop()
    assert len(gaps) > 100
    assert max(gaps) < 0.25, f"the UI thread stalled for {max(gaps) * 1000:.0f} ms"
    assert view.frames_shown > 10 and bridge.frames_emitted >= view.frames_shown
    assert codes == [("QRCode", CARD, True)] * 2


def test_no_camera_configured_says_so_and_starts_nothing(qtbot, bridge: CameraBridge) -> None:  # type: ignore[no-untyped-def]
    view = CameraView()
    qtbot.addWidget(view)
    view.attach(bridge)
    assert not bridge.start_from_settings(TerminalSettings())
    assert bridge.worker is None
    assert view.picture.text() == "Camera not set up"


def test_a_missing_camera_says_no_camera(qtbot, bridge: CameraBridge, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    view = CameraView()
    qtbot.addWidget(view)
    view.attach(bridge)
    assert bridge.start(str(tmp_path / "unplugged.avi"))
    qtbot.waitUntil(lambda: view.state == "no_camera", timeout=5_000)
    assert view.picture.text() == "No camera"
    began = time.monotonic()
    bridge.stop()
    assert time.monotonic() - began < 1.5


def test_a_decoder_that_cannot_run_is_a_state_not_a_crash(qtbot) -> None:  # type: ignore[no-untyped-def]
    def unavailable(_backend: str) -> object:
        raise DecoderUnavailable("decoder_backend", "no libzbar")

    bridge = CameraBridge(decoder_factory=unavailable)  # type: ignore[arg-type]
    view = CameraView()
    qtbot.addWidget(view)
    view.attach(bridge)
    assert not bridge.start(0, "pyzbar")
    assert bridge.worker is None and view.picture.text() == "Barcode decoder not available"


def test_the_window_has_the_preview_and_a_camera_code_identifies_the_member(qtbot: object, app: App) -> None:
    assert app.camera is not None and app.camera.worker is None  # no camera_device in a fresh store
    page = app.window.work.pages["checkout"]  # type: ignore[attr-defined]
    assert page.camera_view.picture.text() == "Camera not set up"
    login(qtbot, app)  # a camera code before anyone logs in is dropped (tests/ui/test_scanner.py)
    app.camera.code.emit("QRCode", GOLD_CARD)
    assert app.checkout.member is not None and app.checkout.member.member.card_no == GOLD_CARD
