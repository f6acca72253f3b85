"""`pos-app receipt` writes exactly the bytes the spooler sends; `pos-app print-queue` lists and runs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pos_app.cli import main
from pos_app.core.members import make_card_number
from pos_app.services import context, printing
from tests.devices.escpos_interpreter import interpret

pytestmark = pytest.mark.usefixtures("daytime")  # sales "now" earn by the time of day


@pytest.fixture
def db(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    path = tmp_path / "t.db"
    assert main(["--db", str(path), "init", "--store", "S001", "--terminal", "T01"]) == 0
    assert main(["--db", str(path), "demo-seed"]) == 0
    assert main(["--db", str(path), "sale", "--amount", "12.50", "--member", "13800138000"]) == 0
    capsys.readouterr()
    return path


def test_receipt_bytes_equal_the_spoolers(db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "r.bin"
    assert main(["--db", str(db), "receipt", "--receipt-no", "S001-T01-00000001", "--out", str(out)]) == 0
    t = context.Terminal.open(db)
    try:
        assert out.read_bytes() == printing.receipt_bytes(t, "S001-T01-00000001")
        en = tmp_path / "en.bin"
        assert main(["--db", str(db), "receipt", "--receipt-no", "S001-T01-00000001", "--out", str(en),
                     "--lang", "en", "--columns", "32"]) == 0
        assert en.read_bytes() == printing.receipt_bytes(t, "S001-T01-00000001", language="en", columns=32)
    finally:
        t.close()
    assert interpret(out.read_bytes()).qr_codes() == ["S001-T01-00000001"]


def test_unknown_receipt_exits_2_naming_the_field(db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "r.bin"
    assert main(["--db", str(db), "receipt", "--receipt-no", "S001-T01-00000099", "--out", str(out)]) == 2
    assert "receipt_no" in capsys.readouterr().err
    assert not out.exists()


def test_print_queue_lists_and_runs_into_a_file_printer(db: Path, tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--db", str(db), "sale", "--amount", "3.00", "--tender", "card"]) == 0
    t = context.Terminal.open(db)
    with t.database.transaction():
        t.repo.queue_print_job("receipt", "S001-T01-00000002", {}, "2026-11-03T10:00:00")
    t.close()
    capsys.readouterr()
    assert main(["--db", str(db), "--json", "print-queue"]) == 0
    listing = json.loads(capsys.readouterr().out)
    assert [(j["kind"], j["ref"], j["status"]) for j in listing["jobs"]] == [("receipt", "S001-T01-00000002", "queued")]
    paper = tmp_path / "printer.bin"
    assert main(["--db", str(db), "program", "show"]) == 0
    from pos_app.services.settings import save_settings

    t = context.Terminal.open(db)
    save_settings(t, {"printer.connection": "file", "printer.file": str(paper)})
    t.close()
    capsys.readouterr()
    assert main(["--db", str(db), "--json", "print-queue", "--run"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["run"]["state"] == "online" and len(result["run"]["printed"]) == 1 and result["jobs"] == []
    assert interpret(paper.read_bytes()).qr_codes() == ["S001-T01-00000002"]


def test_a_reprinted_receipt_shows_the_balance_right_after_its_own_sale(
        db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    def cli(*args: str) -> dict:
        assert main(["--db", str(db), "--json", *args]) == 0
        return json.loads(capsys.readouterr().out)

    sale = cli("sale", "--amount", "300.00", "--member", "13800138000")
    after_sale = sale["balance_after"]
    later = cli("redeem-gift", "--member", make_card_number(1), "--gift", "G005")
    refund = cli("refund", sale["receipt_no"])
    now = cli("member", "show", "13800138000")
    assert later["balance_after"] < after_sale and now["balance"] != after_sale and refund
    assert main(["--db", str(db), "receipt", "--receipt-no", sale["receipt_no"], "--out", "-", "--text"]) == 0
    lines = [ln.split() for ln in capsys.readouterr().out.splitlines() if ln.strip().startswith("积分余额")]
    assert lines == [["积分余额", str(after_sale)]]


def test_a_reprinted_receipt_of_a_sale_without_points_shows_the_balance_of_its_time(
        db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    def cli(*args: str) -> dict:
        assert main(["--db", str(db), "--json", *args]) == 0
        return json.loads(capsys.readouterr().out)

    sale = cli("sale", "--amount", "0.50", "--member", "13800138000")
    assert sale["points_earned"] == 0
    later = cli("redeem-gift", "--member", make_card_number(1), "--gift", "G005")
    assert later["balance_after"] < sale["balance_after"]
    assert main(["--db", str(db), "receipt", "--receipt-no", sale["receipt_no"], "--out", "-", "--text"]) == 0
    lines = [ln.split() for ln in capsys.readouterr().out.splitlines() if ln.strip().startswith("积分余额")]
    assert lines == [["积分余额", str(sale["balance_after"])]]
