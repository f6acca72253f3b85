"""The headless CLI: the worked examples with exactly the reference numbers, and bad input
that exits 2 with a message naming the field and leaves the database file byte-for-byte."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path

import pytest

from pos_app.cli import main
from pos_app.core.members import make_card_number

GOLD_CARD = make_card_number(1)  # demo member 张伟 13800138000, gold, 12000 points
SILVER_CARD = make_card_number(2)  # demo member 李娜 13900139000, silver, 8000 points


def run(capsys: pytest.CaptureFixture[str], db: Path, *args: str) -> tuple[int, dict | list | None, str]:
    code = main(["--db", str(db), "--json", *args])
    cap = capsys.readouterr()
    data = json.loads(cap.out) if cap.out.strip() else None
    return code, data, cap.err


@pytest.fixture
def demo_db(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    db = tmp_path / "demo.db"
    assert main(["--db", str(db), "init", "--store", "S001", "--terminal", "T01"]) == 0
    assert main(["--db", str(db), "demo-seed"]) == 0
    capsys.readouterr()
    return db


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_example_1_through_cli(demo_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, demo_db, "sale", "--amount", "1.00", "--member", GOLD_CARD, "--at", "2026-05-01T10:00")
    code, data, _ = run(capsys, demo_db, "sale", "--amount", "100.00", "--flag", "new", "--member", GOLD_CARD,
                        "--at", "2026-05-05T21:00")
    assert code == 0 and isinstance(data, dict)
    assert data["points_earned"] == 360
    assert data["receipt_no"].startswith("S001-T01-")
    assert data["breakdown"]["sale_multiplier"] == "3"
    con = sqlite3.connect(demo_db)
    row = con.execute("SELECT backdated, created_at FROM ledger_entry WHERE ref_no = ? AND kind = 'earn'",
                      (data["receipt_no"],)).fetchone()
    con.close()
    assert row == (1, "2026-05-05T21:00:00")  # recorded as back-dated entry


def test_example_2_through_cli(demo_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    basket = tmp_path / "basket.json"
    basket.write_text(json.dumps([
        {"sku": "6901", "name": "面包", "category": "food", "price": "58.50"},
        {"sku": "6902", "name": "香烟", "category": "tobacco", "price": "30.00"},
    ]), encoding="utf-8")
    code, data, _ = run(capsys, demo_db, "sale", "--lines", str(basket), "--member", "13700137000",
                        "--at", "2026-11-18T10:00")
    assert code == 0 and isinstance(data, dict)
    assert data["points_earned"] == 275
    assert data["balance_after"] == 275  # the demo member starts at 0


def test_example_3_through_cli(demo_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # the demo's silver member has 8000 points and has bought before? make it so: a purchase
    # paid by points would otherwise add the first-purchase bonus
    run(capsys, demo_db, "sale", "--amount", "0.50", "--member", SILVER_CARD, "--at", "2026-11-01T10:00")
    # that sale's first-purchase bonus (100) is taken back so the member holds exactly 8000
    run(capsys, demo_db, "adjust", "--member", SILVER_CARD, "--points", "-100", "--reason", "test set-up",
        "--manager", "9001", "--manager-pin", "9999")
    code, data, _ = run(capsys, demo_db, "member", "show", SILVER_CARD)
    assert isinstance(data, dict) and data["balance"] == 8000 and data["tier"] == "silver"
    code, data, _ = run(capsys, demo_db, "sale", "--amount", "200.00", "--member", SILVER_CARD, "--points", "5000",
                        "--at", "2026-11-12T14:00")
    assert code == 0 and isinstance(data, dict)
    assert (data["points_redeemed"], data["points_earned"], data["balance_after"]) == (5000, 180, 3180)


def test_refund_gift_expire_verify_through_cli(demo_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, sale, _ = run(capsys, demo_db, "sale", "--amount", "100.00", "--member", GOLD_CARD)
    assert code == 0 and isinstance(sale, dict)
    code, quote, _ = run(capsys, demo_db, "refund", sale["receipt_no"], "--quote")
    assert isinstance(quote, dict) and quote["clawback"] == sale["points_earned"]
    code, refund, _ = run(capsys, demo_db, "refund", sale["receipt_no"])
    assert code == 0 and isinstance(refund, dict) and refund["complete"] and refund["clawback"] == quote["clawback"]
    code, data, err = run(capsys, demo_db, "redeem-gift", "--member", GOLD_CARD, "--gift", "G003")
    assert code == 2 and isinstance(data, dict) and data["error"] == "approval_required" and "manager" in err
    code, data, _ = run(capsys, demo_db, "redeem-gift", "--member", GOLD_CARD, "--gift", "G003",
                        "--manager", "9001", "--manager-pin", "9999")
    assert code == 0 and isinstance(data, dict) and data["approved_by"] == "9001"
    code, data, _ = run(capsys, demo_db, "expire", "--as-of", "2040-01-01", "--dry-run")
    assert code == 0 and isinstance(data, dict) and data["dry_run"] and data["points"] > 0
    code, data, _ = run(capsys, demo_db, "verify")
    assert code == 0 and isinstance(data, dict) and data["ok"] is True


def test_adjustment_refused_for_a_cashier(demo_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = digest(demo_db)
    code, data, _ = run(capsys, demo_db, "adjust", "--member", GOLD_CARD, "--points", "500", "--reason", "goodwill",
                          "--manager", "1001", "--manager-pin", "1234")
    assert code == 2 and isinstance(data, dict) and data["field"] == "manager"
    assert digest(demo_db) == before


def test_a_manager_at_the_command_line_needs_a_second_manager_above_the_limit(
        demo_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`pos-app adjust` did not apply the self-approval limit (no one is logged in): the manager
    running it is the one asking, so above the store's limit a second manager's number and PIN
    (`--second-manager`) approve; both PINs are checked."""
    assert main(["--db", str(demo_db), "staff", "add", "--code", "9002", "--name", "副店长", "--role", "manager",
                 "--pin", "8888"]) == 0
    capsys.readouterr()
    before = digest(demo_db)

    def adjustments() -> int:
        with sqlite3.connect(demo_db) as con:
            return int(con.execute("SELECT count(*) FROM ledger_entry WHERE kind = 'adjust'").fetchone()[0])

    seeded = adjustments()
    code, data, _ = run(capsys, demo_db, "adjust", "--member", GOLD_CARD, "--points", "5000", "--reason", "goodwill",
                        "--manager", "9001", "--manager-pin", "9999")
    assert code == 2 and isinstance(data, dict) and data["field"] == "manager" and "second manager" in data["message"]
    assert digest(demo_db) == before  # refused: nothing written
    code, data, _ = run(capsys, demo_db, "adjust", "--member", GOLD_CARD, "--points", "5000", "--reason", "goodwill",
                        "--manager", "9001", "--manager-pin", "9999", "--second-manager", "9002",
                        "--second-manager-pin", "0000")
    assert code == 2 and isinstance(data, dict) and data["field"] == "manager_pin"
    assert adjustments() == seeded  # the wrong PIN is counted against 9002; no adjustment written
    code, data, _ = run(capsys, demo_db, "adjust", "--member", GOLD_CARD, "--points", "5000", "--reason", "goodwill",
                        "--manager", "9001", "--manager-pin", "9999", "--second-manager", "9002",
                        "--second-manager-pin", "8888")
    assert code == 0 and isinstance(data, dict) and data["approved_by"] == "9002"
    with sqlite3.connect(demo_db) as con:
        details = con.execute("SELECT details FROM audit WHERE action = 'points.adjust' ORDER BY id DESC").fetchone()
    assert json.loads(details[0])["requested_by"] == "9001"
    # within the limit the manager alone approves, as before
    code, data, _ = run(capsys, demo_db, "adjust", "--member", GOLD_CARD, "--points", "500", "--reason", "goodwill",
                        "--manager", "9001", "--manager-pin", "9999")
    assert code == 0 and isinstance(data, dict) and data["approved_by"] == "9001"


