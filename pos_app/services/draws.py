"""Lottery draws at the counter (积分抽奖, ``core.draws``): a present member pays a draw
campaign's cost in points and wins what ``secrets.randbelow`` lands on.

One transaction writes everything:

- a ``draw`` entry: ``-cost`` points, reference ``draw``/the draw number, breakdown with the
  campaign (id, version, digest), the value drawn and its range, the odds digest, the prize the
  value landed on and the prize won (they differ when the landed prize was out of stock here),
  and the limits and stock it was checked against, so an auditor recomputes the outcome
  (``verify_draws``) and headquarters checks the limits and the stock across tills;
- a points prize: a ``draw_win`` entry crediting the points as a lot (expiring like earned points);
- a coupon prize: a coupon issued like a coupon gift's (``coupon_issue`` event, the gift's value
  and terms);
- a gift prize: the gift's stock taken (if the program tracks it) and a redemption record of 0
  points, sent to headquarters as a ``redemption`` event (its stock moves follow). A draw's gift
  cannot be cancelled at the till (the draw stands).

Rules, each refused with nothing written: the member present (``services.presence``, as for
spending points); the campaign a running ``draw`` campaign of this store whose prizes fit the
program in force (``core.draws.check_payout``); the balance; the campaign's ``daily_limit``
(draws per member per business day) and ``campaign_limit`` (per member over the campaign),
counted from the ``draw`` entries this till holds (its own and those pulled from headquarters,
like a gift's monthly limit); while headquarters is silent, the offline allowance (a draw's cost
counts as points redeemed on this till today, ``services.sync.enforce_offline_allowance``).

Stock: a prize's ``stock`` is per store. What is left here is the stock less the wins of that
prize at this store in the draw entries this till holds; a prize with none left falls to the
campaign's "谢谢参与" prize (``core.draws.draw``). Two tills offline (or a member of another
store drawing at a till of this one) can both take the last one: headquarters flags it
(``draw_stock``), as it flags limits crossed together (``draw_limit``).

Refunds: a draw stands. It was paid with points, not with a sale, so refunding a sale (even the
one whose points paid for it) never touches a draw, its cost or what it won.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pos_app.core import draws as core_draws
from pos_app.core import lots as core_lots
from pos_app.core.campaigns import Campaign
from pos_app.core.errors import ProgramError, RuleViolation
from pos_app.services.campaigns import campaign_in_force
from pos_app.services.context import Terminal
from pos_app.services.lapse import lapse_expired, spendable
from pos_app.services.members import find_member, require_active
from pos_app.services.presence import of_reference, require_present
from pos_app.services.staff import require_manager
from pos_app.services.sync import enforce_offline_allowance
from pos_app.storage.ledger import iso
from pos_app.storage.repo import MemberRecord

#: where the random value comes from: ``secrets.randbelow``; tests may pass their own
RandBelow = Callable[[int], int]


@dataclass(frozen=True)
class DrawResult:
    """A draw's outcome, small enough for the window and the customer display to pass on."""

    draw_no: str
    campaign_id: str
    campaign_version: int
    campaign_name_zh: str
    campaign_name_en: str
    cost_points: int
    prize_code: str
    prize_kind: str  # points | coupon | gift | none
    prize_name_zh: str
    prize_name_en: str
    points_won: int
    coupon_code: str | None
    coupon_valid_until: dt.date | None
    redemption_no: str | None
    value: int
    range: int
    out_of_stock: bool
    balance_after: int
    member: MemberRecord = field(repr=False)

    @property
    def won(self) -> bool:
        return self.prize_kind != "none"

    def prize_name(self, language: str) -> str:
        return self.prize_name_zh if language == "zh_CN" else self.prize_name_en

    def campaign_name(self, language: str) -> str:
        return self.campaign_name_zh if language == "zh_CN" else self.campaign_name_en

    def to_dict(self) -> dict[str, Any]:
        return {
            "draw_no": self.draw_no, "campaign": self.campaign_id, "version": self.campaign_version,
            "cost_points": self.cost_points, "prize": self.prize_code, "prize_kind": self.prize_kind,
            "prize_name_zh": self.prize_name_zh, "prize_name_en": self.prize_name_en,
            "points_won": self.points_won, "coupon_code": self.coupon_code,
            "coupon_valid_until": self.coupon_valid_until.isoformat() if self.coupon_valid_until else None,
            "redemption_no": self.redemption_no, "value": self.value, "range": self.range,
            "out_of_stock": self.out_of_stock, "balance_after": self.balance_after,
        }


