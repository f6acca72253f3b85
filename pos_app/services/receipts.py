"""Paper documents from the database: sale receipts, refund receipts, coupon slips, the test
page and the shift report, laid out for the terminal's paper in the terminal's language.

Wording. A receipt speaks ``settings.language`` (zh_CN or en). Its words live in the small
per-language table ``WORDS`` below rather than in the Qt translation files: the services
layer cannot import Qt, the receipt must come out the same from the headless CLI
(``pos-app receipt``) and from the window, and the words are few and fixed. Rule, tier and
gift names come from the loyalty program (``program.rule_name(id, language)``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from pos_app.core.errors import InvalidInput, NotFound
from pos_app.core.members import mask_phone
from pos_app.core.money import format_fen
from pos_app.core.text import identifier
from pos_app.devices.receipt import (
    SUPPORTED_COLUMNS,
    Document,
    Layout,
    Raster,
    columns_for_paper,
    load_raster,
)
from pos_app.services.context import Terminal
from pos_app.services.members import member_picture
from pos_app.services.settings import TerminalSettings, load_settings
from pos_app.services.shifts import shift_report
from pos_app.storage.paths import data_root

KINDS = ("receipt", "refund", "coupon", "test", "shift", "gift_cancel", "donation", "draw")

WORDS: dict[str, dict[str, str]] = {
    "zh_CN": {
        "receipt": "销售小票", "refund": "退货单", "coupon": "优惠券", "test": "打印测试页", "shift": "交班报表",
        "reprint": "*** 重印 REPRINT ***", "receipt_no": "小票号", "refund_no": "退货单号", "time": "时间",
        "cashier": "收银员", "item": "商品", "qty": "数量", "amount": "金额", "discount": "优惠",
        "total": "合计", "coupon_used": "优惠券", "points_paid": "积分抵现", "points_unit": "分",
        "to_pay": "实付", "tender": "支付方式", "member": "会员", "earned": "本次积分", "purchase": "消费积分",
        "redeemed": "使用积分", "balance": "积分余额", "expiring": "{days}天内到期", "next_tier": "距{tier}还差",
        "first_expiry": "最早到期日",
        "top_tier": "已是最高等级", "refunded": "退款金额", "clawback": "扣回积分", "returned": "退还积分",
        "shortfall": "积分欠额", "coupon_back": "退回优惠券",
        "value": "面值", "min_spend": "满{amount}元可用", "no_min": "无门槛",
        "valid_until": "有效期至", "no_expiry": "长期有效", "gift": "礼品", "code": "券号", "single_use": "限用一次",
        "store": "门店", "terminal": "终端", "connection": "连接", "paper": "纸宽", "columns": "每行字数",
        "font_charset": "字符集", "charset": "字符测试", "shift_no": "班次", "opened": "开班", "closed": "交班",
        "sales": "销售笔数", "member_sales": "会员笔数", "sales_total": "销售总额", "points_issued": "发放积分",
        "points_redeemed_total": "兑换积分", "gifts": "礼品兑换", "refunds": "退货笔数", "thanks": "谢谢惠顾",
        "gift_cash": "礼品收现", "cash": "现金", "card": "银行卡", "wechat": "微信支付", "alipay": "支付宝",
        "line": "第{n}行", "given": "实收", "change": "找零", "split": "组合支付", "refund_to": "退回",
        "cash_up": "清点现金", "float": "备用金", "expected": "应有", "counted_cash": "实点现金",
        "over": "长款", "short": "短款", "even": "无差额", "not_counted": "未清点",
        "gift_cancel": "撤销兑换", "redemption_no": "兑换单号", "cash_back": "退还现金", "reason": "原因",
        "approved_by": "批准人",
        "donation": "积分捐赠", "donation_no": "捐赠编号", "campaign": "捐赠项目", "cause": "用途",
        "donated": "捐赠积分", "worth": "折合人民币", "donation_thanks": "感谢您的爱心捐赠！",
        "donation_note": "积分捐赠不可退回",
        "draw": "积分抽奖", "draw_no": "抽奖单号", "draw_campaign": "活动", "draw_cost": "消耗积分", "prize": "奖品",
        "points_won": "获得积分", "draw_value": "抽奖号", "out_of_stock": "奖品已抽完", "no_prize": "谢谢参与",
        "coupon_code": "优惠券号", "gift_redemption": "领取单号",
    },
    "en": {
        "receipt": "SALES RECEIPT", "refund": "REFUND", "coupon": "COUPON", "test": "PRINTER TEST PAGE",
        "shift": "SHIFT REPORT", "reprint": "*** REPRINT ***", "receipt_no": "Receipt", "refund_no": "Refund",
        "time": "Time", "cashier": "Cashier", "item": "Item", "qty": "Qty", "amount": "Amount",
        "discount": "Discount", "total": "Total", "coupon_used": "Coupon", "points_paid": "Points paid",
        "points_unit": "pts", "to_pay": "Paid", "tender": "Tender", "member": "Member", "earned": "Points earned",
        "purchase": "Purchase points", "redeemed": "Points redeemed", "balance": "Balance",
        "expiring": "Expiring in {days} days", "first_expiry": "First expiry", "next_tier": "To {tier}",
        "top_tier": "Top tier reached",
        "refunded": "Refunded", "clawback": "Points clawed back", "returned": "Points returned",
        "shortfall": "Points owed", "coupon_back": "Coupon returned",
        "value": "Value", "min_spend": "Min. spend {amount}", "no_min": "No minimum",
        "valid_until": "Valid until", "no_expiry": "No expiry", "gift": "Gift", "code": "Code",
        "single_use": "Single use", "store": "Store", "terminal": "Terminal", "connection": "Connection",
        "paper": "Paper", "columns": "Columns",
        "font_charset": "Character set", "charset": "Characters", "shift_no": "Shift", "opened": "Opened",
        "closed": "Closed", "sales": "Sales", "member_sales": "Member sales", "sales_total": "Sales total",
        "points_issued": "Points issued", "points_redeemed_total": "Points redeemed", "gifts": "Gifts",
        "refunds": "Refunds", "thanks": "Thank you", "cash": "Cash", "card": "Card", "wechat": "WeChat Pay",
        "alipay": "Alipay", "gift_cash": "Gift cash", "line": "line {n}", "given": "Cash given",
        "change": "Change", "split": "Split", "refund_to": "Back to",
        "cash_up": "CASH-UP", "float": "Float", "expected": "Expected", "counted_cash": "Cash counted",
        "over": "Over", "short": "Short", "even": "No difference", "not_counted": "Not counted",
        "gift_cancel": "GIFT CANCELLED", "redemption_no": "Redemption", "cash_back": "Cash back",
        "reason": "Reason", "approved_by": "Approved by",
        "donation": "DONATION", "donation_no": "Donation", "campaign": "Campaign", "cause": "For",
        "donated": "Points donated", "worth": "Worth (yuan)", "donation_thanks": "Thank you for your kindness!",
        "donation_note": "Donated points are not refunded",
        "draw": "LOTTERY DRAW", "draw_no": "Draw", "draw_campaign": "Campaign", "draw_cost": "Points spent",
        "prize": "Prize", "points_won": "Points won", "draw_value": "Number drawn",
        "out_of_stock": "Prize gone", "no_prize": "Better luck next time", "coupon_code": "Coupon",
        "gift_redemption": "Collect with",
    },
}

#: what the test page prints to show which characters the printer's font holds (in GBK ¥
#: prints as ￥, 𠮷 as ?, ñ as n: the documented fallback of pos_app.devices.receipt)
CHARSET_SAMPLE = "中文 ￥12 ¥34 （），。：「」 𠮷龘喆 é ü ñ"


def logo_path() -> Path:
    return data_root() / "resources" / "receipt-logo.png"


@lru_cache(maxsize=1)
def _logo() -> Raster | None:
    return load_raster(logo_path())


def _when(iso_text: str | None) -> str:
    if not iso_text:
        return "-"
    try:
        return dt.datetime.fromisoformat(iso_text).strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return iso_text


class _Doc:
    """A layout plus the wording of one language."""

    def __init__(self, t: Terminal, settings: TerminalSettings, columns: int | None, language: str | None) -> None:
        self.t = t
        self.settings = settings
        self.lang = language or settings.language
        if self.lang not in WORDS:
            raise InvalidInput("language", f"receipts speak {', '.join(WORDS)}, not {self.lang!r}")
        cols = columns if columns is not None else columns_for_paper(settings.printer_paper_mm)
        if cols not in SUPPORTED_COLUMNS:
            raise InvalidInput("columns", f"must be one of {', '.join(map(str, SUPPORTED_COLUMNS))}: {cols!r}")
        self.layout = Layout(cols, charset=settings.printer_charset)
        self.w = WORDS[self.lang]

    def word(self, key: str, **params: Any) -> str:
        return self.w[key].format(**params)

    def head(self, title_key: str, reprint: bool) -> None:
        lay = self.layout
        lay.raster(_logo())
        for line in (p.strip() for p in self.settings.receipt_header.split("|")):
            if line:
                lay.text(line, "center")
        lay.text(self.word(title_key), "center", bold=True, big=True)
        if reprint:
            lay.text(self.word("reprint"), "center", bold=True)
        lay.rule()

    def foot(self, *, drawer: bool = False) -> Document:
        lay = self.layout
        footer = [p.strip() for p in self.settings.receipt_footer.split("|") if p.strip()]
        for line in footer or [self.word("thanks")]:
            lay.text(line, "center")
        lay.feed(2)
        if drawer:
            lay.drawer()
        lay.cut()
        return lay.build()

    def item_widths(self) -> list[int]:
        cols = self.layout.columns
        qty, amount = 4, 10 if cols > 32 else 9
        return [cols - qty - amount - 2, qty, amount]


# ----------------------------------------------------------------------------- receipts


def _balance_after_sale(t: Terminal, member_id: int, receipt_no: str, balance_now: int) -> int:
    """The member's balance as it stood right after the sale, on a reprint too: the ledger up to
    the sale's own entries (later rows naming the receipt, its refunds, are not counted); for a
    sale that earned and paid no points, up to the last entry written before the sale's event."""
    balance = t.ledger.balance_after_sale(member_id, receipt_no)
    return balance_now if balance is None else balance  # None: a sale of a release that kept no events


