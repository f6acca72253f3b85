"""Headquarters staff: the people who use the console (not a till's cashiers), their roles and
their sign-in sessions.

Passwords are kept as argon2id hashes. After ``LOCK_AFTER`` wrong passwords in a row an account
is locked for ``LOCK_MINUTES`` (an admin can unlock it sooner); the lock is checked before the
password, so a locked account learns nothing from a right guess. A session is a random token in
an HttpOnly cookie; only its sha256 is stored, so a copy of the database signs nobody in. Every
change is audited with the acting staff member (``staff:<login>``).

The console's sessions are separate from the tills' HMAC signatures: no console cookie is
accepted by ``/v1`` and no terminal secret by ``/console``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import secrets
from dataclasses import dataclass
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from peewee import Database

from pos_app.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from pos_app.hq import db

ROLES = ("admin", "marketing", "finance", "store_manager")
LOGIN_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{1,31}$")
MIN_PASSWORD = 10
MAX_PASSWORD = 200
LOCK_AFTER = 5  # wrong passwords in a row
LOCK_MINUTES = 15
SESSION_IDLE_MINUTES = 30  # signed out after this long without a request
SESSION_MAX_HOURS = 12  # and after this long whatever

# argon2id with the library's defaults (RFC 9106's second recommended set: 64 MiB, 3 passes)
_hasher = PasswordHasher()


class LoginRefused(PermissionDenied):
    """Sign-in refused; ``reason``: wrong (unknown login or wrong password), locked, inactive."""

    code = "login_refused"


@dataclass(frozen=True)
class StaffUser:
    """The signed-in staff member a console request acts as."""

    id: int
    login: str
    name: str
    role: str
    store_id: str | None
    csrf: str  # the session's form token

    @property
    def actor(self) -> str:
        return f"staff:{self.login}"


def _database() -> Database:
    database: Database | None = db.proxy.obj
    if database is None:
        raise InvalidInput("db", "the headquarters database is not open")
    return database


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def audit(actor: str, action: str, ref: str, **details: Any) -> None:
    """One audit row (inside the caller's transaction)."""
    db.Audit.create(at=db.utcnow(), actor=actor, action=action, ref=ref,
                    details=json.dumps(details, sort_keys=True, ensure_ascii=False, default=str))


def check_login(login: object) -> str:
    text = login.strip().lower() if isinstance(login, str) else ""
    if not LOGIN_RE.match(text):
        raise InvalidInput("login", "2 to 32 lower-case letters, digits, '.', '_' or '-',"
                           " starting with a letter or digit")
    return text


def check_password(password: object) -> str:
    if not isinstance(password, str) or not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise InvalidInput("password", f"a password of {MIN_PASSWORD} to {MAX_PASSWORD} characters is required")
    if password.strip() != password or len(set(password)) < 4:
        raise InvalidInput("password", "no spaces at the ends, and at least 4 different characters")
    return password


def check_role(role: object, store_id: object) -> tuple[str, str | None]:
    if role not in ROLES:
        raise InvalidInput("role", f"one of {', '.join(ROLES)} is required")
    if role == "store_manager":
        if not isinstance(store_id, str) or not store_id:
            raise InvalidInput("store_id", "a store manager needs their store")
        if db.Store.get_or_none(db.Store.id == store_id) is None:
            raise NotFound("store_id", f"no store {store_id}")
        return str(role), store_id
    return str(role), None


def add_staff(login: str, password: str, role: str, *, name: str = "", store_id: str | None = None,
              actor: str) -> dict[str, Any]:
    """A new console account. ``pos-hq staff add`` makes the first admin; after that, admins."""
    login = check_login(login)
    check_password(password)
    name = (name or login).strip()
    if not 0 < len(name) <= 100:
        raise InvalidInput("name", "a name of 1 to 100 characters is required")
    digest = _hasher.hash(password)  # slow on purpose: outside the write transaction
    with db.writing(_database()):
        role, store = check_role(role, store_id)
        if db.Staff.get_or_none(db.Staff.login == login) is not None:
            raise Conflict("login", f"staff {login} exists already")
        now = db.utcnow()
        row = db.Staff.create(login=login, name=name, role=role, store_id=store, password_hash=digest, active=True,
                              failed_logins=0, created_at=now, password_changed_at=now)
        audit(actor, "staff.add", login, role=role, store_id=store, name=name)
    return describe(row)


def describe(row: db.Staff) -> dict[str, Any]:
    return {"id": row.id, "login": row.login, "name": row.name, "role": row.role, "store_id": row.store_id,
            "active": bool(row.active), "locked_until": row.locked_until, "failed_logins": row.failed_logins,
            "created_at": row.created_at, "last_login_at": row.last_login_at}


def list_staff() -> list[dict[str, Any]]:
    return [describe(r) for r in db.Staff.select().order_by(db.Staff.login)]


def _get(login: str) -> db.Staff:
    row = db.Staff.get_or_none(db.Staff.login == login)
    if row is None:
        raise NotFound("login", f"no staff {login}")
    return row


def set_password(login: str, password: str, *, actor: str) -> None:
    """A new password (an admin's reset or the user's own); ends every session of the account."""
    check_password(password)
    digest = _hasher.hash(password)
    with db.writing(_database()):
        row = _get(login)
        db.Staff.update(password_hash=digest, password_changed_at=db.utcnow(), failed_logins=0,
                        locked_until=None).where(db.Staff.id == row.id).execute()
        db.ConsoleSession.delete().where(db.ConsoleSession.staff_id == row.id).execute()
        audit(actor, "staff.password", login)


def update_staff(login: str, *, actor: str, role: str | None = None, store_id: str | None = None,
                 active: bool | None = None, name: str | None = None, unlock: bool = False) -> dict[str, Any]:
    """Change an account's role (and store), name, active flag, or unlock it. Deactivating ends its
    sessions. The last active admin cannot be deactivated or demoted."""
    with db.writing(_database()):
        row = _get(login)
        changes: dict[str, Any] = {}
        if role is not None:
            new_role, new_store = check_role(role, store_id)
            changes.update(role=new_role, store_id=new_store)
        if name is not None:
            if not 0 < len(name.strip()) <= 100:
                raise InvalidInput("name", "a name of 1 to 100 characters is required")
            changes["name"] = name.strip()
        if active is not None:
            changes["active"] = bool(active)
        if unlock:
            changes.update(failed_logins=0, locked_until=None)
        losing_admin = row.role == "admin" and row.active and (
            changes.get("role", "admin") != "admin" or changes.get("active", True) is False)
        if losing_admin and db.Staff.select().where((db.Staff.role == "admin") & db.Staff.active).count() <= 1:
            raise PermissionDenied("role", "the last active admin stays an active admin")
        if changes:
            db.Staff.update(**changes).where(db.Staff.id == row.id).execute()
        if changes.get("active") is False or "role" in changes:
            db.ConsoleSession.delete().where(db.ConsoleSession.staff_id == row.id).execute()
        audit(actor, "staff.update", login, **{k: v for k, v in changes.items()})
        return describe(db.Staff.get_by_id(row.id))


# -- signing in -------------------------------------------------------------------------------------

def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("ascii", "replace")).hexdigest()


