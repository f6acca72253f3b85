"""Request signing between a terminal and headquarters (HMAC-SHA256, per-terminal secret).

The signature covers the method, the path with its query, the timestamp, a nonce, the
sha256 of the body and the idempotency key, one per line. Headquarters accepts a
timestamp within ``WINDOW_S`` of its clock and refuses a (terminal, nonce) it has seen, so
a captured request cannot be sent again; a retry of the same batch is signed afresh and
carries the same ``Idempotency-Key``.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import time

WINDOW_S = 300

H_TERMINAL = "X-POS-Terminal"
H_TIMESTAMP = "X-POS-Timestamp"
H_NONCE = "X-POS-Nonce"
H_SIGNATURE = "X-POS-Signature"
H_IDEMPOTENCY = "Idempotency-Key"

_HEX64 = re.compile(r"^[0-9a-fA-F]{64}$")


def new_secret() -> str:
    return secrets.token_hex(32)


def string_to_sign(method: str, path: str, timestamp: str, nonce: str, body: bytes, idempotency_key: str) -> bytes:
    digest = hashlib.sha256(body).hexdigest()
    return "\n".join((method.upper(), path, timestamp, nonce, digest, idempotency_key)).encode("utf-8")


def signature(secret: str, method: str, path: str, timestamp: str, nonce: str, body: bytes,
              idempotency_key: str) -> str:
    msg = string_to_sign(method, path, timestamp, nonce, body, idempotency_key)
    return hmac.new(bytes.fromhex(secret), msg, hashlib.sha256).hexdigest()


def sign(secret: str, terminal_id: str, method: str, path: str, body: bytes, *, idempotency_key: str = "",
         now: float | None = None, nonce: str | None = None) -> dict[str, str]:
    """The headers that authenticate one request (``path`` includes the query string)."""
    ts = str(int(now if now is not None else time.time()))
    nonce = nonce or secrets.token_hex(16)
    headers = {
        H_TERMINAL: terminal_id, H_TIMESTAMP: ts, H_NONCE: nonce,
        H_SIGNATURE: signature(secret, method, path, ts, nonce, body, idempotency_key),
    }
    if idempotency_key:
        headers[H_IDEMPOTENCY] = idempotency_key
    return headers


class SignatureError(Exception):
    """Why a request's signature was refused (``reason`` is a stable code)."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


def check(secret: str, method: str, path: str, body: bytes, headers: dict[str, str], *,
          now: float | None = None, window_s: int = WINDOW_S) -> tuple[str, str]:
    """Check a request's signature and timestamp; returns (timestamp, nonce) for the replay check.

    ``headers`` maps lower-case header names to values.
    """
    ts = headers.get(H_TIMESTAMP.lower(), "")
    nonce = headers.get(H_NONCE.lower(), "")
    sig = headers.get(H_SIGNATURE.lower(), "")
    if not ts or not nonce or not sig:
        raise SignatureError("unsigned", "the request is not signed")
    # ASCII only: str.isdigit() and isalnum() accept characters such as '²' that int() refuses
    if not ts.isascii() or not ts.isdigit() or len(ts) > 12:
        raise SignatureError("bad_timestamp", f"{H_TIMESTAMP} must be whole seconds since 1970")
    if not 8 <= len(nonce) <= 64 or not nonce.isascii() or not nonce.isalnum():
        raise SignatureError("bad_nonce", f"{H_NONCE} must be 8 to 64 letters or digits")
    if not _HEX64.match(sig):
        raise SignatureError("bad_signature", f"{H_SIGNATURE} must be 64 hex digits")
    current = now if now is not None else time.time()
    if abs(current - int(ts)) > window_s:
        raise SignatureError("stale", f"the request's time is more than {window_s} s from headquarters' clock")
    expected = signature(secret, method, path, ts, nonce, body, headers.get(H_IDEMPOTENCY.lower(), ""))
    if not hmac.compare_digest(expected, sig.lower()):
        raise SignatureError("bad_signature", "the signature does not match")
    return ts, nonce
