"""A push's events at headquarters: member records (balance and debt stay headquarters'; a
phone or card another member holds is kept and flagged), coupons issued, used and returned,
gift redemptions (stock), tier changes. Sale and refund events are stored for the reports.
Their fields were checked against ``sync.protocol``'s schema before."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from pos_app.hq import db, feed
from pos_app.hq.projection import CHUNK, Projection, bulk_update, for_update, int_or_zero, tuples

#: member fields a ``member`` event may set (balance and debt are headquarters' own)
MEMBER_FIELDS = ("phone", "name", "birthday", "card_no", "referrer_uuid", "status", "consent", "store_id",
                 "enrolled_at", "tier", "tier_since", "last_review", "first_purchase_at", "last_purchase_at")
#: decided once: taken from a member record only for a member headquarters has not described yet
TIER_FIELDS = frozenset({"tier", "tier_since"})
#: the ones that may be empty (null); a null for any other leaves the value headquarters has
NULLABLE_MEMBER_FIELDS = frozenset({"phone", "birthday", "card_no", "referrer_uuid", "last_review",
                                    "first_purchase_at", "last_purchase_at"})


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def event_member(ev: dict[str, Any]) -> str:
    return str(ev["payload"].get("uuid") or ev["ref"])


def apply_member_events(proj: Projection, term: db.Terminal, events: list[dict[str, Any]]) -> None:
    """Update members (created beforehand if new) from the terminals' records, in one
    statement; balance and debt stay headquarters'. A phone or card another member holds
    already is kept and flagged."""
    if not events:
        return
    changed: dict[str, feed.MemberRow] = {}
    for ev in events:
        p = ev["payload"]
        member_uuid = event_member(ev)
        m = changed[member_uuid] = proj.members[member_uuid]
        for name in MEMBER_FIELDS:
            if name not in p:
                continue
            if name in TIER_FIELDS and m.tier_since:  # the tier is decided once (tier events, HQ), never by
                continue                              # a record a till sent from its copy
            if name == "status" and m.merged_into:  # merged at headquarters (hq.merge): stays merged
                continue
            if name == "consent":
                m.consent = bool(p[name])
            elif p[name] is not None or name in NULLABLE_MEMBER_FIELDS:
                setattr(m, name, _text(p[name]))
        m.store_id = m.store_id or term.store_id
        m.tier_since = m.tier_since or str(m.enrolled_at or "")[:10]
        m.updated_at = proj.now
        proj.dirty[member_uuid] = None
    cols = (*MEMBER_FIELDS, "updated_at")
    bulk_update("member", "uuid", cols, [(u, *(getattr(m, c) for c in cols)) for u, m in changed.items()])
    _flag_duplicates(proj, term, changed)


def _flag_duplicates(proj: Projection, term: db.Terminal, members: dict[str, feed.MemberRow]) -> None:
    M, F = db.Member, db.Flag
    uuids = list(members)
    seen = set(tuples(F.select(F.kind, F.member_uuid, F.ref).where(
        F.kind.in_(["duplicate_phone", "duplicate_card"]) & F.member_uuid.in_(uuids))))
    for field, kind in (("phone", "duplicate_phone"), ("card_no", "duplicate_card")):
        values = list({getattr(m, field) for m in members.values() if getattr(m, field)})
        if not values:
            continue
        holders: dict[str, list[str]] = defaultdict(list)
        col = getattr(M, field)
        for start in range(0, len(values), CHUNK):
            for u, value in tuples(M.select(M.uuid, col).where(col.in_(values[start:start + CHUNK]))):
                holders[value].append(u)
        for u, m in members.items():
            value = getattr(m, field)
            for other in holders.get(value, []) if value else []:
                if other != u and (kind, u, other) not in seen:
                    seen.add((kind, u, other))
                    proj.flag(kind, store_id=term.store_id, terminal_id=term.id, member_uuid=u, ref=other,
                              details={field: value, "other": other})


def coupon_data(c: db.Coupon) -> dict[str, Any]:
    return {"code": c.code, "member_uuid": c.member_uuid, "gift_code": c.gift_code, "value_fen": int(c.value_fen),
            "min_spend_fen": int(c.min_spend_fen), "issued_at": c.issued_at, "issued_by": c.issued_by,
            "valid_until": c.valid_until, "used_at": c.used_at, "used_receipt_no": c.used_receipt_no,
            "used_by": c.used_by}


def _stock_move(proj: Projection, term: db.Terminal, gift: str, qty: int, kind: str, ref: str) -> None:
    """A till's redemption (-1) or its cancellation (+1) in a tracked stock of the store."""
    G = db.GiftStock
    row = for_update(G.select().where((G.store_id == term.store_id) & (G.gift_code == gift))).first()
    if row is not None:
        row.stock = int(row.stock) + qty
        G.update(stock=row.stock).where((G.store_id == term.store_id) & (G.gift_code == gift)).execute()
        db.GiftStockMove.create(store_id=term.store_id, gift_code=gift, kind=kind, qty=qty,
                                stock_after=row.stock, ref=ref, at=proj.now, actor=term.id)
        proj.changes.add("gift_stock", f"{term.store_id}/{gift}",
                         {"store_id": term.store_id, "gift_code": gift, "stock": row.stock},
                         store_id=term.store_id)