def sign_in(login: object, password: object, *, client: str = "", now: dt.datetime | None = None) -> str:
    """Check a login and password and open a session: returns the cookie's token. Every refusal
    and every success is audited; ``LOCK_AFTER`` wrong passwords in a row lock the account."""
    now = now or _now()
    text = login.strip().lower() if isinstance(login, str) else ""
    secret = password if isinstance(password, str) else ""
    if not text or len(text) > 64:
        raise InvalidInput("login", "the login name is required")
    if not secret or len(secret) > MAX_PASSWORD:
        raise InvalidInput("password", "the password is required")
    row = db.Staff.get_or_none(db.Staff.login == text)
    reason = ""
    if row is None:
        _hasher.hash(secret)  # as slow as a real check: the answer time does not tell logins apart
        reason = "wrong"
    elif row.locked_until and dt.datetime.fromisoformat(row.locked_until) > now:
        reason = "locked"
    elif not row.active:
        reason = "inactive"
    else:
        try:
            _hasher.verify(row.password_hash, secret)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            reason = "wrong"
    with db.writing(_database()):
        if reason:
            locked_until = None
            if row is not None and reason == "wrong":
                failed = int(row.failed_logins) + 1
                if failed >= LOCK_AFTER:
                    locked_until = (now + dt.timedelta(minutes=LOCK_MINUTES)).isoformat()
                    failed = 0
                db.Staff.update(failed_logins=failed, locked_until=locked_until).where(db.Staff.id == row.id).execute()
            audit(f"staff:{text[:32]}", "console.login_refused", text[:32], reason=reason, client=client,
                  locked_until=locked_until)
        else:
            assert row is not None
            token = secrets.token_urlsafe(32)
            db.ConsoleSession.create(token_hash=_token_hash(token), staff_id=row.id, csrf=secrets.token_urlsafe(32),
                                     created_at=now.isoformat(), last_seen_at=now.isoformat(),
                                     expires_at=(now + dt.timedelta(hours=SESSION_MAX_HOURS)).isoformat(),
                                     client=client[:100])
            db.Staff.update(failed_logins=0, locked_until=None, last_login_at=now.isoformat()).where(
                db.Staff.id == row.id).execute()
            if _hasher.check_needs_rehash(row.password_hash):
                db.Staff.update(password_hash=_hasher.hash(secret)).where(db.Staff.id == row.id).execute()
            audit(row_actor(row), "console.login", row.login, client=client)
            return token
    if reason == "locked":
        raise LoginRefused("login", "this account is locked after too many wrong passwords; try again later"
                           " or ask an admin", reason=reason)
    if reason == "inactive":
        raise LoginRefused("login", "this account is disabled", reason=reason)
    raise LoginRefused("password", "wrong login name or password", reason=reason)