def _points_block(d: _Doc, sale: dict[str, Any], receipt_no: str) -> None:
    """Member, points earned (with the rules), redeemed, balance, expiring, next tier."""
    t, lay = d.t, d.layout
    member = t.repo.member_by_id(sale["member_id"])
    if member is None:
        return
    program = t.program
    lay.rule()
    lay.pair(d.word("member"), f"{member.name} {mask_phone(member.phone)}")
    earn = t.ledger.earn_entry(receipt_no)
    if earn is not None:
        b = json.loads(earn[1])
        lay.pair(d.word("earned"), f"+{earn[0]}", bold=True)
        lay.pair(d.word("purchase"), str(b.get("purchase_points", 0)), indent=2)
        line_rules: dict[str, None] = {}
        for ln in b.get("lines", []):
            for rid in ln.get("multiplier_ids", []):
                line_rules.setdefault(rid)
        for rid in line_rules:
            lay.text("    " + program.rule_name(rid, d.lang))
        for m in b.get("sale_multipliers", []):
            lay.pair("    " + program.rule_name(m["id"], d.lang), "x" + str(m["multiplier"]))
        for bonus in b.get("bonuses", []):
            lay.pair(program.rule_name(bonus["id"], d.lang), f"+{bonus['points']}", indent=2)
    if sale["points_paid"]:
        lay.pair(d.word("redeemed"), f"-{sale['points_paid']}")
    lay.pair(d.word("balance"), str(_balance_after_sale(t, member.id, receipt_no, member.balance)), bold=True)
    pic = member_picture(t, member, dt.date.fromisoformat(sale["business_date"]))
    reminder = pic.reminder  # the rule the counter shows at identification (core.lots.expiry_reminder)
    if reminder is not None:
        lay.pair(d.word("expiring", days=reminder.within_days), str(reminder.points))
        lay.pair(d.word("first_expiry"), reminder.first_day.isoformat(), indent=2)
    if pic.next_tier is not None:
        tier = program.tiers.get(pic.next_tier[0])
        name = tier.name_zh if d.lang == "zh_CN" else tier.name_en
        lay.pair(d.word("next_tier", tier=name), f"{pic.next_tier[1]} {d.word('points_unit')}")
    else:
        lay.text(d.word("top_tier"))


