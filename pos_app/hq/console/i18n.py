"""The console's languages: Chinese first (zh_CN, the default), English complete.

Source strings are English, in templates (``{{ _("Members") }}``, Jinja2's i18n extension,
new-style: ``_("%(n)s members", n=3)`` escapes and formats) and in the console's Python
(``_("...")`` from here). Translations are gettext catalogues, one ``.po`` file per area in
``locale/zh_CN/LC_MESSAGES/`` (so people working on different pages do not edit one file),
read with Babel when the process starts: no compiled ``.mo`` and no build step. English is the
source text itself. ``scripts/translations.py check`` extracts every message with Babel and fails
when one has no Chinese.
"""

from __future__ import annotations

import contextvars
from functools import cache
from pathlib import Path

from babel.messages.pofile import read_po

LANGS = ("zh_CN", "en")
DEFAULT_LANG = "zh_CN"
LOCALE_DIR = Path(__file__).with_name("locale")
LANG_NAMES = {"zh_CN": "中文", "en": "English"}

_current: contextvars.ContextVar[str] = contextvars.ContextVar("console_lang", default=DEFAULT_LANG)


@cache
def catalogue(lang: str) -> dict[str, str | tuple[str, ...]]:
    """msgid -> translation (a tuple for plural forms) of every ``.po`` file of ``lang``."""
    out: dict[str, str | tuple[str, ...]] = {}
    folder = LOCALE_DIR / lang / "LC_MESSAGES"
    for path in sorted(folder.glob("*.po")) if folder.is_dir() else ():
        with path.open("rb") as handle:
            for message in read_po(handle, locale=lang):
                if not message.id or message.fuzzy:
                    continue
                key = message.id[0] if isinstance(message.id, tuple | list) else message.id
                if isinstance(message.string, tuple | list):
                    if all(message.string):
                        out[key] = tuple(message.string)
                elif message.string:
                    out[key] = message.string
    return out


def set_language(lang: str) -> contextvars.Token[str]:
    return _current.set(lang if lang in LANGS else DEFAULT_LANG)


def language() -> str:
    return _current.get()


def gettext(message: str) -> str:
    if _current.get() == "en":
        return message
    found = catalogue(_current.get()).get(message)
    if isinstance(found, tuple):
        return found[0]
    return found or message


def ngettext(singular: str, plural: str, n: int) -> str:
    if _current.get() == "en":
        return singular if n == 1 else plural
    found = catalogue(_current.get()).get(singular)
    if isinstance(found, tuple):
        return found[0]  # Chinese has one form
    return found or (singular if n == 1 else plural)


def _(message: str, **params: object) -> str:
    """Translate ``message`` now (the request's language) and format ``%(name)s`` parameters."""
    text = gettext(message)
    return text % params if params else text


def N_(message: str) -> str:
    """Marks a message for extraction, translated later (where the language is known)."""
    return message


def translate_error(message: str) -> str:
    """A domain error's English message in the request's language when the catalogue has it
    (messages with run-time values stay English: the field named beside them is translated)."""
    return gettext(message)
