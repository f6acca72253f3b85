"""The append-only ledger and its projections (balances, lots, tier points), the outbox
and the audit trail. Every function here runs inside the caller's transaction."""

from __future__ import annotations

import datetime as dt
import os
import time
import uuid
from dataclasses import dataclass
from typing import Any

from pos_app.core import lots as core_lots
from pos_app.core.chain import GENESIS_HASH, HASHED_FIELDS, canonical_json, entry_hash
from pos_app.core.errors import RuleViolation
from pos_app.core.tiers import month_key
from pos_app.storage.database import Database

__all__ = ["GENESIS_HASH", "HASHED_FIELDS", "Ledger", "Stamp", "canonical_json", "entry_hash", "iso", "new_uuid"]


def new_uuid() -> str:
    """A time-ordered UUID (version 7 layout: 48-bit milliseconds, then random bits).

    Entries written together get neighbouring keys, so the unique index on ``uuid`` grows at
    its end instead of touching a random page per row (which doubled the expiry run's WAL).
    """
    ms = time.time_ns() // 1_000_000
    rand = int.from_bytes(os.urandom(10), "big")
    value = (ms & ((1 << 48) - 1)) << 80 | 0x7 << 76 | (rand >> 68 & 0xFFF) << 64
    value |= 0b10 << 62 | (rand & ((1 << 62) - 1))
    return str(uuid.UUID(int=value))


def iso(t: dt.datetime) -> str:
    return t.isoformat(timespec="seconds")


@dataclass(frozen=True)
class Stamp:
    """When an operation happened (business time) and when it was written (wall clock)."""

    at: dt.datetime
    recorded_at: dt.datetime
    staff_code: str | None = None

    @property
    def backdated(self) -> bool:
        return abs((self.recorded_at - self.at).total_seconds()) > 300

    @property
    def day(self) -> dt.date:
        return self.at.date()