def _receipt(d: _Doc, receipt_no: str, reprint: bool) -> Document:
    t, lay = d.t, d.layout
    sale = t.repo.sale(receipt_no)
    if sale is None:
        raise NotFound("receipt_no", f"no sale {receipt_no!r}")
    d.head("receipt", reprint)
    lay.pair(d.word("receipt_no"), receipt_no)
    lay.pair(d.word("time"), _when(sale["created_at"]))
    if sale["staff_code"]:
        lay.pair(d.word("cashier"), sale["staff_code"])
    lay.rule()
    widths = d.item_widths()
    aligns = ["left", "right", "right"]
    lay.table([d.word("item"), d.word("qty"), d.word("amount")], widths, aligns)
    for ln in t.repo.receipt_lines(sale_id=sale["id"]):
        lay.table([ln["name"] or ln["sku"] or d.word("line", n=ln["line_no"]), str(ln["qty"]),
                   format_fen(ln["qty"] * ln["unit_price_fen"])], widths, aligns)
        if ln["discount_fen"]:
            lay.table(["  " + d.word("discount"), "", format_fen(-ln["discount_fen"])], widths, aligns)
    lay.rule()
    lay.pair(d.word("total"), format_fen(sale["total_fen"]), bold=True)
    if sale["coupon_code"]:
        lay.pair(f"{d.word('coupon_used')} {sale['coupon_code']}", format_fen(-sale["coupon_fen"]))
    if sale["points_paid"]:
        lay.pair(f"{d.word('points_paid')} ({sale['points_paid']} {d.word('points_unit')})",
                 format_fen(-sale["points_value_fen"]))
    lay.pair(d.word("to_pay"), format_fen(sale["tender_fen"]), bold=True)
    tenders = t.repo.sale_tenders(sale["id"])
    if len(tenders) > 1:  # a split tender: each kind with what it paid
        for td in tenders:
            lay.pair(d.word(td["kind"]) if td["kind"] in d.w else td["kind"], format_fen(td["amount_fen"]))
    else:
        lay.pair(d.word("tender"), d.word(sale["tender_kind"]) if sale["tender_kind"] in d.w else sale["tender_kind"])
    if sale["change_fen"]:
        cash = next((td for td in tenders if td["kind"] == "cash"), None)
        if cash is not None:
            lay.pair(d.word("given"), format_fen(cash["given_fen"]))
        lay.pair(d.word("change"), format_fen(sale["change_fen"]), bold=True)
    if sale["member_id"]:
        _points_block(d, sale, receipt_no)
    lay.rule()
    lay.qr(receipt_no)
    lay.text(receipt_no, "center")
    drawer = d.settings.printer_cash_drawer and (sale["tender_kind"] == "cash" or any(
        td["kind"] == "cash" for td in tenders)) and not reprint
    doc = d.foot(drawer=drawer)
    return dataclasses.replace(doc, title=receipt_no)


