"""The customer display's state (客显): what the customer sees of the sale, fed by the checkout view-model.

No widgets here: the window (ui/widgets/customer_display.py) only lays out what this holds, so the
display's behaviour is tested without pixels. Three states: ``idle`` between customers (the
self-enrolment QR code and the program's promotions), ``sale`` while a member or a basket is at
the counter, ``done`` after a completed sale (the points it earned) until the next customer or
``idle_seconds`` later. Draw and donation results (issue 16) are shown over any state for a
few seconds through ``show_draw_result`` and ``show_donation``.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from pos_app.core.earning import EarnResult
from pos_app.core.errors import PosError
from pos_app.core.money import format_fen, fraction_text
from pos_app.core.program import Gift, Program, SaleCondition
from pos_app.services import catalog
from pos_app.services.context import Terminal
from pos_app.services.sales import SaleResult
from pos_app.services.settings import load_settings
from pos_app.ui.qt import QObject, QTimer, Signal
from pos_app.ui.viewmodels.checkout import CheckoutViewModel

IDLE, SALE, DONE = "idle", "sale", "done"
MESSAGE_SECONDS = 8  # how long a draw or donation result stays up
MAX_PROMOTIONS = 6
NEW_PRODUCTS_SHOWN = 3


def yuan_text(fen: int) -> str:
    return f"¥{format_fen(fen)}"


def points_text(points: int) -> str:
    return f"{points:,}"


def masked_name(name: str) -> str:
    """The member's name as the queue behind them may see it: the first character, then stars."""
    name = name.strip()
    if len(name) <= 1:
        return name
    return name[0] + "*" * min(len(name) - 1, 2)


@dataclass(frozen=True)
class DisplayLine:
    name: str
    qty: int
    unit_text: str
    amount_text: str
    new: bool = False


@dataclass(frozen=True)
class GiftGoal:
    """The cheapest gift in stock above the balance after the sale, within the configured distance."""

    code: str
    name: str
    points: int  # the gift's price in points
    missing: int  # points still to collect


def nearest_gift(program: Program, balance: int, distance: int, in_stock: dict[str, bool],
                 language: str) -> GiftGoal | None:
    """The goal-gradient nudge (seed 003, 目标梯度效应): of the gifts the member cannot afford yet
    but is at most ``distance`` points away from, the cheapest one in stock (``in_stock`` by gift
    code; a gift not listed is not stock-tracked and always available)."""
    best: Gift | None = None
    for g in program.gifts:
        if g.points <= balance or g.points - balance > distance or not in_stock.get(g.code, True):
            continue
        if best is None or g.points < best.points:
            best = g
    if best is None:
        return None
    name = best.name_zh if language == "zh_CN" else best.name_en
    return GiftGoal(best.code, name, best.points, best.points - balance)


