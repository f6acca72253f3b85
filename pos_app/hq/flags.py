"""Reconciliation flags a push raises on what two tills offline could each grant or allow: a
once-only bonus given twice (``double_bonus``) and per-period limits crossed together
(``daily_cap``, ``redeem_cap``, ``gift_limit``, ``award_limit``). The entries are kept as the
tills wrote them; the flags go to the reconciliation report."""

from __future__ import annotations

import json
from typing import Any

from pos_app.core.program import Program, parse_program
from pos_app.hq import db
from pos_app.hq.projection import Projection, int_or_zero, select_in, tuples

# -- once-only bonuses granted twice --------------------------------------------------------------

#: bonus kinds a member gets once (first purchase) or once a year (birthday); two tills that have
#: not heard of each other's sale can both grant one
_ONCE_BONUS_KINDS = ("first_purchase", "birthday")


def _program_at(version: int | None, cache: dict[int, Program | None]) -> Program | None:
    """The program version an entry was made under (read once per push), None if unknown."""
    if version is None:
        return None
    if version not in cache:
        row = db.Program.select().where(db.Program.version == version).first()
        cache[version] = None if row is None else parse_program(row.source)
    return cache[version]


def _bonus_kinds(version: int | None, cache: dict[int, Program | None]) -> dict[str, str]:
    """Bonus id -> kind in the program version an entry was earned under."""
    program = _program_at(version, cache)
    return {} if program is None else {b.id: b.kind for b in program.earning.bonuses}


def _granted_bonuses(breakdown: str | None, version: int | None,
                     cache: dict[int, Program | None]) -> list[tuple[str, str, int]]:
    """(bonus id, kind, points) of the once-only bonuses an earn entry's breakdown records as
    given. Bonuses the daily cap cut to nothing (``credited_bonus`` 0) were not given: the tills
    count them the same way (``storage.repo``); a breakdown without the field counts as given."""
    if not breakdown or '"bonuses":[{' not in breakdown:
        return []
    try:
        detail = json.loads(breakdown)
        items = detail.get("bonuses")
    except (ValueError, AttributeError):
        return []
    if "credited_bonus" in detail and int_or_zero(detail["credited_bonus"]) <= 0:
        return []
    kinds = _bonus_kinds(version, cache)
    out = []
    for item in items if isinstance(items, list) else []:
        if isinstance(item, dict) and kinds.get(str(item.get("id"))) in _ONCE_BONUS_KINDS:
            out.append((str(item["id"]), kinds[str(item["id"])], int_or_zero(item.get("points"))))
    return out


def flag_double_bonuses(proj: Projection, term: db.Terminal, entries: list[dict[str, Any]]) -> None:
    """A first-purchase bonus for a member who had one, or a birthday bonus a second time in a
    year: kept (the till granted it), and flagged for the reconciliation report. Only entries
    that record such a bonus cost a query (of that member's earlier bonus entries)."""
    earlier: dict[tuple[str, str, str], tuple[str, str] | None] = {}  # (member, kind, year) -> first grant
    cache: dict[int, Program | None] = {}
    for f in entries:
        if f["kind"] != "earn":
            continue
        for bonus_id, kind, points in _granted_bonuses(f["breakdown"], f["program_version"], cache):
            period = f["business_date"][:4] if kind == "birthday" else ""
            key = (f["member_uuid"], kind, period)
            if key not in earlier:
                earlier[key] = _first_grant(f["member_uuid"], kind, period, cache)
            first = earlier[key]
            if first is None:
                earlier[key] = (f["uuid"], term.id)
                continue
            proj.flag("double_bonus", store_id=term.store_id, terminal_id=term.id, member_uuid=f["member_uuid"],
                      ref=f["uuid"], points=points,
                      details={"bonus": bonus_id, "kind": kind, "year": period or None, "entry": f["uuid"],
                               "first_entry": first[0], "first_terminal_id": first[1]})


def _first_grant(member_uuid: str, kind: str, year: str,
                 cache: dict[int, Program | None]) -> tuple[str, str] | None:
    """The member's earliest entry headquarters holds with a once-only bonus of ``kind`` (in
    ``year`` for birthdays): (entry uuid, terminal id)."""
    E = db.Entry
    rows = tuples(E.select(E.uuid, E.terminal_id, E.breakdown, E.program_version, E.business_date)
                   .where((E.member_uuid == member_uuid) & (E.kind == "earn")
                          & E.breakdown.contains('"bonuses":[{'))
                   .order_by(E.business_date, E.recorded_at))
    for entry_uuid, terminal_id, breakdown, version, day in rows:
        if year and not str(day).startswith(year):
            continue
        if any(k == kind for _, k, _ in _granted_bonuses(breakdown, version, cache)):
            return str(entry_uuid), str(terminal_id)
    return None



# -- per-period limits crossed by two tills -----------------------------------------------------------

#: entry kinds that count towards a limit a till checks against what it holds (its own and the
#: pulled entries): two tills that have not seen each other's entries can together cross it
_LIMIT_KINDS = ("earn", "redeem", "gift", "return", "award")

