"""Receipt layout and bytes: python-escpos Dummy output read back by an independent ESC/POS
interpreter, for Chinese, English and mixed text at 58 mm and 80 mm (and 42 columns)."""

from __future__ import annotations

import datetime as dt

import pytest

from pos_app.core.earning import SaleLine
from pos_app.core.errors import InvalidInput, NotFound
from pos_app.devices.escpos_out import document_bytes, encode_text
from pos_app.devices.receipt import Layout, char_width, clean, pad, text_width, wrap
from pos_app.services import context, demo, members, points, receipts, sales, shifts
from pos_app.services.context import Terminal
from pos_app.services.printing import receipt_bytes
from pos_app.services.settings import save_settings, set_setting
from tests.conftest import FakeClock
from tests.devices.escpos_interpreter import InterpretError, interpret

MIXED = [
    SaleLine(1, "EAR", "蓝牙耳机（黑）", "electronics", 1, 19900, flags=("new",)),
    SaleLine(2, "X", "Café crème ¥5 价：𠮷", "food", 2, 500),
    SaleLine(3, "W", "矿泉水，冰。", "food", 3, 200, discount_fen=50),
]
ENGLISH = [SaleLine(1, "T", "Green tea 500ml", "food", 2, 350), SaleLine(2, "B", "Bread", "food", 1, 850)]


def printed_cells(text: str) -> int:
    """Columns on paper as the printer counts them in Chinese mode: ASCII 1, anything else 2."""
    return sum(1 if ord(c) < 0x80 else 2 for c in text)


@pytest.fixture
def store(terminal: Terminal) -> Terminal:
    demo.seed_demo(terminal)
    save_settings(terminal, {"receipt.header": "积分便利店（朝阳店）|Tel: 010-1234", "printer.cash_drawer": True})
    return terminal


def sale(t: Terminal, lines: list[SaleLine], **kw: object) -> str:
    return sales.record_sale(t, lines=lines, staff_code="1001", **kw).receipt_no  # type: ignore[arg-type]


EXPECTED_ZH_58 = [
    "",
    "      积分便利店（朝阳店）",
    "         Tel: 010-1234",
    "    销售小票",
    "--------------------------------",
    "小票号         S001-T01-00000001",
    "时间            2026-11-03 10:00",
    "收银员                      1001",
    "--------------------------------",
    "商品              数量      金额",
    "蓝牙耳机（黑）       1    199.00",
    "Café crème ¥5     2     10.00",
    "价：𠮷",
    "矿泉水，冰。         3      6.00",
    "  优惠                     -0.50",
    "--------------------------------",
    "合计                      214.50",
    "积分抵现 (1000 分)        -10.00",
    "实付                      204.50",
    "支付方式                    现金",
    "--------------------------------",
    "会员            张伟 138****8000",
    "本次积分                    +463",
    "  消费积分                   363",
    "    新品加成",
    "    金卡                    x1.5",
    "  首单奖励                  +100",
    "使用积分                   -1000",
    "积分余额                   11463",
    "距钻石还差              49637 分",
    "--------------------------------",
    "",
    "       S001-T01-00000001",
    "            谢谢惠顾",
]

EXPECTED_EN_80 = [
    "",
    "              积分便利店（朝阳店）",
    "                 Tel: 010-1234",
    "     SALES RECEIPT",
    "------------------------------------------------",
    "Receipt                        S001-T01-00000001",
    "Time                            2026-11-03 10:00",
    "Cashier                                     1001",
    "------------------------------------------------",
    "Item                              Qty     Amount",
    "蓝牙耳机（黑）                      1     199.00",
    "Café crème ¥5 价：𠮷             2      10.00",
    "矿泉水，冰。                        3       6.00",
    "  Discount                                 -0.50",
    "------------------------------------------------",
    "Total                                     214.50",
    "Points paid (1000 pts)                    -10.00",
    "Paid                                      204.50",
    "Tender                                      Cash",
    "------------------------------------------------",
    "Member                          张伟 138****8000",
    "Points earned                               +463",
    "  Purchase points                            363",
    "    New product",
    "    Gold                                    x1.5",
    "  First purchase                            +100",
    "Points redeemed                            -1000",
    "Balance                                    11463",
    "To Diamond                             49637 pts",
    "------------------------------------------------",
    "",
    "               S001-T01-00000001",
    "                   Thank you",
]


@pytest.mark.parametrize(("columns", "language", "expected"), [(32, "zh_CN", EXPECTED_ZH_58),
                                                               (48, "en", EXPECTED_EN_80)])