def other_event(proj: Projection, term: db.Terminal, ev: dict[str, Any]) -> None:
    kind, p, ref = ev["kind"], ev["payload"], ev["ref"]
    if kind == "coupon_issue":
        _coupon_issue(proj, term, ref, p, ev["created_at"])
    elif kind == "coupon_use":
        _coupon_use(proj, term, ref, p, ev["created_at"])
    elif kind == "coupon_return":
        _coupon_return(proj, term, ref, p)
    elif kind == "redemption":
        gift = p.get("gift")
        if isinstance(gift, str):
            _stock_move(proj, term, gift, -1, "redeem", str(ref))
    elif kind == "redemption_cancel":  # the gift went back into the store's stock
        gift = p.get("gift")
        if isinstance(gift, str):
            _stock_move(proj, term, gift, 1, "cancel", str(ref))
    elif kind == "tier":
        m = proj.members.get(ref)
        to = p.get("to")
        if m is not None and isinstance(to, str) and (p.get("reason") != "upgrade" or proj.raises_tier(m.tier, to)):
            # an automatic upgrade that headquarters decided already (or passed) changes nothing
            m.tier = to
            at = p.get("at")
            m.tier_since = str(at)[:10] if isinstance(at, str) else m.tier_since
            proj.dirty[ref] = None
            proj.tier_dirty.add(ref)
    # sale and refund events are stored for the reports only


def _locked_coupon(code: str) -> db.Coupon:
    """The coupon's row, created empty if new, locked to the commit (PostgreSQL): two tills
    reporting a use at the same moment are decided one after the other."""
    db.Coupon.insert(code=code, member_uuid="", gift_code="", issued_at="", issued_by="").on_conflict_ignore().execute()
    coupon: db.Coupon = for_update(db.Coupon.select().where(db.Coupon.code == code)).get()
    return coupon


def _coupon_issue(proj: Projection, term: db.Terminal, code: str, p: dict[str, Any], created_at: str) -> None:
    c = _locked_coupon(code)
    c.member_uuid = str(p.get("member") or c.member_uuid or "")
    c.gift_code = str(p.get("gift") or "")
    c.value_fen = int_or_zero(p.get("value_fen"))
    c.min_spend_fen = int_or_zero(p.get("min_spend_fen"))
    c.valid_until = _text(p.get("valid_until"))
    c.issued_at = created_at
    c.issued_by = term.id
    c.save()
    proj.changes.add("coupon", code, coupon_data(c))


def _coupon_use(proj: Projection, term: db.Terminal, code: str, p: dict[str, Any], created_at: str) -> None:
    """The first use wins; a second use of a single-use coupon is flagged. A use reported
    before the coupon's issue keeps an empty row that the issue fills in."""
    receipt = _text(p.get("receipt_no"))
    at = str(p.get("at") or created_at)
    c = _locked_coupon(code)
    if c.used_at:
        if c.used_receipt_no != receipt or c.used_by != term.id:
            proj.flag("coupon_reuse", store_id=term.store_id, terminal_id=term.id, member_uuid=c.member_uuid or None,
                      ref=code, details={"receipt_no": receipt, "at": at, "first_receipt_no": c.used_receipt_no,
                                         "first_terminal_id": c.used_by, "first_at": c.used_at})
        return
    c.used_at = at
    c.used_receipt_no = receipt
    c.used_by = term.id
    c.save()
    proj.changes.add("coupon", code, coupon_data(c))


def _coupon_return(proj: Projection, term: db.Terminal, code: str, p: dict[str, Any]) -> None:
    """A refund of the whole sale gave the coupon back: unused again, if that sale's use is the
    one headquarters holds (a use flagged as the second one stays a flag). The change names the
    receipt, so a till that holds the same use lets it go too."""
    receipt = _text(p.get("receipt_no"))
    c = _locked_coupon(code)
    if not c.used_at or c.used_receipt_no != receipt or c.used_by != term.id:
        return
    c.used_at = c.used_receipt_no = c.used_by = None
    c.save()
    proj.changes.add("coupon", code, {**coupon_data(c), "returned_from": receipt})
