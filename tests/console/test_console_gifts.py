"""Gifts and coupons in a real browser against a real headquarters (SQLite and PostgreSQL): the
catalogue, stock received, transferred and counted, bad input, the stock history, coupons,
roles and CSRF."""

from __future__ import annotations

import json
import uuid as uuid_mod
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from playwright.sync_api import expect

from pos_app.hq import db as hqdb
from tests.console.conftest import Console, csrf_of, hq_close, hq_open, sign_in
from tests.hq.conftest import Till, member_event, push

XSS = "<script>alert(1)</script>"


@contextmanager
def hq(console: Console) -> Iterator[None]:
    database = hq_open(console)
    try:
        yield
    finally:
        hq_close(database)


def stock(console: Console) -> dict[str, int]:
    with hq(console):
        return {r.store_id: int(r.stock) for r in hqdb.GiftStock.select().where(hqdb.GiftStock.gift_code == "G004")}


def moves(console: Console) -> int:
    with hq(console):
        return int(hqdb.GiftStockMove.select().count())


def operate(page: Any, console: Console, op: str, **fields: str) -> None:
    page.goto(f"{console.base}/gifts/{op}")
    for name, value in fields.items():
        if name in ("store_id", "from_store", "to_store", "gift_code"):
            page.select_option(f"#f-{name}", value)
        else:
            page.fill(f"#f-{name}", value)
    page.click("#submit-stock")


def test_stock_is_received_transferred_and_counted_in_the_browser(console: Console, page: Any) -> None:
    sign_in(page, console, "market", next_path="/gifts")
    expect(page.locator("#catalogue tr[data-gift='G004']")).to_contain_text("热门耳机")
    expect(page.locator("#catalogue tr[data-gift='G002']")).to_contain_text("满 50.00 元可用")
    operate(page, console, "receive", store_id="S001", gift_code="G004", qty="10", note="到货单 A-17")
    expect(page.locator(".flash")).to_contain_text("库存 10")
    expect(page.locator("#stock tr[data-gift='G004'] td[data-store='S001']")).to_have_text("10")
    operate(page, console, "transfer", from_store="S001", to_store="S002", gift_code="G004", qty="4")
    expect(page.locator("#stock tr[data-gift='G004'] td[data-store='S002']")).to_have_text("4")
    operate(page, console, "count", store_id="S002", gift_code="G004", counted="3", note="盘点少一件")
    expect(page.locator(".flash")).to_contain_text("差异 -1")
    expect(page.locator("#stock tr[data-gift='G004'] td[data-store='S001']")).to_have_text("6")
    expect(page.locator("#stock tr[data-gift='G004'] td[data-store='S002']")).to_have_text("3")
    assert stock(console) == {"S001": 6, "S002": 3}
    page.click("#stock tr[data-gift='G004'] td[data-store='S002'] a")
    expect(page.locator("#moves tbody tr")).to_have_count(2)
    expect(page.locator("#moves tbody tr").first).to_contain_text("盘点少一件")
    expect(page.locator("#moves tbody tr").nth(1)).to_contain_text("调入")
    with hq(console):  # each store's tills get its stock in their feed
        changes = [(c.audience, json.loads(c.data)["stock"]) for c in
                   hqdb.Change.select().where(hqdb.Change.kind == "gift_stock").order_by(hqdb.Change.id)]
        assert changes == [("S:S001", 10), ("S:S001", 6), ("S:S002", 4), ("S:S002", 3)]
        assert hqdb.Audit.select().where(hqdb.Audit.actor == "staff:market",
                                         hqdb.Audit.action.startswith("gift.")).count() == 3


def test_bad_stock_input_names_the_field_and_writes_nothing(console: Console, page: Any) -> None:
    sign_in(page, console, "admin", next_path="/gifts")
    operate(page, console, "receive", store_id="S001", gift_code="G004", qty="2")
    expect(page.locator(".flash")).to_be_visible()
    before = moves(console)
    operate(page, console, "transfer", from_store="S001", to_store="S002", gift_code="G004", qty="3")
    expect(page.locator("#e-qty")).to_have_text("超过门店现有库存")
    expect(page.locator("#f-qty")).to_have_value("3")  # the form comes back as typed
    operate(page, console, "count", store_id="S001", gift_code="G004", counted="-1")
    expect(page.locator("#e-counted")).to_have_text("不能为负数")
    operate(page, console, "receive", store_id="S001", gift_code="G004", qty="两个")
    expect(page.locator("#e-qty")).to_have_text("请输入整数")
    operate(page, console, "transfer", from_store="S001", to_store="S001", gift_code="G004", qty="1")
    expect(page.locator("#e-to_store")).to_have_text("两个门店不能相同")
    client = console.client("admin")  # a gift the form does not offer
    token = csrf_of(client.get("/console/gifts/receive").text)
    for gift, message in (("G999", "当前方案没有此礼品"), ("G001", "方案中此礼品不管理库存")):
        answer = client.post("/console/gifts/receive", data={"csrf": token, "store_id": "S001", "gift_code": gift,
                                                             "qty": "1"})
        assert answer.status_code == 422 and 'id="e-gift_code"' in answer.text and message in answer.text
    assert moves(console) == before and stock(console) == {"S001": 2}


