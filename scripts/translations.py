"""Qt translations: extract (.ts), fill from a JSON mapping, and compile (.qm).

    python scripts/translations.py update         # lupdate: refresh the .ts files from the sources
    python scripts/translations.py fill zh_CN map.json   # put translations from {source: text} into a .ts
    python scripts/translations.py release        # lrelease: compile .ts -> .qm (done by make)
    python scripts/translations.py check          # every message translated; exit 1 if not
    python scripts/translations.py console        # the console's messages with no Chinese (check runs it too)

Source strings are English; zh_CN is the shipped default. The English file carries each
source string as its own translation so both languages are complete.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# this checkout's pos_app, not whichever checkout the environment's editable install points at
sys.path.insert(0, str(ROOT))
TS_DIR = ROOT / "resources" / "translations"
LANGS = ("zh_CN", "en")
SOURCES = [ROOT / "pos_app" / "ui"]


def tool(name: str) -> str:
    exe = Path(sys.executable).parent / f"pyside6-{name}"
    found = shutil.which(str(exe)) or shutil.which(f"pyside6-{name}")
    if not found:
        raise SystemExit(f"pyside6-{name} not found; install PySide6")
    return found


def ts_path(lang: str) -> Path:
    return TS_DIR / f"pos_app_{lang}.ts"


def update() -> None:
    TS_DIR.mkdir(parents=True, exist_ok=True)
    for lang in LANGS:
        subprocess.run([tool("lupdate"), "-silent", "-extensions", "py", "-no-obsolete", "-locations", "none",
                        *map(str, SOURCES), "-ts", str(ts_path(lang))], check=True)
        tree = ET.parse(ts_path(lang))
        tree.getroot().set("language", lang)
        if lang == "en":  # English is the source language: each text is its own translation
            for msg in tree.iter("message"):
                tr = msg.find("translation")
                src = msg.find("source")
                if tr is not None and src is not None and tr.get("type") == "unfinished":
                    tr.text = src.text
                    del tr.attrib["type"]
        tree.write(ts_path(lang), encoding="utf-8", xml_declaration=True)


def fill(lang: str, mapping_file: str) -> None:
    mapping = json.loads(Path(mapping_file).read_text(encoding="utf-8"))
    tree = ET.parse(ts_path(lang))
    filled = 0
    for msg in tree.iter("message"):
        src, tr = msg.find("source"), msg.find("translation")
        if src is None or tr is None or src.text not in mapping:
            continue
        tr.text = mapping[src.text]
        tr.attrib.pop("type", None)
        filled += 1
    tree.write(ts_path(lang), encoding="utf-8", xml_declaration=True)
    print(f"{filled} messages filled in {ts_path(lang).name}")


def missing(lang: str) -> list[str]:
    out = []
    for ctx in ET.parse(ts_path(lang)).getroot().iter("context"):
        name = ctx.findtext("name")
        for msg in ctx.iter("message"):
            tr = msg.find("translation")
            if tr is None or tr.get("type") in ("unfinished", "vanished", "obsolete") or not (tr.text or "").strip():
                out.append(f"{name}: {msg.findtext('source')}")
    return out


CONSOLE = ROOT / "pos_app" / "hq" / "console"
CONSOLE_KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}


def console_messages() -> dict[str, str]:
    """Every message the headquarters console's templates and Python mark for translation
    (msgid -> where), extracted with Babel (Jinja2's extractor for the templates)."""
    from babel.messages.extract import extract_from_dir

    found: dict[str, str] = {}
    method_map = [("templates/**.html", "jinja2.ext:babel_extract"), ("**.py", "python")]
    options = {"templates/**.html": {"extensions": "jinja2.ext.i18n", "trim_blocks": "True", "lstrip_blocks": "True"}}
    for filename, lineno, message, _comments, _context in extract_from_dir(
            str(CONSOLE), method_map=method_map, options_map=options, keywords=CONSOLE_KEYWORDS):
        msgid = message[0] if isinstance(message, tuple) else message
        if msgid:
            found.setdefault(msgid, f"{filename}:{lineno}")
    return found


def console_missing() -> list[str]:
    """The console's messages without a Chinese translation (English is the source text)."""
    from pos_app.hq.console import i18n

    i18n.catalogue.cache_clear()
    known = i18n.catalogue("zh_CN")
    return [f"{where}: {msgid}" for msgid, where in sorted(console_messages().items()) if msgid not in known]


def console_conflicts() -> list[str]:
    """Message ids two console catalogues translate differently (the file read last would win
    silently, changing another page's words): each area must use its own message id."""
    from babel.messages.pofile import read_po

    seen: dict[str, tuple[str, str]] = {}
    out = []
    for path in sorted((CONSOLE / "locale" / "zh_CN" / "LC_MESSAGES").glob("*.po")):
        with path.open("rb") as handle:
            for message in read_po(handle, locale="zh_CN"):
                if not message.id or not message.string:
                    continue
                key = message.id[0] if isinstance(message.id, tuple | list) else message.id
                text = str(message.string if isinstance(message.string, str) else message.string[0])
                if key in seen and seen[key][1] != text:
                    out.append(f"{key!r}: {seen[key][0]} says {seen[key][1]!r}, {path.name} says {text!r}")
                seen.setdefault(key, (path.name, text))
    return out


def check() -> int:
    bad = 0
    for line in console_conflicts():
        print(f"console zh_CN: translated two ways: {line}")
        bad += 1
    for lang in LANGS:
        for line in missing(lang):
            print(f"{lang}: untranslated: {line}")
            bad += 1
    for line in console_missing():
        print(f"console zh_CN: untranslated: {line}")
        bad += 1
    return 1 if bad else 0


def release() -> None:
    for lang in LANGS:
        subprocess.run([tool("lrelease"), "-silent", str(ts_path(lang)), "-qm",
                        str(TS_DIR / f"pos_app_{lang}.qm")], check=True)


if __name__ == "__main__":
    cmd = sys.argv[1] if len(sys.argv) > 1 else "release"
    if cmd == "update":
        update()
    elif cmd == "fill":
        fill(sys.argv[2], sys.argv[3])
    elif cmd == "check":
        sys.exit(check())
    elif cmd == "console":
        for line in console_missing():
            print(line)
    elif cmd == "release":
        release()
    else:
        raise SystemExit(__doc__)