def test_mixed_receipt_bytes_decode_to_the_expected_paper(store: Terminal, columns: int, language: str,
                                                          expected: list[str]) -> None:
    set_setting(store, "printer.charset", "gb18030")  # a font that holds every character
    no = sale(store, MIXED, member_ref="13800138000", points=1000, tender="cash",
              presence="card")
    out = interpret(receipt_bytes(store, no, columns=columns, language=language))
    assert [ln.text for ln in out.lines] == expected
    # every character survived: the yen signs, full-width punctuation, a rare 4-byte character, accents
    paper = "\n".join(out.text)
    for ch in ("¥", "（", "）", "，", "。", "：", "𠮷", "é"):
        assert ch in paper
    # aligned by display width: the amount column ends at the paper's edge, the quantity
    # column at the same place on every item row
    assert max(ln.cells for ln in out.lines) <= columns
    item_rows = [ln for ln in out.lines if ln.text.split()[-2:] in (["1", "199.00"], ["2", "10.00"], ["3", "6.00"])]
    assert len(item_rows) == 3
    assert {ln.cells for ln in item_rows} == {columns}
    qty_ends = {printed_cells(ln.text.rstrip()[: -len(ln.text.split()[-1])].rstrip()) for ln in item_rows}
    assert len(qty_ends) == 1
    assert out.qr_codes() == [no]
    assert out.kinds()[-1] == "cut" and "drawer" in out.kinds()
    assert [ln.width_mul for ln in out.lines if ln.width_mul == 2] == [2]  # the title, double size


def test_every_line_fits_the_paper_in_both_languages_and_all_widths(store: Terminal) -> None:
    nos = [sale(store, MIXED, member_ref="13800138000", tender="cash"), sale(store, ENGLISH, tender="card"),
           sale(store, [SaleLine(1, "L", "超长的商品名称" * 6 + " with English words ÉÜÑ 喆龘", "food", 1, 123456)],
                member_ref="13900139000", tender="wechat")]
    for no in nos:
        for columns in (32, 42, 48):
            for language in ("zh_CN", "en"):
                out = interpret(receipt_bytes(store, no, columns=columns, language=language))
                assert out.lines, no
                assert max(ln.cells for ln in out.lines) <= columns
                for ln in out.lines:
                    assert printed_cells(ln.text) * ln.width_mul == ln.cells
                assert out.qr_codes() == [no]


def test_english_receipt_without_member_and_no_drawer_for_card(store: Terminal) -> None:
    no = sale(store, ENGLISH, tender="card")
    out = interpret(receipt_bytes(store, no, columns=48, language="en"))
    text = [t.rstrip() for t in out.text]
    assert "Green tea 500ml                     2       7.00" in text
    assert "Total                                      15.50" in text
    assert "Tender                                      Card" in text
    assert not any(t.startswith("Member") for t in text)
    assert "drawer" not in out.kinds() and out.kinds()[-1] == "cut"


def test_drawer_kick_only_when_enabled_for_cash(store: Terminal) -> None:
    no = sale(store, ENGLISH, tender="cash")
    assert "drawer" in interpret(receipt_bytes(store, no)).kinds()
    assert "drawer" not in interpret(receipt_bytes(store, no, reprint=True)).kinds()  # a reprint opens nothing
    set_setting(store, "printer.cash_drawer", False)
    assert "drawer" not in interpret(receipt_bytes(store, no)).kinds()


def test_reprint_is_marked(store: Terminal) -> None:
    no = sale(store, ENGLISH)
    zh = interpret(receipt_bytes(store, no, reprint=True, language="zh_CN")).text
    en = interpret(receipt_bytes(store, no, reprint=True, language="en")).text
    assert any("重印 REPRINT" in t for t in zh)
    assert any("*** REPRINT ***" in t for t in en)
    assert not any("REPRINT" in t for t in interpret(receipt_bytes(store, no)).text)


def test_logo_is_a_raster_image(store: Terminal) -> None:
    out = interpret(receipt_bytes(store, sale(store, ENGLISH)))
    images = [e for e in out.events if e[0] == "image"]
    assert len(images) == 1
    _, width, height, data = images[0]
    assert 0 < width <= 384 and 0 < height <= 64 and any(data)


