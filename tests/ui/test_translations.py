"""The Qt translations: both .ts files complete and up to date with the sources, the compiled
zh_CN catalogue translating through QCoreApplication, and no placeholder or key hint lost."""

from __future__ import annotations

import importlib.util
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

from pos_app.ui.qt import QCoreApplication, QTranslator

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "translations.py"
TS_DIR = ROOT / "resources" / "translations"
LANGS = ("zh_CN", "en")
PLACEHOLDER = re.compile(r"%\d+")
KEY_HINT = re.compile(r"\((?:F\d+|Esc|Enter|Ctrl\+\w)\)")


@pytest.fixture(scope="module")
def tooling() -> ModuleType:
    """scripts/translations.py as a module: the same lupdate/lrelease and options as `make`."""
    spec = importlib.util.spec_from_file_location("pos_translations", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def messages(ts: Path) -> Iterator[tuple[str, str, str]]:
    """(context, source, translation) of every message."""
    for ctx in ET.parse(ts).getroot().iter("context"):
        name = ctx.findtext("name") or ""
        for msg in ctx.iter("message"):
            yield name, msg.findtext("source") or "", msg.findtext("translation") or ""


def keys(ts: Path) -> set[tuple[str, str]]:
    return {(ctx, src) for ctx, src, _ in messages(ts)}


def test_every_message_of_both_languages_is_translated() -> None:
    done = subprocess.run([sys.executable, str(SCRIPT), "check"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout == ""


def test_ts_files_are_up_to_date_with_the_sources(tooling: ModuleType, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """`translations.py update` run on copies of the .ts files finds nothing new (and nothing gone)."""
    before = {}
    for lang in LANGS:
        shutil.copy(TS_DIR / f"pos_app_{lang}.ts", tmp_path)
        before[lang] = keys(tmp_path / f"pos_app_{lang}.ts")
    monkeypatch.setattr(tooling, "TS_DIR", tmp_path)
    tooling.update()
    for lang in LANGS:
        after = keys(tmp_path / f"pos_app_{lang}.ts")
        added = sorted(after - before[lang])
        assert not added, f"{lang}: strings in the sources missing from the .ts (run `translations.py update`): {added}"
        gone = sorted(before[lang] - after)
        assert not gone, f"{lang}: strings in the .ts no longer in the sources (run `translations.py update`): {gone}"


@pytest.fixture(scope="module")
def zh_qm(tooling: ModuleType, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The zh_CN catalogue compiled by lrelease into a temporary directory (the shipped .qm is not read)."""
    qm = tmp_path_factory.mktemp("qm") / "pos_app_zh_CN.qm"
    subprocess.run([tooling.tool("lrelease"), "-silent", str(TS_DIR / "pos_app_zh_CN.ts"), "-qm", str(qm)],
                   check=True, timeout=60)
    return qm


@pytest.fixture
def zh_translator(qtbot: object, zh_qm: Path) -> Iterator[QTranslator]:
    """The compiled zh_CN catalogue installed in the application for one test only."""
    app = QCoreApplication.instance()
    assert app is not None
    translator = QTranslator()
    assert translator.load(str(zh_qm)), zh_qm
    assert app.installTranslator(translator)
    try:
        yield translator
    finally:
        app.removeTranslator(translator)


@pytest.mark.parametrize(("context", "source", "chinese"), [
    ("CheckoutPage", "Complete sale (F12)", "完成结账 (F12)"),
    ("CheckoutPage", "Balance: %1 points", "余额：%1 积分"),
    ("Errors", "Wrong PIN.", "密码错误。"),
    ("Errors", "Not enough points: the balance is %1.", "积分不足：余额为 %1。"),
    ("App", "Loyalty checkout", "积分收银台"),
    ("App", "Gifts", "积分商城"),
    ("WorkArea", "Close shift", "交班"),
    ("RefundsPage", "Confirm refund (F12)", "确认退货 (F12)"),
    ("MembersViewModel", "Refund clawback", "退货扣回"),
    ("ReportsPage", "Reports and the expiry run are for the store manager.\n"
                    "Log in with a manager's staff number to see them.",
     "报表和积分过期处理仅限店长使用。\n请用店长工号登录后查看。"),
], ids=lambda v: v if v.isascii() else "zh")
def test_compiled_zh_cn_translates(zh_translator: QTranslator, context: str, source: str, chinese: str) -> None:
    assert zh_translator.translate(context, source) == chinese
    assert QCoreApplication.translate(context, source) == chinese


def test_unknown_text_stays_english(zh_translator: QTranslator) -> None:
    assert QCoreApplication.translate("CheckoutPage", "No such text") == "No such text"


def test_no_placeholder_lost_or_invented() -> None:
    wrong = [(ctx, src, tr) for ctx, src, tr in messages(TS_DIR / "pos_app_zh_CN.ts")
             if sorted(PLACEHOLDER.findall(src)) != sorted(PLACEHOLDER.findall(tr))]
    assert not wrong


def test_key_hints_and_line_breaks_kept() -> None:
    wrong = [(ctx, src, tr) for ctx, src, tr in messages(TS_DIR / "pos_app_zh_CN.ts")
             if KEY_HINT.findall(src) != KEY_HINT.findall(tr) or src.count("\n") != tr.count("\n")]
    assert not wrong


def test_english_is_its_own_translation() -> None:
    wrong = [(ctx, src, tr) for ctx, src, tr in messages(TS_DIR / "pos_app_en.ts") if src != tr]
    assert not wrong
