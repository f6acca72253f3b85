"""The keyboard-wedge burst decoder, with synthetic key times (milliseconds)."""

from __future__ import annotations

import pytest

from pos_app.devices.wedge import KeyKind, Step, WedgeConfig, WedgeDecoder


class Field:
    """What a text field would show: passed keys land at once, replays later, undo takes back what
    the burst showed (its first key, and the keys replayed when the hold ran out)."""

    def __init__(self, config: WedgeConfig | None = None, *, may_pass: bool = True) -> None:
        self.decoder: WedgeDecoder[str] = WedgeDecoder(config or WedgeConfig())
        self.may_pass = may_pass
        self.text = ""
        self.scans: list[str] = []
        self.entered = 0  # terminators the field itself received
        self._undo_to: int | None = None  # the text's length before the burst showed anything

    def _apply(self, key: str, step: Step[str]) -> None:
        for k in step.replay:
            self.text += k
        if step.replay:
            self._undo_to = None  # a burst that ended
        if step.undo:
            assert self._undo_to is not None
            self.text = self.text[:self._undo_to]
        if step.scan is not None:
            self.scans.append(step.scan)
            self._undo_to = None
        if step.current == "pass":
            if key in ("\r", "\t"):
                self.entered += 1
            elif len(key) == 1:
                self._undo_to = len(self.text)
                self.text += key

    def key(self, key: str, at: float) -> Step[str]:
        kind: KeyKind = {"\r": "enter", "\t": "tab", "<shift>": "modifier", "<esc>": "other"}.get(key, "char")
        step = self.decoder.feed(key, kind=kind, text=key if kind == "char" else "", at=at, may_pass=self.may_pass)
        self._apply(key, step)
        return step

    def type(self, text: str, *, start: float = 0.0, gap: float = 10.0) -> float:
        at = start
        for ch in text:
            self.key(ch, at)
            at += gap
        return at

    def expire(self) -> None:
        shown = self.decoder.expire()
        if shown and self._undo_to is None:
            self._undo_to = len(self.text)
        self.text += "".join(shown)


def test_fast_burst_with_enter_is_a_scan_and_leaves_nothing() -> None:
    f = Field()
    f.text = "typed "
    at = f.type("2900000000428", start=1000, gap=8)
    step = f.key("\r", at)
    assert f.scans == ["2900000000428"]
    assert step.current == "drop" and step.undo
    assert f.text == "typed " and f.entered == 0
    assert not f.decoder.holding


def test_the_same_characters_at_human_speed_are_typing() -> None:
    f = Field()
    at = f.type("2900000000428", gap=180)
    f.key("\r", at + 200)
    assert f.scans == []
    assert f.text == "2900000000428" and f.entered == 1


def test_two_quick_human_keys_come_out_in_order() -> None:
    f = Field()
    assert f.key("a", 0).current == "pass"
    assert f.key("b", 20).current == "hold"
    assert f.decoder.holding
    f.expire()  # the caller's timer: nothing followed
    assert f.text == "ab" and f.scans == []
    f.key("c", 400)
    assert f.text == "abc"


def test_a_slow_key_after_a_short_burst_replays_the_held_keys_first() -> None:
    f = Field()
    f.type("abc", gap=10)
    assert f.text == "a"
    f.key("d", 500)
    assert f.text == "abcd"


def test_short_burst_with_enter_is_typing_and_enter_reaches_the_field() -> None:
    f = Field()
    at = f.type("12345", gap=5)  # one short of the minimum length
    step = f.key("\r", at)
    assert step.current == "pass" and step.scan is None
    assert f.text == "12345" and f.entered == 1


def test_minimum_length_counts_the_text_without_prefix_and_suffix() -> None:
    cfg = WedgeConfig(min_length=4, prefix="]C", suffix="#")
    f = Field(cfg)
    at = f.type("]CABCD#", gap=3)
    f.key("\r", at)
    assert f.scans == ["ABCD"] and f.text == ""
    g = Field(cfg)
    at = g.type("]CABC#", gap=3)
    g.key("\r", at)
    assert g.scans == [] and g.text == "]CABC#"


def test_prefix_and_suffix_must_frame_the_burst() -> None:
    f = Field(WedgeConfig(prefix="*", suffix="*"))
    at = f.type("*6901234567892*", gap=5)
    f.key("\r", at)
    assert f.scans == ["6901234567892"]
    g = Field(WedgeConfig(prefix="*", suffix="*"))
    at = g.type("6901234567892", gap=5)  # fast but unframed: not this scanner
    g.key("\r", at)
    assert g.scans == [] and g.text == "6901234567892" and g.entered == 1