_Key = tuple[str, ...]


def _limit_counts(member_uuid: str, kind: str, points: int, ref_no: str, day: str, breakdown: str | None,
                  paid_months: dict[tuple[str, str], str]) -> list[tuple[_Key, int]]:
    """What one entry adds to each limit it counts towards, as the tills count (``storage.repo``):
    earnings per day; points redeemed per month (payments and gifts, less what a refund returned
    of a payment or a cancellation of a gift, in the month of what it reverses); each gift per
    month, less the cancelled ones; each award once, per day and per referred member.
    ``paid_months`` learns the month of each payment with points and of each gift."""
    month = day[:7]
    if kind == "earn":
        return [(("daily_cap", member_uuid, day[:10]), points)]
    if kind == "redeem":
        paid_months[(member_uuid, ref_no)] = month
        return [(("redeem_cap", member_uuid, month), -points)]
    if kind == "return":
        paid = paid_months.get((member_uuid, ref_no))
        if not paid:
            return []
        out_back: list[tuple[_Key, int]] = [(("redeem_cap", member_uuid, paid), -points)]
        detail = _json_object(breakdown)
        if detail.get("cancel") and detail.get("gift"):  # a gift cancelled at its till
            out_back.append((("gift_limit", member_uuid, paid, str(detail["gift"])), -1))
        return out_back
    detail = _json_object(breakdown)
    if kind == "gift":
        paid_months[(member_uuid, ref_no)] = month
        return [(("gift_limit", member_uuid, month, str(detail.get("gift"))), 1),
                (("redeem_cap", member_uuid, month), -points)]
    # an award: its id is the entry's reference
    out: list[tuple[_Key, int]] = [(("award", member_uuid, ref_no), 1),
                                   (("award_day", member_uuid, ref_no, day[:10]), 1)]
    if detail.get("referred"):
        out.append((("award_referred", member_uuid, ref_no, str(detail["referred"])), 1))
    return out


def _json_object(text: str | None) -> dict[str, Any]:
    try:
        value = json.loads(text) if text else {}
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _limit_of(key: _Key, program: Program) -> tuple[int | None, bool]:
    """The limit ``key`` stands for in ``program`` (None: no limit) and whether it counts points
    (else entries)."""
    kind = key[0]
    if kind == "daily_cap":
        return program.earning.max_points_per_member_day, True
    if kind == "redeem_cap":
        return program.redemption.monthly_cap_points, True
    if kind == "gift_limit":
        gift = program.gift(key[3])
        return (gift.per_member_month_limit if gift else None), False
    award = program.award(key[2])
    if award is None:
        return None, False
    if kind == "award":
        return (1 if award.once else None), False
    if kind == "award_day":
        return award.daily_limit, False
    return (1 if award.referral else None), False  # award_referred


def _limit_details(key: _Key, limit: int, total: int, entry_uuid: str) -> dict[str, Any]:
    kind = key[0]
    if kind == "daily_cap":
        return {"limit": limit, "earned": total, "day": key[2], "entry": entry_uuid}
    if kind == "redeem_cap":
        return {"limit": limit, "redeemed": total, "month": key[2], "entry": entry_uuid}
    if kind == "gift_limit":
        return {"gift": key[3], "limit": limit, "count": total, "month": key[2], "entry": entry_uuid}
    details: dict[str, Any] = {"award": key[2], "limit": limit, "count": total, "entry": entry_uuid}
    if kind == "award_day":
        details["day"] = key[3]
    elif kind == "award_referred":
        details["referred"] = key[3]
    return details


