"""Reading and writing business rows (members, sales, staff, gifts ...) as plain records."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from pos_app.core.campaigns import Campaign, parse_campaign
from pos_app.core.errors import Conflict, NotFound
from pos_app.storage.database import Database
from pos_app.storage.models import CampaignRow, Coupon, GiftStock, Member, ProgramRow, Setting, Staff


@dataclass(frozen=True)
class MemberRecord:
    id: int
    uuid: str
    phone: str
    name: str
    birthday: dt.date | None
    card_no: str
    referrer_id: int | None
    status: str
    store_id: str
    enrolled_at: dt.datetime
    tier: str
    tier_since: dt.date
    last_review: dt.date | None
    first_purchase_at: dt.datetime | None
    last_purchase_at: dt.datetime | None
    balance: int
    debt: int
    consent: bool
    merged_into: str | None = None  # merged at headquarters into this member (migration 0009)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id, "uuid": self.uuid, "phone": self.phone, "name": self.name,
            "birthday": self.birthday.isoformat() if self.birthday else None,
            "card_no": self.card_no, "status": self.status, "tier": self.tier,
            "store_id": self.store_id, "enrolled_at": self.enrolled_at.isoformat(),
            "balance": self.balance, "debt": self.debt, "consent": self.consent,
            "first_purchase_at": self.first_purchase_at.isoformat() if self.first_purchase_at else None,
            "last_purchase_at": self.last_purchase_at.isoformat() if self.last_purchase_at else None,
        }


def program_effective_key(program_id: str, version: int) -> str:
    """The setting that holds the business date from which a version headquarters published
    ahead runs (no column for it: a till stores it beside the program, migration-free)."""
    return f"program.effective_on:{program_id}:{version}"


def _d(v: str | None) -> dt.date | None:
    return dt.date.fromisoformat(v) if v else None


def _t(v: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(v) if v else None


def _month_bounds(day: dt.date) -> tuple[str, str]:
    """The first day of ``day``'s month and of the next month, as ISO text."""
    first = day.replace(day=1)
    return first.isoformat(), (first + dt.timedelta(days=32)).replace(day=1).isoformat()


_campaigns: dict[str, Campaign] = {}


def _parsed_campaign(source: str, digest: str) -> Campaign:
    """A stored campaign, parsed once per process (a version is immutable: keyed by its digest)."""
    campaign = _campaigns.get(digest)
    if campaign is None:
        campaign = _campaigns[digest] = parse_campaign(source)
    return campaign


MEMBER_COLUMNS = ("id, uuid, phone, name, birthday, card_no, referrer_id, status, store_id, enrolled_at, tier,"
                  " tier_since, last_review, first_purchase_at, last_purchase_at, balance, debt, consent, merged_into")


def _member_row(r: tuple[Any, ...]) -> MemberRecord:
    return MemberRecord(
        id=r[0], uuid=r[1], phone=r[2], name=r[3], birthday=_d(r[4]), card_no=r[5], referrer_id=r[6], status=r[7],
        store_id=r[8], enrolled_at=dt.datetime.fromisoformat(r[9]), tier=r[10],
        tier_since=dt.date.fromisoformat(r[11]), last_review=_d(r[12]), first_purchase_at=_t(r[13]),
        last_purchase_at=_t(r[14]), balance=r[15], debt=r[16], consent=bool(r[17]), merged_into=r[18],
    )


