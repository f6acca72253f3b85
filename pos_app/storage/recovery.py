"""A till's own history back from headquarters: its chain and business rows, after a rebuild
(a new database enrolled under the same terminal id) or a restore from an older backup.

Headquarters holds every entry and event the till ever pushed (``GET /v1/own``). The service
(``services.sync``) checks each page against the wire schema and hands it here; each page is
written in ONE transaction, so a recovery interrupted half-way resumes where the last
committed page ended (``last_outbox_id``, ``replica.own_last_seq``).

- Events come first, each under its original outbox id (``outbox.id`` = the ``oid`` HQ holds),
  acknowledged: they are never pushed again, and the outbox rows written afterwards (the
  recovered entries' and every new sale's) get ids above them, so a new event is never
  numbered like one headquarters holds already. The business rows are rebuilt from them:
  sales with their lines (so an old receipt can be refunded), refunds (which lines came back,
  what they clawed back), gift redemptions, coupons issued, used and given back here, tier
  changes, and member records the till had not got.
- Entries follow, in sequence order, as the till's own chain: original sequence, hashes and
  uuids, each following the one before it (a fork is refused: ``Conflict``), an acknowledged
  outbox row each, applied to balances, tier points and lots with the rule every entry uses
  (``core.replica.apply_entry`` through the feed's applier).
- Counters: receipts, gift redemptions and manual adjustments are numbered past the highest
  number recovered, so numbers never repeat.

Events written by releases before 13 carry no lines (a sale) or no row (a refund): those
sales cannot be refunded on the rebuilt till; they are counted as ``incomplete``.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from typing import Any

from pos_app.core.chain import GENESIS_HASH, canonical_json
from pos_app.core.errors import Conflict, InvalidInput
from pos_app.storage.database import Database
from pos_app.storage.replica import PUSHED_SETTINGS, _Applier
from pos_app.storage.repo import Repo

#: the counters whose numbers a till prints or sends (see services.sales, services.points)
RECEIPT, REDEMPTION, ADJUST, SHIFT = "receipt", "redemption", "adjust", "shift"
_ADJUST_RE = re.compile(r"^ADJ-(\d{1,18})$")
#: the fields a sale event must carry for its sale to be rebuilt (release 13 on)
SALE_FIELDS = ("uuid", "created_at", "business_date", "total_fen", "tender_fen", "tender", "lines")
REFUND_FIELDS = ("created_at", "business_date", "net_fen", "refund_fen", "clawback_purchase", "clawback_bonus",
                 "returned_points", "complete", "lines")


@dataclass
class Recovered:
    """What one page (or a whole recovery, added up) brought back."""

    entries: int = 0
    events: int = 0
    sales: int = 0
    refunds: int = 0
    redemptions: int = 0
    coupons: int = 0
    shifts: int = 0
    incomplete: int = 0  # old-form sale or refund events (no lines, no row): not rebuilt
    members: set[int] = field(default_factory=set)  # local ids whose balances the entries changed

    def add(self, other: Recovered) -> None:
        for name in ("entries", "events", "sales", "refunds", "redemptions", "coupons", "shifts", "incomplete"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.members |= other.members

    def to_dict(self) -> dict[str, int]:
        return {"entries": self.entries, "events": self.events, "sales": self.sales, "refunds": self.refunds,
                "redemptions": self.redemptions, "coupons": self.coupons, "shifts": self.shifts,
                "incomplete": self.incomplete}


def last_outbox_id(database: Database) -> int:
    """The highest outbox id this till has used (0: none): its events headquarters holds past
    it are missing here."""
    return int(database.execute("SELECT coalesce(max(id), 0) FROM outbox").fetchone()[0])


def pending_entries_through(database: Database, terminal_id: str, seq: int) -> bool:
    """Whether an entry of this till up to ``seq`` is still waiting to go up. Once a push has
    been answered, that means headquarters holds a different entry under its sequence number
    (a restored or rebuilt till that sold before it synced). Pending rows are few: cheap."""
    return database.execute(
        "SELECT 1 FROM outbox o JOIN ledger_entry e ON e.id = o.entry_id WHERE o.acked_at IS NULL"
        " AND e.terminal_id = ? AND e.seq <= ? LIMIT 1", (terminal_id, seq)).fetchone() is not None


def _nothing_pending(database: Database) -> None:
    """Inside a page's transaction: nothing written at this till waits to go up. A sale, a member
    or a redemption written before its history is back repeats numbers headquarters holds (a
    fork of its chain or of its receipts); the recovery stops rather than mix the two."""
    if database.execute("SELECT 1 FROM outbox WHERE acked_at IS NULL LIMIT 1").fetchone() is not None:
        raise Conflict("outbox", "this till wrote rows before its own history came back from headquarters")


def _now() -> str:
    return dt.datetime.now().replace(microsecond=0).isoformat()


class _OwnChain(_Applier):
    """The feed's applier, writing this till's own entries. The feed refuses an entry of the
    till's own chain that its ledger lacks (it cannot come from anywhere but this till); here
    headquarters gives the till back what it wrote, so that refusal is lifted: the entries are
    checked to continue the chain instead (``apply_own_entries``)."""

    def __init__(self, database: Database, terminal_id: str, store_id: str) -> None:
        super().__init__(database, terminal_id, store_id, PUSHED_SETTINGS)
        self.own_terminal_id = terminal_id
        self.terminal_id = ""  # the feed's "not from this till" refusal does not apply

    def member_ref(self, member_uuid: object, why: str) -> int | None:
        if not isinstance(member_uuid, str) or not member_uuid:
            return None
        return self.member_id(member_uuid, why=why)


def _bump(database: Database, name: str, value: int) -> None:
    """The counter ``name`` at least ``value`` (the next number is above it)."""
    database.execute("INSERT INTO counter (name, value) VALUES (?, ?)"
                     " ON CONFLICT (name) DO UPDATE SET value = max(value, excluded.value)", (name, value))


def _number(ref: str, prefix: str) -> int | None:
    """The number of ``<prefix><digits>`` (a receipt ``S01-T1-00000042``), or None."""
    if ref.startswith(prefix) and ref[len(prefix):].isascii() and ref[len(prefix):].isdigit():
        return int(ref[len(prefix):])
    return None


def _count_numbers(database: Database, receipt_prefix: str, ref_type: str, ref_no: str) -> None:
    """Counters past a recovered entry's or event's number."""
    if ref_type == "sale":
        n = _number(ref_no, f"{receipt_prefix}-")
        if n is not None:
            _bump(database, RECEIPT, n)
    elif ref_type == "redemption":
        n = _number(ref_no, f"{receipt_prefix}-G")
        if n is not None:
            _bump(database, REDEMPTION, n)
    else:
        m = _ADJUST_RE.match(ref_no)
        if m:
            _bump(database, ADJUST, int(m.group(1)))


# -------------------------------------------------------------------------------------- entries


def apply_own_entries(database: Database, terminal_id: str, store_id: str, entries: list[dict[str, Any]]) -> Recovered:
    """One page of this till's own chain from headquarters (wire form, checked by the caller,
    in sequence order), in one transaction. Each must follow the last entry the ledger holds."""
    out = Recovered()
    receipt_prefix = f"{store_id}-{terminal_id}"
    with database.transaction():
        _nothing_pending(database)
        applier = _OwnChain(database, terminal_id, store_id)
        row = database.execute("SELECT seq, hash FROM ledger_entry WHERE terminal_id = ? ORDER BY seq DESC LIMIT 1",
                               (terminal_id,)).fetchone()
        last_seq, last_hash = (int(row[0]), str(row[1])) if row else (0, GENESIS_HASH)
        now = _now()
        for i, data in enumerate(entries):
            name = f"entries[{i}]"
            if data.get("terminal_id") != terminal_id:
                raise InvalidInput(f"{name}.terminal_id", f"an entry of this till ({terminal_id}) is required")
            if data.get("seq") != last_seq + 1 or data.get("prev_hash") != last_hash:
                raise Conflict(f"{name}.prev_hash",
                               f"headquarters' entry {terminal_id}#{data.get('seq')} does not follow this till's"
                               f" ledger, which ends at #{last_seq}: this database wrote entries headquarters holds"
                               " different ones for", seq=data.get("seq"), last_seq=last_seq)
            applier.entry(data)
            entry_id = int(database.execute("SELECT id FROM ledger_entry WHERE uuid = ?",
                                            (data["uuid"],)).fetchone()[0])
            database.execute("INSERT INTO outbox (kind, ref, entry_id, created_at, acked_at)"
                             " VALUES ('entry', ?, ?, ?, ?)", (data["uuid"], entry_id, data["recorded_at"], now))
            _count_numbers(database, receipt_prefix, str(data.get("ref_type")), str(data.get("ref_no")))
            last_seq, last_hash = int(data["seq"]), str(data["hash"])
            out.entries += 1
        out.members |= applier.report.touched_members
    return out


# --------------------------------------------------------------------------------------- events


def apply_own_events(database: Database, terminal_id: str, store_id: str, events: list[dict[str, Any]]) -> Recovered:
    """One page of this till's own events from headquarters (checked by the caller, in outbox-id
    order, each past ``last_outbox_id``), in one transaction: each becomes an acknowledged
    outbox row under its original id, and the business row it describes is rebuilt."""
    out = Recovered()
    receipt_prefix = f"{store_id}-{terminal_id}"
    with database.transaction():
        _nothing_pending(database)
        applier = _OwnChain(database, terminal_id, store_id)
        repo = Repo(database)
        last = last_outbox_id(database)
        now = _now()
        for i, ev in enumerate(events):
            oid = ev.get("oid")
            if not isinstance(oid, int) or oid <= last:
                raise InvalidInput(f"events[{i}].oid", f"an outbox id above {last} is required")
            database.execute("INSERT INTO outbox (id, kind, ref, payload, created_at, acked_at)"
                             " VALUES (?, ?, ?, ?, ?, ?)",
                             (oid, ev["kind"], ev["ref"], canonical_json(ev["payload"]), ev["created_at"], now))
            last = oid
            _rebuild(applier, repo, ev, receipt_prefix, out)
            out.events += 1
    return out


def _rebuild(applier: _OwnChain, repo: Repo, ev: dict[str, Any], receipt_prefix: str, out: Recovered) -> None:
    kind, ref, p, created = ev["kind"], str(ev["ref"]), ev["payload"], str(ev["created_at"])
    db = applier.db
    if kind == "sale":
        _count_numbers(db, receipt_prefix, "sale", ref)
        if repo.sale(ref) is not None:
            return
        if any(p.get(k) is None for k in SALE_FIELDS):
            out.incomplete += 1
            return
        sale_id = repo.insert("sale", {
            "uuid": p["uuid"], "receipt_no": ref, "member_id": applier.member_ref(p.get("member"), f"sale {ref}"),
            "staff_code": p.get("staff_code"), "created_at": p["created_at"], "business_date": p["business_date"],
            "recorded_at": p.get("recorded_at") or created, "backdated": int(bool(p.get("backdated"))),
            "total_fen": p["total_fen"], "coupon_code": p.get("coupon_code"), "coupon_fen": p.get("coupon_fen") or 0,
            "points_paid": p.get("points_paid") or 0, "points_value_fen": p.get("points_value_fen") or 0,
            "tender_fen": p["tender_fen"], "tender_kind": p["tender"],
            "credited_purchase": p.get("credited_purchase") or 0, "credited_bonus": p.get("credited_bonus") or 0,
            "bonuses": p.get("bonuses") or "", "flags": p.get("flags") or "",
            "program_version": p.get("program_version"), "change_fen": p.get("change_fen") or 0,
        })
        # the tenders (0010); a sale sent before them was paid by its one tender exactly
        tenders = p.get("tenders") or ([{"kind": p["tender"], "amount_fen": p["tender_fen"],
                                         "given_fen": p["tender_fen"]}] if p["tender_fen"] else [])
        for seq, td in enumerate(tenders, 1):
            repo.insert("sale_tender", {"sale_id": sale_id, "seq": seq, "kind": td["kind"],
                                        "amount_fen": td["amount_fen"],
                                        "given_fen": td.get("given_fen") or td["amount_fen"]})
        for line in p["lines"]:
            repo.insert("sale_line", {
                "sale_id": sale_id, "line_no": line["line_no"], "sku": line.get("sku") or "",
                "name": line.get("name") or "", "category": line.get("category") or "", "qty": line["qty"],
                "unit_price_fen": line["unit_price_fen"], "discount_fen": line.get("discount_fen") or 0,
                "net_fen": line["net_fen"], "flags": line.get("flags") or "", "eligible_fen": line["eligible_fen"],
                "multiplier": line["multiplier"],
            })
        out.sales += 1
    elif kind == "refund":
        sale = repo.sale(str(p.get("receipt_no") or ""))
        if sale is None or any(p.get(k) is None for k in REFUND_FIELDS):
            out.incomplete += 1
            return
        if db.execute("SELECT 1 FROM refund WHERE refund_no = ?", (ref,)).fetchone() is not None:
            return
        refund_id = repo.insert("refund", {
            "refund_no": ref, "sale_id": sale["id"], "staff_code": p.get("staff_code"),
            "created_at": p["created_at"], "business_date": p["business_date"], "net_fen": p["net_fen"],
            "refund_fen": p["refund_fen"], "clawback_purchase": p["clawback_purchase"],
            "clawback_bonus": p["clawback_bonus"], "returned_points": p["returned_points"],
            "shortfall": p.get("shortfall") or 0, "complete": int(bool(p["complete"])),
            "coupon_returned": p.get("coupon_returned"),
        })
        if p["lines"]:
            repo.mark_lines_refunded(sale["id"], [int(n) for n in p["lines"]], refund_id)
            for td in p.get("tenders") or []:  # where its money went (0010)
                repo.insert("refund_tender", {"refund_id": refund_id, "kind": td["kind"],
                                              "amount_fen": td["amount_fen"]})
        out.refunds += 1
    elif kind == "redemption":
        _count_numbers(db, receipt_prefix, "redemption", ref)
        member_id = applier.member_ref(p.get("member"), f"redemption {ref}")
        if member_id is None or not p.get("gift") or db.execute(
                "SELECT 1 FROM redemption WHERE redemption_no = ?", (ref,)).fetchone() is not None:
            out.incomplete += member_id is None or not p.get("gift")
            return
        at = str(p.get("created_at") or created)
        repo.insert("redemption", {
            "redemption_no": ref, "member_id": member_id, "gift_code": p["gift"], "points": p.get("points") or 0,
            "cash_fen": p.get("cash_fen") or 0, "approved_by": p.get("approved_by"), "staff_code": p.get("staff_code"),
            "created_at": at, "business_date": str(p.get("business_date") or at[:10]),
            "coupon_code": p.get("coupon_code"),
        })
        out.redemptions += 1
    elif kind == "redemption_cancel":  # cancelled within its shift: not to be cancelled twice
        db.execute("UPDATE redemption SET cancelled_at = ?, cancelled_by = ? WHERE redemption_no = ?"
                   " AND cancelled_at IS NULL", (str(p.get("at") or created), p.get("staff_code") or "", ref))
    elif kind == "shift":  # a closed shift (its report is computed again from the sales when reprinted)
        n = _number(ref, f"{receipt_prefix}-S")
        if n is not None:
            _bump(db, SHIFT, n)
        if p.get("opened_at") and p.get("closed_at") and db.execute(
                "SELECT 1 FROM shift WHERE shift_no = ?", (ref,)).fetchone() is None:
            repo.insert("shift", {"shift_no": ref, "staff_code": str(p.get("staff_code") or ""),
                                  "opened_at": str(p["opened_at"]), "closed_at": str(p["closed_at"]),
                                  "report": json.dumps({**p, "restored": True}, ensure_ascii=False)})
            out.shifts += 1
    elif kind == "coupon_issue":
        member_id = applier.member_ref(p.get("member"), f"coupon {ref}")
        if member_id is None or repo.coupon(ref) is not None:
            return
        repo.insert_coupon(code=ref, member=member_id, gift_code=str(p.get("gift") or ""),
                           value_fen=p.get("value_fen") or 0, min_spend_fen=p.get("min_spend_fen") or 0,
                           issued_at=created, valid_until=p.get("valid_until"))
        out.coupons += 1
    elif kind == "coupon_use":
        if p.get("receipt_no"):
            repo.use_coupon(ref, at=str(p.get("at") or created), receipt_no=str(p["receipt_no"]))
    elif kind == "coupon_return":
        if p.get("receipt_no"):
            repo.return_coupon(ref, receipt_no=str(p["receipt_no"]))
    elif kind == "tier":
        member_id = applier.member_ref(ref, f"tier change {ref}")
        if member_id is not None and p.get("from") and p.get("to"):
            repo.insert("tier_change", {
                "member_id": member_id, "at": str(p.get("at") or created), "from_tier": p["from"], "to_tier": p["to"],
                "reason": str(p.get("reason") or ""), "qualifying_points": p.get("qualifying_points") or 0})
    elif kind == "member":
        row = db.execute("SELECT phone FROM member WHERE uuid = ?", (ref,)).fetchone()
        if row is None or str(row[0]).startswith("~"):  # missing, or a placeholder: the record this till wrote
            applier.member({**p, "uuid": ref})


__all__ = ["Recovered", "apply_own_entries", "apply_own_events", "last_outbox_id", "pending_entries_through"]