def flag_crossed_limits(proj: Projection, term: db.Terminal, entries: list[dict[str, Any]]) -> None:
    """A limit the tills enforce on what they hold, crossed by this batch's entries together with
    what headquarters holds (another till's entries this till had not pulled yet): kept, and the
    entry that crossed it flagged (``daily_cap``, ``redeem_cap``, ``gift_limit``, ``award_limit``),
    with the points over the limit (caps) or the entry's points (counts). One query per push that
    has such entries: the members' entries since the first of the earliest month, and their awards."""
    todo = [f for f in entries if f["kind"] in _LIMIT_KINDS]
    if not todo:
        return
    since = min(str(f["business_date"])[:7] for f in todo) + "-01"
    members = sorted({f["member_uuid"] for f in todo})
    mark = db.proxy.obj.param
    # earnings count by day only: summed by the database (most of a member's entries are earnings,
    # and a push must not fetch each one of its members' month)
    rows = select_in(
        "SELECT member_uuid, 'earn', sum(points), '', business_date, NULL FROM entry"
        f" WHERE kind = 'earn' AND business_date >= {mark} AND member_uuid IN ({{marks}})"
        " GROUP BY member_uuid, business_date", members, params=[since])
    rows += select_in(
        "SELECT member_uuid, kind, points, ref_no, business_date,"
        " CASE WHEN kind IN ('gift', 'award') OR (kind = 'return' AND ref_type = 'redemption') THEN breakdown END"
        " FROM entry"
        f" WHERE kind IN ({', '.join(repr(k) for k in _LIMIT_KINDS if k != 'earn')})"
        f" AND (kind = 'award' OR business_date >= {mark}) AND member_uuid IN ({{marks}})",
        members, params=[since])
    paid_months: dict[tuple[str, str], str] = {}
    totals: dict[_Key, int] = {}
    for row in sorted(rows, key=lambda r: r[1] not in ("redeem", "gift")):  # payments, gifts first: returns name them
        for key, amount in _limit_counts(str(row[0]), str(row[1]), int(row[2]), str(row[3]), str(row[4]), row[5],
                                         paid_months):
            totals[key] = totals.get(key, 0) + amount
    programs: dict[int, Program | None] = {}
    for f in todo:
        program = _program_at(f["program_version"], programs)
        for key, amount in _limit_counts(f["member_uuid"], f["kind"], f["points"], str(f["ref_no"]),
                                         str(f["business_date"]), f["breakdown"], paid_months):
            total = totals[key] = totals.get(key, 0) + amount
            if program is None or amount <= 0:
                continue
            limit, of_points = _limit_of(key, program)
            if limit is None or total <= limit:
                continue
            points = min(amount, total - limit) if of_points else abs(int(f["points"]))
            proj.flag(key[0] if key[0] in ("daily_cap", "redeem_cap", "gift_limit") else "award_limit",
                      store_id=term.store_id, terminal_id=term.id, member_uuid=f["member_uuid"], ref=f["uuid"],
                      points=points, details=_limit_details(key, limit, total, f["uuid"]))


# -- lottery draws: limits and stock crossed by two tills ----------------------------------------------

def _draw_keys(member_uuid: str, store_id: str, day: str, detail: dict[str, Any]) -> list[tuple[_Key, int | None]]:
    """What one ``draw`` entry counts towards, with the limit the till checked it against (its
    breakdown records them, so headquarters needs no copy of the campaign): the member's draws
    that day and over the campaign, and the wins of a stocked prize at the store."""
    campaign = str(detail.get("campaign"))
    out: list[tuple[_Key, int | None]] = [
        (("draw_day", member_uuid, campaign, day[:10]), _limit(detail.get("daily_limit"))),
        (("draw_campaign", member_uuid, campaign), _limit(detail.get("campaign_limit"))),
    ]
    if detail.get("stock") is not None and detail.get("prize") == detail.get("landed"):
        out.append((("draw_stock", store_id, campaign, str(detail.get("prize"))), _limit(detail.get("stock"))))
    return out


def _limit(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def flag_draws(proj: Projection, term: db.Terminal, entries: list[dict[str, Any]]) -> None:
    """Draws that together with the ones headquarters holds cross a campaign's per-member daily
    or campaign limit (``draw_limit``), or win more of a stocked prize at a store than its stock
    (``draw_stock``: two tills offline, or a till that had not pulled the other's draws). The
    entries are kept as the tills wrote them; the flag names the entry that crossed. One query
    per campaign of the push's draws."""
    todo = [f for f in entries if f["kind"] == "draw"]
    if not todo:
        return
    details = {f["uuid"]: _json_object(f["breakdown"]) for f in todo}
    campaigns = sorted({str(d.get("campaign")) for d in details.values()})
    E = db.Entry
    totals: dict[_Key, int] = {}
    for campaign in campaigns:
        rows = tuples(E.select(E.member_uuid, E.store_id, E.business_date, E.breakdown)
                      .where((E.kind == "draw") & E.breakdown.contains(f'"campaign":{json.dumps(campaign)}')))
        for member_uuid, store_id, day, breakdown in rows:
            detail = _json_object(breakdown)
            if str(detail.get("campaign")) != campaign:
                continue
            for key, _ in _draw_keys(str(member_uuid), str(detail.get("store") or store_id), str(day), detail):
                totals[key] = totals.get(key, 0) + 1
    for f in todo:
        detail = details[f["uuid"]]
        store = str(detail.get("store") or term.store_id)
        for key, limit in _draw_keys(f["member_uuid"], store, str(f["business_date"]), detail):
            total = totals[key] = totals.get(key, 0) + 1
            if limit is None or total <= limit:
                continue
            if key[0] == "draw_stock":
                proj.flag("draw_stock", store_id=store, terminal_id=term.id, member_uuid=f["member_uuid"],
                          ref=f["uuid"], points=abs(int(f["points"])),
                          details={"campaign": key[2], "prize": key[3], "stock": limit, "count": total,
                                   "entry": f["uuid"]})
            else:
                proj.flag("draw_limit", store_id=term.store_id, terminal_id=term.id, member_uuid=f["member_uuid"],
                          ref=f["uuid"], points=abs(int(f["points"])),
                          details={"campaign": key[2], "limit": limit, "count": total,
                                   "day": key[3] if key[0] == "draw_day" else None, "entry": f["uuid"]})
