"""Headquarters as the authority: programs, gift stock, revocations, the member QR key,
member import, the expiry run, the yearly tier review and behaviour awards from channels.

Every function is one or more write transactions (``db.writing``) with an audit row, and
every change terminals must learn about goes into the change feed in the same transaction.
The rules themselves are not here: they come from ``pos_app.core`` (program parsing, lot
expiry dates, tier review), so headquarters and the tills can never disagree about them.
Entries headquarters writes (expiry, awards, imported points) go through
``ingest.append_hq_entry``, onto headquarters' own hash chain.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import secrets
import uuid
from collections.abc import Iterable
from pathlib import Path
from typing import Any, cast

from peewee import Database

from pos_app.core import lots as core_lots
from pos_app.core import tiers as core_tiers
from pos_app.core.errors import (
    Conflict,
    InvalidInput,
    NotFound,
    PermissionDenied,
    PosError,
    RuleViolation,
)
from pos_app.core.members import (
    make_card_number,
    normalize_phone,
    parse_birthday,
    validate_card_number,
    validate_name,
)
from pos_app.core.program import Gift, Program, parse_program
from pos_app.core.replica import Effects, NewLot
from pos_app.core.text import csv_table, normalize_input
from pos_app.hq import db, feed, ingest, sealing
from pos_app.sync import member_code

#: members per transaction in the bulk runs: the push endpoint must not wait behind a run
CHUNK = 1000
PRIVATE_KEY_SETTING = sealing.PRIVATE_KEY_SETTING
MAX_IMPORT_ROWS = 2_000_000


def _database() -> Database:
    database = db.proxy.obj
    if database is None:
        raise InvalidInput("db", "the headquarters database is not open")
    return cast(Database, database)


def _tuples(query: Any) -> list[tuple[Any, ...]]:
    """A query's rows as plain tuples (peewee's typing does not follow ``.tuples()``)."""
    return list(query.tuples())


def _audit(actor: str, action: str, ref: str, **details: Any) -> None:
    db.Audit.create(at=db.utcnow(), actor=actor, action=action, ref=ref,
                    details=json.dumps(details, sort_keys=True, ensure_ascii=False, default=str))


def _local_now() -> dt.datetime:
    """The business clock: naive local time, as at the tills (business dates are local)."""
    return dt.datetime.now().replace(microsecond=0)


def _text(value: object, name: str, *, limit: int = 200) -> str:
    if not isinstance(value, str) or not value.strip() or len(value.strip()) > limit:
        raise InvalidInput(name, f"a text of 1 to {limit} characters is required")
    return value.strip()


# -- programs -----------------------------------------------------------------------------------------

_parsed: dict[str, Program] = {}


def _parse_cached(source: str, digest: str) -> Program:
    """Programs are immutable, so a parsed one is kept by its digest (awards read it per request)."""
    program = _parsed.get(digest)
    if program is None:
        program = parse_program(source)
        _parsed[digest] = program
    return program


def active_program(day: dt.date | None = None) -> Program | None:
    """The program the tills run on ``day`` (today by default): the highest version published
    whose effective date is empty or not after that day; None before the first publish."""
    on = (day or _local_now().date()).isoformat()
    P = db.Program
    row = (P.select().where(P.effective_on.is_null() | (P.effective_on <= on)).order_by(P.version.desc()).first()
           or P.select().order_by(P.version).first())
    return None if row is None else _parse_cached(row.source, row.digest)


def check_effective_on(value: object, *, today: dt.date) -> str | None:
    """An effective date as typed: empty (None: at once) or a date ``YYYY-MM-DD`` not before today."""
    text = value.strip() if isinstance(value, str) else ""
    if not text:
        return None
    try:
        day = dt.date.fromisoformat(text) if len(text) == 10 else None
    except ValueError:
        day = None
    if day is None:
        raise InvalidInput("effective_on", "must be a date such as 2026-01-31, or empty for at once")
    if day < today:
        raise InvalidInput("effective_on", "must be today or later")
    return day.isoformat()


def require_program() -> Program:
    program = active_program()
    if program is None:
        raise NotFound("program", "no program has been published yet (pos-hq program publish FILE)")
    return program


def publish_program(source: str, *, actor: str, effective_on: str | None = None) -> Program:
    """Validate a program file and send it to every terminal. A version once published is
    immutable: the same text again is a no-op, different text under it a Conflict; a version
    below the highest published is refused. ``effective_on`` (``YYYY-MM-DD``, not before
    today; None: at once) is the business date from which tills run it: a till runs the
    highest version whose effective date has come (``active_program``)."""
    program = parse_program(source)  # ProgramError naming the field; nothing written
    effective = check_effective_on(effective_on, today=_local_now().date())
    with db.writing(_database()):
        same = db.Program.get_or_none((db.Program.program_id == program.program_id)
                                      & (db.Program.version == program.version))
        if same is not None:
            if same.digest != program.digest:
                raise Conflict("version", f"version {program.version} of {program.program_id} was published"
                               " with a different text; publish it under a new version")
            return program
        top = db.Program.select().order_by(db.Program.version.desc()).first()
        if top is not None and top.version >= program.version:
            raise Conflict("version", f"version {program.version} is not above the active version {top.version}")
        if top is None and effective is not None:
            raise InvalidInput("effective_on", "the first version takes effect at once")
        db.Program.create(program_id=program.program_id, version=program.version, digest=program.digest,
                          source=source, published_at=db.utcnow(), published_by=actor, effective_on=effective)
        _audit(actor, "program.publish", f"{program.program_id}:{program.version}", digest=program.digest,
               effective_on=effective)
        data: dict[str, Any] = {"program_id": program.program_id, "version": program.version, "source": source}
        if effective is not None:
            data["effective_on"] = effective  # tills before it ignore it (and run the version at once)
        feed.publish("program", f"{program.program_id}:{program.version}", data)
    return program


# -- gift stock ---------------------------------------------------------------------------------------

def set_gift_stock(store_id: str, gift_code: str, stock: int, *, actor: str) -> dict[str, Any]:
    """A store's stock of a stock-tracked gift; only that store's terminals receive it."""
    if isinstance(stock, bool) or not isinstance(stock, int) or not 0 <= stock <= 10**9:
        raise InvalidInput("stock", "a whole number from 0 is required")
    stock_tracked_gift(gift_code)
    with db.writing(_database()):
        if db.Store.get_or_none(db.Store.id == store_id) is None:
            raise NotFound("store", f"no store {store_id!r}")
        before = locked_gift_stock(store_id, gift_code)
        data = write_gift_stock(store_id, gift_code, stock, kind="set", qty=stock - (before or 0), actor=actor)
        _audit(actor, "gift.stock", f"{store_id}:{gift_code}", before=before, stock=stock)
    return data


def stock_tracked_gift(gift_code: str, *, field: str = "gift") -> Gift:
    """The active program's stock-tracked gift ``gift_code`` (NotFound / RuleViolation naming ``field``)."""
    program = require_program()
    gift = program.gift(gift_code) if isinstance(gift_code, str) else None
    if gift is None:
        raise NotFound(field, f"the active program has no gift {gift_code!r}")
    if not gift.stock_tracked:
        raise RuleViolation(field, f"gift {gift_code} is not stock-tracked in the program")
    return gift


