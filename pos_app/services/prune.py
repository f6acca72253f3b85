"""The partial replica on a live till: members of other stores that nobody identified here
within ``replica.keep_days`` and that no row of this till names are dropped with their foreign
entries (``storage.prune``, the rules migration 0008 applied), by ``pos-app replica prune`` and
once a day by the window (beside its daily automatic backup). Headquarters keeps everything
dropped; an online lookup or the feed brings a member back when they are identified again."""

from __future__ import annotations

import datetime as dt

from pos_app.services.context import Terminal
from pos_app.storage import prune
from pos_app.storage.ledger import iso

#: the day of the last run (the window runs it once a day)
LAST_RUN_KEY = "replica.last_prune"


def prune_replica(t: Terminal, *, keep_days: int | None = None, staff_code: str | None = None,
                  at: dt.datetime | None = None) -> prune.PruneReport:
    """Drop what this till need not hold, in one transaction (none when nothing is to go);
    audited (``replica.prune``) with the counts when anything was dropped. ``keep_days``: this
    run's window instead of the setting."""
    from pos_app.services.settings import load_settings, parse_value

    days = load_settings(t).replica_keep_days if keep_days is None else parse_value(prune.KEEP_DAYS_KEY, keep_days)
    stamp = t.stamp(at, staff_code)
    report = prune.prune_database(t.database, today=stamp.day, keep_days=days, at=iso(stamp.at),
                                  staff_code=staff_code)
    with t.database.transaction():
        t.repo.set_setting(LAST_RUN_KEY, stamp.day.isoformat())
    return report


def daily_prune(t: Terminal, *, at: dt.datetime | None = None) -> prune.PruneReport | None:
    """``prune_replica`` unless it ran today already (None then)."""
    day = (at or t.clock()).date()
    if t.repo.setting(LAST_RUN_KEY) == day.isoformat():
        return None
    return prune_replica(t, at=at)


__all__ = ["LAST_RUN_KEY", "daily_prune", "prune_replica"]
