"""A small live preview of the camera, with a clear sentence instead of a picture when there is none."""

from __future__ import annotations

from pos_app.ui.camera import NO_DECODER, NOT_SET_UP, CameraBridge
from pos_app.ui.qt import QImage, QLabel, QPixmap, Qt, QVBoxLayout, QWidget


class CameraView(QWidget):
    """Shows the bridge's preview frames; over them, a state text unless the camera is running."""

    def __init__(self, parent: QWidget | None = None, *, width: int = 160, height: int = 120) -> None:
        super().__init__(parent)
        self.setObjectName("camera_view")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.picture = QLabel(self)
        self.picture.setObjectName("camera_picture")
        self.picture.setFixedSize(width, height)
        self.picture.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.picture.setWordWrap(True)
        self.picture.setStyleSheet("background: #222; color: #eee;")
        layout.addWidget(self.picture)
        self.state = NOT_SET_UP
        self.frames_shown = 0
        self.show_state(NOT_SET_UP)

    def attach(self, bridge: CameraBridge) -> None:
        bridge.frame.connect(self.show_frame)
        bridge.state.connect(self.show_state)
        self.show_state(bridge.current_state)

    def state_text(self, state: str) -> str:
        texts = {
            NOT_SET_UP: self.tr("Camera not set up"),
            "starting": self.tr("Starting camera…"),
            "running": "",
            "no_camera": self.tr("No camera"),
            "lost": self.tr("Camera lost, reconnecting…"),
            "stopped": self.tr("Camera off"),
            NO_DECODER: self.tr("Barcode decoder not available"),
        }
        return texts.get(state, state)

    def show_state(self, state: str) -> None:
        self.state = state
        # no camera configured: the status bar says so, and the member field gets the room
        self.setVisible(state != NOT_SET_UP)
        text = self.state_text(state)
        if state != "running":
            self.picture.clear()
            self.picture.setText(text)
        self.picture.setToolTip(text)

    def show_frame(self, image: QImage) -> None:
        if self.state != "running":
            return
        pix = QPixmap.fromImage(image).scaled(
            self.picture.size(), Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.FastTransformation)
        self.picture.setPixmap(pix)
        self.frames_shown += 1
