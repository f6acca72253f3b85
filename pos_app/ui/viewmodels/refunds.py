"""The refunds screen's state: the sale found by its receipt number, the lines chosen, the preview
of what the refund will do, and the refund itself."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pos_app.core.errors import PosError
from pos_app.services import history, sales
from pos_app.services.context import Terminal
from pos_app.services.history import SaleDetail
from pos_app.services.sales import RefundResult
from pos_app.ui.errors import message
from pos_app.ui.qt import QObject, Signal


@dataclass(frozen=True)
class RefundPreview:
    """What confirming would do, shown before the cashier confirms."""

    lines: list[int]
    refund_fen: int  # money back
    net_fen: int
    clawback: int  # points taken back
    returned_points: int  # points the customer paid with, given back
    complete: bool
    balance_now: int | None
    balance_after: int | None
    shortfall: int  # points the balance cannot cover: they become a debt (negative balance)
    coupon_returned: str | None = None  # the sale's coupon, given back with its last lines
    tenders: tuple[tuple[str, int], ...] = ()  # where the money goes: (tender kind, fen)


class RefundsViewModel(QObject):
    """Signals: ``sale_loaded()`` (also when cleared), ``preview_changed()``,
    ``refund_completed(RefundResult)``, ``error_raised(str)``."""

    sale_loaded = Signal()
    preview_changed = Signal()
    refund_completed = Signal(object)
    error_raised = Signal(str)

    def __init__(self, terminal: Terminal, staff_code: Callable[[], str | None]) -> None:
        super().__init__()
        self.terminal = terminal
        self._staff_code = staff_code
        self.sale: SaleDetail | None = None
        self.selected: set[int] = set()
        self.preview: RefundPreview | None = None
        self.last_refund: RefundResult | None = None
        self.refund_to: str | None = None  # None: back to the sale's tenders pro rata; else all to this kind

    def load(self, receipt_no: str) -> bool:
        try:
            sale = history.sale_detail(self.terminal, receipt_no)
        except PosError as exc:
            self.error_raised.emit(message(exc))
            return False
        self.sale = sale
        self.selected = set()
        self.last_refund = None
        self.sale_loaded.emit()
        self._refresh()
        return True

    def clear(self) -> None:
        self.sale = None
        self.refund_to = None
        self.selected = set()
        self.last_refund = None
        self.sale_loaded.emit()
        self._refresh()

    # -- choosing lines -----------------------------------------------------------------------------
    def set_line(self, line_no: int, chosen: bool) -> None:
        if self.sale is None or line_no not in self.sale.open_lines:
            return
        if chosen == (line_no in self.selected):
            return
        if chosen:
            self.selected.add(line_no)
        else:
            self.selected.discard(line_no)
        self._refresh()

    def select_all(self) -> None:
        if self.sale is not None:
            self.selected = set(self.sale.open_lines)
            self._refresh()

    def select_none(self) -> None:
        self.selected = set()
        self._refresh()

    def set_refund_to(self, kind: str | None) -> None:
        """Where the money goes: None for the sale's own tenders (pro rata), or one kind for all
        of it (cash always; another kind only up to what it paid)."""
        self.refund_to = kind
        self._refresh()

    def _to(self, refund_fen: int) -> list[tuple[str, int]] | None:
        return None if self.refund_to is None else [(self.refund_to, refund_fen)]

    def _refresh(self) -> None:
        self.preview = None
        if self.sale is not None and self.selected:
            try:
                q = sales.quote_refund(self.terminal, receipt_no=self.sale.receipt_no, line_nos=sorted(self.selected))
                if self.refund_to is not None:
                    q = sales.quote_refund(self.terminal, receipt_no=self.sale.receipt_no,
                                           line_nos=sorted(self.selected), to=self._to(int(q["refund_fen"])))
            except PosError as exc:
                self.selected = set()
                self.error_raised.emit(message(exc))
            else:
                self.preview = self._preview(q)
        self.preview_changed.emit()

    def _preview(self, q: dict[str, Any]) -> RefundPreview:
        clawback, returned = int(q["clawback"]), int(q["returned_points"])
        member = self.terminal.repo.member_by_id(self.sale.member.id) if self.sale and self.sale.member else None
        balance_after = shortfall = None
        if member is not None:
            # The clawback is taken first and only from points the member still has in lots
            # (balance + debt); what they cannot cover becomes debt, as refund_sale records it.
            shortfall = max(0, clawback - max(0, member.balance + member.debt))
            balance_after = member.balance - clawback + returned
        return RefundPreview(
            lines=list(q["lines"]), refund_fen=int(q["refund_fen"]), net_fen=int(q["net_fen"]),
            clawback=clawback, returned_points=returned,
            complete=bool(q["complete"]), balance_now=member.balance if member else None,
            balance_after=balance_after, shortfall=shortfall or 0, coupon_returned=q.get("coupon_returned"),
            tenders=tuple((str(x["kind"]), int(x["amount_fen"])) for x in q.get("tenders", [])),
        )

    # -- the refund -----------------------------------------------------------------------------------
    def confirm(self) -> RefundResult | None:
        if self.sale is None or not self.selected:
            self.error_raised.emit(self.tr("Tick the lines to refund first."))
            return None
        if self.preview is None:
            return None
        try:
            result = sales.refund_sale(self.terminal, receipt_no=self.sale.receipt_no,
                                       line_nos=sorted(self.selected), staff_code=self._staff_code(),
                                       queue_receipt=True, to=self._to(self.preview.refund_fen))
        except PosError as exc:
            self.error_raised.emit(message(exc))
            return None
        self.sale = history.sale_detail(self.terminal, self.sale.receipt_no)
        self.selected = set()
        self.refund_to = None
        self.last_refund = result
        self.sale_loaded.emit()
        self._refresh()
        self.refund_completed.emit(result)
        return result
