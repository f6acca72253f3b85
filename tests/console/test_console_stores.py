"""The console's stores pages in a real browser against a real headquarters (SQLite and
PostgreSQL): add a store and a till, issue a code (shown once), enroll a real till with it,
retire it (its signed requests refused afterwards), the till's history; bad input, CSRF, a
hostile name and a store manager's limits."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from pos_app.core.errors import PermissionDenied
from pos_app.hq import admin
from pos_app.hq import db as hqdb
from tests.console.conftest import Console, csrf_of, hq_close, hq_open, sign_in

XSS = "<script>alert(1)</script>"


@contextmanager
def hq(console: Console) -> Iterator[Any]:
    database = hq_open(console)
    try:
        yield database
    finally:
        hq_close(database)


def counts(console: Console) -> tuple[int, int, int, int]:
    with hq(console):
        return (hqdb.Store.select().count(), hqdb.Terminal.select().count(), hqdb.EnrollmentCode.select().count(),
                hqdb.Audit.select().where(hqdb.Audit.action.startswith("store.") | hqdb.Audit.action.startswith(
                    "terminal.") | (hqdb.Audit.action == "enrollment.code")).count())


def test_add_a_store_and_a_till_issue_a_code_once_and_retire_it(console: Console, page: Any,
                                                                  tmp_path: Path) -> None:
    from pos_app.services import sync as sync_service
    from pos_app.services.members import enroll_member
    from pos_app.sync.client import SyncError
    from tests.e2e.conftest import Clock, make_terminal

    sign_in(page, console, "admin", next_path="/stores")
    expect(page.locator("#stores tr[data-store=S001]")).to_contain_text("store S001")
    page.fill("#f-store_id", "S003")
    page.fill("#f-name", "西湖店")
    page.click("#add-store")
    expect(page.locator("#store-name")).to_have_text("S003 · 西湖店")
    expect(page.locator(".flash")).to_contain_text("S003")
    page.fill("#f-terminal_id", "T09")
    page.select_option("#f-kind", "till")
    page.click("#add-terminal")
    expect(page.locator("#terminals tr[data-terminal=T09] .state")).to_contain_text("等待注册")
    page.click("#terminals tr[data-terminal=T09] button.code")
    code = page.locator("#enrollment-code").inner_text().strip()
    assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", code), code
    with hq(console):  # only the code's hash is kept
        held = [c.code_hash for c in hqdb.EnrollmentCode.select().where(hqdb.EnrollmentCode.terminal_id == "T09")]
        assert held == [admin.code_hash(code)]
    page.goto(f"{console.base}/stores/S003")  # the store's page never shows it again
    expect(page.locator("#store-name")).to_be_visible()
    expect(page.locator("#enrollment-code")).to_have_count(0)
    assert code not in page.content()

    till = make_terminal(tmp_path, "S003", "T09", Clock())
    try:
        sync_service.enroll(till, console.url, code)
        enroll_member(till, phone="13800000031", name="孙一", staff_code="1001")
        report = sync_service.sync_once(till)
        assert report.batches >= 1 and report.waiting == 0
        with hq(console):  # a real till, enrolled with the code the console showed, synced
            assert hqdb.Member.select().where(hqdb.Member.phone == "13800000031").count() == 1
        page.goto(f"{console.base}/stores/S003")
        expect(page.locator("#terminals tr[data-terminal=T09] .state")).to_contain_text("已注册")
        expect(page.locator("#store-tills")).to_have_text("1")

        page.click("#terminals tr[data-terminal=T09] a.retire")
        page.fill("#f-confirm", "T08")  # the wrong id: nothing happens
        page.click("#retire")
        expect(page.locator("#e-confirm")).to_be_visible()
        with hq(console):
            assert hqdb.Terminal.get_by_id("T09").active
        page.fill("#f-confirm", "T09")
        page.click("#retire")
        expect(page.locator("#terminals tr[data-terminal=T09] .state")).to_contain_text("已退役")
        expect(page.locator("#terminals tr[data-terminal=T09] button.code")).to_have_count(0)

        enroll_member(till, phone="13800000032", name="孙二", staff_code="1001")
        with pytest.raises(SyncError) as refused:  # its next push is refused
            sync_service.sync_once(till)
        assert refused.value.status in (401, 403)
        with hq(console):
            assert hqdb.Member.select().where(hqdb.Member.phone == "13800000032").count() == 0
            terminal = hqdb.Terminal.get_by_id("T09")
            assert not terminal.active and terminal.retired_at
            retire_rows = hqdb.Audit.select().where((hqdb.Audit.action == "terminal.retire")
                                                    & (hqdb.Audit.ref == "T09"))
            assert [a.actor for a in retire_rows] == ["staff:admin"]
            with pytest.raises(PermissionDenied):  # never active again, never a new code
                admin.set_terminal_active("T09", True, actor="test")
            with pytest.raises(PermissionDenied):
                admin.new_enrollment_code("T09", actor="test")
    finally:
        till.close()

    page.click("#terminals tr[data-terminal=T09] a")  # the till's history: its push, the retirement, the refusal
    expect(page.locator("#terminal-id")).to_contain_text("T09")
    expect(page.locator("#batches tbody tr")).not_to_have_count(0)
    expect(page.locator("#history tr[data-action='terminal.retire']")).to_have_count(1)
    expect(page.locator("#history tr[data-action='auth.refused']")).not_to_have_count(0)
    expect(page.locator("#history tr[data-action='terminal.enroll']")).to_have_count(1)


def test_a_retired_terminal_cannot_get_a_code_from_the_console(console: Console) -> None:
    client = console.client("admin")
    token = csrf_of(client.get("/console/stores/S001").text)
    assert client.post("/console/terminals/T02/retire", data={"csrf": token, "confirm": "T02"}).status_code == 303
    again = client.post("/console/terminals/T02/code", data={"csrf": token})
    assert again.status_code == 403 and "enrollment-code" not in again.text
    twice = client.post("/console/terminals/T02/retire", data={"csrf": token, "confirm": "T02"})
    assert twice.status_code == 409


def test_bad_input_names_the_field_and_writes_nothing(console: Console, page: Any) -> None:
    sign_in(page, console, "admin", next_path="/stores")
    before = counts(console)
    for store_id, name, field_name in (("", "某店", "store_id"), ("S 1", "某店", "store_id"),
                                       ("S009", "", "name"), ("S001", "重复", "store_id"),
                                       ("S009", "x" * 101, "name")):
        page.fill("#f-store_id", store_id)
        page.evaluate("document.querySelector('#f-name').removeAttribute('maxlength')")
        page.fill("#f-name", name)
        page.click("#add-store")
        expect(page.locator(f"#e-{field_name}")).to_be_visible()
    page.goto(f"{console.base}/stores/S001")
    for terminal_id, field_name in (("", "terminal_id"), ("T/1", "terminal_id"), ("T01", "terminal_id"),
                                    ("HQ", "terminal_id")):
        page.fill("#f-terminal_id", terminal_id)
        page.click("#add-terminal")
        expect(page.locator(f"#e-{field_name}")).to_be_visible()
    client = console.client("admin")
    token = csrf_of(client.get("/console/stores/S001").text)
    kind = client.post("/console/stores/S001/terminals", data={"csrf": token, "terminal_id": "T77", "kind": "robot"})
    assert kind.status_code == 422 and 'id="e-kind"' in kind.text
    ttl = client.post("/console/terminals/T01/code", data={"csrf": token, "ttl_hours": "9999"})
    assert ttl.status_code == 422 and 'data-field="ttl_hours"' in ttl.text and "enrollment-code" not in ttl.text
    confirm = client.post("/console/terminals/T01/retire", data={"csrf": token})
    assert confirm.status_code == 422 and 'id="e-confirm"' in confirm.text
    assert counts(console) == before


def test_a_hostile_store_name_is_shown_as_text(console: Console, page: Any) -> None:
    with hq(console):
        admin.create_store("S666", XSS, actor="test")
    sign_in(page, console, "admin", next_path="/stores")
    expect(page.locator("#stores tr[data-store=S666]")).to_contain_text(XSS)
    page.goto(f"{console.base}/stores/S666")
    expect(page.locator("#store-name")).to_have_text(f"S666 · {XSS}")
    assert "<script>alert(1)</script>" not in page.content()


def test_forms_without_their_csrf_token_are_refused(console: Console) -> None:
    client = console.client("admin")
    before = counts(console)
    for path, data in (("/console/stores", {"store_id": "S010", "name": "x"}),
                       ("/console/stores/S001/terminals", {"terminal_id": "T10", "kind": "till"}),
                       ("/console/terminals/T01/code", {}),
                       ("/console/terminals/T01/retire", {"confirm": "T01"})):
        assert client.post(path, data=data).status_code == 403, path
        assert client.post(path, data={**data, "csrf": "forged"}).status_code == 403, path
    assert counts(console) == before


def test_a_store_manager_sees_only_their_store_read_only(console: Console) -> None:
    client = console.client("manager1")
    listing = client.get("/console/stores")
    assert listing.status_code == 200 and 'data-store="S001"' in listing.text
    assert 'data-store="S002"' not in listing.text
    assert 'id="store-form"' not in listing.text
    assert 'id="counted-at"' not in listing.text  # their one store's members: counted now
    chain = console.client("admin").get("/console/stores")  # the chain's: kept figures, said as of when
    assert 'data-store="S002"' in chain.text and 'id="counted-at"' in chain.text
    own = client.get("/console/stores/S001")
    assert own.status_code == 200 and 'data-terminal="T01"' in own.text
    assert 'id="terminal-form"' not in own.text and "/code" not in own.text
    assert client.get("/console/terminals/T01").status_code == 200
    assert client.get("/console/stores/S002").status_code == 403
    assert client.get("/console/terminals/T03").status_code == 403
    assert client.get("/console/terminals/T01/retire").status_code == 403
    token = csrf_of(own.text)
    before = counts(console)
    for path, data in (("/console/stores", {"store_id": "S010", "name": "x"}),
                       ("/console/stores/S001/terminals", {"terminal_id": "T10", "kind": "till"}),
                       ("/console/terminals/T01/code", {}),
                       ("/console/terminals/T01/retire", {"confirm": "T01"})):
        assert client.post(path, data={**data, "csrf": token}).status_code == 403, path
    assert counts(console) == before
    market = console.client("market")
    assert market.get("/console/stores/S002").status_code == 200
    assert market.post("/console/terminals/T01/code", data={"csrf": csrf_of(market.get("/console/").text)}
                       ).status_code == 403
