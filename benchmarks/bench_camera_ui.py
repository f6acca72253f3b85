"""Figure 9: the UI thread's responsiveness while the camera worker captures and decodes.

A 640x480 MJPG video (a member QR code, an empty scene, the code again: 10 s at 30 fps) runs
through the real ``cv2.VideoCapture`` path, the camera worker's capture and decode threads, and
the Qt bridge into the checkout's preview widget. A 10 ms QTimer on the UI thread records the gap
between its ticks. The same timer runs for the same time with no camera (the baseline) in the
same process, so the ratio between the two is what the camera costs the counter.

    QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/bench_camera_ui.py
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

import cv2  # noqa: E402
import numpy as np  # noqa: E402
import qrcode  # noqa: E402
from benchlib import Figure, percentile, print_figures  # noqa: E402

from pos_app.core.members import make_card_number  # noqa: E402
from pos_app.devices.camera import CameraConfig  # noqa: E402
from pos_app.ui.camera import CameraBridge  # noqa: E402
from pos_app.ui.qt import QApplication, QTimer  # noqa: E402
from pos_app.ui.widgets.camera_view import CameraView  # noqa: E402

SIZE, FPS = (640, 480), 30
CARD = make_card_number(1)


def _frames() -> tuple[np.ndarray, np.ndarray]:
    q = qrcode.QRCode(border=4, box_size=8)
    q.add_data(CARD)
    q.make(fit=True)
    code = cv2.resize(np.array(q.make_image().convert("L")), (240, 240), interpolation=cv2.INTER_NEAREST)
    blank = np.full((SIZE[1], SIZE[0], 3), 255, np.uint8)
    frame = blank.copy()
    frame[120:360, 200:440] = code[:, :, None]
    return frame, blank


def _video(path: Path) -> Path:
    qr, blank = _frames()
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), FPS, SIZE)
    for frame, count in ((qr, 100), (blank, 100), (qr, 100)):
        for _ in range(count):
            writer.write(frame)
    writer.release()
    return path


def _gaps(qapp: QApplication, until: object, max_s: float) -> list[float]:
    gaps: list[float] = []
    last = [time.perf_counter()]

    def tick() -> None:
        now = time.perf_counter()
        gaps.append((now - last[0]) * 1000)
        last[0] = now

    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(tick)
    timer.start()
    end = time.perf_counter() + max_s
    while time.perf_counter() < end and not until():  # type: ignore[operator]
        qapp.processEvents()
        time.sleep(0.001)
    timer.stop()
    return gaps


def run() -> list[Figure]:
    qapp = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(qapp, QApplication)
    with tempfile.TemporaryDirectory() as tmp:
        video = _video(Path(tmp) / "member.avi")
        baseline = sorted(_gaps(qapp, lambda: False, 10.0))
        bridge = CameraBridge(config=CameraConfig(hold_s=1.0, loop=False))
        view = CameraView()
        view.attach(bridge)
        codes: list[str] = []
        bridge.code.connect(lambda _f, text: codes.append(text))
        began = time.perf_counter()
        bridge.start(str(video))
        camera = sorted(_gaps(qapp, lambda: bridge.current_state == "stopped", 60.0))
        seconds = time.perf_counter() - began
        bridge.stop()
    print(f"  video: 300 frames 640x480 in {seconds:.1f} s; frames shown {view.frames_shown}; codes read {len(codes)}")
    for name, g in (("no camera", baseline), ("camera decoding", camera)):
        print(f"  {name:<16} ticks {len(g):5d}  median {statistics.median(g):6.2f} ms  "
              f"p99 {percentile(g, 99):6.2f} ms  max {g[-1]:6.2f} ms")
    return [
        Figure("9a camera on: UI timer gap p99 (10 ms timer)", percentile(camera, 99), "ms", 50.0),
        Figure("9b camera on: longest UI timer gap", camera[-1], "ms", 100.0),
        Figure("9c camera on / off: UI timer gap p99 ratio", percentile(camera, 99) / percentile(baseline, 99),
               "x"),
        Figure("9d codes read from 2 showings of one QR code (expected 2)", float(len(codes)), "reads"),
    ]


if __name__ == "__main__":
    print_figures("camera and the UI thread", run())
