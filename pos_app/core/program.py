"""The loyalty program as data: a versioned TOML file, parsed and validated field by field.

A program is immutable once loaded. Every number the engine uses comes from here, so a
store chain changes its rules by publishing a new version of this file, never by code.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import tomllib
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from pos_app.core.errors import ProgramError

FORMAT_VERSION = 1
EXPIRY_MODES = ("rolling", "fixed_clear_down", "never")
BONUS_KINDS = ("first_purchase", "birthday")
GIFT_KINDS = ("coupon", "service", "goods")
SEGMENT_PREDICATES = (
    "balance_gt", "balance_lt", "purchases_gt", "purchases_lt",
    "last_purchase_days_gt", "registered_days_lt",
)
_ID_RE = re.compile(r"^[a-z0-9][a-z0-9_\-]{0,39}$", re.IGNORECASE)
_MULT_RE = re.compile(r"^\d{1,3}(\.\d{1,4})?$")


@dataclass(frozen=True)
class SaleCondition:
    """When a sale multiplier applies. Every given constraint must hold (AND)."""

    from_time: dt.time | None = None
    until_time: dt.time | None = None  # exclusive
    days_of_month: tuple[int, ...] = ()
    weekdays: tuple[int, ...] = ()  # ISO: 1 = Monday
    date_from: dt.date | None = None
    date_to: dt.date | None = None  # inclusive

    def matches(self, at: dt.datetime) -> bool:
        t = at.time()
        if self.from_time is not None and t < self.from_time:
            return False
        if self.until_time is not None and t >= self.until_time:
            return False
        if self.days_of_month and at.day not in self.days_of_month:
            return False
        if self.weekdays and at.isoweekday() not in self.weekdays:
            return False
        if self.date_from is not None and at.date() < self.date_from:
            return False
        return not (self.date_to is not None and at.date() > self.date_to)


@dataclass(frozen=True)
class LineCondition:
    """Which lines a line multiplier applies to. Any listed flag, category or SKU matches."""

    flags: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    skus: tuple[str, ...] = ()

    def matches(self, *, flags: tuple[str, ...], category: str, sku: str) -> bool:
        return (
            any(f in self.flags for f in flags)
            or category in self.categories
            or (bool(sku) and sku in self.skus)
        )


@dataclass(frozen=True)
class LineMultiplier:
    id: str
    multiplier: Fraction
    when: LineCondition
    name_zh: str = ""
    name_en: str = ""


@dataclass(frozen=True)
class SaleMultiplier:
    id: str
    multiplier: Fraction
    when: SaleCondition
    name_zh: str = ""
    name_en: str = ""


@dataclass(frozen=True)
class Bonus:
    id: str
    kind: str  # first_purchase | birthday
    points: int
    name_zh: str = ""
    name_en: str = ""


@dataclass(frozen=True)
class Earning:
    fen_per_point: int
    excluded_categories: tuple[str, ...]
    line_multipliers: tuple[LineMultiplier, ...]
    sale_multipliers: tuple[SaleMultiplier, ...]
    bonuses: tuple[Bonus, ...]
    max_points_per_sale: int | None
    max_points_per_member_day: int | None


@dataclass(frozen=True)
class Award:
    """A behaviour award (sign-up, survey, referral ...)."""

    id: str
    points: int
    once: bool = False
    daily_limit: int | None = None
    referral: bool = False  # granted to the referrer on the referred member's first purchase
    on_enroll: bool = False  # granted automatically when a member enrols
    # granted when the member scans their member code (会员码) at a till or a self-service point;
    # needs a daily_limit (签到: once a day)
    check_in: bool = False
    needs_reason: bool = False  # staff must say what the member did (the survey's name, the review)


@dataclass(frozen=True)
class Redemption:
    points_per_unit: int
    fen_per_unit: int
    min_points: int
    step_points: int
    max_share_percent: int
    monthly_cap_points: int | None
    approval_threshold_points: int | None

    def value_fen(self, points: int) -> int:
        """What ``points`` are worth as payment, in fen (exact for multiples of the step)."""
        return points * self.fen_per_unit // self.points_per_unit


@dataclass(frozen=True)
class Gift:
    code: str
    name_zh: str
    name_en: str
    points: int
    cash_fen: int = 0
    kind: str = "goods"
    coupon_value_fen: int = 0
    coupon_min_spend_fen: int = 0
    coupon_valid_days: int | None = None
    stock_tracked: bool = False
    per_member_month_limit: int | None = None


@dataclass(frozen=True)
class Expiry:
    mode: str  # rolling | fixed_clear_down | never
    months: int = 24
    years_after: int = 1
    notice_days: tuple[int, ...] = (30, 7, 1)


@dataclass(frozen=True)
class Tier:
    id: str
    name_zh: str
    name_en: str
    threshold: int
    multiplier: Fraction


@dataclass(frozen=True)
class TierRules:
    tiers: tuple[Tier, ...]  # ascending by threshold; the first has threshold 0
    qualifying_months: int = 12
    review_month: int = 1
    review_day: int = 1
    max_drop: int = 1

    def get(self, tier_id: str) -> Tier:
        for t in self.tiers:
            if t.id == tier_id:
                return t
        return self.tiers[0]

    def index(self, tier_id: str) -> int:
        for i, t in enumerate(self.tiers):
            if t.id == tier_id:
                return i
        return 0


@dataclass(frozen=True)
class Segment:
    id: str
    name_zh: str
    name_en: str
    when: tuple[tuple[str, int], ...]


@dataclass(frozen=True)
class Segments:
    window_days: int
    rules: tuple[Segment, ...]
    fallback: str = "regular"


@dataclass(frozen=True)
class Offline:
    silence_minutes: int = 10
    daily_redeem_points: int = 2000


@dataclass(frozen=True)
class Program:
    program_id: str
    version: int
    name: str
    earning: Earning
    redemption: Redemption
    expiry: Expiry
    tiers: TierRules
    awards: tuple[Award, ...] = ()
    gifts: tuple[Gift, ...] = ()
    segments: Segments = field(default_factory=lambda: Segments(90, ()))
    offline: Offline = field(default_factory=Offline)
    source: str = ""

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.source.encode("utf-8")).hexdigest()

    def gift(self, code: str) -> Gift | None:
        for g in self.gifts:
            if g.code == code:
                return g
        return None

    def rule_name(self, rule_id: str, language: str) -> str:
        """The display name of a multiplier, bonus or tier (``tier:gold``) in a language."""
        if rule_id.startswith("tier:"):
            tier = self.tiers.get(rule_id[5:])
            return tier.name_zh if language == "zh_CN" else tier.name_en
        rules: tuple[LineMultiplier | SaleMultiplier | Bonus, ...] = (
            *self.earning.line_multipliers, *self.earning.sale_multipliers, *self.earning.bonuses)
        for rule in rules:
            if rule.id == rule_id:
                name = rule.name_zh if language == "zh_CN" else rule.name_en
                return name or rule.id
        return rule_id

    def award(self, award_id: str) -> Award | None:
        for a in self.awards:
            if a.id == award_id:
                return a
        return None

    @property
    def check_in_award(self) -> Award | None:
        """The award a member's member code scan grants (签到), if the program has one."""
        return next((a for a in self.awards if a.check_in), None)


