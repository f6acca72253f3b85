"""What a scan means: member card, member code (会员码), phone, product, coupon, gift or receipt.

``classify_scan`` only looks at the text (no database; pass the program's gift codes to
recognise gifts). ``identify_member`` is the counter's member lookup for anything a scanner
or a cashier gives: it verifies a member code and refuses a revoked card.

Order matters where texts could look alike: a member card (EAN-13 in the GS1 in-store range
29, check digit verified) is also a valid EAN-13, so the 29 range is tried before products;
an 11-digit mobile number is never 8, 12 or 13 digits long, so it cannot be a product.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from pos_app.core.errors import InvalidInput, NotFound, RuleViolation
from pos_app.core.members import CARD_PREFIX, gs1_check_digit, normalize_phone, validate_card_number
from pos_app.core.text import normalize_input
from pos_app.services import member_codes, members
from pos_app.services.context import Terminal
from pos_app.storage.repo import MemberRecord

SCAN_KINDS = ("member_card", "member_qr", "phone", "product", "coupon", "gift", "receipt", "unknown")
BARCODE_KINDS = {8: "EAN-8", 12: "UPC-A", 13: "EAN-13"}
COUPON_RE = re.compile(r"^CP[0-9A-F]{12}$")  # as pos_app.services.points issues them
#: store-terminal-number, as pos_app.services.sales numbers receipts (ids as services.context allows)
RECEIPT_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_\-]{0,15}-[A-Za-z0-9][A-Za-z0-9_\-]{0,15}-[0-9]{8}$")


@dataclass(frozen=True)
class ScanResult:
    kind: str  # one of SCAN_KINDS
    text: str  # what was read, stripped (a phone number normalised, a coupon in capitals)
    symbology: str = ""  # EAN-13 / EAN-8 / UPC-A for a product barcode


def _gs1_valid(digits: str) -> bool:
    return gs1_check_digit(digits[:-1]) == int(digits[-1])


def classify_scan(text: str, *, gift_codes: Iterable[str] = ()) -> ScanResult:
    """The kind of a scanned (or typed) text; "unknown" when it is none of the known kinds."""
    raw = normalize_input(text) if isinstance(text, str) else ""
    if not raw:
        return ScanResult("unknown", "")
    if member_codes.looks_like_member_code(raw):
        return ScanResult("member_qr", raw)
    digits = raw.isascii() and raw.isdigit()
    if digits and raw.startswith(CARD_PREFIX) and len(raw) == 13 and _gs1_valid(raw):
        return ScanResult("member_card", raw)
    try:
        return ScanResult("phone", normalize_phone(raw))
    except InvalidInput:
        pass
    if digits and len(raw) in BARCODE_KINDS and _gs1_valid(raw):
        return ScanResult("product", raw, BARCODE_KINDS[len(raw)])
    if digits:
        try:  # cards of other lengths (imported from an older system) carry a GS1 check digit too
            return ScanResult("member_card", validate_card_number(raw))
        except InvalidInput:
            return ScanResult("unknown", raw)
    if COUPON_RE.match(raw.upper()):
        return ScanResult("coupon", raw.upper())
    gifts = {g.upper(): g for g in gift_codes}
    if raw.upper() in gifts:
        return ScanResult("gift", gifts[raw.upper()])
    if RECEIPT_RE.match(raw):
        return ScanResult("receipt", raw)
    return ScanResult("unknown", raw)


def read_scan(t: Terminal, text: str) -> ScanResult:
    """``classify_scan`` with this terminal's gift catalogue."""
    try:
        gift_codes = [g.code for g in t.program.gifts]
    except NotFound:  # no program loaded yet: gifts are simply not recognised
        gift_codes = []
    return classify_scan(text, gift_codes=gift_codes)


def identify_member(t: Terminal, text: str, *, field: str = "member") -> MemberRecord:
    """The member for a card number, phone number or member code; a revoked card is refused."""
    found = members.find_member(t, text, field=field)
    digits = re.sub(r"[\s\-]", "", text.strip())
    if digits == found.card_no and member_codes.card_revoked(t, found.card_no):
        raise RuleViolation("card", f"card {found.card_no} was revoked", reason="revoked")
    return found
