"""Dynamic member codes (会员码): short-lived QR texts signed by headquarters, verified offline.

A member's phone app shows a QR code that headquarters signed with its Ed25519 key. The
till checks it with the public key in the settings (``member_qr.public_key``), without
the network. The text is compact enough for a small QR code::

    MQ1.<base64url(payload)>.<base64url(signature over "MQ1." + payload part)>
    payload = "<card number>|<issued at>|<expires at>|<nonce>"   (times: Unix seconds)

The nonce is the code's id: one code can be revoked by it (``revoked_code`` kind
``member_qr``); revoking the card (kind ``card``) refuses every code of that card.
In production only headquarters holds the private key; ``generate_keypair`` and
``sign_member_code`` (from ``pos_app.sync.member_code``) are here for demos and tests.
"""

from __future__ import annotations

import datetime as dt
import logging

from pos_app.core.errors import Conflict, InvalidInput, RuleViolation
from pos_app.core.members import validate_card_number
from pos_app.services.context import Terminal
from pos_app.storage.ledger import iso

# the pure rules live in pos_app.sync.member_code (headquarters signs with them); re-exported here
from pos_app.sync.member_code import (
    CLOCK_SKEW_S,
    DEFAULT_TTL_S,
    FIELD,
    MAX_TTL_S,
    PREFIX,
    REVOKE_KINDS,
    SETTING_KEY,
    MemberCode,
    check_member_code,
    generate_keypair,
    load_private_key,
    looks_like_member_code,
    public_key_text,
    read_member_code,
    sign_member_code,
)
from pos_app.sync.member_code import NONCE_RE as _NONCE

__all__ = [
    "CLOCK_SKEW_S", "DEFAULT_TTL_S", "FIELD", "MAX_TTL_S", "PREFIX", "REVOKE_KINDS", "SETTING_KEY", "MemberCode",
    "card_revoked", "check_member_code", "generate_keypair", "load_private_key", "looks_like_member_code",
    "public_key_text", "read_member_code", "revoke_code", "sign_member_code", "verify_member_code",
]

log = logging.getLogger(__name__)


def _revoked(t: Terminal, kind: str, value: str) -> dict[str, object] | None:
    return t.repo.revoked_code(kind, value)


def verify_member_code(t: Terminal, text: str, now: dt.datetime | None = None) -> str:
    """The card number a member code stands for, or an error with the reason: no_key,
    malformed, forged, not_yet_valid, expired, revoked."""
    code = check_member_code(t.repo.setting(SETTING_KEY) or "", text, now or t.clock())
    for kind, value in (("member_qr", code.nonce), ("card", code.card_no)):
        row = _revoked(t, kind, value)
        if row is not None:
            raise RuleViolation(FIELD, f"this {'card' if kind == 'card' else 'code'} was revoked: {row['reason']}",
                                reason="revoked", revoked_kind=kind)
    return code.card_no


def card_revoked(t: Terminal, card_no: str) -> bool:
    return _revoked(t, "card", card_no) is not None


# -- revocation -------------------------------------------------------------------------------------
def revoke_code(t: Terminal, kind: str, value: str, reason: str, staff_code: str | None = None) -> str:
    """Refuse a card or a member code at this terminal from now on; audited. ``value`` is a
    card number, or a member code (its whole text or its id). Returns the value stored."""
    if kind not in REVOKE_KINDS:
        raise InvalidInput("kind", f"one of {', '.join(REVOKE_KINDS)}: {kind!r}", options=REVOKE_KINDS)
    if not isinstance(reason, str) or not reason.strip() or len(reason.strip()) > 200:
        raise InvalidInput("reason", "a reason (at most 200 characters) is required")
    text = value.strip() if isinstance(value, str) else ""
    if kind == "card":
        stored = validate_card_number(text)
    elif looks_like_member_code(text):
        stored = read_member_code(text)[0].nonce
    elif _NONCE.match(text):
        stored = text
    else:
        raise InvalidInput(FIELD, "a member code or its id", reason="malformed")
    stamp = t.stamp(staff_code=staff_code)
    with t.database.transaction():
        if _revoked(t, kind, stored) is not None:
            raise Conflict("revoked", f"{kind} {stored} is revoked already")
        t.repo.insert("revoked_code", {"kind": kind, "value": stored, "reason": reason.strip(),
                                       "revoked_at": iso(stamp.recorded_at)})
        t.ledger.audit("code.revoke", f"{kind}:{stored}", {"kind": kind, "value": stored, "reason": reason.strip()},
                       stamp)
    return stored
