"""How the member at the counter was identified (``services.presence``), as checkout and the
gifts screen both track it: a scanned card or member code is the member present, a typed phone
or card number is not; a one-time code read out by the member makes them present."""

from __future__ import annotations

from pos_app.services import presence, scans
from pos_app.services.context import Terminal


def presence_of(t: Terminal, text: str, *, scanned: bool) -> str:
    """What identifying the member by ``text`` proves: a member code always (it is signed and
    changes every minute), a card number only when a scanner read it, a phone number never."""
    kind = scans.read_scan(t, text).kind
    if kind == "member_qr":
        return "member_qr"
    if kind == "member_card":
        return "card" if scanned else "typed_card"
    if kind == "phone":
        return "phone"
    return "other"


def keep_stronger(old_uuid: str | None, old: str | None, new_uuid: str, new: str) -> str:
    """The same member identified again (the phone typed after the card was scanned) stays present."""
    if old_uuid == new_uuid and old in presence.PRESENT and new not in presence.PRESENT:
        return old
    return new


def is_present(presence_kind: str | None) -> bool:
    return presence_kind in presence.PRESENT
