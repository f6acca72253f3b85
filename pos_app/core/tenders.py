"""Tenders: how the money of a sale is paid (cash, bank card, WeChat Pay, Alipay), change for
cash, and how a refund's money goes back to the sale's tenders. Integer fen throughout."""

from __future__ import annotations

from dataclasses import dataclass

from pos_app.core.errors import InvalidInput, RuleViolation
from pos_app.core.money import check_fen

#: the kinds of tender a till takes; cash is the only one that gives change
TENDERS = ("cash", "card", "wechat", "alipay")


@dataclass(frozen=True)
class Tender:
    """One tender of a sale: ``amount_fen`` paid towards the sale; ``given_fen`` handed over
    (cash only: more than the amount, the difference is change)."""

    kind: str
    amount_fen: int
    given_fen: int

    def to_dict(self) -> dict[str, object]:
        return {"kind": self.kind, "amount_fen": self.amount_fen, "given_fen": self.given_fen}


@dataclass(frozen=True)
class Settlement:
    tenders: tuple[Tender, ...]
    change_fen: int

    @property
    def kind(self) -> str:
        """The sale's one tender kind, "split" when more than one, "none" when nothing was due."""
        if not self.tenders:
            return "none"
        kinds = {t.kind for t in self.tenders}
        return self.tenders[0].kind if len(kinds) == 1 else "split"


def check_kind(kind: object, field: str = "tender") -> str:
    if kind not in TENDERS:
        raise InvalidInput(field, f"must be one of {', '.join(TENDERS)}, got {kind!r}")
    return str(kind)


def check_non_cash(due_fen: int, payments: list[tuple[str, int]]) -> None:
    """Card, WeChat Pay and Alipay payments together may not exceed what is due (no change)."""
    non_cash = sum(fen for kind, fen in payments if kind != "cash")
    if non_cash > due_fen:
        raise RuleViolation("tenders", f"card and mobile payments of {non_cash} fen exceed the {due_fen} fen due",
                            reason="over", due_fen=due_fen, paid_fen=non_cash)


def settle(due_fen: int, payments: list[tuple[str, int]]) -> Settlement:
    """The tenders of a sale of ``due_fen`` from what the cashier entered: (kind, fen) pairs in
    order, cash being what the customer handed over. Card, WeChat Pay and Alipay are charged
    exactly, so together they may not exceed what is due; the cash handed over covers the rest
    and the surplus is the change. Refused (naming ``tenders``) if the payments fall short or
    would give change from a non-cash tender; several payments of one kind are added up."""
    due_fen = check_fen(due_fen, field="total", allow_zero=True)
    totals: dict[str, int] = {}
    for i, (kind, fen) in enumerate(payments):
        check_kind(kind, f"tenders[{i}].kind")
        check_fen(fen, field=f"tenders[{i}].amount", allow_zero=True)
        totals[kind] = totals.get(kind, 0) + fen
    totals = {k: v for k, v in totals.items() if v}
    non_cash = sum(v for k, v in totals.items() if k != "cash")
    cash_given = totals.get("cash", 0)
    check_non_cash(due_fen, list(totals.items()))
    paid = non_cash + cash_given
    if paid < due_fen:
        raise RuleViolation("tenders", f"{paid} fen tendered, {due_fen - paid} fen short of the {due_fen} fen due",
                            reason="short", due_fen=due_fen, paid_fen=paid, short_fen=due_fen - paid)
    change = paid - due_fen
    tenders = []
    for kind in [k for k in TENDERS if k in totals]:
        if kind == "cash":
            tenders.append(Tender("cash", cash_given - change, cash_given))
        else:
            tenders.append(Tender(kind, totals[kind], totals[kind]))
    return Settlement(tuple(tenders), change)


def exact(due_fen: int, kind: str) -> Settlement:
    """The whole amount due paid by one tender, exactly (no cash handed over recorded)."""
    check_kind(kind)
    return Settlement((Tender(kind, due_fen, due_fen),) if due_fen else (), 0)


def split_refund(amount_fen: int, tenders: list[tuple[str, int]]) -> list[tuple[str, int]]:
    """A refund of ``amount_fen`` over the sale's tenders (kind, fen still refundable), pro
    rata to what each paid; the fen that do not divide go to cash first, then in tender order;
    no tender gets back more than it has left. Raises if the tenders cannot hold the amount."""
    amount_fen = check_fen(amount_fen, field="refund", allow_zero=True)
    left = [(k, f) for k, f in tenders if f > 0]
    base = sum(f for _, f in left)
    if amount_fen > base:
        raise RuleViolation("tenders", f"refund of {amount_fen} fen exceeds the {base} fen the sale's tenders hold")
    if not amount_fen:
        return []
    kinds = [k for k, _ in left]
    holds = [f for _, f in left]
    shares = [amount_fen * f // base for f in holds]
    rest = amount_fen - sum(shares)
    for i in sorted(range(len(kinds)), key=lambda i: (kinds[i] != "cash", i)):
        give = min(holds[i] - shares[i], rest)
        shares[i] += give
        rest -= give
    return [(k, s) for k, s in zip(kinds, shares, strict=True) if s]


def chosen_refund(amount_fen: int, tenders: list[tuple[str, int]],
                  choice: list[tuple[str, int]]) -> list[tuple[str, int]]:
    """A refund the cashier split by hand: ``choice`` (kind, fen) must add up to ``amount_fen``.
    Cash may always take the money back; another kind only up to what it paid and has left."""
    room = dict(tenders)
    total = 0
    merged: dict[str, int] = {}
    for i, (kind, fen) in enumerate(choice):
        check_kind(kind, f"refund_tenders[{i}].kind")
        check_fen(fen, field=f"refund_tenders[{i}].amount", allow_zero=True)
        merged[kind] = merged.get(kind, 0) + fen
        total += fen
    for kind, fen in merged.items():
        if kind != "cash" and fen > room.get(kind, 0):
            raise RuleViolation("refund_tenders", f"{fen} fen back to {kind}, which holds {room.get(kind, 0)} fen of "
                                "this sale", reason="over_tender", kind=kind, room_fen=room.get(kind, 0))
    if total != amount_fen:
        raise InvalidInput("refund_tenders", f"the amounts add up to {total} fen, the refund is {amount_fen} fen",
                           total_fen=total, refund_fen=amount_fen)
    return [(k, f) for k, f in merged.items() if f]


def discount_over_limit(gross_fen: int, discount_fen: int, *, limit_percent: int, limit_fen: int) -> bool:
    """A line discount above the store's limits (a share of the line, or an amount) needs a
    manager. Exact: ``discount * 100 > gross * percent`` in integers."""
    return discount_fen > 0 and (discount_fen * 100 > gross_fen * limit_percent or discount_fen > limit_fen)
