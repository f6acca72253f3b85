"""The reconciliation queue in a real browser against a real headquarters (SQLite and
PostgreSQL): flags made by pushing conflicting entries from two tills, resolved on the page."""

from __future__ import annotations

import json
import re
import uuid as uuid_mod
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from playwright.sync_api import expect

from pos_app.hq import db as hqdb
from pos_app.hq import verify
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


def terminal(terminal_id: str) -> hqdb.Terminal:
    return hqdb.Terminal.get_by_id(terminal_id)


def tills(console: Console) -> tuple[Till, Till]:
    """T01 (S001) and T03 (S002) as hand-built chains, kept with the console (their sequences go on)."""
    if not hasattr(console, "tills"):
        console.tills = (Till("T01", "S001"), Till("T03", "S002"))  # type: ignore[attr-defined]
    return console.tills  # type: ignore[attr-defined,no-any-return]


def double_bonus(console: Console, *, name: str = "王芳") -> tuple[str, int]:
    """A member's first-purchase bonus given by T01 (S001) and again by T03 (S002) before
    either had heard of the other's sale: (member uuid, flag id)."""
    member = str(uuid_mod.uuid4())
    a, b = tills(console)
    bonus = {"purchase_points": 50, "bonuses": [{"id": "first_purchase", "points": 100}]}
    with hq(console):
        push(terminal("T01"), a.batch([a.earn(member, 150, breakdown=bonus)],
                                      [member_event(a, member, phone="13800000011", card_no="2900000000018",
                                                    name=name)]))
        push(terminal("T03"), b.batch([b.earn(member, 150, day="2026-11-04", breakdown=bonus)]))
        flag = hqdb.Flag.get(hqdb.Flag.kind == "double_bonus")
        return member, int(flag.id)


def overdraft(console: Console) -> tuple[str, int]:
    """The same 80 points spent at T01 and at T03 while offline: an overdraft of 60."""
    member = str(uuid_mod.uuid4())
    a, b = tills(console)
    with hq(console):
        earn = a.earn(member, 100)
        push(terminal("T01"), a.batch([earn, a.entry(member, "redeem", -80, taken=[[earn["uuid"], 80]])],
                                      [member_event(a, member, phone="13800000012", card_no="2900000000025")]))
        push(terminal("T03"), b.batch([b.entry(member, "redeem", -80, taken=[[earn["uuid"], 80]])]))
        return member, int(hqdb.Flag.get(hqdb.Flag.kind == "overdraft").id)


def duplicate_phone(console: Console, name: str) -> tuple[str, str, int]:
    """Two stores enrolled the same phone number offline: a duplicate_phone flag."""
    first, second = str(uuid_mod.uuid4()), str(uuid_mod.uuid4())
    a, b = tills(console)
    with hq(console):
        push(terminal("T01"), a.batch([], [member_event(a, first, phone="13800000013", card_no="2900000000032",
                                                        name=name)]))
        push(terminal("T03"), b.batch([], [member_event(b, second, phone="13800000013", card_no="2900000000049",
                                                        name="李四")]))
        return first, second, int(hqdb.Flag.get(hqdb.Flag.kind == "duplicate_phone").id)


def state(console: Console, member: str, flag_id: int) -> tuple[int, int, str | None]:
    with hq(console):
        m = hqdb.Member.get_by_id(member)
        return int(m.balance), int(m.debt), hqdb.Flag.get_by_id(flag_id).resolution


def test_finance_takes_back_a_double_bonus_and_the_flag_is_resolved(console: Console, page: Any) -> None:
    member, flag_id = double_bonus(console)
    assert state(console, member, flag_id) == (300, 0, None)
    sign_in(page, console, "finance", next_path="/reconciliation")
    row = page.locator(f"tr[data-flag='{flag_id}']")
    expect(row).to_contain_text("奖励重复发放")
    expect(row.locator("a.member-link").first).to_have_attribute("href", f"/console/members/{member}")
    expect(row.locator("table.evidence tr[data-entry]")).to_have_count(2)  # the flagged grant and the first one
    row.locator("a.open-flag").click()
    expect(page.locator(f"tr[data-member='{member}'] .member-balance")).to_have_text("300")
    page.fill("#f-note-take", "两家店都给了首单奖励")
    page.click("#take-back")
    expect(page.locator(".flash")).to_contain_text("已扣回 100 积分")
    expect(page.locator("#resolution")).to_contain_text("已扣回")
    expect(page.locator(f"tr[data-member='{member}'] .member-balance")).to_have_text("200")
    assert state(console, member, flag_id) == (200, 0, "taken_back")
    with hq(console):
        entry = hqdb.Entry.get(hqdb.Entry.terminal_id == hqdb.HQ_CHAIN)
        assert (entry.kind, entry.points, entry.ref_no) == ("adjust", -100, f"FLAG-{flag_id}")
        # headquarters' entry is in the feed of the member's home store (its tills pull it)
        assert hqdb.Change.select().where((hqdb.Change.key == entry.uuid) & (hqdb.Change.audience == "S:S001")).exists()
        flag = hqdb.Flag.get_by_id(flag_id)
        assert (flag.resolved_by, flag.resolution_note) == ("staff:finance", "两家店都给了首单奖励")
        audit = hqdb.Audit.get(hqdb.Audit.action == "flag.resolve")
        assert audit.actor == "staff:finance" and json.loads(audit.details)["taken"] == 100
        assert verify.verify()["ok"]
    page.goto(f"{console.base}/reconciliation")
    expect(page.locator("#no-flags")).to_be_visible()
    page.select_option("#f-status", "resolved")
    page.click("#filter")
    expect(page.locator(f"tr[data-flag='{flag_id}']")).to_contain_text("已扣回")