class CustomerDisplayViewModel(QObject):
    """Signals: ``changed()`` (anything shown changed: read the attributes again),
    ``message_changed()`` (a draw or donation message appeared or went)."""

    changed = Signal()
    message_changed = Signal()

    def __init__(self, checkout: CheckoutViewModel, language: str | None = None) -> None:
        super().__init__()
        self.checkout = checkout
        self.terminal: Terminal = checkout.terminal
        self.language = language or checkout.language
        self.state = IDLE
        self.lines: list[DisplayLine] = []
        self.total_text = ""
        self.due_text = ""  # what is left to pay after points and coupon ("" when the same as the total)
        self.member_text = ""
        self.earn_points: int | None = None
        self.earn_reason = ""
        self.balance_after: int | None = None
        self.tier_text = ""
        self.tier_progress: tuple[int, int] | None = None  # (value, maximum) for a progress bar
        self.gift: GiftGoal | None = None
        self.gift_text = ""
        self.done_title = ""
        self.done_text = ""
        self.enrol_url = ""
        self.promotions: list[str] = []
        self.message = ""
        self.message_kind = ""  # draw | donation
        self.message_progress: float | None = None
        self.gift_distance = 3000
        self.idle_seconds = 15
        self.message_seconds = MESSAGE_SECONDS
        self._done_sale: SaleResult | None = None
        self._idle_timer = QTimer(self)
        self._idle_timer.setSingleShot(True)
        self._idle_timer.timeout.connect(self._on_idle_timeout)
        self._message_timer = QTimer(self)
        self._message_timer.setSingleShot(True)
        self._message_timer.timeout.connect(self.clear_message)
        self.reload_settings()
        checkout.member_changed.connect(self._on_checkout_changed)
        checkout.basket_changed.connect(self._on_checkout_changed)
        checkout.preview_changed.connect(self._on_checkout_changed)
        checkout.coupon_changed.connect(self._on_checkout_changed)
        checkout.sale_completed.connect(self._on_sale_completed)
        self._refresh()

    # -- settings and the idle view ------------------------------------------------------------------
    def reload_settings(self) -> None:
        """The display's settings and the program's promotions as they are now (after a save or a sync)."""
        s = load_settings(self.terminal)
        self.enrol_url = s.display_enrol_url
        self.gift_distance = s.display_gift_distance
        self.idle_seconds = s.display_idle_seconds
        try:
            self.promotions = self._promotions(self.terminal.program)
        except PosError:  # no program loaded yet: nothing to promote
            self.promotions = []
        self.changed.emit()

    def _when_text(self, when: SaleCondition) -> str:
        parts = []
        if when.days_of_month:
            parts.append(self.tr("day %1 of every month").replace("%1", ", ".join(map(str, when.days_of_month))))
        if when.weekdays:
            names = [self._weekday(d) for d in when.weekdays]
            parts.append(self.tr("every %1").replace("%1", ", ".join(names)))
        if when.from_time is not None and when.until_time is not None:
            parts.append(self.tr("%1 to %2").replace("%1", when.from_time.strftime("%H:%M"))
                         .replace("%2", when.until_time.strftime("%H:%M")))
        elif when.from_time is not None:
            parts.append(self.tr("from %1").replace("%1", when.from_time.strftime("%H:%M")))
        elif when.until_time is not None:
            parts.append(self.tr("until %1").replace("%1", when.until_time.strftime("%H:%M")))
        if when.date_from is not None or when.date_to is not None:
            parts.append(self.tr("%1 to %2").replace("%1", when.date_from.isoformat() if when.date_from else "")
                         .replace("%2", when.date_to.isoformat() if when.date_to else "").strip())
        return self.tr(", ").join(parts)

    def _weekday(self, iso_day: int) -> str:
        names = [self.tr("Monday"), self.tr("Tuesday"), self.tr("Wednesday"), self.tr("Thursday"),
                 self.tr("Friday"), self.tr("Saturday"), self.tr("Sunday")]
        return names[(iso_day - 1) % 7]

    def _promotions(self, program: Program) -> list[str]:
        """The program's time rules (member day, evening hours) and line rules (new products) as
        one line each, with the names of a few products they apply to."""
        out = []
        for sm in program.earning.sale_multipliers:
            if sm.multiplier == 1:
                continue
            name = program.rule_name(sm.id, self.language)
            when = self._when_text(sm.when)
            out.append(self.tr("%1 (%2): points ×%3").replace("%1", name).replace("%2", when)
                       .replace("%3", fraction_text(sm.multiplier)) if when else
                       self.tr("%1: points ×%2").replace("%1", name).replace("%2", fraction_text(sm.multiplier)))
        for lm in program.earning.line_multipliers:
            if lm.multiplier == 1:
                continue
            name = program.rule_name(lm.id, self.language)
            products: list[str] = []
            for flag in lm.when.flags:
                products += [p.name for p in catalog.flagged_products(self.terminal, flag, NEW_PRODUCTS_SHOWN)]
            text = self.tr("%1: points ×%2").replace("%1", name).replace("%2", fraction_text(lm.multiplier))
            if products:
                text += self.tr(": %1").replace("%1", self.tr(", ").join(products[:NEW_PRODUCTS_SHOWN]))
            out.append(text)
        return out[:MAX_PROMOTIONS]

    # -- following the checkout ----------------------------------------------------------------------
    def _on_checkout_changed(self) -> None:
        co = self.checkout
        if co.lines or co.member is not None:
            self._done_sale = None  # the next customer: the last sale's thanks go
            self._idle_timer.stop()
        self._refresh()

    def _on_sale_completed(self, result: SaleResult) -> None:
        self._done_sale = result
        self._idle_timer.start(self.idle_seconds * 1000)
        self._refresh()

    def _on_idle_timeout(self) -> None:
        self._done_sale = None
        self._refresh()

    def _refresh(self) -> None:
        co = self.checkout
        if co.lines or co.member is not None:
            self.state = SALE
            self._show_sale()
        elif self._done_sale is not None:
            self.state = DONE
            self._show_done(self._done_sale)
        else:
            self.state = IDLE
            self._clear_sale()
        self.changed.emit()

    def _clear_sale(self) -> None:
        self.lines = []
        self.total_text = self.due_text = self.member_text = self.earn_reason = ""
        self.earn_points = self.balance_after = None
        self.tier_text = self.gift_text = ""
        self.tier_progress = None
        self.gift = None

    def _show_sale(self) -> None:
        co = self.checkout
        self._clear_sale()
        self.lines = [DisplayLine(ln.name or self.tr("Amount"), ln.qty, yuan_text(ln.unit_price_fen),
                                  yuan_text(ln.net_fen), "new" in ln.flags) for ln in co.lines]
        q = co.quote
        if q is not None:
            self.total_text = yuan_text(q.total_fen)
            if q.tender_fen != q.total_fen:
                self.due_text = yuan_text(q.tender_fen)
        pic = co.member
        if pic is None:
            self.earn_reason = self.tr("Members earn points: show your member code")
            return
        program = self.terminal.program
        m = pic.member
        self.member_text = f"{masked_name(m.name)} · {program.rule_name('tier:' + m.tier, self.language)}"
        earn = q.earn if q is not None else None
        paid = q.points_paid if q is not None else 0
        earned = earn.total if earn is not None else 0
        self.earn_points = earned if earn is not None else None
        self.earn_reason = self.earn_reason_text(program, earn) if earn is not None else ""
        self.balance_after = m.balance - paid + earned
        qualifying = earn.credited_purchase if earn is not None else 0
        if pic.next_tier is not None:
            tier_id, missing = pic.next_tier
            tier_name = program.rule_name("tier:" + tier_id, self.language)
            left = missing - qualifying
            goal = pic.qualifying_points + missing
            self.tier_progress = (min(goal, pic.qualifying_points + qualifying), goal)
            self.tier_text = (self.tr("%1 more points to %2").replace("%1", points_text(left)).replace("%2", tier_name)
                              if left > 0 else self.tr("This sale makes you %1").replace("%1", tier_name))
        stock = {g.code: (self.terminal.repo.gift_stock(g.code) or 0) > 0 for g in program.gifts if g.stock_tracked}
        self.gift = nearest_gift(program, self.balance_after, self.gift_distance, stock, self.language)
        if self.gift is not None:
            self.gift_text = (self.tr("%1 more points for %2").replace("%1", points_text(self.gift.missing))
                              .replace("%2", self.gift.name))

    def earn_reason_text(self, program: Program, earn: EarnResult) -> str:
        """Why the sale earns what it earns, short: the time rules (会员日 ×3), the line rules that
        apply to a line of the basket (新品加成 ×1.2), the tier's multiplier when not 1, bonuses, caps."""
        lang = self.language
        parts: list[str] = []
        tier_parts: list[str] = []
        for rule_id, mult in earn.sale_multipliers:
            if mult == 1:
                continue
            text = f"{program.rule_name(rule_id, lang)} ×{fraction_text(mult)}"
            (tier_parts if rule_id.startswith("tier:") else parts).append(text)
        seen: dict[str, Fraction] = {}
        for le in earn.lines:
            if le.eligible_fen > 0 and le.multiplier != 1:
                for rule_id in le.multiplier_ids:
                    seen.setdefault(rule_id, next((lm.multiplier for lm in program.earning.line_multipliers
                                                   if lm.id == rule_id), Fraction(1)))
        parts += [f"{program.rule_name(rule_id, lang)} ×{fraction_text(mult)}" for rule_id, mult in seen.items()]
        parts += tier_parts
        parts += [f"{program.rule_name(rule_id, lang)} +{points_text(p)}" for rule_id, p in earn.bonuses]
        if earn.flagged:
            parts.append(self.tr("cap reached"))
        return " · ".join(parts)

    def _show_done(self, sale: SaleResult) -> None:
        self._clear_sale()
        self.done_title = self.tr("Thank you!")
        self.total_text = yuan_text(sale.tender_fen)
        if sale.member is None:
            self.done_text = self.tr("Become a member next time and earn points on every purchase.")
            return
        self.earn_points = sale.points_earned
        self.balance_after = sale.member.balance
        self.done_text = (self.tr("%1 points earned. Balance: %2 points.")
                          .replace("%1", points_text(sale.points_earned))
                          .replace("%2", points_text(sale.member.balance)))
        if sale.tier_after and sale.tier_before and sale.tier_after != sale.tier_before:
            tier = self.terminal.program.rule_name("tier:" + sale.tier_after, self.language)
            self.done_text += " " + self.tr("Welcome to %1!").replace("%1", tier)

    # -- messages from the draw and donation screens ----------------------------------------------------
    def _text(self, text_zh: str, text_en: str) -> str:
        return text_zh if self.language == "zh_CN" else text_en

    def show_draw_result(self, text_zh: str, text_en: str) -> None:
        """A lottery draw's result, shown over the display for ``message_seconds``."""
        self._show_message("draw", self._text(text_zh, text_en), None)

    def show_donation(self, text_zh: str, text_en: str, progress: float | None = None) -> None:
        """A donation's thanks and the campaign's progress: the share of its goal reached, from
        0.0 to 1.0 (clamped; None: no progress bar), shown for ``message_seconds``."""
        if progress is not None:
            progress = min(1.0, max(0.0, float(progress)))
        self._show_message("donation", self._text(text_zh, text_en), progress)

    def _show_message(self, kind: str, text: str, progress: float | None) -> None:
        self.message_kind, self.message, self.message_progress = kind, text, progress
        self._message_timer.start(self.message_seconds * 1000)
        self.message_changed.emit()

    def clear_message(self) -> None:
        self._message_timer.stop()
        if self.message:
            self.message_kind, self.message, self.message_progress = "", "", None
            self.message_changed.emit()
