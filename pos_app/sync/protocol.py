"""The wire protocol between a terminal and headquarters (version 1), shared by both sides.

Everything is JSON over HTTPS, signed per terminal (see ``signing``).

``POST /v1/enroll`` (unsigned; the one-time code is the credential)
    request  ``{"code": "...", "terminal_id": "..."}``
    answer   ``{"store_id", "terminal_id", "secret", "hq_time"}``

``POST /v1/push`` (signed, with ``Idempotency-Key`` = ``batch_id``)
    request  ``{"protocol": 1, "store_id", "terminal_id", "batch_id",
                "entries": [ENTRY...], "events": [EVENT...]}``
             ENTRY = the hashed fields (``HASHED_FIELDS``), ``"hash"`` and ``"effects"``
             (see ``core.replica``), consecutive ``seq`` of this terminal's chain;
             EVENT = ``{"oid", "kind", "ref", "payload", "created_at"}``, ``oid`` being the
             terminal's outbox row id (increasing).
    200      ``{"batch_id", "acked_seq", "acked_oid", "inserted", "duplicates"}``
             (the highest sequence and outbox id headquarters holds for this terminal)
    409      ``{"error": "sequence_gap", "field", "expected_seq", "acked_oid"}``
    422      ``{"error": "conflict" | "invalid_input", "field", "message"}``
             (an entry headquarters holds with a different content, a broken chain, ...)
    A batch is all or nothing.

``GET /v1/changes?cursor=C&limit=M[&mark=K][&snapshot=1]`` (signed; gzipped when accepted)
    200      ``{"changes": [{"id", "kind", "data"}...], "cursor", "mark", "more", "hq_time",
               "own_last_seq", "own_last_oid"[, "snapshot": true]}``
             Only what the caller holds: changes for every till, for its store (its members,
             their entries and coupons, its gift stock) and for itself (members of other
             stores it subscribed to by an online lookup or a push).
             ``cursor`` C is a position in the feed, kept by the till as text and sent back as
             given: ``n`` (a change id; what older tills hold: it means ``txid`` 0, the changes
             written before HQ migration 3, which come first), ``"txid.n"`` (the writing
             transaction's id and the change id, PostgreSQL), or during a snapshot
             ``"s.txid.n[.uuid]"``. Answers give ``n`` as a JSON number when txid is 0 (so a
             till of an older build keeps working against a SQLite headquarters), a string
             otherwise.
             ``snapshot=1`` with cursor 0 (a new till, or one told to restart): instead of the
             feed from its beginning, the current state in pages marked ``"snapshot": true``
             (global data, then each member the till holds with their record, every entry and
             their coupons), with ``"s..."`` cursors (a till killed mid-snapshot resumes), then
             the feed from a cursor taken before the first snapshot page. Every change id in a
             snapshot page is 0. Without ``snapshot`` cursor 0 reads the feed from the start.
             ``mark``: a fingerprint of the change at ``cursor``, sent back with it next time;
             a cursor whose change this feed does not have (headquarters' database restored
             from a backup) is answered ``"restart": true`` with no changes and cursor 0.
             kinds: ``CHANGE_KINDS``; a terminal skips the entries of its own chain.
             ``own_last_seq``, ``own_last_oid``: the highest sequence of the caller's chain and
             outbox id of its events headquarters holds (a till whose ledger ends below it was
             restored from an older backup or rebuilt: it takes its own data back with
             ``/v1/own``; a till that had more acknowledged sends it again).

``GET /v1/own?part=entries|events&after=N&limit=M`` (signed; tills only)
    200      ``{"part", "items", "after", "next", "more", "last_seq", "last_oid"}``
             the caller's own chain entries after sequence N (wire form with effects, by
             seq) or its own events after outbox id N (as received, by oid); ``next`` is the
             ``after`` of the next page. Never another terminal's rows.

``POST /v1/awards`` (signed by a channel credential: a mini-program or website)
    request  ``{"member", "award", "ref"}`` (member: uuid, card or phone; ref: the
             channel's idempotency key for this report)
    200      ``{"entry_uuid", "points", "balance", "duplicate"}``
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable, Mapping
from typing import Any

from pos_app.core.chain import HASHED_FIELDS, entry_hash
from pos_app.core.errors import Conflict, InvalidInput
from pos_app.core.replica import Effects, effects_from_wire

PROTOCOL = 1
MAX_BATCH = 1000
DEFAULT_BATCH = 1000  # = MAX_BATCH: fewer, larger transactions (benchmarks/bench_sync_push.py)
MAX_PAGE = 2000

#: What a change in the feed can be.
CHANGE_KINDS = ("member", "entry", "program", "gift_stock", "revoked", "setting", "coupon", "product", "campaign")
#: Outbox events a terminal sends up (besides ledger entries).
EVENT_KINDS = ("member", "sale", "refund", "coupon_issue", "coupon_use", "coupon_return", "redemption", "tier",
               "shift", "redemption_cancel")
#: Settings headquarters may send down.
PUSHED_SETTINGS = ("member_qr.public_key",)

ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_\-]{0,31}$")
UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
HASH_RE = re.compile(r"^[0-9a-f]{64}$")
#: a program's ids (tiers, gifts, bonuses): what ``core.program`` accepts
PROGRAM_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_\-]{0,39}$")
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATETIME_RE = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?$")

#: Ledger entry kinds a till writes (and may push).
TILL_ENTRY_KINDS = frozenset({"earn", "redeem", "gift", "award", "adjust", "clawback", "return", "expire", "import",
                              "donate", "draw", "draw_win"})
#: Kinds only headquarters writes, in its own chain: a till pushing one is refused; a till
#: receives them in the feed (``merge_out``/``merge_in``: a merge of two members, ``hq.merge``).
HQ_ENTRY_KINDS = frozenset({"overdraft", "expire_fix", "merge_out", "merge_in"})
ENTRY_KINDS = TILL_ENTRY_KINDS | HQ_ENTRY_KINDS
#: points (and tier points) of one entry, either way: a billion is far above any real sale
MAX_POINTS = 10**9
#: fen and points in event payloads
MAX_AMOUNT = 10**12
MEMBER_STATUSES = ("active", "frozen")

_STR = (str,)
_INT = (int,)
#: type, whether None is allowed and the longest text, per hashed field
_FIELD_TYPES: dict[str, tuple[tuple[type, ...], bool, int]] = {
    "uuid": (_STR, False, 36), "terminal_id": (_STR, False, 32), "seq": (_INT, False, 0),
    "member_uuid": (_STR, False, 36), "kind": (_STR, False, 20), "points": (_INT, False, 0),
    "tier_points": (_INT, False, 0), "ref_type": (_STR, False, 40), "ref_no": (_STR, False, 300),
    "program_version": (_INT, True, 0), "breakdown": (_STR, False, 20000), "created_at": (_STR, False, 32),
    "business_date": (_STR, False, 10), "recorded_at": (_STR, False, 32), "backdated": ((bool,), False, 0),
    "staff_code": (_STR, True, 32), "prev_hash": (_STR, False, 64),
}


def _require_id(value: object, name: str) -> str:
    if not isinstance(value, str) or not ID_RE.match(value):
        raise InvalidInput(name, "1 to 32 letters, digits, - or _ are required")
    return value


# -- values: one checker per kind of value, shared by entries, events and the feed's records ------

#: a value's problem (for the error message), or None when it is fine
Check = Callable[[object], "str | None"]


def is_date(value: object) -> bool:
    """An ISO date (YYYY-MM-DD) that exists, years 1900 to 2999."""
    return isinstance(value, str) and _valid_date(value)


def is_datetime(value: object) -> bool:
    """An ISO local date and time (YYYY-MM-DDTHH:MM[:SS[.ffffff]], no zone) that exists."""
    return isinstance(value, str) and _valid_datetime(value)


# a push checks three dates per entry, and a batch's entries share most of them: remembered
@functools.lru_cache(maxsize=4096)
def _valid_date(value: str) -> bool:
    if not _DATE_RE.match(value):
        return False
    try:
        return 1900 <= dt.date.fromisoformat(value).year <= 2999
    except ValueError:
        return False


@functools.lru_cache(maxsize=4096)
def _valid_datetime(value: str) -> bool:
    if not _DATETIME_RE.match(value):
        return False
    try:
        return 1900 <= dt.datetime.fromisoformat(value).year <= 2999
    except ValueError:
        return False


def is_whole(value: object, low: int, high: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


def _text_of(limit: int) -> Check:
    def check(value: object) -> str | None:
        if isinstance(value, str) and len(value) <= limit:
            return None
        return f"a text of at most {limit} characters is required"
    return check


def _pattern(regex: re.Pattern[str], what: str) -> Check:
    def check(value: object) -> str | None:
        return None if isinstance(value, str) and regex.match(value) else f"{what} is required"
    return check


def _date(value: object) -> str | None:
    return None if value == "" or is_date(value) else "a date (YYYY-MM-DD) is required"


def _datetime(value: object) -> str | None:
    return None if value == "" or is_datetime(value) else "a date and time (YYYY-MM-DDTHH:MM:SS) is required"


def _whole(low: int, high: int) -> Check:
    def check(value: object) -> str | None:
        return None if is_whole(value, low, high) else f"a whole number from {low} to {high} is required"
    return check


def _one_of(*values: str) -> Check:
    def check(value: object) -> str | None:
        return None if value in values else f"one of {', '.join(values)} is required"
    return check


def _boolean(value: object) -> str | None:
    return None if isinstance(value, bool) else "true or false is required"


_UUID = _pattern(UUID_RE, "a lower-case uuid")
_ID = _pattern(ID_RE, "1 to 32 letters, digits, - or _")
_PROGRAM_ID = _pattern(PROGRAM_ID_RE, "1 to 40 letters, digits, - or _")

#: A member's record as a till's ``member`` event and headquarters' ``member`` change carry it:
#: every field may be null (the event leaves what headquarters has); "" is an unknown date.
#: Other keys (the feed's balance, debt, updated_at) are not the till's to set and are ignored.
MEMBER_SCHEMA: dict[str, Check] = {
    "uuid": _UUID, "phone": _text_of(32), "name": _text_of(100), "birthday": _date, "card_no": _text_of(32),
    "referrer_uuid": _UUID, "status": _one_of(*MEMBER_STATUSES), "consent": _boolean, "store_id": _text_of(32),
    "enrolled_at": _datetime, "tier": _PROGRAM_ID, "tier_since": _date, "last_review": _date,
    "first_purchase_at": _datetime, "last_purchase_at": _datetime,
    "merged_into": _UUID,  # headquarters' record of a member merged into another (``hq.merge``)
}
_AMOUNT = _whole(0, MAX_AMOUNT)
_RECEIPT = _text_of(64)
_STAFF = _text_of(32)
#: a sale's lines: at most ``core.earning.MAX_LINES``; texts as ``core.earning.validate_lines`` allows
MAX_SALE_LINES = 500
MAX_LINE_TEXT = 200


class ListOf:
    """A payload field holding a list of records (a sale's lines), each checked with ``schema``
    (``required``: the keys every record must have); ``check_record`` names the wrong one
    (``...lines[2].qty``)."""

    def __init__(self, schema: dict[str, Check], *, longest: int, required: tuple[str, ...] = ()) -> None:
        self.schema = schema
        self.longest = longest
        self.required = required

    def check(self, value: object, name: str) -> None:
        if not isinstance(value, list) or len(value) > self.longest:
            raise InvalidInput(name, f"a list of at most {self.longest} records is required")
        for i, item in enumerate(value):
            if not isinstance(item, dict):
                raise InvalidInput(f"{name}[{i}]", "an object is required")
            for key in self.required:
                if item.get(key) is None:
                    raise InvalidInput(f"{name}[{i}].{key}", "is missing")
            check_record(item, self.schema, f"{name}[{i}]")


def _multiplier(value: object) -> str | None:
    """A line's earning multiplier as the till stores it: a fraction ``p`` or ``p/q``."""
    if isinstance(value, str) and _FRACTION_RE.match(value):
        return None
    return "a multiplier such as 1, 3/2 or 0 is required"


_FRACTION_RE = re.compile(r"^\d{1,18}(/[1-9]\d{0,17})?$")


def _line_numbers(value: object) -> str | None:
    """A refund's lines: the sale's line numbers it took back."""
    if isinstance(value, list) and len(value) <= MAX_SALE_LINES and all(is_whole(n, 1, 10**6) for n in value):
        return None
    return f"a list of at most {MAX_SALE_LINES} line numbers is required"

_LINE_NO = _whole(1, 10**6)
#: one line of a sale as the till's ``sale_line`` table holds it
SALE_LINE_SCHEMA: dict[str, Check] = {
    "line_no": _LINE_NO, "sku": _text_of(MAX_LINE_TEXT), "name": _text_of(MAX_LINE_TEXT),
    "category": _text_of(MAX_LINE_TEXT), "qty": _whole(1, 100_000), "unit_price_fen": _AMOUNT,
    "discount_fen": _AMOUNT, "net_fen": _AMOUNT, "flags": _text_of(1000), "eligible_fen": _AMOUNT,
    "multiplier": _multiplier,
}
_SALE_LINE_KEYS = ("line_no", "qty", "unit_price_fen", "net_fen", "eligible_fen", "multiplier")
#: the tender kinds a till takes (``core.tenders.TENDERS``)
TENDER_KINDS = ("cash", "card", "wechat", "alipay")
#: one tender of a sale (release 15 on): the kind, the fen it paid, what was handed over
SALE_TENDER_SCHEMA: dict[str, Check] = {"kind": _one_of(*TENDER_KINDS), "amount_fen": _AMOUNT,
                                        "given_fen": _AMOUNT}
#: a refund's money back to one tender
REFUND_TENDER_SCHEMA: dict[str, Check] = {"kind": _one_of(*TENDER_KINDS), "amount_fen": _AMOUNT}
MAX_TENDERS = 20
#: The payload fields of each event kind a till sends; null is accepted for each (older tills
#: send fewer fields, which are absent), other keys are kept for the reports as sent. Since
#: release 13 sale, refund and redemption events carry the whole business row (and a sale its
#: lines), so a till rebuilt from nothing gets them back from headquarters (``GET /v1/own``).
EVENT_SCHEMAS: dict[str, Mapping[str, Check | ListOf]] = {
    "member": MEMBER_SCHEMA,
    "sale": {"total_fen": _AMOUNT, "tender": _text_of(32), "member": _UUID,
             "uuid": _UUID, "receipt_no": _RECEIPT, "staff_code": _STAFF, "created_at": _datetime,
             "business_date": _date, "recorded_at": _datetime, "backdated": _boolean, "coupon_code": _text_of(64),
             "coupon_fen": _AMOUNT, "points_paid": _AMOUNT, "points_value_fen": _AMOUNT, "tender_fen": _AMOUNT,
             "credited_purchase": _AMOUNT, "credited_bonus": _AMOUNT, "bonuses": _text_of(1000),
             "flags": _text_of(1000), "program_version": _whole(0, 2**31), "earned": _AMOUNT,
             "lines": ListOf(SALE_LINE_SCHEMA, longest=MAX_SALE_LINES, required=_SALE_LINE_KEYS),
             "tenders": ListOf(SALE_TENDER_SCHEMA, longest=MAX_TENDERS, required=("kind", "amount_fen", "given_fen")),
             "change_fen": _AMOUNT},
    "refund": {"receipt_no": _RECEIPT, "refund_fen": _AMOUNT,
               "lines": _line_numbers, "staff_code": _STAFF, "created_at": _datetime, "business_date": _date,
               "net_fen": _AMOUNT, "clawback_purchase": _AMOUNT, "clawback_bonus": _AMOUNT,
               "returned_points": _AMOUNT, "shortfall": _AMOUNT, "complete": _boolean, "coupon_returned": _text_of(64),
               "tenders": ListOf(REFUND_TENDER_SCHEMA, longest=MAX_TENDERS, required=("kind", "amount_fen"))},
    "coupon_issue": {"member": _UUID, "gift": _PROGRAM_ID, "value_fen": _AMOUNT, "min_spend_fen": _AMOUNT,
                     "valid_until": _date},
    "coupon_use": {"receipt_no": _RECEIPT, "at": _datetime},
    "coupon_return": {"receipt_no": _RECEIPT, "refund_no": _RECEIPT, "at": _datetime},
    "redemption": {"member": _UUID, "gift": _PROGRAM_ID, "points": _AMOUNT, "cash_fen": _AMOUNT,
                   "approved_by": _STAFF, "staff_code": _STAFF, "created_at": _datetime, "business_date": _date,
                   "coupon_code": _text_of(64)},
    # a gift redemption cancelled within its shift (``services.points.cancel_redemption``): the
    # ref is the redemption's number; the points come back in a ``return`` entry of their own
    "redemption_cancel": {"member": _UUID, "gift": _PROGRAM_ID, "points": _AMOUNT, "cash_fen": _AMOUNT,
                          "reason": _text_of(200), "approved_by": _STAFF, "staff_code": _STAFF,
                          "at": _datetime},
    "tier": {"from": _PROGRAM_ID, "to": _PROGRAM_ID, "reason": _text_of(1000), "qualifying_points": _whole(
        -MAX_AMOUNT, MAX_AMOUNT), "at": _datetime},
    # a closed shift and its cash-up (release 16 on; ``services.shifts.shift_event``): the ref is
    # the shift's number; what each payment kind should hold may be below zero (refunds)
    "shift": {"staff_code": _STAFF, "closed_by": _STAFF, "opened_at": _datetime, "closed_at": _datetime,
              "sales": _AMOUNT, "refunds": _AMOUNT, "takings_fen": _AMOUNT, "float_fen": _AMOUNT,
              "expected_cash_fen": _whole(-MAX_AMOUNT, MAX_AMOUNT), "counted_cash_fen": _AMOUNT,
              "cash_difference_fen": _whole(-MAX_AMOUNT, MAX_AMOUNT),
              "tenders": ListOf({"kind": _one_of(*TENDER_KINDS), "expected_fen": _whole(-MAX_AMOUNT, MAX_AMOUNT)},
                                longest=MAX_TENDERS, required=("kind", "expected_fen"))},
}
#: the event kinds whose ``ref`` is a member's uuid
_MEMBER_REF_EVENTS = ("member", "tier")


def check_record(data: dict[str, Any], schema: Mapping[str, Check | ListOf], name: str) -> None:
    """Every field of ``schema`` that ``data`` holds with a value is checked; raises
    ``InvalidInput`` naming the first wrong one."""
    for key, check in schema.items():
        value = data.get(key)
        if value is not None:
            if isinstance(check, ListOf):
                check.check(value, f"{name}.{key}")
                continue
            problem = check(value)
            if problem is not None:
                raise InvalidInput(f"{name}.{key}", problem)


def check_member(data: object, name: str) -> dict[str, Any]:
    """A member record (an event's payload or a change's data) with a uuid."""
    if not isinstance(data, dict):
        raise InvalidInput(name, "an object is required")
    if "uuid" in data and data["uuid"] is None:
        raise InvalidInput(f"{name}.uuid", "a lower-case uuid is required")
    check_record(data, MEMBER_SCHEMA, name)
    return data


#: a campaign version in the feed (``core.campaigns``; the till parses ``source`` itself)
CAMPAIGN_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_\-]{0,39}$")
MAX_CAMPAIGN_SOURCE = 200_000
CAMPAIGN_SCHEMA: dict[str, Check] = {
    "campaign_id": _pattern(CAMPAIGN_ID_RE, "a campaign id"), "version": _whole(1, 10**9),
    "source": _text_of(MAX_CAMPAIGN_SOURCE), "published_at": _text_of(40),
}


