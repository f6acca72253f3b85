"""The console's members pages in a real browser against a real headquarters (SQLite and
PostgreSQL): search as you type, a member's file, revoking a card, adjustments with
maker-checker approval, bad input, CSRF, a hostile name and a store manager's limits."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from playwright.sync_api import expect

from pos_app.core.members import make_card_number
from pos_app.hq import db as hqdb
from pos_app.hq import members_admin
from tests.console.conftest import Console, csrf_of, hq_close, hq_open, sign_in
from tests.hq.conftest import Till, member_event, push

XSS = "<script>alert(1)</script>"
EARN_BREAKDOWN = {"credited_purchase": 200, "sale_multipliers": [], "bonuses": [{"id": "first_purchase",
                  "points": 100}], "daily_cap_cut": 0, "credited_bonus": 100, "total": 300}


@contextmanager
def hq(console: Console) -> Iterator[Any]:
    database = hq_open(console)
    try:
        yield database
    finally:
        hq_close(database)


def seed(console: Console) -> dict[str, str]:
    """Members of S001 (one with a sale pushed by T01, one with a hostile name) and of S002."""
    till = Till("T01", "S001")
    with hq(console):
        terminal = hqdb.Terminal.get_by_id("T01")
        out: dict[str, str] = {}
        events, entries = [], []
        for key, phone, name, card in (("zhang", "13800000001", "张三", 1), ("xss", "13800000002", XSS, 2)):
            uuid = f"00000000-0000-4000-8000-00000000000{card}"
            out[key] = uuid
            events.append(member_event(till, uuid, phone=phone, card_no=make_card_number(card), name=name))
        entries.append(till.earn(out["zhang"], 300, breakdown=EARN_BREAKDOWN))
        events.append(till.event("tier", out["zhang"], {"from": "normal", "to": "silver", "reason": "manager",
                                                        "at": "2026-11-03T10:00:00"}))
        push(terminal, till.batch(entries, events))
        other = Till("T03", "S002")
        out["other"] = "00000000-0000-4000-8000-000000000009"
        push(hqdb.Terminal.get_by_id("T03"), other.batch([], [member_event(
            other, out["other"], phone="13900000009", card_no=make_card_number(9), name="王五")]))
    return out


def counts(console: Console) -> tuple[int, int, int, int]:
    with hq(console):
        return (hqdb.Entry.select().count(), hqdb.Approval.select().count(), hqdb.Revoked.select().count(),
                hqdb.Audit.select().where(hqdb.Audit.action.startswith("member.")).count())


def balance(console: Console, uuid: str) -> int:
    with hq(console):
        return int(hqdb.Member.get_by_id(uuid).balance)


def test_search_as_you_type_then_the_members_file_with_its_breakdown(console: Console, page: Any) -> None:
    ids = seed(console)
    sign_in(page, console, "admin", next_path="/members")
    expect(page.locator("h1")).to_have_text("会员")
    page.fill("#f-q", "张")
    expect(page.locator("#member-results")).to_contain_text("张三")  # htmx answered as typed
    expect(page).to_have_url(re.compile(r"/console/members\?q="))
    page.fill("#f-q", "王")
    expect(page.locator("#member-results")).to_contain_text("王五")
    page.fill("#f-q", "138 0000 0001")
    expect(page.locator("#member-results tbody tr")).to_have_count(1)
    page.fill("#f-q", "无此人")
    expect(page.locator("#no-results")).to_be_visible()
    page.fill("#f-q", make_card_number(1))
    page.locator("#member-results a.member-link").click()
    expect(page.locator("#member-name")).to_have_text("张三")
    expect(page.locator("#balance")).to_have_text("300")
    expect(page.locator("#lots tbody tr")).to_have_count(1)
    row = page.locator("#ledger tbody > tr").first
    expect(row).to_contain_text("earn")
    expect(row.locator("table.breakdown")).to_contain_text("first_purchase")
    expect(row.locator("table.breakdown")).to_contain_text("purchase")
    expect(page.locator("#stores-visited")).to_contain_text("S001")
    expect(page.locator("#tier")).to_have_text("silver")
    expect(page.locator("#tier-changes")).to_contain_text("T01")  # the tier part, loaded by htmx
    expect(page.locator("#tier-changes tbody tr")).to_have_count(1)
    expect(page.locator("#merge-link")).to_have_attribute("href", f"/console/members/{ids['zhang']}/merge")
    page.click("a.lang[lang=en]")
    expect(page.locator("h2#history")).to_have_text("Ledger history")


def test_a_hostile_name_is_shown_as_text(console: Console, page: Any) -> None:
    ids = seed(console)
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    sign_in(page, console, "market", next_path="/members?q=" + "%3Cscript")
    expect(page.locator("#member-results")).to_contain_text(XSS)
    page.goto(f"{console.base}/members/{ids['xss']}")
    expect(page.locator("#member-name")).to_have_text(XSS)
    expect(page.locator("#merge-link")).to_have_count(0)  # marketing may not merge
    assert dialogs == []


def test_maker_checker_a_large_adjustment_needs_a_second_person(console: Console, page: Any, browser: Any) -> None:
    ids = seed(console)
    sign_in(page, console, "market", next_path=f"/members/{ids['zhang']}")
    page.fill("#f-points", "5000")
    page.fill("#f-reason", "积分补录：系统故障")
    page.click("#adjust")
    expect(page.locator(".flash")).to_contain_text("审批")
    expect(page.locator("#balance")).to_have_text("300")
    expect(page.locator("#member-pending")).to_contain_text("+5000")
    assert balance(console, ids["zhang"]) == 300
    page.goto(f"{console.base}/members/approvals")
    pending = page.locator("#pending tbody tr")
    expect(pending).to_have_count(1)
    expect(pending.locator(".own")).to_be_visible()
    expect(pending.locator("button.approve")).to_have_count(0)
    with hq(console):
        number = hqdb.Approval.get().id
    market = console.client("market")  # the maker cannot approve their own by posting either
    token = csrf_of(market.get("/console/members/approvals").text)
    refused = market.post(f"/console/members/approvals/{number}/approve", data={"csrf": token})
    assert refused.status_code == 403 and balance(console, ids["zhang"]) == 300

    checker = browser.new_context(locale="zh-CN")
    try:
        tab = checker.new_page()
        tab.set_default_timeout(15_000)
        sign_in(tab, console, "finance", next_path="/members/approvals")
        tab.locator(f"tr[data-approval='{number}'] button.approve").click()
        expect(tab.locator(".flash")).to_contain_text("5000")
        expect(tab.locator("#none-pending")).to_be_visible()
        expect(tab.locator(f"#decided tr[data-approval='{number}']")).to_contain_text("staff:finance")
        tab.goto(f"{console.base}/members/{ids['zhang']}")
        expect(tab.locator("#balance")).to_have_text("5,300")
        expect(tab.locator("#member-pending")).to_have_count(0)
        expect(tab.locator("#ledger tbody > tr").first).to_contain_text("HQADJ-")
        expect(tab.locator("#adjust-form")).to_have_count(0)  # finance approves, does not adjust
    finally:
        checker.close()
    with hq(console):
        entry = hqdb.Entry.get((hqdb.Entry.kind == "adjust") & (hqdb.Entry.member_uuid == ids["zhang"]))
        assert entry.terminal_id == hqdb.HQ_CHAIN and entry.points == 5000
        actions = [a.action for a in hqdb.Audit.select().where(hqdb.Audit.action.startswith("member.adjust"))]
        assert actions == ["member.adjust_requested", "member.adjust_approved"]


def test_a_small_adjustment_and_a_revocation_with_confirmation(console: Console, page: Any) -> None:
    ids = seed(console)
    sign_in(page, console, "admin", next_path=f"/members/{ids['zhang']}")
    page.fill("#f-points", "-100")
    page.fill("#f-reason", "重复积分冲正")
    page.click("#adjust")
    expect(page.locator("#balance")).to_have_text("200")
    page.fill("#f-revoke_reason", "会员报失")
    page.once("dialog", lambda d: d.dismiss())  # "cancel": nothing sent
    page.click("#revoke")
    expect(page.locator("#card-revoked")).to_have_count(0)
    page.once("dialog", lambda d: d.accept())
    page.click("#revoke")
    expect(page.locator("#card-revoked")).to_be_visible()
    with hq(console):
        row = hqdb.Revoked.get()
        assert (row.kind, row.value, row.reason) == ("card", make_card_number(1), "会员报失")


def test_bad_input_names_the_field_and_writes_nothing(console: Console, page: Any) -> None:
    ids = seed(console)
    client = console.client("admin")
    token = csrf_of(client.get(f"/console/members/{ids['zhang']}").text)
    before = counts(console)
    for data, field in (({"points": "abc", "reason": "ok reason"}, "points"),
                        ({"points": "0", "reason": "ok reason"}, "points"),
                        ({"points": "", "reason": "ok reason"}, "points"),
                        ({"points": "10", "reason": ""}, "reason"),
                        ({"points": "-301", "reason": "too much"}, "points")):
        answer = client.post(f"/console/members/{ids['zhang']}/adjust", data={**data, "csrf": token})
        assert answer.status_code == 422, (data, answer.status_code)
        assert f'id="e-{field}"' in answer.text, data
    answer = client.post(f"/console/members/{ids['zhang']}/revoke", data={"revoke_reason": " ", "csrf": token})
    assert answer.status_code == 422 and 'id="e-revoke_reason"' in answer.text
    too_long = client.get("/console/members?q=" + "x" * 41)
    assert too_long.status_code == 422 and 'id="e-q"' in too_long.text
    bad_page = client.get("/console/members?q=x&offset=-1", headers={"HX-Request": "true"})
    assert bad_page.status_code == 422 and 'id="e-offset"' in bad_page.text and "<html" not in bad_page.text
    assert counts(console) == before
    sign_in(page, console, "admin", next_path=f"/members/{ids['zhang']}")  # and in the browser, in Chinese
    page.fill("#f-points", "-99999")
    page.fill("#f-reason", "扣减")
    page.click("#adjust")
    expect(page.locator("#e-points")).to_have_text("扣减不能使余额低于零")
    expect(page.locator("#f-points")).to_have_value("-99999")
    assert counts(console) == before


def test_forms_without_their_csrf_token_are_refused(console: Console) -> None:
    ids = seed(console)
    client = console.client("admin")
    before = counts(console)
    assert client.post(f"/console/members/{ids['zhang']}/adjust",
                       data={"points": "10", "reason": "no token"}).status_code == 403
    assert client.post(f"/console/members/{ids['zhang']}/revoke", data={"revoke_reason": "no token"}).status_code == 403
    with hq(console):
        pending = members_admin.request_adjustment(ids["zhang"], 5000, "big one", actor="staff:market")
    assert client.post(f"/console/members/approvals/{pending.approval_id}/approve",
                       data={"csrf": "forged"}).status_code == 403
    after = counts(console)
    assert after[0] == before[0] and after[2] == before[2]  # no entry, no revocation
    assert balance(console, ids["zhang"]) == 300


def test_a_store_manager_sees_only_their_store_read_only(console: Console) -> None:
    ids = seed(console)
    client = console.client("manager1")
    found = client.get("/console/members?q=王")
    assert found.status_code == 200 and "王五" not in found.text  # S002's member
    assert "张三" in client.get("/console/members?q=张").text
    mine = client.get(f"/console/members/{ids['zhang']}")
    assert mine.status_code == 200 and 'id="adjust-form"' not in mine.text and 'id="merge-link"' not in mine.text
    assert client.get(f"/console/members/{ids['other']}").status_code == 403
    assert client.get(f"/console/members/{ids['other']}/tiers").status_code == 403
    assert client.get("/console/members/approvals").status_code == 403
    token = csrf_of(mine.text)
    before = counts(console)
    assert client.post(f"/console/members/{ids['zhang']}/adjust",
                       data={"points": "10", "reason": "manager", "csrf": token}).status_code == 403
    assert client.post(f"/console/members/{ids['zhang']}/revoke",
                       data={"revoke_reason": "manager", "csrf": token}).status_code == 403
    assert counts(console) == before
    other = console.client("manager2")
    assert other.get(f"/console/members/{ids['zhang']}").status_code == 403
    assert other.get("/console/members/not-a-uuid").status_code == 404


def test_a_merged_member_points_to_the_survivor(console: Console, page: Any) -> None:
    ids = seed(console)
    with hq(console):
        hqdb.Member.update(merged_into=ids["zhang"]).where(hqdb.Member.uuid == ids["xss"]).execute()
        hqdb.Audit.create(at=hqdb.utcnow(), actor="test", action="test", ref="", details=json.dumps({}))
    sign_in(page, console, "admin", next_path=f"/members/{ids['xss']}")
    expect(page.locator("#merged-into")).to_contain_text("张三")
    expect(page.locator("#adjust-form")).to_have_count(0)
    expect(page.locator("#merge-link")).to_have_count(0)
    page.locator("#merged-into a").click()
    expect(page.locator("#member-name")).to_have_text("张三")
