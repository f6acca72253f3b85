"""The console's catalogues: every message its templates and Python mark has its Chinese."""

from __future__ import annotations

import sys
from pathlib import Path

from pos_app.hq.console import i18n

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
import translations


def test_every_console_message_has_its_chinese() -> None:
    assert translations.console_missing() == []
    assert "Sign in to headquarters" in translations.console_messages()  # the extraction sees the templates


def test_the_language_is_chosen_per_request_and_english_is_the_source_text() -> None:
    token = i18n.set_language("en")
    try:
        assert i18n._("Members") == "Members"
    finally:
        i18n._current.reset(token)
    token = i18n.set_language("zh_CN")
    try:
        assert i18n._("Members") == "会员"
        assert i18n._("Welcome, %(name)s.", name="<b>") == "欢迎，<b>。"  # templates escape; this is plain text
        assert i18n._("a message nobody translated") == "a message nobody translated"
    finally:
        i18n._current.reset(token)


def test_no_message_is_translated_two_ways_by_two_areas() -> None:
    """The catalogues are merged into one table: a message id two areas translate differently
    would take whichever file is read last, changing another page's words."""
    assert translations.console_conflicts() == []
