"""Sync with headquarters, the terminal's use cases: enrollment, one sync round (push the
outbox, pull the change feed), the sync status, the retry back-off, and the offline
allowance (reference program section 7).

A round never blocks a sale for long: every database write is a short transaction of its
own (a batch id given to outbox rows, an acknowledgement, one page of changes), and the
network calls happen between them. Nothing is lost when the network fails at any moment:
rows stay pending until headquarters' answer has been recorded, and a retry sends the same
batch under the same idempotency key (``storage.replica``).

Settings: ``hq.url``, ``hq.ca_file`` (a private CA for headquarters' TLS certificate),
``sync.secret`` (never logged or printed), ``sync.cursor``,
``sync.last_success`` (local time of the last answer from headquarters), ``sync.last_error``.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pos_app.core.errors import ApprovalRequired, Conflict, NotFound, PosError
from pos_app.services.context import Terminal
from pos_app.storage import recovery, replica
from pos_app.storage.ledger import Ledger, Stamp, iso
from pos_app.sync import protocol

if TYPE_CHECKING:
    from pos_app.sync.client import HQClient

log = logging.getLogger(__name__)

K_URL, K_SECRET, K_LAST_SUCCESS, K_LAST_ERROR = "hq.url", "sync.secret", "sync.last_success", "sync.last_error"
K_CA_FILE = "hq.ca_file"
PAGE_SIZE = 500


@dataclass
class SyncReport:
    """What one round did."""

    batches: int = 0
    pushed_entries: int = 0
    pushed_events: int = 0
    duplicates: int = 0
    resets: int = 0
    pages: int = 0
    pulled: int = 0
    imported_entries: int = 0
    conflicts: int = 0
    upgrades: int = 0  # members whose tier headquarters' records changed here (decided elsewhere)
    cursor: str = "0"  # the feed cursor as headquarters gave it (see sync.protocol)
    snapshot_pages: int = 0  # pages of a first sync's snapshot (current state) among ``pages``
    waiting: int = 0
    reached_hq: bool = False
    stuck: str | None = None  # a batch headquarters refused (422): which entry
    feed_restarted: bool = False  # headquarters did not know the cursor: the feed was read again from 0
    resent: bool = False  # headquarters had lost rows it acknowledged: they went up again
    quarantined: int = 0  # changes from headquarters set aside, malformed (in the audit: sync.bad_change)
    recovered_entries: int = 0  # this till's own entries headquarters gave back (rebuilt or restored till)
    recovered_events: int = 0  # and its own events (sales, refunds, redemptions, coupons...)

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class SyncStatus:
    enrolled: bool
    hq_url: str | None
    waiting: int
    last_success: dt.datetime | None
    last_error: str | None
    cursor: str
    quarantined: int = 0  # changes from headquarters this till set aside (malformed), all time

    def to_dict(self) -> dict[str, Any]:
        return {"enrolled": self.enrolled, "hq_url": self.hq_url, "waiting": self.waiting,
                "last_success": self.last_success.isoformat() if self.last_success else None,
                "last_error": self.last_error, "cursor": self.cursor, "quarantined": self.quarantined}


# -------------------------------------------------------------------------------- settings


def _setting(t: Terminal, key: str) -> str | None:
    value = t.repo.setting(key)
    return value or None


def _write(t: Terminal, **values: str) -> None:
    keys = {"last_success": K_LAST_SUCCESS, "last_error": K_LAST_ERROR}
    with t.database.transaction():
        for name, value in values.items():
            t.repo.set_setting(keys[name], value)


def _parse_time(text: str | None) -> dt.datetime | None:
    if not text:
        return None
    try:
        return dt.datetime.fromisoformat(text)
    except ValueError:
        return None


def is_enrolled(t: Terminal) -> bool:
    return bool(_setting(t, K_URL) and _setting(t, K_SECRET))


def status(t: Terminal) -> SyncStatus:
    return SyncStatus(enrolled=is_enrolled(t), hq_url=_setting(t, K_URL), waiting=replica.pending_count(t.database),
                      last_success=_parse_time(_setting(t, K_LAST_SUCCESS)), last_error=_setting(t, K_LAST_ERROR),
                      cursor=replica.current_cursor(t.database), quarantined=replica.quarantined_count(t.database))


def heard_recently(t: Terminal, now: dt.datetime | None = None) -> bool:
    """Headquarters answered within the program's ``offline.silence_minutes``."""
    last = _parse_time(_setting(t, K_LAST_SUCCESS))
    if last is None:
        return False
    now = now or t.clock()
    return now - last <= dt.timedelta(minutes=t.program.offline.silence_minutes)