def test_verify_reports_a_tampered_database(demo_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    con = sqlite3.connect(demo_db)
    con.execute("UPDATE member SET balance = balance + 1 WHERE card_no = ?", (GOLD_CARD,))
    con.commit()
    con.close()
    code, data, _ = run(capsys, demo_db, "verify")
    assert code == 1 and isinstance(data, dict) and not data["ok"]
    assert data["checks"]["balance_equals_ledger"]["count"] == 1


BAD_INPUT = [
    (["sale", "--amount", "0"], "amount"),
    (["sale", "--amount", "-5"], "amount"),
    (["sale", "--amount", "abc"], "amount"),
    (["sale", "--amount", "1.005"], "amount"),
    (["sale", "--amount", "99999999999.00"], "amount"),
    (["sale", "--amount", "10.00", "--member", make_card_number(999)], "member"),
    (["sale", "--amount", "10.00", "--member", "2900000000019"], "member"),  # bad check digit
    (["sale", "--amount", "10.00", "--member", "1380013800"], "member"),  # 10 digits: not a phone, not a card
    (["sale", "--amount", "10.00", "--member", "12800138000"], "member"),  # not a mobile prefix
    (["sale", "--amount", "10.00", "--member", "13999999999"], "member"),  # unknown phone
    (["sale", "--amount", "10.00", "--points", "x"], "points"),
    (["sale", "--amount", "10.00", "--points", "500"], "points"),  # needs a member
    (["sale", "--amount", "1000.00", "--member", GOLD_CARD, "--points", "12100"], "points"),  # > 50%? > balance
    (["sale", "--amount", "10000.00", "--member", GOLD_CARD, "--points", "12100"], "points"),  # > balance
    (["sale", "--amount", "100000.00", "--member", GOLD_CARD, "--points", "30000"], "points"),
    (["sale", "--amount", "10.00", "--tender", "bitcoin"], "tender"),
    (["sale", "--amount", "10.00", "--at", "yesterday"], "at"),
    (["member", "enroll", "--phone", "12345", "--name", "x"], "phone"),
    (["member", "enroll", "--phone", "13800138000", "--name", "dup"], "phone"),
    (["member", "enroll", "--phone", "13811112222", "--name", "x", "--card", "2900000000011"], "card"),
    (["member", "enroll", "--phone", "13811112222", "--name", "x", "--birthday", "2099-01-01"], "birthday"),
    (["member", "show", "abc"], "member"),
    (["redeem-gift", "--member", GOLD_CARD, "--gift", "G999"], "gift"),
    (["redeem-gift", "--member", make_card_number(4), "--gift", "G002"], "points"),  # 300 < 1000
    (["redeem-gift", "--member", "13800138000", "--gift", "G002"], "presence"),  # a phone number may not spend
    (["sale", "--amount", "200.00", "--member", "13800138000", "--points", "1000"], "presence"),
    (["refund", "S001-T01-99999999"], "receipt_no"),
    (["adjust", "--member", GOLD_CARD, "--points", "-99999", "--reason", "x y", "--manager", "9001",
      "--manager-pin", "9999"], "points"),
    (["adjust", "--member", GOLD_CARD, "--points", "10", "--reason", " ", "--manager", "9001",
      "--manager-pin", "9999"], "reason"),
    (["expire", "--as-of", "2026-13-01"], "as_of"),
    (["expire", "--as-of", "2099-01-01"], "as_of"),  # ahead of time (only --dry-run may look ahead)
    (["sale", "--amount", "10.00", "--at", "2099-01-01T10:00"], "at"),
    (["gift", "stock", "G004", "-1"], "stock"),
]


@pytest.mark.parametrize(("args", "field"), BAD_INPUT, ids=[" ".join(a) for a, _ in BAD_INPUT])
def test_bad_input_exits_2_names_the_field_and_changes_nothing(
        demo_db: Path, capsys: pytest.CaptureFixture[str], args: list[str], field: str) -> None:
    before = digest(demo_db)
    code, data, err = run(capsys, demo_db, *args)
    assert code == 2
    assert isinstance(data, dict) and data["field"] == field, (data, err)
    assert err.startswith(f"error: {field}:")
    assert digest(demo_db) == before


def test_monthly_cap_refusal_through_cli(demo_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--db", str(demo_db), "staff", "add", "--code", "9002", "--name", "副店长", "--role", "manager",
                 "--pin", "8888"]) == 0
    capsys.readouterr()
    code, _, _ = run(capsys, demo_db, "adjust", "--member", GOLD_CARD, "--points", "20000", "--reason", "top up",
                     "--manager", "9001", "--manager-pin", "9999", "--second-manager", "9002",
                     "--second-manager-pin", "8888")
    assert code == 0
    code, _, _ = run(capsys, demo_db, "sale", "--amount", "400.00", "--member", GOLD_CARD, "--points", "20000")
    assert code == 0
    before = digest(demo_db)
    code, data, _ = run(capsys, demo_db, "sale", "--amount", "400.00", "--member", GOLD_CARD, "--points", "100")
    assert code == 2 and isinstance(data, dict) and data["field"] == "points" and data["cap"] == 20000
    assert digest(demo_db) == before