def check_campaign(data: object, name: str) -> dict[str, Any]:
    """A ``campaign`` change: its id, version and TOML text (required), when it was published."""
    if not isinstance(data, dict):
        raise InvalidInput(name, "an object is required")
    for key in ("campaign_id", "version", "source"):
        if data.get(key) is None:
            raise InvalidInput(f"{name}.{key}", "is missing")
    check_record(data, CAMPAIGN_SCHEMA, name)
    return data


def check_entry(raw: object, name: str, *, kinds: frozenset[str] = TILL_ENTRY_KINDS) -> tuple[dict[str, Any], Effects]:
    """One entry from the wire: types, sizes, ranges, dates, its kind (``kinds``: what the
    sender may write; a till pushes ``TILL_ENTRY_KINDS``, the feed carries ``ENTRY_KINDS``),
    its own hash and its effects. Returns the hashed fields plus ``hash`` (a new dict) and the
    parsed effects."""
    if not isinstance(raw, dict):
        raise InvalidInput(name, "an entry object is required")
    fields: dict[str, Any] = {}
    for key, (types, nullable, longest) in _FIELD_TYPES.items():
        if key not in raw:
            raise InvalidInput(f"{name}.{key}", "is missing")
        value = raw[key]
        if value is None and nullable:
            fields[key] = None
            continue
        if not isinstance(value, types) or (types is _INT and isinstance(value, bool)):
            raise InvalidInput(f"{name}.{key}", f"must be {types[0].__name__}")
        if isinstance(value, str) and len(value) > longest:
            raise InvalidInput(f"{name}.{key}", f"is too long (at most {longest} characters)")
        if isinstance(value, int) and not -MAX_POINTS <= value <= (MAX_POINTS if key != "seq" else 2**62):
            raise InvalidInput(f"{name}.{key}", f"is out of range (at most {MAX_POINTS} either way)")
        fields[key] = value
    if not UUID_RE.match(fields["uuid"]):
        raise InvalidInput(f"{name}.uuid", "a lower-case uuid is required")
    if not UUID_RE.match(fields["member_uuid"]):
        raise InvalidInput(f"{name}.member_uuid", "a lower-case uuid is required")
    if not ID_RE.match(fields["terminal_id"]):
        raise InvalidInput(f"{name}.terminal_id", "1 to 32 letters, digits, - or _ are required")
    if fields["kind"] not in kinds:
        raise InvalidInput(f"{name}.kind", f"one of {', '.join(sorted(kinds))} is required")
    if fields["seq"] < 1:
        raise InvalidInput(f"{name}.seq", "sequence numbers start at 1")
    if fields["program_version"] is not None and fields["program_version"] < 0:
        raise InvalidInput(f"{name}.program_version", "a version from 0 is required")
    for key in ("created_at", "recorded_at"):
        if not is_datetime(fields[key]):
            raise InvalidInput(f"{name}.{key}", "a date and time (YYYY-MM-DDTHH:MM:SS) is required")
    if not is_date(fields["business_date"]):
        raise InvalidInput(f"{name}.business_date", "a date (YYYY-MM-DD) is required")
    if not HASH_RE.match(fields["prev_hash"]):
        raise InvalidInput(f"{name}.prev_hash", "64 lower-case hex digits are required")
    digest = raw.get("hash")
    if not isinstance(digest, str) or not HASH_RE.match(digest):
        raise InvalidInput(f"{name}.hash", "64 lower-case hex digits are required")
    if entry_hash(fields) != digest:
        raise Conflict(f"{name}.hash", "the entry's hash does not match its content")
    effects = effects_from_wire(raw.get("effects", {}), points=fields["points"], field_name=f"{name}.effects")
    fields["hash"] = digest
    return fields, effects


