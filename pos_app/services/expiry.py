"""The expiry run: writes off expired lot remainders, chunked, resumable, audited."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pos_app.core.errors import InvalidInput
from pos_app.services.context import Terminal
from pos_app.storage.bulk import expire_lots
from pos_app.storage.ledger import Stamp, iso


@dataclass(frozen=True)
class ExpiryReport:
    as_of: dt.date
    members: int
    lots: int
    points: int
    dry_run: bool

    def to_dict(self) -> dict[str, Any]:
        return {"as_of": self.as_of.isoformat(), "members": self.members, "lots": self.lots,
                "points": self.points, "dry_run": self.dry_run}


def run_expiry(t: Terminal, *, as_of: dt.date, dry_run: bool = False, staff_code: str | None = None,
               progress: Callable[[int, int], None] | None = None) -> ExpiryReport:
    """Expire every lot whose last valid day is before ``as_of``.

    Entries are dated at the start of ``as_of`` (the moment the points lapsed). Running the
    same date again finds nothing left to expire, so the run is idempotent.
    """
    program = t.program
    if dry_run:
        stamp = Stamp(at=dt.datetime.combine(as_of, dt.time(0, 0)), recorded_at=t.clock(), staff_code=staff_code)
    else:
        if as_of > t.clock().date() + dt.timedelta(days=1):
            raise InvalidInput("as_of", f"cannot expire points ahead of time ({as_of} is after tomorrow);"
                               " use --dry-run to look ahead")
        stamp = t.stamp(dt.datetime.combine(as_of, dt.time(0, 0)), staff_code)
    run_id = None
    if not dry_run:
        with t.database.transaction():
            run_id = t.repo.insert("expiry_run", {"as_of": as_of.isoformat(), "started_at": iso(stamp.recorded_at)})
    totals = expire_lots(t.ledger, as_of=as_of, stamp=stamp, program_version=program.version, dry_run=dry_run,
                         progress=progress)
    if run_id is not None:
        with t.database.transaction():
            t.repo.update("expiry_run", run_id, {"finished_at": iso(t.clock()), "members": totals.members,
                                                 "lots": totals.lots, "points": totals.points})
            t.ledger.audit("expiry.run", as_of.isoformat(), {"members": totals.members, "lots": totals.lots,
                                                             "points": totals.points}, stamp)
    return ExpiryReport(as_of, totals.members, totals.lots, totals.points, dry_run)