class Ledger:
    """Appends entries for one terminal and keeps the projections in step."""

    def __init__(self, database: Database, terminal_id: str) -> None:
        self.database = database
        self.terminal_id = terminal_id
        # (transaction token, seq, hash) of the entry this object appended last: inside the same write
        # transaction nobody else can append to the chain, so the next entry needs no query
        self._appended: tuple[object, int, str] | None = None

    # -- entries ------------------------------------------------------------------------
    def _last(self) -> tuple[int, str]:
        token, appended = self.database.transaction_token(), self._appended
        if token is not None and appended is not None and appended[0] is token:
            return appended[1], appended[2]
        row = self.database.execute(
            "SELECT seq, hash FROM ledger_entry WHERE terminal_id = ? ORDER BY seq DESC LIMIT 1",
            (self.terminal_id,),
        ).fetchone()
        return (row[0], row[1]) if row else (0, GENESIS_HASH)

    def append(self, *, member_id: int, member_uuid: str, kind: str, points: int, ref_type: str,
               ref_no: str, breakdown: dict[str, Any], stamp: Stamp, program_version: int | None,
               tier_points: int = 0) -> int:
        """Write one entry (hash-chained to this terminal's previous one) and its outbox row;
        adjusts the member's balance by ``points``. Lots are the caller's business."""
        seq, prev = self._last()
        fields: dict[str, Any] = {
            "uuid": new_uuid(), "terminal_id": self.terminal_id, "seq": seq + 1,
            "member_uuid": member_uuid, "kind": kind, "points": points, "tier_points": tier_points,
            "ref_type": ref_type, "ref_no": ref_no, "program_version": program_version,
            "breakdown": canonical_json(breakdown), "created_at": iso(stamp.at),
            "business_date": stamp.day.isoformat(), "recorded_at": iso(stamp.recorded_at),
            "backdated": stamp.backdated, "staff_code": stamp.staff_code, "prev_hash": prev,
        }
        fields["hash"] = entry_hash(fields)
        cur = self.database.execute(
            "INSERT INTO ledger_entry (uuid, terminal_id, seq, member_id, member_uuid, kind, points,"
            " tier_points, ref_type, ref_no, program_version, breakdown, created_at, business_date,"
            " recorded_at, backdated, staff_code, prev_hash, hash)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (fields["uuid"], self.terminal_id, fields["seq"], member_id, member_uuid, kind, points,
             tier_points, ref_type, ref_no, program_version, fields["breakdown"], fields["created_at"],
             fields["business_date"], fields["recorded_at"], int(fields["backdated"]),
             stamp.staff_code, prev, fields["hash"]),
        )
        entry_id = int(cur.lastrowid or 0)
        token = self.database.transaction_token()
        self._appended = (token, fields["seq"], fields["hash"]) if token is not None else None
        self.database.execute(
            "INSERT INTO outbox (kind, ref, entry_id, created_at) VALUES ('entry', ?, ?, ?)",
            (fields["uuid"], entry_id, iso(stamp.recorded_at)),
        )
        if points:
            self.database.execute("UPDATE member SET balance = balance + ? WHERE id = ?", (points, member_id))
        if tier_points:
            self.database.execute(
                "INSERT INTO tier_month (member_id, month, points) VALUES (?, ?, ?)"
                " ON CONFLICT (member_id, month) DO UPDATE SET points = points + excluded.points",
                (member_id, month_key(stamp.day), tier_points),
            )
        return entry_id

    def member_entries(self, member_id: int, *, kinds: tuple[str, ...] | list[str] | None = None,
                       date_from: dt.date | None = None, date_to: dt.date | None = None,
                       limit: int | None = None) -> list[tuple[Any, ...]]:
        """The member's entries, newest first, optionally of some kinds and between two business
        dates (both included): id, uuid, kind, points, tier points, ref type, ref no, breakdown,
        created at, business date, staff, backdated, and the balance after the entry (counting every
        entry, filtered or not)."""
        sql = ("SELECT * FROM (SELECT id, uuid, kind, points, tier_points, ref_type, ref_no, breakdown, created_at,"
               " business_date, staff_code, backdated, sum(points) OVER (ORDER BY id ROWS UNBOUNDED PRECEDING) AS after"
               " FROM ledger_entry WHERE member_id = ?) WHERE 1 = 1")
        params: list[Any] = [member_id]
        if kinds:
            sql += f" AND kind IN ({','.join('?' for _ in kinds)})"
            params += list(kinds)
        if date_from:
            sql += " AND business_date >= ?"
            params.append(date_from.isoformat())
        if date_to:
            sql += " AND business_date <= ?"
            params.append(date_to.isoformat())
        sql += " ORDER BY id DESC"
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        return [tuple(r) for r in self.database.execute(sql, params).fetchall()]

    # -- lots -----------------------------------------------------------------------------
    def live_lots(self, member_id: int, *, expiring_by: dt.date | None = None) -> list[core_lots.Lot]:
        """Lots with points left (only those whose last day is ``expiring_by`` or earlier, if given)."""
        sql = "SELECT id, earned_on, expires_on, remaining FROM lot WHERE member_id = ? AND remaining > 0"
        params: tuple[Any, ...] = (member_id,)
        if expiring_by is not None:
            sql += " AND expires_on <= ?"
            params = (member_id, expiring_by.isoformat())
        return [_lot(r) for r in self.database.execute(sql, params).fetchall()]

    def lots_of(self, member_id: int) -> list[core_lots.Lot]:
        rows = self.database.execute(
            "SELECT id, earned_on, expires_on, remaining FROM lot WHERE member_id = ? ORDER BY id",
            (member_id,),
        ).fetchall()
        return [_lot(r) for r in rows]

    def expiry_outlook(self, member_id: int, today: dt.date, notice_days: tuple[int, ...]
                       ) -> tuple[list[tuple[int, int]], tuple[dt.date, int] | None]:
        """What ``core.lots.expiring_soon`` and ``core.lots.next_expiry`` say of the member's lots,
        summed by SQLite in one statement: a member with 10,000 lots costs no more Python than one
        with ten."""
        windows = "".join(f", coalesce(sum(CASE WHEN expires_on <= ?{i + 3} THEN remaining END), 0)"
                          for i in range(len(notice_days)))
        row = self.database.execute(
            "WITH live AS (SELECT expires_on, remaining FROM lot"
            "   WHERE member_id = ?1 AND remaining > 0 AND expires_on >= ?2),"
            " next AS (SELECT min(expires_on) day FROM live)"
            " SELECT (SELECT day FROM next),"
            " (SELECT sum(remaining) FROM live WHERE expires_on = (SELECT day FROM next))"
            f"{windows} FROM live",
            (member_id, today.isoformat(), *((today + dt.timedelta(days=d - 1)).isoformat() for d in notice_days)),
        ).fetchone()
        expiring = [(d, int(p)) for d, p in zip(notice_days, row[2:], strict=True)]
        return expiring, (dt.date.fromisoformat(row[0]), int(row[1])) if row[0] else None

    def earn_entry(self, receipt_no: str) -> tuple[int, str] | None:
        """The points and breakdown (JSON text) of the ``earn`` entry of a sale."""
        row = self.database.execute("SELECT points, breakdown FROM ledger_entry WHERE ref_no = ? AND kind = 'earn'",
                                    (receipt_no,)).fetchone()
        return (int(row[0]), str(row[1])) if row else None

    def has_entries(self) -> bool:
        """Whether the ledger holds any entry (this terminal's or another's)."""
        return self.database.execute("SELECT 1 FROM ledger_entry LIMIT 1").fetchone() is not None

    def redeemed_here_on(self, day: dt.date) -> int:
        """Points this terminal took on a business day as payment, for gifts, as donations or for draws."""
        return int(self.database.execute(
            "SELECT coalesce(-sum(points), 0) FROM ledger_entry WHERE terminal_id = ? AND business_date = ?"
            " AND kind IN ('redeem', 'gift', 'donate', 'draw')", (self.terminal_id, day.isoformat())).fetchone()[0])

    def balance_after_sale(self, member_id: int, receipt_no: str) -> int | None:
        """The member's balance as it stood right after the sale: the ledger up to the sale's own
        entries (later rows naming the receipt, its refunds, are not counted); for a sale that
        earned and paid no points, up to the last entry written before the sale's event. None
        when the sale has neither entries nor an event (a sale of a release that kept no events)."""
        last_id = self.database.execute(
            "SELECT max(id) FROM ledger_entry WHERE member_id = ? AND ref_type = 'sale' AND ref_no = ?",
            (member_id, receipt_no)).fetchone()[0]
        if last_id is None:
            event = self.database.execute("SELECT min(id) FROM outbox WHERE kind = 'sale' AND ref = ?",
                                          (receipt_no,)).fetchone()[0]
            if event is None:
                return None
            last_id = self.database.execute(
                "SELECT coalesce(max(entry_id), 0) FROM outbox WHERE entry_id IS NOT NULL AND id < ?",
                (event,)).fetchone()[0]
        return int(self.database.execute("SELECT coalesce(sum(points), 0) FROM ledger_entry"
                                          " WHERE member_id = ? AND id <= ?", (member_id, last_id)).fetchone()[0])

    def lots_earned_by(self, receipt_no: str, member_id: int) -> tuple[int, ...]:
        """The lots a sale's ``earn`` entry credited to the member."""
        return tuple(r[0] for r in self.database.execute(
            "SELECT l.id FROM lot l JOIN ledger_entry e ON e.id = l.entry_id"
            " WHERE e.ref_no = ? AND e.kind = 'earn' AND l.member_id = ?", (receipt_no, member_id)).fetchall())

    def paid_from_lots(self, receipt_no: str) -> list[tuple[int, int, dt.date | None, int]]:
        """For each lot a sale's points payment took from: (lot id, points taken, the lot's last
        valid day, points refunds have put back into it so far)."""
        rows = self.database.execute(
            "SELECT m.lot_id, -sum(m.points), l.expires_on, (SELECT coalesce(sum(b.points), 0) FROM lot_move b"
            "   JOIN ledger_entry r ON r.id = b.entry_id"
            "   WHERE b.lot_id = m.lot_id AND r.ref_no = ?1 AND r.kind = 'return' AND b.points > 0)"
            " FROM lot_move m JOIN ledger_entry e ON e.id = m.entry_id JOIN lot l ON l.id = m.lot_id"
            " WHERE e.ref_no = ?1 AND e.kind = 'redeem' GROUP BY m.lot_id", (receipt_no,)).fetchall()
        return [(r[0], int(r[1]), dt.date.fromisoformat(r[2]) if r[2] else None, int(r[3])) for r in rows]

    def gift_lots(self, redemption_no: str) -> list[tuple[int, int, dt.date | None]]:
        """For each lot a gift redemption took points from: (lot id, points taken, the lot's last
        valid day)."""
        rows = self.database.execute(
            "SELECT m.lot_id, -sum(m.points), l.expires_on FROM lot_move m JOIN ledger_entry e ON e.id = m.entry_id"
            " JOIN lot l ON l.id = m.lot_id WHERE e.ref_no = ? AND e.kind = 'gift' AND m.points < 0"
            " GROUP BY m.lot_id", (redemption_no,)).fetchall()
        return [(r[0], int(r[1]), dt.date.fromisoformat(r[2]) if r[2] else None) for r in rows]

    def _debt(self, member_id: int) -> int:
        return int(self.database.execute("SELECT debt FROM member WHERE id = ?", (member_id,)).fetchone()[0])

    def _move(self, entry_id: int, lot_id: int, points: int) -> None:
        self.database.execute(
            "INSERT INTO lot_move (entry_id, lot_id, points) VALUES (?, ?, ?)", (entry_id, lot_id, points)
        )
        self.database.execute("UPDATE lot SET remaining = remaining + ? WHERE id = ?", (points, lot_id))

    def _pay_debt(self, member_id: int, entry_id: int, lot_id: int, available: int, debt: int | None = None) -> int:
        if debt is None:
            debt = self._debt(member_id)
        pay = min(debt, available)
        if pay:
            self._move(entry_id, lot_id, -pay)
            self.database.execute("UPDATE member SET debt = debt - ? WHERE id = ?", (pay, member_id))
        return pay

    def credit_lot(self, *, member_id: int, entry_id: int, points: int, earned_on: dt.date,
                   expires_on: dt.date | None, debt: int | None = None) -> int:
        """A new lot for credited points; an outstanding debt is paid off from it first (``debt``:
        the member's debt when the caller read it in this transaction, else it is read here). The
        lot's key (core.replica.lot_key) names it across machines: the entry's uuid, "#n" for its
        n-th further lot."""
        cur = self.database.execute(
            "INSERT INTO lot (member_id, entry_id, earned_on, expires_on, points, remaining, key)"
            " VALUES (?, ?, ?, ?, ?, ?, (SELECT e.uuid || CASE c.n WHEN 0 THEN '' ELSE '#' || c.n END"
            " FROM ledger_entry e, (SELECT count(*) n FROM lot WHERE entry_id = ?) c WHERE e.id = ?))",
            (member_id, entry_id, earned_on.isoformat(),
             expires_on.isoformat() if expires_on else None, points, points, entry_id, entry_id),
        )
        lot_id = int(cur.lastrowid or 0)
        self._pay_debt(member_id, entry_id, lot_id, points, debt)
        return lot_id

    def return_to_lots(self, *, member_id: int, entry_id: int, allocations: list[tuple[int, int]],
                       expired: frozenset[int] = frozenset()) -> None:
        """Put points back into the lots they came from; an outstanding debt is paid first from
        them, except from ``expired`` lots, whose points the caller writes off at once."""
        for lot_id, pts in allocations:
            if pts <= 0:
                continue
            self._move(entry_id, lot_id, pts)
            if lot_id not in expired:
                self._pay_debt(member_id, entry_id, lot_id, pts)

    def lapsed_points(self, member_id: int, day: dt.date) -> int:
        """Points still in lots whose last valid day is before ``day`` (not yet written off)."""
        row = self.database.execute(
            "SELECT coalesce(sum(remaining), 0) FROM lot WHERE member_id = ? AND remaining > 0 AND expires_on < ?",
            (member_id, day.isoformat()),
        ).fetchone()
        return int(row[0])

    def debit_lots(self, *, member_id: int, entry_id: int, points: int, prefer: tuple[int, ...] = (),
                   allow_debt: bool = False) -> tuple[list[tuple[int, int]], int]:
        """Take points from lots (``prefer`` first, then soonest-expiring); a shortfall becomes
        debt when ``allow_debt`` (refund clawbacks), else it is refused."""
        moves, shortfall = core_lots.plan_debit(self.live_lots(member_id), points, prefer=prefer)
        if shortfall and not allow_debt:
            raise RuleViolation("points", f"balance is short by {shortfall} points", shortfall=shortfall)
        for lot_id, take in moves:
            self._move(entry_id, lot_id, -take)
        if shortfall:
            self.database.execute("UPDATE member SET debt = debt + ? WHERE id = ?", (shortfall, member_id))
        return moves, shortfall

    # -- outbox, audit, counters --------------------------------------------------------------
    def outbox_event(self, kind: str, ref: str, payload: dict[str, Any], stamp: Stamp) -> None:
        self.database.execute(
            "INSERT INTO outbox (kind, ref, payload, created_at) VALUES (?, ?, ?, ?)",
            (kind, ref, canonical_json(payload), iso(stamp.recorded_at)),
        )

    def audit(self, action: str, ref: str, details: dict[str, Any], stamp: Stamp) -> None:
        self.database.execute(
            "INSERT INTO audit (at, staff_code, action, ref, details) VALUES (?, ?, ?, ?, ?)",
            (iso(stamp.recorded_at), stamp.staff_code, action, ref, canonical_json(details)),
        )

    def next_number(self, name: str) -> int:
        row = self.database.execute(
            "INSERT INTO counter (name, value) VALUES (?, 1)"
            " ON CONFLICT (name) DO UPDATE SET value = value + 1 RETURNING value",
            (name,),
        ).fetchone()
        return int(row[0])


def _lot(row: tuple[Any, ...]) -> core_lots.Lot:
    return core_lots.Lot(
        id=row[0], earned_on=dt.date.fromisoformat(row[1]),
        expires_on=dt.date.fromisoformat(row[2]) if row[2] else None, remaining=row[3],
    )