def test_unknown_receipt_and_bad_columns_name_the_field(store: Terminal) -> None:
    with pytest.raises(NotFound) as err:
        receipt_bytes(store, "S001-T01-99999999")
    assert err.value.field == "receipt_no"
    no = sale(store, ENGLISH)
    with pytest.raises(InvalidInput) as err2:
        receipt_bytes(store, no, columns=40)
    assert err2.value.field == "columns"
    with pytest.raises(InvalidInput) as err3:
        receipts.build_document(store, "poster", no)
    assert err3.value.field == "kind"


def test_coupon_slip_has_code_value_validity_and_codes(store: Terminal) -> None:
    g = points.redeem_gift(store, member_ref="13800138000", gift_code="G002", presence="card")
    assert g.coupon_code
    doc = receipts.build_document(store, "coupon", g.coupon_code, language="zh_CN", columns=32)
    out = interpret(document_bytes(doc))
    text = [t.rstrip() for t in out.text]
    assert "面值                       10.00" in text
    assert "满50.00元可用" in text
    assert f"有效期至              {g.coupon_valid_until}" in text
    assert out.qr_codes() == [g.coupon_code]
    assert out.barcodes() == [g.coupon_code]


def test_a_coupon_bought_with_points_and_cash_shows_the_cash_on_its_slip(store: Terminal) -> None:
    src = context.reference_program_source().replace('version = 1\n', 'version = 2\n', 1)
    src = src.replace('points = 1000\nkind = "coupon"', 'points = 1000\ncash_fen = 500\nkind = "coupon"', 1)
    context.load_program(store, src)
    g = points.redeem_gift(store, member_ref="13800138000", gift_code="G002", presence="card")
    assert g.coupon_code and g.cash_fen == 500
    doc = receipts.build_document(store, "coupon", g.coupon_code, language="en", columns=32)
    assert [ln.split() for ln in doc.text_lines() if ln.startswith("Gift cash")] == [["Gift", "cash", "5.00"]]
    plain = points.redeem_gift(store, member_ref="13800138000", gift_code="G001", presence="card").coupon_code
    assert plain
    assert not any("Gift cash" in ln for ln in receipts.build_document(store, "coupon", plain).text_lines())


def test_test_page_and_shift_report(store: Terminal) -> None:
    doc = receipts.build_document(store, "test", "test-1", payload={"connection": "network", "paper_mm": 80},
                                  columns=48, language="zh_CN")
    out = interpret(document_bytes(doc))
    # a GBK font (the default) prints the documented fallback for what it lacks
    assert "中文 ￥12 ￥34 （），。：「」 ?龘喆 é ü n" in [t.rstrip() for t in out.text]
    assert "123456789012345678901234567890123456789012345678" in out.text
    shifts.open_shift(store, staff_code="1001")
    sale(store, ENGLISH, tender="cash")
    report = shifts.close_shift(store, staff_code="1001")
    jobs = store.repo.rows("SELECT kind, ref FROM print_job WHERE kind = 'shift'")
    assert jobs == [{"kind": "shift", "ref": report["shift_no"]}]
    shift_out = interpret(document_bytes(receipts.build_document(store, "shift", report["shift_no"],
                                                                 language="en", columns=32)))
    text = [t.rstrip() for t in shift_out.text]
    assert "Sales                          1" in text
    assert "Sales total                15.50" in text
    assert "  Cash (1)                 15.50" in text
    assert "Cash counted         Not counted" in text  # closed without counting the drawer


def test_the_shift_report_prints_the_cash_up_in_both_languages(store: Terminal) -> None:
    """Issue 15 item 9: the float, what each payment kind should hold, the cash counted and the
    difference, decoded from the real ESC/POS bytes."""
    from pos_app.services.settings import save_settings

    save_settings(store, {"cash.float_fen": 20000})
    shifts.open_shift(store, staff_code="1001")
    sale(store, ENGLISH, tender="cash")  # 15.50
    report = shifts.close_shift(store, staff_code="1001", counted_cash_fen=21500)
    assert report["cash_difference_fen"] == -50
    en = [t.rstrip() for t in interpret(document_bytes(receipts.build_document(
        store, "shift", report["shift_no"], language="en", columns=32))).text]
    for line in ("Float                     200.00", "Expected Cash             215.50",
                 "Cash counted              215.00", "Short                       0.50"):
        assert line in en, en
    zh = [t.rstrip() for t in interpret(document_bytes(receipts.build_document(
        store, "shift", report["shift_no"], language="zh_CN", columns=32))).text]
    assert any(t.startswith("备用金") and t.endswith("200.00") for t in zh), zh
    assert any(t.startswith("实点现金") and t.endswith("215.00") for t in zh), zh
    assert any(t.startswith("短款") and t.endswith("0.50") for t in zh), zh


