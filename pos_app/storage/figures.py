"""Report figures: sums over sales, the ledger, the audit and the members (shift and daily reports)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from pos_app.storage.repo import Repo


def recorded_between(repo: Repo, terminal_id: str, start: str, end: str) -> dict[str, Any]:
    """What terminal ``terminal_id`` (this one) recorded from ``start`` to ``end`` (recorded time,
    ISO text, both included): sales (count, member sales, totals), tenders by kind, points issued
    and redeemed, gifts redeemed by gift, gifts that also took cash, refunds. Other tills' entries
    held in the partial replica (pulled during the shift) are not this shift's points."""
    span = (start, end)
    sales = repo.row(
        "SELECT count(*) sales, count(member_id) member_sales, coalesce(sum(total_fen), 0) total_fen,"
        " coalesce(sum(tender_fen), 0) tender_fen, coalesce(sum(change_fen), 0) change_fen"
        " FROM sale WHERE recorded_at >= ? AND recorded_at <= ?", span)
    # by tender (sale_tender, 0010): a split sale counts once under each of its kinds
    tenders = repo.rows(
        "SELECT t.kind tender_kind, count(DISTINCT s.id) n, sum(t.amount_fen) fen, sum(t.given_fen) given"
        " FROM sale s JOIN sale_tender t ON t.sale_id = s.id WHERE s.recorded_at >= ? AND s.recorded_at <= ?"
        " GROUP BY t.kind ORDER BY t.kind", span)
    points = repo.row(
        "SELECT coalesce(sum(CASE WHEN kind IN ('earn', 'award') THEN points END), 0) issued,"
        " coalesce(-sum(CASE WHEN kind IN ('redeem', 'gift') THEN points END), 0)"
        " - coalesce(sum(CASE WHEN kind = 'return' AND ref_type = 'redemption' THEN points END), 0) redeemed"
        " FROM ledger_entry WHERE recorded_at >= ? AND recorded_at <= ? AND terminal_id = ?", (*span, terminal_id))
    gifts = repo.rows(
        "SELECT json_extract(a.details, '$.gift') gift, count(*) n FROM audit a JOIN redemption r"
        " ON r.redemption_no = a.ref WHERE a.action = 'gift.redeem' AND a.at >= ? AND a.at <= ?"
        " AND r.cancelled_at IS NULL GROUP BY gift ORDER BY gift", span)
    gift_cash = repo.row(
        "SELECT count(*) n, coalesce(sum(r.cash_fen), 0) fen FROM audit a JOIN redemption r ON r.redemption_no = a.ref"
        " WHERE a.action = 'gift.redeem' AND a.at >= ? AND a.at <= ? AND r.cash_fen > 0"
        " AND r.cancelled_at IS NULL", span)
    refunds = repo.row("SELECT count(*) n FROM audit WHERE action = 'refund' AND at >= ? AND at <= ?", span)
    # money given back per tender kind by the refunds recorded in the window (0010)
    refund_tenders = repo.rows(
        "SELECT t.kind, count(DISTINCT a.id) n, sum(t.amount_fen) fen FROM audit a"
        " JOIN refund r ON r.refund_no = a.ref JOIN refund_tender t ON t.refund_id = r.id"
        " WHERE a.action = 'refund' AND a.at >= ? AND a.at <= ? GROUP BY t.kind ORDER BY t.kind", span)
    assert sales is not None and points is not None and refunds is not None and gift_cash is not None
    return {"sales": sales, "tenders": tenders, "points": points, "gifts": gifts, "gift_cash": gift_cash,
            "refunds": refunds, "refund_tenders": refund_tenders}


def points_by_day(repo: Repo, terminal_id: str, first: dt.date, last: dt.date) -> dict[str, dict[str, Any]]:
    """Per business day (ISO text) with entries of terminal ``terminal_id`` from ``first`` to
    ``last``: points issued (earn, award) and redeemed (payment, gifts). Other tills' entries
    held in the partial replica are not counted (read through ``ledger_business_day``)."""
    return {r["d"]: r for r in repo.rows(
        "SELECT business_date d,"
        " coalesce(sum(CASE WHEN kind IN ('earn', 'award') THEN points END), 0) issued,"
        " coalesce(-sum(CASE WHEN kind IN ('redeem', 'gift') THEN points END), 0)"
        " - coalesce(sum(CASE WHEN kind = 'return' AND ref_type = 'redemption' THEN points END), 0) redeemed"
        " FROM ledger_entry WHERE terminal_id = ? AND business_date >= ? AND business_date <= ?"
        " GROUP BY business_date", (terminal_id, first.isoformat(), last.isoformat()))}


def member_totals(repo: Repo) -> dict[str, int]:
    """All members' points (sum of balances), members, members with points, debt."""
    row = repo.row("SELECT coalesce(sum(balance), 0) points, count(*) members,"
                   " coalesce(sum(CASE WHEN balance > 0 THEN 1 END), 0) with_points,"
                   " coalesce(sum(debt), 0) debt FROM member")
    assert row is not None
    return row


