"""The camera on the UI side: a QObject that starts and stops the capture worker
(``pos_app.devices.camera``) and carries its callbacks to the UI thread as signals.

Signals (always emitted on the UI thread, so any receiver may touch widgets):

- ``frame(QImage)``: a downscaled preview frame (at most ~15 per second);
- ``code(str, str)``: a decoded code, reported once while it is held in front of the camera
  (format, text; formats are "QRCode", "Code128", "EAN-13", "EAN-8", "UPC-A");
- ``state(str)``: the worker's "starting", "running", "no_camera", "lost", "stopped", plus
  "not_set_up" (no camera configured) and "no_decoder" (the chosen decoder cannot run here).

The worker calls back on its own threads; those callbacks only emit private signals that are
connected with queued connections to this object, which lives on the UI thread. OpenCV and the
decoders are imported when a camera starts, so a terminal without a camera does not load them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any

from pos_app.core.errors import PosError
from pos_app.services.settings import TerminalSettings
from pos_app.ui.qt import QImage, QObject, Qt, Signal

if TYPE_CHECKING:
    import numpy as np

    from pos_app.devices.camera import CameraConfig, CameraWorker, Source
    from pos_app.devices.decoding import Decoded, Decoder

log = logging.getLogger(__name__)

NOT_SET_UP, NO_DECODER = "not_set_up", "no_decoder"

def to_qimage(rgb: np.ndarray) -> QImage:
    """A QImage that owns a copy of an RGB (HxWx3 uint8) frame; safe to hand to another thread."""
    h, w = rgb.shape[:2]
    image = QImage(rgb.data, w, h, rgb.strides[0], QImage.Format.Format_RGB888)
    return image.copy()


class CameraBridge(QObject):
    frame = Signal(QImage)
    code = Signal(str, str)
    state = Signal(str)

    # worker thread -> UI thread (queued)
    _frame_in = Signal(QImage)
    _code_in = Signal(str, str)
    _state_in = Signal(str)

    def __init__(
        self,
        parent: QObject | None = None,
        *,
        config: CameraConfig | None = None,
        worker_factory: Callable[..., CameraWorker] | None = None,
        decoder_factory: Callable[[str], Decoder] | None = None,
    ) -> None:
        super().__init__(parent)
        self.config = config
        self._worker_factory = worker_factory
        self._decoder_factory = decoder_factory
        self.worker: CameraWorker | None = None
        self.current_state = NOT_SET_UP
        self.source: Source | None = None
        self.frames_emitted = 0
        queued = Qt.ConnectionType.QueuedConnection
        self._frame_in.connect(self._deliver_frame, queued)
        self._code_in.connect(self._deliver_code, queued)
        self._state_in.connect(self._deliver_state, queued)

    # -- control (UI thread) ----------------------------------------------------------------
    def start_from_settings(self, settings: TerminalSettings) -> bool:
        """Starts the configured camera (``camera_device``, ``decoder_backend``); when none is
        configured, stops and reports "not_set_up". True when a worker was started."""
        if settings.camera_device is None:
            self.stop()
            self._deliver_state(NOT_SET_UP)
            return False
        return self.start(settings.camera_device, settings.decoder_backend)

    def start(self, source: Source, backend: str = "auto") -> bool:
        """(Re)starts capturing from a camera number, a device path, a stream address or a video
        file (``pos_app.devices.camera.source_kind``); True when a worker was started."""
        from pos_app.devices.camera import CameraConfig, CameraWorker
        from pos_app.devices.decoding import make_decoder

        self.stop()
        try:
            decoder = (self._decoder_factory or partial(make_decoder, live=True))(backend)
        except PosError as exc:
            log.error("camera: decoder %s cannot run: %s", backend, exc)
            self._deliver_state(NO_DECODER)
            return False
        try:
            worker = (self._worker_factory or CameraWorker)(
                source, decoder, on_code=self._on_code, on_frame=self._on_frame, on_state=self._state_in.emit,
                config=self.config or CameraConfig())
        except PosError as exc:
            log.error("camera: bad source %r: %s", source, exc)
            self._deliver_state("no_camera")
            return False
        self.source = source
        self.worker = worker
        worker.start()
        return True

    def stop(self) -> None:
        """Stops the worker (joins it, bounded by the config's stop timeout)."""
        worker, self.worker = self.worker, None
        if worker is not None:
            worker.stop()

    # -- worker threads ---------------------------------------------------------------------
    def _on_frame(self, rgb: np.ndarray) -> None:
        self._frame_in.emit(to_qimage(rgb))

    def _on_code(self, decoded: Decoded) -> None:
        self._code_in.emit(decoded.format, decoded.text)

    # -- UI thread --------------------------------------------------------------------------
    def _deliver_frame(self, image: QImage) -> None:
        if self.worker is None:
            return  # a frame that was already queued when the camera stopped
        self.frames_emitted += 1
        self.frame.emit(image)

    def _deliver_code(self, fmt: str, text: str) -> None:
        self.code.emit(fmt, text)

    def _deliver_state(self, state: str) -> None:
        self.current_state = state
        self.state.emit(state)

    def stats(self) -> dict[str, Any]:
        w = self.worker
        return {"state": self.current_state, "frames_emitted": self.frames_emitted,
                "frames_read": w.frames_read if w else 0, "frames_decoded": w.frames_decoded if w else 0,
                "frames_dropped": w.frames_dropped if w else 0}
