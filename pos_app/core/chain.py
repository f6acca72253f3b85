"""The hash chain of ledger entries: which fields an entry's hash covers and how it is computed.

Shared by the terminal's ledger, the headquarters' copy of it and the wire protocol between
them, so that both sides compute the same hash for the same entry.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

GENESIS_HASH = "0" * 64

#: The fields of an entry that its hash covers (see ``entry_hash``).
HASHED_FIELDS = (
    "uuid", "terminal_id", "seq", "member_uuid", "kind", "points", "tier_points", "ref_type",
    "ref_no", "program_version", "breakdown", "created_at", "business_date", "recorded_at",
    "backdated", "staff_code", "prev_hash",
)

# one encoder for the process: json.dumps(sort_keys=...) builds a new one on every call
_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)
_SORTED_HASHED_FIELDS = tuple(sorted(HASHED_FIELDS))


def canonical_json(data: Any) -> str:
    return _CANONICAL.encode(data)


def entry_hash(fields: dict[str, Any]) -> str:
    """sha256 over the canonical JSON of the hashed fields (which include the previous hash)."""
    body = _CANONICAL.encode({k: fields[k] for k in _SORTED_HASHED_FIELDS})
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def link_problem(fields: dict[str, Any], stored_hash: str, expected_seq: int, prev_hash: str) -> str | None:
    """What is wrong with one entry of a chain walked in sequence order, or None.

    ``expected_seq`` and ``prev_hash`` come from the entry before (1 and ``GENESIS_HASH`` at the start).
    """
    if fields["seq"] != expected_seq:
        return f"sequence gap: expected {expected_seq}, found {fields['seq']}"
    if fields["prev_hash"] != prev_hash:
        return "previous hash does not match"
    if entry_hash(fields) != stored_hash:
        return "entry hash does not match its content"
    return None