def points_expiring(repo: Repo, first: dt.date, last: dt.date) -> int:
    """Points left in lots whose last valid day is from ``first`` to ``last``."""
    row = repo.row("SELECT coalesce(sum(remaining), 0) p FROM lot WHERE remaining > 0 AND expires_on >= ?"
                   " AND expires_on <= ?", (first.isoformat(), last.isoformat()))
    assert row is not None
    return int(row["p"])


def top_gifts(repo: Repo, since: dt.date, limit: int) -> list[dict[str, Any]]:
    """Gifts redeemed since ``since`` by redemptions (most first): points and cash taken."""
    return repo.rows("SELECT gift_code, count(*) redemptions, sum(points) points, sum(cash_fen) cash_fen"
                     " FROM redemption WHERE business_date >= ? GROUP BY gift_code"
                     " ORDER BY redemptions DESC, gift_code LIMIT ?", (since.isoformat(), limit))


def member_facts(repo: Repo, batch: int = 5000) -> Iterator[list[tuple[int, int, str | None, str]]]:
    """Every member's (id, balance, last purchase, enrolled at), ``batch`` rows at a time."""
    cur = repo.database.execute("SELECT id, balance, last_purchase_at, enrolled_at FROM member")
    while rows := cur.fetchmany(batch):
        yield rows


#: How a store report groups its figures: the column each table is grouped by.
REPORT_GROUPS = {"cashier": "staff_code", "day": "business_date", "store": "NULL"}

#: The store report's queries over a range of business days (both included), each grouped by
#: ``{g}``. Each reads its table through an index on the business day (migration 0011). The
#: ledger's counts this terminal's own entries only (the first parameter): the partial replica
#: holds other tills' entries of the same members; sales, refunds and gifts are this till's own.
REPORT_QUERIES = {
    "ledger": (
        "SELECT {g} g,"
        " coalesce(sum(CASE WHEN kind IN ('earn', 'award') THEN points END), 0) points_issued,"
        " coalesce(-sum(CASE WHEN kind IN ('redeem', 'gift') THEN points END), 0) points_redeemed,"
        " coalesce(sum(CASE WHEN kind = 'adjust' THEN points END), 0) points_adjusted,"
        " coalesce(-sum(CASE WHEN kind = 'clawback' THEN points END), 0) points_clawed_back,"
        " coalesce(sum(CASE WHEN kind = 'return' THEN points END), 0) points_returned,"
        " coalesce(-sum(CASE WHEN kind = 'expire' THEN points END), 0) points_expired"
        " FROM ledger_entry WHERE terminal_id = ? AND business_date >= ? AND business_date <= ? GROUP BY g"),
    "sales": (
        "SELECT {g} g, count(*) sales, count(member_id) member_sales, sum(total_fen) sales_fen,"
        " sum(points_paid) points_paid, count(coupon_code) coupons_used, sum(coupon_fen) coupons_used_fen"
        " FROM sale WHERE business_date >= ? AND business_date <= ? GROUP BY g"),
    "refunds": (
        "SELECT {g} g, count(*) refunds, sum(refund_fen) refunds_fen"
        " FROM refund WHERE business_date >= ? AND business_date <= ? GROUP BY g"),
    "gifts": (
        "SELECT {g} g, count(*) gifts, sum(points) gift_points, sum(cash_fen) gift_cash_fen,"
        " count(coupon_code) coupons_issued"
        " FROM redemption WHERE business_date >= ? AND business_date <= ? AND cancelled_at IS NULL GROUP BY g"),
}


def store_report_sql(part: str, by: str) -> str:
    """One of the store report's queries (``REPORT_QUERIES``) grouped ``by`` (``REPORT_GROUPS``)."""
    return REPORT_QUERIES[part].format(g=REPORT_GROUPS[by])


def store_report(repo: Repo, terminal_id: str, first: dt.date, last: dt.date,
                 by: str) -> dict[str, list[dict[str, Any]]]:
    """What terminal ``terminal_id`` (this till) recorded for the business days ``first`` to
    ``last``, grouped ``by`` cashier (staff code), day or the whole store: points by kind of
    entry, sales, refunds, gifts and coupons. Each part is an SQL aggregate; a group without
    rows in a part is missing from that part."""
    span = (first.isoformat(), last.isoformat())
    return {part: repo.rows(store_report_sql(part, by), (terminal_id, *span) if part == "ledger" else span)
            for part in REPORT_QUERIES}


def staff_names(repo: Repo) -> dict[str, dict[str, Any]]:
    """Every staff member's name and role by staff number (those no longer active too)."""
    return {r["code"]: r for r in repo.rows("SELECT code, name, role, active FROM staff")}


def member_contacts(repo: Repo, batch: int = 5000) -> Iterator[list[dict[str, Any]]]:
    """Active members (not merged away) with what a campaign list and the segment rules need,
    ``batch`` rows at a time, in card order."""
    cur = repo.database.execute(
        "SELECT id, card_no, name, phone, tier, balance, consent, last_purchase_at, enrolled_at FROM member"
        " WHERE status = 'active' AND merged_into IS NULL ORDER BY card_no")
    names = [d[0] for d in cur.description]
    while rows := cur.fetchmany(batch):
        yield [dict(zip(names, r, strict=True)) for r in rows]
