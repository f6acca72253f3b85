"""The console's staff pages and one's own account in a real browser against a real headquarters
(SQLite and PostgreSQL): add an account who then signs in, change a role, disable and enable,
reset a password (sessions end), unlock, the last active admin kept; everyone's own password;
bad input, CSRF, a hostile name and who may reach the pages."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from playwright.sync_api import expect

from pos_app.hq import db as hqdb
from pos_app.hq import staff
from tests.console.conftest import PASSWORD, Console, csrf_of, hq_close, hq_open, sign_in

XSS = "<script>alert(1)</script>"
NEW_PASSWORD = "Fresh-Start-2027"


@contextmanager
def hq(console: Console) -> Iterator[Any]:
    database = hq_open(console)
    try:
        yield database
    finally:
        hq_close(database)


def snapshot(console: Console) -> list[tuple[Any, ...]]:
    with hq(console):
        return [(s.login, s.role, s.store_id, bool(s.active), s.password_hash, s.locked_until)
                for s in hqdb.Staff.select().order_by(hqdb.Staff.login)]


def test_an_admin_adds_a_store_manager_who_then_signs_in(console: Console, page: Any, browser: Any) -> None:
    sign_in(page, console, "admin", next_path="/staff")
    expect(page.locator("#accounts tr[data-login=manager1]")).to_contain_text("S001")
    page.fill("#f-login", "li.na")
    page.fill("#f-name", "李娜")
    page.select_option("#f-role", "store_manager")
    page.select_option("#f-store_id", "S002")
    page.fill("#f-password", "Li-Na-first-2026")
    page.click("#add-staff")
    expect(page.locator("#account-login")).to_have_text("li.na · 李娜")
    expect(page.locator("#account-role")).to_have_text("店长")
    with hq(console):
        row = hqdb.Staff.get(hqdb.Staff.login == "li.na")
        assert row.password_hash.startswith("$argon2id$") and row.store_id == "S002"
        added = hqdb.Audit.get((hqdb.Audit.action == "staff.add") & (hqdb.Audit.ref == "li.na"))
        assert added.actor == "staff:admin" and "Li-Na-first" not in added.details

    other = browser.new_context(locale="zh-CN")
    try:
        tab = other.new_page()
        sign_in(tab, console, "li.na", password="Li-Na-first-2026", next_path="/stores")
        expect(tab.locator("#stores tr[data-store=S002]")).to_be_visible()
        expect(tab.locator("#stores tr[data-store=S001]")).to_have_count(0)
        expect(tab.locator("nav.main a[href$='/staff']")).to_have_count(0)
        tab.click("#my-account")  # and changes the password the admin gave
        tab.fill("#f-current", "Li-Na-first-2026")
        tab.fill("#f-password", NEW_PASSWORD)
        tab.fill("#f-again", NEW_PASSWORD)
        tab.click("#change-password")
        expect(tab.locator(".flash")).to_contain_text("密码已修改")
        tab.goto(console.base + "/stores")  # still signed in
        expect(tab.locator("#stores tr[data-store=S002]")).to_be_visible()
    finally:
        other.close()
    fresh = console.client()
    form = fresh.get("/console/login")
    answer = fresh.post("/console/login", data={"login": "li.na", "password": NEW_PASSWORD,
                                                "csrf": csrf_of(form.text), "next": "/console/"})
    assert answer.status_code == 303

    page.goto(console.base + "/audit?ref=li.na")  # the audit page lists what happened to the account
    expect(page.locator("#audit tr[data-action='staff.add'] .actor")).to_have_text("staff:admin")
    expect(page.locator("#audit tr[data-action='staff.password'] .actor")).to_have_text("staff:li.na")


def test_role_disable_enable_reset_and_unlock(console: Console, page: Any) -> None:
    market = console.client("market")
    assert market.get("/console/").status_code == 200
    sign_in(page, console, "admin", next_path="/staff/market")
    page.select_option("#f-role", "finance")
    page.click("#change-role")
    expect(page.locator("#account-role")).to_have_text("财务/审计")
    assert market.get("/console/").status_code == 303  # a role change ends the account's sessions
    page.click("#disable")
    expect(page.locator("#account-state")).to_contain_text("已停用")
    page.click("#enable")
    expect(page.locator("#account-state")).to_contain_text("正常")

    finance = console.client("finance")
    page.goto(console.base + "/staff/finance")
    page.fill("#f-password", NEW_PASSWORD)
    page.click("#reset-password")
    expect(page.locator(".flash")).to_contain_text("finance")
    assert finance.get("/console/").status_code == 303  # the reset ended the session
    with hq(console):
        staff.sign_in("finance", NEW_PASSWORD)
        for _ in range(staff.LOCK_AFTER):
            with pytest.raises(staff.LoginRefused):
                staff.sign_in("manager2", "not-the-password")
        assert hqdb.Staff.get(hqdb.Staff.login == "manager2").locked_until
    page.goto(console.base + "/staff")
    expect(page.locator("#accounts tr[data-login=manager2] .state")).to_contain_text("已锁定")
    page.goto(console.base + "/staff/manager2")
    page.click("#unlock")
    expect(page.locator("#account-state")).to_contain_text("正常")
    console.client("manager2")  # signs in again
    with hq(console):
        actions = [a.action for a in hqdb.Audit.select().where(hqdb.Audit.actor == "staff:admin")]
        assert actions.count("staff.update") == 4 and actions.count("staff.password") == 1


def test_the_last_active_admin_stays_one(console: Console, page: Any) -> None:
    with hq(console):
        staff.update_staff("admin2", active=False, actor="test")
    sign_in(page, console, "admin", next_path="/staff/admin")
    before = snapshot(console)
    page.click("#disable")
    expect(page.locator(".error-box")).to_contain_text("最后一位")
    page.select_option("#f-role", "marketing")
    page.click("#change-role")
    expect(page.locator(".error-box")).to_contain_text("最后一位")
    assert snapshot(console) == before
    expect(page.locator("#logout")).to_be_visible()  # still signed in, still an admin


def test_bad_input_names_the_field_and_writes_nothing(console: Console, page: Any) -> None:
    sign_in(page, console, "admin", next_path="/staff")
    before = snapshot(console)
    cases = (({"login": "A B"}, "login"), ({"login": "x"}, "login"), ({"password": "short"}, "password"),
             ({"password": "aaaaaaaaaaaa"}, "password"), ({"role": "store_manager"}, "store_id"),
             ({"role": "finance", "store_id": "S001"}, "store_id"), ({"login": "admin"}, "login"))
    for change, field_name in cases:
        values = {"login": "newone", "name": "新人", "role": "marketing", "store_id": "", "password": PASSWORD,
                  **change}
        page.fill("#f-login", values["login"])
        page.fill("#f-name", values["name"])
        page.select_option("#f-role", values["role"])
        page.select_option("#f-store_id", values["store_id"])
        page.fill("#f-password", values["password"])
        page.click("#add-staff")
        expect(page.locator(f"#e-{field_name}")).to_be_visible()
        expect(page.locator("#f-password")).to_have_value("")  # a password is never sent back
    client = console.client("admin")
    token = csrf_of(client.get("/console/staff").text)
    role = client.post("/console/staff", data={"csrf": token, "login": "newone", "role": "boss", "password": PASSWORD})
    assert role.status_code == 422 and 'data-field="role"' in role.text
    store = client.post("/console/staff/market/role", data={"csrf": token, "role": "store_manager", "store_id": "S404"})
    assert store.status_code == 422 and 'data-field="store_id"' in store.text
    reset = client.post("/console/staff/market/password", data={"csrf": token, "password": "short"})
    assert reset.status_code == 422 and 'data-field="password"' in reset.text
    assert client.post("/console/staff/nobody/disable", data={"csrf": token}).status_code == 404
    assert client.post("/console/staff/market/explode", data={"csrf": token}).status_code == 404
    assert snapshot(console) == before


def test_ones_own_password_needs_the_current_one(console: Console, page: Any) -> None:
    other_session = console.client("market")
    sign_in(page, console, "market", next_path="/account")
    before = snapshot(console)
    for current, new, again, field_name in (("", NEW_PASSWORD, NEW_PASSWORD, "current"),
                                            ("wrong-password-1", NEW_PASSWORD, NEW_PASSWORD, "current"),
                                            (PASSWORD, "short", "short", "password"),
                                            (PASSWORD, NEW_PASSWORD, NEW_PASSWORD + "x", "again"),
                                            (PASSWORD, PASSWORD, PASSWORD, "password")):
        page.fill("#f-current", current)
        page.fill("#f-password", new)
        page.fill("#f-again", again)
        page.click("#change-password")
        expect(page.locator(f"#e-{field_name}")).to_be_visible()
    assert snapshot(console) == before
    page.fill("#f-current", PASSWORD)
    page.fill("#f-password", NEW_PASSWORD)
    page.fill("#f-again", NEW_PASSWORD)
    page.click("#change-password")
    expect(page.locator(".flash")).to_be_visible()
    page.goto(console.base + "/")
    expect(page.locator("#logout")).to_be_visible()  # this session stays
    assert other_session.get("/console/").status_code == 303  # the other one ended
    with hq(console):
        staff.sign_in("market", NEW_PASSWORD)


def test_a_hostile_name_is_shown_as_text(console: Console, page: Any) -> None:
    with hq(console):
        staff.add_staff("hostile", PASSWORD, "marketing", name=XSS, actor="test")
    sign_in(page, console, "admin", next_path="/staff")
    expect(page.locator("#accounts tr[data-login=hostile]")).to_contain_text(XSS)
    page.goto(console.base + "/staff/hostile")
    expect(page.locator("#account-login")).to_have_text(f"hostile · {XSS}")
    assert XSS not in page.content()


def test_forms_without_their_csrf_token_are_refused(console: Console) -> None:
    client = console.client("admin")
    before = snapshot(console)
    for path, data in (("/console/staff", {"login": "newone", "role": "admin", "password": PASSWORD}),
                       ("/console/staff/market/role", {"role": "finance"}),
                       ("/console/staff/market/disable", {}),
                       ("/console/staff/market/password", {"password": NEW_PASSWORD}),
                       ("/console/staff/market/unlock", {}),
                       ("/console/account/password", {"current": PASSWORD, "password": NEW_PASSWORD,
                                                      "again": NEW_PASSWORD})):
        assert client.post(path, data=data).status_code == 403, path
        assert client.post(path, data={**data, "csrf": "forged"}).status_code == 403, path
    assert snapshot(console) == before


def test_only_admins_reach_the_staff_pages(console: Console) -> None:
    for login in ("manager1", "market", "finance"):
        client = console.client(login)
        token = csrf_of(client.get("/console/account").text)
        assert client.get("/console/staff").status_code == 403, login
        assert client.get("/console/staff/admin").status_code == 403, login
        before = snapshot(console)
        assert client.post("/console/staff", data={"csrf": token, "login": "sneaky", "role": "admin",
                                                   "password": PASSWORD}).status_code == 403
        assert client.post("/console/staff/admin/disable", data={"csrf": token}).status_code == 403
        assert snapshot(console) == before
        own = client.get("/console/account")
        assert own.status_code == 200 and re.search(rf"<td>{login}</td>", own.text)