# ------------------------------------------------------------------------------ enrollment


def make_client(t: Terminal, *, url: str | None = None, secret: str | None = None, ca_file: str | None = None,
                timeout: float = 10) -> HQClient:
    """A signed client for this terminal's headquarters; TLS trusts ``hq.ca_file`` when it is
    set (a chain's own CA), the public CAs bundled with the till (certifi) otherwise."""
    from pos_app.services.settings import check_ca_file
    from pos_app.sync.client import HQClient

    url = url or _setting(t, K_URL)
    secret = secret if secret is not None else _setting(t, K_SECRET)
    if not url or secret is None:
        raise NotFound("hq.url", "this terminal is not enrolled with headquarters; run `pos-app enroll`")
    if ca_file is None:
        ca_file = _setting(t, K_CA_FILE) or ""
    if ca_file:  # a private CA: checked here too, as the file may have gone since it was set
        check_ca_file(K_CA_FILE, ca_file)
    return HQClient(url, t.terminal_id, secret, timeout=timeout, verify=ca_file or True)


def enroll(t: Terminal, hq_url: str, code: str, *, ca_file: str | None = None, client: HQClient | None = None,
           staff_code: str | None = None) -> dict[str, Any]:
    """Exchange a one-time enrollment code for this terminal's credentials.

    Headquarters names the store and terminal the code was made for. They must be this
    terminal's, except on a till that has written no ledger entry yet, which takes them
    over. The address and secret are stored and the enrollment audited (never the secret).
    ``ca_file``: the CA that signed headquarters' certificate (kept as ``hq.ca_file``; None
    keeps the one set before, "" goes back to the system's CAs).
    """
    from pos_app.services.settings import check_ca_file, parse_value

    url = parse_value(K_URL, hq_url)
    if not url:
        raise NotFound("hq.url", "the headquarters address is required")
    if not isinstance(code, str) or not code.strip():
        raise NotFound("code", "the enrollment code is required")
    if ca_file is not None:
        ca_file = parse_value(K_CA_FILE, ca_file)
        if ca_file:
            check_ca_file(K_CA_FILE, ca_file)
    own = client or make_client(t, url=url, secret="", ca_file=ca_file)
    try:
        answer = own.enroll(code.strip(), t.terminal_id)
    finally:
        if client is None:
            own.close()
    store_id, terminal_id, secret = answer["store_id"], answer["terminal_id"], answer["secret"]
    stamp = t.stamp(staff_code=staff_code)
    adopted = False
    with t.database.transaction():
        if (store_id, terminal_id) != (t.store_id, t.terminal_id):
            if t.ledger.has_entries():
                raise Conflict("terminal", f"headquarters enrolled this code as {store_id}/{terminal_id}, but this"
                               f" till is {t.store_id}/{t.terminal_id} and has ledger entries; ask headquarters"
                               " for a code of this terminal", store_id=store_id, terminal_id=terminal_id)
            t.repo.set_setting("store_id", store_id)
            t.repo.set_setting("terminal_id", terminal_id)
            adopted = True
        old_url = t.repo.setting(K_URL)
        t.repo.set_setting(K_URL, url)
        t.repo.set_setting(K_SECRET, secret)
        t.repo.set_setting(replica.CURSOR_KEY, "0")
        t.repo.set_setting(replica.CURSOR_MARK_KEY, "")
        t.repo.set_setting(K_LAST_SUCCESS, iso(t.clock()))
        t.repo.set_setting(K_LAST_ERROR, "")
        if old_url != url:
            t.ledger.audit("setting.change", K_URL, {"old": old_url, "new": url}, stamp)
        old_ca = t.repo.setting(K_CA_FILE)
        if ca_file is not None and (old_ca or "") != ca_file:
            t.repo.set_setting(K_CA_FILE, ca_file)
            t.ledger.audit("setting.change", K_CA_FILE, {"old": old_ca, "new": ca_file}, stamp)
        t.ledger.audit("sync.enroll", terminal_id, {"hq_url": url, "store_id": store_id, "adopted": adopted,
                                                    "previous": [t.store_id, t.terminal_id] if adopted else None},
                       stamp)
    if adopted:
        t.store_id, t.terminal_id = store_id, terminal_id
        t.ledger = Ledger(t.database, terminal_id)
    log.info("enrolled with %s as %s/%s", url, store_id, terminal_id)
    return {"hq_url": url, "store_id": store_id, "terminal_id": terminal_id, "adopted": adopted,
            "hq_time": answer.get("hq_time")}


