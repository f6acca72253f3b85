"""Online member lookup and member history from headquarters, the till's side.

A till holds its home store's members and the members identified at it lately, each with
every entry headquarters holds of them; the feed keeps them current. When a member is
identified at the counter (a sale, a gift, a points payment, the members screen) and the
till is enrolled, ``identify`` asks headquarters first if the till's copy is

- *missing*: no member here has that card, phone or uuid, or
- *stale*: not brought complete from headquarters within ``lookup.stale_seconds`` (member.fresh_at)
  and not *current* through the feed. Current means: followed by the feed (a home-store member,
  or identified here within ``replica.keep_days``) and the last successful sync round is at most
  ``lookup.stale_seconds`` old.

The answer (``POST /v1/members/lookup``: record, every entry, coupons, counters) is applied
into the replica in one transaction with the feed's own code (``storage.replica.apply_member_copy``);
the feed cursor does not move. The till then decides every chain-wide rule (first purchase,
birthday bonus, gift limits, redemption and earning caps, once-only awards) on what it holds, as
always: after a lookup that is everything every store did.

The time budget (``lookup.budget_ms``, 300 ms by default) bounds the whole exchange with
headquarters (every page): the request runs on a worker thread and the caller waits at most the
budget; each network step of that request times out within the budget too, so an abandoned
request ends soon after. Making the HTTP client (once per process; ``prepare`` does it at start)
is not counted. On
timeout or any error the till uses its own copy (the offline allowance applies as before)
and says so: ``Identified.offline``. Identification runs on the counter's UI thread, so the
budget is also the longest the window can wait on headquarters for it.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import datetime as dt
import logging
import re
import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pos_app.core.errors import InvalidInput, NotFound, PosError
from pos_app.core.members import normalize_phone, validate_card_number
from pos_app.core.text import normalize_input
from pos_app.services import member_codes, members, scans
from pos_app.services import sync as sync_service
from pos_app.services.context import Terminal
from pos_app.storage import prune, replica
from pos_app.storage.ledger import iso
from pos_app.storage.repo import MemberRecord
from pos_app.sync import protocol

if TYPE_CHECKING:
    from pos_app.sync.client import HQClient

log = logging.getLogger(__name__)

K_BUDGET = "lookup.budget_ms"
K_STALE = "lookup.stale_seconds"
K_KEEP_DAYS = prune.KEEP_DAYS_KEY
DEFAULT_BUDGET_MS = 300
DEFAULT_STALE_SECONDS = 120
DEFAULT_KEEP_DAYS = prune.DEFAULT_KEEP_DAYS
#: pages of a lookup at most (5,000 entries each at headquarters): a member never needs more
MAX_PAGES = 10
#: seconds the members screen waits for a page of history from headquarters (off the UI thread)
HISTORY_TIMEOUT = 3.0
HISTORY_PAGE = 100

#: how the till came by the member it shows
SOURCES = ("local", "hq", "offline")


@dataclass(frozen=True)
class Identified:
    """A member identified at the counter. ``source``: ``local`` (the till's copy was current,
    headquarters was not asked), ``hq`` (brought complete from headquarters just now), ``offline``
    (headquarters was asked and did not answer in time or failed: the till's own copy, which
    may lack what other stores did lately). ``reason``: why headquarters was asked
    (``missing`` or ``stale``), ``error``: what went wrong when offline."""

    member: MemberRecord
    source: str
    reason: str | None = None
    error: str | None = None
    elapsed_ms: int = 0
    counters: dict[str, Any] = field(default_factory=dict)

    @property
    def offline(self) -> bool:
        return self.source == "offline"

    def to_dict(self) -> dict[str, Any]:
        return {"member": self.member.to_dict(), "source": self.source, "reason": self.reason, "error": self.error,
                "elapsed_ms": self.elapsed_ms, "counters": self.counters}


class LookupUnavailable(Exception):
    """Headquarters could not answer a lookup within the budget (or refused it)."""


# ------------------------------------------------------------------------------------- settings


def _whole_setting(t: Terminal, key: str, default: int, low: int, high: int) -> int:
    raw = t.repo.setting(key)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        log.warning("ignoring setting %s=%r: not a whole number", key, raw)
        return default
    return value if low <= value <= high else default


def budget_ms(t: Terminal) -> int:
    return _whole_setting(t, K_BUDGET, DEFAULT_BUDGET_MS, 50, 10_000)


def stale_seconds(t: Terminal) -> int:
    return _whole_setting(t, K_STALE, DEFAULT_STALE_SECONDS, 0, 86_400)


def keep_days(t: Terminal) -> int:
    return _whole_setting(t, K_KEEP_DAYS, DEFAULT_KEEP_DAYS, prune.MIN_KEEP_DAYS, prune.MAX_KEEP_DAYS)


def _parse(text: str | None) -> dt.datetime | None:
    if not text:
        return None
    try:
        return dt.datetime.fromisoformat(text)
    except ValueError:
        return None


def is_current(t: Terminal, member: MemberRecord, now: dt.datetime | None = None) -> bool:
    """Whether the till's copy of ``member`` can be trusted without asking headquarters: brought
    complete lately, or followed by the feed and the feed read lately (see the module's text)."""
    now = now or t.clock()
    limit = dt.timedelta(seconds=stale_seconds(t))
    seen, fresh, store = replica.member_freshness(t.database, member.id)
    fresh_at = _parse(fresh)
    if fresh_at is not None and now - fresh_at <= limit:
        return True
    seen_at = _parse(seen)
    followed = store == t.store_id or (seen_at is not None and now - seen_at <= dt.timedelta(days=keep_days(t)))
    last_sync = _parse(t.repo.setting(sync_service.K_LAST_SUCCESS))
    return followed and last_sync is not None and now - last_sync <= limit


# ------------------------------------------------------------------------------------- network

_clients: dict[tuple[str, ...], HQClient] = {}
_clients_lock = threading.Lock()
_pool = concurrent.futures.ThreadPoolExecutor(max_workers=4, thread_name_prefix="hq-lookup")


def _client(t: Terminal) -> HQClient:
    """One client per headquarters and credentials, kept: making one loads the CA bundle (tens
    of milliseconds, a large part of the budget)."""
    key = (t.repo.setting(sync_service.K_URL) or "", t.terminal_id, t.repo.setting(sync_service.K_SECRET) or "",
           t.repo.setting(sync_service.K_CA_FILE) or "")
    with _clients_lock:
        client = _clients.get(key)
        if client is None:
            client = _clients[key] = sync_service.make_client(t)
        return client


def prepare(t: Terminal) -> None:
    """Make the client for lookups ahead of the first identification (it imports httpx and loads
    the CA bundle: tens to hundreds of milliseconds the counter should not wait at its first
    member). Nothing when the till is not enrolled; a failure is left to the first lookup."""
    if sync_service.is_enrolled(t):
        with contextlib.suppress(PosError):
            _client(t)


def _fetch(client: HQClient, ref: str, day: str, deadline: float) -> list[dict[str, Any]]:
    """Every page of a lookup (on a worker thread: no database here)."""
    pages: list[dict[str, Any]] = []
    after = 0
    for _ in range(MAX_PAGES):
        left = deadline - time.monotonic()
        if left <= 0:
            raise LookupUnavailable("no answer within the time budget")
        page = client.lookup(ref, after=after, day=day, timeout=left)
        pages.append(page)
        if not page["more"]:
            return pages
        after = page["after"]
    raise LookupUnavailable(f"the member's history needs more than {MAX_PAGES} pages")


def fetch_member(t: Terminal, ref: str, *, budget: float | None = None) -> list[dict[str, Any]]:
    """Headquarters' pages for ``ref`` (card, phone or uuid) within ``budget`` seconds in all.
    Raises ``NotFound`` (field ``member``) when headquarters has no such member and
    ``LookupUnavailable`` for anything else (timeout, network, refusal, a bad answer)."""
    from pos_app.sync.client import SyncError

    seconds = budget if budget is not None else budget_ms(t) / 1000
    try:
        client = _client(t)  # local work, once per process (``prepare``): not part of the wait
    except PosError as exc:
        raise LookupUnavailable(exc.message) from None
    deadline = time.monotonic() + seconds
    future = _pool.submit(_fetch, client, ref, t.clock().date().isoformat(), deadline)
    try:
        return future.result(timeout=max(0.0, deadline - time.monotonic()))
    except concurrent.futures.TimeoutError:
        future.cancel()
        raise LookupUnavailable(f"no answer within {int(seconds * 1000)} ms") from None
    except SyncError as exc:
        if exc.status == 404:
            raise NotFound("member", f"headquarters has no member {ref!r}") from None
        raise LookupUnavailable(str(exc)) from None


def _hq_ref(t: Terminal, text: str) -> str | None:
    """What headquarters is asked by: a card number, an 11-digit mobile number or a uuid (a
    member code is verified here first and stands for its card); None if ``text`` is none."""
    raw = normalize_input(text) if isinstance(text, str) else ""
    digits = re.sub(r"[\s\-]", "", raw)
    try:
        if member_codes.looks_like_member_code(raw):
            return member_codes.verify_member_code(t, raw)
        if re.fullmatch(r"(\+86|0086)?1[0-9]{10}", digits):
            return normalize_phone(digits)
        if re.fullmatch(r"[0-9]{8,19}", digits):
            return validate_card_number(digits)
    except InvalidInput:
        return None
    return raw if protocol.UUID_RE.match(raw) else None


def _checked(pages: list[dict[str, Any]]) -> tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]],
                                                    dict[str, Any]]:
    """(member, entries, coupons, counters) of a lookup's pages, checked with the schema
    headquarters checks pushes with; a bad answer is refused whole (the till keeps its copy)."""
    first = pages[0]
    member = protocol.check_member(first["member"], "member")
    entries: list[dict[str, Any]] = []
    for page in pages:
        for i, entry in enumerate(page["entries"]):
            protocol.check_entry(entry, f"entries[{i}]", kinds=protocol.ENTRY_KINDS)
            if entry.get("member_uuid") != member["uuid"]:
                raise InvalidInput(f"entries[{i}].member_uuid", "an entry of another member")
            entries.append(entry)
    coupons = first.get("coupons") or []
    counters = first.get("counters") or {}
    if not isinstance(coupons, list) or not all(isinstance(c, dict) for c in coupons):
        raise InvalidInput("coupons", "a list of coupons is required")
    return member, entries, coupons, counters if isinstance(counters, dict) else {}