def locked_gift_stock(store_id: str, gift_code: str) -> int | None:
    """A store's stock of a gift (None: never set), its row locked to the commit on PostgreSQL."""
    G = db.GiftStock
    query = G.select(G.stock).where((G.store_id == store_id) & (G.gift_code == gift_code))
    row = (query.for_update() if db.is_postgres() else query).first()
    return None if row is None else int(row.stock)


def write_gift_stock(store_id: str, gift_code: str, stock: int, *, kind: str, qty: int, actor: str,
                     ref: str = "") -> dict[str, Any]:
    """Inside the caller's transaction: set a store's stock of a gift, record the move
    (``db.GiftStockMove``: what changed it, by how much, the stock after) and publish the stock
    to that store's tills (their next pull)."""
    G = db.GiftStock
    where = (G.store_id == store_id) & (G.gift_code == gift_code)
    if G.select().where(where).exists():
        G.update(stock=stock).where(where).execute()
    else:
        G.create(store_id=store_id, gift_code=gift_code, stock=stock)
    db.GiftStockMove.create(store_id=store_id, gift_code=gift_code, kind=kind, qty=qty, stock_after=stock, ref=ref,
                            at=db.utcnow(), actor=actor)
    data = {"store_id": store_id, "gift_code": gift_code, "stock": stock}
    feed.publish("gift_stock", f"{store_id}:{gift_code}", data, store_id=store_id)
    return data