# ------------------------------------------------------------------------------------ a round


def _stuck_text(batch: replica.PendingBatch, exc: Any) -> str:
    """Which entry (or event) of a refused batch headquarters named, for the status and the log."""
    where = str(exc.payload.get("field") or "")
    text = f"batch {batch.batch_id} refused: {exc.message}"
    m = re.match(r"^(entries|events)\[(\d+)\]", where)
    if m and m.group(1) == "entries":
        entry = batch.entry_at(int(m.group(2)))
        if entry is not None:
            text += f"; entry {entry['terminal_id']}#{entry['seq']} {entry['uuid']} ({entry['kind']})"
    elif m:
        index = int(m.group(2))
        if index < len(batch.events):
            ev = batch.events[index]
            text += f"; outbox event {ev['oid']} {ev['kind']} {ev['ref']}"
    return text


def _push(t: Terminal, client: HQClient, report: SyncReport, *, max_batches: int | None, batch_size: int) -> None:
    from pos_app.sync.client import SyncError

    reset_done = False
    while max_batches is None or report.batches < max_batches:
        batch = replica.export_batch(t.database, t.terminal_id, limit=batch_size)
        if batch is None:
            return
        body = {"protocol": protocol.PROTOCOL, "store_id": t.store_id, "terminal_id": t.terminal_id,
                "batch_id": batch.batch_id, "entries": batch.entries, "events": batch.events}
        try:
            answer = client.push(body, batch.batch_id)
        except SyncError as exc:
            if exc.kind == "gap" and isinstance(exc.payload.get("expected_seq"), int) and not reset_done:
                report.reached_hq = True
                reset_done = True
                report.resets += 1
                log.warning("headquarters expects sequence %s next: sending again from there",
                            exc.payload["expected_seq"])
                acked_oid = exc.payload.get("acked_oid")
                replica.reset_from(t.database, exc.payload["expected_seq"],
                                   acked_oid if isinstance(acked_oid, int) else None)
                continue
            if exc.kind == "gap":  # a collision at headquarters ("send it again"), or a second gap
                exc.kind = "server" if not reset_done else "conflict"
            if exc.kind == "conflict":
                report.reached_hq = True
                report.stuck = _stuck_text(batch, exc)
                exc.message = report.stuck
            raise
        report.reached_hq = True
        if not isinstance(answer.get("acked_seq"), int):
            raise SyncError("server", "headquarters' answer to a push has no acked_seq")
        replica.mark_acked(t.database, batch.batch_id, answer["acked_seq"], int(answer.get("acked_oid") or 0))
        report.batches += 1
        report.pushed_entries += len(batch.entries)
        report.pushed_events += len(batch.events)
        report.duplicates += int(answer.get("duplicates") or 0)