def draw_campaign(t: Terminal, campaign_id: str, day: dt.date) -> tuple[Campaign, core_draws.DrawBody]:
    """A running draw campaign of this store whose prizes fit the program in force."""
    campaign = campaign_in_force(t, campaign_id, core_draws.KIND, day)
    body = campaign.body
    assert isinstance(body, core_draws.DrawBody)
    try:
        core_draws.check_payout(body, t.program)
    except ProgramError as exc:
        raise RuleViolation("campaign", f"campaign {campaign.campaign_id} does not fit the program in force"
                            f" ({exc.field}: {exc.message})", reason="program") from None
    return campaign, body


def stock_left(t: Terminal, campaign: Campaign, body: core_draws.DrawBody) -> dict[str, int]:
    """What is left at this store of each stocked prize, by the draw entries this till holds."""
    won = t.repo.draw_wins(campaign.campaign_id, t.store_id)
    return {p.code: max(0, p.stock - won.get(p.code, 0)) for p in body.prizes if p.stock is not None}


def check_limits(t: Terminal, member_id: int, campaign: Campaign, body: core_draws.DrawBody, day: dt.date) -> None:
    if body.daily_limit is not None:
        today = t.repo.draws_of_member(member_id, campaign.campaign_id, day)
        if today >= body.daily_limit:
            raise RuleViolation("campaign", f"at most {body.daily_limit} draws per member per day"
                                f" ({today} today)", reason="daily_limit", limit=body.daily_limit, count=today)
    if body.campaign_limit is not None:
        total = t.repo.draws_of_member(member_id, campaign.campaign_id)
        if total >= body.campaign_limit:
            raise RuleViolation("campaign", f"at most {body.campaign_limit} draws per member in this campaign"
                                f" ({total} so far)", reason="campaign_limit", limit=body.campaign_limit, count=total)


def _check_balance(balance: int, cost: int) -> None:
    if balance < cost:
        raise RuleViolation("points", f"balance is {balance} points, a draw costs {cost}", balance=balance,
                            needed=cost)