def check_event(raw: object, name: str) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise InvalidInput(name, "an event object is required")
    oid = raw.get("oid")
    if not is_whole(oid, 1, 2**62):
        raise InvalidInput(f"{name}.oid", "a positive outbox id is required")
    kind = raw.get("kind")
    if kind not in EVENT_KINDS:
        raise InvalidInput(f"{name}.kind", f"one of {', '.join(EVENT_KINDS)} is required")
    ref = raw.get("ref")
    if not isinstance(ref, str) or not 0 < len(ref) <= 100:
        raise InvalidInput(f"{name}.ref", "a reference of 1 to 100 characters is required")
    if kind in _MEMBER_REF_EVENTS and not UUID_RE.match(ref):
        raise InvalidInput(f"{name}.ref", "the member's lower-case uuid is required")
    payload = raw.get("payload")
    if not isinstance(payload, dict):
        raise InvalidInput(f"{name}.payload", "an object is required")
    if kind == "member":
        check_member(payload, f"{name}.payload")
    else:
        check_record(payload, EVENT_SCHEMAS[kind], f"{name}.payload")
        if kind in ("sale", "refund"):
            _check_tenders(kind, payload, f"{name}.payload")
    created = raw.get("created_at")
    if not is_datetime(created):
        raise InvalidInput(f"{name}.created_at", "a date and time (YYYY-MM-DDTHH:MM:SS) is required")
    return {"oid": oid, "kind": kind, "ref": ref, "payload": payload, "created_at": created}