def _refund(d: _Doc, refund_no: str, reprint: bool) -> Document:
    t, lay = d.t, d.layout
    r = t.repo.refund(refund_no)
    if r is None:
        raise NotFound("refund_no", f"no refund {refund_no!r}")
    d.head("refund", reprint)
    lay.pair(d.word("refund_no"), refund_no)
    lay.pair(d.word("receipt_no"), r["receipt_no"])
    lay.pair(d.word("time"), _when(r["created_at"]))
    lay.rule()
    widths = d.item_widths()
    aligns = ["left", "right", "right"]
    for ln in t.repo.receipt_lines(refund_id=r["id"]):
        lay.table([ln["name"] or ln["sku"], str(ln["qty"]), format_fen(-ln["net_fen"])], widths, aligns)
    lay.rule()
    lay.pair(d.word("refunded"), format_fen(r["refund_fen"]), bold=True)
    for td in t.repo.refund_tenders(r["id"]):  # where the money goes
        kind = d.word(td["kind"]) if td["kind"] in d.w else td["kind"]
        lay.pair(f"{d.word('refund_to')} {kind}", format_fen(td["amount_fen"]))
    clawback = r["clawback_purchase"] + r["clawback_bonus"]
    if clawback:
        lay.pair(d.word("clawback"), f"-{clawback}")
    if r["returned_points"]:
        lay.pair(d.word("returned"), f"+{r['returned_points']}")
    if r["shortfall"]:
        lay.pair(d.word("shortfall"), str(r["shortfall"]))
    if r["coupon_returned"]:
        lay.pair(d.word("coupon_back"), r["coupon_returned"])
    lay.rule()
    lay.qr(refund_no)
    doc = d.foot()
    return dataclasses.replace(doc, title=refund_no)


