"""Gifts and coupons for the console: the active program's catalogue, each store's stock of the
stock-tracked gifts and its operations (receive, transfer, count), the stock history, coupons.

Every stock operation is one write transaction: the stock rows locked (PostgreSQL) and changed,
a ``db.GiftStockMove`` per store with the stock after, an audit row, and the new stock published
to the store's tills (``authority.write_gift_stock``, the path ``pos-hq gift stock`` uses).
A store's stock never goes below zero by a console operation (a redemption reported by a till
that had not heard of a transfer still counts down at headquarters, as before).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from peewee import JOIN

from pos_app.core.errors import InvalidInput, NotFound, RuleViolation
from pos_app.core.program import Gift
from pos_app.core.text import normalize_input
from pos_app.hq import authority, db
from pos_app.hq.projection import tuples

MAX_QTY = 1_000_000
NOTE_MAX = 200
MOVE_KINDS = ("receive", "transfer_in", "transfer_out", "count", "set", "redeem")
COUPON_STATUSES = ("unused", "used", "expired")


_database = db.opened
_audit = db.audit


# -- input -----------------------------------------------------------------------------------------

def parse_qty(raw: object, field: str, *, low: int = 1, high: int = MAX_QTY) -> int:
    """A whole number typed in a form (``low`` to ``high``), else an error naming ``field``."""
    if isinstance(raw, int) and not isinstance(raw, bool):
        text = str(raw)
    else:
        text = normalize_input(raw).strip() if isinstance(raw, str) else ""
    if not text:
        raise InvalidInput(field, "this field is required")
    if not re.fullmatch(r"-?[0-9]{1,12}", text):
        raise InvalidInput(field, "a whole number is required")
    value = int(text)
    if value < 0:
        raise InvalidInput(field, "a negative number is not allowed")
    if not low <= value <= high:
        raise InvalidInput(field, f"a whole number from {low} to {high} is required")
    return value


def _note(raw: object) -> str:
    text = normalize_input(raw).strip() if isinstance(raw, str) else ""
    if len(text) > NOTE_MAX:
        raise InvalidInput("note", f"at most {NOTE_MAX} characters")
    return text


def _store(raw: object, field: str) -> str:
    store_id = raw.strip() if isinstance(raw, str) else ""
    if not store_id:
        raise InvalidInput(field, "choose a store")
    if db.Store.get_or_none(db.Store.id == store_id) is None:
        raise NotFound(field, "no such store")
    return store_id


def _gift(raw: object, field: str = "gift_code") -> Gift:
    code = raw.strip() if isinstance(raw, str) else ""
    if not code:
        raise InvalidInput(field, "choose a gift")
    program = authority.active_program()
    gift = program.gift(code) if program is not None else None
    if gift is None:
        raise NotFound(field, "the active program has no such gift")
    if not gift.stock_tracked:
        raise RuleViolation(field, "this gift is not stock-tracked in the program")
    return gift


# -- reading ---------------------------------------------------------------------------------------

def catalogue() -> list[Gift]:
    """The active program's gifts, in the program's order (empty before the first publish)."""
    program = authority.active_program()
    return list(program.gifts) if program is not None else []


def stores(store_id: str | None = None) -> list[db.Store]:
    S = db.Store
    query = S.select().order_by(S.id)
    if store_id is not None:
        query = query.where(S.id == store_id)
    return list(query)


@dataclass(frozen=True)
class StockTable:
    gifts: list[Gift]  # the stock-tracked ones
    stores: list[db.Store]
    stock: dict[tuple[str, str], int]  # (gift code, store id) -> stock; absent: never set


def stock_table(store_id: str | None = None) -> StockTable:
    """Stock-tracked gifts x stores (one store for a store manager)."""
    gifts = [g for g in catalogue() if g.stock_tracked]
    shown = stores(store_id)
    G = db.GiftStock
    query = G.select(G.store_id, G.gift_code, G.stock)
    if store_id is not None:
        query = query.where(G.store_id == store_id)
    stock = {(str(code), str(store)): int(n) for store, code, n in tuples(query)}
    return StockTable(gifts, shown, stock)


def history(store_id: str, gift_code: str, *, limit: int = 100) -> list[dict[str, Any]]:
    """A store's stock moves of one gift, newest first (``db.GiftStockMove``): the console's
    operations, the CLI's settings and the redemptions the store's tills reported."""
    M = db.GiftStockMove
    rows: list[dict[str, Any]] = [
        {"at": m.at, "kind": m.kind, "qty": int(m.qty), "stock_after": int(m.stock_after), "ref": m.ref,
         "actor": m.actor}
        for m in M.select().where((M.store_id == store_id) & (M.gift_code == gift_code)).order_by(M.id.desc())
        .limit(limit)]
    return rows


# -- stock operations ------------------------------------------------------------------------------

@dataclass(frozen=True)
class StockResult:
    gift_code: str
    qty: int
    stock: dict[str, int]  # store id -> stock after


def receive(store_id: object, gift_code: object, qty: object, note: object = "", *, actor: str) -> StockResult:
    """Goods received at a store: its stock goes up by ``qty``."""
    gift = _gift(gift_code)
    n = parse_qty(qty, "qty")
    why = _note(note)
    with db.writing(_database()):
        store = _store(store_id, "store_id")
        before = authority.locked_gift_stock(store, gift.code) or 0
        after = before + n
        authority.write_gift_stock(store, gift.code, after, kind="receive", qty=n, actor=actor, ref=why)
        _audit(actor, "gift.receive", f"{store}:{gift.code}", qty=n, before=before, stock=after, note=why)
    return StockResult(gift.code, n, {store: after})


def transfer(from_store: object, to_store: object, gift_code: object, qty: object, note: object = "", *,
             actor: str) -> StockResult:
    """Move ``qty`` of a gift from one store to another, in one transaction; never more than
    the first store holds."""
    gift = _gift(gift_code)
    n = parse_qty(qty, "qty")
    why = _note(note)
    with db.writing(_database()):
        source = _store(from_store, "from_store")
        target = _store(to_store, "to_store")
        if source == target:
            raise InvalidInput("to_store", "the two stores must differ")
        held: dict[str, int] = {}
        for store in sorted((source, target)):  # one lock order: two transfers never wait in a circle
            held[store] = authority.locked_gift_stock(store, gift.code) or 0
        if n > held[source]:
            raise RuleViolation("qty", "more than the store holds", stock=held[source])
        ref = f"{source}>{target}" + (f" {why}" if why else "")
        out = {source: held[source] - n, target: held[target] + n}
        authority.write_gift_stock(source, gift.code, out[source], kind="transfer_out", qty=-n, actor=actor, ref=ref)
        authority.write_gift_stock(target, gift.code, out[target], kind="transfer_in", qty=n, actor=actor, ref=ref)
        _audit(actor, "gift.transfer", f"{source}>{target}:{gift.code}", qty=n, before=held, stock=out, note=why)
    return StockResult(gift.code, n, out)


def count(store_id: object, gift_code: object, counted: object, note: object = "", *, actor: str) -> StockResult:
    """A stock count: the stock becomes the counted figure; the move records the difference."""
    gift = _gift(gift_code)
    n = parse_qty(counted, "counted", low=0)
    why = _note(note)
    with db.writing(_database()):
        store = _store(store_id, "store_id")
        before = authority.locked_gift_stock(store, gift.code)
        diff = n - (before or 0)
        authority.write_gift_stock(store, gift.code, n, kind="count", qty=diff, actor=actor, ref=why)
        _audit(actor, "gift.count", f"{store}:{gift.code}", counted=n, before=before, difference=diff, note=why)
    return StockResult(gift.code, diff, {store: n})


# -- coupons ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class CouponRow:
    code: str
    member_uuid: str
    member_name: str
    member_store: str
    gift_code: str
    value_fen: int
    min_spend_fen: int
    issued_at: str
    issued_by: str
    valid_until: str | None
    used_at: str | None
    used_receipt_no: str | None
    used_by: str | None
    status: str


def coupon_status(c: Any, today: str) -> str:
    if c.used_at:
        return "used"
    if c.valid_until and str(c.valid_until)[:10] < today:
        return "expired"
    return "unused"


def coupons(*, code: str = "", member: str = "", status: str = "", store_id: str | None = None, today: str,
            limit: int = 50, offset: int = 0) -> list[CouponRow]:
    """Coupons, newest first: by code (its beginning), by member (uuid, phone or card), by status
    (unused, used, expired on ``today``); a store manager's are their store's members'."""
    C, M = db.Coupon, db.Member
    query = (C.select(C, M.name, M.store_id).join(M, JOIN.LEFT_OUTER, on=(M.uuid == C.member_uuid), attr="m")
             .where(C.issued_at != ""))
    if code:
        query = query.where(C.code.startswith(code.strip().upper()) | (C.code == code.strip()))
    if member:
        try:
            found = authority.find_member(member, field="member")
        except NotFound:
            return []
        query = query.where(C.member_uuid == found.uuid)
    if status == "used":
        query = query.where(C.used_at.is_null(False))
    elif status == "unused":
        query = query.where(C.used_at.is_null() & (C.valid_until.is_null() | (C.valid_until >= today)))
    elif status == "expired":
        query = query.where(C.used_at.is_null() & C.valid_until.is_null(False) & (C.valid_until < today))
    elif status:
        raise InvalidInput("status", "one of unused, used, expired is required")
    if store_id is not None:
        query = query.where(M.store_id == store_id)
    out = []
    for c in query.order_by(C.issued_at.desc(), C.code).limit(limit).offset(offset):
        out.append(CouponRow(
            code=c.code, member_uuid=c.member_uuid, member_name=getattr(getattr(c, "m", None), "name", None) or "",
            member_store=getattr(getattr(c, "m", None), "store_id", None) or "",
            gift_code=c.gift_code, value_fen=int(c.value_fen), min_spend_fen=int(c.min_spend_fen),
            issued_at=c.issued_at, issued_by=c.issued_by, valid_until=c.valid_until, used_at=c.used_at,
            used_receipt_no=c.used_receipt_no, used_by=c.used_by, status=coupon_status(c, today)))
    return out


__all__ = ["StockResult", "StockTable", "catalogue", "count", "coupons", "history", "receive",
           "stock_table", "transfer"]
