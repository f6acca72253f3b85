"""A small ESC/POS interpreter for tests: reads the bytes a printer would get and reports
the printed text lines (with the columns they take on paper, counted the way a printer in
Chinese mode prints: an ASCII byte is one column, a GB18030 character a two-column cell,
times the character size) and the events (QR, barcode, image, cut, drawer kick).

Written from the ESC/POS command reference, independently of pos_app's layout code.
Unknown commands raise, so a stray byte cannot pass unnoticed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

ESC, GS, FS, DLE = 0x1B, 0x1D, 0x1C, 0x10


class InterpretError(AssertionError):
    pass


@dataclass
class PrintedLine:
    text: str
    cells: int  # columns taken on paper
    bold: bool
    width_mul: int
    height_mul: int
    align: int


@dataclass
class Printout:
    lines: list[PrintedLine] = field(default_factory=list)
    events: list[tuple[Any, ...]] = field(default_factory=list)
    wide: list[bytes] = field(default_factory=list)  # each Chinese-mode character's bytes, in order

    @property
    def text(self) -> list[str]:
        return [ln.text for ln in self.lines]

    def kinds(self) -> list[str]:
        return [e[0] for e in self.events]

    def qr_codes(self) -> list[str]:
        return [e[1] for e in self.events if e[0] == "qr"]

    def barcodes(self) -> list[str]:
        return [e[2] for e in self.events if e[0] == "barcode"]


def _gb18030_char(data: bytes, i: int) -> tuple[str, int]:
    b0 = data[i]
    if not 0x81 <= b0 <= 0xFE:
        raise InterpretError(f"byte {b0:#x} at {i} is no GB18030 lead byte")
    b1 = data[i + 1]
    n = 4 if 0x30 <= b1 <= 0x39 else 2
    chunk = data[i:i + n]
    try:
        return chunk.decode("gb18030"), n
    except UnicodeDecodeError as exc:
        raise InterpretError(f"bad GB18030 sequence {chunk!r} at {i}") from exc


def interpret(data: bytes) -> Printout:
    out = Printout()
    i = 0
    chinese = False
    bold = False
    wmul = hmul = 1
    align = 0
    qr_store = b""
    line: list[str] = []
    cells = 0

    def end_line() -> None:
        nonlocal line, cells
        out.lines.append(PrintedLine("".join(line), cells, bold, wmul, hmul, align))
        line, cells = [], 0

    n = len(data)
    while i < n:
        b = data[i]
        if b == 0x0A:
            end_line()
            i += 1
        elif b == ESC:
            c = data[i + 1]
            if c == ord("@"):
                chinese, bold, wmul, hmul, align = False, False, 1, 1, 0
                out.events.append(("init",))
                i += 2
            elif c == ord("a"):
                align = data[i + 2] % 48
                i += 3
            elif c == ord("E"):
                bold = bool(data[i + 2] & 1)
                i += 3
            elif c == ord("-"):
                i += 3  # underline: not used in the checks
            elif c == ord("!"):
                m = data[i + 2]
                bold = bool(m & 0x08)
                hmul = 2 if m & 0x10 else 1
                wmul = 2 if m & 0x20 else 1
                i += 3
            elif c == ord("d"):
                if line or cells:
                    end_line()
                out.events.append(("feed", data[i + 2]))
                i += 3
            elif c == ord("p"):
                out.events.append(("drawer", data[i + 2]))
                i += 5
            elif c in (ord("t"), ord("M"), ord("3")):
                i += 3
            elif c == ord("2"):
                i += 2
            else:
                raise InterpretError(f"unknown ESC {c:#x} at {i}")
        elif b == GS:
            c = data[i + 1]
            if c == ord("!"):
                m = data[i + 2]
                wmul, hmul = (m >> 4) + 1, (m & 0x0F) + 1
                i += 3
            elif c == ord("(") and data[i + 2] == ord("k"):
                size = data[i + 3] + 256 * data[i + 4]
                body = data[i + 5:i + 5 + size]
                cn, fn = body[0], body[1]
                if cn != ord("1"):
                    raise InterpretError(f"GS ( k for symbol {cn:#x} is not QR")
                if fn == 80:
                    qr_store = body[3:]
                elif fn == 81:
                    out.events.append(("qr", qr_store.decode("utf-8")))
                i += 5 + size
            elif c == ord("v") and data[i + 2] == ord("0"):
                xb = data[i + 4] + 256 * data[i + 5]
                yd = data[i + 6] + 256 * data[i + 7]
                out.events.append(("image", xb * 8, yd, data[i + 8:i + 8 + xb * yd]))
                i += 8 + xb * yd
            elif c == ord("k"):
                m = data[i + 2]
                if m <= 6:
                    end = data.index(b"\x00", i + 3)
                    payload = data[i + 3:end]
                    i = end + 1
                else:
                    k = data[i + 3]
                    payload = data[i + 4:i + 4 + k]
                    i += 4 + k
                text = payload.decode("ascii")
                if m == 73 and text[:2] in ("{A", "{B", "{C"):
                    text = text[2:]
                out.events.append(("barcode", m, text))
            elif c == ord("V"):
                m = data[i + 2]
                out.events.append(("cut", m))
                i += 4 if m in (65, 66) else 3
            elif c in (ord("h"), ord("w"), ord("f"), ord("H")):
                i += 3
            else:
                raise InterpretError(f"unknown GS {c:#x} at {i}")
        elif b == FS:
            c = data[i + 1]
            if c == ord("&"):
                chinese = True
            elif c == ord("."):
                chinese = False
            else:
                raise InterpretError(f"unknown FS {c:#x} at {i}")
            i += 2
        elif b == DLE:
            raise InterpretError(f"real-time command DLE in print data at {i}")
        elif b < 0x20:
            raise InterpretError(f"control byte {b:#x} at {i}")
        elif b < 0x80:
            line.append(chr(b))
            cells += wmul
            i += 1
        else:
            if not chinese:
                raise InterpretError(f"byte {b:#x} at {i} outside Chinese mode would print from a code page")
            ch, size = _gb18030_char(data, i)
            out.wide.append(data[i:i + size])
            line.append(ch)
            cells += 2 * wmul
            i += size
    if line:
        end_line()
    return out