@pytest.mark.parametrize(("terminator", "key", "scans"), [
    ("enter", "\r", True), ("enter", "\t", False), ("tab", "\t", True), ("tab", "\r", False),
    ("enter_or_tab", "\t", True), ("enter_or_tab", "\r", True),
])
def test_terminator_setting(terminator: str, key: str, scans: bool) -> None:
    f = Field(WedgeConfig(terminator=terminator))
    at = f.type("CP3F9A0B1C2D4E", gap=4)
    f.key(key, at)
    assert (f.scans == ["CP3F9A0B1C2D4E"]) is scans
    assert f.text == ("" if scans else "CP3F9A0B1C2D4E")


def test_a_late_terminator_is_not_part_of_the_burst() -> None:
    f = Field()
    at = f.type("6901234567892", gap=5)
    f.key("\r", at + 60)  # gap 65 ms > 50
    assert f.scans == [] and f.entered == 1 and f.text == "6901234567892"


def test_gap_limit_is_inclusive_and_configurable() -> None:
    f = Field(WedgeConfig(max_gap_ms=20))
    at = f.type("123456", gap=20)
    f.key("\r", at - 20 + 20)
    assert f.scans == ["123456"]
    g = Field(WedgeConfig(max_gap_ms=20))
    at = g.type("123456", gap=21)
    g.key("\r", at)
    assert g.scans == [] and g.text == "123456"


def test_shift_inside_a_burst_does_not_break_it() -> None:
    f = Field()
    at = 0.0
    for ch in "CP3F9A0B1C2D4E":
        if ch.isupper():
            f.key("<shift>", at)
        f.key(ch, at + 1)
        at += 6
    f.key("\r", at)
    assert f.scans == ["CP3F9A0B1C2D4E"] and f.text == ""


def test_another_key_ends_the_burst_and_comes_after_the_held_keys() -> None:
    f = Field()
    f.type("abcdefg", gap=3)
    step = f.key("<esc>", 25)
    assert step.current == "pass" and step.replay == tuple("bcdefg")
    assert f.text == "abcdefg" and f.scans == []


def test_first_key_is_held_where_it_cannot_be_taken_back() -> None:
    f = Field(may_pass=False)  # a button, a table, no focus
    assert f.key("x", 0).current == "hold"
    f.expire()
    assert f.text == "x"
    at = f.type("6901234567892", start=500, gap=5)
    step = f.key("\r", at)
    assert step.scan == "6901234567892" and not step.undo
    assert f.text == "x"


def test_back_to_back_scans() -> None:
    f = Field()
    at = f.type("6901234567892", gap=5)
    f.key("\r", at)
    at = f.type("2900000000428", start=at + 5, gap=5)  # the next scan starts within the gap
    f.key("\r", at)
    assert f.scans == ["6901234567892", "2900000000428"] and f.text == ""


def test_an_endless_burst_is_not_a_scan() -> None:
    f = Field()
    at = f.type("9" * 300, gap=1)
    f.key("\r", at)
    assert f.scans == [] and f.text == "9" * 300


def test_bad_config_is_refused() -> None:
    with pytest.raises(ValueError, match="terminator"):
        WedgeConfig(terminator="space")
    with pytest.raises(ValueError):
        WedgeConfig(max_gap_ms=0)


def test_a_burst_stays_open_by_its_times_after_the_hold_ran_out() -> None:
    """The hold timer only decides when held keys are shown; whether the next key continues the
    burst is judged by the keys' own times (late delivery must not split a scan)."""
    f = Field()
    f.text = "typed "
    at = f.type("690123", start=1000, gap=4)
    f.expire()  # the caller's timer: nothing came for a while (by the clock it runs on)
    assert f.text == "typed 690123" and not f.decoder.holding
    at = f.type("4567892", start=at, gap=4)  # stamped within the gap of the last key
    step = f.key("\r", at)
    assert f.scans == ["6901234567892"] and step.undo
    assert f.text == "typed "  # everything shown of the burst was taken back
    at = f.type("58", start=at + 1000, gap=4)
    f.expire()
    f.type("1234567", start=at + 200, gap=4)  # past the gap: a new burst
    f.key("\r", at + 200 + 7 * 4)
    assert f.scans == ["6901234567892", "1234567"] and f.text == "typed 58"