def test_refund_receipt(store: Terminal) -> None:
    no = sale(store, ENGLISH, member_ref="13800138000")
    rr = sales.refund_sale(store, receipt_no=no, line_nos=[1])
    out = interpret(document_bytes(receipts.build_document(store, "refund", rr.refund_no, language="en",
                                                           columns=32)))
    text = [t.rstrip() for t in out.text]
    assert "Refunded                    7.00" in text
    assert out.qr_codes() == [rr.refund_no]
    assert not any("Coupon" in line for line in text)  # the sale had none


def test_refund_slip_names_the_coupon_given_back(store: Terminal) -> None:
    coupon = points.redeem_gift(store, member_ref="13800138000", gift_code="G001", presence="card").coupon_code
    assert coupon
    no = sale(store, ENGLISH, member_ref="13800138000", coupon=coupon)
    rr = sales.refund_sale(store, receipt_no=no)
    assert rr.coupon_returned == coupon
    for language, word in (("en", "Coupon returned"), ("zh_CN", "退回优惠券")):
        out = interpret(document_bytes(receipts.build_document(store, "refund", rr.refund_no, language=language,
                                                               columns=42)))
        line = next(t for t in out.text if word in t)
        assert line.rstrip().endswith(coupon), line


# ---------------------------------------------------------------------------- layout units


def test_widths_and_cleaning() -> None:
    assert [char_width(c) for c in "A中￥¥é（𠮷"] == [1, 2, 2, 2, 2, 2, 2]
    assert text_width("Café 中") == 8
    assert clean("a\tb\u200bc\ne\u0301") == "a bc é"
    assert wrap("中文字符测试", 5) == ["中文", "字符", "测试"]
    assert pad("中a", 6, "right") == "   中a"
    assert pad("中文字", 5) == "中文 "  # never half a character


def test_encode_text_wraps_non_ascii_runs_in_chinese_mode() -> None:
    assert encode_text("A¥1", "gb18030") == b"A\x1c&" + "¥".encode("gb18030") + b"\x1c.1"
    assert encode_text("𠮷", "gb18030") == b"\x1c&\x95\x34\xb2\x35\x1c."  # GB18030 four-byte
    assert encode_text("A¥1") == b"A\x1c&\xa3\xa4\x1c.1"  # GBK (the default): ¥ prints as ￥
    assert encode_text("𠮷") == b"?"
    assert encode_text("ab") == b"ab"


def test_interpreter_refuses_high_bytes_outside_chinese_mode() -> None:
    with pytest.raises(InterpretError):
        interpret("中".encode("gb18030") + b"\n")


def test_layout_refuses_unknown_widths() -> None:
    with pytest.raises(ValueError):
        Layout(40)
    lay = Layout(32)
    with pytest.raises(ValueError):
        lay.table(["a", "b"], [10, 10], ["left", "right"])


EXPECTED_CHINESE_58 = [
    "",
    "           积分便利店",
    "     北京市朝阳区建国路１号",
    "    销售小票",
    "--------------------------------",
    "小票号         S001-T01-00000001",
    "时间            2026-11-03 10:00",
    "收银员                      1001",
    "--------------------------------",
    "商品              数量      金额",
    "东北大米５公斤       1     59.90",
    "鲜牛奶（整箱）       2    136.00",
    "--------------------------------",
    "合计                      195.90",
    "实付                      195.90",
    "支付方式                微信支付",
    "--------------------------------",
    "会员            李娜 139****9000",
    "本次积分                    +335",
    "  消费积分                   235",
    "    银卡                    x1.2",
    "  首单奖励                  +100",
    "积分余额                    8335",
    "距金卡还差              19765 分",
    "--------------------------------",
    "",
    "       S001-T01-00000001",
    "      谢谢惠顾，欢迎再来！",
]

EXPECTED_ENGLISH_42 = [
    "",
    "                Demo Store",
    "              1 Main Street",
    "    SALES RECEIPT",
    "------------------------------------------",
    "Receipt                  S001-T01-00000001",
    "Time                      2026-11-03 10:00",
    "Cashier                               1001",
    "------------------------------------------",
    "Item                        Qty     Amount",
    "Green tea 500ml               2       7.00",
    "Bread                         1       8.50",
    "------------------------------------------",
    "Total                                15.50",
    "Paid                                 15.50",
    "Tender                                Cash",
    "------------------------------------------",
    "Member                    王芳 137****7000",
    "Points earned                         +115",
    "  Purchase points                       15",
    "    Normal                              x1",
    "  First purchase                      +100",
    "Balance                                115",
    "To Silver                         4985 pts",
    "------------------------------------------",
    "",
    "            S001-T01-00000001",
    "         Thank you, see you soon",
]


