"""Decoders: success rate, false positives and milliseconds per frame of each barcode backend
(zxing, pyzbar, auto) on the real-photo corpus ``../shared/corpus/barcodes``, through the
product's own ``make_decoder`` and ``load_image``.

Success counts an image when the decoder reports the ground-truth text (line ends normalized,
a trailing newline ignored). "Wrong" counts images where it reported any other text: on
``falsepositives-1`` that is a false positive, elsewhere a misread. Success is measured twice:
on the image as it is (native size) and on the image fitted into a 640x480 frame (aspect kept,
edges replicated), which is what the camera hands the decoder; the timing is always on the
640x480 frames. The targets are judged on the 640x480 figures (the camera's case).

"auto" is the decoder for still images (pyzbar on every image zxing-cpp found nothing in);
"auto-live" the camera's (pyzbar on every third such frame): its success counts an image shown
for three frames in a row, as a code held in front of the camera is. Success targets are judged
on "auto", time targets on "auto-live"; false positives on both.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np
from benchlib import REPO_ROOT, Figure, percentile, print_figures, scaled

from pos_app.devices.decoding import LIVE_FALLBACK_EVERY, Decoder, load_image, make_decoder

CORPUS = Path(os.environ.get("BENCH_CORPUS", REPO_ROOT / ".." / "shared" / "corpus" / "barcodes"))
BACKENDS = ("zxing", "pyzbar", "auto", "auto-live")
GROUPS = ("qrcode", "ean13", "code128", "falsepositives")
TARGET_QR_MISSED_PCT = 10.0  # QR >= 90 %
TARGET_1D_MISSED_PCT = 15.0  # 1D >= 85 %
TARGET_MEDIAN_MS = 10.0
FRAME = (640, 480)


@dataclass(frozen=True)
class Item:
    group: str
    path: Path
    truth: str | None
    native: np.ndarray
    frame: np.ndarray  # fitted into 640x480


@dataclass
class Score:
    images: int = 0
    found_native: int = 0
    found_frame: int = 0
    wrong_native: int = 0
    wrong_frame: int = 0
    ms: list[float] = field(default_factory=list)


def norm(text: str) -> str:
    return text.replace("\r\n", "\n").rstrip("\n")


def fit_frame(image: np.ndarray, size: tuple[int, int] = FRAME) -> np.ndarray:
    w, h = size
    ih, iw = image.shape[:2]
    s = min(w / iw, h / ih)
    nw, nh = max(1, round(iw * s)), max(1, round(ih * s))
    resized = cv2.resize(image, (nw, nh), interpolation=cv2.INTER_AREA if s < 1 else cv2.INTER_LINEAR)
    top, left = (h - nh) // 2, (w - nw) // 2
    return cv2.copyMakeBorder(resized, top, h - nh - top, left, w - nw - left, cv2.BORDER_REPLICATE)


def load_corpus(root: Path = CORPUS) -> list[Item]:
    if not root.is_dir():
        raise FileNotFoundError(f"no barcode corpus at {root}")
    items = []
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        group = folder.name.split("-")[0]
        for path in sorted(folder.iterdir()):
            if path.suffix.lower() not in (".png", ".webp", ".jpg", ".jpeg"):
                continue
            truth_file = path.with_suffix(".txt")
            truth = norm(truth_file.read_text(encoding="utf-8")) if truth_file.exists() else None
            native = load_image(path)
            items.append(Item(group, path, truth, native, fit_frame(native)))
    return items


def _judge(decoder: Decoder, image: np.ndarray, truth: str | None, frames: int = 1) -> tuple[bool, bool]:
    """``frames``: the image shown that many frames in a row (what a held code gives the camera)."""
    texts = [norm(d.text) for _ in range(frames) for d in decoder.decode(image)]
    return truth is not None and truth in texts, any(t != truth for t in texts)


def measure(items: list[Item], backend: str, repeats: int) -> dict[str, Score]:
    decoder = make_decoder("auto", live=True) if backend == "auto-live" else make_decoder(backend)
    frames = LIVE_FALLBACK_EVERY if backend == "auto-live" else 1
    scores: dict[str, Score] = defaultdict(Score)
    for item in items:
        s = scores[item.group]
        s.images += 1
        found, wrong = _judge(decoder, item.native, item.truth, frames)
        s.found_native += found
        s.wrong_native += wrong
        found, wrong = _judge(decoder, item.frame, item.truth, frames)
        s.found_frame += found
        s.wrong_frame += wrong
    for _ in range(repeats):  # timing rounds, all images in turn (no caching between calls)
        for item in items:
            start = time.perf_counter_ns()
            decoder.decode(item.frame)
            scores[item.group].ms.append((time.perf_counter_ns() - start) / 1e6)
    return dict(scores)


def _linear(scores: dict[str, Score]) -> Score:
    out = Score()
    for g in ("ean13", "code128"):
        s = scores[g]
        out.images += s.images
        out.found_native += s.found_native
        out.found_frame += s.found_frame
        out.wrong_native += s.wrong_native
        out.wrong_frame += s.wrong_frame
        out.ms += s.ms
    return out


def table(results: dict[str, dict[str, Score]]) -> str:
    rows = ["| Backend | Symbology | Images | Found, native | Found, 640x480 | Wrong (native / 640x480) |"
            " Median ms | p95 ms |",
            "|---|---|---:|---:|---:|---:|---:|---:|"]
    for backend, scores in results.items():
        groups = {g: scores[g] for g in GROUPS if g in scores}
        groups["1D (ean13+code128)"] = _linear(scores)
        for g, s in groups.items():
            ms = sorted(s.ms)
            pos = g != "falsepositives"
            found_n = f"{s.found_native}/{s.images} ({100 * s.found_native / s.images:.0f} %)" if pos else "-"
            found_f = f"{s.found_frame}/{s.images} ({100 * s.found_frame / s.images:.0f} %)" if pos else "-"
            rows.append(f"| {backend} | {g} | {s.images} | {found_n} | {found_f} | {s.wrong_native} / {s.wrong_frame}"
                        f" | {statistics.median(ms):.2f} | {percentile(ms, 95):.2f} |")
    return "\n".join(rows)


def run() -> list[Figure]:
    items = load_corpus()
    repeats = scaled(5)
    print(f"   {len(items)} images from {CORPUS.resolve()}, {repeats} timing rounds at {FRAME[0]}x{FRAME[1]}",
          flush=True)
    results = {b: measure(items, b, repeats) for b in BACKENDS}
    print()
    print(table(results))
    auto, live = results["auto"], results["auto-live"]
    lin = _linear(auto)
    qr = auto["qrcode"]
    fp = auto["falsepositives"]
    wrong = sum(s.wrong_frame + s.wrong_native for s in auto.values())
    deficit = 0
    for g in ("qrcode", "ean13", "code128"):
        best = max(results[b][g].found_frame for b in ("zxing", "pyzbar"))
        deficit = max(deficit, best - auto[g].found_frame)
    empty_ms = sorted(live["falsepositives"].ms)
    all_ms = sorted(ms for s in live.values() for ms in s.ms)
    wrong += sum(s.wrong_frame + s.wrong_native for s in live.values())
    return [
        Figure("decoder auto: QR missed at 640x480", 100 * (1 - qr.found_frame / qr.images), "%",
               TARGET_QR_MISSED_PCT, f"{qr.found_frame}/{qr.images} found; native {qr.found_native}/{qr.images}"),
        Figure("decoder auto: 1D missed at 640x480", 100 * (1 - lin.found_frame / lin.images), "%",
               TARGET_1D_MISSED_PCT, f"{lin.found_frame}/{lin.images} found; native {lin.found_native}/{lin.images}"),
        Figure("decoder auto: false positives + misreads", float(wrong), "", 0,
               f"{fp.images} images without a code; both sizes, stills and live"),
        Figure("decoder auto: fewer found than best backend", float(deficit), "", 0, "worst symbology, 640x480"),
        Figure("decoder auto-live: median ms per 640x480 frame", statistics.median(all_ms), "ms",
               TARGET_MEDIAN_MS, f"p95 {percentile(all_ms, 95):.2f} ms"),
        Figure("decoder auto-live: median ms, no code in frame", statistics.median(empty_ms), "ms",
               TARGET_MEDIAN_MS, f"p95 {percentile(empty_ms, 95):.2f} ms"),
    ]


if __name__ == "__main__":
    figures = run()
    print_figures("decoders", figures)
    sys.exit(0)