# -- revocations and the member QR key ----------------------------------------------------------------

def revoke(kind: str, value: str, reason: str, *, actor: str) -> dict[str, Any]:
    """Refuse a card, or one member code, at every terminal from their next pull on.
    ``value`` is a card number, or a member code (its whole text or its id)."""
    if kind not in member_code.REVOKE_KINDS:
        raise InvalidInput("kind", f"one of {', '.join(member_code.REVOKE_KINDS)} is required: {kind!r}")
    why = _text(reason, "reason")
    text = value.strip() if isinstance(value, str) else ""
    if kind == "card":
        stored = validate_card_number(text)
    elif member_code.looks_like_member_code(text):
        stored = member_code.read_member_code(text)[0].nonce
    elif member_code.NONCE_RE.match(text):
        stored = text
    else:
        raise InvalidInput(member_code.FIELD, "a member code or its id is required", reason="malformed")
    with db.writing(_database()):
        if db.Revoked.get_or_none((db.Revoked.kind == kind) & (db.Revoked.value == stored)) is not None:
            raise Conflict("revoked", f"{kind} {stored} is revoked already")
        at = db.utcnow()
        db.Revoked.create(kind=kind, value=stored, reason=why, revoked_at=at)
        _audit(actor, "code.revoke", f"{kind}:{stored}", reason=why)
        data = {"kind": kind, "value": stored, "reason": why, "revoked_at": at}
        feed.publish("revoked", f"{kind}:{stored}", data)
    return data


def _set_setting(key: str, value: str) -> None:
    if db.Setting.get_or_none(db.Setting.key == key) is None:
        db.Setting.create(key=key, value=value)
    else:
        db.Setting.update(value=value).where(db.Setting.key == key).execute()


def _get_setting(key: str) -> str | None:
    row = db.Setting.get_or_none(db.Setting.key == key)
    return None if row is None else str(row.value)


def set_member_qr_key(public_key_text: str, *, private_pem: bytes | None = None, actor: str = "admin") -> str:
    """Trust a member QR key everywhere: the public half goes to every terminal. With
    ``private_pem`` (which must match) headquarters can issue codes; without it, a private
    key held before is dropped, since it no longer matches what the tills trust."""
    text = public_key_text.strip() if isinstance(public_key_text, str) else ""
    if member_code.parse_public_key(text) is None:
        raise InvalidInput("key", "an Ed25519 public key as base64url (43 characters) is required")
    if private_pem is not None and member_code.public_key_text(member_code.load_private_key(private_pem)) != text:
        raise InvalidInput("key", "the private key does not belong to this public key")
    with db.writing(_database()):
        _set_setting(member_code.SETTING_KEY, text)
        if private_pem is not None:
            sealing.check_key()
            _set_setting(PRIVATE_KEY_SETTING, sealing.seal(private_pem.decode("ascii"), PRIVATE_KEY_SETTING))
        else:
            db.Setting.delete().where(db.Setting.key == PRIVATE_KEY_SETTING).execute()
        _audit(actor, "member_qr.key", text, private=private_pem is not None)
        feed.publish("setting", member_code.SETTING_KEY, {"key": member_code.SETTING_KEY, "value": text})
    return text


def generate_member_qr_key(*, actor: str = "admin") -> tuple[bytes, str]:
    """A new key pair: headquarters keeps the private key, terminals get the public one."""
    private_pem, public_text = member_code.generate_keypair()
    set_member_qr_key(public_text, private_pem=private_pem, actor=actor)
    return private_pem, public_text