def refresh_member(t: Terminal, ref: str, *, budget: float | None = None) -> tuple[MemberRecord, dict[str, Any]]:
    """Ask headquarters for the member ``ref`` names and apply the answer; the member as the
    till now holds them, and headquarters' counters. Raises like ``fetch_member``."""
    pages = fetch_member(t, ref, budget=budget)
    try:
        member, entries, coupons, counters = _checked(pages)
        replica.apply_member_copy(t.database, t.terminal_id, t.store_id, member, entries, coupons,
                                  at=iso(t.clock()))
    except PosError as exc:
        log.warning("headquarters' answer for member %s cannot be applied: %s: %s", ref, exc.field, exc.message)
        raise LookupUnavailable(f"{exc.field}: {exc.message}") from None
    found = t.repo.member_by_uuid(member["uuid"])
    if found is None:  # never: it was just written
        raise LookupUnavailable("the member is not here after the lookup")
    return found, counters


# ------------------------------------------------------------------------------------- the counter


def mark_seen(t: Terminal, member: MemberRecord) -> None:
    """The member was served at this till now (``member.seen_at``)."""
    replica.mark_member_seen(t.database, member.id, iso(t.clock()))


def identify(t: Terminal, text: str, *, field: str = "member", budget: float | None = None,
             mark_seen: bool = True) -> Identified:
    """The member for a card number, phone number, member code or uuid, as the counter
    identifies them: headquarters is asked first when the till's copy is missing or stale
    (see the module's text) and the till is enrolled. A revoked card is refused, a text that
    names no member is an error naming ``field``; an unknown member stays unknown offline.
    ``mark_seen`` False: the caller sets ``member.seen_at`` itself once the member was served
    (``mark_seen``), so a refused command leaves the database as it was."""
    started = time.monotonic()
    try:
        local: MemberRecord | None = scans.identify_member(t, text, field=field)
    except NotFound:
        local = None
    now = t.clock()
    if not sync_service.is_enrolled(t):
        if local is None:
            raise NotFound(field, f"no member with {text!r}")
        if mark_seen:
            replica.mark_member_seen(t.database, local.id, iso(now))
        return Identified(local, "local")
    if local is not None and is_current(t, local, now):
        if mark_seen:
            replica.mark_member_seen(t.database, local.id, iso(now))
        return Identified(local, "local")
    reason = "missing" if local is None else "stale"
    ref = local.uuid if local is not None else _hq_ref(t, text)
    if ref is None:
        raise NotFound(field, f"no member with {text!r}")
    try:
        found, counters = refresh_member(t, ref, budget=budget)
    except NotFound:
        if local is None:
            raise NotFound(field, f"no member with {text!r} here or at headquarters") from None
        # enrolled here and not pushed yet (or headquarters lost it): this till's copy is all there is
        if mark_seen:
            replica.mark_member_seen(t.database, local.id, iso(now))
        return Identified(local, "local", reason, elapsed_ms=_ms(started))
    except LookupUnavailable as exc:
        log.info("member lookup at headquarters failed (%s): using this till's copy", exc)
        if local is None:
            raise NotFound(field, f"no member with {text!r} here; headquarters cannot be reached ({exc})",
                           reason="offline") from None
        if mark_seen:
            replica.mark_member_seen(t.database, local.id, iso(now))
        return Identified(local, "offline", reason, error=str(exc), elapsed_ms=_ms(started))
    checked = scans.identify_member(t, text, field=field) if local is None else found  # a revoked card
    return Identified(checked, "hq", reason, elapsed_ms=_ms(started), counters=counters)