# --------------------------------------------------------------------------- parsing


class _Reader:
    """Reads typed values from a TOML table, raising ProgramError with the field's path."""

    def __init__(self, data: dict[str, Any], path: str) -> None:
        if not isinstance(data, dict):
            raise ProgramError(path or "program", "must be a table")
        self.data = data
        self.path = path
        self.seen: set[str] = set()

    def _p(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def has(self, key: str) -> bool:
        return key in self.data

    def raw(self, key: str, default: Any = ..., ) -> Any:
        self.seen.add(key)
        if key not in self.data:
            if default is ...:
                raise ProgramError(self._p(key), "is required")
            return default
        return self.data[key]

    def whole(self, key: str, default: Any = ..., *, lo: int = 0, hi: int = 10**9) -> Any:
        v = self.raw(key, default)
        if v is None or (v is default and default is not ...):
            return v
        if isinstance(v, bool) or not isinstance(v, int):
            raise ProgramError(self._p(key), f"must be a whole number, got {v!r}")
        if not lo <= v <= hi:
            raise ProgramError(self._p(key), f"must be between {lo} and {hi}, got {v}")
        return v

    def text(self, key: str, default: Any = ..., *, pattern: re.Pattern[str] | None = None) -> Any:
        v = self.raw(key, default)
        if v is default and default is not ...:
            return v
        if not isinstance(v, str) or not v.strip():
            raise ProgramError(self._p(key), f"must be a non-empty text, got {v!r}")
        if pattern is not None and not pattern.match(v):
            raise ProgramError(self._p(key), f"is not a valid identifier: {v!r}")
        return v

    def flag(self, key: str, default: bool = False) -> bool:
        v = self.raw(key, default)
        if not isinstance(v, bool):
            raise ProgramError(self._p(key), f"must be true or false, got {v!r}")
        return v

    def multiplier(self, key: str) -> Fraction:
        v = self.raw(key)
        if not isinstance(v, str) or not _MULT_RE.match(v):
            raise ProgramError(
                self._p(key), f"must be a decimal text such as \"1.2\" (exact, no floats), got {v!r}"
            )
        f = Fraction(v)
        if f <= 0 or f > 100:
            raise ProgramError(self._p(key), f"must be above 0 and at most 100, got {v}")
        return f

    def str_list(self, key: str) -> tuple[str, ...]:
        v = self.raw(key, [])
        if not isinstance(v, list) or not all(isinstance(x, str) and x for x in v):
            raise ProgramError(self._p(key), "must be a list of texts")
        return tuple(v)

    def int_list(self, key: str, *, lo: int, hi: int) -> tuple[int, ...]:
        v = self.raw(key, [])
        if isinstance(v, int) and not isinstance(v, bool):
            v = [v]
        if not isinstance(v, list) or not all(
            isinstance(x, int) and not isinstance(x, bool) and lo <= x <= hi for x in v
        ):
            raise ProgramError(self._p(key), f"must be a list of whole numbers from {lo} to {hi}")
        return tuple(v)

    def time(self, key: str) -> dt.time | None:
        v = self.raw(key, None)
        if v is None:
            return None
        if isinstance(v, dt.time):
            return v
        if isinstance(v, str) and re.fullmatch(r"\d{2}:\d{2}", v):
            try:
                return dt.time.fromisoformat(v)
            except ValueError:
                pass
        raise ProgramError(self._p(key), f"must be a time such as \"20:00\", got {v!r}")

    def date(self, key: str) -> dt.date | None:
        v = self.raw(key, None)
        if v is None:
            return None
        if isinstance(v, dt.date) and not isinstance(v, dt.datetime):
            return v
        if isinstance(v, str):
            try:
                return dt.date.fromisoformat(v)
            except ValueError:
                pass
        raise ProgramError(self._p(key), f"must be a date such as 2026-01-31, got {v!r}")

    def table(self, key: str, *, required: bool = True) -> _Reader:
        v = self.raw(key, ... if required else {})
        if not isinstance(v, dict):
            raise ProgramError(self._p(key), "must be a table")
        return _Reader(v, self._p(key))

    def tables(self, key: str) -> list[_Reader]:
        v = self.raw(key, [])
        if not isinstance(v, list):
            raise ProgramError(self._p(key), "must be a list of tables")
        out = []
        for i, item in enumerate(v):
            if not isinstance(item, dict):
                raise ProgramError(f"{self._p(key)}[{i}]", "must be a table")
            out.append(_Reader(item, f"{self._p(key)}[{i}]"))
        return out

    def done(self) -> None:
        """Unknown keys are typos that would silently change nothing: refuse them."""
        unknown = sorted(set(self.data) - self.seen)
        if unknown:
            raise ProgramError(self._p(unknown[0]), "is not a known setting")


#: The typed field reader, for other data files read the same way (``core.campaigns``).
FieldReader = _Reader


def _unique(items: list[Any], attr: str, path: str) -> None:
    seen: set[str] = set()
    for i, item in enumerate(items):
        key = getattr(item, attr)
        if key in seen:
            raise ProgramError(f"{path}[{i}].{attr}", f"duplicate {attr} {key!r}")
        seen.add(key)


def _parse_earning(r: _Reader) -> Earning:
    line_mults = []
    for t in r.tables("line_multipliers"):
        w = t.table("when")
        cond = LineCondition(w.str_list("flags"), w.str_list("categories"), w.str_list("skus"))
        w.done()
        if not (cond.flags or cond.categories or cond.skus):
            raise ProgramError(f"{t.path}.when", "needs at least one of flags, categories, skus")
        line_mults.append(LineMultiplier(t.text("id", pattern=_ID_RE), t.multiplier("multiplier"), cond,
                                         t.text("name_zh", ""), t.text("name_en", "")))
        t.done()
    _unique(line_mults, "id", f"{r.path}.line_multipliers")
    sale_mults = []
    for t in r.tables("sale_multipliers"):
        w = t.table("when")
        scond = SaleCondition(
            from_time=w.time("from_time"),
            until_time=w.time("until_time"),
            days_of_month=w.int_list("days_of_month", lo=1, hi=31),
            weekdays=w.int_list("weekdays", lo=1, hi=7),
            date_from=w.date("date_from"),
            date_to=w.date("date_to"),
        )
        w.done()
        if scond == SaleCondition():
            raise ProgramError(f"{t.path}.when", "needs at least one condition")
        if scond.from_time and scond.until_time and scond.until_time <= scond.from_time:
            raise ProgramError(f"{t.path}.when.until_time", "must be after from_time")
        sale_mults.append(
            SaleMultiplier(t.text("id", pattern=_ID_RE), t.multiplier("multiplier"), scond,
                           t.text("name_zh", ""), t.text("name_en", ""))
        )
        t.done()
    _unique(sale_mults, "id", f"{r.path}.sale_multipliers")
    bonuses = []
    for t in r.tables("bonuses"):
        kind = t.text("kind")
        if kind not in BONUS_KINDS:
            raise ProgramError(f"{t.path}.kind", f"must be one of {', '.join(BONUS_KINDS)}, got {kind!r}")
        bonuses.append(Bonus(t.text("id", pattern=_ID_RE), kind, t.whole("points", lo=1, hi=10**7),
                             t.text("name_zh", ""), t.text("name_en", "")))
        t.done()
    _unique(bonuses, "id", f"{r.path}.bonuses")
    e = Earning(
        fen_per_point=r.whole("fen_per_point", lo=1, hi=10**6),
        excluded_categories=r.str_list("excluded_categories"),
        line_multipliers=tuple(line_mults),
        sale_multipliers=tuple(sale_mults),
        bonuses=tuple(bonuses),
        max_points_per_sale=r.whole("max_points_per_sale", None, lo=1, hi=10**8),
        max_points_per_member_day=r.whole("max_points_per_member_day", None, lo=1, hi=10**8),
    )
    r.done()
    return e


def _parse_redemption(r: _Reader) -> Redemption:
    red = Redemption(
        points_per_unit=r.whole("points_per_unit", lo=1, hi=10**6),
        fen_per_unit=r.whole("fen_per_unit", lo=1, hi=10**6),
        min_points=r.whole("min_points", lo=1, hi=10**8),
        step_points=r.whole("step_points", lo=1, hi=10**8),
        max_share_percent=r.whole("max_share_percent", lo=1, hi=100),
        monthly_cap_points=r.whole("monthly_cap_points", None, lo=1, hi=10**9),
        approval_threshold_points=r.whole("approval_threshold_points", None, lo=1, hi=10**9),
    )
    if red.step_points * red.fen_per_unit % red.points_per_unit:
        raise ProgramError(
            f"{r.path}.step_points", "one step of points must be worth a whole number of fen"
        )
    if red.min_points % red.step_points:
        raise ProgramError(f"{r.path}.min_points", "must be a multiple of step_points")
    r.done()
    return red


def _parse_gifts(r: _Reader) -> tuple[Gift, ...]:
    gifts = []
    for t in r.tables("gifts"):
        kind = t.text("kind", "goods")
        if kind not in GIFT_KINDS:
            raise ProgramError(f"{t.path}.kind", f"must be one of {', '.join(GIFT_KINDS)}, got {kind!r}")
        g = Gift(
            code=t.text("code", pattern=_ID_RE),
            name_zh=t.text("name_zh"),
            name_en=t.text("name_en"),
            points=t.whole("points", lo=1, hi=10**8),
            cash_fen=t.whole("cash_fen", 0, lo=0, hi=10**9),
            kind=kind,
            coupon_value_fen=t.whole("coupon_value_fen", 0, lo=0, hi=10**9),
            coupon_min_spend_fen=t.whole("coupon_min_spend_fen", 0, lo=0, hi=10**9),
            coupon_valid_days=t.whole("coupon_valid_days", None, lo=1, hi=3660),
            stock_tracked=t.flag("stock_tracked", False),
            per_member_month_limit=t.whole("per_member_month_limit", None, lo=1, hi=10**6),
        )
        if g.kind == "coupon" and g.coupon_value_fen <= 0:
            raise ProgramError(f"{t.path}.coupon_value_fen", "a coupon gift needs a positive value")
        t.done()
        gifts.append(g)
    _unique(gifts, "code", "gifts")
    return tuple(gifts)


def _parse_tiers(r: _Reader) -> TierRules:
    tiers = []
    for t in r.tables("levels"):
        tiers.append(Tier(
            id=t.text("id", pattern=_ID_RE), name_zh=t.text("name_zh"), name_en=t.text("name_en"),
            threshold=t.whole("threshold", lo=0, hi=10**9), multiplier=t.multiplier("multiplier"),
        ))
        t.done()
    if not tiers:
        raise ProgramError(f"{r.path}.levels", "needs at least one tier")
    _unique(tiers, "id", f"{r.path}.levels")
    if tiers[0].threshold != 0:
        raise ProgramError(f"{r.path}.levels[0].threshold", "the first tier must start at 0")
    for i in range(1, len(tiers)):
        if tiers[i].threshold <= tiers[i - 1].threshold:
            raise ProgramError(f"{r.path}.levels[{i}].threshold", "thresholds must rise")
    rules = TierRules(
        tiers=tuple(tiers),
        qualifying_months=r.whole("qualifying_months", 12, lo=1, hi=120),
        review_month=r.whole("review_month", 1, lo=1, hi=12),
        review_day=r.whole("review_day", 1, lo=1, hi=28),
        max_drop=r.whole("max_drop", 1, lo=0, hi=100),
    )
    r.done()
    return rules


def _parse_expiry(r: _Reader) -> Expiry:
    mode = r.text("mode")
    if mode not in EXPIRY_MODES:
        raise ProgramError(f"{r.path}.mode", f"must be one of {', '.join(EXPIRY_MODES)}, got {mode!r}")
    e = Expiry(
        mode=mode,
        months=r.whole("months", 24, lo=1, hi=240),
        years_after=r.whole("years_after", 1, lo=0, hi=20),
        notice_days=tuple(sorted(r.int_list("notice_days", lo=1, hi=366), reverse=True)),
    )
    r.done()
    return e


def _parse_awards(r: _Reader) -> tuple[Award, ...]:
    awards = []
    for t in r.tables("awards"):
        awards.append(Award(
            id=t.text("id", pattern=_ID_RE), points=t.whole("points", lo=1, hi=10**7),
            once=t.flag("once"), daily_limit=t.whole("daily_limit", None, lo=1, hi=1000),
            referral=t.flag("referral"), on_enroll=t.flag("on_enroll"), check_in=t.flag("check_in"),
            needs_reason=t.flag("needs_reason"),
        ))
        t.done()
        a = awards[-1]
        if a.check_in and a.daily_limit is None:
            raise ProgramError(t._p("daily_limit"), "a check-in award needs a daily limit")
        if sum(1 for x in (a.check_in, a.referral, a.on_enroll) if x) > 1:
            raise ProgramError(t._p("check_in"), "an award is granted one way: check_in, referral or on_enroll")
    _unique(awards, "id", "awards")
    return tuple(awards)


def _parse_segments(r: _Reader) -> Segments:
    rules = []
    for t in r.tables("rules"):
        w = t.table("when")
        conds = []
        for key in sorted(w.data):
            if key not in SEGMENT_PREDICATES:
                raise ProgramError(
                    f"{w.path}.{key}", f"unknown condition; use {', '.join(SEGMENT_PREDICATES)}"
                )
            conds.append((key, w.whole(key, lo=0, hi=10**9)))
        rules.append(Segment(t.text("id", pattern=_ID_RE), t.text("name_zh"), t.text("name_en"), tuple(conds)))
        t.done()
    _unique(rules, "id", f"{r.path}.rules")
    s = Segments(window_days=r.whole("window_days", 90, lo=1, hi=3660), rules=tuple(rules),
                 fallback=r.text("fallback", "regular", pattern=_ID_RE))
    r.done()
    return s


def parse_program(text: str) -> Program:
    """Parse and validate a program file; raises ProgramError naming the first bad field."""
    if not isinstance(text, str):
        raise ProgramError("program", "must be text")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ProgramError("program", f"is not valid TOML: {exc}") from None
    root = _Reader(data, "")
    fmt = root.whole("format", lo=1, hi=10**6)
    if fmt != FORMAT_VERSION:
        raise ProgramError("format", f"this version reads program format {FORMAT_VERSION}, got {fmt}")
    meta = root.table("program")
    program_id = meta.text("id", pattern=_ID_RE)
    version = meta.whole("version", lo=1, hi=10**9)
    name = meta.text("name")
    meta.done()
    earning = _parse_earning(root.table("earning"))
    redemption = _parse_redemption(root.table("redemption"))
    expiry = _parse_expiry(root.table("expiry"))
    tiers = _parse_tiers(root.table("tiers"))
    awards = _parse_awards(root)
    gifts = _parse_gifts(root)
    segments = _parse_segments(root.table("segments", required=False)) if root.has("segments") else Segments(90, ())
    offline_r = root.table("offline", required=False)
    offline = Offline(
        silence_minutes=offline_r.whole("silence_minutes", 10, lo=1, hi=10**6),
        daily_redeem_points=offline_r.whole("daily_redeem_points", 2000, lo=0, hi=10**9),
    )
    offline_r.done()
    root.done()
    return Program(
        program_id=program_id, version=version, name=name, earning=earning,
        redemption=redemption, expiry=expiry, tiers=tiers, awards=awards, gifts=gifts,
        segments=segments, offline=offline, source=text,
    )
