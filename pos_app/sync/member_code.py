"""Dynamic member codes (会员码): the pure signing, formatting and checking rules.

Shared by headquarters (which holds the private key and issues codes) and the terminal
(``services.member_codes``, which verifies them offline and knows about revocations). The
text is compact enough for a small QR code::

    MQ1.<base64url(payload)>.<base64url(signature over "MQ1." + payload part)>
    payload = "<card number>|<issued at>|<expires at>|<nonce>"   (times: Unix seconds)

The nonce is the code's id: one code can be revoked by it (kind ``member_qr``); revoking
the card (kind ``card``) refuses every code of that card.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import re
import secrets
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from pos_app.core.errors import InvalidInput, RuleViolation
from pos_app.core.members import validate_card_number

PREFIX = "MQ1."
FIELD = "member_qr"
SETTING_KEY = "member_qr.public_key"
DEFAULT_TTL_S = 60
MAX_TTL_S = 3600
CLOCK_SKEW_S = 30  # the phone's and the till's clocks may disagree this much
REVOKE_KINDS = ("card", "member_qr")
NONCE_RE = re.compile(r"^[A-Za-z0-9_-]{8,32}$")
_MAX_TEXT = 400


@dataclass(frozen=True)
class MemberCode:
    """What a member code says (before or after its signature is checked)."""

    card_no: str
    issued_at: int
    expires_at: int
    nonce: str


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def unb64(text: str) -> bytes:
    if not re.fullmatch(r"[A-Za-z0-9_-]*", text):
        raise ValueError("not base64url")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def epoch(now: dt.datetime) -> int:
    """Unix seconds; a naive time is the store's local time, as everywhere in the product."""
    return int(now.timestamp())


# -- keys (headquarters, demos, tests) -------------------------------------------------------------
def generate_keypair() -> tuple[bytes, str]:
    """A new Ed25519 key: (private key as PEM, public key as base64url for the settings)."""
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    return pem, public_key_text(key)


def load_private_key(pem: bytes) -> Ed25519PrivateKey:
    try:
        key = serialization.load_pem_private_key(pem, password=None)
    except (ValueError, TypeError) as exc:
        raise InvalidInput("key", f"not an unencrypted PEM private key: {exc}") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise InvalidInput("key", "not an Ed25519 private key")
    return key


def public_key_text(key: Ed25519PrivateKey) -> str:
    raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return b64(raw)


def parse_public_key(text: str) -> Ed25519PublicKey | None:
    """The public key from its settings text (base64url of 32 bytes), or None if it is not one."""
    try:
        raw = unb64(text.strip())
        return Ed25519PublicKey.from_public_bytes(raw) if len(raw) == 32 else None
    except (ValueError, binascii.Error):
        return None


# -- signing (headquarters) and reading --------------------------------------------------------------
def sign_member_code(private_key: Ed25519PrivateKey | bytes, card_no: str, now: dt.datetime,
                     ttl_s: int = DEFAULT_TTL_S, *, nonce: str | None = None) -> str:
    """The QR text for ``card_no``, valid from ``now`` for ``ttl_s`` seconds."""
    key = load_private_key(private_key) if isinstance(private_key, bytes) else private_key
    card = validate_card_number(card_no)
    if isinstance(ttl_s, bool) or not isinstance(ttl_s, int) or not 1 <= ttl_s <= MAX_TTL_S:
        raise InvalidInput("ttl", f"a validity of 1 to {MAX_TTL_S} seconds: {ttl_s!r}")
    nonce = nonce or b64(secrets.token_bytes(9))
    if not NONCE_RE.match(nonce):
        raise InvalidInput("nonce", "8 to 32 base64url characters")
    issued = epoch(now)
    payload = b64(f"{card}|{issued}|{issued + ttl_s}|{nonce}".encode("ascii"))
    signature = key.sign((PREFIX + payload).encode("ascii"))
    return f"{PREFIX}{payload}.{b64(signature)}"


def looks_like_member_code(text: str) -> bool:
    return isinstance(text, str) and text.strip().startswith(PREFIX)


def _malformed(detail: str) -> InvalidInput:
    return InvalidInput(FIELD, f"not a member code: {detail}", reason="malformed")


def read_member_code(text: str) -> tuple[MemberCode, bytes, bytes]:
    """The code's contents, the signed bytes and the signature; nothing is verified yet."""
    if not isinstance(text, str):
        raise _malformed("must be text")
    raw = text.strip()
    if not raw.startswith(PREFIX) or len(raw) > _MAX_TEXT:
        raise _malformed(f"does not start with {PREFIX} or is too long")
    parts = raw[len(PREFIX):].split(".")
    if len(parts) != 2:
        raise _malformed("two parts separated by a dot expected")
    try:
        payload = unb64(parts[0]).decode("ascii")
        signature = unb64(parts[1])
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise _malformed("bad base64url") from None
    fields = payload.split("|")
    if len(fields) != 4 or not all(re.fullmatch(r"\d{1,12}", f) for f in fields[1:3]) or len(signature) != 64:
        raise _malformed("bad payload or signature length")
    try:
        card = validate_card_number(fields[0], field=FIELD)
    except InvalidInput:
        raise _malformed("bad card number") from None
    if not NONCE_RE.match(fields[3]):
        raise _malformed("bad nonce")
    code = MemberCode(card, int(fields[1]), int(fields[2]), fields[3])
    return code, (PREFIX + parts[0]).encode("ascii"), signature


def check_member_code(public_key: str, text: str, now: dt.datetime) -> MemberCode:
    """Signature and validity window, without a database (revocation is the caller's)."""
    key = parse_public_key(public_key) if public_key else None
    if key is None:
        raise RuleViolation(FIELD, "no member QR key is configured (settings: member_qr.public_key)",
                            reason="no_key")
    code, signed, signature = read_member_code(text)
    try:
        key.verify(signature, signed)
    except InvalidSignature:
        raise InvalidInput(FIELD, "the signature does not match: forged or altered", reason="forged") from None
    if code.expires_at < code.issued_at or code.expires_at - code.issued_at > MAX_TTL_S:
        raise _malformed("validity window out of range")
    at = epoch(now)
    if at + CLOCK_SKEW_S < code.issued_at:
        raise RuleViolation(FIELD, "the code is not valid yet (check the clock)", reason="not_yet_valid",
                            valid_from=code.issued_at)
    if at > code.expires_at + CLOCK_SKEW_S:
        raise RuleViolation(FIELD, f"the code expired {at - code.expires_at} s ago", reason="expired",
                            expired_s=at - code.expires_at)
    return code