def _coupon(d: _Doc, code: str, reprint: bool) -> Document:
    t, lay = d.t, d.layout
    c = t.repo.coupon(code)
    if c is None:
        raise NotFound("coupon", f"no coupon {code!r}")
    gift = t.program.gift(c["gift_code"])
    d.head("coupon", reprint)
    if gift is not None:
        lay.text(gift.name_zh if d.lang == "zh_CN" else gift.name_en, "center", bold=True)
    lay.pair(d.word("value"), format_fen(c["value_fen"]), bold=True)
    lay.text(d.word("min_spend", amount=format_fen(c["min_spend_fen"])) if c["min_spend_fen"] else d.word("no_min"))
    lay.pair(d.word("valid_until"), c["valid_until"] or d.word("no_expiry"))
    cash_fen = t.repo.coupon_cash_fen(code)
    if cash_fen:
        lay.pair(d.word("gift_cash"), format_fen(cash_fen))
    member = t.repo.member_by_id(c["member_id"])
    if member is not None:
        lay.pair(d.word("member"), f"{member.name} {mask_phone(member.phone)}")
    lay.pair(d.word("code"), code)
    lay.text(d.word("single_use"))
    lay.rule()
    lay.qr(code)
    lay.barcode(code)
    doc = d.foot()
    return dataclasses.replace(doc, title=code)


def _test(d: _Doc, ref: str, payload: dict[str, Any]) -> Document:
    t, lay, s = d.t, d.layout, d.settings
    d.head("test", False)
    lay.pair(d.word("store"), t.store_id)
    lay.pair(d.word("terminal"), t.terminal_id)
    lay.pair(d.word("connection"), str(payload.get("connection", s.printer_connection)))
    lay.pair(d.word("paper"), f"{payload.get('paper_mm', s.printer_paper_mm)} mm")
    lay.pair(d.word("columns"), str(lay.columns))
    lay.pair(d.word("font_charset"), lay.charset.upper())
    lay.pair(d.word("time"), _when(payload.get("at")))
    lay.rule()
    lay.text("".join(str(i % 10) for i in range(1, lay.columns + 1)))
    lay.text(d.word("charset"))
    lay.text(CHARSET_SAMPLE)
    lay.pair("中文", "￥1,234.56")
    lay.pair("English", "¥1,234.56")
    lay.rule()
    lay.qr(ref)
    lay.barcode(ref.upper().replace("-", "")[:20] or "TEST")
    doc = d.foot()
    return dataclasses.replace(doc, title=ref)


def _shift(d: _Doc, shift_no: str, reprint: bool) -> Document:
    t, lay = d.t, d.layout
    row = t.repo.shift(shift_no)
    if row is None:
        raise NotFound("shift", f"no shift {shift_no!r}")
    if row["report"]:
        rep = json.loads(row["report"])
    else:
        rep = {"shift_no": shift_no, "staff_code": row["staff_code"],
               **shift_report(t, row["opened_at"], row["closed_at"])}
    d.head("shift", reprint)
    lay.pair(d.word("shift_no"), shift_no)
    lay.pair(d.word("cashier"), str(rep.get("staff_code", row["staff_code"])))
    lay.pair(d.word("opened"), _when(rep.get("opened_at")))
    lay.pair(d.word("closed"), _when(rep.get("closed_at")))
    lay.rule()
    lay.pair(d.word("sales"), str(rep["sales"]))
    lay.pair(d.word("member_sales"), str(rep["member_sales"]))
    lay.pair(d.word("sales_total"), format_fen(rep["total_fen"]), bold=True)
    for kind, v in sorted(rep.get("tenders", {}).items()):
        label = d.word(kind) if kind in d.w else kind
        lay.pair(f"  {label} ({v['count']})", format_fen(v["fen"]))
    lay.pair(d.word("points_issued"), str(rep["points_issued"]))
    lay.pair(d.word("points_redeemed_total"), str(rep["points_redeemed"]))
    lay.pair(d.word("gifts"), str(rep.get("gifts_total", 0)))
    for code, n in sorted(rep.get("gifts", {}).items()):
        gift = t.program.gift(code)
        name = (gift.name_zh if d.lang == "zh_CN" else gift.name_en) if gift else code
        lay.pair(f"  {name}", str(n))
    cash = rep.get("gift_cash")
    if cash and cash["count"]:
        lay.pair(f"{d.word('gift_cash')} ({cash['count']})", format_fen(cash["fen"]))
    lay.pair(d.word("refunds"), str(rep["refunds"]))
    for kind, v in sorted(rep.get("refund_tenders", {}).items()):
        label = d.word(kind) if kind in d.w else kind
        lay.pair(f"  {label} ({v['count']})", "-" + format_fen(v["fen"]))
    expected = rep.get("expected")
    if expected is not None:  # the cash-up (shifts closed from release 16 on)
        lay.rule()
        lay.pair(d.word("cash_up"), "")
        lay.pair(d.word("float"), format_fen(int(rep.get("float_fen") or 0)))
        for kind, fen in sorted(expected.items()):
            label = d.word(kind) if kind in d.w else kind
            lay.pair(f"{d.word('expected')} {label}", format_fen(int(fen)))
        counted, diff = rep.get("counted_cash_fen"), rep.get("cash_difference_fen")
        if counted is None:
            lay.pair(d.word("counted_cash"), d.word("not_counted"))
        else:
            lay.pair(d.word("counted_cash"), format_fen(int(counted)), bold=True)
            word = d.word("over") if diff > 0 else d.word("short") if diff < 0 else d.word("even")
            lay.pair(word, format_fen(abs(int(diff))), bold=True)
    lay.rule()
    doc = d.foot()
    return dataclasses.replace(doc, title=shift_no)