def _ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)


# ------------------------------------------------------------------------------------- history


@dataclass(frozen=True)
class HqHistoryEntry:
    """One entry of a member's history as headquarters holds it."""

    id: int
    uuid: str
    store_id: str
    terminal_id: str
    kind: str
    points: int
    tier_points: int
    ref_type: str
    ref_no: str
    business_date: dt.date
    created_at: dt.datetime
    staff_code: str | None
    breakdown: dict[str, Any]

    @property
    def summary(self) -> str:
        return members.summarize_entry(self.kind, self.breakdown)

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "uuid": self.uuid, "store_id": self.store_id, "terminal_id": self.terminal_id,
                "kind": self.kind, "points": self.points, "tier_points": self.tier_points, "ref_type": self.ref_type,
                "ref_no": self.ref_no, "business_date": self.business_date.isoformat(),
                "created_at": self.created_at.isoformat(), "staff_code": self.staff_code,
                "breakdown": self.breakdown}


@dataclass(frozen=True)
class HistoryPage:
    entries: list[HqHistoryEntry]
    next_before: int | None  # ask with this for the next (older) page; None: no more
    balance: int | None = None  # the member's balance at headquarters (after the newest entry)

    @property
    def more(self) -> bool:
        return self.next_before is not None


def _history_entry(item: dict[str, Any]) -> HqHistoryEntry:
    def need(name: str, kind: type) -> Any:
        value = item.get(name)
        if not isinstance(value, kind) or isinstance(value, bool):
            raise InvalidInput(f"entries.{name}", f"headquarters sent no {name}")
        return value

    breakdown = item.get("breakdown")
    return HqHistoryEntry(
        id=need("id", int), uuid=need("uuid", str), store_id=need("store_id", str),
        terminal_id=need("terminal_id", str), kind=need("kind", str), points=need("points", int),
        tier_points=int(item.get("tier_points") or 0), ref_type=str(item.get("ref_type") or ""),
        ref_no=str(item.get("ref_no") or ""), business_date=dt.date.fromisoformat(need("business_date", str)),
        created_at=dt.datetime.fromisoformat(need("created_at", str)),
        staff_code=item.get("staff_code") if isinstance(item.get("staff_code"), str) else None,
        breakdown=breakdown if isinstance(breakdown, dict) else {})


