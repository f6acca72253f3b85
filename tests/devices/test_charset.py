"""The printer's character set (issue 12 item 13): a character the font lacks is replaced by
the documented fallback in the bytes and in the preview alike, never sent as a sequence the
font prints blank. Bytes from python-escpos, read back by the independent interpreter."""

from __future__ import annotations

import pytest

from pos_app.core.earning import SaleLine
from pos_app.core.errors import InvalidInput
from pos_app.devices.escpos_out import CHINESE_ON, document_bytes, encode_text
from pos_app.devices.receipt import CHARSETS, REPLACEMENT, Layout, printable
from pos_app.services import demo, receipts, sales
from pos_app.services.context import Terminal
from pos_app.services.printing import receipt_bytes
from pos_app.services.settings import load_settings, queue_test_print, save_settings, set_setting
from tests.devices.escpos_interpreter import interpret

#: the outside testers' set: 26 distinct characters GB18030 sends as four bytes
ISSUE_SET = "𠮷¥ñçßØğά😀🎉👍❤🧧🍜한글국어ｱｲｳｶﾞﾟｰｯ"

#: what each prints as on a GBK printer (the fallback in pos_app.devices.receipt's docstring)
GBK_PAPER = {
    "𠮷": REPLACEMENT, "¥": "￥", "ñ": "n", "ç": "c", "ß": "ss", "Ø": "O", "ğ": "g", "ά": "α",
    "😀": REPLACEMENT, "🎉": REPLACEMENT, "👍": REPLACEMENT, "❤": REPLACEMENT, "🧧": REPLACEMENT,
    "🍜": REPLACEMENT, "한": REPLACEMENT, "글": REPLACEMENT, "국": REPLACEMENT, "어": REPLACEMENT,
    "ｱ": "ア", "ｲ": "イ", "ｳ": "ウ", "ｶ": "カ", "ﾞ": "゛", "ﾟ": "゜", "ｰ": "ー", "ｯ": "ッ",
}


def assert_gbk_font_prints(data: bytes, codec: str = "gbk") -> None:
    """Every character sent in the printer's Chinese mode is one double-byte ``codec`` character."""
    for raw in interpret(data).wide:
        assert len(raw) == 2, raw
        raw.decode(codec)


def test_the_issue_set_is_26_characters_gb18030_sends_as_four_bytes() -> None:
    assert len(set(ISSUE_SET)) == len(ISSUE_SET) == 26 == len(GBK_PAPER)
    assert all(len(ch.encode("gb18030")) == 4 for ch in ISSUE_SET)


@pytest.mark.parametrize("ch", list(ISSUE_SET))
def test_gbk_prints_each_character_or_its_documented_replacement(ch: str) -> None:
    doc = Layout(32).text(f"a{ch}b").build()
    data = document_bytes(doc)
    assert_gbk_font_prints(data)
    printed = interpret(data).text[0].rstrip()
    assert printed == f"a{GBK_PAPER[ch]}b"


def test_half_width_kana_with_voicing_prints_the_voiced_kana() -> None:
    assert printable("ｶﾞｷﾞ ﾊﾟ", "gbk") == "ガギ パ"
    assert printable("ｶﾞ", "gb2312") == "ガ"
    assert printable("❤\ufe0f", "gbk") == REPLACEMENT  # an emoji and its selector: one replacement


def test_every_charset_gives_only_characters_it_holds_and_bytes_match_the_layout() -> None:
    text = "中文 " + ISSUE_SET + " é ü （，）€"
    for charset, codec in CHARSETS.items():
        shown = printable(text, charset)
        data = encode_text(shown, charset)
        assert encode_text(text, charset) == data  # the bytes apply the same fallback
        if codec is None:
            assert data.isascii() and CHINESE_ON not in data
            assert shown == "?? ?YncssOg????????????????-? e u (,)EUR"
        else:
            if charset != "gb18030":
                assert_gbk_font_prints(data + b"\n", codec)
            assert interpret(data + b"\n").text[0] == shown
    assert printable(text, "gb18030") == text  # GB18030 holds every character
    assert printable(text, "gbk") == "中文 ?￥ncssOgα??????????アイウガ゜ーッ é ü （，）EUR"


def test_layout_widths_follow_the_replacement() -> None:
    doc = Layout(32).pair("𠮷ß", "¥5").build()
    line = doc.text_lines()[0]
    assert line == "?ss" + " " * 26 + "￥5"
    out = interpret(document_bytes(doc))
    assert out.lines[0].cells == 32


@pytest.fixture
def store(terminal: Terminal) -> Terminal:
    demo.seed_demo(terminal)
    return terminal


def test_receipt_on_a_default_gbk_printer_has_no_four_byte_sequences(store: Terminal) -> None:
    assert load_settings(store).printer_charset == "gbk"
    names = [ISSUE_SET[:13], ISSUE_SET[13:]]
    no = sales.record_sale(store, lines=[SaleLine(i, "X", name, "food", 1, 500) for i, name in enumerate(names, 1)],
                           staff_code="1001").receipt_no
    data = receipt_bytes(store, no, columns=48)
    assert_gbk_font_prints(data)
    paper = interpret(data).text
    for name in ("?￥ncssOgα?????", "?????アイウガ゜ーッ"):
        assert any(line.startswith(name + " ") for line in paper), name
    doc = receipts.receipt_document(store, no, columns=48)
    assert doc.charset == "gbk"
    assert [t.rstrip() for t in doc.text_lines() if t.strip()] == [
        t.rstrip() for t in interpret(document_bytes(doc)).text if t.strip()]

    set_setting(store, "printer.charset", "gb18030")
    paper = interpret(receipt_bytes(store, no, columns=48)).text
    assert all(any(line.startswith(name + " ") for line in paper) for name in names)


def test_the_test_page_names_the_charset(store: Terminal) -> None:
    set_setting(store, "printer.charset", "gb2312")
    job = queue_test_print(store)
    row = store.repo.row("SELECT ref, payload FROM print_job WHERE id = ?", (job,))
    assert row is not None
    doc = receipts.build_document(store, "test", row["ref"], language="en")
    assert any(t.startswith("Character set") and t.rstrip().endswith("GB2312") for t in doc.text_lines())
    assert "中文 ￥12 ￥34 （），。：「」 ??? é ü n" in [t.rstrip() for t in doc.text_lines()]


def test_charset_setting_is_validated_naming_the_field(store: Terminal) -> None:
    with pytest.raises(InvalidInput) as err:
        save_settings(store, {"printer.charset": "big5", "printer.paper_mm": 58})
    assert err.value.field == "printer.charset"
    assert load_settings(store).printer_paper_mm == 80  # nothing saved
    assert set_setting(store, "printer.charset", "ascii")
    assert load_settings(store).printer_charset == "ascii"
