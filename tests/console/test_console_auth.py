"""Signing in to the console: accounts, lock-out, sessions, CSRF, roles and the language switch,
in a real browser against a real headquarters (SQLite and PostgreSQL)."""

from __future__ import annotations

import re
from typing import Any

import httpx
from playwright.sync_api import expect

from pos_app.core.errors import PosError
from pos_app.hq import db as hqdb
from pos_app.hq import staff
from tests.console.conftest import PASSWORD, Console, csrf_of, hq_close, hq_open, sign_in


def test_a_staff_member_signs_in_and_out_in_chinese_then_english(console: Console, page: Any) -> None:
    page.goto(console.base + "/")
    expect(page).to_have_url(re.compile(r"/console/login\?next="))
    expect(page.locator("h1")).to_have_text("登录总部控制台")
    sign_in(page, console, "admin")
    expect(page.locator("h1")).to_have_text("概览")
    expect(page.locator("nav.main")).to_contain_text("会员")
    page.click("a.lang[lang=en]")
    expect(page.locator("h1")).to_have_text("Dashboard")
    expect(page.locator("nav.main")).to_contain_text("Members")
    page.click("#logout")
    expect(page.locator("h1")).to_have_text("Sign in to headquarters")
    page.goto(console.base + "/")
    expect(page).to_have_url(re.compile(r"/console/login"))


def test_five_wrong_passwords_lock_the_account_even_for_the_right_one(console: Console, page: Any) -> None:
    for _ in range(staff.LOCK_AFTER):
        page.goto(console.base + "/login")
        page.fill("#f-login", "market")
        page.fill("#f-password", "not-the-password")
        page.click("#sign-in")
        expect(page.locator("#e-password")).to_have_text("登录名或密码错误")
    page.fill("#f-login", "market")
    page.fill("#f-password", PASSWORD)
    page.click("#sign-in")
    expect(page.locator("#e-login")).to_contain_text("账号已锁定")
    expect(page.locator("#logout")).to_have_count(0)
    database = hq_open(console)
    try:
        row = hqdb.Staff.get(hqdb.Staff.login == "market")
        assert row.locked_until is not None
        refused = [a.details for a in hqdb.Audit.select().where(hqdb.Audit.action == "console.login_refused")]
        assert sum('"wrong"' in d for d in refused) == staff.LOCK_AFTER and sum('"locked"' in d for d in refused) == 1
        staff.update_staff("market", unlock=True, actor="test")
    finally:
        hq_close(database)
    sign_in(page, console, "market")  # unlocked by an admin: the right password works again


def test_the_session_cookie_is_httponly_and_samesite_and_the_login_answer_is_secured(console: Console) -> None:
    client = console.client()
    form = client.get("/console/login")
    assert "default-src 'self'" in form.headers["content-security-policy"]
    assert form.headers["x-frame-options"] == "DENY"
    answer = client.post("/console/login", data={"login": "admin", "password": PASSWORD, "csrf": csrf_of(form.text),
                                                 "next": "/console/"})
    assert answer.status_code == 303
    cookie = next(h for h in answer.headers.get_list("set-cookie") if h.startswith("pos_console="))
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/console" in cookie
    assert "Secure" not in cookie  # plain HTTP on loopback; under TLS it is Secure (test_console_tls)
    database = hq_open(console)
    try:  # only the token's hash is stored
        token = answer.cookies["pos_console"]
        assert all(token not in s.token_hash for s in hqdb.ConsoleSession.select())
    finally:
        hq_close(database)


def test_a_form_posted_without_its_csrf_token_is_refused_and_changes_nothing(console: Console) -> None:
    client = console.client("admin")
    answer = client.post("/console/logout", data={})
    assert answer.status_code == 403
    assert "表单已过期" in answer.text
    assert client.get("/console/").status_code == 200  # still signed in: the logout did not happen
    forged = client.post("/console/logout", data={"csrf": "forged-token"})
    assert forged.status_code == 403
    anonymous = console.client()
    login = anonymous.post("/console/login", data={"login": "admin", "password": PASSWORD, "next": "/console/"})
    assert login.status_code == 403 and "pos_console=" not in ";".join(login.headers.get_list("set-cookie"))


def test_the_console_session_cannot_push_or_pull_and_a_terminal_signature_opens_no_page(console: Console) -> None:
    client = console.client("admin")
    assert client.get("/v1/changes").status_code == 401
    push = client.post("/v1/push", json={"protocol": 1, "store_id": "S001", "terminal_id": "T01",
                                         "batch_id": "console-1", "entries": [], "events": []})
    assert push.status_code == 401
    bare = httpx.get(f"{console.base}/", headers={"X-POS-Terminal": "T01"}, follow_redirects=False)
    assert bare.status_code == 303 and "/console/login" in bare.headers["location"]


def test_a_store_manager_cannot_reach_an_admin_page(console: Console) -> None:
    client = console.client("manager1")
    answer = client.get("/console/staff")
    assert answer.status_code == 403


def test_after_sign_in_only_console_paths_are_followed(console: Console) -> None:
    client = console.client()
    form = client.get("/console/login?next=https://evil.example/")
    assert 'value="/console/"' in form.text
    answer = client.post("/console/login", data={"login": "admin", "password": PASSWORD, "csrf": csrf_of(form.text),
                                                 "next": "//evil.example/x"})
    assert answer.headers["location"] == "/console/"


def test_staff_accounts_refuse_bad_input_naming_the_field(console: Console) -> None:
    database = hq_open(console)
    try:
        for kwargs, field_name in (({"login": "A B", "password": PASSWORD, "role": "admin"}, "login"),
                                   ({"login": "newone", "password": "short", "role": "admin"}, "password"),
                                   ({"login": "newone", "password": PASSWORD, "role": "boss"}, "role"),
                                   ({"login": "newone", "password": PASSWORD, "role": "store_manager"}, "store_id"),
                                   ({"login": "admin", "password": PASSWORD, "role": "admin"}, "login")):
            before = hqdb.Staff.select().count()
            try:
                staff.add_staff(kwargs["login"], kwargs["password"], kwargs["role"], actor="test")
            except PosError as exc:
                assert exc.field == field_name, (kwargs, exc)
            else:
                raise AssertionError(f"accepted {kwargs}")
            assert hqdb.Staff.select().count() == before
        stored = hqdb.Staff.get(hqdb.Staff.login == "admin").password_hash
        assert stored.startswith("$argon2id$")
    finally:
        hq_close(database)
