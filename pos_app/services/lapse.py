"""Points past their last valid day are never spent: each operation on a member first writes
off what has lapsed since the last expiry run (the nightly run's work, done early)."""

from __future__ import annotations

import datetime as dt

from pos_app.core import lots as core_lots
from pos_app.services.context import Terminal
from pos_app.storage.ledger import Stamp
from pos_app.storage.repo import MemberRecord


def lapse_expired(t: Terminal, member: MemberRecord, stamp: Stamp) -> int:
    """Inside the caller's transaction: one ``expire`` entry for the member's lapsed lots."""
    before = stamp.day - dt.timedelta(days=1)  # lots whose last valid day was before today
    lapsed = [lot for lot in t.ledger.live_lots(member.id, expiring_by=before) if core_lots.is_expired(lot, stamp.day)]
    total = sum(lot.remaining for lot in lapsed)
    if not total:
        return 0
    entry_id = t.ledger.append(
        member_id=member.id, member_uuid=member.uuid, kind="expire", points=-total, ref_type="expiry",
        ref_no=f"EXP-{stamp.day.isoformat()}",
        breakdown={"as_of": stamp.day.isoformat(), "lots": [[lot.id, lot.remaining] for lot in lapsed],
                   "reason": "lapsed before use"},
        stamp=stamp, program_version=t.program.version,
    )
    t.ledger.debit_lots(member_id=member.id, entry_id=entry_id, points=total, prefer=tuple(lot.id for lot in lapsed))
    return total


def spendable(t: Terminal, member: MemberRecord, stamp: Stamp) -> int:
    """The balance less points that lapsed but are not written off yet (for previews)."""
    return member.balance - t.ledger.lapsed_points(member.id, stamp.day)
