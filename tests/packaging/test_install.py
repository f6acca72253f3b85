"""The Linux installation files: install.sh into a staging root, the .desktop entry and the
udev rules checked line by line (this machine has no desktop-file-validate nor `udevadm verify`)."""

from __future__ import annotations

import configparser
import re
import subprocess
from pathlib import Path

from tests.packaging.conftest import ROOT

LINUX = ROOT / "packaging" / "linux"


def test_install_sh_puts_every_file_in_place(frozen: Path, tmp_path: Path) -> None:
    root = tmp_path / "root"
    for _ in range(2):  # a second run is an update over the first
        done = subprocess.run(["bash", str(LINUX / "install.sh"), "--dist", str(frozen), "--destdir", str(root)],
                              capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
    app = root / "opt" / "pos-app"
    assert (app / "pos-app").stat().st_mode & 0o111 and (app / "pos-app-gui").stat().st_mode & 0o111
    assert not (root / "opt" / "pos-app.new").exists()
    assert (root / "usr/local/bin/pos-app").readlink() == Path("/opt/pos-app/pos-app")
    assert (root / "usr/share/applications/pos-app.desktop").read_bytes() == (LINUX / "pos-app.desktop").read_bytes()
    assert (root / "usr/share/icons/hicolor/256x256/apps/pos-app.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert (root / "etc/udev/rules.d/60-pos-app.rules").is_file()


def test_install_sh_refuses_without_a_build(tmp_path: Path) -> None:
    done = subprocess.run(["bash", str(LINUX / "install.sh"), "--dist", str(tmp_path / "none"), "--destdir",
                           str(tmp_path / "root")], capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "make package" in done.stderr
    assert not (tmp_path / "root").exists()


def test_the_desktop_entry_starts_the_window_with_its_icon() -> None:
    entry = configparser.ConfigParser(interpolation=None, strict=True)
    entry.optionxform = str  # type: ignore[assignment,method-assign]
    entry.read(LINUX / "pos-app.desktop", encoding="utf-8")
    d = entry["Desktop Entry"]
    assert d["Type"] == "Application" and d["Exec"] == "/opt/pos-app/pos-app-gui" and d["Terminal"] == "false"
    assert d["Icon"] == "pos-app" and d["Name[zh_CN]"] == "积分收银台"
    assert d["Categories"].endswith(";")


_KEYS = r"(SUBSYSTEM|KERNEL|ENV\{[A-Z_]+\}|ATTR\{[A-Za-z]+\}|GROUP|MODE|TAG)"
_RULE_PART = re.compile(rf'^{_KEYS}(==|!=|=|\+=)"[^"]*"$')


def test_the_udev_rules_are_well_formed_and_cover_printers_and_serial_scanners() -> None:
    rules = [line for line in (LINUX / "60-pos-app.rules").read_text().splitlines()
             if line.strip() and not line.startswith("#")]
    for rule in rules:
        parts = [p.strip() for p in rule.split(", ")]
        assert all(_RULE_PART.match(p) for p in parts), rule
        assert any(p.startswith(("GROUP=", "MODE=")) for p in parts), rule
        assert 'TAG+="uaccess"' in parts, rule
    text = "\n".join(rules)
    assert 'ENV{ID_USB_INTERFACES}=="*:07????:*"' in text and 'GROUP="lp"' in text
    assert 'KERNEL=="ttyACM[0-9]*"' in text and 'KERNEL=="ttyUSB[0-9]*"' in text
