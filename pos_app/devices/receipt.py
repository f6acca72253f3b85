"""Paper documents (receipts, coupon slips, test pages, shift reports) as a small block model,
laid out in printer columns.

Width rule. A receipt printer prints an ASCII byte in one column (12 dots) and, in its
Chinese mode (FS &), every character of its character set from its double-byte font in one full cell
of two columns (24 dots). All non-ASCII text is sent in Chinese mode (see
``escpos_out``), so on paper:

- printable ASCII is 1 column;
- every other character is 2 columns. For Chinese, the ideographic yuan sign ``￥`` and
  full-width punctuation this is ``unicodedata.east_asian_width`` W/F. Characters that
  are narrow or ambiguous on a screen (``¥`` U+00A5, ``é``, ``ü``, ``ñ``, Greek, Cyrillic)
  are also printed from the double-byte font in Chinese mode, so they count 2 as well;
  counting them 1 would push every column after them one place to the right;
- format characters (zero-width spaces, direction marks) are dropped and control
  characters become spaces, so nothing invisible shifts a column.

Text is NFC-normalised first, so a decomposed ``e`` + U+0301 prints as one ``é``. The same
laid-out lines feed both the ESC/POS bytes and the on-screen preview, so they agree.

Character set. A printer's font holds one character set (setting ``printer.charset``):
``gbk`` (the default: what printers sold in mainland China hold), ``gb18030`` (every
Unicode character, rare ones as four-byte sequences), ``gb2312`` (older fonts) or ``ascii``
(no Chinese font). A character the set lacks would print as a blank or garbage, so
:func:`printable` replaces it before layout, and the bytes and the preview both show the
replacement. The fallback, for each character with the marks that follow it, takes the
first of these the set holds:

1. the character itself;
2. its compatibility form (NFKC): half-width katakana ``ｶ`` -> ``カ``, ``ｶﾞ`` -> ``ガ``,
   a voicing mark that composes with nothing ``ﾞ`` -> ``゛``,
   ligatures ``ﬁ`` -> ``fi``, full-width ``Ａ`` -> ``A`` in ``ascii``;
3. the fixed table :data:`FALLBACK`: ``¥`` -> ``￥`` (or ``Y``), ``ß`` -> ``ss``,
   ``Ø`` -> ``O``, ``€`` -> ``EUR`` ...;
4. the letter without its accents: ``ñ`` -> ``n``, ``ç`` -> ``c``, ``ğ`` -> ``g``,
   Greek ``ά`` -> ``α``;
5. otherwise :data:`REPLACEMENT` ``?`` (emoji, Hangul, 𠮷 in GBK, Chinese in ``ascii``).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

#: printer columns of Font A by paper width; 42 is the other common 80 mm column count
COLUMNS_BY_PAPER = {58: 32, 80: 48}
SUPPORTED_COLUMNS = (32, 42, 48)
ALIGNS = ("left", "center", "right")


#: printer character sets (``printer.charset``); the Python codec of each, None for ASCII only
CHARSETS: dict[str, str | None] = {"gbk": "gbk", "gb18030": "gb18030", "gb2312": "gb2312", "ascii": None}
DEFAULT_CHARSET = "gbk"
#: what a character the printer's font lacks prints as (see the module docstring)
REPLACEMENT = "?"
#: replacements tried, in order, for characters that neither the set nor their NFKC form holds
FALLBACK: dict[str, tuple[str, ...]] = {
    "¥": ("￥", "Y"), "￥": ("Y",), "€": ("EUR",), "£": ("GBP",), "ß": ("ss",), "ẞ": ("SS",),
    "Ø": ("O",), "ø": ("o",), "Æ": ("AE",), "æ": ("ae",), "Œ": ("OE",), "œ": ("oe",), "Đ": ("D",),
    "đ": ("d",), "Ð": ("D",), "ð": ("d",), "Ł": ("L",), "ł": ("l",), "Þ": ("Th",), "þ": ("th",),
    "ı": ("i",), "©": ("(C)",), "®": ("(R)",), "\uff9e": ("゛",), "\uff9f": ("゜",),
    "“": ('"',), "”": ('"',), "‘": ("'",), "’": ("'",), "—": ("-",), "–": ("-",), "…": ("...",),
    "·": (".",), "ー": ("－", "-"), "×": ("x",), "（": ("(",), "）": (")",), "，": (",",), "。": (".",), "：": (":",),
}


def check_charset(charset: str) -> str:
    if charset not in CHARSETS:
        raise ValueError(f"printer character set must be one of {', '.join(CHARSETS)}, got {charset!r}")
    return charset


def holds(text: str, charset: str) -> bool:
    """True when the printer's font in ``charset`` prints every character of ``text``."""
    codec = CHARSETS[charset]
    for ch in text:
        if ord(ch) < 0x80:
            continue
        if codec is None:
            return False
        try:
            ch.encode(codec)
        except UnicodeEncodeError:
            return False
    return True


