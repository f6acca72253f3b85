"""What a scan means: the classification table, and the member lookup behind a scan."""

from __future__ import annotations

import datetime as dt

import pytest

from pos_app.core.errors import InvalidInput, NotFound, RuleViolation
from pos_app.core.members import gs1_check_digit, make_card_number
from pos_app.services import member_codes, members, scans, settings
from pos_app.services.context import Terminal
from pos_app.services.scans import ScanResult, classify_scan


def ean(body: str) -> str:
    return body + str(gs1_check_digit(body))


CARD = make_card_number(42)
GIFTS = ("G001", "G002", "G005")


@pytest.mark.parametrize(("text", "expected"), [
    (CARD, ScanResult("member_card", CARD)),
    (f"  {CARD}\r", ScanResult("member_card", CARD)),
    (make_card_number(1), ScanResult("member_card", make_card_number(1))),
    (ean("1234567890123456"), ScanResult("member_card", ean("1234567890123456"))),  # a 17-digit legacy card
    ("13800138000", ScanResult("phone", "13800138000")),
    ("138 0013 8000", ScanResult("phone", "13800138000")),
    ("+8613800138000", ScanResult("phone", "13800138000")),
    ("6901234567892", ScanResult("product", "6901234567892", "EAN-13")),
    (ean("9638507"), ScanResult("product", ean("9638507"), "EAN-8")),
    (ean("03600029145"), ScanResult("product", ean("03600029145"), "UPC-A")),
    ("CP3F9A0B1C2D4E", ScanResult("coupon", "CP3F9A0B1C2D4E")),
    ("cp3f9a0b1c2d4e", ScanResult("coupon", "CP3F9A0B1C2D4E")),
    ("G001", ScanResult("gift", "G001")),
    ("g005", ScanResult("gift", "G005")),
    ("S001-T01-00000042", ScanResult("receipt", "S001-T01-00000042")),
    ("MQ1.abc.def", ScanResult("member_qr", "MQ1.abc.def")),  # the form only; verified when used
    # not anything
    ("", ScanResult("unknown", "")),
    ("6901234567893", ScanResult("unknown", "6901234567893")),  # product with a wrong check digit
    (CARD[:-1] + str((int(CARD[-1]) + 1) % 10), ScanResult("unknown", CARD[:-1] + str((int(CARD[-1]) + 1) % 10))),
    ("12345", ScanResult("unknown", "12345")),
    ("hello", ScanResult("unknown", "hello")),
    ("CP", ScanResult("unknown", "CP")),
    ("CP-12", ScanResult("unknown", "CP-12")),
    ("CP3F9A0B1C2D4", ScanResult("unknown", "CP3F9A0B1C2D4")),  # 11 hex digits
    ("CPZZZZZZZZZZZZ", ScanResult("unknown", "CPZZZZZZZZZZZZ")),
    ("G999", ScanResult("unknown", "G999")),  # not in the catalogue
    ("S001-T01-0042", ScanResult("unknown", "S001-T01-0042")),
    ("２９００", ScanResult("unknown", "2900")),  # full-width digits are read as the digits (NFKC)
    ("٢٩٠٠", ScanResult("unknown", "٢٩٠٠")),  # digits of other scripts are no digits of a code
    # what a Chinese input method types: the same member, product or receipt
    (CARD.translate(str.maketrans("0123456789", "０１２３４５６７８９")), ScanResult("member_card", CARD)),
    ("１３８００１３８０００", ScanResult("phone", "13800138000")),
    ("６９０１２３４５６７８９２", ScanResult("product", "6901234567892", "EAN-13")),
    ("Ｓ００１－Ｔ０１－００００００４２", ScanResult("receipt", "S001-T01-00000042")),
])
def test_classification(text: str, expected: ScanResult) -> None:
    assert classify_scan(text, gift_codes=GIFTS) == expected


def test_gifts_are_known_only_from_the_catalogue() -> None:
    assert classify_scan("G001").kind == "unknown"


def test_old_import_path_still_works() -> None:
    assert settings.classify_scan is scans.classify_scan
    assert settings.ScanResult is scans.ScanResult


def test_read_scan_uses_the_program_gifts(terminal: Terminal) -> None:
    assert scans.read_scan(terminal, "G004") == ScanResult("gift", "G004")
    assert scans.read_scan(terminal, "G010").kind == "unknown"


@pytest.fixture
def member(terminal: Terminal) -> str:
    m = members.enroll_member(terminal, phone="13800138000", name="张三")
    return m.card_no


def test_identify_member_by_card_phone_and_member_code(terminal: Terminal, member: str) -> None:
    private, public = member_codes.generate_keypair()
    settings.set_setting(terminal, "member_qr.public_key", public)
    now = terminal.clock()
    code = member_codes.sign_member_code(private, member, now)
    for ref in (member, "13800138000", code):
        assert scans.identify_member(terminal, ref).card_no == member
    with pytest.raises(RuleViolation) as exc:
        scans.identify_member(terminal, member_codes.sign_member_code(private, member, now - dt.timedelta(hours=1)))
    assert exc.value.params["reason"] == "expired"
    with pytest.raises(NotFound):
        scans.identify_member(terminal, make_card_number(77))
    with pytest.raises(InvalidInput):
        scans.identify_member(terminal, "hello")


def test_a_revoked_card_is_refused_but_the_phone_still_finds_the_member(terminal: Terminal, member: str) -> None:
    member_codes.revoke_code(terminal, "card", member, "lost")
    with pytest.raises(RuleViolation) as exc:
        scans.identify_member(terminal, member)
    assert exc.value.field == "card" and exc.value.params["reason"] == "revoked"
    assert scans.identify_member(terminal, "13800138000").card_no == member