def test_an_overdraft_is_written_off_and_filters_find_it(console: Console, page: Any) -> None:
    member, flag_id = overdraft(console)
    double_bonus(console)
    assert state(console, member, flag_id) == (-60, 60, None)
    sign_in(page, console, "admin", next_path="/reconciliation?kind=overdraft")
    expect(page.locator("#flags > tbody > tr")).to_have_count(1)
    page.goto(f"{console.base}/reconciliation?store=S001")
    expect(page.locator("#no-flags")).to_be_visible()  # both flags were raised by S002's till
    page.goto(f"{console.base}/reconciliation?store=S002")
    expect(page.locator("#flags > tbody > tr")).to_have_count(2)
    page.goto(f"{console.base}/reconciliation/{flag_id}")
    page.click("#write-off")
    expect(page.locator(".flash")).to_contain_text("已核销 60 欠分")
    assert state(console, member, flag_id) == (0, 0, "written_off")


def test_a_dismissal_without_a_note_names_the_field_and_writes_nothing(console: Console, page: Any) -> None:
    member, flag_id = double_bonus(console)
    sign_in(page, console, "admin", next_path=f"/reconciliation/{flag_id}")
    page.click("#dismiss")
    expect(page.locator("#e-note")).to_have_text("请填写备注")
    assert state(console, member, flag_id) == (300, 0, None)
    page.fill("#f-note", "会员确认两次都是首单活动")
    page.click("#dismiss")
    expect(page.locator("#resolution")).to_contain_text("已忽略")
    assert state(console, member, flag_id) == (300, 0, "dismissed")
    client = console.client("admin")  # resolved once only: the second time is refused, nothing written
    form = client.get(f"/console/reconciliation/{flag_id}")
    answer = client.post(f"/console/reconciliation/{flag_id}/take_back", data={"csrf": csrf_of(form.text)})
    assert answer.status_code == 422 and "此异常已处理过" in answer.text
    assert state(console, member, flag_id) == (300, 0, "dismissed")


def test_a_duplicate_phone_shows_names_as_text_and_links_to_the_merge(console: Console, page: Any) -> None:
    first, second, flag_id = duplicate_phone(console, XSS)
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    sign_in(page, console, "admin", next_path="/reconciliation")
    links = page.locator(f"tr[data-flag='{flag_id}'] a.member-link")  # the member who pushed, and the other
    expect(links.nth(0)).to_have_text("李四")
    expect(links.nth(1)).to_have_text(XSS)
    page.goto(f"{console.base}/reconciliation/{flag_id}")
    expect(page.locator("#merge-link")).to_have_attribute(
        "href", re.compile(rf"/console/members/{second}/merge\?other={first}"))
    page.click("#mark-merged")  # not merged yet: refused, beside the flag
    expect(page.locator(".error-box")).to_contain_text("请先合并")
    assert dialogs == []
    with hq(console):
        assert hqdb.Flag.get_by_id(flag_id).resolved_at is None
        hqdb.Member.update(merged_into=first, status="merged").where(hqdb.Member.uuid == second).execute()
    page.click("#mark-merged")
    expect(page.locator("#resolution")).to_contain_text("已合并")


def test_roles_and_csrf(console: Console) -> None:
    member, flag_id = double_bonus(console)
    for login in ("market", "manager1"):  # marketing and store managers cannot reach the queue
        client = console.client(login)
        assert client.get("/console/reconciliation").status_code == 403
        assert client.get(f"/console/reconciliation/{flag_id}").status_code == 403
        token = csrf_of(client.get("/console/").text)
        assert client.post(f"/console/reconciliation/{flag_id}/take_back", data={"csrf": token}).status_code == 403
    admin = console.client("admin")
    assert admin.post(f"/console/reconciliation/{flag_id}/take_back", data={"note": "x"}).status_code == 403
    assert admin.post(f"/console/reconciliation/{flag_id}/take_back",
                      data={"note": "x", "csrf": "forged"}).status_code == 403
    assert state(console, member, flag_id) == (300, 0, None)
    assert console.client().get("/console/reconciliation").status_code == 303  # signed out: to the login page
