"""The checkout screen's state: member, basket, live points preview, payment, completion."""

from __future__ import annotations

import dataclasses
import logging
import uuid
from collections.abc import Callable

from pos_app.core import tenders
from pos_app.core.earning import SaleLine
from pos_app.core.errors import ApprovalRequired, InvalidInput, PosError
from pos_app.core.money import parse_int, parse_yuan
from pos_app.services import catalog, check_in, members, online, presence, sales, scans, suspended
from pos_app.services.context import Terminal
from pos_app.services.members import MemberPicture
from pos_app.services.sales import SaleQuote, SaleResult
from pos_app.ui.errors import message
from pos_app.ui.qt import QObject, QThreadPool, Signal
from pos_app.ui.viewmodels import presence as presence_vm
from pos_app.ui.viewmodels.presence import keep_stronger, presence_of
from pos_app.ui.workers import ImmediatePool

TENDERS = sales.TENDERS
log = logging.getLogger(__name__)


class CheckoutViewModel(QObject):
    """Signals: ``member_changed()``, ``basket_changed()``, ``preview_changed()``,
    ``sale_completed(SaleResult)``, ``error_raised(str)``, ``coupon_changed()``,
    ``gift_requested(str, str, str)`` (a gift code was scanned: the gift, the member's card or "",
    and how the member was identified, ``presence``)."""

    member_changed = Signal()
    basket_changed = Signal()
    preview_changed = Signal()
    sale_completed = Signal(object)
    error_raised = Signal(str)
    coupon_changed = Signal()
    gift_requested = Signal(str, str, str)
    approval_needed = Signal(str)  # headquarters silent too long: a manager approves the points payment
    suspended_changed = Signal()  # a basket was suspended, resumed or discarded
    code_sent = Signal(int)  # a one-time code went to the member's phone: valid this many seconds
    code_verified = Signal()  # the member read out the right code: they may spend points
    checked_in = Signal(int)  # the member code scanned checked the member in (签到): the points granted

    def __init__(self, terminal: Terminal, staff_code: Callable[[], str | None], language: str = "zh_CN",
                 pool: QThreadPool | ImmediatePool | None = None) -> None:
        super().__init__()
        self.terminal = terminal
        self.language = language
        self._staff_code = staff_code
        self.member: MemberPicture | None = None
        # how the member was identified (services.presence): spending points needs card, member_qr or otp
        self.presence: str | None = None
        # a one-time code goes out on the pool (None: at once, on this thread); one at a time
        self.pool = pool
        self.code_sending = False
        # headquarters was asked for the member and did not answer: the till's own copy is shown
        self.member_offline = False
        self.lines: list[SaleLine] = []
        self.points = 0
        self.coupon: str | None = None
        self.tender = "cash"
        # what the customer handed over so far: (kind, fen), in order (a split tender, cash with change)
        self.payments: list[tuple[str, int]] = []
        self.quote: SaleQuote | None = None
        self.last_sale: SaleResult | None = None
        self._sale_uuid = str(uuid.uuid4())

    # -- member ---------------------------------------------------------------------------
    def identify(self, text: str, *, scanned: bool = False, presence_kind: str | None = None) -> bool:
        """By card, phone number or scan; at any moment of the sale. ``scanned``: a scanner or
        the camera read ``text`` (a card number read so is the card shown; typed, it is not)."""
        try:
            kind = presence_kind or presence_of(self.terminal, text, scanned=scanned)
            found = online.identify(self.terminal, text)  # headquarters first when this till's copy is stale
            checked = self._check_in(text, found) if kind == "member_qr" else None
            picture = members.member_picture(self.terminal, checked.member if checked else found.member)
        except PosError as exc:
            self.error_raised.emit(message(exc))
            return False
        old_uuid = self.member.member.uuid if self.member else None
        self.presence = keep_stronger(old_uuid, self.presence, picture.member.uuid, kind)
        self.member = picture
        self.member_offline = found.offline
        if old_uuid != picture.member.uuid:  # the same member showing their card keeps the points typed
            self.points = 0
        self.member_changed.emit()
        self._refresh()
        if checked is not None and checked.granted:
            self.checked_in.emit(checked.points)
        return True

    def _check_in(self, text: str, found: online.Identified) -> check_in.CheckIn | None:
        """A member code scanned at checkout checks the member in (签到) once a day when the
        program has a check-in award; already checked in today, nothing happens. A refusal
        (a frozen member) is logged and does not stop the sale."""
        if self.terminal.program.check_in_award is None:
            return None
        try:
            return check_in.check_in(self.terminal, text, found=found, staff_code=self._staff_code(), strict=False)
        except PosError as exc:
            log.info("no check-in for the member code scanned: %s: %s", exc.field, exc.message)
            return None

    def reload_member(self) -> None:
        """The identified member as the ledger has them now (a sync brought another store's
        sales or redemptions); the basket and the points typed stay."""
        if self.member is None:
            return
        fresh = self.terminal.repo.member_by_id(self.member.member.id)
        if fresh is None:
            return
        self.member = members.member_picture(self.terminal, fresh)
        self.member_changed.emit()
        self._refresh()

    # -- scanner ---------------------------------------------------------------------------------
    def scan(self, text: str) -> bool:
        """Whatever a scanner read: a member card, member code or phone identifies the member,
        a product barcode adds the product, a coupon is applied, a gift code asks for the gifts
        screen (``gift_requested``); anything else is refused with a clear message."""
        result = scans.read_scan(self.terminal, text)
        if result.kind in ("member_card", "member_qr", "phone"):
            return self.identify(result.text, scanned=True)
        if result.kind == "product":
            return self.add_code(result.text)
        if result.kind == "coupon":
            return self.set_coupon(result.text)
        if result.kind == "gift":
            self.gift_requested.emit(result.text, self._member_ref() or "", self.presence or "")
            return True
        if result.kind == "receipt":
            self.error_raised.emit(self.tr("Receipt %1: refunds are made on the Refunds screen (F7).")
                                   .replace("%1", result.text))
            return False
        try:  # the store's own labels: an SKU, or a barcode printed without a valid check digit
            product = catalog.product_by_code(self.terminal, result.text)
        except PosError:
            self.error_raised.emit(message(InvalidInput("scan", f"not a known code: {result.text!r}",
                                                        reason="unknown", text=result.text)))
            return False
        self._add_product(product)
        return True

    def clear_member(self) -> None:
        self._forget_code()
        self.member = None
        self.presence = None
        self.member_offline = False
        self.points = 0
        self.coupon = None
        self.member_changed.emit()
        self._refresh()

    # -- basket -----------------------------------------------------------------------------
    def _next_line_no(self) -> int:
        return max((ln.line_no for ln in self.lines), default=0) + 1

    def add_code(self, code: str) -> bool:
        """A product barcode or SKU; scanning the same product again raises its quantity."""
        try:
            product = catalog.product_by_code(self.terminal, code.strip())
        except PosError as exc:
            self.error_raised.emit(message(exc))
            return False
        self._add_product(product)
        return True

    def _add_product(self, product: catalog.Product) -> None:
        for i, ln in enumerate(self.lines):
            if ln.sku == product.sku and ln.discount_fen == 0:
                self.lines[i] = dataclasses.replace(ln, qty=ln.qty + 1)
                break
        else:
            self.lines.append(product.line(self._next_line_no()))
        self.basket_changed.emit()
        self._refresh()

    def add_amount(self, yuan: str, category: str = "general") -> bool:
        """A plain amount (no catalogue), as small shops ring most sales."""
        try:
            fen = parse_yuan(yuan, field="amount")
        except PosError as exc:
            self.error_raised.emit(message(exc))
            return False
        self.lines.append(SaleLine(self._next_line_no(), "", "", category, 1, fen))
        self.basket_changed.emit()
        self._refresh()
        return True

    def set_qty(self, row: int, qty: int) -> None:
        if 0 <= row < len(self.lines):
            if qty <= 0:
                del self.lines[row]
            else:
                self.lines[row] = dataclasses.replace(self.lines[row], qty=qty)
            self.basket_changed.emit()
            self._refresh()

    def set_discount(self, row: int, text: str) -> bool:
        """A line discount: ``"10%"`` of the line, or an amount in yuan (``"5.00"``); ``"0"``
        takes it off. Points follow the net amount. A discount above the store's limit is asked
        a manager's approval when the sale is completed."""
        if not 0 <= row < len(self.lines):
            self.error_raised.emit(message(InvalidInput("lines", "choose a line first")))
            return False
        ln = self.lines[row]
        raw = text.strip().replace("％", "%")
        try:
            if raw.endswith("%"):
                pct = parse_int(raw[:-1].strip(), field="discount")
                if not 0 <= pct <= 100:
                    raise InvalidInput("discount", f"a percentage from 0 to 100, got {raw!r}")
                fen = ln.gross_fen * pct // 100
            else:
                fen = parse_yuan(raw, field="discount", allow_zero=True)
            if fen > ln.gross_fen:
                raise InvalidInput("discount", "is larger than the line amount")
        except PosError as exc:
            self.error_raised.emit(message(exc))
            return False
        self.lines[row] = dataclasses.replace(ln, discount_fen=fen)
        self.basket_changed.emit()
        self._refresh()
        return True

    def discount_needs_manager(self) -> list[int]:
        """The basket lines (numbers) whose discount is above the store's limit."""
        return sales.discounts_over_limit(self.terminal, self.lines)

    def remove_line(self, row: int) -> None:
        self.set_qty(row, 0)

    # -- payment ---------------------------------------------------------------------------------
    def set_points(self, text: str | int) -> bool:
        try:
            pts = text if isinstance(text, int) else parse_int(text, field="points")
            if pts < 0 or pts > 999_999_999:
                raise InvalidInput("points", f"not a whole number: {text!r}")
            if pts and self.member is None:
                raise InvalidInput("points", "paying with points needs a member")
            if self.lines:
                sales.quote_sale(self.terminal, lines=self.lines, member_ref=self._member_ref(), points=pts,
                                 coupon=self.coupon)
        except PosError as exc:
            self.error_raised.emit(message(exc))
            return False
        self.points = pts
        self._refresh()
        return True

    def use_max_points(self) -> None:
        if self.quote is not None:
            self.set_points(self.quote.max_points)

    def set_coupon(self, code: str | None) -> bool:
        code = (code or "").strip() or None
        if code and self.lines:
            try:
                sales.quote_sale(self.terminal, lines=self.lines, member_ref=self._member_ref(), points=0,
                                 coupon=code)
            except PosError as exc:
                self.error_raised.emit(message(exc))
                return False
        self.coupon = code
        self.points = 0
        self.coupon_changed.emit()
        self._refresh()
        return True

    def set_tender(self, kind: str) -> None:
        if kind in TENDERS:
            self.tender = kind
            self.preview_changed.emit()

    def add_payment(self, kind: str, text: str) -> bool:
        """The customer hands over an amount in one tender (cash, card, WeChat Pay, Alipay);
        several make a split tender. Cash beyond what is due is change; a card or mobile payment
        above what is still due is refused."""
        try:
            tenders.check_kind(kind)
            fen = parse_yuan(text, field="tendered")
            if self.quote is not None and kind != "cash":  # card and mobile payments never give change
                tenders.check_non_cash(self.quote.tender_fen, [*self.payments, (kind, fen)])
        except PosError as exc:
            self.error_raised.emit(message(exc))
            return False
        self.payments.append((kind, fen))
        self.preview_changed.emit()
        return True

    def clear_payments(self) -> None:
        self.payments = []
        self.preview_changed.emit()

    def paid_fen(self) -> int:
        return sum(f for _, f in self.payments)

    def remaining_fen(self) -> int:
        """Still to pay after what was handed over (0 when covered)."""
        due = self.quote.tender_fen if self.quote else 0
        return max(0, due - self.paid_fen())

    def change_fen(self) -> int:
        """Change due to the customer from the cash handed over (0 until it covers the sale)."""
        if self.quote is None or not self.payments:
            return 0
        try:
            return tenders.settle(self.quote.tender_fen, self.payments).change_fen
        except PosError:
            return 0

    # -- suspend and resume (挂单/取单) ----------------------------------------------------------
    def suspend(self, label: str = "") -> bool:
        """Put the basket aside (kept in the database, no sale written) and start a new one."""
        if not self.lines:
            self.error_raised.emit(message(InvalidInput("lines", "the basket is empty")))
            return False
        try:
            suspended.suspend_sale(self.terminal, lines=self.lines, member_card=self._member_ref(),
                                   coupon=self.coupon, label=label, staff_code=self._staff_code())
        except PosError as exc:
            self.error_raised.emit(message(exc))
            return False
        self.reset()
        self.suspended_changed.emit()
        return True

    def suspended_sales(self) -> list[suspended.Suspended]:
        return suspended.list_suspended(self.terminal)

    def resume(self, suspended_id: int) -> bool:
        """Bring a suspended basket back; refused while another sale is in progress. The member
        is identified again as at the start of a sale (a points payment is entered again)."""
        if self.lines:
            self.error_raised.emit(self.tr("Complete or suspend the current sale first."))
            return False
        try:
            s = suspended.resume_sale(self.terminal, suspended_id, staff_code=self._staff_code())
        except PosError as exc:
            self.error_raised.emit(message(exc))
            return False
        self.reset()
        self.lines = list(s.lines)
        self.basket_changed.emit()
        if s.member_card:  # the member shows their card (or a code) again to spend points
            self.identify(s.member_card, presence_kind="typed_card")
        if s.coupon:
            self.set_coupon(s.coupon)
        self._refresh()
        self.suspended_changed.emit()
        return True

    def discard_suspended(self, suspended_id: int) -> bool:
        try:
            suspended.discard_suspended(self.terminal, suspended_id, staff_code=self._staff_code())
        except PosError as exc:
            self.error_raised.emit(message(exc))
            return False
        self.suspended_changed.emit()
        return True

    def _member_ref(self) -> str | None:
        return self.member.member.card_no if self.member else None

    def _refresh(self) -> None:
        self.quote = None
        if self.lines:
            try:
                self.quote = sales.quote_sale(self.terminal, lines=self.lines, member_ref=self._member_ref(),
                                              points=self.points, coupon=self.coupon)
            except PosError as exc:  # e.g. a points payment that no longer fits after removing a line
                self.points = 0
                self.error_raised.emit(message(exc))
                self.quote = sales.quote_sale(self.terminal, lines=self.lines, member_ref=self._member_ref(),
                                              coupon=self.coupon) if self.lines else None
        self.preview_changed.emit()

    # -- completion --------------------------------------------------------------------------------
    def complete(self, approval: tuple[str, str] | None = None) -> SaleResult | None:
        """Record the sale; the receipt is queued in the same transaction. The screen shows
        "points credited" only from the result, i.e. after COMMIT returned. Points beyond the
        offline allowance ask for a manager's approval (``approval_needed``, then ``approve``)."""
        if not self.lines:
            self.error_raised.emit(message(InvalidInput("lines", "the basket is empty")))
            return None
        try:
            result = sales.record_sale(
                self.terminal, lines=self.lines, member_ref=self._member_ref(), points=self.points,
                coupon=self.coupon, tender=self.tender, staff_code=self._staff_code(), sale_uuid=self._sale_uuid,
                queue_receipt=True, approval=approval, payments=list(self.payments) if self.payments else None,
                presence=self.presence if self.member else None)
        except ApprovalRequired as exc:
            if exc.field == "discount":
                self.approval_needed.emit(
                    self.tr("A discount above the store's limit (lines %1): a store manager must approve it.")
                    .replace("%1", ", ".join(str(n) for n in exc.params.get("lines", []))))
                return None
            if exc.field != "offline":
                self.error_raised.emit(message(exc))
                return None
            self.approval_needed.emit(
                self.tr("Headquarters has not been reachable for a while: this till has redeemed %1 of its %2"
                        " offline points today. A store manager must approve paying %3 points.")
                .replace("%1", f"{exc.params.get('used_today', 0):,}").replace("%2", f"{exc.params.get('limit', 0):,}")
                .replace("%3", f"{exc.params.get('points', self.points):,}"))
            return None
        except PosError as exc:
            self.error_raised.emit(message(exc))
            return None
        self.last_sale = result
        self.sale_completed.emit(result)
        self.reset()
        return result

    def approve(self, manager_code: str, manager_pin: str) -> SaleResult | None:
        """Complete the sale waiting for a manager's approval; a refusal may be retried."""
        return self.complete(approval=(manager_code.strip(), manager_pin))

    # -- one-time code ----------------------------------------------------------------------------
    def send_code(self) -> bool:
        """Has the chain's notification service send the member a one-time code (``code_sent``);
        offline or no service: an error that suggests the card or member code instead."""
        if self.member is None:
            self.error_raised.emit(self.tr("Identify the member first (card or phone number)."))
            return False
        return presence_vm.send_code(self, self.member.member)

    def verify_code(self, typed: str) -> bool:
        """The code the member read out; right: they count as present (``code_verified``)."""
        if self.member is None:
            return False
        return presence_vm.verify_code(self, self.member.member, typed)

    def _forget_code(self) -> None:
        if self.member is not None:
            presence.forget(self.terminal, self.member.member.uuid)

    def reset(self) -> None:
        self._forget_code()
        self.member = None
        self.presence = None
        self.lines = []
        self.points = 0
        self.coupon = None
        self.tender = "cash"
        self.payments = []
        self.quote = None
        self._sale_uuid = str(uuid.uuid4())
        self.member_changed.emit()
        self.basket_changed.emit()
        self.preview_changed.emit()