def row_actor(row: db.Staff) -> str:
    return f"staff:{row.login}"


def session_user(token: str | None, *, now: dt.datetime | None = None) -> StaffUser | None:
    """The staff member a session cookie belongs to, or None (no, unknown, expired or idle
    session, or a disabled account). Touches ``last_seen_at`` at most once a minute."""
    if not token or len(token) > 100:
        return None
    now = now or _now()
    session = db.ConsoleSession.get_or_none(db.ConsoleSession.token_hash == _token_hash(token))
    if session is None:
        return None
    idle_limit = dt.datetime.fromisoformat(session.last_seen_at) + dt.timedelta(minutes=SESSION_IDLE_MINUTES)
    if dt.datetime.fromisoformat(session.expires_at) <= now or idle_limit <= now:
        with db.writing(_database()):
            db.ConsoleSession.delete().where(db.ConsoleSession.token_hash == session.token_hash).execute()
        return None
    row = db.Staff.get_or_none(db.Staff.id == session.staff_id)
    if row is None or not row.active:
        return None
    if (now - dt.datetime.fromisoformat(session.last_seen_at)).total_seconds() >= 60:
        with db.writing(_database()):
            db.ConsoleSession.update(last_seen_at=now.isoformat()).where(
                db.ConsoleSession.token_hash == session.token_hash).execute()
    return StaffUser(id=row.id, login=row.login, name=row.name, role=row.role, store_id=row.store_id,
                     csrf=session.csrf)


def sign_out(token: str | None) -> None:
    if not token:
        return
    with db.writing(_database()):
        session = db.ConsoleSession.get_or_none(db.ConsoleSession.token_hash == _token_hash(token))
        if session is not None:
            row = db.Staff.get_or_none(db.Staff.id == session.staff_id)
            session.delete_instance()
            if row is not None:
                audit(row_actor(row), "console.logout", row.login)


def change_own_password(login: str, current: object, new: object, *, keep_session: str | None = None) -> None:
    """A staff member's own new password: the current one is required (a borrowed, unlocked
    browser cannot take the account over). Ends every other session of the account; the one
    whose token is ``keep_session`` stays signed in."""
    if not isinstance(current, str) or not current or len(current) > MAX_PASSWORD:
        raise InvalidInput("current", "the current password is required")
    password = check_password(new)
    row = _get(login)
    try:
        _hasher.verify(row.password_hash, current)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        raise InvalidInput("current", "the current password is wrong") from None
    if password == current:
        raise InvalidInput("password", "the new password must differ from the current one")
    digest = _hasher.hash(password)
    keep = _token_hash(keep_session) if keep_session else ""
    with db.writing(_database()):
        db.Staff.update(password_hash=digest, password_changed_at=db.utcnow()).where(db.Staff.id == row.id).execute()
        db.ConsoleSession.delete().where((db.ConsoleSession.staff_id == row.id)
                                         & (db.ConsoleSession.token_hash != keep)).execute()
        audit(row_actor(row), "staff.password", login, own=True)