def test_coupons_are_found_by_code_member_and_status(console: Console, page: Any) -> None:
    first, second = str(uuid_mod.uuid4()), str(uuid_mod.uuid4())
    a, b = Till("T01", "S001"), Till("T03", "S002")
    issue = {"gift": "G002", "value_fen": 1000, "min_spend_fen": 5000, "valid_until": "2099-12-31"}
    with hq(console):
        push(hqdb.Terminal.get_by_id("T01"), a.batch([], [
            member_event(a, first, phone="13800000021", card_no="2900000000018", name=XSS),
            a.event("coupon_issue", "CPAAAA01", {**issue, "member": first}),
            a.event("coupon_issue", "CPAAAA02", {**issue, "member": first}),
            a.event("coupon_use", "CPAAAA02", {"receipt_no": "R-1", "at": "2026-11-03T11:00:00"})]))
        push(hqdb.Terminal.get_by_id("T03"), b.batch([], [
            member_event(b, second, phone="13800000022", card_no="2900000000025", name="赵六"),
            b.event("coupon_issue", "CPBBBB01", {**issue, "member": second, "valid_until": "2020-01-31"})]))
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    sign_in(page, console, "finance", next_path="/gifts/coupons")
    expect(page.locator("#coupons tbody tr")).to_have_count(3)
    expect(page.locator("tr[data-coupon='CPAAAA01'] a")).to_have_text(XSS)  # a name is text, never markup
    expect(page.locator("tr[data-coupon='CPBBBB01']")).to_contain_text("已过期")
    page.fill("#f-code", "cpaaaa")
    page.click("#search")
    expect(page.locator("#coupons tbody tr")).to_have_count(2)
    page.fill("#f-code", "")
    page.fill("#f-member", "13800000021")
    page.select_option("#f-status", "used")
    page.click("#search")
    expect(page.locator("#coupons tbody tr")).to_have_count(1)
    expect(page.locator("tr[data-coupon='CPAAAA02']")).to_contain_text("R-1")
    page.goto(f"{console.base}/gifts/coupons?status=lost")
    expect(page.locator("#e-status")).to_be_visible()
    assert dialogs == []
    manager = console.client("manager2")  # a store manager sees their own store's members' coupons
    listed = manager.get("/console/gifts/coupons").text
    assert "CPBBBB01" in listed and "CPAAAA01" not in listed


def test_store_managers_read_their_own_store_only_and_csrf_is_required(console: Console) -> None:
    admin = console.client("admin")
    token = csrf_of(admin.get("/console/gifts/receive").text)
    assert admin.post("/console/gifts/receive", data={"csrf": token, "store_id": "S002", "gift_code": "G004",
                                                      "qty": "5"}).status_code == 303
    assert admin.post("/console/gifts/receive", data={"store_id": "S002", "gift_code": "G004",
                                                      "qty": "5"}).status_code == 403  # no CSRF token
    manager = console.client("manager1")
    page = manager.get("/console/gifts")
    assert page.status_code == 200 and 'data-store="S001"' in page.text and 'data-store="S002"' not in page.text
    assert manager.get("/console/gifts/history?store_id=S001&gift_code=G004").status_code == 200
    assert manager.get("/console/gifts/history?store_id=S002&gift_code=G004").status_code == 403
    assert manager.get("/console/gifts/receive").status_code == 403
    assert manager.post("/console/gifts/receive", data={"csrf": csrf_of(page.text), "store_id": "S001",
                                                        "gift_code": "G004", "qty": "5"}).status_code == 403
    finance = console.client("finance")  # reads, does not change stock
    assert finance.get("/console/gifts").status_code == 200
    assert finance.get("/console/gifts/transfer").status_code == 403
    assert admin.get("/console/gifts/history?store_id=S001&gift_code=G999").status_code == 404
    assert stock(console) == {"S002": 5}