def test_chinese_receipt_decodes_to_the_expected_paper(store: Terminal) -> None:
    """All Chinese: header, address with a full-width digit, names with full-width brackets,
    WeChat Pay, a silver member; 58 mm paper."""
    save_settings(store, {"receipt.header": "积分便利店|北京市朝阳区建国路１号",
                          "receipt.footer": "谢谢惠顾，欢迎再来！", "printer.cash_drawer": False})
    lines = [SaleLine(1, "A", "东北大米５公斤", "food", 1, 5990), SaleLine(2, "B", "鲜牛奶（整箱）", "food", 2, 6800)]
    no = sale(store, lines, member_ref="13900139000", tender="wechat")
    out = interpret(receipt_bytes(store, no, columns=32, language="zh_CN"))
    assert [ln.text for ln in out.lines] == EXPECTED_CHINESE_58
    assert all(ln.cells <= 32 for ln in out.lines)
    assert out.qr_codes() == [no] and out.kinds() == ["init", "image", "qr", "feed", "feed", "cut"]


def test_english_receipt_decodes_to_the_expected_paper(store: Terminal) -> None:
    """All English (apart from the member's name): 42 columns, a cash sale with the drawer off."""
    save_settings(store, {"receipt.header": "Demo Store|1 Main Street", "receipt.footer": "Thank you, see you soon",
                          "printer.cash_drawer": False})
    no = sale(store, ENGLISH, member_ref="13700137000", tender="cash")
    out = interpret(receipt_bytes(store, no, columns=42, language="en"))
    assert [ln.text for ln in out.lines] == EXPECTED_ENGLISH_42
    assert out.qr_codes() == [no] and "drawer" not in out.kinds() and out.kinds()[-1] == "cut"


def test_points_expiring_soon_are_on_the_receipt(store: Terminal, clock: FakeClock) -> None:
    """The member's lots from the demo's opening balance (2026-11-03) expire 24 months later: a
    sale three weeks before that shows them in the 30-day window, not yet in the 7- or 1-day one."""
    clock.set("2028-10-14T10:00")
    no = sale(store, ENGLISH, member_ref="13800138000", tender="card")
    lots = store.ledger.live_lots(store.repo.member_by_phone("13800138000").id)  # type: ignore[union-attr]
    soon = sum(lot.remaining for lot in lots if lot.expires_on is not None
               and lot.expires_on <= dt.date(2028, 11, 12))
    assert soon > 0
    text = [ln.rstrip() for ln in interpret(receipt_bytes(store, no, columns=48, language="en")).text]
    expiring = [ln for ln in text if ln.startswith("Expiring in")]
    assert expiring == [f"Expiring in 30 days{str(soon).rjust(48 - len('Expiring in 30 days'))}"]
    first = text[text.index(expiring[0]) + 1]
    assert first == f"  First expiry{'2028-11-03'.rjust(48 - len('  First expiry'))}"
    zh = [ln.rstrip() for ln in interpret(receipt_bytes(store, no, columns=32, language="zh_CN")).text]
    assert any(ln.startswith("30天内到期") and ln.endswith(str(soon)) for ln in zh)
    assert any(ln.startswith("  最早到期日") and ln.endswith("2028-11-03") for ln in zh)


def test_the_receipt_names_the_most_urgent_window_once(store: Terminal, clock: FakeClock) -> None:
    """Points due within 7 days are reminded once, in the 7-day window (the 30-day window holds
    them too: the receipt printed each window before, the same points twice)."""
    clock.set("2028-10-30T10:00")
    no = sale(store, ENGLISH, member_ref="13800138000", tender="card")
    member = store.repo.member_by_phone("13800138000")
    assert member is not None
    reminder = members.member_picture(store, member, dt.date(2028, 10, 30)).reminder
    assert reminder is not None and reminder.within_days == 7 and reminder.first_day == dt.date(2028, 11, 3)
    text = [ln.rstrip() for ln in interpret(receipt_bytes(store, no, columns=48, language="en")).text]
    assert [ln for ln in text if ln.startswith("Expiring in")] == [
        f"Expiring in 7 days{str(reminder.points).rjust(48 - len('Expiring in 7 days'))}"]