def _joins(cluster: str, ch: str) -> bool:
    """``ch`` belongs to the character before it: a mark (accent, variation selector), or a
    half-width kana voicing mark that composes with it (``ｶﾞ`` is one ``ガ``)."""
    if unicodedata.category(ch).startswith("M"):
        return True
    return ch in "\uff9e\uff9f" and len(unicodedata.normalize("NFKC", cluster + ch)) == 1


def _substitute(cluster: str, charset: str) -> str:
    nfkc = unicodedata.normalize("NFKC", cluster)
    candidates = [cluster, nfkc, *FALLBACK.get(cluster, ()), *FALLBACK.get(nfkc, ())]
    candidates.append("".join(c for c in unicodedata.normalize("NFD", nfkc) if not unicodedata.combining(c)
                              and not unicodedata.category(c).startswith("M")))
    for candidate in candidates:
        if candidate and holds(candidate, charset):
            return unicodedata.normalize("NFC", candidate)
    return REPLACEMENT


def printable(text: object, charset: str = DEFAULT_CHARSET) -> str:
    """``text`` cleaned (:func:`clean`) with every character the printer's ``charset`` lacks
    replaced by the documented fallback (module docstring). The layout, the ESC/POS bytes
    and the preview all go through this, so paper and screen agree."""
    check_charset(charset)
    s = clean(text)
    if holds(s, charset):
        return s
    out: list[str] = []
    i = 0
    while i < len(s):
        j = i + 1
        while j < len(s) and _joins(s[i:j], s[j]):
            j += 1
        cluster = s[i:j]
        out.append(cluster if holds(cluster, charset) else _substitute(cluster, charset))
        i = j
    return "".join(out)


def columns_for_paper(paper_mm: int) -> int:
    if paper_mm not in COLUMNS_BY_PAPER:
        raise ValueError(f"paper width must be one of {sorted(COLUMNS_BY_PAPER)} mm, got {paper_mm}")
    return COLUMNS_BY_PAPER[paper_mm]


# ----------------------------------------------------------------------------- width


def char_width(ch: str) -> int:
    """Columns one (already cleaned) character takes on paper: 1 for ASCII, else 2."""
    if ord(ch) < 0x80:
        return 1
    if unicodedata.east_asian_width(ch) in ("W", "F"):
        return 2
    return 2  # printed from the double-byte font in Chinese mode (see the module docstring)


def text_width(text: str) -> int:
    return sum(char_width(ch) for ch in text)


def clean(text: object) -> str:
    """Printable text: NFC, format characters dropped, control characters (tabs, newlines)
    turned into spaces."""
    s = unicodedata.normalize("NFC", str(text))
    out = []
    for ch in s:
        cat = unicodedata.category(ch)
        if cat == "Cf":
            continue
        out.append(" " if cat == "Cc" or cat in ("Zl", "Zp") else ch)
    return "".join(out)