def run_draw(t: Terminal, *, member_ref: str, campaign_id: str, staff_code: str | None = None,
             manager_code: str | None = None, manager_pin: str | None = None, at: dt.datetime | None = None,
             presence: str | None = None, queue_slip: bool = False,
             randbelow: RandBelow | None = None) -> DrawResult:
    """One draw for a present member (see the module's text); with ``queue_slip`` its slip is
    queued in the same transaction. A manager's number and PIN only lift the offline allowance."""
    stamp = t.stamp(at, staff_code)
    campaign, body = draw_campaign(t, campaign_id, stamp.day)
    member = require_active(find_member(t, member_ref))
    require_present(t, member.uuid, presence or of_reference(member_ref), what="draw")
    check_limits(t, member.id, campaign, body, stamp.day)
    _check_balance(spendable(t, member, stamp), body.cost_points)
    approved_by = require_manager(t, manager_code, manager_pin).code if manager_code else None
    program = t.program
    with t.database.transaction():
        member = require_active(find_member(t, member_ref))
        if lapse_expired(t, member, stamp):
            member = require_active(find_member(t, member_ref))
        check_limits(t, member.id, campaign, body, stamp.day)
        _check_balance(member.balance, body.cost_points)
        draw_no = f"{t.receipt_prefix()}-D{t.ledger.next_number('draw'):07d}"
        enforce_offline_allowance(t, points=body.cost_points, stamp=stamp, ref=draw_no, approved_by=approved_by)
        left = stock_left(t, campaign, body)
        outcome = core_draws.draw(body, (randbelow or secrets.randbelow)(body.range), left)
        prize = outcome.prize
        gift = program.gift(prize.gift_code) if prize.gift_code else None
        if prize.kind == "gift" and gift is not None and gift.stock_tracked and (t.repo.gift_stock(gift.code) or 0) < 1:
            # the store has none of the gift itself: the prize is out of stock
            fallback = body.fallback
            assert fallback is not None or prize.stock is None
            if fallback is not None:
                outcome = core_draws.Outcome(outcome.value, outcome.range, outcome.landed, fallback)
                prize, gift = fallback, None
        coupon_code = valid_until = redemption_no = None
        if prize.kind == "coupon" and gift is not None:
            coupon_code = f"CP{secrets.token_hex(6).upper()}"
            valid_until = stamp.day + dt.timedelta(days=gift.coupon_valid_days) if gift.coupon_valid_days else None
        elif prize.kind == "gift" and gift is not None:
            redemption_no = f"{t.receipt_prefix()}-G{t.ledger.next_number('redemption'):07d}"
        breakdown = {
            "campaign": campaign.campaign_id, "version": campaign.version, "digest": campaign.digest,
            "odds_digest": body.odds_digest, "value": outcome.value, "range": outcome.range,
            "landed": outcome.landed.code, "prize": prize.code, "prize_kind": prize.kind, "prize_value": prize.value,
            "cost": body.cost_points, "store": t.store_id, "daily_limit": body.daily_limit,
            "campaign_limit": body.campaign_limit, "stock": prize.stock,
            "stock_left": left.get(prize.code), "approved_by": approved_by,
            "coupon_code": coupon_code, "coupon_valid_until": valid_until.isoformat() if valid_until else None,
            "redemption_no": redemption_no,
        }
        entry_id = t.ledger.append(
            member_id=member.id, member_uuid=member.uuid, kind="draw", points=-body.cost_points, ref_type="draw",
            ref_no=draw_no, breakdown=breakdown, stamp=stamp, program_version=program.version,
        )
        t.ledger.debit_lots(member_id=member.id, entry_id=entry_id, points=body.cost_points)
        if prize.kind == "points":
            win_id = t.ledger.append(
                member_id=member.id, member_uuid=member.uuid, kind="draw_win", points=prize.points, ref_type="draw",
                ref_no=draw_no, breakdown={"campaign": campaign.campaign_id, "version": campaign.version,
                                           "prize": prize.code, "points": prize.points},
                stamp=stamp, program_version=program.version,
            )
            t.ledger.credit_lot(member_id=member.id, entry_id=win_id, points=prize.points, earned_on=stamp.day,
                                expires_on=core_lots.expiry_date(program.expiry, stamp.day))
        elif coupon_code is not None and gift is not None:
            t.repo.insert_coupon(code=coupon_code, member=member.id, gift_code=gift.code,
                                 value_fen=gift.coupon_value_fen, min_spend_fen=gift.coupon_min_spend_fen,
                                 issued_at=iso(stamp.at), valid_until=valid_until.isoformat() if valid_until else None)
            t.ledger.outbox_event("coupon_issue", coupon_code, {
                "member": member.uuid, "gift": gift.code, "value_fen": gift.coupon_value_fen,
                "min_spend_fen": gift.coupon_min_spend_fen,
                "valid_until": valid_until.isoformat() if valid_until else None}, stamp)
        elif redemption_no is not None and gift is not None:
            if gift.stock_tracked:
                t.repo.take_gift_stock(gift.code)
            t.repo.insert("redemption", {
                "redemption_no": redemption_no, "member_id": member.id, "gift_code": gift.code, "points": 0,
                "cash_fen": 0, "approved_by": None, "staff_code": staff_code, "created_at": iso(stamp.at),
                "business_date": stamp.day.isoformat(), "coupon_code": None,
            })
            t.ledger.outbox_event("redemption", redemption_no, {
                "member": member.uuid, "gift": gift.code, "points": 0, "cash_fen": 0, "approved_by": None,
                "staff_code": staff_code, "created_at": iso(stamp.at), "business_date": stamp.day.isoformat(),
                "coupon_code": None}, stamp)
        t.ledger.audit("draw.run", draw_no, {
            "campaign": campaign.campaign_id, "version": campaign.version, "prize": prize.code,
            "value": outcome.value, "range": outcome.range, "coupon_code": coupon_code,
            "redemption_no": redemption_no}, stamp)
        if queue_slip:  # the draw's slip, and a coupon won prints its own coupon slip too
            t.repo.queue_print_job("draw", draw_no, {}, iso(stamp.recorded_at))
            if coupon_code is not None:
                t.repo.queue_print_job("coupon", coupon_code, {}, iso(stamp.recorded_at))
    after = t.repo.member_by_id(member.id)
    assert after is not None
    return DrawResult(
        draw_no=draw_no, campaign_id=campaign.campaign_id, campaign_version=campaign.version,
        campaign_name_zh=campaign.name_zh, campaign_name_en=campaign.name_en, cost_points=body.cost_points,
        prize_code=prize.code, prize_kind=prize.kind, prize_name_zh=prize.name_zh, prize_name_en=prize.name_en,
        points_won=prize.points, coupon_code=coupon_code, coupon_valid_until=valid_until,
        redemption_no=redemption_no, value=outcome.value, range=outcome.range,
        out_of_stock=prize is not outcome.landed, balance_after=after.balance, member=after,
    )


