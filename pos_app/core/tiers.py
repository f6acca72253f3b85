"""Tiers: qualifying points over a trailing window, immediate upgrades, the yearly review."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from pos_app.core.program import Tier, TierRules


def month_key(day: dt.date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def qualifying_months(rules: TierRules, today: dt.date) -> list[str]:
    """The calendar months that make up the trailing window: this month and the ones before."""
    keys = []
    y, m = today.year, today.month
    for _ in range(rules.qualifying_months):
        keys.append(f"{y:04d}-{m:02d}")
        m -= 1
        if m == 0:
            y, m = y - 1, 12
    return keys


def qualifying_points(rules: TierRules, buckets: Mapping[str, int], today: dt.date) -> int:
    return sum(buckets.get(k, 0) for k in qualifying_months(rules, today))


def tier_reached(rules: TierRules, points: int) -> Tier:
    reached = rules.tiers[0]
    for t in rules.tiers:
        if points >= t.threshold:
            reached = t
    return reached


def upgrade(rules: TierRules, current: str, points: int) -> Tier | None:
    """The new tier if ``points`` reach a higher one than ``current``; upgrades never wait."""
    reached = tier_reached(rules, points)
    return reached if rules.index(reached.id) > rules.index(current) else None


def review(rules: TierRules, current: str, points: int) -> Tier:
    """The yearly review (保级): keep what the points reach, drop at most ``max_drop`` levels."""
    reached = rules.index(tier_reached(rules, points).id)
    cur = rules.index(current)
    if reached >= cur:
        return rules.tiers[reached]
    return rules.tiers[max(reached, cur - rules.max_drop)]


def next_tier(rules: TierRules, current: str, points: int) -> tuple[Tier, int] | None:
    """The next tier up and the qualifying points still missing (for a progress bar)."""
    i = rules.index(current)
    if i + 1 >= len(rules.tiers):
        return None
    nxt = rules.tiers[i + 1]
    return nxt, max(0, nxt.threshold - points)


def review_period_start(rules: TierRules, review_date: dt.date) -> dt.date:
    """The first day of the period a review looks at: the trailing window that ends the day
    before the review (for a 1 January review and 12 months, 1 January of the year before)."""
    first = qualifying_months(rules, review_date - dt.timedelta(days=1))[-1]
    return dt.date(int(first[:4]), int(first[5:7]), 1)


def under_review(rules: TierRules, review_date: dt.date, enrolled_on: dt.date | None) -> bool:
    """A member is reviewed only over a period they were a member for the whole of: enrolled
    on or before the period's first day (unknown enrolment counts as long ago). A member who
    joined later keeps their tier until the first review whose whole period they were a
    member for."""
    return enrolled_on is None or enrolled_on <= review_period_start(rules, review_date)


def review_due(rules: TierRules, last_review: dt.date | None, today: dt.date) -> dt.date | None:
    """The most recent review date that has not been run yet, if any."""
    this_year = dt.date(today.year, rules.review_month, rules.review_day)
    due = this_year if today >= this_year else dt.date(today.year - 1, rules.review_month, rules.review_day)
    if last_review is not None and last_review >= due:
        return None
    return due
