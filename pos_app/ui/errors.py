"""Turns domain errors into short translated sentences for the cashier; details go to the log."""

from __future__ import annotations

import logging

from pos_app.core.errors import PosError
from pos_app.core.money import format_fen
from pos_app.ui.qt import QCoreApplication

log = logging.getLogger(__name__)
translate = QCoreApplication.translate  # lupdate finds translate("Context", "text") calls


def field_label(field: str) -> str:
    base = field.split("[")[0].split(".")[0]
    labels = {
        "amount": translate("Errors", "Amount"),
        "total": translate("Errors", "Amount"),
        "price": translate("Errors", "Price"),
        "member": translate("Errors", "Member"),
        "referrer": translate("Errors", "Referrer"),
        "phone": translate("Errors", "Phone number"),
        "card": translate("Errors", "Card number"),
        "card_no": translate("Errors", "Card number"),
        "points": translate("Errors", "Points"),
        "coupon": translate("Errors", "Coupon"),
        "gift": translate("Errors", "Gift"),
        "manager": translate("Errors", "Manager"),
        "manager_pin": translate("Errors", "Manager PIN"),
        "pin": translate("Errors", "PIN"),
        "reason": translate("Errors", "Reason"),
        "lines": translate("Errors", "Basket"),
        "receipt_no": translate("Errors", "Receipt number"),
        "name": translate("Errors", "Name"),
        "birthday": translate("Errors", "Birthday"),
        "staff": translate("Errors", "Staff number"),
        "tender": translate("Errors", "Payment method"),
        "tenders": translate("Errors", "Payment"),
        "tendered": translate("Errors", "Amount tendered"),
        "refund_tenders": translate("Errors", "Refund payment"),
        "stock": translate("Errors", "Stock"),
        "product": translate("Errors", "Product"),
        "shift": translate("Errors", "Shift"),
        "program": translate("Errors", "Loyalty program"),
        "db": translate("Errors", "Database"),
        "award": translate("Errors", "Award"),
        "code": translate("Errors", "Staff number"),
        "role": translate("Errors", "Role"),
        "pin_again": translate("Errors", "PIN again"),
        "sku": translate("Errors", "Product code"),
        "barcode": translate("Errors", "Barcode"),
        "file": translate("Errors", "File"),
        "at": translate("Errors", "Date and time"),
        "as_of": translate("Errors", "Date"),
        "status": translate("Errors", "Status"),
        "tier": translate("Errors", "Tier"),
        "member_qr": translate("Errors", "Member code"),
        "scan": translate("Errors", "Scan"),
        "kind": translate("Errors", "Kind"),
        "from": translate("Errors", "From date"),
        "to": translate("Errors", "To date"),
        "by": translate("Errors", "Group by"),
        "out": translate("Errors", "File"),
        "segment": translate("Errors", "Segment"),
        "counted_cash": translate("Errors", "Cash counted"),
        "otp": translate("Errors", "One-time code"),
        "presence": translate("Errors", "Member present"),
        "redemption_no": translate("Errors", "Redemption number"),
    }
    return labels.get(base, base)