def _checked_changes(changes: list[Any]) -> list[dict[str, Any]]:
    """Entries and member records are checked with the schema headquarters checks pushes with
    (``sync.protocol``: types, ranges, kinds, lengths, dates, the hash) before the storage layer
    applies them; one that fails is marked for quarantine (set aside and reported, not applied:
    one till's bad data must not stop every other till). A pushed setting headquarters sends
    must be a valid value."""
    from pos_app.services.settings import parse_value

    out = []
    for i, change in enumerate(changes):
        if not isinstance(change, dict):
            raise Conflict(f"changes[{i}]", "a change object is required")
        data = change.get("data")
        try:
            if change.get("kind") == "entry":
                protocol.check_entry(data, f"changes[{i}].data", kinds=protocol.ENTRY_KINDS)
            elif change.get("kind") == "member":
                protocol.check_member(data, f"changes[{i}].data")
            elif change.get("kind") == "campaign":
                protocol.check_campaign(data, f"changes[{i}].data")
        except PosError as exc:
            log.warning("quarantined change %s from headquarters: %s", change.get("id"), exc)
            change = {**change, replica.QUARANTINE: f"{exc.field}: {exc.message}"}
        if change.get("kind") == "setting" and isinstance(data, dict) and data.get("key") in protocol.PUSHED_SETTINGS:
            try:
                data = {**data, "value": str(parse_value(data["key"], data.get("value")))}
            except PosError as exc:
                log.warning("ignoring setting %s from headquarters: %s", data.get("key"), exc.message)
                change = {**change, "kind": "invalid_setting"}
            change = {**change, "data": data}
        out.append(change)
    return out


