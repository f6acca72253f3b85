"""Draw the application icon (resources/icons/pos-app.png and .ico): a red tile with a gold
points coin. Run once when the design changes; the files are committed.

    .venv/bin/python scripts/make_icon.py
"""

from __future__ import annotations

import math
from pathlib import Path

from PIL import Image, ImageDraw

OUT = Path(__file__).resolve().parents[1] / "resources" / "icons"
RED, GOLD, DARK_GOLD, WHITE = (200, 32, 40), (250, 196, 40), (196, 132, 8), (255, 255, 255)


def draw(size: int = 1024) -> Image.Image:
    img = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    s = size / 256
    d.rounded_rectangle((8 * s, 8 * s, 248 * s, 248 * s), radius=44 * s, fill=RED)
    d.ellipse((48 * s, 48 * s, 208 * s, 208 * s), fill=DARK_GOLD)
    d.ellipse((58 * s, 52 * s, 204 * s, 198 * s), fill=GOLD)
    # a five-pointed star: the points
    cx, cy, r_out, r_in = 131 * s, 125 * s, 52 * s, 21 * s
    pts = []
    for i in range(10):
        r = r_out if i % 2 == 0 else r_in
        a = -math.pi / 2 + i * math.pi / 5
        pts.append((cx + r * math.cos(a), cy + r * math.sin(a)))
    d.polygon(pts, fill=WHITE)
    return img


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    big = draw()
    big.resize((256, 256), Image.Resampling.LANCZOS).save(OUT / "pos-app.png")
    big.resize((256, 256), Image.Resampling.LANCZOS).save(
        OUT / "pos-app.ico", sizes=[(16, 16), (24, 24), (32, 32), (48, 48), (64, 64), (128, 128), (256, 256)])


if __name__ == "__main__":
    main()