def message(exc: BaseException) -> str:
    """One short sentence a cashier can act on."""
    if not isinstance(exc, PosError):
        log.exception("unexpected error", exc_info=exc)
        return translate(
            "Errors", "Something went wrong. The details were written to the log; please call the store manager."
        )
    p = exc.params
    code, field = exc.code, exc.field.split("[")[0].split(".")[0]
    if code == "not_found" and field in ("member", "referrer"):
        return translate("Errors", "No member with this card or phone number.")
    if field == "member_qr" and p.get("reason") == "expired":
        return translate("Errors", "This member code has expired. Ask the member to refresh it.")
    if field == "member_qr" and p.get("reason") == "not_yet_valid":
        return translate("Errors", "This member code is not valid yet. Check the till's clock.")
    if field == "member_qr" and p.get("reason") == "forged":
        return translate("Errors", "This member code is not genuine (the signature does not match).")
    if field == "member_qr" and p.get("reason") == "revoked":
        return translate("Errors", "This member code (or its card) was revoked.")
    if field == "member_qr" and p.get("reason") == "malformed":
        return translate("Errors", "This is not a readable member code.")
    if field == "member_qr" and p.get("reason") == "no_key":
        return translate("Errors", "Member codes cannot be checked: no member QR key is set up (Settings).")
    if field == "card" and p.get("reason") == "revoked":
        return translate("Errors", "This member card was revoked. Ask for the phone number or the member code.")
    if field == "scan" and p.get("reason") == "unknown":
        text = str(p.get("text", ""))[:40]
        return translate("Errors", "Unknown code %1: not a member, product, coupon, gift or receipt code.").replace(
            "%1", text)
    if field == "presence" and p.get("reason") == "not_present":
        return translate("Errors", "Ask the member to show their card or member code, or send a one-time code "
                                   "(a phone or card number typed in may earn points but not spend them).")
    if field == "presence" and p.get("reason") == "no_otp":
        return translate("Errors", "No one-time code service is set up for this store (Settings): ask the member "
                                   "to show their card or member code.")
    if field == "presence" and p.get("reason") == "otp_unreachable":
        return translate("Errors", "The one-time code could not be sent: this needs the network and the chain's "
                                   "code service. Ask the member to show their card or member code.")
    if field == "otp" and p.get("reason") == "wrong":
        return translate("Errors", "Wrong code: %1 tries left.").replace("%1", str(p.get("tries_left", 0)))
    if field == "otp" and p.get("reason") == "locked":
        return translate("Errors", "Three wrong codes: this code is locked. Send a new code, or ask for the card "
                                   "or member code.")
    if field == "otp" and p.get("reason") == "expired":
        return translate("Errors", "No valid code: it expired or none was sent. Send a new code.")
    if field == "tenders" and p.get("reason") == "short":
        return translate("Errors", "%1 yuan still to pay: take more cash or another payment, or press Clear "
                                   "payments.").replace("%1", format_fen(int(p["short_fen"])))
    if field == "tenders" and p.get("reason") == "over":
        return translate("Errors", "Card and mobile payments may not exceed the %1 yuan due (they give no change)."
                         ).replace("%1", format_fen(int(p["due_fen"])))
    if code == "invalid_input" and field == "reason" and p.get("reason") == "needs_reason":
        return translate("Errors", "Say what the member did (e.g. the survey's name): this award needs a reason.")
    if code == "rule_violation" and field == "member_code" and p.get("reason") == "done_today":
        return translate("Errors", "Checked in today already: once a day.")
    if code == "invalid_input" and field == "member_code":
        return translate("Errors", "Check-in needs the member code from the member's phone.")
    if code == "invalid_input" and field == "to" and p.get("reason") == "before":
        return translate("Errors", "The To date %1 is before the From date %2.").replace(
            "%1", str(p["last"])).replace("%2", str(p["first"]))
    if code == "invalid_input" and field == "to" and p.get("reason") == "too_long":
        return translate("Errors", "A report covers at most %1 days: choose a later From date.").replace(
            "%1", str(p["max_days"]))
    if code == "not_found" and field == "product":
        return translate("Errors", "No product with this code.")
    if code == "not_found" and field == "receipt_no":
        return translate("Errors", "No sale with this receipt number.")
    if code == "not_found" and field == "staff":
        return translate("Errors", "Unknown staff number.")
    if code == "rule_violation" and field == "points" and "max_share_percent" in p:
        return translate("Errors", "Points may pay at most %1% of this sale.").replace(
            "%1", str(p["max_share_percent"])
        )
    if code == "rule_violation" and field == "points" and "cap" in p:
        return translate("Errors", "The member reached the monthly redemption cap of %1 points.").replace(
            "%1", str(p["cap"])
        )
    if code == "rule_violation" and field == "points" and "balance" in p:
        return translate("Errors", "Not enough points: the balance is %1.").replace("%1", str(p["balance"]))
    if code == "rule_violation" and field == "points" and "minimum" in p:
        return translate("Errors", "At least %1 points per payment.").replace("%1", str(p["minimum"]))
    if code == "invalid_input" and field == "points" and "step" in p:
        return translate("Errors", "Points are paid in steps of %1.").replace("%1", str(p["step"]))
    if code == "rule_violation" and field == "gift" and "stock" in p:
        return translate("Errors", "This gift is out of stock.")
    if code == "rule_violation" and field == "gift" and "limit" in p:
        return translate("Errors", "The member has had this gift the most times allowed this month.")
    if code == "rule_violation" and field == "member":
        return translate("Errors", "This member is frozen.")
    if code == "rule_violation" and field == "coupon" and p.get("reason") == "used":
        return translate("Errors", "This coupon was used already (receipt %1).").replace("%1", str(p["receipt_no"]))
    if code == "rule_violation" and field == "coupon" and p.get("reason") == "other_member":
        return translate("Errors", "This coupon belongs to another member.")
    if code == "rule_violation" and field == "coupon" and p.get("reason") == "expired":
        return translate("Errors", "This coupon expired on %1.").replace("%1", str(p["valid_until"]))
    if code == "rule_violation" and field == "coupon" and p.get("reason") == "min_spend":
        return translate("Errors", "This coupon needs a minimum spend of %1 yuan.").replace(
            "%1", format_fen(int(p["min_spend_fen"])))
    if code == "rule_violation" and field == "coupon":
        return translate("Errors", "This coupon cannot be used: %1").replace("%1", exc.message)
    if code == "approval_required":
        return translate("Errors", "A manager must approve this (number and PIN).")
    if code == "permission_denied" and "locked_until" in p:
        return translate("Errors", "Too many wrong PINs: locked until %1.").replace("%1", str(p["locked_until"])[11:16])
    if code == "invalid_input" and field == "pin_again":
        return translate("Errors", "The two PINs differ: type the same PIN twice.")
    if code == "invalid_input" and field == "pin":
        return translate("Errors", "A PIN is 4 to 8 digits.")
    if code == "invalid_input" and field == "code":
        return translate("Errors", "A staff number is 3 to 8 digits.")
    if code == "not_found" and field == "code" and p.get("reason") == "no_staff":
        return translate("Errors", "No staff member with this number.")
    if code == "conflict" and field == "code" and p.get("reason") == "self":
        return translate("Errors", "A manager cannot disable their own account.")
    if code == "permission_denied" and "self_approval_limit" in p:
        return translate("Errors", "Above %1 points a second manager must approve: not the one asking.").replace(
            "%1", f"{int(p['self_approval_limit']):,}")
    if code == "permission_denied" and field in ("pin", "manager_pin"):
        return translate("Errors", "Wrong PIN.")
    if code == "permission_denied":
        return translate("Errors", "Only a store manager may do this.")
    if code == "database_damaged":
        return translate("Errors", "The database file is damaged: nothing more is written to it. Close the "
                                   "window and restore the last checked backup (pos-app restore; the daily copies "
                                   "are in backups/auto), then call the store's IT person.")
    if code == "database_error" and p.get("reason") == "disk_full":
        return translate("Errors", "The disk is full: nothing was written. Free some space and try again.")
    if code == "database_error" and p.get("reason") == "read_only":
        return translate("Errors", "The database file is read-only: nothing was written. Call the store's IT "
                                   "person.")
    if code == "conflict" and field == "db" and p.get("reason") == "in_use":
        return translate("Errors", "The cashier window is already open on this database (or a restore is "
                                   "running). Use the window that is open, or close it first.")
    if field == "redemption_no" and p.get("reason") == "cancelled":
        return translate("Errors", "This redemption was cancelled already.")
    if field == "redemption_no" and p.get("reason") == "earlier_shift":
        return translate("Errors", "Only redemptions of the open shift can be cancelled; this one is from an "
                                   "earlier shift.")
    if field == "redemption_no" and p.get("reason") == "coupon_used":
        return translate("Errors", "The coupon of this gift was used in a sale already: the gift cannot be "
                                   "cancelled.")
    if code == "conflict" and field == "phone":
        return translate("Errors", "This phone number is already a member.")
    if code == "conflict":
        return translate("Errors", "%1 already exists.").replace("%1", field_label(field))
    if code in ("invalid_input", "invalid_program"):
        return translate("Errors", "%1 is not valid.").replace("%1", field_label(field))
    if code == "rule_violation":
        return translate("Errors", "Not allowed: %1").replace("%1", exc.message)
    if code == "database_error":
        return translate("Errors", "The database cannot be used: %1").replace("%1", exc.message)
    return f"{field_label(field)}: {exc.message}"