def _whole(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _check_own_chain(t: Terminal, page: dict[str, Any], report: SyncReport, client: HQClient | None = None) -> None:
    """Compare what headquarters holds of this till with the till's own ledger and outbox.

    - HQ holds more of the chain or of the events than this database: it was rebuilt from
      nothing (a new database enrolled under the same terminal id) or restored from an older
      backup. The till takes its own history back from HQ (``_recover_own``) before anything
      else, so its next sale follows the last one HQ holds; the round then goes on.
    - HQ holds less than it once acknowledged: its database was restored from a backup. What
      it lost is pending again (``replica.reset_from``) and goes up in this same round.
    """
    from pos_app.sync.client import SyncError

    hq_last_seq, hq_last_oid = _whole(page.get("own_last_seq")), _whole(page.get("own_last_oid"))
    if hq_last_seq is None:
        return  # an older headquarters does not say
    if recovery.pending_entries_through(t.database, t.terminal_id, hq_last_seq):
        # this till wrote entries under sequence numbers headquarters holds others for (the push
        # was refused): restored from an older backup, or rebuilt, and sold before a sync
        report.stuck = _fork_text(hq_last_seq)
        raise SyncError("conflict", report.stuck)
    local = replica.own_last_seq(t.database, t.terminal_id)
    behind_events = hq_last_oid is not None and hq_last_oid > recovery.last_outbox_id(t.database)
    if hq_last_seq > local or behind_events:
        if client is None:
            report.stuck = (f"headquarters holds entries of this till up to #{hq_last_seq}, this database only up"
                            f" to #{local}: it is older than what the till sent")
            raise SyncError("conflict", report.stuck)
        _recover_own(t, client, report, hq_last_seq, hq_last_oid or 0)
        return
    # every round asks; both look only past what HQ holds (index ranges), so they cost nothing
    # while HQ is whole however long the outbox has grown
    lost_entries = replica.entries_acked_past(t.database, t.terminal_id, hq_last_seq)
    lost_events = hq_last_oid is not None and replica.events_acked_past(t.database, hq_last_oid)
    if lost_entries or lost_events:
        log.warning("headquarters holds this till's entries up to #%s and events up to %s, less than it"
                    " acknowledged: sending the rest again", hq_last_seq, hq_last_oid)
        with t.database.transaction():
            t.ledger.audit("sync.resend", str(hq_last_seq + 1),
                           {"hq_last_seq": hq_last_seq, "hq_last_oid": hq_last_oid, "entries": lost_entries,
                            "events": lost_events}, t.stamp())
        replica.reset_from(t.database, hq_last_seq + 1, hq_last_oid)
        report.resent = True


def _fork_text(hq_last_seq: int) -> str:
    return (f"this database has entries or events headquarters did not accept, and headquarters holds"
            f" other entries of this till (up to #{hq_last_seq}): it was restored from an older backup and"
            " sold on, or rebuilt and sold before its first sync (or while its history was coming back)."
            " Do not sell on it: see"
            " docs/operations/backup.md, 'Restoring an enrolled till'")


RECOVERY_PAGE = 1000  # rows of one page of GET /v1/own (each page is one transaction here)


def _recover_own(t: Terminal, client: HQClient, report: SyncReport, hq_last_seq: int, hq_last_oid: int) -> None:
    """Take back from headquarters this till's events past its last outbox id, then its entries
    past its last sequence (``storage.recovery``): page by page, each checked with the push's
    schema and written in one transaction, so an interrupted recovery resumes. Audited as
    ``sync.recover`` with what came back; the counts go into ``report``."""
    from pos_app.sync.client import SyncError

    fork = _fork_text(hq_last_seq)
    if replica.pending_count(t.database):
        report.stuck = fork
        raise SyncError("conflict", fork)
    local_seq = replica.own_last_seq(t.database, t.terminal_id)
    local_oid = recovery.last_outbox_id(t.database)
    log.warning("headquarters holds this till's entries up to #%s and events up to %s, this database up to #%s"
                " and %s (rebuilt, or restored from an older backup): taking them back", hq_last_seq, hq_last_oid,
                local_seq, local_oid)
    total = recovery.Recovered()

    def checked(items: list[Any], check: Callable[[Any, str], Any]) -> list[Any]:
        try:
            return [check(raw, f"own.items[{i}]") for i, raw in enumerate(items)]
        except PosError as exc:
            report.stuck = f"this till's own data from headquarters cannot be taken back: {exc.field}: {exc.message}"
            raise SyncError("conflict", report.stuck) from None

    def entry(raw: Any, name: str) -> dict[str, Any]:
        fields, _effects = protocol.check_entry(raw, name)
        if fields["terminal_id"] != t.terminal_id:
            raise Conflict(f"{name}.terminal_id", f"an entry of this till ({t.terminal_id}) is required")
        return {**fields, "effects": raw.get("effects", {})}

    try:
        after = local_oid
        while after < hq_last_oid:
            answer = client.own("events", after, RECOVERY_PAGE)
            report.reached_hq = True
            events = checked(answer["items"], protocol.check_event)
            if not events:
                break
            total.add(recovery.apply_own_events(t.database, t.terminal_id, t.store_id, events))
            after = events[-1]["oid"]
            if not answer["more"]:
                break
        after = local_seq
        while after < hq_last_seq:
            answer = client.own("entries", after, RECOVERY_PAGE)
            report.reached_hq = True
            entries = checked(answer["items"], entry)
            if not entries:
                break
            total.add(recovery.apply_own_entries(t.database, t.terminal_id, t.store_id, entries))
            after = entries[-1]["seq"]
            if not answer["more"]:
                break
    except PosError as exc:  # the storage refused a page: it does not continue this ledger
        report.stuck = fork if isinstance(exc, Conflict) else (
            f"this till's own data from headquarters cannot be taken back: {exc.field}: {exc.message}")
        raise SyncError("conflict", report.stuck) from None
    finally:
        report.recovered_entries += total.entries
        report.recovered_events += total.events
        if total.entries or total.events:
            with t.database.transaction():
                t.ledger.audit("sync.recover", str(hq_last_seq), {
                    "hq_last_seq": hq_last_seq, "hq_last_oid": hq_last_oid, "from_seq": local_seq,
                    "from_oid": local_oid, **total.to_dict()}, t.stamp())
    log.warning("took back %s entries and %s events of this till from headquarters (%s sales, %s refunds,"
                " %s redemptions, %s coupons, %s shifts; %s older events without their rows)", total.entries,
                total.events, total.sales, total.refunds, total.redemptions, total.coupons, total.shifts,
                total.incomplete)


def app_version() -> str:
    """This till's version as it reports it to headquarters (``[0-9A-Za-z.+-]``, at most 32)."""
    import pos_app

    text = re.sub(r"[^0-9A-Za-z.+-]", "-", str(getattr(pos_app, "__version__", "") or "0"))[:32]
    return text or "0"


def _pull(t: Terminal, client: HQClient, report: SyncReport, *, page_size: int) -> None:
    from pos_app.sync.client import SyncError

    cursor = replica.current_cursor(t.database)
    mark = _setting(t, replica.CURSOR_MARK_KEY) or None
    # headquarters' dashboard shows what each till has not delivered yet and which version it runs
    client.reported = {"waiting": replica.pending_count(t.database), "version": app_version()}
    first = True
    while True:
        page = client.changes(cursor, page_size, mark)
        report.reached_hq = True
        if first:
            _check_own_chain(t, page, report, client)
            first = False
        if page.get("restart") is True:
            if report.feed_restarted:  # twice in one round: something else is wrong
                raise SyncError("conflict", "headquarters' change feed asked to start again twice in one round")
            log.warning("headquarters does not know feed cursor %s (its database was restored?):"
                        " reading its feed again from the start", cursor)
            with t.database.transaction():
                t.ledger.audit("sync.feed_restart", str(cursor), {"cursor": cursor, "mark": mark}, t.stamp())
            replica.restart_feed(t.database)
            report.feed_restarted = True
            cursor, mark = "0", None
            continue
        page_mark = page.get("mark")
        try:
            changes = _checked_changes(page["changes"])
            applied = replica.apply_changes(t.database, t.terminal_id, t.store_id, changes, cursor=page["cursor"],
                                            mark=page_mark if isinstance(page_mark, str) else None,
                                            pushed_settings=protocol.PUSHED_SETTINGS)
        except PosError as exc:
            raise SyncError("conflict", f"a change from headquarters cannot be applied after cursor {cursor}:"
                            f" {exc.field}: {exc.message}") from None
        report.pages += 1
        report.snapshot_pages += page.get("snapshot") is True
        report.pulled += applied.changes
        report.imported_entries += applied.entries_imported
        report.conflicts += len(applied.conflicts)
        report.quarantined += len(applied.bad)
        # a tier is decided once, where the qualifying sale happened or at headquarters: a pull
        # never runs the upgrade (every till would re-decide it and push a tier event for it)
        report.upgrades += applied.tier_changes
        cursor = page["cursor"]
        mark = page_mark if isinstance(page_mark, str) else mark
        report.cursor = cursor
        if not page.get("more") or not page["changes"]:
            return


def sync_once(t: Terminal, *, client: HQClient | None = None, max_batches: int | None = None,
              batch_size: int = protocol.DEFAULT_BATCH, page_size: int = PAGE_SIZE) -> SyncReport:
    """One round: push every pending batch (``max_batches`` at most), then pull the change feed
    until headquarters has nothing more. Raises ``SyncError`` (with ``report`` attached) when
    headquarters cannot be reached or refuses; ``sync.last_error`` says why, and
    ``sync.last_success`` moves whenever headquarters answered."""
    from pos_app.sync.client import SyncError

    own = client or make_client(t)
    report = SyncReport()
    error: SyncError | None = None
    try:
        try:
            _push(t, own, report, max_batches=max_batches, batch_size=max(1, min(batch_size, protocol.MAX_BATCH)))
        except SyncError as exc:
            if exc.kind != "conflict":
                raise
            error = exc  # a stuck batch: the feed is still worth pulling
        _pull(t, own, report, page_size=max(1, min(page_size, protocol.MAX_PAGE)))
        if report.resent and error is None:  # what headquarters lost goes up now, not a round later
            _push(t, own, report, max_batches=max_batches, batch_size=max(1, min(batch_size, protocol.MAX_BATCH)))
        if error is not None:
            raise error
    except SyncError as exc:
        report.waiting = replica.pending_count(t.database)
        _record(t, report, str(exc))
        log.warning("sync failed: %s", exc)
        exc.report = report  # type: ignore[attr-defined]
        raise
    finally:
        if client is None:
            own.close()
    report.waiting = replica.pending_count(t.database)
    _record(t, report, "")
    return report


def _record(t: Terminal, report: SyncReport, error: str) -> None:
    values = {"last_error": error[:500]}
    if report.reached_hq:
        values["last_success"] = iso(t.clock())
    _write(t, **values)


# ------------------------------------------------------------------------------------ back-off


class Backoff:
    """Exponential back-off with full jitter: after the n-th failure in a row, wait a random
    time between 0 and min(cap, base x 2^(n-1)) seconds; a success starts again."""

    def __init__(self, base_s: float = 2.0, cap_s: float = 300.0, *,
                 rand: Callable[[], float] = random.random) -> None:
        self.base_s = base_s
        self.cap_s = cap_s
        self.rand = rand
        self.failures = 0

    def ceiling(self) -> float:
        return float(min(self.cap_s, self.base_s * 2 ** max(0, self.failures - 1)))

    def failure(self) -> float:
        """Record a failure; returns the seconds to wait before the next try."""
        self.failures += 1
        return self.rand() * self.ceiling()

    def success(self) -> None:
        self.failures = 0


# ------------------------------------------------------------------------------ offline allowance


@dataclass(frozen=True)
class OfflineAllowance:
    limited: bool  # enrolled and headquarters silent for longer than the program allows
    used_today: int
    limit: int
    silence_minutes: int


def offline_allowance(t: Terminal, day: dt.date, now: dt.datetime | None = None) -> OfflineAllowance:
    """How much this till may still redeem today without headquarters (reference program 7)."""
    offline = t.program.offline
    limited = is_enrolled(t) and not heard_recently(t, now)
    used = 0
    if limited:
        used = t.ledger.redeemed_here_on(day)
    return OfflineAllowance(limited, used, offline.daily_redeem_points, offline.silence_minutes)


def enforce_offline_allowance(t: Terminal, *, points: int, stamp: Stamp, ref: str,
                              approved_by: str | None) -> bool:
    """Inside the caller's transaction, before a redemption of ``points`` is written.

    While headquarters has been silent for longer than ``offline.silence_minutes``, the points
    redeemed on this till today (payments and gifts) plus these may not pass
    ``offline.daily_redeem_points`` without a manager's approval; an approved override is
    audited. A till that was never enrolled is not limited. Returns True for an override."""
    if points <= 0:
        return False
    allowance = offline_allowance(t, stamp.day, stamp.recorded_at)
    if not allowance.limited or allowance.used_today + points <= allowance.limit:
        return False
    if approved_by is None:
        raise ApprovalRequired(
            "offline", f"headquarters has not answered for more than {allowance.silence_minutes} minutes and"
            f" this till redeemed {allowance.used_today} of its {allowance.limit} offline points today;"
            f" {points} more need a manager's approval", used_today=allowance.used_today, limit=allowance.limit,
            points=points)
    t.ledger.audit("offline.override", ref, {
        "points": points, "used_today": allowance.used_today, "limit": allowance.limit, "approved_by": approved_by,
        "last_success": _setting(t, K_LAST_SUCCESS)}, stamp)
    return True


__all__ = ["Backoff", "OfflineAllowance", "SyncReport", "SyncStatus", "enforce_offline_allowance", "enroll",
           "heard_recently", "is_enrolled", "make_client", "offline_allowance", "status", "sync_once"]
