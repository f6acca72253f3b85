"""Keyboard-wedge scanners: telling a scanner's burst of keys from a person typing (pure, Qt-free).

A wedge scanner "types" a code much faster than a person, then Enter (or Tab). The
decoder sees every key press with its time and says what to do with it:

- the first key of a possible burst is delivered at once when the caller can take it back
  later (``may_pass``: a text field whose state was saved), otherwise it is held;
- keys that follow within ``max_gap_ms`` are held;
- a terminator within the gap, after at least ``min_length`` characters (prefix and suffix
  stripped), makes a scan: what the burst showed is taken back, the held keys and the
  terminator are dropped and the text is reported;
- anything else (a slow key, a too-short or unframed burst, another key) replays the held
  keys, in order, before the key that broke the burst.

Only the keys' own times judge a burst. The caller's hold timer (``expire``) decides when held
keys are shown, not whether the burst has ended: a key that arrives late but carries a time
within the gap of the burst's last key still continues it (a loaded window system, a remote
desktop or a Bluetooth link can hand keys over late and in clumps), and if the burst then
makes a scan, the keys shown meanwhile are taken back too.

Timestamps are milliseconds from any monotonic clock (the window system's key stamps in the
window); tests feed synthetic ones.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Generic, Literal, TypeVar

K = TypeVar("K")  # the caller's key (a copy of a Qt key event, or anything in tests)

KeyKind = Literal["char", "enter", "tab", "modifier", "other"]
TERMINATORS = {"enter": ("enter",), "tab": ("tab",), "enter_or_tab": ("enter", "tab")}
MAX_SCAN_LENGTH = 256  # longer bursts are not scans (and bound what is held)


@dataclass(frozen=True)
class WedgeConfig:
    max_gap_ms: float = 50
    min_length: int = 6
    prefix: str = ""
    suffix: str = ""
    terminator: str = "enter_or_tab"

    def __post_init__(self) -> None:
        if self.terminator not in TERMINATORS:
            raise ValueError(f"terminator must be one of {', '.join(TERMINATORS)}: {self.terminator!r}")
        if self.max_gap_ms <= 0 or self.min_length < 1:
            raise ValueError("max_gap_ms and min_length must be positive")


@dataclass(frozen=True)
class Step(Generic[K]):
    """What to do for one key.

    ``replay``: held keys to deliver now, in order, before anything else;
    ``current``: "pass" (deliver this key), "hold" (keep it; it comes back in a later replay)
    or "drop" (the terminator of a scan);
    ``undo``: take back what the burst delivered earlier (its first key, and the keys shown
    when the hold ran out);
    ``scan``: the scanned text (prefix and suffix stripped), or None.
    """

    current: Literal["pass", "hold", "drop"]
    replay: tuple[K, ...] = ()
    undo: bool = False
    scan: str | None = None


@dataclass
class WedgeDecoder(Generic[K]):
    """The burst state machine. ``feed`` every key press; call ``expire`` when no key came for
    longer than the gap while keys are held (the caller's timer), ``end`` to close the burst."""

    config: WedgeConfig = field(default_factory=WedgeConfig)
    _keys: list[tuple[K, str]] = field(default_factory=list)
    _shown: int = 0  # keys of the burst already delivered (the first that passed, the expired ones)
    _last_at: float = 0.0
    _overlong: bool = False  # a burst past MAX_SCAN_LENGTH: typed through until a pause

    @property
    def holding(self) -> bool:
        """Keys are waiting: the caller should run its timer and call ``expire``."""
        return len(self._keys) > self._shown

    @property
    def pending(self) -> str:
        """The characters of the burst in progress."""
        return "".join(text for _key, text in self._keys)

    def _held(self) -> tuple[K, ...]:
        return tuple(key for key, _text in self._keys[self._shown:])

    def end(self) -> tuple[K, ...]:
        """Close the burst (new settings, a new time base, the filter removed): the held keys,
        to deliver in order."""
        held = self._held()
        self._keys = []
        self._shown = 0
        return held

    def expire(self) -> tuple[K, ...]:
        """The hold ran out (a person typed, a burst stopped without its terminator, or its
        keys are late): the held keys, to deliver in order. The burst stays open: a key whose
        time is within the gap of its last key still continues it."""
        held = self._held()
        self._shown = len(self._keys)
        return held

    def feed(self, key: K, *, kind: KeyKind, text: str = "", at: float, may_pass: bool = False) -> Step[K]:
        cfg = self.config
        if kind == "modifier":  # Shift pressed for an upper-case letter belongs to the burst
            return Step("pass")
        in_burst = (bool(self._keys) or self._overlong) and at - self._last_at <= cfg.max_gap_ms
        if self._overlong:
            if in_burst:
                self._last_at = at
                return Step("pass")
            self._overlong = False
        if kind == "char" and len(text) == 1:
            if in_burst and len(self._keys) >= MAX_SCAN_LENGTH:
                self._overlong = True
                self._last_at = at
                return Step("pass", replay=self.end())
            if in_burst:
                self._keys.append((key, text))
                self._last_at = at
                return Step("hold")
            replay = self.end()
            self._keys = [(key, text)]
            self._shown = 1 if may_pass else 0
            self._last_at = at
            return Step("pass" if may_pass else "hold", replay=replay)
        if kind in TERMINATORS[cfg.terminator] and in_burst:
            scan = self._framed(self.pending)
            if scan is not None:
                undo = self._shown > 0
                self._keys = []
                self._shown = 0
                return Step("drop", undo=undo, scan=scan)
        return Step("pass", replay=self.end())

    def _framed(self, text: str) -> str | None:
        cfg = self.config
        if not (text.startswith(cfg.prefix) and text.endswith(cfg.suffix)):
            return None
        if len(text) < len(cfg.prefix) + len(cfg.suffix):
            return None
        body = text[len(cfg.prefix):len(text) - len(cfg.suffix)]
        return body if len(body) >= cfg.min_length else None
