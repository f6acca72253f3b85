"""Turns domain errors into short translated sentences for the cashier; details go to the log."""

from __future__ import annotations

import logging

from pos_app.core.errors import PosError
from pos_app.ui.qt import QCoreApplication

log = logging.getLogger(__name__)


def _t(text: str) -> str:
    return QCoreApplication.translate("Errors", text)


def field_label(field: str) -> str:
    base = field.split("[")[0].split(".")[0]
    labels = {
        "amount": _t("Amount"), "total": _t("Amount"), "price": _t("Price"), "member": _t("Member"),
        "referrer": _t("Referrer"), "phone": _t("Phone number"), "card": _t("Card number"),
        "card_no": _t("Card number"), "points": _t("Points"), "coupon": _t("Coupon"), "gift": _t("Gift"),
        "manager": _t("Manager"), "manager_pin": _t("Manager PIN"), "pin": _t("PIN"), "reason": _t("Reason"),
        "lines": _t("Basket"), "receipt_no": _t("Receipt number"), "name": _t("Name"), "birthday": _t("Birthday"),
        "staff": _t("Staff number"), "tender": _t("Payment method"), "stock": _t("Stock"), "product": _t("Product"),
        "shift": _t("Shift"), "program": _t("Loyalty program"), "db": _t("Database"), "award": _t("Award"),
        "code": _t("Staff number"), "sku": _t("Product code"), "barcode": _t("Barcode"), "file": _t("File"),
        "at": _t("Date and time"), "as_of": _t("Date"), "status": _t("Status"), "tier": _t("Tier"),
    }
    return labels.get(base, base)


def message(exc: BaseException) -> str:
    """One short sentence a cashier can act on."""
    if not isinstance(exc, PosError):
        log.exception("unexpected error", exc_info=exc)
        return _t("Something went wrong. The details were written to the log; please call the store manager.")
    p = exc.params
    code, field = exc.code, exc.field.split("[")[0].split(".")[0]
    if code == "not_found" and field in ("member", "referrer"):
        return _t("No member with this card or phone number.")
    if code == "not_found" and field == "product":
        return _t("No product with this code.")
    if code == "not_found" and field == "receipt_no":
        return _t("No sale with this receipt number.")
    if code == "not_found" and field == "staff":
        return _t("Unknown staff number.")
    if code == "rule_violation" and field == "points" and "max_share_percent" in p:
        return _t("Points may pay at most %1% of this sale.").replace("%1", str(p["max_share_percent"]))
    if code == "rule_violation" and field == "points" and "cap" in p:
        return _t("The member reached the monthly redemption cap of %1 points.").replace("%1", str(p["cap"]))
    if code == "rule_violation" and field == "points" and "balance" in p:
        return _t("Not enough points: the balance is %1.").replace("%1", str(p["balance"]))
    if code == "rule_violation" and field == "points" and "minimum" in p:
        return _t("At least %1 points per payment.").replace("%1", str(p["minimum"]))
    if code == "invalid_input" and field == "points" and "step" in p:
        return _t("Points are paid in steps of %1.").replace("%1", str(p["step"]))
    if code == "rule_violation" and field == "gift" and "stock" in p:
        return _t("This gift is out of stock.")
    if code == "rule_violation" and field == "gift" and "limit" in p:
        return _t("The member has had this gift the most times allowed this month.")
    if code == "rule_violation" and field == "member":
        return _t("This member is frozen.")
    if code == "rule_violation" and field == "coupon":
        return _t("This coupon cannot be used: %1").replace("%1", exc.message)
    if code == "approval_required":
        return _t("A manager must approve this (number and PIN).")
    if code == "permission_denied" and "locked_until" in p:
        return _t("Too many wrong PINs: locked until %1.").replace("%1", str(p["locked_until"])[11:16])
    if code == "permission_denied" and field in ("pin", "manager_pin"):
        return _t("Wrong PIN.")
    if code == "permission_denied":
        return _t("Only a store manager may do this.")
    if code == "conflict" and field == "phone":
        return _t("This phone number is already a member.")
    if code == "conflict":
        return _t("%1 already exists.").replace("%1", field_label(field))
    if code in ("invalid_input", "invalid_program"):
        return _t("%1 is not valid.").replace("%1", field_label(field))
    if code == "rule_violation":
        return _t("Not allowed: %1").replace("%1", exc.message)
    if code == "database_error":
        return _t("The database cannot be used: %1").replace("%1", exc.message)
    return f"{field_label(field)}: {exc.message}"
