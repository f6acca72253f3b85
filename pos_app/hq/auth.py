"""Who is calling: every request but enrollment and health is signed by a terminal's secret.

``authenticate`` checks the terminal, the HMAC signature over the exact bytes received and
the timestamp window (``sync.signing``), then records the nonce: a (terminal, nonce) seen
before is a replay. Nonces older than twice the window are purged now and then; a request
that old is refused as stale anyway, so purging never lets a replay through.

Every refusal is logged on ``pos_app.hq.security`` and written to the audit table (action
``auth.refused``) in a transaction of its own, so it is kept even though the request
wrote nothing else; so are the later refusals of a signed request's headers, query and body
(``app``: reason ``invalid_input``, ``conflict`` or ``not_found``, with the field).
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Mapping
from typing import Any

from peewee import Database, IntegrityError

from pos_app.core.errors import PermissionDenied, PosError
from pos_app.hq import db, sealing
from pos_app.sync import signing

log = logging.getLogger("pos_app.hq.security")

AWARDS_PATH = "/v1/awards"
PURGE_EVERY_S = 60

_purge_lock = threading.Lock()
_last_purge = 0.0


class Unauthenticated(PosError):
    """The request does not prove which terminal sent it (HTTP 401); ``reason`` says why."""

    code = "unauthenticated"


def _database() -> Database:
    database: Database | None = db.proxy.obj
    assert database is not None, "the headquarters database is not open"
    return database


def record_refusal(terminal_id: str, reason: str, *, method: str, path: str, client: str, status: int,
                   **details: Any) -> None:
    """Log a refused request and keep an audit row of it (never raises: a failing audit
    write must not turn a refusal into a server error)."""
    log.warning("refused %s %s from terminal %r at %s: %s (%d)", method, path, terminal_id or "-", client or "-",
                reason, status)
    try:
        with db.writing(_database()):
            db.Audit.create(at=db.utcnow(), actor=terminal_id or "-", action="auth.refused", ref=path[:300],
                            details=json.dumps({"reason": reason, "client": client, "method": method,
                                                "status": status, **details}, sort_keys=True, ensure_ascii=False))
    except Exception:  # the log line above is the record of last resort
        log.exception("could not write the audit row of a refused request")


def _purge_nonces(now: float) -> None:
    global _last_purge
    with _purge_lock:
        if now - _last_purge < PURGE_EVERY_S:
            return
        _last_purge = now
    db.Nonce.delete().where(db.Nonce.at < int(now) - 2 * signing.WINDOW_S).execute()


def _remember_nonce(terminal: db.Terminal, nonce: str, now: float) -> bool:
    """Insert the nonce; False when this terminal used it before (a replay)."""
    try:
        with db.writing(_database()):
            if db.Nonce.get_or_none((db.Nonce.terminal_id == terminal.id) & (db.Nonce.nonce == nonce)) is not None:
                return False
            db.Nonce.insert(terminal_id=terminal.id, nonce=nonce, at=int(now)).execute()
            db.Terminal.update(last_seen_at=db.utcnow()).where(db.Terminal.id == terminal.id).execute()
            _purge_nonces(now)
    except IntegrityError:  # the same nonce in two requests at once (PostgreSQL): one of them wins
        return False
    return True


def authenticate(method: str, path_with_query: str, body: bytes, headers: Mapping[str, str], *, client: str = "",
                 now: float | None = None) -> db.Terminal:
    """The terminal that signed this request, or ``Unauthenticated``/``PermissionDenied``
    (both logged and audited). ``headers`` maps lower-case names to values."""
    current = time.time() if now is None else now
    terminal_id = headers.get(signing.H_TERMINAL.lower(), "")[:64]

    def refuse(reason: str, message: str) -> Unauthenticated:
        record_refusal(terminal_id, reason, method=method, path=path_with_query, client=client, status=401)
        return Unauthenticated("signature", message, reason=reason)

    if not terminal_id:
        raise refuse("unsigned", f"the request does not name its terminal ({signing.H_TERMINAL})")
    terminal = db.Terminal.get_or_none(db.Terminal.id == terminal_id)
    if terminal is None:
        raise refuse("unknown_terminal", "no such terminal")
    if not terminal.active:
        raise refuse("inactive", "the terminal is deactivated")
    if not terminal.secret:
        raise refuse("not_enrolled", "the terminal has not enrolled")
    try:
        secret = sealing.unseal(terminal.secret, f"terminal:{terminal.id}")
        _ts, nonce = signing.check(secret, method, path_with_query, body, dict(headers), now=current)
    except signing.SignatureError as exc:
        raise refuse(exc.reason, exc.message) from None
    if not _remember_nonce(terminal, nonce, current):
        raise refuse("replay", "this request has been received before")
    path = path_with_query.split("?", 1)[0]
    is_awards = path == AWARDS_PATH
    if (terminal.kind == "channel") != is_awards:
        reason = "channel_only" if is_awards else "till_only"
        record_refusal(terminal_id, reason, method=method, path=path_with_query, client=client, status=403)
        raise PermissionDenied("terminal", "channels may only report awards" if not is_awards
                               else "only a channel may report awards", reason=reason)
    return terminal