def issue_member_code(card_no: str, *, ttl_s: int = member_code.DEFAULT_TTL_S, now: dt.datetime | None = None
                      ) -> str:
    """A member code (会员码) for a member's phone app, signed with headquarters' key."""
    card = validate_card_number(card_no.strip() if isinstance(card_no, str) else card_no)
    pem = _get_setting(PRIVATE_KEY_SETTING)
    if pem is None:
        raise RuleViolation(member_code.FIELD, "headquarters holds no member QR private key (member-qr keygen)",
                            reason="no_key")
    if db.Member.get_or_none(db.Member.card_no == card) is None:
        raise NotFound("card", f"no member with card {card}")
    if db.Revoked.get_or_none((db.Revoked.kind == "card") & (db.Revoked.value == card)) is not None:
        raise RuleViolation("card", f"card {card} is revoked")
    private_pem = sealing.unseal(pem, PRIVATE_KEY_SETTING).encode("ascii")
    return member_code.sign_member_code(private_pem, card, now or dt.datetime.now(), ttl_s)


# -- members --------------------------------------------------------------------------------------------

def find_member(ref: str, *, field: str = "member", now: dt.datetime | None = None) -> db.Member:
    """A member by uuid, card number, phone number or member code (checked with HQ's key)."""
    if not isinstance(ref, str) or not ref.strip():
        raise InvalidInput(field, "a member uuid, card or phone number is required")
    raw = normalize_input(ref)
    digits = re.sub(r"[\s\-()]", "", raw)
    if member_code.looks_like_member_code(raw):
        code = member_code.check_member_code(_get_setting(member_code.SETTING_KEY) or "", raw, now or _local_now())
        for kind, value in (("member_qr", code.nonce), ("card", code.card_no)):
            if db.Revoked.get_or_none((db.Revoked.kind == kind) & (db.Revoked.value == value)) is not None:
                raise RuleViolation(member_code.FIELD, f"this {kind} was revoked", reason="revoked")
        found = db.Member.get_or_none(db.Member.card_no == code.card_no)
    elif re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", raw):
        found = db.Member.get_or_none(db.Member.uuid == raw)
    elif re.fullmatch(r"(\+86|0086)?1[0-9]{10}", digits):
        found = db.Member.get_or_none(db.Member.phone == normalize_phone(digits, field=field))
    elif re.fullmatch(r"[0-9]{8,19}", digits):
        found = db.Member.get_or_none(db.Member.card_no == validate_card_number(digits, field=field))
    else:
        raise InvalidInput(field, f"not a member uuid, card or mainland mobile number: {ref!r}")
    if found is None:
        raise NotFound(field, f"no member with {ref!r}")
    return found


def _free_card_number(taken: set[str]) -> str:
    for _ in range(50):
        card = make_card_number(secrets.randbelow(10**10))
        if card not in taken and db.Member.get_or_none(db.Member.card_no == card) is None:
            return card
    raise Conflict("card_no", "could not find a free card number")  # pragma: no cover - 1e-10 odds