BAD_PROGRAMS = [
    ("not toml [", "program"),
    ("format = 1\n", "program"),
    ("format = 2\n[program]\nid='x'\nversion=1\nname='x'\n", "format"),
]


@pytest.mark.parametrize(("text", "field"), BAD_PROGRAMS)
def test_malformed_program_files(demo_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str,
                                 field: str) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(text, encoding="utf-8")
    before = digest(demo_db)
    code, data, _ = run(capsys, demo_db, "program", "load", str(bad))
    assert code == 2 and isinstance(data, dict) and data["field"] == field
    assert digest(demo_db) == before


def test_program_field_errors_are_named(demo_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ref = (Path(__file__).parents[2] / "db" / "reference-program.toml").read_text(encoding="utf-8")
    cases = [
        (ref.replace('multiplier = "1.2"', "multiplier = 1.2", 1), "earning.line_multipliers[0].multiplier"),
        (ref.replace("max_share_percent = 50", "max_share_percent = 150"), "redemption.max_share_percent"),
        (ref.replace('mode = "rolling"', 'mode = "sometimes"'), "expiry.mode"),
        (ref.replace("threshold = 5000", "threshold = -1"), "tiers.levels[1].threshold"),
        (ref.replace('from_time = "20:00"', 'from_time = "25:00"'), "earning.sale_multipliers[0].when.from_time"),
        (ref.replace("points = 1000\n", "points = 0\n", 1), "gifts[1].points"),
        (ref.replace("[offline]", "[offline]\ntypo = 1"), "offline.typo"),
    ]
    for text, field in cases:
        bad = tmp_path / "bad.toml"
        bad.write_text(text, encoding="utf-8")
        code, data, _ = run(capsys, demo_db, "program", "check", str(bad))
        assert code == 2 and isinstance(data, dict) and data["field"] == field, (field, data)


def test_corrupt_and_newer_database_files_are_refused_untouched(tmp_path: Path,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    corrupt = tmp_path / "corrupt.db"
    corrupt.write_bytes(b"this is not a database" * 100)
    before = digest(corrupt)
    code, data, _ = run(capsys, corrupt, "verify")
    assert code == 2 and isinstance(data, dict) and data["error"] == "database_error" and data["field"] == "db"
    assert digest(corrupt) == before
    newer = tmp_path / "newer.db"
    assert run(capsys, newer, "init", "--store", "S1", "--terminal", "T1")[0] == 0
    con = sqlite3.connect(newer)
    con.execute("PRAGMA user_version = 999")
    con.close()
    before = digest(newer)
    code, data, err = run(capsys, newer, "verify")
    assert code == 2 and isinstance(data, dict) and data["found"] == 999 and "newer" in err
    assert digest(newer) == before
    missing = tmp_path / "missing.db"
    code, data, _ = run(capsys, missing, "verify")
    assert code == 2 and not missing.exists()


def test_import_members_all_or_nothing(demo_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    csv_file = tmp_path / "legacy.csv"
    csv_file.write_text(
        "phone,name,birthday,card_no,points,earned_on\n"
        "13512345678,赵六,1980-01-02,,500,2026-01-15\n"
        "13512345678,赵六,,,300,2026-06-01\n"
        "1351234,坏号码,,,100,2026-01-01\n"
        "13587654321,钱七,,2900000000019,100,2026-01-01\n"
        "13511112222,孙八,,,abc,2026-01-01\n", encoding="utf-8")
    before = digest(demo_db)
    code, data, _ = run(capsys, demo_db, "import-members", str(csv_file))
    assert code == 2 and isinstance(data, dict) and not data["written"]
    # a phone that appears twice is an invalid row (one member, not two rows' worth)
    assert [(e["line"], e["field"]) for e in data["errors"]] == [(3, "phone"), (4, "phone"), (5, "card_no"),
                                                                 (6, "points")]
    assert data["valid"] == 1 and data["members_created"] == 1
    assert digest(demo_db) == before
    code, data, _ = run(capsys, demo_db, "import-members", str(csv_file), "--skip-bad")
    assert code == 0 and isinstance(data, dict) and data["written"] and data["members_created"] == 1
    code, data, _ = run(capsys, demo_db, "member", "show", "13512345678")
    assert isinstance(data, dict) and data["balance"] == 500
    assert sorted(lot["expires_on"] for lot in data["lots"]) == ["2028-01-15"]
    code, data, _ = run(capsys, demo_db, "verify")
    assert code == 0


def test_sale_json_prints_the_stored_sale_uuid(demo_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, data, _ = run(capsys, demo_db, "sale", "--amount", "12.00", "--member", GOLD_CARD)
    assert code == 0 and isinstance(data, dict)
    con = sqlite3.connect(demo_db)
    stored = con.execute("SELECT uuid FROM sale WHERE receipt_no = ?", (data["receipt_no"],)).fetchone()[0]
    con.close()
    assert data["sale_uuid"] == stored and len(stored) == 36


def test_full_width_input_reaches_the_same_member_sale_and_receipt(demo_db: Path, tmp_path: Path,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    full_card = GOLD_CARD.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    code, _, err = run(capsys, demo_db, "member", "enroll", "--phone", "13８００１３８０００", "--name", "重复")
    assert code == 2 and "phone" in err  # 13800138000 is a demo member already
    code, shown, _ = run(capsys, demo_db, "member", "show", "１３８００１３８０００")
    assert code == 0 and isinstance(shown, dict) and shown["card_no"] == GOLD_CARD
    code, sale, _ = run(capsys, demo_db, "sale", "--amount", "１００．００", "--member", full_card)
    assert code == 0 and isinstance(sale, dict)
    assert sale["member"] == GOLD_CARD and sale["total_fen"] == 10000
    full_receipt = sale["receipt_no"].translate(str.maketrans("0123456789-ST", "０１２３４５６７８９－ＳＴ"))
    code, quote, _ = run(capsys, demo_db, "refund", full_receipt, "--lines", "１", "--quote")
    assert code == 0 and isinstance(quote, dict) and quote["receipt_no"] == sale["receipt_no"]
    code, gift, _ = run(capsys, demo_db, "redeem-gift", "--member", full_card, "--gift", "Ｇ００５")
    assert code == 0 and isinstance(gift, dict) and gift["gift"] == "G005"
    code, out, _ = run(capsys, demo_db, "receipt", "--receipt-no", full_receipt, "--out", str(tmp_path / "r.bin"))
    assert code == 0 and isinstance(out, dict) and out["bytes"] > 0
    con = sqlite3.connect(demo_db)
    assert con.execute("SELECT count(*) FROM member WHERE phone = '13800138000'").fetchone() == (1,)
    assert con.execute("SELECT count(*) FROM member WHERE phone GLOB '*[^0-9]*'").fetchone() == (0,)
    con.close()


def dump(db: Path) -> list[str]:
    con = sqlite3.connect(db)
    try:
        return list(con.iterdump())
    finally:
        con.close()


def test_demo_seed_without_its_member_qr_key_is_an_error_and_writes_nothing(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """The frozen build once lacked the demo key: demo-seed crashed after writing part of the store."""
    from pos_app.services import demo

    monkeypatch.setattr(demo, "demo_member_qr_key_file", lambda: tmp_path / "missing.pem")
    db = tmp_path / "store.db"
    assert main(["--db", str(db), "init", "--store", "S001", "--terminal", "T01"]) == 0
    capsys.readouterr()
    before = dump(db)
    code, data, err = run(capsys, db, "demo-seed")
    assert code == 2
    assert "error: member_qr.key:" in err and "missing.pem" in err
    assert data is not None and data["field"] == "member_qr.key"
    assert dump(db) == before
    # and a demo-seed that made the database itself leaves no file behind
    fresh = tmp_path / "fresh.db"
    assert run(capsys, fresh, "demo-seed")[0] == 2
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith("fresh.db")]


def test_demo_seed_failing_midway_writes_nothing(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from pos_app.core.errors import Conflict
    from pos_app.services import demo

    real_set_tier = demo.set_tier
    calls = []

    def set_tier_then_fail(*args: object, **kwargs: object) -> object:
        calls.append(kwargs["tier"])
        if len(calls) == 2:  # the program, staff, products and a member with its tier are written by now
            raise Conflict("tier", "the disk was pulled")
        return real_set_tier(*args, **kwargs)

    monkeypatch.setattr(demo, "set_tier", set_tier_then_fail)
    db = tmp_path / "store.db"
    assert main(["--db", str(db), "init", "--store", "S001", "--terminal", "T01"]) == 0
    capsys.readouterr()
    before = dump(db)
    assert run(capsys, db, "demo-seed")[0] == 2
    assert calls == ["gold", "silver"]
    assert dump(db) == before
    monkeypatch.setattr(demo, "set_tier", real_set_tier)  # the next try seeds the whole store
    code, data, _ = run(capsys, db, "demo-seed")
    assert code == 0 and data is not None and data["seeded"] is True
    assert run(capsys, db, "member", "show", "13600136000")[1]["balance"] == 300  # type: ignore[index]


def test_product_import_dry_run_then_import(demo_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``pos-app product import FILE [--dry-run]``: exit 2 with every bad row by line and field
    and nothing written; a dry run of a good file (GB18030, as Excel saves it) writes nothing;
    the import then adds and changes products (the demo's earbuds at a new price)."""
    csv_file = tmp_path / "erp.csv"
    csv_file.write_bytes(("商品编码,条码,商品名称,类别,售价,新品\n"
                          "EARBUD,6970000000017,新款蓝牙耳机,electronics,189.00,是\n"
                          "TEA,6970000000031,乌龙茶,food,12.5,\n"
                          "TEA2,6970000000030,绿茶,food,12.5,\n").encode("gb18030"))
    before = digest(demo_db)
    code, data, _ = run(capsys, demo_db, "product", "import", str(csv_file))
    assert code == 2 and data is not None
    assert [(e["line"], e["field"]) for e in data["errors"]] == [(4, "barcode")]  # type: ignore[index]
    assert digest(demo_db) == before
    csv_file.write_bytes(csv_file.read_bytes().replace(b"TEA2,6970000000030", b"TEA2,6970000000048"))
    code, data, _ = run(capsys, demo_db, "product", "import", str(csv_file), "--dry-run")
    assert code == 0 and data is not None
    assert (data["added"], data["changed"], data["written"]) == (2, 1, False)  # type: ignore[index]
    assert data["changes"] == [{"sku": "EARBUD", "line": 2,  # type: ignore[index]
                                "price_fen": {"old": 19900, "new": 18900}}]
    assert digest(demo_db) == before
    code, data, _ = run(capsys, demo_db, "product", "import", str(csv_file))
    assert code == 0 and data is not None and data["written"]  # type: ignore[index]
    con = sqlite3.connect(demo_db)
    assert con.execute("SELECT price_fen, category FROM product WHERE barcode = '6970000000031'").fetchone() == (
        1250, "food")


def test_demo_seed_again_corrects_the_barcodes_an_older_release_seeded(demo_db: Path,
                                                                        capsys: pytest.CaptureFixture[str]) -> None:
    from pos_app.services.demo import DEMO_BARCODE_FIXES

    con = sqlite3.connect(demo_db)
    with con:  # the database as `make demo` of an older release left it
        for sku, wrong, _right in DEMO_BARCODE_FIXES:
            con.execute("UPDATE product SET barcode = ? WHERE sku = ?", (wrong, sku))
    con.close()
    assert main(["--db", str(demo_db), "demo-seed"]) == 0
    assert "barcodes corrected for EARBUD, CUP, GIFTCARD" in capsys.readouterr().out
    code, data, _ = run(capsys, demo_db, "demo-seed")
    assert code == 0 and data == {"seeded": False, "reason": "already seeded", "barcodes_fixed": []}
    con = sqlite3.connect(demo_db)
    assert dict(con.execute("SELECT sku, barcode FROM product WHERE sku IN ('EARBUD', 'CUP', 'GIFTCARD')")) == {
        sku: right for sku, _wrong, right in DEMO_BARCODE_FIXES}
    con.close()


def test_sale_with_split_tender_and_change_through_cli(demo_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, data, _ = run(capsys, demo_db, "sale", "--amount", "123.45", "--pay", "card=50", "--pay", "cash=100",
                        "--staff", "1001")
    assert code == 0 and isinstance(data, dict)
    assert data["tender"] == "split" and data["change_fen"] == 2655
    assert data["tenders"] == [{"kind": "cash", "amount_fen": 7345, "given_fen": 10000},
                               {"kind": "card", "amount_fen": 5000, "given_fen": 5000}]
    before = digest(demo_db)
    code, data, err = run(capsys, demo_db, "sale", "--amount", "123.45", "--pay", "cash=100", "--staff", "1001")
    assert code == 2 and "tenders" in err and "2345 fen short" in err
    code, data, err = run(capsys, demo_db, "sale", "--amount", "1", "--pay", "cash", "--staff", "1001")
    assert code == 2 and "tenders[0]" in err
    assert digest(demo_db) == before
    assert main(["--db", str(demo_db), "sale", "--amount", "83.50", "--pay", "cash=100", "--staff", "1001"]) == 0
    assert "change 16.50" in capsys.readouterr().out


def test_suspended_sales_listed_and_discarded_through_cli(demo_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from pos_app.core.earning import SaleLine
    from pos_app.services import suspended
    from pos_app.services.context import Terminal

    t = Terminal.open(demo_db)
    s = suspended.suspend_sale(t, lines=[SaleLine(1, "", "", "general", 2, 450)], label="蓝衣服", staff_code="1001")
    t.close()
    code, data, _ = run(capsys, demo_db, "suspended", "list")
    assert code == 0 and data == [{"id": s.id, "label": "蓝衣服", "total_fen": 900, "staff_code": "1001",
                                   "suspended_at": s.suspended_at, "lines": 1, "member": None, "coupon": None}]
    code, _, err = run(capsys, demo_db, "suspended", "discard")
    assert code == 2 and "id" in err
    code, data, _ = run(capsys, demo_db, "suspended", "discard", str(s.id), "--staff", "1001")
    assert code == 0 and run(capsys, demo_db, "suspended", "list")[1] == []
    code, _, err = run(capsys, demo_db, "suspended", "discard", str(s.id))
    assert code == 2 and "suspended" in err


def test_discount_limit_set_and_a_discounted_sale_through_cli(demo_db: Path, tmp_path: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    basket = tmp_path / "lines.json"
    basket.write_text(json.dumps([{"price": "100.00", "discount_fen": 1500}]), encoding="utf-8")
    code, _, err = run(capsys, demo_db, "sale", "--lines", str(basket), "--staff", "1001")
    assert code == 2 and "discount" in err
    code, _, err = run(capsys, demo_db, "setting", "set", "discount.limit_percent", "200")
    assert code == 2 and "discount.limit_percent" in err
    code, data, _ = run(capsys, demo_db, "setting", "set", "discount.limit_percent", "20")
    assert code == 0 and data == {"changed": ["discount.limit_percent"]}
    assert run(capsys, demo_db, "setting", "show")[1]["discount.limit_percent"] == 20  # type: ignore[index]
    code, data, _ = run(capsys, demo_db, "sale", "--lines", str(basket), "--staff", "1001")
    assert code == 0 and data["total_fen"] == 8500  # type: ignore[index]


def test_refund_to_a_chosen_tender_through_cli(demo_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, data, _ = run(capsys, demo_db, "sale", "--amount", "100", "--tender", "wechat", "--staff", "1001")
    receipt = data["receipt_no"]  # type: ignore[index]
    code, data, _ = run(capsys, demo_db, "refund", receipt, "--quote")
    assert code == 0 and data["tenders"] == [{"kind": "wechat", "amount_fen": 10000}]  # type: ignore[index]
    code, _, err = run(capsys, demo_db, "refund", receipt, "--to", "card=100")
    assert code == 2 and "refund_tenders" in err
    code, data, _ = run(capsys, demo_db, "refund", receipt, "--to", "cash=100", "--staff", "1001")
    assert code == 0 and data["tenders"] == [{"kind": "cash", "amount_fen": 10000}]  # type: ignore[index]


def test_cancel_gift_through_cli(demo_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from pos_app.services import context, shifts

    t = context.Terminal.open(demo_db)
    try:
        shifts.open_shift(t, staff_code="1001")
    finally:
        t.close()
    code, gift, _ = run(capsys, demo_db, "redeem-gift", "--member", SILVER_CARD, "--gift", "G005", "--staff", "1001")
    assert code == 0 and isinstance(gift, dict) and gift["balance_after"] == 6000
    before = digest(demo_db)
    code, data, err = run(capsys, demo_db, "cancel-gift", gift["redemption_no"], "--reason", " ", "--staff", "1001")
    assert code == 2 and "reason" in err and digest(demo_db) == before
    code, data, _ = run(capsys, demo_db, "cancel-gift", gift["redemption_no"], "--reason", "wrong colour",
                        "--staff", "1001")
    assert code == 0 and isinstance(data, dict) and (data["points"], data["cash_fen"], data["balance_after"]) == (
        2000, 1990, 8000)
    code, data, err = run(capsys, demo_db, "cancel-gift", gift["redemption_no"], "--reason", "again")
    assert code == 2 and "cancelled already" in err
    with sqlite3.connect(demo_db) as db:
        assert db.execute("SELECT kind FROM print_job WHERE ref = ?", (gift["redemption_no"],)).fetchall() == [
            ("gift_cancel",)]


def test_check_in_at_a_self_service_point_and_awards_with_a_reason(demo_db: Path,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    """Issue 16 item 3: ``pos-app check-in CODE`` (a kiosk) with the member code, once a day;
    a card number is refused naming the field; survey and review awards need ``--reason``."""
    from pos_app.services import demo

    key = str(demo.demo_member_qr_key_file())

    def code() -> str:
        rc, data, _ = run(capsys, demo_db, "member-qr", "issue", "--key", key, "--card", GOLD_CARD)
        assert rc == 0 and isinstance(data, dict)
        return str(data["code"])

    rc, data, _ = run(capsys, demo_db, "check-in", code())
    assert rc == 0 and isinstance(data, dict)
    assert (data["points"], data["granted"], data["member"]["balance"]) == (5, True, 12005)
    rc, data, err = run(capsys, demo_db, "check-in", code())  # once a day
    assert rc == 2 and isinstance(data, dict) and data["field"] == "member_code" and data["reason"] == "done_today"
    assert "checked in today already" in err
    rc, data, _ = run(capsys, demo_db, "check-in", GOLD_CARD)  # a card is not the member's phone
    assert rc == 2 and isinstance(data, dict) and data["field"] == "member_code"
    rc, data, _ = run(capsys, demo_db, "member", "award", GOLD_CARD, "survey")
    assert rc == 2 and isinstance(data, dict) and data["field"] == "reason"
    rc, data, _ = run(capsys, demo_db, "member", "award", GOLD_CARD, "survey", "--reason", "2026 满意度问卷")
    assert rc == 0 and isinstance(data, dict) and data["balance"] == 12105
    with sqlite3.connect(demo_db) as con:
        rows = con.execute("SELECT ref_no, points FROM ledger_entry WHERE kind = 'award' AND ref_no IN"
                           " ('check_in', 'survey') ORDER BY id").fetchall()
    assert rows == [("check_in", 5), ("survey", 100)]
