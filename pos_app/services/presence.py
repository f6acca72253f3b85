"""Whether the member is at the counter (issue 15 item 2). Earning needs only the member's
identity; spending their points (a points payment, a gift) needs the member present: their
card scanned (``card``), their member code scanned (``member_qr``: a signed QR that changes every
minute, ``services.member_codes``), or a one-time code sent to their phone and read out by them
(``otp``). A phone number or a card number typed by the cashier (``phone``, ``typed_card``) is
something anyone can know: it may earn but not spend, unless the store's manager has allowed it
(``presence.phone_may_spend``, a protected setting).

The services cannot see how a text reached them: the counter says it (``presence=``). Without it
the reference itself decides (``of_reference``): a member code is present, a phone number is not,
a card number counts as the card shown (the back office's and scripts' way; the window passes
``typed_card`` for a number typed into the member field).

The one-time code: six digits from ``secrets``, valid ``OTP_VALID_S`` seconds, at most
``OTP_TRIES`` tries, sent through the chain's own notification service (an HTTP webhook the
chain runs: it sends the SMS or WeChat message; this till sends only ``{"phone", "code",
"store_id", "terminal_id", "valid_seconds"}``). Codes live in this process's memory only, never in
the database or a log: a code is good for one counter, one member, a few minutes.
"""

from __future__ import annotations

import datetime as dt
import hmac
import json
import logging
import secrets
import threading
import urllib.error
import urllib.request
from dataclasses import dataclass

from pos_app.core.errors import InvalidInput, RuleViolation
from pos_app.services import scans
from pos_app.services.context import Terminal

log = logging.getLogger(__name__)

#: how the member showed they are here; the first three allow spending
PRESENT = ("card", "member_qr", "otp")
#: identified only by something typed: earning yes, spending only where the manager allows it
TYPED = ("phone", "typed_card")
KINDS = (*PRESENT, *TYPED, "other")
OTP_VALID_S = 300
OTP_TRIES = 3
OTP_DIGITS = 6


def of_reference(text: str | None) -> str:
    """What a member reference as typed or scanned proves: a card number -> ``card``, a member
    code -> ``member_qr``, a phone number -> ``phone``, anything else (a uuid) -> ``other``."""
    if not text:
        return "other"
    kind = scans.classify_scan(text).kind
    return {"member_card": "card", "member_qr": "member_qr", "phone": "phone"}.get(kind, "other")


def check_kind(presence: object) -> str:
    if presence not in KINDS:
        raise InvalidInput("presence", f"one of {', '.join(KINDS)}: {presence!r}", options=KINDS)
    return str(presence)


def may_spend(t: Terminal, presence: str) -> bool:
    """What ``require_present`` would say before a code's expiry is looked at (for a screen
    that refuses at once instead of asking its question first)."""
    if presence in PRESENT:
        return True
    from pos_app.services.settings import load_settings

    return presence in TYPED and load_settings(t).presence_phone_may_spend


def require_present(t: Terminal, member_uuid: str, presence: str, *, what: str) -> None:
    """Refuses spending (``what``: "points" or "gift") for a member who did not show they are
    here; the error says what the cashier can do (scan the card or member code, or send a code)."""
    presence = check_kind(presence)
    if _verified(t, member_uuid, t.clock()) if presence == "otp" else may_spend(t, presence):
        return
    log.info("spending %s refused: member %s identified by %s only", what, member_uuid, presence)
    raise RuleViolation("presence", f"spending points needs the member present ({presence} only): ask the member "
                                    "to show their card or member code, or send a one-time code",
                        reason="not_present", what=what, presence=presence)


@dataclass
class _Challenge:
    member_uuid: str
    code: str
    expires: dt.datetime
    tries_left: int
    verified: bool = False


#: (store, terminal, member uuid) -> the code sent last; a member locked out by wrong tries: tries_left 0
_challenges: dict[tuple[str, str, str], _Challenge] = {}
_lock = threading.Lock()


def _key(t: Terminal, member_uuid: str) -> tuple[str, str, str]:
    return (t.store_id, t.terminal_id, member_uuid)


def _verified(t: Terminal, member_uuid: str, now: dt.datetime) -> bool:
    with _lock:
        c = _challenges.get(_key(t, member_uuid))
        return c is not None and c.verified and now < c.expires