def _gift_cancel(d: _Doc, redemption_no: str, reprint: bool) -> Document:
    """The slip of a cancelled gift redemption: the gift, the points given back, the cash handed
    back (points + cash gifts), who cancelled it, why, and the member's balance now."""
    t, lay = d.t, d.layout
    row = t.repo.redemption(redemption_no)
    if row is None or not row["cancelled_at"]:
        raise NotFound("gift_cancel", f"no cancelled redemption {redemption_no!r}")
    details = t.repo.last_audit_details("gift.cancel", redemption_no)
    d.head("gift_cancel", reprint)
    lay.pair(d.word("redemption_no"), redemption_no)
    lay.pair(d.word("time"), _when(row["cancelled_at"]))
    lay.pair(d.word("cashier"), row["cancelled_by"] or "-")
    gift = t.program.gift(row["gift_code"])
    name = (gift.name_zh if d.lang == "zh_CN" else gift.name_en) if gift else row["gift_code"]
    lay.pair(d.word("gift"), name)
    lay.pair(d.word("returned"), f"{row['points']} {d.word('points_unit')}", bold=True)
    if row["cash_fen"]:
        lay.pair(d.word("cash_back"), format_fen(int(row["cash_fen"])), bold=True)
    if details.get("reason"):
        lay.pair(d.word("reason"), str(details["reason"]))
    if details.get("approved_by"):
        lay.pair(d.word("approved_by"), str(details["approved_by"]))
    member = t.repo.member_by_id(row["member_id"])
    if member is not None:
        lay.pair(d.word("member"), f"{member.name} {mask_phone(member.phone)}")
        lay.pair(d.word("balance"), str(member.balance))
    lay.rule()
    lay.qr(redemption_no)
    doc = d.foot()
    return dataclasses.replace(doc, title=redemption_no)


def _donation(d: _Doc, entry_uuid: str, reprint: bool) -> Document:
    """The slip of a donation (``services.donations``): the campaign and its cause, the points,
    what they are worth in yuan, the member and their balance now, and a thank-you line."""
    t, lay = d.t, d.layout
    entry = t.repo.donation_entry(entry_uuid)
    if entry is None:
        raise NotFound("donation", f"no donation {entry_uuid!r}")
    b = entry["breakdown"]
    campaign = t.repo.campaign(str(b.get("campaign", "")), int(b.get("version") or 0) or None)
    d.head("donation", reprint)
    lay.pair(d.word("donation_no"), str(b.get("donation_no", "")))
    lay.pair(d.word("time"), _when(entry["created_at"]))
    lay.pair(d.word("cashier"), entry["staff_code"] or "-")
    lay.pair(d.word("campaign"), campaign.name(d.lang) if campaign else str(b.get("campaign", "")))
    if campaign is not None:
        lay.lines([f"{d.word('cause')}: {campaign.body.cause(d.lang)}"])
    lay.pair(d.word("donated"), f"{entry['points']} {d.word('points_unit')}", bold=True)
    lay.pair(d.word("worth"), format_fen(int(b.get("yuan_fen") or 0)), bold=True)
    member = t.repo.member_by_id(entry["member_id"])
    if member is not None:
        lay.pair(d.word("member"), f"{member.name} {mask_phone(member.phone)}")
        lay.pair(d.word("balance"), str(member.balance))
    lay.rule()
    lay.text(d.word("donation_thanks"), "center", bold=True)
    lay.text(d.word("donation_note"), "center")
    doc = d.foot()
    return dataclasses.replace(doc, title=str(b.get("donation_no", "")))