def history_client(t: Terminal) -> HQClient:
    """The client for ``history_page`` (made on the caller's thread: it reads the settings).
    Raises ``LookupUnavailable`` when the till is not enrolled."""
    if not sync_service.is_enrolled(t):
        raise LookupUnavailable("this till is not enrolled with headquarters")
    try:
        return _client(t)
    except PosError as exc:
        raise LookupUnavailable(exc.message) from None


def history_page(client: HQClient, member_uuid: str, *, before: int | None = None, limit: int = HISTORY_PAGE,
                 timeout: float = HISTORY_TIMEOUT) -> HistoryPage:
    """A page of the member's history at headquarters, newest first (network only: fine on a
    worker thread). Raises ``LookupUnavailable`` when headquarters does not answer."""
    from pos_app.sync.client import SyncError

    if not isinstance(member_uuid, str) or not protocol.UUID_RE.match(member_uuid):
        raise InvalidInput("member", "a member uuid is required")
    if before is not None and (not isinstance(before, int) or isinstance(before, bool) or before < 1):
        raise InvalidInput("before", "an entry id of 1 or more is required")
    if not isinstance(limit, int) or not 1 <= limit <= 500:
        raise InvalidInput("limit", "1 to 500 entries a page")
    try:
        data = client.history(member_uuid, before=before, limit=limit, timeout=timeout)
        entries = [_history_entry(item) for item in data["entries"] if isinstance(item, dict)]
    except SyncError as exc:
        raise LookupUnavailable(str(exc)) from None
    except (PosError, ValueError) as exc:
        raise LookupUnavailable(f"headquarters' history cannot be read: {exc}") from None
    nxt = data.get("next_before")
    balance = data.get("balance")
    return HistoryPage(entries, nxt if data["more"] and isinstance(nxt, int) else None,
                       balance if isinstance(balance, int) and not isinstance(balance, bool) else None)


def hq_history(t: Terminal, member_uuid: str, *, before: int | None = None, limit: int = HISTORY_PAGE,
               timeout: float = HISTORY_TIMEOUT) -> HistoryPage:
    """``history_page`` with this till's client."""
    return history_page(history_client(t), member_uuid, before=before, limit=limit, timeout=timeout)


def as_history(entries: list[HqHistoryEntry], balance_after_first: int) -> list[members.HistoryEntry]:
    """Headquarters' entries (newest first) as the members screen lists entries, each with the
    balance right after it, counted back from ``balance_after_first`` (the balance after the
    newest of them)."""
    out = []
    balance = balance_after_first
    for e in entries:
        out.append(members.HistoryEntry(
            id=e.id, uuid=e.uuid, kind=e.kind, points=e.points, tier_points=e.tier_points, balance_after=balance,
            ref_type=e.ref_type, ref_no=e.ref_no, business_date=e.business_date, created_at=e.created_at,
            staff_code=e.staff_code, backdated=False, breakdown=e.breakdown))
        balance -= e.points
    return out
