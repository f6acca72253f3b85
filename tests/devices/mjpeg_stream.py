"""A network camera at the hardware edge: an MJPEG stream over HTTP (multipart/x-mixed-replace,
as most IP cameras serve it) from frames in memory, at a real frame rate, on loopback. OpenCV
reads it through its FFmpeg backend like a camera's http:// address.

Each frame carries its number in a row of black and white blocks (``stamp``/``read_stamp``), so
a reader can tell which frame it got and how late it is (``sent_at``)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import cv2
import numpy as np

BITS = 16
BLOCK = 16


def stamp(frame: np.ndarray, number: int) -> np.ndarray:
    """The frame with ``number`` in 16 blocks along its top edge (white = 1)."""
    out = frame.copy()
    for bit in range(BITS):
        value = 255 if number >> bit & 1 else 0
        out[0:BLOCK, bit * BLOCK:(bit + 1) * BLOCK] = value
    return out


def read_stamp(frame: np.ndarray) -> int:
    gray = frame if frame.ndim == 2 else cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)
    return sum(1 << bit for bit in range(BITS)
               if gray[2:BLOCK - 2, bit * BLOCK + 2:(bit + 1) * BLOCK - 2].mean() > 127)


class MjpegStream:
    """Serves ``frame_for(n)`` as frame n at ``fps`` from the moment a client connects; keeps
    ``sent_at[n]`` (time.monotonic()) for each frame written to the socket."""

    def __init__(self, frame_for: Callable[[int], np.ndarray], fps: float = 30.0, frames: int = 10_000) -> None:
        self.frame_for = frame_for
        self.fps = fps
        self.frames = frames
        self.sent_at: dict[int, float] = {}
        self._jpegs: dict[int, bytes] = {}
        stream = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_args: object) -> None:
                pass

            def do_GET(self) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "multipart/x-mixed-replace; boundary=frame")
                self.end_headers()
                start = time.monotonic()
                try:
                    for n in range(stream.frames):
                        due = start + n / stream.fps
                        delay = due - time.monotonic()
                        if delay > 0:
                            time.sleep(delay)  # the camera's own frame rate
                        jpeg = stream.jpeg(n)
                        self.wfile.write(b"--frame\r\nContent-Type: image/jpeg\r\nContent-Length: "
                                         + str(len(jpeg)).encode() + b"\r\n\r\n" + jpeg + b"\r\n")
                        stream.sent_at[n] = time.monotonic()
                except (BrokenPipeError, ConnectionResetError):
                    pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/stream.mjpg"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def jpeg(self, n: int) -> bytes:
        if n not in self._jpegs:
            ok, data = cv2.imencode(".jpg", stamp(self.frame_for(n), n), [cv2.IMWRITE_JPEG_QUALITY, 80])
            assert ok
            self._jpegs[n] = data.tobytes()
        return self._jpegs[n]

    def __enter__(self) -> MjpegStream:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