def _read_import(path: Path, today: dt.date) -> tuple[list[dict[str, Any]], list[dict[str, Any]], int]:
    """Rows of the CSV (phone,name[,birthday,card_no]) validated one by one: (good, errors, rows)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput("file", f"cannot read {path}: {exc}") from None
    good: list[dict[str, Any]] = []
    errors: list[dict[str, Any]] = []
    for line, raw in csv_table(text, required=("phone", "name"), columns="phone,name[,birthday,card_no]",
                               max_rows=MAX_IMPORT_ROWS):
        try:
            if isinstance(raw, PosError):
                raise raw
            bday = (raw.get("birthday") or "").strip()
            card = (raw.get("card_no") or "").strip()
            good.append({
                "line": line, "phone": normalize_phone(raw.get("phone") or ""),
                "name": validate_name(raw.get("name") or ""),
                "birthday": parse_birthday(bday, today=today).isoformat() if bday else None,
                "card_no": validate_card_number(card, field="card_no") if card else None,
            })
        except PosError as exc:
            errors.append({"line": line, "field": exc.field, "message": exc.message})
    return good, errors, len(good) + len(errors)


def import_members(csv_path: str | Path, *, actor: str, store_id: str = db.HQ_CHAIN,
                   now: dt.datetime | None = None) -> dict[str, Any]:
    """Create members from a CSV file (phone,name,birthday,card_no) and send them to every
    terminal. Invalid rows and duplicates (a phone or card already known, or repeated in
    the file) are reported with their line and skipped; the others are written, in chunks."""
    path = Path(csv_path)
    stamp = now or _local_now()
    good, errors, total = _read_import(path, stamp.date())
    program = active_program()
    tier = program.tiers.tiers[0].id if program else "normal"
    phones: set[str] = set()
    cards: set[str] = set()
    created = 0
    duplicates: list[dict[str, Any]] = []
    for start in range(0, len(good), CHUNK):
        with db.writing(_database()):
            for row in good[start:start + CHUNK]:
                problem = None
                if row["phone"] in phones or db.Member.get_or_none(db.Member.phone == row["phone"]) is not None:
                    problem = ("phone", f"{row['phone']} is already a member")
                elif row["card_no"] and (row["card_no"] in cards
                                         or db.Member.get_or_none(db.Member.card_no == row["card_no"]) is not None):
                    problem = ("card_no", f"card {row['card_no']} is already issued")
                if problem:
                    duplicates.append({"line": row["line"], "field": problem[0], "message": problem[1]})
                    continue
                card = row["card_no"] or _free_card_number(cards)
                phones.add(row["phone"])
                cards.add(card)
                m = db.Member.create(
                    uuid=str(uuid.uuid4()), phone=row["phone"], name=row["name"], birthday=row["birthday"],
                    card_no=card, status="active", consent=False, store_id=store_id,
                    enrolled_at=stamp.isoformat(), tier=tier, tier_since=stamp.date().isoformat(),
                    updated_at=db.utcnow(),
                )
                feed.publish_member(m)
                created += 1
    with db.writing(_database()):
        _audit(actor, "member.import", path.name, rows=total, created=created, duplicates=len(duplicates),
               invalid=len(errors))
    return {"rows": total, "created": created, "duplicates": duplicates, "errors": errors}


# -- the expiry run -------------------------------------------------------------------------------------

def _not_ahead(as_of: object, today: dt.date | None) -> dt.date:
    """Written-off points and lowered tiers cannot be taken back: never run ahead of time."""
    if not isinstance(as_of, dt.date) or isinstance(as_of, dt.datetime):
        raise InvalidInput("as_of", "a date is required")
    limit = (today or _local_now().date()) + dt.timedelta(days=1)
    if as_of > limit:
        raise InvalidInput("as_of", f"{as_of} is after tomorrow ({limit}): cannot run ahead of time")
    return as_of


def _expired_members(as_of: str, after: str, limit: int) -> list[str]:
    L = db.Lot
    query = (L.select(L.member_uuid).distinct()
             .where(L.expires_on.is_null(False) & (L.expires_on < as_of) & (L.remaining > 0) & (L.member_uuid > after))
             .order_by(L.member_uuid).limit(limit))
    return [r[0] for r in _tuples(query)]


def run_expiry(as_of: dt.date, *, actor: str, today: dt.date | None = None) -> dict[str, Any]:
    """Write off every lot whose last valid day is before ``as_of``: one ``expire`` entry per
    member on headquarters' chain, naming the lots it takes, dated ``as_of``. Chunked
    (``CHUNK`` members per transaction, lots re-read inside it, applied through one
    ``ingest.Projection`` per chunk like a push) and idempotent: running the same date
    again finds nothing left."""
    _not_ahead(as_of, today)
    program = active_program()
    day = as_of.isoformat()
    members = lots = points = 0
    after = ""
    while True:
        with db.writing(_database()):
            batch = _expired_members(day, after, CHUNK)
            if not batch:
                break
            lapsed: dict[str, list[tuple[str, int]]] = {}
            L = db.Lot
            for member_uuid, key, rem in _tuples(
                    L.select(L.member_uuid, L.key, L.remaining)
                    .where(L.member_uuid.in_(batch) & L.expires_on.is_null(False) & (L.expires_on < day)
                           & (L.remaining > 0))
                    .order_by(L.member_uuid, L.expires_on, L.earned_on, L.key)):
                lapsed.setdefault(str(member_uuid), []).append((str(key), int(rem)))
            # one projection for the chunk: the same steps as ingest.append_hq_entry, in bulk
            proj = ingest.Projection()
            proj.load_members(lapsed)
            proj.load_lots(lapsed, [k for taken in lapsed.values() for k, _ in taken])
            for member_uuid, taken in lapsed.items():
                if member_uuid not in proj.members:  # lots of a member with no record: verify reports them
                    continue
                total = sum(p for _, p in taken)
                proj.append_hq(
                    member_uuid=member_uuid, kind="expire", points=-total, ref_type="expiry", ref_no=f"EXP-{day}",
                    breakdown={"as_of": day, "lots": [[k, p] for k, p in taken]},
                    effects=Effects(taken=tuple(taken)), business_date=as_of,
                    program_version=program.version if program else None,
                    at=dt.datetime.combine(as_of, dt.time(0, 0)),
                )
                members += 1
                lots += len(taken)
                points += total
            proj.write()
            proj.changes.flush(locked=proj.members)
            after = batch[-1]
    result = {"as_of": day, "members": members, "lots": lots, "points": points}
    with db.writing(_database()):
        _audit(actor, "expiry.run", day, **{k: v for k, v in result.items() if k != "as_of"})
    return result


# -- the yearly tier review -----------------------------------------------------------------------------

def _buckets(member_uuids: Iterable[str]) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {}
    T = db.TierMonth
    for member_uuid, month, pts in _tuples(T.select(T.member_uuid, T.month, T.points)
                                           .where(T.member_uuid.in_(list(member_uuids)))):
        out.setdefault(member_uuid, {})[month] = int(pts)
    return out


def run_tier_review(as_of: dt.date, *, actor: str, today: dt.date | None = None) -> dict[str, Any]:
    """The yearly review (保级) due on or before ``as_of``: every member not reviewed since
    keeps the tier the trailing window's qualifying points reach, dropping at most
    ``max_drop`` levels (``core.tiers.review``; the window ends the day before the review).
    Only members who were members for the whole of the review's period are reviewed
    (``core.tiers.under_review``); the others keep their tier and count as ``exempt``.
    Changed members go to every terminal; a second run for the same review finds no one."""
    _not_ahead(as_of, today)
    program = require_program()
    rules = program.tiers
    due = core_tiers.review_due(rules, None, as_of)
    assert due is not None
    window_day = due - dt.timedelta(days=1)
    due_text = due.isoformat()
    reviewed = exempt = 0
    changes: list[dict[str, Any]] = []
    after = ""
    M = db.Member
    while True:
        with db.writing(_database()):
            batch = list(M.select().where((M.last_review.is_null() | (M.last_review < due_text)) & (M.uuid > after))
                         .order_by(M.uuid).limit(CHUNK))
            if not batch:
                break
            buckets = _buckets(m.uuid for m in batch)
            now = db.utcnow()
            unchanged = []
            for m in batch:
                enrolled = dt.date.fromisoformat(m.enrolled_at[:10]) if m.enrolled_at else None
                if not core_tiers.under_review(rules, due, enrolled):
                    unchanged.append(m.uuid)
                    exempt += 1
                    continue
                qualifying = core_tiers.qualifying_points(rules, buckets.get(m.uuid, {}), window_day)
                new = core_tiers.review(rules, m.tier, qualifying)
                if new.id != m.tier:
                    changes.append({"member_uuid": m.uuid, "from": m.tier, "to": new.id, "qualifying": qualifying})
                    m.tier, m.tier_since, m.last_review, m.updated_at = new.id, due_text, due_text, now
                    m.save()
                    feed.publish_member(m)
                else:
                    unchanged.append(m.uuid)
                reviewed += 1
            if unchanged:
                M.update(last_review=due_text).where(M.uuid.in_(unchanged)).execute()
            after = batch[-1].uuid
    with db.writing(_database()):
        _audit(actor, "tier.review", due_text, members=reviewed, changes=len(changes), exempt=exempt)
    return {"review_date": due_text, "members": reviewed, "exempt": exempt, "changes": changes}


# -- behaviour awards from channels ---------------------------------------------------------------------

def _award_count(member_uuid: str, award_id: str, day: str | None = None) -> int:
    E = db.Entry
    query = E.select().where((E.member_uuid == member_uuid) & (E.kind == "award") & (E.ref_no == award_id))
    if day is not None:
        query = query.where(E.business_date == day)
    return int(query.count())


def report_award(channel: db.Terminal, *, member_ref: str, award_id: str, ref: str,
                 now: dt.datetime | None = None) -> dict[str, Any]:
    """A behaviour award (sign-up, survey, review, share, referral) reported by a
    mini-program or website. The program's limits hold across every store and channel:
    a ``once`` award once per member ever, a ``daily_limit`` per business day. The same
    (channel, ref) again answers the first result with ``duplicate: true``."""
    if getattr(channel, "kind", None) != "channel":
        raise PermissionDenied("channel", "only a channel credential may report behaviour awards")
    ref = _text(ref, "ref", limit=100)
    if not isinstance(award_id, str) or not award_id.strip():
        raise InvalidInput("award", "an award id is required")
    program = require_program()
    award = program.award(award_id.strip())
    if award is None:
        raise NotFound("award", f"the program has no award {award_id!r}")
    at = now or _local_now()
    today = at.date()
    with db.writing(_database()):
        member = find_member(member_ref, now=at)
        if db.is_postgres():  # two reports for one member at once: the second waits and counts the first
            member = db.Member.select().where(db.Member.uuid == member.uuid).for_update().get()
        claim = db.AwardClaim.get_or_none((db.AwardClaim.channel == channel.id) & (db.AwardClaim.ref == ref))
        if claim is not None:
            if claim.award_id != award.id or claim.member_uuid != member.uuid:
                raise Conflict("ref", f"{ref} was reported for another award or member")
            first = db.Entry.get(db.Entry.uuid == claim.entry_uuid)
            return {"entry_uuid": claim.entry_uuid, "points": int(first.points), "balance": int(member.balance),
                    "duplicate": True}
        if member.status != "active":
            raise RuleViolation("member", f"member {member.card_no} is {member.status}")
        if award.once and _award_count(member.uuid, award.id) > 0:
            raise RuleViolation("award", f"{award.id} is granted once per member")
        limit = award.daily_limit
        if limit is not None and _award_count(member.uuid, award.id, today.isoformat()) >= limit:
            raise RuleViolation("award", f"{award.id} at most {award.daily_limit} times a day", limit=award.daily_limit)
        entry = ingest.append_hq_entry(
            member_uuid=member.uuid, kind="award", points=award.points, ref_type="award", ref_no=award.id,
            breakdown={"award": award.id, "points": award.points, "channel": channel.id, "ref": ref},
            effects=Effects(new=(NewLot(today, core_lots.expiry_date(program.expiry, today), award.points),)),
            business_date=today, program_version=program.version, at=at, store_id=channel.store_id,
        )
        entry_uuid = str(entry["uuid"])
        db.AwardClaim.create(channel=channel.id, ref=ref, member_uuid=member.uuid, award_id=award.id,
                             entry_uuid=entry_uuid, day=today.isoformat(), at=db.utcnow())
        _audit(channel.id, "member.award", member.uuid, award=award.id, points=award.points, channel_ref=ref)
        balance = int(db.Member.get(db.Member.uuid == member.uuid).balance)
    return {"entry_uuid": entry_uuid, "points": award.points, "balance": balance, "duplicate": False}