def wrap(text: str, width: int) -> list[str]:
    """Break ``text`` into lines of at most ``width`` columns, never inside a character;
    prefers to break ASCII text at a space. Always at least one (possibly empty) line."""
    if width < 2:
        raise ValueError("width must be at least 2 columns")
    text = clean(text)
    lines: list[str] = []
    cur: list[str] = []
    used = 0
    last_space = -1
    for ch in text:
        w = char_width(ch)
        if used + w > width:
            if last_space > 0 and ch != " ":
                head, tail = cur[:last_space], cur[last_space + 1:]
                lines.append("".join(head).rstrip())
                cur, used = tail, text_width("".join(tail))
            else:
                lines.append("".join(cur).rstrip())
                cur, used = [], 0
            last_space = -1
            if ch == " " and not cur:
                continue
        if ch == " ":
            last_space = len(cur)
        cur.append(ch)
        used += w
    lines.append("".join(cur).rstrip())
    return lines


def fit(text: str, width: int) -> str:
    """``text`` cut to at most ``width`` columns (never half a character)."""
    out, used = [], 0
    for ch in clean(text):
        w = char_width(ch)
        if used + w > width:
            break
        out.append(ch)
        used += w
    return "".join(out)


def pad(text: str, width: int, align: str = "left") -> str:
    """``text`` (fitted) padded with spaces to exactly ``width`` columns."""
    text = fit(text, width)
    room = width - text_width(text)
    if align == "right":
        return " " * room + text
    if align == "center":
        return " " * (room // 2) + text + " " * (room - room // 2)
    return text + " " * room


# ----------------------------------------------------------------------------- blocks


@dataclass(frozen=True)
class TextLine:
    """One printed line, already padded to the paper's columns (``big``: double width and
    height, so the text holds half as many columns)."""

    text: str
    bold: bool = False
    big: bool = False


@dataclass(frozen=True)
class Qr:
    data: str


@dataclass(frozen=True)
class Barcode:
    data: str  # CODE128


@dataclass(frozen=True)
class Raster:
    """A 1-bit image: ``rows`` is ``height`` rows of ``width_bytes`` bytes, MSB first, 1 = black."""

    width_bytes: int
    height: int
    rows: bytes


@dataclass(frozen=True)
class Feed:
    lines: int = 1


@dataclass(frozen=True)
class Cut:
    pass


@dataclass(frozen=True)
class DrawerKick:
    pass


Block = TextLine | Qr | Barcode | Raster | Feed | Cut | DrawerKick


@dataclass(frozen=True)
class Document:
    columns: int
    blocks: tuple[Block, ...]
    title: str = ""  # what the document is, e.g. the receipt number (for logs and the preview's title)
    charset: str = DEFAULT_CHARSET  # the printer font's character set its text was laid out for

    def text_lines(self) -> list[str]:
        """The printed text lines, in order (images, codes, cuts left out)."""
        return [b.text for b in self.blocks if isinstance(b, TextLine)]

    def render_text(self) -> str:
        """A plain-text picture of the paper: text lines, codes as ``[QR ...]`` marks."""
        out: list[str] = []
        for b in self.blocks:
            if isinstance(b, TextLine):
                out.append(b.text.rstrip())
            elif isinstance(b, Qr):
                out.append(pad(f"[QR {b.data}]", self.columns, "center").rstrip())
            elif isinstance(b, Barcode):
                out.append(pad(f"[|||| {b.data}]", self.columns, "center").rstrip())
            elif isinstance(b, Raster):
                out.append(pad("[logo]", self.columns, "center").rstrip())
            elif isinstance(b, Feed):
                out.extend([""] * b.lines)
            elif isinstance(b, Cut):
                out.append("-" * self.columns + " (cut)")
            elif isinstance(b, DrawerKick):
                out.append("(open drawer)")
        return "\n".join(out) + "\n"


@dataclass
class Layout:
    """Builds a :class:`Document` line by line, wrapping and aligning by display width."""

    columns: int
    blocks: list[Block] = field(default_factory=list)
    charset: str = DEFAULT_CHARSET

    def __post_init__(self) -> None:
        if self.columns not in SUPPORTED_COLUMNS:
            raise ValueError(f"columns must be one of {SUPPORTED_COLUMNS}, got {self.columns}")
        check_charset(self.charset)

    def text(self, text: str, align: str = "left", *, bold: bool = False, big: bool = False) -> Layout:
        width = self.columns // 2 if big else self.columns
        for part in wrap(printable(text, self.charset), width):
            self.blocks.append(TextLine(pad(part, width, align), bold=bold, big=big))
        return self

    def lines(self, texts: Iterable[str], align: str = "left") -> Layout:
        for t in texts:
            self.text(t, align)
        return self

    def pair(self, left: str, right: str, *, bold: bool = False, indent: int = 0) -> Layout:
        """``left`` at the left, ``right`` right-aligned on the same line; a ``left`` too long
        for the line wraps and ``right`` goes on its last line (or a line of its own)."""
        left, right = printable(left, self.charset), printable(right, self.charset)
        rw = text_width(right)
        if rw > self.columns - 2:  # a huge value: on its own line
            self.text(" " * indent + left, bold=bold)
            self.text(right, "right", bold=bold)
            return self
        parts = wrap(left, self.columns - indent) if left else [""]
        for part in parts[:-1]:
            self.blocks.append(TextLine(pad(" " * indent + part, self.columns), bold=bold))
        last = " " * indent + parts[-1]
        if text_width(last) + 1 + rw > self.columns:
            self.blocks.append(TextLine(pad(last, self.columns), bold=bold))
            last = ""
        self.blocks.append(TextLine(pad(last, self.columns - rw) + right, bold=bold))
        return self

    def table(self, cells: list[str], widths: list[int], aligns: list[str], *, bold: bool = False) -> Layout:
        """A row of columns; the first column wraps (the others are cut to fit), one space
        between columns. ``widths`` must add up to the paper's columns with the gaps."""
        if sum(widths) + len(widths) - 1 != self.columns:
            raise ValueError(f"column widths {widths} do not fill {self.columns} columns")
        cells = [printable(cell, self.charset) for cell in cells]
        first = wrap(cells[0], widths[0])
        for i, part in enumerate(first):
            row = [pad(part, widths[0], aligns[0])]
            for cell, w, a in zip(cells[1:], widths[1:], aligns[1:], strict=True):
                row.append(pad(cell if i == 0 else "", w, a))
            self.blocks.append(TextLine(" ".join(row), bold=bold))
        return self

    def rule(self, ch: str = "-") -> Layout:
        self.blocks.append(TextLine(ch * self.columns))
        return self

    def blank(self) -> Layout:
        self.blocks.append(TextLine(" " * self.columns))
        return self

    def qr(self, data: str) -> Layout:
        self.blocks.append(Qr(data))
        return self

    def barcode(self, data: str) -> Layout:
        self.blocks.append(Barcode(data))
        return self

    def raster(self, image: Raster | None) -> Layout:
        if image is not None:
            self.blocks.append(image)
        return self

    def feed(self, lines: int = 1) -> Layout:
        self.blocks.append(Feed(lines))
        return self

    def drawer(self) -> Layout:
        self.blocks.append(DrawerKick())
        return self

    def cut(self) -> Layout:
        self.blocks.append(Cut())
        return self

    def build(self, title: str = "") -> Document:
        return Document(self.columns, tuple(self.blocks), title, self.charset)


def load_raster(path: str | Path, max_width_px: int = 384) -> Raster | None:
    """A small logo image as a 1-bit raster (dark pixels print black); None when the file is
    missing or unreadable, so a receipt never fails for its logo."""
    try:
        from PIL import Image

        with Image.open(path) as im:
            gray = im.convert("L")
            if gray.width > max_width_px:
                gray = gray.resize((max_width_px, max(1, gray.height * max_width_px // gray.width)))
            width, height = gray.size
            px = gray.load()
            width_bytes = (width + 7) // 8
            rows = bytearray()
            for y in range(height):
                for xb in range(width_bytes):
                    byte = 0
                    for bit in range(8):
                        x = xb * 8 + bit
                        if x < width and px[x, y] < 128:  # type: ignore[index, operator]
                            byte |= 0x80 >> bit
                    rows.append(byte)
    except (OSError, ValueError):
        return None
    return Raster(width_bytes, height, bytes(rows))