class Repo:
    """Business-row access for one open database (call inside a transaction to write)."""

    def __init__(self, database: Database) -> None:
        self.database = database

    # -- settings and program -------------------------------------------------------------
    def setting(self, key: str) -> str | None:
        row = self.database.execute("SELECT value FROM setting WHERE key = ?", (key,)).fetchone()
        return str(row[0]) if row else None

    def settings(self) -> dict[str, str]:
        return {k: v for k, v in self.database.execute("SELECT key, value FROM setting").fetchall()}

    def set_setting(self, key: str, value: str) -> None:
        Setting.insert(key=key, value=value).on_conflict_replace().execute()

    def active_program_id(self, day: dt.date | None = None) -> int | None:
        """The program to run: the one loaded last (``active``), or on ``day`` the highest version
        above it whose effective date (``program_effective_key``, set for a version headquarters
        published ahead of its date) has come."""
        if day is None:
            row = self.database.execute("SELECT id FROM program WHERE active = 1").fetchone()
        else:
            row = self.database.execute(
                "SELECT p.id FROM program p LEFT JOIN setting s"
                " ON s.key = 'program.effective_on:' || p.program_id || ':' || p.version"
                " WHERE p.active = 1 OR (s.value <= ? AND p.version >"
                " COALESCE((SELECT version FROM program WHERE active = 1), 0))"
                " ORDER BY p.version DESC LIMIT 1", (day.isoformat(),)).fetchone()
        return int(row[0]) if row else None

    def store_pending_program(self, *, program_id: str, version: int, digest: str, source: str, at: str,
                              effective_on: str) -> bool:
        """Record a program version that runs from ``effective_on`` (a later business date) without
        making it the active one; False if that version was already there with the same text."""
        existing = ProgramRow.get_or_none((ProgramRow.program_id == program_id) & (ProgramRow.version == version))
        if existing is not None and existing.digest != digest:
            from pos_app.core.errors import Conflict

            raise Conflict("program.version", f"version {version} of {program_id!r} is already loaded "
                           "with different rules; publish a new version number")
        self.set_setting(program_effective_key(program_id, version), effective_on)
        self.database.renew_transaction_token()
        if existing is None:
            ProgramRow.create(program_id=program_id, version=version, digest=digest, source=source,
                              loaded_at=at, active=False)
            return True
        return False

    def program_source(self, row_id: int) -> str:
        return str(self.database.execute("SELECT source FROM program WHERE id = ?", (row_id,)).fetchone()[0])

    def program_digest(self, row_id: int) -> str:
        return str(self.database.execute("SELECT digest FROM program WHERE id = ?", (row_id,)).fetchone()[0])

    def store_program(self, *, program_id: str, version: int, digest: str, source: str, at: str) -> bool:
        """Record a program version and make it active; False if that version was already there
        with the same text (a reload), error-free."""
        existing = ProgramRow.get_or_none((ProgramRow.program_id == program_id) & (ProgramRow.version == version))
        if existing is not None and existing.digest != digest:
            from pos_app.core.errors import Conflict

            raise Conflict("program.version", f"version {version} of {program_id!r} is already loaded "
                           "with different rules; publish a new version number")
        ProgramRow.update(active=False).where(ProgramRow.active == True).execute()  # noqa: E712
        self.database.renew_transaction_token()  # a program read earlier in this transaction is not the active one
        if existing is None:
            ProgramRow.create(program_id=program_id, version=version, digest=digest, source=source,
                              loaded_at=at, active=True)
            return True
        ProgramRow.update(active=True).where(ProgramRow.id == existing.id).execute()
        return False

    # -- campaigns (migration 0012) ---------------------------------------------------------
    def store_campaign(self, campaign: Campaign, *, at: str, published_at: str | None = None) -> bool:
        """Record a campaign version; False if that version was already here with the same text.
        A version is immutable (other text under it: ``Conflict``) and a campaign keeps its kind."""
        existing = self.database.execute(
            "SELECT digest FROM campaign WHERE campaign_id = ? AND version = ?",
            (campaign.campaign_id, campaign.version)).fetchone()
        if existing is not None:
            if existing[0] != campaign.digest:
                raise Conflict("version", f"version {campaign.version} of campaign {campaign.campaign_id} is"
                               " already loaded with a different text; publish a new version number")
            return False
        other = self.database.execute("SELECT kind FROM campaign WHERE campaign_id = ? AND kind <> ? LIMIT 1",
                                      (campaign.campaign_id, campaign.kind)).fetchone()
        if other is not None:
            raise Conflict("kind", f"campaign {campaign.campaign_id} is a {other[0]} campaign, not {campaign.kind}")
        CampaignRow.create(campaign_id=campaign.campaign_id, version=campaign.version, kind=campaign.kind,
                           source=campaign.source, digest=campaign.digest, published_at=published_at, loaded_at=at)
        return True

    def campaigns(self, kind: str | None = None) -> list[Campaign]:
        """The highest version held of each campaign (of ``kind``), by first day then id."""
        where, params = ("c.kind = ? AND ", (kind,)) if kind else ("", ())
        rows = self.database.execute(
            f"SELECT c.source, c.digest FROM campaign c WHERE {where}c.version ="
            " (SELECT max(version) FROM campaign WHERE campaign_id = c.campaign_id)", params).fetchall()
        found = [_parsed_campaign(source, digest) for source, digest in rows]
        return sorted(found, key=lambda c: (c.starts_on, c.campaign_id))

    def campaigns_in_force(self, kind: str, day: dt.date, store_id: str) -> list[Campaign]:
        """The campaigns of ``kind`` running on ``day`` at ``store_id`` (their latest versions)."""
        return [c for c in self.campaigns(kind) if c.in_force(day, store_id)]

    def campaign(self, campaign_id: str, version: int | None = None) -> Campaign | None:
        """A campaign's version ``version`` (None: the highest held); None if not held."""
        if version is None:
            row = self.database.execute("SELECT source, digest FROM campaign WHERE campaign_id = ?"
                                        " ORDER BY version DESC LIMIT 1", (campaign_id,)).fetchone()
        else:
            row = self.database.execute("SELECT source, digest FROM campaign WHERE campaign_id = ? AND version = ?",
                                        (campaign_id, version)).fetchone()
        return None if row is None else _parsed_campaign(row[0], row[1])

    def entry_uuid(self, entry_id: int) -> str:
        return str(self.database.execute("SELECT uuid FROM ledger_entry WHERE id = ?", (entry_id,)).fetchone()[0])

    def donated_to(self, campaign_id: str) -> tuple[int, int, int, int]:
        """(points, yuan in fen, donors, donations) of the ``donate`` entries held here for a
        campaign, any version (``ref_no`` ``<id>@<version>``: a range of the ``ledger_ref`` index)."""
        row = self.database.execute(
            "SELECT coalesce(-sum(points), 0), coalesce(sum(json_extract(breakdown, '$.yuan_fen')), 0),"
            " count(DISTINCT member_uuid), count(*) FROM ledger_entry"
            " WHERE ref_no >= ? AND ref_no < ? AND kind = 'donate' AND ref_type = 'campaign'",
            (f"{campaign_id}@0", f"{campaign_id}@:")).fetchone()
        return int(row[0]), int(row[1]), int(row[2]), int(row[3])

    def donation_entry(self, entry_uuid: str) -> dict[str, Any] | None:
        """A ``donate`` entry by its uuid, with its member id and breakdown (the slip)."""
        row = self.database.execute(
            "SELECT member_id, points, breakdown, created_at, staff_code, terminal_id FROM ledger_entry"
            " WHERE uuid = ? AND kind = 'donate'", (entry_uuid,)).fetchone()
        if row is None:
            return None
        return {"member_id": row[0], "points": -int(row[1]), "breakdown": json.loads(row[2]), "created_at": row[3],
                "staff_code": row[4], "terminal_id": row[5]}

    # -- members ----------------------------------------------------------------------------
    # Member lookups are on the counter's hot path: plain SQL with a fixed column list, which
    # sqlite3 caches as a prepared statement (peewee's query builder costs ~1 ms a call here).
    def _member_where(self, clause: str, value: Any) -> MemberRecord | None:
        row = self.database.execute(f"SELECT {MEMBER_COLUMNS} FROM member WHERE {clause} = ?", (value,)).fetchone()
        return _member_row(row) if row else None

    def member_by_id(self, member_id: int) -> MemberRecord | None:
        return self._member_where("id", member_id)

    def member_by_card(self, card_no: str) -> MemberRecord | None:
        return self._member_where("card_no", card_no)

    def member_by_phone(self, phone: str) -> MemberRecord | None:
        return self._member_where("phone", phone)

    def member_by_uuid(self, member_uuid: str) -> MemberRecord | None:
        return self._member_where("uuid", member_uuid)

    def find_members(self, text: str, limit: int = 20) -> list[MemberRecord]:
        """Members whose name contains ``text`` or whose phone or card starts with it."""
        escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        rows = self.database.execute(
            f"SELECT {MEMBER_COLUMNS} FROM member WHERE name LIKE ? ESCAPE '\\' OR phone LIKE ? ESCAPE '\\'"
            " OR card_no LIKE ? ESCAPE '\\' ORDER BY id LIMIT ?",
            (f"%{escaped}%", f"{escaped}%", f"{escaped}%", limit),
        ).fetchall()
        return [_member_row(r) for r in rows]

    def insert_member(self, **fields: Any) -> int:
        return int(Member.insert(**fields).execute())

    def update_member(self, member_id: int, **fields: Any) -> None:
        self.update("member", member_id, fields)

    def update_member_returning(self, member_id: int, **fields: Any) -> MemberRecord:
        """``update_member``, returning the member's row as it is afterwards (one statement)."""
        sets = ", ".join(f"{k} = ?" for k in fields)
        row = self.database.execute(f"UPDATE member SET {sets} WHERE id = ? RETURNING {MEMBER_COLUMNS}",
                                    [*fields.values(), member_id]).fetchone()
        if row is None:
            raise NotFound("member", f"no member {member_id}")
        return _member_row(row)

    def members_born_on(self, day: dt.date) -> list[tuple[int, str]]:
        """(id, name) of the members whose birthday is ``day``."""
        rows = self.database.execute("SELECT id, name FROM member WHERE birthday = ?", (day.isoformat(),)).fetchall()
        return [(int(r[0]), str(r[1])) for r in rows]

    def members_due_review(self, due: dt.date) -> list[int]:
        """Ids of the members whose last tier review is before ``due`` (or who never had one)."""
        rows = self.database.execute("SELECT id FROM member WHERE last_review IS NULL OR last_review < ? ORDER BY id",
                                     (due.isoformat(),)).fetchall()
        return [int(r[0]) for r in rows]

    def tier_changes(self, member_id: int) -> list[tuple[str, str, str, str, int]]:
        """(at, from tier, to tier, reason, qualifying points) of the member's tier changes, newest first."""
        rows = self.database.execute(
            "SELECT at, from_tier, to_tier, reason, qualifying_points FROM tier_change WHERE member_id = ?"
            " ORDER BY at DESC, id DESC", (member_id,)).fetchall()
        return [(r[0], r[1], r[2], r[3], int(r[4])) for r in rows]

    def member_count(self) -> int:
        return int(self.database.execute("SELECT count(*) FROM member").fetchone()[0])

    # -- staff ----------------------------------------------------------------------------------
    def staff_by_code(self, code: str) -> Staff | None:
        self.database.bind()
        return Staff.get_or_none(Staff.code == code)

    def insert_staff(self, **fields: Any) -> None:
        Staff.insert(**fields).execute()

    def update_staff(self, code: str, **fields: Any) -> None:
        Staff.update(**fields).where(Staff.code == code).execute()

    def all_staff(self) -> list[Staff]:
        """Every staff account, active or not, by number."""
        self.database.bind()
        return list(Staff.select().order_by(Staff.code))

    # -- sums used by the rules -------------------------------------------------------------------
    def earned_on_day(self, member_id: int, day: dt.date) -> int:
        row = self.database.execute(
            "SELECT coalesce(sum(points), 0) FROM ledger_entry WHERE member_id = ? AND business_date = ?"
            " AND kind IN ('earn', 'award')", (member_id, day.isoformat()),
        ).fetchone()
        return int(row[0])

    def redeemed_in_month(self, member_id: int, day: dt.date) -> int:
        """Points redeemed (payment, gifts) in the calendar month of ``day``. Points returned by
        a refund, or by cancelling a gift, count against the month of the payment or gift they
        reverse, so refunding last month's sale never frees room in this month's cap."""
        first, last = _month_bounds(day)
        row = self.database.execute(
            "SELECT coalesce((SELECT -sum(points) FROM ledger_entry WHERE member_id = ?1"
            "   AND business_date >= ?2 AND business_date < ?3 AND kind IN ('redeem', 'gift')), 0)"
            " - coalesce((SELECT sum(r.points) FROM ledger_entry r WHERE r.member_id = ?1 AND r.kind = 'return'"
            "   AND EXISTS (SELECT 1 FROM ledger_entry d WHERE d.ref_no = r.ref_no AND d.kind IN ('redeem', 'gift')"
            "     AND d.member_id = ?1 AND d.business_date >= ?2 AND d.business_date < ?3)), 0)",
            (member_id, first, last),
        ).fetchone()
        return max(0, int(row[0]))

    def award_count(self, member_id: int, award_id: str, day: dt.date | None = None) -> int:
        sql = "SELECT count(*) FROM ledger_entry WHERE member_id = ? AND kind = 'award' AND ref_no = ?"
        params: list[Any] = [member_id, award_id]
        if day is not None:
            sql += " AND business_date = ?"
            params.append(day.isoformat())
        return int(self.database.execute(sql, params).fetchone()[0])

    def birthday_bonus_year(self, member_id: int, year: int, bonus_ids: tuple[str, ...]) -> bool:
        """Whether the member was credited one of the bonuses ``bonus_ids`` (the program's
        birthday bonuses) in ``year``, at any store: read from the ledger, which holds the
        entries pulled from other tills too."""
        if not bonus_ids:
            return False
        marks = ", ".join("?" for _ in bonus_ids)
        row = self.database.execute(
            "SELECT 1 FROM ledger_entry e WHERE e.member_id = ? AND e.kind = 'earn'"
            " AND e.business_date >= ? AND e.business_date <= ?"
            " AND json_extract(e.breakdown, '$.credited_bonus') > 0"
            f" AND EXISTS (SELECT 1 FROM json_each(e.breakdown, '$.bonuses') b"
            f"   WHERE json_extract(b.value, '$.id') IN ({marks})) LIMIT 1",
            (member_id, f"{year:04d}-01-01", f"{year:04d}-12-31", *bonus_ids),
        ).fetchone()
        return row is not None

    def tier_buckets(self, member_id: int) -> dict[str, int]:
        rows = self.database.execute(
            "SELECT month, points FROM tier_month WHERE member_id = ?", (member_id,)
        ).fetchall()
        return {m: p for m, p in rows}

    def gift_this_month(self, member_id: int, gift_code: str, day: dt.date) -> int:
        """Gifts ``gift_code`` the member redeemed in the calendar month of ``day`` at any store:
        the ledger's gift entries (pulled ones too) name the gift in their breakdown. A gift
        cancelled at its till (a ``return`` entry of the same redemption) does not count."""
        first, last = _month_bounds(day)
        row = self.database.execute(
            "SELECT count(*) FROM ledger_entry g WHERE g.member_id = ?1 AND g.kind = 'gift'"
            " AND g.business_date >= ?2 AND g.business_date < ?3 AND json_extract(g.breakdown, '$.gift') = ?4"
            " AND NOT EXISTS (SELECT 1 FROM ledger_entry r WHERE r.ref_no = g.ref_no AND r.member_id = ?1"
            "   AND r.kind = 'return')",
            (member_id, first, last, gift_code),
        ).fetchone()
        return int(row[0])

    # -- lottery draws (services.draws): counted from the draw entries held ---------------------
    def draws_of_member(self, member_id: int, campaign_id: str, day: dt.date | None = None) -> int:
        """The member's draws in a campaign (on business day ``day``; None: over the campaign), in
        the ledger this till holds (its own and pulled entries)."""
        sql = ("SELECT count(*) FROM ledger_entry WHERE member_id = ? AND kind = 'draw'"
               " AND json_extract(breakdown, '$.campaign') = ?")
        params: tuple[Any, ...] = (member_id, campaign_id)
        if day is not None:
            sql += " AND business_date = ?"
            params += (day.isoformat(),)
        return int(self.database.execute(sql, params).fetchone()[0])

    def draw_wins(self, campaign_id: str, store_id: str) -> dict[str, int]:
        """Prize code -> draws at ``store_id`` that won it, in the draw entries this till holds."""
        rows = self.database.execute(
            "SELECT json_extract(breakdown, '$.prize'), count(*) FROM ledger_entry WHERE kind = 'draw'"
            " AND json_extract(breakdown, '$.campaign') = ? AND json_extract(breakdown, '$.store') = ?"
            " GROUP BY 1", (campaign_id, store_id)).fetchall()
        return {str(code): int(n) for code, n in rows}

    def draw_entries(self, draw_no: str) -> list[dict[str, Any]]:
        """A draw's entries (``draw``, ``draw_win``) with the member's balance right after each."""
        rows = self.database.execute(
            "SELECT e.id, e.kind, e.points, e.member_id, e.breakdown, e.created_at, e.staff_code,"
            " (SELECT sum(points) FROM ledger_entry b WHERE b.member_id = e.member_id AND b.id <= e.id)"
            " FROM ledger_entry e WHERE e.ref_type = 'draw' AND e.ref_no = ? ORDER BY e.id", (draw_no,)).fetchall()
        return [{"id": r[0], "kind": r[1], "points": r[2], "member_id": r[3], "breakdown": json.loads(r[4]),
                 "created_at": r[5], "staff_code": r[6], "balance_after": r[7]} for r in rows]

    def draw_breakdowns(self) -> list[tuple[str, dict[str, Any]]]:
        """(draw number, breakdown) of every draw entry held, oldest first (``verify``)."""
        rows = self.database.execute(
            "SELECT ref_no, breakdown FROM ledger_entry WHERE kind = 'draw' ORDER BY id").fetchall()
        return [(str(r[0]), json.loads(r[1])) for r in rows]

    def purchases_since(self, member_id: int, day: dt.date) -> int:
        return self.purchase_counts(day, member_id).get(member_id, 0)

    def purchase_counts(self, day: dt.date, member_id: int | None = None) -> dict[int, int]:
        """Purchases since ``day`` by member (one member, or all), at any store: this till's
        sales, and other tills' sales known from their pulled entries (receipt numbers are
        unique in the chain, so a sale with both kinds of row counts once)."""
        one = " AND member_id = ?" if member_id is not None else " AND member_id IS NOT NULL"
        params: list[Any] = [day.isoformat()] + ([member_id] if member_id is not None else [])
        rows = self.database.execute(
            f"SELECT member_id, count(*) FROM (SELECT member_id, receipt_no FROM sale WHERE business_date >= ?{one}"
            f" UNION SELECT member_id, ref_no FROM ledger_entry WHERE ref_type = 'sale' AND kind IN ('earn', 'redeem')"
            f" AND business_date >= ?{one}) GROUP BY member_id", params * 2).fetchall()
        return {int(r[0]): int(r[1]) for r in rows}

    # -- gifts and coupons -------------------------------------------------------------------------
    def gift_stock(self, gift_code: str) -> int | None:
        self.database.bind()
        row = GiftStock.get_or_none(GiftStock.gift_code == gift_code)
        return row.stock if row else None

    def set_gift_stock(self, gift_code: str, stock: int) -> None:
        GiftStock.insert(gift_code=gift_code, stock=stock).on_conflict_replace().execute()

    def take_gift_stock(self, gift_code: str) -> None:
        GiftStock.update(stock=GiftStock.stock - 1).where(GiftStock.gift_code == gift_code).execute()

    def put_back_gift_stock(self, gift_code: str) -> None:
        GiftStock.update(stock=GiftStock.stock + 1).where(GiftStock.gift_code == gift_code).execute()

    def redemption(self, redemption_no: str) -> dict[str, Any] | None:
        return self.row("SELECT * FROM redemption WHERE redemption_no = ?", (redemption_no,))

    def redemptions_since(self, since: str, *, limit: int = 50) -> list[dict[str, Any]]:
        """This till's redemptions made at or after ``since`` and not cancelled, newest first, with
        their member's name, phone, card and balance and whether their coupon (if any) is used."""
        return self.rows(
            "SELECT r.redemption_no, r.gift_code, r.points, r.cash_fen, r.coupon_code, r.approved_by, r.created_at,"
            " m.uuid AS member_uuid, m.name, m.phone, m.card_no, m.balance,"
            " (c.used_at IS NOT NULL) AS coupon_used"
            " FROM redemption r JOIN member m ON m.id = r.member_id LEFT JOIN coupon c ON c.code = r.coupon_code"
            " WHERE r.created_at >= ? AND r.cancelled_at IS NULL ORDER BY r.id DESC LIMIT ?", (since, limit))

    def last_audit_details(self, action: str, ref: str) -> dict[str, Any]:
        """The details of the latest audit row of ``action`` on ``ref`` ({} when none)."""
        row = self.row("SELECT details FROM audit WHERE action = ? AND ref = ? ORDER BY id DESC LIMIT 1",
                       (action, ref))
        return dict(json.loads(row["details"])) if row and row["details"] else {}

    def mark_redemption_cancelled(self, redemption_no: str, *, at: str, by: str | None) -> bool:
        """Marks a redemption cancelled once: False when it already was (the caller's
        transaction then writes nothing, so a second cancel, even after a crash, gives no points)."""
        cur = self.database.execute(
            "UPDATE redemption SET cancelled_at = ?, cancelled_by = ? WHERE redemption_no = ? AND cancelled_at IS NULL",
            (at, by or "", redemption_no))
        return cur.rowcount == 1

    def coupon(self, code: str) -> dict[str, Any] | None:
        return self.row("SELECT * FROM coupon WHERE code = ?", (code,))

    def insert_coupon(self, **fields: Any) -> None:
        Coupon.insert(**fields).execute()

    def use_coupon(self, code: str, *, at: str, receipt_no: str) -> bool:
        n = (Coupon.update(used_at=at, used_receipt_no=receipt_no)
             .where((Coupon.code == code) & (Coupon.used_at.is_null())).execute())
        return bool(n == 1)

    def return_coupon(self, code: str, *, receipt_no: str) -> bool:
        """Unused again, if the sale ``receipt_no`` is the one that used it."""
        n = (Coupon.update(used_at=None, used_receipt_no=None)
             .where((Coupon.code == code) & (Coupon.used_receipt_no == receipt_no)).execute())
        return bool(n == 1)

    # -- sales and refunds ---------------------------------------------------------------------------
    def sale(self, receipt_no: str) -> dict[str, Any] | None:
        return self.row("SELECT * FROM sale WHERE receipt_no = ?", (receipt_no,))

    def sale_tenders(self, sale_id: int) -> list[dict[str, Any]]:
        """A sale's tenders (kind, amount_fen, given_fen) in the order they were taken."""
        return self.rows("SELECT kind, amount_fen, given_fen FROM sale_tender WHERE sale_id = ? ORDER BY seq",
                         (sale_id,))

    def refunded_by_tender(self, sale_id: int) -> dict[str, int]:
        """What the refunds of a sale gave back, per tender kind."""
        return {r["kind"]: int(r["fen"]) for r in self.rows(
            "SELECT t.kind, sum(t.amount_fen) fen FROM refund r JOIN refund_tender t ON t.refund_id = r.id"
            " WHERE r.sale_id = ? GROUP BY t.kind", (sale_id,))}

    def refund_tenders(self, refund_id: int) -> list[dict[str, Any]]:
        return self.rows("SELECT kind, amount_fen FROM refund_tender WHERE refund_id = ? ORDER BY id", (refund_id,))

    # -- suspended baskets (services.suspended) ----------------------------------------------------
    def suspended_count(self) -> int:
        return int(self.database.execute("SELECT count(*) FROM suspended_sale").fetchone()[0])

    def suspended_sale(self, suspended_id: int) -> dict[str, Any] | None:
        return self.row("SELECT * FROM suspended_sale WHERE id = ?", (suspended_id,))

    def suspended_sales(self) -> list[dict[str, Any]]:
        return self.rows("SELECT * FROM suspended_sale ORDER BY suspended_at, id")

    def delete_suspended_sale(self, suspended_id: int) -> None:
        self.database.execute("DELETE FROM suspended_sale WHERE id = ?", (suspended_id,))

    def sale_receipt_no(self, sale_uuid: str) -> str | None:
        """The receipt of the sale stored under ``sale_uuid`` (a re-sent sale), if any."""
        row = self.database.execute("SELECT receipt_no FROM sale WHERE uuid = ?", (sale_uuid,)).fetchone()
        return str(row[0]) if row else None

    def sale_lines(self, sale_id: int) -> list[dict[str, Any]]:
        """The lines of a sale, in order, with what a refund needs (amounts, earning, refund)."""
        return self.rows("SELECT line_no, net_fen, eligible_fen, multiplier, refund_id FROM sale_line"
                         " WHERE sale_id = ? ORDER BY line_no", (sale_id,))

    def refunded_so_far(self, sale_id: int) -> dict[str, int]:
        """What the sale's refunds took together: clawed-back purchase (cp) and bonus (cb) points,
        returned points (rp), refunded money (rf), and how many refunds (n)."""
        row = self.database.execute(
            "SELECT coalesce(sum(clawback_purchase), 0), coalesce(sum(clawback_bonus), 0),"
            " coalesce(sum(returned_points), 0), coalesce(sum(refund_fen), 0), count(*) FROM refund WHERE sale_id = ?",
            (sale_id,)).fetchone()
        return dict(zip(("cp", "cb", "rp", "rf", "n"), (int(v) for v in row), strict=True))

    def mark_lines_refunded(self, sale_id: int, line_nos: list[int], refund_id: int) -> None:
        marks = ",".join("?" for _ in line_nos)
        self.database.execute(f"UPDATE sale_line SET refund_id = ? WHERE sale_id = ? AND line_no IN ({marks})",
                              (refund_id, sale_id, *line_nos))

    def sale_lines_refunded_by(self, sale_id: int) -> list[dict[str, Any]]:
        """The lines of a sale, in order, each with the refund_no that refunded it (or None)."""
        return self.rows(
            "SELECT l.line_no, l.sku, l.name, l.category, l.qty, l.unit_price_fen, l.net_fen, l.flags,"
            " r.refund_no FROM sale_line l LEFT JOIN refund r ON r.id = l.refund_id"
            " WHERE l.sale_id = ? ORDER BY l.line_no", (sale_id,))

    def refund_nos(self, sale_id: int) -> list[str]:
        """The sale's refunds, oldest first."""
        return [r[0] for r in self.database.execute("SELECT refund_no FROM refund WHERE sale_id = ? ORDER BY id",
                                                    (sale_id,)).fetchall()]

    def refund(self, refund_no: str) -> dict[str, Any] | None:
        """A refund's row with its sale's receipt_no."""
        return self.row("SELECT r.*, s.receipt_no FROM refund r JOIN sale s ON s.id = r.sale_id WHERE r.refund_no = ?",
                        (refund_no,))

    def receipt_lines(self, *, sale_id: int | None = None, refund_id: int | None = None) -> list[dict[str, Any]]:
        """Whole sale_line rows in line order: a sale's (``sale_id``) or those a refund took (``refund_id``)."""
        if sale_id is not None:
            return self.rows("SELECT * FROM sale_line WHERE sale_id = ? ORDER BY line_no", (sale_id,))
        return self.rows("SELECT * FROM sale_line WHERE refund_id = ? ORDER BY line_no", (refund_id,))

    def coupon_cash_fen(self, code: str) -> int:
        """The cash collected with the gift that gave this coupon (0: none, or not from a gift)."""
        row = self.database.execute("SELECT cash_fen FROM redemption WHERE coupon_code = ?", (code,)).fetchone()
        return int(row[0] or 0) if row else 0

    # -- audit ---------------------------------------------------------------------------------------
    def audit_rows(self, action: str | None, limit: int) -> list[dict[str, Any]]:
        """Audit rows newest first (optionally one action), with the staff's name and, when the
        reference is a member's uuid, the member's card_no."""
        sql = ("SELECT a.id, a.at, a.staff_code, s.name staff_name, a.action, a.ref, m.card_no, a.details"
               " FROM audit a LEFT JOIN staff s ON s.code = a.staff_code LEFT JOIN member m ON m.uuid = a.ref")
        params: list[Any] = []
        if action is not None:
            sql += " WHERE a.action = ?"
            params.append(action)
        # id order is the order the rows were written; `at` can repeat within a second
        sql += " ORDER BY a.id DESC LIMIT ?"
        params.append(limit)
        return self.rows(sql, params)

    def audit_actions(self) -> list[str]:
        """The actions the audit trail holds, in order."""
        return [r[0] for r in self.database.execute("SELECT DISTINCT action FROM audit ORDER BY action").fetchall()]

    # -- products, revoked codes, shifts --------------------------------------------------------------
    def product_exists(self, sku: str, barcode: str | None) -> bool:
        """Whether a product has this SKU or (when given) this barcode, active or not."""
        return self.database.execute("SELECT 1 FROM product WHERE sku = ? OR (barcode IS NOT NULL AND barcode = ?)",
                                     (sku, barcode)).fetchone() is not None

    def product_by_code(self, code: str) -> dict[str, Any] | None:
        """The active product with this barcode or SKU."""
        return self.row("SELECT * FROM product WHERE active = 1 AND (barcode = ? OR sku = ?)", (code, code))

    def search_products(self, text: str, limit: int) -> list[dict[str, Any]]:
        """Active products whose name holds ``text`` or whose SKU or barcode starts with it, by name."""
        return self.rows("SELECT * FROM product WHERE active = 1 AND (name LIKE ? OR sku LIKE ? OR barcode LIKE ?)"
                         " ORDER BY name LIMIT ?", (f"%{text}%", f"{text}%", f"{text}%", limit))

    def products_flagged(self, flag: str, limit: int) -> list[dict[str, Any]]:
        """Active products carrying ``flag`` (e.g. ``new``) among their comma-separated flags, by name."""
        pattern = "%," + flag.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + ",%"
        return self.rows("SELECT * FROM product WHERE active = 1 AND (',' || flags || ',') LIKE ? ESCAPE '\\'"
                         " ORDER BY name LIMIT ?", (pattern, limit))

    def product_catalog(self) -> dict[str, tuple[str | None, str, str, int, str, int]]:
        """Every product, active or not: sku -> (barcode, name, category, price_fen, flags, active)."""
        cur = self.database.execute("SELECT sku, barcode, name, category, price_fen, flags, active FROM product")
        return {r[0]: (r[1], r[2], r[3], int(r[4]), r[5] or "", int(r[6])) for r in cur.fetchall()}

    def clear_product_barcodes(self, skus: list[str]) -> None:
        """These products give up their barcodes (another product takes them in the same import)."""
        self.database.executemany("UPDATE product SET barcode = NULL WHERE sku = ?", [(s,) for s in skus])

    def fix_product_barcode(self, sku: str, wrong: str, right: str) -> bool:
        """Gives ``sku`` the barcode ``right`` if it still holds ``wrong`` and no product holds
        ``right``; whether it did."""
        if self.database.execute("SELECT 1 FROM product WHERE barcode = ?", (right,)).fetchone() is not None:
            return False
        cur = self.database.execute("UPDATE product SET barcode = ? WHERE sku = ? AND barcode = ?", (right, sku, wrong))
        return bool(cur.rowcount)

    def write_products(self, rows: list[tuple[str, str | None, str, str, int, str, int]]) -> None:
        """Add or replace products by SKU: (sku, barcode, name, category, price_fen, flags, active)."""
        self.database.executemany(
            "INSERT INTO product (sku, barcode, name, category, price_fen, flags, active) VALUES (?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (sku) DO UPDATE SET barcode = excluded.barcode, name = excluded.name,"
            " category = excluded.category, price_fen = excluded.price_fen, flags = excluded.flags,"
            " active = excluded.active", rows)

    def revoked_code(self, kind: str, value: str) -> dict[str, Any] | None:
        """Why and when a card or member code was revoked, if it was."""
        return self.row("SELECT reason, revoked_at FROM revoked_code WHERE kind = ? AND value = ?", (kind, value))

    def open_shift(self) -> dict[str, Any] | None:
        """The shift not closed yet (shift_no, staff_code, opened_at, closed_at), if any."""
        return self.row("SELECT shift_no, staff_code, opened_at, closed_at FROM shift WHERE closed_at IS NULL")

    def shift(self, shift_no: str) -> dict[str, Any] | None:
        return self.row("SELECT * FROM shift WHERE shift_no = ?", (shift_no,))

    def close_shift(self, shift_no: str, closed_at: str, report: dict[str, Any]) -> None:
        self.database.execute("UPDATE shift SET closed_at = ?, report = ? WHERE shift_no = ?",
                              (closed_at, json.dumps(report, ensure_ascii=False), shift_no))

    # -- print queue ---------------------------------------------------------------------------------
    def queue_print_job(self, kind: str, ref: str, payload: dict[str, Any], at: str) -> int:
        return self.insert("print_job", {"kind": kind, "ref": ref, "payload": payload, "created_at": at})

    def print_job(self, job_id: int) -> dict[str, Any] | None:
        return self.row("SELECT * FROM print_job WHERE id = ?", (job_id,))

    def print_jobs(self, *, pending_only: bool, newest_first: int | None = None) -> list[dict[str, Any]]:
        """Jobs oldest first, or the ``newest_first`` newest ones newest first; only those not
        printed yet with ``pending_only``."""
        where = "WHERE status <> 'printed'" if pending_only else ""
        if newest_first is None:
            return self.rows(f"SELECT * FROM print_job {where} ORDER BY id")
        return self.rows(f"SELECT * FROM print_job {where} ORDER BY id DESC LIMIT ?", (newest_first,))

    def pending_print_jobs(self) -> int:
        """How many jobs are not printed yet."""
        return int(self.database.execute("SELECT count(*) FROM print_job WHERE status <> 'printed'").fetchone()[0])

    def first_print_job(self, kind: str, ref: str) -> int | None:
        """The first (not a reprint) job of a document, if any."""
        row = self.database.execute("SELECT id FROM print_job WHERE kind = ? AND ref = ? AND reprint_of IS NULL"
                                    " ORDER BY id LIMIT 1", (kind, ref)).fetchone()
        return int(row[0]) if row else None

    def print_job_attempts(self, job_id: int) -> int | None:
        """The attempts of a job not printed yet (None: no such job, or printed)."""
        row = self.database.execute("SELECT attempts FROM print_job WHERE id = ? AND status <> 'printed'",
                                    (job_id,)).fetchone()
        return int(row[0]) if row else None

    def print_job_failed(self, job_id: int, attempts: int, error: str, next_try_at: str) -> None:
        self.database.execute(
            "UPDATE print_job SET status = 'failed', attempts = ?, last_error = ?, next_try_at = ? WHERE id = ?",
            (attempts, error, next_try_at, job_id))

    def claim_print_job(self, job_id: int, attempts: int, until: str) -> bool:
        """Take a job not printed yet for printing until ``until`` (one more attempt), if its
        attempts are still ``attempts`` (no one else took it meanwhile)."""
        cur = self.database.execute(
            "UPDATE print_job SET attempts = attempts + 1, next_try_at = ? WHERE id = ? AND attempts = ?"
            " AND status <> 'printed'", (until, job_id, attempts))
        return cur.rowcount == 1

    def print_job_printed(self, job_id: int, at: str) -> None:
        self.database.execute("UPDATE print_job SET status = 'printed', printed_at = ?, last_error = NULL,"
                              " next_try_at = NULL WHERE id = ?", (at, job_id))

    # -- generic rows --------------------------------------------------------------------------------
    def rows(self, sql: str, params: tuple[Any, ...] | list[Any] = ()) -> list[dict[str, Any]]:
        cur = self.database.execute(sql, params)
        cols = [c[0] for c in cur.description]
        return [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]

    def row(self, sql: str, params: tuple[Any, ...] | list[Any] = ()) -> dict[str, Any] | None:
        found = self.rows(sql, params)
        return found[0] if found else None

    def insert(self, table: str, fields: dict[str, Any]) -> int:
        cols = ", ".join(fields)
        marks = ", ".join("?" for _ in fields)
        values = [json.dumps(v, ensure_ascii=False) if isinstance(v, dict | list) else v for v in fields.values()]
        cur = self.database.execute(f"INSERT INTO {table} ({cols}) VALUES ({marks})", values)
        return int(cur.lastrowid or 0)

    def update(self, table: str, row_id: int, fields: dict[str, Any]) -> None:
        """``fields`` names are code, never user input."""
        sets = ", ".join(f"{k} = ?" for k in fields)
        self.database.execute(f"UPDATE {table} SET {sets} WHERE id = ?", [*fields.values(), row_id])