@dataclass(frozen=True)
class CodeRequest:
    """A one-time code on its way to the member: where to post it and what. Made from the
    database (``code_request``) on the caller's thread; posted (``post_code``) on any thread."""

    member_uuid: str
    url: str
    code: str
    body: bytes


def code_request(t: Terminal, member_uuid: str, phone: str) -> CodeRequest:
    """A new code for the member and the request that sends it; no webhook set is an error that
    says so (the cashier asks for the card or member code instead)."""
    from pos_app.services.settings import load_settings

    url = load_settings(t).presence_otp_webhook
    if not url:
        raise RuleViolation("presence", "no one-time code service is set up for this store", reason="no_otp")
    code = "".join(secrets.choice("0123456789") for _ in range(OTP_DIGITS))
    body = json.dumps({"phone": phone, "code": code, "store_id": t.store_id, "terminal_id": t.terminal_id,
                       "valid_seconds": OTP_VALID_S}).encode()
    return CodeRequest(member_uuid, url, code, body)


def post_code(request: CodeRequest, *, timeout: float = 5.0) -> None:
    """Has the chain's notification service send the code: HTTP only, no database, so the window
    runs it off the UI thread. The service not answering (or not with 2xx) is an error."""
    http = urllib.request.Request(request.url, data=request.body, method="POST",
                                  headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(http, timeout=timeout) as answer:
            status = answer.status
    except urllib.error.HTTPError as exc:
        status = exc.code
    except (urllib.error.URLError, OSError) as exc:
        log.warning("the one-time code service did not answer: %s", getattr(exc, "reason", exc))
        raise RuleViolation("presence", "the one-time code service did not answer",
                            reason="otp_unreachable") from None
    if not 200 <= status < 300:
        log.warning("the one-time code service answered HTTP %s", status)
        raise RuleViolation("presence", f"the one-time code service answered HTTP {status}",
                            reason="otp_unreachable")


def remember_code(t: Terminal, request: CodeRequest) -> int:
    """The code went out: the member may read it out for ``OTP_VALID_S`` seconds from now (the
    code sent last replaces any earlier one). Returns the seconds it is valid."""
    with _lock:
        _challenges[_key(t, request.member_uuid)] = _Challenge(
            request.member_uuid, request.code, t.clock() + dt.timedelta(seconds=OTP_VALID_S), OTP_TRIES)
    log.info("one-time code sent for member %s", request.member_uuid)  # never the code
    return OTP_VALID_S


def send_code(t: Terminal, member_uuid: str, phone: str, *, timeout: float = 5.0) -> int:
    """Makes a one-time code for the member and has the chain's notification service send it to
    ``phone``; returns the seconds it is valid (the command line's way: all on this thread)."""
    request = code_request(t, member_uuid, phone)
    post_code(request, timeout=timeout)
    return remember_code(t, request)


def verify_code(t: Terminal, member_uuid: str, typed: str) -> None:
    """Checks the code the member read out. Wrong: an error with the tries left; after
    ``OTP_TRIES`` wrong tries the code is locked (even the right one is refused) and, like an
    expired code, a new one must be sent."""
    text = typed.strip() if isinstance(typed, str) else ""
    if not (text.isascii() and text.isdigit() and len(text) == OTP_DIGITS):
        raise InvalidInput("otp", f"{OTP_DIGITS} digits")
    now = t.clock()
    with _lock:
        c = _challenges.get(_key(t, member_uuid))
        if c is None or now >= c.expires:
            _challenges.pop(_key(t, member_uuid), None)
            raise RuleViolation("otp", "no valid code: send a new one", reason="expired")
        if c.tries_left <= 0:
            raise RuleViolation("otp", "too many wrong codes: send a new one", reason="locked")
        if not hmac.compare_digest(c.code, text):
            c.tries_left -= 1
            log.info("wrong one-time code for member %s, %d tries left", member_uuid, c.tries_left)
            if c.tries_left <= 0:
                raise RuleViolation("otp", "too many wrong codes: send a new one", reason="locked")
            raise RuleViolation("otp", "wrong code", reason="wrong", tries_left=c.tries_left)
        c.verified = True
    log.info("one-time code verified for member %s", member_uuid)


def forget(t: Terminal, member_uuid: str | None = None) -> None:
    """Drops the code of one member (the sale is over) or of all on this terminal (logout)."""
    with _lock:
        for key in [k for k in _challenges if k[:2] == (t.store_id, t.terminal_id)
                    and (member_uuid is None or k[2] == member_uuid)]:
            del _challenges[key]
