"""Barcode decoding of camera frames and still images (Qt-free).

Two backends behind one interface, both restricted to the symbologies member cards and
products use (QR, Code 128, EAN-13, EAN-8, UPC-A) and reporting the same normalized names:

- ``ZxingDecoder`` (zxing-cpp): the default; measured better and faster on real photos
  (``benchmarks/bench_decoders.py``, docs/benchmarks.md "Decoders").
- ``PyzbarDecoder`` (pyzbar + the zbar C library): the second backend; it exists only when
  libzbar loads, otherwise ``DecoderUnavailable`` says so (never an ImportError at import time).
- ``make_decoder("auto")``: zxing-cpp, and pyzbar only for a frame where zxing-cpp found
  nothing (when pyzbar is installed). On the corpus this is at least as good as either backend
  alone on every symbology, with no false positives. A pyzbar pass on a 640x480 frame without a
  code costs about 12 ms against zxing-cpp's 3 ms, and most camera frames hold no code, so for
  the camera (``live=True``) pyzbar runs on every third empty frame only: a code held in front
  of the camera is still seen by it within a tenth of a second at 30 fps.

Normalization: "QRCode", "Code128", "EAN-13", "EAN-8", "UPC-A"; EAN/UPC texts always carry
their check digit (EAN-13: 13 digits, EAN-8: 8, UPC-A: 12). zbar and zxing-cpp 3.x report a UPC-A
symbol as an EAN-13 with a leading 0 (the bars are the same); it is reported here as UPC-A with
12 digits by both backends.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import cv2
import numpy as np
import zxingcpp

from pos_app.core.errors import InvalidInput

log = logging.getLogger(__name__)

QR, CODE128, EAN13, EAN8, UPCA = "QRCode", "Code128", "EAN-13", "EAN-8", "UPC-A"
FORMATS = (QR, CODE128, EAN13, EAN8, UPCA)
LINEAR_FORMATS = frozenset({CODE128, EAN13, EAN8, UPCA})
BACKENDS = ("auto", "zxing", "pyzbar")
_DIGITS = {EAN13: 13, EAN8: 8, UPCA: 12}


class DecoderUnavailable(InvalidInput):
    """The chosen decoder backend cannot run on this machine (e.g. libzbar is missing)."""


@dataclass(frozen=True)
class Decoded:
    """One symbol found in a frame: normalized format name and its text; ``box`` (x, y, width,
    height in the frame's pixels) where it was found, when the backend says (not part of equality:
    the same code at another place is the same code)."""

    format: str
    text: str
    box: tuple[int, int, int, int] | None = field(default=None, compare=False, hash=False, repr=False)


class Decoder(Protocol):
    """Decodes one frame (numpy uint8: BGR ``HxWx3``, BGRA ``HxWx4`` or gray ``HxW``)."""

    name: str

    def decode(self, frame: np.ndarray) -> list[Decoded]: ...


def to_gray(frame: object) -> np.ndarray:
    """A contiguous 8-bit gray image from a BGR/BGRA/gray frame; anything else is an InvalidInput."""
    if not isinstance(frame, np.ndarray):
        raise InvalidInput("frame", f"expected a numpy image, got {type(frame).__name__}")
    if frame.dtype != np.uint8:
        raise InvalidInput("frame", f"expected 8-bit pixels, got {frame.dtype}")
    if frame.ndim == 3 and frame.shape[2] == 1:
        frame = frame[:, :, 0]
    if frame.ndim == 3 and frame.shape[2] == 3:
        gray = cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)
    elif frame.ndim == 3 and frame.shape[2] == 4:
        gray = cv2.cvtColor(frame, cv2.COLOR_BGRA2GRAY)
    elif frame.ndim == 2:
        gray = frame
    else:
        raise InvalidInput("frame", f"expected a gray, BGR or BGRA image, got shape {frame.shape}")
    if gray.shape[0] < 1 or gray.shape[1] < 1:
        raise InvalidInput("frame", "the image is empty")
    return np.ascontiguousarray(gray)


def _normalized(fmt: str, text: str) -> tuple[str, str]:
    """An EAN-13 with a leading 0 is a UPC-A symbol (the same bars): both zbar and zxing-cpp 3.x
    report it as EAN-13 when EAN-13 is enabled too; it is reported as UPC-A with 12 digits."""
    if fmt == EAN13 and len(text) == 13 and text.startswith("0"):
        return UPCA, text[1:]
    return fmt, text


def _check_digits(fmt: str, text: str) -> bool:
    n = _DIGITS.get(fmt)
    return n is None or (len(text) == n and text.isdigit())


def _unique(found: list[Decoded]) -> list[Decoded]:
    return list(dict.fromkeys(found))


# ------------------------------------------------------------------------------------------ zxing-cpp


def _zxing_formats() -> dict[Any, str]:
    f = zxingcpp.BarcodeFormat
    return {f.QRCode: QR, f.Code128: CODE128, f.EAN13: EAN13, f.EAN8: EAN8, f.UPCA: UPCA}


def _quad(barcode: Any) -> np.ndarray:
    p = barcode.position
    return np.array([[p.top_left.x, p.top_left.y], [p.top_right.x, p.top_right.y],
                     [p.bottom_right.x, p.bottom_right.y], [p.bottom_left.x, p.bottom_left.y]], dtype=float)


def _box(q: np.ndarray) -> tuple[int, int, int, int]:
    x0, y0 = np.floor(q.min(axis=0)).astype(int)
    x1, y1 = np.ceil(q.max(axis=0)).astype(int)
    return int(x0), int(y0), int(max(1, x1 - x0)), int(max(1, y1 - y0))


def _bar_height(q: np.ndarray) -> float:
    """How far the read extends along the bars (how many scan lines agreed)."""
    return float((np.linalg.norm(q[3] - q[0]) + np.linalg.norm(q[2] - q[1])) / 2)


def _same_symbol(a: np.ndarray, b: np.ndarray) -> bool:
    """Two linear reads that lie on one physical symbol: along a's reading direction they overlap
    by at least half of the shorter one, and across it they are less than half a symbol apart."""
    u = a[1] - a[0]
    length = float(np.linalg.norm(u))
    if length == 0:
        return False
    u /= length
    v = np.array([-u[1], u[0]])
    pa, pb = a @ u, b @ u
    overlap = min(pa.max(), pb.max()) - max(pa.min(), pb.min())
    if overlap < 0.5 * min(np.ptp(pa), np.ptp(pb)):
        return False
    qa, qb = a @ v, b @ v
    gap = max(qb.min() - qa.max(), qa.min() - qb.max())
    return bool(gap < 0.5 * length)


class ZxingDecoder:
    """zxing-cpp, restricted to FORMATS, plain text (GS1 separators kept as they are encoded).

    One correction: zxing-cpp sometimes returns a second, different linear read from a few scan
    lines at the edge of a real symbol (a wrong EAN-13 with a valid check digit). When two
    different linear reads lie on one physical symbol, only the one that more scan lines agreed
    on is kept; a wrong product code is worse than a missed frame."""

    name = "zxing"

    def __init__(self) -> None:
        self._names = _zxing_formats()
        wanted: Any = tuple(self._names)
        try:  # zxing-cpp 3.x: a sequence of formats (the | operator is deprecated)
            zxingcpp.read_barcodes(np.zeros((8, 8), np.uint8), formats=wanted)
            self._formats: Any = wanted
        except TypeError:  # zxing-cpp 2.x: BarcodeFormat flags
            flags = wanted[0]
            for f in wanted[1:]:
                flags = flags | f
            self._formats = flags

    def decode(self, frame: np.ndarray) -> list[Decoded]:
        gray = to_gray(frame)
        results = zxingcpp.read_barcodes(gray, formats=self._formats, text_mode=zxingcpp.TextMode.Plain)
        reads = []
        for r in results:
            fmt = self._names.get(r.format)
            if fmt is None or not r.text:
                continue
            fmt, text = _normalized(fmt, r.text)
            if _check_digits(fmt, text):
                reads.append((fmt, text, _quad(r)))
        kept = []
        for fmt, text, quad in reads:
            if fmt in LINEAR_FORMATS and any(
                t2 != text and f2 in LINEAR_FORMATS and _bar_height(q2) > _bar_height(quad) and _same_symbol(q2, quad)
                for f2, t2, q2 in reads
            ):
                log.debug("dropped a linear read %s %r that conflicts with a better one", fmt, text)
                continue
            kept.append(Decoded(fmt, text, _box(quad)))
        return _unique(kept)


# ------------------------------------------------------------------------------------------ pyzbar


def pyzbar_status() -> tuple[bool, str]:
    """Whether pyzbar and its zbar C library load here, and if not, why (for settings and logs)."""
    try:
        from pyzbar import pyzbar  # noqa: F401  (loads libzbar through ctypes)
    except ImportError as exc:  # pyzbar raises ImportError when libzbar is not found
        return False, f"pyzbar cannot load the zbar library (install libzbar0): {exc}"
    except OSError as exc:
        return False, f"the zbar library does not load: {exc}"
    return True, ""


class PyzbarDecoder:
    """pyzbar (zbar), restricted to FORMATS; raises DecoderUnavailable when libzbar is missing."""

    name = "pyzbar"

    def __init__(self) -> None:
        ok, why = pyzbar_status()
        if not ok:
            raise DecoderUnavailable("decoder_backend", why)
        from pyzbar import pyzbar

        self._pyzbar = pyzbar
        sym = pyzbar.ZBarSymbol
        self._symbols = [sym.QRCODE, sym.CODE128, sym.EAN13, sym.EAN8, sym.UPCA]
        self._names = {"QRCODE": QR, "CODE128": CODE128, "EAN13": EAN13, "EAN8": EAN8, "UPCA": UPCA}

    def decode(self, frame: np.ndarray) -> list[Decoded]:
        gray = to_gray(frame)
        found = []
        for s in self._pyzbar.decode(gray, symbols=self._symbols):
            fmt = self._names.get(s.type)
            if fmt is None or not s.data:
                continue
            try:
                text = s.data.decode("utf-8")
            except UnicodeDecodeError:
                text = s.data.decode("latin-1")
            fmt, text = _normalized(fmt, text)
            if _check_digits(fmt, text):
                r = s.rect
                found.append(Decoded(fmt, text, (int(r.left), int(r.top), int(r.width), int(r.height))))
        return _unique(found)


# ------------------------------------------------------------------------------------------ auto


LIVE_FALLBACK_EVERY = 3  # camera frames: the fallback decoders see every third frame the first found nothing in


class FallbackDecoder:
    """The first decoder; the next ones only for a frame where the first found nothing, and then
    only for every ``fallback_every``-th such frame (1: every one). Not thread-safe (it counts)."""

    def __init__(self, decoders: Sequence[Decoder], *, fallback_every: int = 1) -> None:
        if not decoders:
            raise ValueError("at least one decoder")
        if fallback_every < 1:
            raise InvalidInput("fallback_every", "must be at least 1")
        self.decoders = list(decoders)
        self.fallback_every = fallback_every
        self._empty = 0
        self.name = "auto(" + "+".join(d.name for d in self.decoders) + ")"

    def decode(self, frame: np.ndarray) -> list[Decoded]:
        first, *rest = self.decoders
        found = first.decode(frame)
        if found or not rest:
            return found
        self._empty += 1
        if self._empty % self.fallback_every:
            return []
        for d in rest:
            found = d.decode(frame)
            if found:
                return found
        return []


def make_decoder(backend: str = "auto", *, live: bool = False) -> Decoder:
    """``auto`` (zxing-cpp, then pyzbar for frames zxing-cpp found nothing in, when pyzbar loads;
    ``live``: camera frames, pyzbar on every third empty frame), ``zxing`` or ``pyzbar``. An unknown
    name is an InvalidInput naming ``decoder_backend``; pyzbar without libzbar is a DecoderUnavailable."""
    if backend not in BACKENDS:
        raise InvalidInput("decoder_backend", f"must be one of {', '.join(BACKENDS)}: {backend!r}", options=BACKENDS)
    if backend == "zxing":
        return ZxingDecoder()
    if backend == "pyzbar":
        return PyzbarDecoder()
    try:
        return FallbackDecoder([ZxingDecoder(), PyzbarDecoder()],
                               fallback_every=LIVE_FALLBACK_EVERY if live else 1)
    except DecoderUnavailable as exc:
        log.info("decoder auto: zxing-cpp only (%s)", exc.message)
        return FallbackDecoder([ZxingDecoder()])


# ------------------------------------------------------------------------------------------ still images


def load_image(path: str | Path) -> np.ndarray:
    """A BGR image from a file (PNG, JPEG, WebP, ...); an InvalidInput naming ``file`` when the file
    is missing or is not an image. Reads bytes first (paths with any characters work everywhere),
    decodes with OpenCV and falls back to Pillow for what OpenCV's codecs refuse (tiny WebP files)."""
    p = Path(path)
    try:
        data = np.fromfile(str(p), dtype=np.uint8)
    except OSError as exc:
        raise InvalidInput("file", f"cannot read {p}: {exc.strerror or exc}") from None
    # OpenCV logs an error for files too small for its WebP header; those go to Pillow directly
    image = cv2.imdecode(data, cv2.IMREAD_COLOR) if data.size >= 64 else None
    if image is None and data.size:
        try:
            from PIL import Image

            with Image.open(p) as im:
                image = cv2.cvtColor(np.asarray(im.convert("RGB")), cv2.COLOR_RGB2BGR)
        except Exception:  # Pillow missing or not an image either
            image = None
    if image is None:
        raise InvalidInput("file", f"not an image this decoder can read: {p}")
    return image
