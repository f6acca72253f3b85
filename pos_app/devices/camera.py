"""Camera capture and decoding in worker threads (plain ``threading``, no Qt).

Two threads per camera:

- the capture thread reads frames from ``cv2.VideoCapture`` as the camera delivers them and
  keeps only the latest one in a one-frame slot (an older frame that was not decoded yet is
  dropped, so decoding never queues behind the camera); it also hands throttled, downscaled RGB
  preview frames to ``on_frame``;
- the decode thread takes the newest frame, decodes it, and reports each code once through a
  ``Debouncer`` (a code held in front of the camera is reported again only after it has been
  out of view for ``hold_s``); frames in which a held code is not decoded but still seen where
  it was (``Presence``: a thumb over a corner, glare, blur) keep it held, so a code held for
  seconds is reported once, never twice.

States through ``on_state``: "starting", "running", "no_camera" (the device or file does not
open; retried with back-off, so a camera plugged in later starts), "lost" (reads fail; the
device is reopened with back-off), "stopped". Callbacks run on the worker threads: they must be
quick and thread-safe (the Qt bridge in ``pos_app.ui.camera`` queues them to the UI thread).

Sources (``source_kind``): a camera number, a device path (/dev/video2), a network stream
(rtsp://, http://) or a video file. A file (tests use them) is paced at its own frame rate like a
live camera, and at its end either loops or ends with "stopped" (``loop``); the debouncer's time
for a file's frame is the frame's place in the file (its number over the file's frame rate), not
the wall clock, so a file's hold times mean the same on a busy machine. A network stream is
read as fast as it delivers, and frames that waited in the stream's buffer (after a stall, or a
burst from the network) are grabbed and dropped without being converted until a grab has to
wait for the camera: the frame decoded is the newest one, so the lag does not grow
(``frames_skipped`` counts them; docs/benchmarks.md "Camera stream lag").
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np

from pos_app.core.errors import InvalidInput
from pos_app.devices.decoding import Decoded, Decoder, to_gray

log = logging.getLogger(__name__)

STARTING, RUNNING, NO_CAMERA, LOST, STOPPED = "starting", "running", "no_camera", "lost", "stopped"
STATES = (STARTING, RUNNING, NO_CAMERA, LOST, STOPPED)

Source = int | str


class Debouncer:
    """Reports a code when it appears, and again only after it has been out of view for ``hold_s``.

    ``feed(codes, now, present)`` takes the codes of one decoded frame and returns the ones to
    report; ``present`` are codes that were not decoded in that frame but are seen to be still in
    view (``Presence``): they keep the code held without reporting it. Frames without the code
    (a blurred frame, a hand passing by) shorter than the hold time do not make it new again.
    Out of view needs evidence: a decoded frame without the code. A decoder that fell behind (no
    frame decoded for longer than the hold time) does not make a code held all along new again."""

    def __init__(self, hold_s: float = 1.5) -> None:
        if hold_s <= 0:
            raise InvalidInput("hold_s", f"must be positive: {hold_s!r}")
        self.hold_s = hold_s
        self._last_seen: dict[Decoded, float] = {}
        self._absent: set[Decoded] = set()  # held codes a frame since their last sighting did not show

    def held(self, now: float) -> list[Decoded]:
        """The codes that are held: reporting them again waits until they are out of view."""
        return list(self._last_seen)

    def feed(self, codes: Iterable[Decoded], now: float, present: Iterable[Decoded] = ()) -> list[Decoded]:
        found = list(dict.fromkeys(codes))
        here = set(found) | {c for c in present if c in self._last_seen}
        self._absent |= {c for c in self._last_seen if c not in here}
        for c, t in list(self._last_seen.items()):
            if c in self._absent and now - t >= self.hold_s:  # out of view for the hold time: forgotten
                del self._last_seen[c]
                self._absent.discard(c)
        new = [c for c in found if c not in self._last_seen]
        for c in here:
            self._last_seen[c] = now
            self._absent.discard(c)
        return new

    def reset(self) -> None:
        self._last_seen.clear()
        self._absent.clear()


class Presence:
    """Whether a code decoded before is still in view in a frame where it was not decoded.

    A code held in front of the camera is not decoded in every frame: a thumb over a corner of
    a QR code, glare on a phone screen, motion blur or the camera refocusing make frames the
    decoder finds nothing in, for seconds sometimes. Each decoded code's picture (a small gray
    patch of its box) is remembered; in a frame without the code, the patch is looked for around
    where it was (normalized cross-correlation, ``cv2.matchTemplate``): found (score at least
    ``threshold``), the code is still in view, and follows the patch if it moved a little.
    A code taken away leaves background there, which does not match."""

    def __init__(self, threshold: float = 0.6, side: int = 64) -> None:
        self.threshold = threshold
        self.side = side
        self._tracks: dict[Decoded, tuple[np.ndarray, tuple[int, int, int, int], float]] = {}

    def remember(self, gray: np.ndarray, code: Decoded) -> None:
        if code.box is None:
            return
        x, y, w, h = _clip(code.box, gray.shape)
        if w < 8 or h < 8:
            return
        scale = min(1.0, self.side / max(w, h))
        patch = cv2.resize(gray[y:y + h, x:x + w], None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
        self._tracks[code] = (patch, (x, y, w, h), scale)

    def present(self, gray: np.ndarray, codes: Iterable[Decoded]) -> list[Decoded]:
        seen = []
        for code in codes:
            track = self._tracks.get(code)
            if track is None:
                continue
            patch, (x, y, w, h), scale = track
            mx, my = w // 2, h // 2  # look half a box around where it was
            rx, ry, rw, rh = _clip((x - mx, y - my, w + 2 * mx, h + 2 * my), gray.shape)
            region = cv2.resize(gray[ry:ry + rh, rx:rx + rw], None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
            if region.shape[0] < patch.shape[0] or region.shape[1] < patch.shape[1] or float(region.std()) < 2.0:
                continue
            scores = cv2.matchTemplate(region, patch, cv2.TM_CCOEFF_NORMED)
            _lo, best, _lo_at, (bx, by) = cv2.minMaxLoc(scores)
            if np.isfinite(best) and best >= self.threshold:
                seen.append(code)
                self._tracks[code] = (patch, (rx + round(bx / scale), ry + round(by / scale), w, h), scale)
        return seen

    def keep_only(self, codes: Iterable[Decoded]) -> None:
        keep = set(codes)
        self._tracks = {c: t for c, t in self._tracks.items() if c in keep}


def _clip(box: tuple[int, int, int, int], shape: tuple[int, ...]) -> tuple[int, int, int, int]:
    x, y, w, h = box
    x0, y0 = max(0, x), max(0, y)
    x1, y1 = min(shape[1], x + w), min(shape[0], y + h)
    return x0, y0, max(0, x1 - x0), max(0, y1 - y0)


class _LatestFrame:
    """A one-frame slot: ``put`` replaces an unread frame (counted as dropped), ``take`` waits.
    A frame may carry its time (a file's frame: its place in the file), else None."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._frame: np.ndarray | None = None
        self._stamp: float | None = None
        self._closed = False
        self.dropped = 0

    def put(self, frame: np.ndarray, stamp: float | None = None) -> None:
        with self._cond:
            if self._frame is not None:
                self.dropped += 1
            self._frame, self._stamp = frame, stamp
            self._cond.notify()

    def close(self) -> None:
        """No more frames: ``take`` returns what is left, then None."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()

    def take(self) -> tuple[np.ndarray | None, float | None]:
        with self._cond:
            while self._frame is None and not self._closed:
                self._cond.wait()
            frame, self._frame = self._frame, None
            return frame, self._stamp


@dataclass(frozen=True)
class CameraConfig:
    hold_s: float = 1.5  # a code is reported again after it has been out of view this long
    presence: bool = True  # a held code not decoded in a frame but still seen there stays held (Presence)
    preview_fps: float = 15.0  # at most this many preview frames per second (0: none)
    preview_width: int = 320  # preview frames are downscaled to at most this width
    loop: bool = False  # a file source: start again at its end (else: "stopped")
    realtime: bool = True  # a file source: pace reads at the file's frame rate, like a camera
    reopen_backoff_s: tuple[float, ...] = (0.5, 1.0, 2.0, 5.0)  # waits between reopen attempts (last repeats)
    stop_timeout_s: float = 2.0

    def __post_init__(self) -> None:
        if self.preview_fps < 0:
            raise InvalidInput("preview_fps", "must not be negative")
        if self.preview_width < 16:
            raise InvalidInput("preview_width", "must be at least 16 pixels")
        if not self.reopen_backoff_s or any(s <= 0 for s in self.reopen_backoff_s):
            raise InvalidInput("reopen_backoff_s", "needs at least one positive wait")


INDEX, DEVICE, STREAM, FILE = "index", "device", "stream", "file"


def check_source(source: object) -> Source:
    """A device index (0-99) or a non-empty path/URL; anything else is an InvalidInput naming ``camera``."""
    if isinstance(source, bool) or not isinstance(source, int | str):
        raise InvalidInput("camera", f"a device number or a file path, got {type(source).__name__}")
    if isinstance(source, int) and not 0 <= source <= 99:
        raise InvalidInput("camera", f"a device number from 0 to 99: {source}")
    if isinstance(source, str) and not source.strip():
        raise InvalidInput("camera", "empty file path")
    return source


def source_kind(source: Source) -> str:
    """"index" (a camera by number), "device" (a path under /dev/), "stream" (an address such as
    rtsp:// or http://) or "file" (a video file: tests, demos). The first three are live: read as
    fast as they deliver, reopened when they fail; a file is paced at its own frame rate."""
    if isinstance(source, int):
        return INDEX
    if "://" in source:
        return STREAM
    if source.startswith("/dev/"):
        return DEVICE
    return FILE


def _open_capture(source: Source) -> Any:
    return cv2.VideoCapture(source)


class CameraWorker:
    """Captures from ``source`` and decodes in worker threads; see the module docstring."""

    def __init__(
        self,
        source: Source,
        decoder: Decoder,
        *,
        on_code: Callable[[Decoded], None] | None = None,
        on_frame: Callable[[np.ndarray], None] | None = None,
        on_state: Callable[[str], None] | None = None,
        config: CameraConfig | None = None,
        open_capture: Callable[[Source], Any] = _open_capture,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.source = check_source(source)
        self.decoder = decoder
        self.config = config or CameraConfig()
        self._on_code = on_code
        self._on_frame = on_frame
        self._on_state = on_state
        self._open_capture = open_capture
        self._clock = clock
        self._debouncer = Debouncer(self.config.hold_s)
        self._presence = Presence() if self.config.presence else None
        self._stop = threading.Event()
        self._slot = _LatestFrame()
        self._thread: threading.Thread | None = None
        self._decode_thread: threading.Thread | None = None
        self._cap: Any | None = None  # the open capture, owned by the capture thread
        self.state = STOPPED
        self.frames_read = 0
        self.frames_skipped = 0  # stream frames that waited in its buffer, grabbed and dropped
        self.frames_decoded = 0
        self.decode_errors = 0

    @property
    def frames_dropped(self) -> int:
        """Frames replaced in the slot before the decoder took them."""
        return self._slot.dropped

    @property
    def kind(self) -> str:
        return source_kind(self.source)

    @property
    def is_file(self) -> bool:
        return self.kind == FILE

    # -- control (any thread) ---------------------------------------------------------------
    def start(self) -> None:
        if self._thread is not None:
            raise RuntimeError("a CameraWorker starts once; make a new one to start again")
        self._thread = threading.Thread(target=self._capture_main, name=f"camera-{self.source}", daemon=True)
        self._decode_thread = threading.Thread(target=self._decode_main, name=f"decode-{self.source}", daemon=True)
        self._decode_thread.start()
        self._thread.start()

    def stop(self, timeout: float | None = None) -> bool:
        """Stops both threads and waits for them; True when they ended within the timeout."""
        self._stop.set()
        self._slot.close()
        limit = self.config.stop_timeout_s if timeout is None else timeout
        deadline = time.monotonic() + limit
        for t in (self._thread, self._decode_thread):
            if t is not None and t is not threading.current_thread():
                t.join(max(0.0, deadline - time.monotonic()))
        alive = any(t is not None and t.is_alive() for t in (self._thread, self._decode_thread))
        if alive:
            log.warning("camera %s did not stop within %.1f s", self.source, limit)
        return not alive

    def wait(self, timeout: float | None = None) -> bool:
        """Waits until the worker ended by itself (a file without loop); True if it did."""
        if self._thread is not None:
            self._thread.join(timeout)
        return self._thread is None or not self._thread.is_alive()

    # -- worker side ------------------------------------------------------------------------
    def _set_state(self, state: str) -> None:
        if state == self.state and state != STOPPED:
            return
        self.state = state
        log.info("camera %s: %s", self.source, state)
        if self._on_state is not None:
            try:
                self._on_state(state)
            except Exception:
                log.exception("camera state callback failed")

    def _backoff(self, attempt: int) -> float:
        waits = self.config.reopen_backoff_s
        return waits[min(attempt, len(waits) - 1)]

    def _open(self) -> Any | None:
        try:
            cap = self._open_capture(self.source)
        except Exception as exc:  # a broken backend must not kill the thread
            log.warning("camera %s does not open: %s", self.source, exc)
            return None
        if cap is None or not cap.isOpened():
            with contextlib.suppress(Exception):
                cap.release()
            return None
        if not self.is_file:
            with contextlib.suppress(Exception):  # a live source: no driver-side queue of old frames
                cap.set(cv2.CAP_PROP_BUFFERSIZE, 1)
        return cap

    def _capture_main(self) -> None:
        self._set_state(STARTING)
        try:
            cap = self._open_until_running(NO_CAMERA)
            if cap is not None:
                self._read_loop(cap)
        except Exception:
            log.exception("camera %s: capture thread failed", self.source)
        finally:
            if self._cap is not None:
                with contextlib.suppress(Exception):
                    self._cap.release()
                self._cap = None
            self._slot.close()
            if self._decode_thread is not None:
                self._decode_thread.join(self.config.stop_timeout_s)
            self._set_state(STOPPED)

    def _open_until_running(self, failed_state: str, attempt: int = 0) -> Any | None:
        while not self._stop.is_set():
            cap = self._open()
            self._cap = cap
            if cap is not None:
                self._set_state(RUNNING)
                return cap
            self._set_state(failed_state)
            if self._stop.wait(self._backoff(attempt)):
                break
            attempt += 1
        return None

    @staticmethod
    def _nominal_interval(cap: Any) -> float:
        try:
            fps = float(cap.get(cv2.CAP_PROP_FPS))
        except Exception:
            fps = 0.0
        return 1.0 / fps if 1.0 <= fps <= 240.0 else 1.0 / 30.0

    def _frame_interval(self, cap: Any) -> float:
        if not (self.is_file and self.config.realtime):
            return 0.0
        return self._nominal_interval(cap)

    def _read_newest(self, cap: Any, quick_s: float) -> tuple[bool, Any]:
        """A network stream: grab until a grab had to wait (quicker than ``quick_s``: the frame
        was waiting in the buffer, a newer one may follow), then convert only that last frame."""
        began = self._clock()
        if not cap.grab():
            return False, None
        while self._clock() - began < quick_s and not self._stop.is_set():
            began = self._clock()
            if not cap.grab():
                break
            self.frames_skipped += 1
        ok, frame = cap.retrieve()
        return bool(ok), frame

    def _read_loop(self, cap: Any) -> None:
        interval = self._frame_interval(cap)
        stream = self.kind == STREAM
        quick = self._nominal_interval(cap) / 4
        media = self._nominal_interval(cap)  # a file's frame n is at n * media seconds
        next_due = self._clock()
        last_preview = -1e9
        preview_gap = 1.0 / self.config.preview_fps if self.config.preview_fps > 0 else None
        rewound = False
        while not self._stop.is_set():
            if interval:
                delay = next_due - self._clock()
                if delay > 0 and self._stop.wait(delay):
                    break
                next_due = max(next_due + interval, self._clock() - interval)
            try:
                ok, frame = self._read_newest(cap, quick) if stream else cap.read()
            except Exception as exc:
                log.warning("camera %s: read failed: %s", self.source, exc)
                ok, frame = False, None
            if not ok or frame is None:
                if self.is_file and self.frames_read > 0:
                    if not self.config.loop:
                        return  # the end of the file
                    if not rewound and cap.set(cv2.CAP_PROP_POS_FRAMES, 0):
                        rewound = True
                        continue
                # a live camera (or a looping file that cannot rewind): reopen with back-off
                self._set_state(LOST)
                with contextlib.suppress(Exception):
                    cap.release()
                self._cap = None
                if self._stop.wait(self._backoff(0)):
                    return
                cap = self._open_until_running(LOST, attempt=1)
                if cap is None:
                    return
                interval = self._frame_interval(cap)
                quick = self._nominal_interval(cap) / 4
                media = self._nominal_interval(cap)
                next_due = self._clock()
                continue
            rewound = False
            self._slot.put(frame, self.frames_read * media if self.is_file else None)
            self.frames_read += 1
            now = self._clock()
            if preview_gap is not None and self._on_frame is not None and now - last_preview >= preview_gap:
                last_preview = now
                self._preview(frame)

    def _preview(self, frame: np.ndarray) -> None:
        try:
            h, w = frame.shape[:2]
            width = self.config.preview_width
            if w > width:
                frame = cv2.resize(frame, (width, max(1, round(h * width / w))), interpolation=cv2.INTER_AREA)
            rgb = cv2.cvtColor(frame, cv2.COLOR_GRAY2RGB if frame.ndim == 2 else cv2.COLOR_BGR2RGB)
            assert self._on_frame is not None
            self._on_frame(np.ascontiguousarray(rgb))
        except Exception:
            log.exception("camera preview callback failed")

    def _decode_main(self) -> None:
        while True:
            frame, stamp = self._slot.take()
            if frame is None or self._stop.is_set():
                return
            try:
                found = self.decoder.decode(frame)
            except Exception:
                self.decode_errors += 1
                log.exception("camera %s: decoding a frame failed", self.source)
                continue
            self.frames_decoded += 1
            now = self._clock() if stamp is None else stamp
            present: list[Decoded] = []
            if self._presence is not None:
                try:
                    present = self._track(frame, found, now)
                except Exception:  # presence only spares repeats: never lose a code over it
                    log.exception("camera %s: presence check failed", self.source)
            for code in self._debouncer.feed(found, now, present):
                log.info("camera %s: %s %r", self.source, code.format, code.text)
                if self._on_code is not None:
                    try:
                        self._on_code(code)
                    except Exception:
                        log.exception("camera code callback failed")

    def _track(self, frame: np.ndarray, found: list[Decoded], now: float) -> list[Decoded]:
        """The held codes that this frame did not decode but still shows (``Presence``)."""
        assert self._presence is not None
        held = self._debouncer.held(now)
        missing = [c for c in held if c not in found]
        if not missing and not any(c.box is not None for c in found):
            return []
        gray = to_gray(frame)
        present = self._presence.present(gray, missing) if missing else []
        for code in found:
            self._presence.remember(gray, code)
        self._presence.keep_only([*held, *found])
        return present