def draw_result(t: Terminal, draw_no: str) -> DrawResult | None:
    """A draw made at this till, rebuilt from its entries (the slip's source)."""
    rows = t.repo.draw_entries(draw_no)
    main = next((r for r in rows if r["kind"] == "draw"), None)
    if main is None:
        return None
    b = main["breakdown"]
    campaign = t.repo.campaign(str(b["campaign"]), int(b["version"]))
    body = campaign.body if campaign is not None else None
    prize = body.prize(str(b["prize"])) if isinstance(body, core_draws.DrawBody) else None
    member = t.repo.member_by_id(int(main["member_id"]))
    assert member is not None
    won = next((int(r["points"]) for r in rows if r["kind"] == "draw_win"), 0)
    return DrawResult(
        draw_no=draw_no, campaign_id=str(b["campaign"]), campaign_version=int(b["version"]),
        campaign_name_zh=campaign.name_zh if campaign else str(b["campaign"]),
        campaign_name_en=campaign.name_en if campaign else str(b["campaign"]), cost_points=int(b["cost"]),
        prize_code=str(b["prize"]), prize_kind=str(b["prize_kind"]),
        prize_name_zh=prize.name_zh if prize else str(b["prize"]),
        prize_name_en=prize.name_en if prize else str(b["prize"]),
        points_won=won, coupon_code=b.get("coupon_code"),
        coupon_valid_until=dt.date.fromisoformat(b["coupon_valid_until"]) if b.get("coupon_valid_until") else None,
        redemption_no=b.get("redemption_no"), value=int(b["value"]), range=int(b["range"]),
        out_of_stock=b["landed"] != b["prize"], balance_after=int(rows[-1]["balance_after"]), member=member,
    )


def verify_draws(t: Terminal) -> list[dict[str, Any]]:
    """Every draw entry held, drawn again (``verify_draw_entry``): the ones that do not match."""
    out = []
    for draw_no, breakdown in t.repo.draw_breakdowns():
        problem = verify_draw_entry(t, breakdown)
        if problem is not None:
            out.append({"draw_no": draw_no, "problem": problem})
    return out


def verify_draw_entry(t: Terminal, breakdown: dict[str, Any]) -> str | None:
    """An auditor's check of one draw entry: the campaign version it names (by digest) drawn
    again with the recorded value and stock gives the recorded outcome. None when it does,
    else what is wrong."""
    campaign = t.repo.campaign(str(breakdown.get("campaign")), int(breakdown.get("version") or 0))
    if campaign is None:
        return "campaign version not held"
    if campaign.digest != breakdown.get("digest"):
        return "campaign text differs from the one drawn under"
    body = campaign.body
    assert isinstance(body, core_draws.DrawBody)
    if body.odds_digest != breakdown.get("odds_digest") or body.range != breakdown.get("range"):
        return "odds differ"
    landed = core_draws.draw(body, int(breakdown["value"]), {}).landed
    if landed.code != breakdown.get("landed"):
        return f"value {breakdown['value']} lands on {landed.code}, not {breakdown.get('landed')}"
    won = str(breakdown.get("prize"))
    if won != landed.code and (body.fallback is None or won != body.fallback.code):
        return f"prize {won} is neither the landed prize nor the fallback"
    return None