def _draw(d: _Doc, draw_no: str, reprint: bool) -> Document:
    """A lottery draw's slip: the campaign, the points spent, the prize (points won, the coupon's
    code, the gift's redemption number), the number drawn out of its range (what an auditor
    recomputes the prize from), the member and their balance after the draw."""
    from pos_app.services.draws import draw_result

    t, lay = d.t, d.layout
    r = draw_result(t, draw_no)
    if r is None:
        raise NotFound("draw", f"no draw {draw_no!r}")
    row = t.repo.draw_entries(draw_no)
    d.head("draw", reprint)
    lay.pair(d.word("draw_no"), draw_no)
    lay.pair(d.word("time"), _when(row[0]["created_at"] if row else None))
    lay.pair(d.word("cashier"), (row[0]["staff_code"] if row else None) or "-")
    lay.pair(d.word("draw_campaign"), r.campaign_name(d.lang))
    lay.pair(d.word("draw_cost"), f"-{r.cost_points} {d.word('points_unit')}")
    lay.rule()
    lay.text(r.prize_name(d.lang) if r.won else d.word("no_prize"), "center", bold=True, big=True)
    if r.out_of_stock:
        lay.text(d.word("out_of_stock"), "center")
    if r.points_won:
        lay.pair(d.word("points_won"), f"+{r.points_won} {d.word('points_unit')}", bold=True)
    if r.coupon_code:
        lay.pair(d.word("coupon_code"), r.coupon_code)
        valid = r.coupon_valid_until.isoformat() if r.coupon_valid_until else d.word("no_expiry")
        lay.pair(d.word("valid_until"), valid)
    if r.redemption_no:
        lay.pair(d.word("gift_redemption"), r.redemption_no)
    lay.pair(d.word("draw_value"), f"{r.value} / {r.range}")
    lay.rule()
    lay.pair(d.word("member"), f"{r.member.name} {mask_phone(r.member.phone)}")
    lay.pair(d.word("balance"), str(r.balance_after), bold=True)
    lay.rule()
    lay.qr(draw_no)
    doc = d.foot()
    return dataclasses.replace(doc, title=draw_no)


def build_document(t: Terminal, kind: str, ref: str, *, payload: dict[str, Any] | None = None,
                   reprint: bool = False, columns: int | None = None, language: str | None = None,
                   settings: TerminalSettings | None = None) -> Document:
    """The paper for a print job (``kind`` and ``ref`` as in the ``print_job`` table).
    ``columns`` and ``language`` default to the terminal's paper width and language."""
    d = _Doc(t, settings or load_settings(t), columns, language)
    ref = identifier(ref, field="receipt_no" if kind == "receipt" else kind)
    if kind == "receipt":
        return _receipt(d, ref, reprint)
    if kind == "refund":
        return _refund(d, ref, reprint)
    if kind == "coupon":
        return _coupon(d, ref, reprint)
    if kind == "test":
        return _test(d, ref, payload or {})
    if kind == "shift":
        return _shift(d, ref, reprint)
    if kind == "gift_cancel":
        return _gift_cancel(d, ref, reprint)
    if kind == "donation":
        return _donation(d, ref, reprint)
    if kind == "draw":
        return _draw(d, ref, reprint)
    raise InvalidInput("kind", f"no document of kind {kind!r}; one of {', '.join(KINDS)}")


def receipt_document(t: Terminal, receipt_no: str, *, reprint: bool = False, columns: int | None = None,
                     language: str | None = None) -> Document:
    """A sale's receipt (the preview and ``pos-app receipt`` use this)."""
    return build_document(t, "receipt", receipt_no, reprint=reprint, columns=columns, language=language)
