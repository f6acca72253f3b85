"""``pos-app scan-image``: codes per file as JSON; a file that does not load is an error entry and exit 2."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import pytest

from pos_app.cli import main
from tests.devices.test_decoding import CARD, linear_image, qr_image


def scan(capsys: pytest.CaptureFixture[str], tmp_path: Path, *args: str) -> tuple[int, dict]:
    code = main(["--db", str(tmp_path / "no-terminal.db"), "scan-image", *args])
    return code, json.loads(capsys.readouterr().out)


def test_codes_per_file_as_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    card = tmp_path / "card.png"
    cv2.imwrite(str(card), qr_image(CARD))
    product = tmp_path / "product.png"
    image, ean = linear_image("ean13", "690123456789")
    cv2.imwrite(str(product), image)
    code, data = scan(capsys, tmp_path, str(card), str(product))
    assert code == 0
    assert data["backend"] == "auto(zxing+pyzbar)"  # no terminal database yet: the default decoder
    assert data["files"] == [{"file": str(card), "codes": [{"format": "QRCode", "text": CARD}]},
                             {"file": str(product), "codes": [{"format": "EAN-13", "text": ean}]}]
    assert not (tmp_path / "no-terminal.db").exists()  # scanning does not create a terminal


@pytest.mark.parametrize("backend", ["zxing", "pyzbar"])
def test_the_backend_can_be_chosen(tmp_path: Path, capsys: pytest.CaptureFixture[str], backend: str) -> None:
    card = tmp_path / "card.png"
    cv2.imwrite(str(card), qr_image(CARD))
    code, data = scan(capsys, tmp_path, "--backend", backend, str(card))
    assert code == 0 and data["backend"] == backend
    assert data["files"][0]["codes"] == [{"format": "QRCode", "text": CARD}]


def test_a_missing_or_broken_file_is_an_error_naming_it(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    blank = tmp_path / "blank.png"
    cv2.imwrite(str(blank), qr_image(CARD)[:20, :20])
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"\x89PNG not really")
    missing = tmp_path / "missing.png"
    code = main(["--db", str(tmp_path / "x.db"), "scan-image", str(blank), str(broken), str(missing)])
    cap = capsys.readouterr()
    data = json.loads(cap.out)
    assert code == 2
    assert data["files"][0] == {"file": str(blank), "codes": []}
    for entry, path in zip(data["files"][1:], (broken, missing), strict=True):
        assert entry["file"] == str(path) and entry["field"] == "file" and entry["error"] == "invalid_input"
    assert str(missing) in cap.err and str(broken) in cap.err


def test_the_terminal_decoder_setting_is_used(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from pos_app.services import context
    from pos_app.services.settings import save_settings

    db = tmp_path / "t.db"
    t = context.init_terminal(db, store_id="S001", terminal_id="T01")
    save_settings(t, {"decoder.backend": "pyzbar"})
    t.close()
    card = tmp_path / "card.png"
    cv2.imwrite(str(card), qr_image(CARD))
    code = main(["--db", str(db), "scan-image", str(card)])
    assert code == 0 and json.loads(capsys.readouterr().out)["backend"] == "pyzbar"
