"""Stores, terminals and enrollment: the administrator's side of who may talk to headquarters.

Plain functions, each one write transaction with an audit row; the ``pos-hq`` CLI wraps them.
An enrollment code is shown once and stored only as its sha256, so a copy of the database
does not let anyone enroll a terminal. The secret a terminal receives at enrollment is the
key of every request it signs; enrolling again with a new code replaces it (rotation), so a
stolen or re-imaged till is cut off by issuing a new code to the real one.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from typing import Any

from peewee import Database

from pos_app.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied, PosError
from pos_app.hq import db, sealing
from pos_app.sync import signing
from pos_app.sync.protocol import ID_RE

#: no 0/O, 1/I: the code is read off a screen and typed on a till
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CODE_GROUPS = 3
CODE_GROUP_LEN = 4
TERMINAL_KINDS = ("till", "channel")


def _database() -> Database:
    database: Database | None = db.proxy.obj
    if database is None:
        raise InvalidInput("db", "the headquarters database is not open")
    return database


def _audit(actor: str, action: str, ref: str, **details: Any) -> None:
    db.Audit.create(at=db.utcnow(), actor=actor, action=action, ref=ref,
                    details=json.dumps(details, sort_keys=True, ensure_ascii=False))


def _require_id(value: object, name: str) -> str:
    if not isinstance(value, str) or not ID_RE.match(value):
        raise InvalidInput(name, "1 to 32 letters, digits, - or _ are required")
    return value


def create_store(store_id: str, name: str, *, actor: str = "admin") -> db.Store:
    _require_id(store_id, "store_id")
    if not isinstance(name, str) or not 0 < len(name.strip()) <= 100:
        raise InvalidInput("name", "a name of 1 to 100 characters is required")
    with db.writing(_database()):
        if db.Store.get_or_none(db.Store.id == store_id) is not None:
            raise Conflict("store_id", f"store {store_id} exists already")
        store = db.Store.create(id=store_id, name=name.strip(), created_at=db.utcnow())
        _audit(actor, "store.create", store_id, name=store.name)
    return store


def create_terminal(terminal_id: str, store_id: str, *, kind: str = "till", actor: str = "admin") -> db.Terminal:
    """A till or a channel (mini-program, website) of a store; it has no secret until it enrolls."""
    _require_id(terminal_id, "terminal_id")
    _require_id(store_id, "store_id")
    if kind not in TERMINAL_KINDS:
        raise InvalidInput("kind", f"one of {', '.join(TERMINAL_KINDS)} is required")
    if terminal_id.upper() == db.HQ_CHAIN:
        raise InvalidInput("terminal_id", f"{db.HQ_CHAIN} names headquarters' own chain")
    with db.writing(_database()):
        if db.Store.get_or_none(db.Store.id == store_id) is None:
            raise NotFound("store", f"no store {store_id}")
        if db.Terminal.get_or_none(db.Terminal.id == terminal_id) is not None:
            raise Conflict("terminal_id", f"terminal {terminal_id} exists already")
        terminal = db.Terminal.create(id=terminal_id, store_id=store_id, kind=kind, created_at=db.utcnow())
        _audit(actor, "terminal.create", terminal_id, store_id=store_id, kind=kind)
    return terminal


def normalise_code(code: str) -> str:
    """Upper case without spaces and dashes: what the hash is taken of."""
    return "".join(ch for ch in code.upper() if ch not in " -\t")


def code_hash(code: str) -> str:
    return hashlib.sha256(normalise_code(code).encode("utf-8")).hexdigest()


def _random_code() -> str:
    chars = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_GROUPS * CODE_GROUP_LEN))
    return "-".join(chars[i:i + CODE_GROUP_LEN] for i in range(0, len(chars), CODE_GROUP_LEN))


def new_enrollment_code(terminal_id: str, *, ttl_hours: int = 72, actor: str = "admin") -> str:
    """A one-time code for ``terminal_id``, valid ``ttl_hours``; unused older codes stop working."""
    _require_id(terminal_id, "terminal_id")
    if not isinstance(ttl_hours, int) or isinstance(ttl_hours, bool) or not 0 < ttl_hours <= 24 * 30:
        raise InvalidInput("ttl_hours", "between 1 and 720 hours is required")
    code = _random_code()
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    with db.writing(_database()):
        terminal = db.Terminal.get_or_none(db.Terminal.id == terminal_id)
        if terminal is None:
            raise NotFound("terminal", f"no terminal {terminal_id}")
        if not terminal.active:
            raise PermissionDenied("terminal", f"terminal {terminal_id} is deactivated")
        db.EnrollmentCode.delete().where((db.EnrollmentCode.terminal_id == terminal_id)
                                         & db.EnrollmentCode.used_at.is_null()).execute()
        db.EnrollmentCode.create(code_hash=code_hash(code), terminal_id=terminal_id, created_at=now.isoformat(),
                                 expires_at=(now + dt.timedelta(hours=ttl_hours)).isoformat())
        _audit(actor, "enrollment.code", terminal_id, ttl_hours=ttl_hours)
    return code


class EnrollmentRefused(PermissionDenied):
    """An enrollment code that cannot be used; ``reason`` says why (unknown, used, expired, ...)."""

    code = "enrollment_refused"


class TooManyAttempts(PosError):
    """A client that guessed wrong too often is refused for a while (HTTP 429)."""

    code = "rate_limited"


GUESS_REASONS = ("unknown", "wrong_terminal")  # what guessing codes looks like; a used or expired code is no guess


class EnrollLimiter:
    """At most ``limit`` guessed-wrong enrollments (unknown code, another terminal's code) per
    client address in ``window`` seconds; past that every attempt from the address is refused
    until the oldest guess is ``window`` old. Kept in the process: each ``pos-hq`` worker counts
    its own, so N workers allow N x ``limit`` (still hopeless against 12-character codes)."""

    def __init__(self, limit: int = 10, window: float = 900.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit, self.window, self._clock = limit, window, clock
        self._guesses: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, address: str) -> deque[float]:
        now = self._clock()
        guesses = self._guesses.setdefault(address, deque())
        while guesses and guesses[0] <= now - self.window:
            guesses.popleft()
        return guesses

    def retry_after(self, address: str) -> int:
        """Seconds until ``address`` may try again; 0 when it may now."""
        with self._lock:
            guesses = self._recent(address)
            if len(guesses) < self.limit:
                if not guesses:
                    self._guesses.pop(address, None)
                return 0
            return max(1, int(guesses[0] + self.window - self._clock()) + 1)

    def guessed_wrong(self, address: str) -> None:
        with self._lock:
            self._recent(address).append(self._clock())


def refuse_rate_limited(terminal_id: object, *, client: str, retry_after: int) -> None:
    """Audit the refusal of an address that guessed too often, and raise it."""
    ref = terminal_id if isinstance(terminal_id, str) else ""
    with db.writing(_database()):
        _audit(ref[:64], "enroll.refused", ref[:64], reason="rate_limited", client=client)
    raise TooManyAttempts("code", f"too many wrong enrollment codes from this address; try again in {retry_after} s",
                          retry_after=retry_after)


def enroll(code: str, terminal_id: str, *, client: str = "") -> dict[str, str]:
    """Exchange a one-time code for the terminal's signing secret (a new secret every time)."""
    if not isinstance(code, str) or not 0 < len(code) <= 40:
        raise InvalidInput("code", "an enrollment code is required")
    _require_id(terminal_id, "terminal_id")
    digest = code_hash(code)
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    with db.writing(_database()):
        row = db.EnrollmentCode.get_or_none(db.EnrollmentCode.code_hash == digest)
        terminal = db.Terminal.get_or_none(db.Terminal.id == terminal_id)
        reason = ""
        if row is None:
            reason, message = "unknown", "no such enrollment code"
        elif row.terminal_id != terminal_id:
            reason, message = "wrong_terminal", "the code was issued for another terminal"
        elif row.used_at is not None:
            reason, message = "used", "the code has been used already"
        elif dt.datetime.fromisoformat(row.expires_at) <= now:
            reason, message = "expired", "the code has expired; ask headquarters for a new one"
        elif terminal is None or not terminal.active:
            reason, message = "inactive", "the terminal is not active"
        if not reason and row is not None and terminal is not None and not _claim(row, now):
            # another request claimed it between our read and now (PostgreSQL runs them side by side)
            reason, message = "used", "the code has been used already"
        if not reason and row is not None and terminal is not None:
            secret = signing.new_secret()
            rotated = terminal.secret is not None
            sealing.check_key()
            terminal.secret = sealing.seal(secret, f"terminal:{terminal_id}")  # never stored plain
            terminal.enrolled_at = now.isoformat()
            terminal.save()
            _audit(terminal_id, "terminal.enroll", terminal_id, client=client, rotated=rotated)
            return {"store_id": terminal.store_id, "terminal_id": terminal_id, "secret": secret,
                    "hq_time": now.isoformat()}
    with db.writing(_database()):  # the refusal is recorded even though nothing else was
        _audit(terminal_id, "enroll.refused", terminal_id, reason=reason, client=client)
    raise EnrollmentRefused("code", message, reason=reason)


def _claim(row: db.EnrollmentCode, now: dt.datetime) -> bool:
    """Mark the code used, if nobody did meanwhile: one conditional update, so of several requests
    with one code exactly one wins (on PostgreSQL the losers wait for the row and then see it used)."""
    claimed = (db.EnrollmentCode.update(used_at=now.isoformat())
               .where((db.EnrollmentCode.code_hash == row.code_hash) & db.EnrollmentCode.used_at.is_null())
               .execute())
    return bool(claimed == 1)


def set_terminal_active(terminal_id: str, active: bool, *, actor: str = "admin") -> None:
    """Deactivate (every request refused) or reactivate a terminal."""
    with db.writing(_database()):
        terminal = db.Terminal.get_or_none(db.Terminal.id == terminal_id)
        if terminal is None:
            raise NotFound("terminal", f"no terminal {terminal_id}")
        if active and terminal.retired_at:
            raise PermissionDenied("terminal", f"terminal {terminal_id} is retired for good")
        terminal.active = bool(active)
        terminal.save()
        _audit(actor, "terminal.activate" if active else "terminal.deactivate", terminal_id)


def list_terminals(store_id: str | None = None) -> list[dict[str, Any]]:
    """Every terminal (of one store), without secrets."""
    query = db.Terminal.select().order_by(db.Terminal.store_id, db.Terminal.id)
    if store_id is not None:
        query = query.where(db.Terminal.store_id == store_id)
    return [
        {"id": t.id, "store_id": t.store_id, "kind": t.kind, "active": bool(t.active), "enrolled": t.secret is not None,
         "created_at": t.created_at, "enrolled_at": t.enrolled_at, "last_seen_at": t.last_seen_at,
         "last_push_at": t.last_push_at, "last_seq": t.last_seq}
        for t in query
    ]


def list_stores() -> list[dict[str, Any]]:
    return [{"id": s.id, "name": s.name, "created_at": s.created_at}
            for s in db.Store.select().order_by(db.Store.id)]


# -- the console's views of stores and terminals (issue 14) ------------------------------------------

def retire_terminal(terminal_id: str, *, actor: str) -> db.Terminal:
    """Retire a terminal for good: inactive (every signed request refused), its unused codes
    deleted, ``retired_at`` set; it cannot be reactivated or given a new code."""
    _require_id(terminal_id, "terminal_id")
    with db.writing(_database()):
        terminal = db.Terminal.get_or_none(db.Terminal.id == terminal_id)
        if terminal is None:
            raise NotFound("terminal", f"no terminal {terminal_id}")
        if terminal.retired_at:
            raise Conflict("terminal", f"terminal {terminal_id} is retired already")
        terminal.active = False
        terminal.retired_at = db.utcnow()
        terminal.save()
        db.EnrollmentCode.delete().where((db.EnrollmentCode.terminal_id == terminal_id)
                                         & db.EnrollmentCode.used_at.is_null()).execute()
        _audit(actor, "terminal.retire", terminal_id, store_id=terminal.store_id)
    return terminal


def store_overview(store_id: str | None = None, *, members: Mapping[str, int] | None = None) -> list[dict[str, Any]]:
    """Every store (or one) with its number of active tills and of members, newest id last;
    ``members``: the member counts per store when the caller has them (the console's kept
    figures: counting reads every member of the chain)."""
    from peewee import fn

    stores = db.Store.select().order_by(db.Store.id)
    if store_id is not None:
        stores = stores.where(db.Store.id == store_id)
    T, M = db.Terminal, db.Member
    tills_query = (T.select(T.store_id, fn.COUNT(T.id)).where(T.active & (T.kind == "till")).group_by(T.store_id))
    members_query = M.select(M.store_id, fn.COUNT(M.uuid)).group_by(M.store_id)
    if store_id is not None:
        tills_query = tills_query.where(T.store_id == store_id)
        members_query = members_query.where(M.store_id == store_id)
    tills = {str(s): int(n) for s, n in _tuples(tills_query)}
    if members is None:
        members = {str(s): int(n) for s, n in _tuples(members_query)}
    return [{"id": s.id, "name": s.name, "created_at": s.created_at, "tills": tills.get(s.id, 0),
             "members": members.get(s.id, 0)} for s in stores]


def _tuples(query: Any) -> list[tuple[Any, ...]]:
    return list(query.tuples())  # peewee's typing does not follow ``.tuples()``


def get_store(store_id: str) -> db.Store:
    store = db.Store.get_or_none(db.Store.id == store_id)
    if store is None:
        raise NotFound("store", f"no store {store_id}")
    return store


def get_terminal(terminal_id: str) -> db.Terminal:
    terminal = db.Terminal.get_or_none(db.Terminal.id == terminal_id)
    if terminal is None:
        raise NotFound("terminal", f"no terminal {terminal_id}")
    return terminal


def terminal_batches(terminal_id: str, *, limit: int = 50) -> list[dict[str, Any]]:
    """The terminal's latest pushes: when, entries written, what headquarters acknowledged."""
    rows = (db.Batch.select().where(db.Batch.terminal_id == terminal_id)
            .order_by(db.Batch.received_at.desc()).limit(limit))
    out = []
    for b in rows:
        try:
            answer = json.loads(b.response)
        except ValueError:
            answer = {}
        out.append({"id": b.id, "received_at": b.received_at, "entries": int(b.entries),
                    "inserted": answer.get("inserted"), "duplicates": answer.get("duplicates"),
                    "acked_seq": answer.get("acked_seq"), "acked_oid": answer.get("acked_oid")})
    return out


def terminal_audit(terminal_id: str, *, before: int | None = None, limit: int = 50) -> list[db.Audit]:
    """Audit rows about a terminal or made by it (refused requests included), newest first."""
    A = db.Audit
    query = A.select().where((A.ref == terminal_id) | (A.actor == terminal_id))
    if before is not None:
        query = query.where(A.id < before)
    return list(query.order_by(A.id.desc()).limit(limit))


AUDIT_FILTERS = ("actor", "action", "ref")


def _day(value: str, name: str) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(name, "a date as YYYY-MM-DD is required") from None


def audit_rows(*, actor: str = "", action: str = "", ref: str = "", since: str = "", until: str = "",
               before: int | None = None, limit: int = 50) -> list[db.Audit]:
    """Audit rows newest first, filtered (actor, action and ref exact; an action ending in ``.``
    or ``*`` is a prefix), from ``since`` to ``until`` (days, inclusive, UTC), ``limit`` after
    the keyset ``before`` (an id): each page is an index range on the primary key."""
    A = db.Audit
    for name, value in (("actor", actor), ("action", action), ("ref", ref)):
        if len(value) > 300:
            raise InvalidInput(name, "at most 300 characters")
    first, last = _day(since, "since"), _day(until, "until")
    if first and last and last < first:
        raise InvalidInput("until", "the end is before the start")
    query = A.select()
    if actor:
        query = query.where(A.actor == actor)
    if action:
        prefix = action.rstrip("*")
        query = query.where(A.action.startswith(prefix) if action.endswith(("*", ".")) else A.action == action)
    if ref:
        query = query.where(A.ref == ref)
    if first:
        query = query.where(A.at >= first.isoformat())
    if last:
        query = query.where(A.at < (last + dt.timedelta(days=1)).isoformat())
    if before is not None:
        query = query.where(A.id < before)
    return list(query.order_by(A.id.desc()).limit(limit))
