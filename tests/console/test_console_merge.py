"""The console's merge page in a real browser against a real headquarters (SQLite and
PostgreSQL): choose the other member of a duplicate-phone pair, see both and what the merge
does, confirm; bad input names the field and writes nothing; CSRF; a hostile name shown as
text; store managers and marketing cannot reach it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from playwright.sync_api import expect

from pos_app.core.members import make_card_number
from pos_app.hq import db as hqdb
from tests.console.conftest import Console, csrf_of, hq_close, hq_open, sign_in
from tests.hq.conftest import Till, member_event, push

XSS = "<script>alert(1)</script>"
PHONE = "13800000001"
A = "00000000-0000-4000-8000-00000000000a"  # S001, 300 points
B = "00000000-0000-4000-8000-00000000000b"  # S002, the same phone, 500 points
C = "00000000-0000-4000-8000-00000000000c"  # S001, a hostile name


@contextmanager
def hq(console: Console) -> Iterator[Any]:
    database = hq_open(console)
    try:
        yield database
    finally:
        hq_close(database)


def seed(console: Console) -> None:
    with hq(console):
        t1 = Till("T01", "S001")
        push(hqdb.Terminal.get_by_id("T01"), t1.batch(
            [t1.earn(A, 300, expires="2027-11-03"), t1.earn(C, 40)],
            [member_event(t1, A, phone=PHONE, card_no=make_card_number(1), name="王芳"),
             member_event(t1, C, phone="13800000003", card_no=make_card_number(3), name=XSS)]))
        t3 = Till("T03", "S002")
        push(hqdb.Terminal.get_by_id("T03"), t3.batch(
            [t3.earn(B, 500, expires="2028-01-31")],
            [member_event(t3, B, phone=PHONE, card_no=make_card_number(2), name="王芳")]))


def state(console: Console) -> tuple[int, int, int, int, int]:
    with hq(console):
        M = hqdb.Member
        return (hqdb.Entry.select().count(), hqdb.Audit.select().where(hqdb.Audit.action == "member.merge").count(),
                int(M.get_by_id(A).balance), int(M.get_by_id(B).balance), int(M.get_by_id(C).balance))


def test_merge_a_duplicate_phone_pair_in_the_browser(console: Console, page: Any) -> None:
    seed(console)
    sign_in(page, console, "admin", next_path=f"/members/{B}")
    page.locator("#merge-link").click()
    expect(page).to_have_url(re.compile(rf"/console/members/{B}/merge$"))
    page.fill("#f-other", PHONE)  # the pair's shared phone names the other member
    page.select_option("#f-survivor", "other")  # A stays, B is merged into A
    page.locator("#preview").click()
    expect(page.locator("#this-member [data-balance]")).to_have_text("500")
    expect(page.locator("#other-member [data-balance]")).to_have_text("300")
    expect(page.locator("#plan-points")).to_contain_text("500")
    expect(page.locator("#plan-balance")).to_contain_text("800")
    assert state(console)[1] == 0  # the preview writes nothing
    page.locator("#merge").click()
    expect(page).to_have_url(re.compile(rf"/console/members/{A}$"))
    expect(page.locator("#balance")).to_have_text("800")
    with hq(console):
        b = hqdb.Member.get_by_id(B)
        assert (b.status, b.merged_into, int(b.balance)) == ("merged", A, 0)
        lots = sorted((lot.expires_on, int(lot.remaining)) for lot in hqdb.Lot.select().where(
            (hqdb.Lot.member_uuid == A) & (hqdb.Lot.remaining > 0)))
        assert lots == [("2027-11-03", 300), ("2028-01-31", 500)]  # expiry kept
    page.goto(f"{console.url}/console/members/{B}")
    expect(page.locator("#merged-into")).to_contain_text("王芳")
    page.goto(f"{console.url}/console/members/{B}/merge")
    expect(page.locator("#already-merged")).to_be_visible()


def test_bad_input_names_the_field_and_writes_nothing(console: Console) -> None:
    seed(console)
    client = console.client("admin")
    token = csrf_of(client.get(f"/console/members/{A}/merge").text)
    before = state(console)
    for data, field in [({"other": "", "survivor": "this"}, "other"), ({"other": "hello", "survivor": "this"}, "other"),
                        ({"other": "13900000000", "survivor": "this"}, "other"), ({"other": A, "survivor": "this"},
                                                                                  "other"),
                        ({"other": B, "survivor": "nobody"}, "survivor")]:
        answer = client.post(f"/console/members/{A}/merge", data={**data, "csrf": token})
        assert answer.status_code == 422, (data, answer.status_code)
        assert f'data-field="{field}"' in answer.text, data
    shown = client.get(f"/console/members/{A}/merge", params={"other": "hello"})
    assert shown.status_code == 422 and 'data-field="other"' in shown.text
    assert state(console) == before
    # a double merge is refused the same way
    assert client.post(f"/console/members/{A}/merge", data={"other": B, "survivor": "this", "csrf": token}
                       ).status_code == 303
    again = client.post(f"/console/members/{C}/merge", data={"other": B, "survivor": "this", "csrf": token})
    assert again.status_code == 422 and 'data-field="other"' in again.text
    assert state(console)[1:] == (1, 800, 0, 40)


def test_a_hostile_name_is_text_and_a_form_without_its_token_is_refused(console: Console) -> None:
    seed(console)
    client = console.client("admin")
    shown = client.get(f"/console/members/{A}/merge", params={"other": make_card_number(3), "survivor": "this"})
    assert shown.status_code == 200
    assert XSS not in shown.text and "&lt;script&gt;alert(1)&lt;/script&gt;" in shown.text
    before = state(console)
    assert client.post(f"/console/members/{A}/merge", data={"other": C, "survivor": "this"}).status_code == 403
    assert client.post(f"/console/members/{A}/merge",
                       data={"other": C, "survivor": "this", "csrf": "forged"}).status_code == 403
    assert state(console) == before


def test_only_admins_merge(console: Console) -> None:
    seed(console)
    before = state(console)
    for login in ("manager1", "manager2", "market", "finance"):
        client = console.client(login)
        assert client.get(f"/console/members/{A}/merge").status_code == 403, login
        token = csrf_of(client.get("/console/").text)
        assert client.post(f"/console/members/{A}/merge",
                           data={"other": B, "survivor": "this", "csrf": token}).status_code == 403, login
    assert state(console) == before