def _check_tenders(kind: str, payload: dict[str, Any], name: str) -> None:
    """A sale's tenders add up to its ``tender_fen`` exactly, none hands over less than it paid,
    only cash gives change and the change is the cash handed over beyond its amount; a refund's
    tenders add up to its ``refund_fen``. Tills before release 15 send no tenders: accepted."""
    tenders = payload.get("tenders")
    if tenders is None:
        if kind == "sale" and payload.get("change_fen"):
            raise InvalidInput(f"{name}.change_fen", "change needs the sale's tenders")
        return
    total = sum(int(t["amount_fen"]) for t in tenders)
    if kind == "sale":
        due = payload.get("tender_fen")
        if due is None or total != due:
            raise InvalidInput(f"{name}.tenders", f"the tenders add up to {total} fen, not the sale's tender_fen {due}")
        surplus = 0
        for i, t in enumerate(tenders):
            extra = int(t["given_fen"]) - int(t["amount_fen"])
            if extra < 0 or (extra and t["kind"] != "cash"):
                raise InvalidInput(f"{name}.tenders[{i}].given_fen", "only cash may be handed over beyond its amount,"
                                   " and never less")
            surplus += extra
        if surplus != int(payload.get("change_fen") or 0):
            raise InvalidInput(f"{name}.change_fen", f"the cash handed over beyond its amount is {surplus} fen")
    elif kind == "refund" and total != payload.get("refund_fen"):
        raise InvalidInput(f"{name}.tenders", f"the tenders add up to {total} fen, not the refund_fen "
                           f"{payload.get('refund_fen')}")


