"""Cashiers and managers: PINs hashed with argon2id, lock-out after repeated wrong PINs."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from pos_app.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from pos_app.core.members import validate_name
from pos_app.core.text import normalize_input
from pos_app.services.context import Terminal
from pos_app.storage.ledger import iso

ROLES = ("cashier", "manager")
MAX_ATTEMPTS = 5
LOCK_MINUTES = 5
# argon2id with a modest cost: a counter PC verifies a PIN in well under 100 ms.
_hasher = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1)


@dataclass(frozen=True)
class StaffMember:
    code: str
    name: str
    role: str
    active: bool = True

    @property
    def is_manager(self) -> bool:
        return self.role == "manager"


def _typed(value: str) -> str:
    """A staff number or PIN as typed: full-width digits are the same digits (NFKC)."""
    return normalize_input(value) if isinstance(value, str) else value


def _check_pin(pin: str, field: str = "pin") -> str:
    if not isinstance(pin, str) or not re.fullmatch(r"[0-9]{4,8}", pin):
        raise InvalidInput(field, "a PIN is 4 to 8 digits")
    return pin


def check_new_staff(*, code: str, name: str, role: str, pin: str) -> str:
    """A new account's fields (``InvalidInput`` names the first wrong one); returns the name tidied."""
    if not isinstance(code, str) or not re.fullmatch(r"[0-9]{3,8}", code):
        raise InvalidInput("code", "a staff number is 3 to 8 digits")
    name = validate_name(name)
    if role not in ROLES:
        raise InvalidInput("role", f"must be one of {', '.join(ROLES)}")
    _check_pin(pin)
    return name


def create_staff(t: Terminal, *, code: str, name: str, role: str, pin: str,
                 by: str | None = None) -> StaffMember:
    code, pin = _typed(code), _typed(pin)
    name = check_new_staff(code=code, name=name, role=role, pin=pin)
    stamp = t.stamp(staff_code=by)
    with t.database.transaction():
        if t.repo.staff_by_code(code) is not None:
            raise Conflict("code", f"staff number {code} exists already")
        t.repo.insert_staff(code=code, name=name, role=role, pin_hash=_hasher.hash(pin),
                            created_at=iso(stamp.recorded_at))
        t.ledger.audit("staff.create", code, {"role": role}, stamp)
    return StaffMember(code, name, role)


def authenticate(t: Terminal, code: str, pin: str, *, field: str = "pin") -> StaffMember:
    """Check a staff number and PIN; five wrong PINs lock the account for a while."""
    if not isinstance(code, str) or not code:
        raise InvalidInput("staff", "a staff number is required")
    if not isinstance(pin, str) or not pin:
        raise InvalidInput(field, "a PIN is required")
    code, pin = _typed(code), _typed(pin)
    now = t.clock()
    row = t.repo.staff_by_code(code)
    if row is None or not row.active:
        raise NotFound("staff", f"no active staff member {code}")
    if row.locked_until and dt.datetime.fromisoformat(row.locked_until) > now:
        raise PermissionDenied("staff", f"{code} is locked until {row.locked_until} after wrong PINs",
                               locked_until=row.locked_until)
    try:
        _hasher.verify(row.pin_hash, pin)
    except (VerificationError, InvalidHashError):
        attempts = row.failed_attempts + 1
        locked = iso(now + dt.timedelta(minutes=LOCK_MINUTES)) if attempts >= MAX_ATTEMPTS else None
        with t.database.transaction():
            t.repo.update_staff(code, failed_attempts=0 if locked else attempts, locked_until=locked)
            t.ledger.audit("staff.pin_wrong", code, {"attempts": attempts, "locked": bool(locked)},
                           t.stamp(staff_code=code))
        raise PermissionDenied(field, "wrong PIN", attempts=attempts) from None
    if row.failed_attempts or row.locked_until:
        with t.database.transaction():
            t.repo.update_staff(code, failed_attempts=0, locked_until=None)
    return StaffMember(row.code, row.name, row.role)


def require_manager(t: Terminal, code: str | None, pin: str | None, *, field: str = "manager") -> StaffMember:
    """A manager's approval: number and PIN of a staff member with the manager role."""
    if not code or not pin:
        raise PermissionDenied(field, "a manager's number and PIN are required")
    staff = authenticate(t, code, pin, field=f"{field}_pin")
    if not staff.is_manager:
        raise PermissionDenied(field, f"{code} is not a manager")
    return staff


def _acting_manager(t: Terminal, by: str | None) -> str:
    """The staff number of the active manager making a staff change (``by``)."""
    row = t.repo.staff_by_code(by) if isinstance(by, str) and by else None
    if row is None or not row.active or row.role != "manager":
        raise PermissionDenied("staff", "only an active store manager manages staff")
    return row.code


def _existing(t: Terminal, code: str) -> str:
    code = _typed(code)
    if not isinstance(code, str) or t.repo.staff_by_code(code) is None:
        raise NotFound("code", f"no staff member {code}", reason="no_staff")
    return code


def list_staff(t: Terminal) -> list[StaffMember]:
    """Every account (never a PIN or its hash)."""
    return [StaffMember(r.code, r.name, r.role, bool(r.active)) for r in t.repo.all_staff()]


def reset_pin(t: Terminal, *, code: str, pin: str, by: str | None) -> None:
    """A manager sets a new PIN for an account; a lock-out after wrong PINs ends. Audited, the PIN never."""
    manager = _acting_manager(t, by)
    code = _existing(t, code)
    pin = _check_pin(_typed(pin))
    stamp = t.stamp(staff_code=manager)
    with t.database.transaction():
        t.repo.update_staff(code, pin_hash=_hasher.hash(pin), failed_attempts=0, locked_until=None)
        t.ledger.audit("staff.pin_reset", code, {}, stamp)


def set_active(t: Terminal, *, code: str, active: bool, by: str | None) -> None:
    """A manager disables (nobody logs in with it) or enables an account; not their own. Audited."""
    manager = _acting_manager(t, by)
    code = _existing(t, code)
    if code == manager and not active:
        raise Conflict("code", "a manager cannot disable their own account", reason="self")
    stamp = t.stamp(staff_code=manager)
    with t.database.transaction():
        t.repo.update_staff(code, active=bool(active))
        t.ledger.audit("staff.enable" if active else "staff.disable", code, {}, stamp)


def add_staff(t: Terminal, *, code: str, name: str, role: str, pin: str, pin_again: str,
              by: str | None) -> StaffMember:
    """A manager adds an account from the window: the PIN typed twice must match."""
    manager = _acting_manager(t, by)
    if _typed(pin) != _typed(pin_again):
        raise InvalidInput("pin_again", "the two PINs differ")
    return create_staff(t, code=code, name=name, role=role, pin=pin, by=manager)
