"""Typed errors of the domain; each names the field that was wrong so a UI can translate it."""

from __future__ import annotations

from typing import Any


class PosError(Exception):
    """Base of every error the product raises on purpose.

    ``code`` is a stable machine-readable identifier (the UI maps it to translated text),
    ``field`` names the input that was wrong (``"amount"``, ``"lines[2].price"``, ...),
    ``params`` carries the numbers a message needs.
    """

    code = "error"

    def __init__(self, field: str, message: str, **params: Any) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message
        self.params = params

    def to_dict(self) -> dict[str, Any]:
        return {"error": self.code, "field": self.field, "message": self.message, **self.params}


class InvalidInput(PosError):
    """A value that can never be accepted (malformed, out of range)."""

    code = "invalid_input"


class NotFound(PosError):
    """A member, card, receipt, gift or staff member that does not exist."""

    code = "not_found"


class RuleViolation(PosError):
    """Well-formed input that the loyalty program does not allow (caps, balance, stock)."""

    code = "rule_violation"


class ApprovalRequired(PosError):
    """The operation needs a manager's approval that was not given."""

    code = "approval_required"


class PermissionDenied(PosError):
    """The acting staff member may not do this (role, wrong PIN, locked)."""

    code = "permission_denied"


class Conflict(PosError):
    """The operation collides with existing data (duplicate phone, card, receipt)."""

    code = "conflict"


class ProgramError(InvalidInput):
    """A program file that does not validate."""

    code = "invalid_program"


class CampaignError(ProgramError):
    """A campaign file (``core.campaigns``: a donation or draw campaign) that does not validate."""

    code = "invalid_campaign"


class DatabaseError(PosError):
    """A database file that cannot be used (corrupt, newer than this code, unreadable)."""

    code = "database_error"


class DatabaseDamaged(DatabaseError):
    """The database file is damaged (SQLite's quick_check or the schema says so): nothing more
    is written to it; the way out is restoring the last checked backup."""

    code = "database_damaged"