def check_push(body: object, *, terminal_id: str, store_id: str) -> tuple[str, list[tuple[dict[str, Any], Effects]],
                                                                     list[dict[str, Any]]]:
    """A push request's body: (batch_id, entries with effects, events), all checked.

    Entries must belong to ``terminal_id`` (the signed caller) and be consecutive; events
    must have increasing outbox ids. Raises ``InvalidInput``/``Conflict`` naming the field,
    or ``PermissionDenied`` for data of another terminal or store.
    """
    from pos_app.core.errors import PermissionDenied

    if not isinstance(body, dict):
        raise InvalidInput("body", "a JSON object is required")
    if body.get("protocol") != PROTOCOL:
        raise InvalidInput("protocol", f"protocol {PROTOCOL} is required")
    if body.get("terminal_id") != terminal_id:
        raise PermissionDenied("terminal_id", "a terminal may only push its own ledger")
    if body.get("store_id") != store_id:
        raise PermissionDenied("store_id", "a terminal may only write its own store's data")
    batch_id = body.get("batch_id")
    if not isinstance(batch_id, str) or not 8 <= len(batch_id) <= 64 or not ID_RE.match(batch_id[:32]):
        raise InvalidInput("batch_id", "8 to 64 letters, digits or - are required")
    raw_entries = body.get("entries", [])
    raw_events = body.get("events", [])
    if not isinstance(raw_entries, list) or not isinstance(raw_events, list):
        raise InvalidInput("entries", "entries and events must be lists")
    if len(raw_entries) + len(raw_events) > MAX_BATCH:
        raise InvalidInput("entries", f"at most {MAX_BATCH} entries and events per batch")
    entries: list[tuple[dict[str, Any], Effects]] = []
    for i, raw in enumerate(raw_entries):
        fields, effects = check_entry(raw, f"entries[{i}]")
        if fields["terminal_id"] != terminal_id:
            raise PermissionDenied(f"entries[{i}].terminal_id", "a terminal may only push its own ledger")
        if entries and fields["seq"] != entries[-1][0]["seq"] + 1:
            raise InvalidInput(f"entries[{i}].seq", "entries of a batch must be consecutive")
        if entries and fields["prev_hash"] != entries[-1][0]["hash"]:
            raise Conflict(f"entries[{i}].prev_hash", "the entry does not follow the previous one's hash")
        entries.append((fields, effects))
    events: list[dict[str, Any]] = []
    for i, raw in enumerate(raw_events):
        ev = check_event(raw, f"events[{i}]")
        if events and ev["oid"] <= events[-1]["oid"]:
            raise InvalidInput(f"events[{i}].oid", "outbox ids must increase")
        events.append(ev)
    return batch_id, entries, events


def entry_to_wire(fields: dict[str, Any], effects: Effects) -> dict[str, Any]:
    out = {k: fields[k] for k in HASHED_FIELDS}
    out["backdated"] = bool(out["backdated"])
    out["hash"] = fields["hash"]
    out["effects"] = effects.to_wire()
    return out
