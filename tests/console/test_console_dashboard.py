"""The dashboard: figures of the last 30 days (chart drawn in a real browser), liability in
points and yuan, the stores' table, the tills' sync health reported by a real till's pull, the
silent-till setting (admin only, bad values refused), and a store manager's own-store view."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from pos_app.core.members import make_card_number
from pos_app.hq import dashboard
from pos_app.hq import db as hqdb
from tests.console.conftest import Console, csrf_of, hq_close, hq_open, sign_in
from tests.hq.conftest import Till, member_event, push

XSS = "<script>alert(1)</script>"


@pytest.fixture(autouse=True)
def _no_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each page view computes its figures (the cache would keep the previous test's)."""
    monkeypatch.setenv(dashboard.CACHE_ENV, "0")


@contextmanager
def hq(console: Console) -> Iterator[Any]:
    database = hq_open(console)
    try:
        yield database
    finally:
        hq_close(database)


def seed(console: Console) -> None:
    """Today: T01 (S001) issues 300 + 200 points to two members; T03 (S002) issues 70 to one; a
    flag (a conflict) on T01; T02 has been silent for three days."""
    today = dt.date.today().isoformat()
    with hq(console):
        a = Till("T01", "S001")
        ua, ub = "00000000-0000-4000-8000-000000000001", "00000000-0000-4000-8000-000000000002"
        events = [member_event(a, ua, phone="13800000001", card_no=make_card_number(1), name="张三"),
                  member_event(a, ub, phone="13800000002", card_no=make_card_number(2), name=XSS)]
        entries = [a.earn(ua, 300, day=today), a.earn(ub, 200, day=today)]
        push(hqdb.Terminal.get_by_id("T01"), a.batch(entries, events))
        c = Till("T03", "S002")
        uc = "00000000-0000-4000-8000-000000000009"
        push(hqdb.Terminal.get_by_id("T03"), c.batch([c.earn(uc, 70, day=today)], [
            member_event(c, uc, phone="13900000009", card_no=make_card_number(9), name="王五")]))
        hqdb.Flag.create(kind="overdraft", store_id="S001", terminal_id="T01", member_uuid=ua, ref="r1", points=5,
                         details="{}", at=hqdb.utcnow())
        old = (dt.datetime.now(dt.UTC) - dt.timedelta(days=3)).replace(microsecond=0).isoformat()
        hqdb.Terminal.update(last_push_at=old, last_pull_at=old).where(hqdb.Terminal.id == "T02").execute()


def setting(console: Console) -> tuple[str | None, int]:
    with hq(console):
        row = hqdb.Setting.get_or_none(hqdb.Setting.key == dashboard.SILENT_SETTING)
        audits = hqdb.Audit.select().where(hqdb.Audit.action == "console.silent_hours").count()
        return (None if row is None else str(row.value)), audits


def test_the_dashboard_draws_its_chart_and_the_tills_health(console: Console, page: Any) -> None:
    seed(console)
    sign_in(page, console, "admin")
    expect(page.locator("[data-chart-ready]")).to_be_visible()
    expect(page.locator("#points-chart svg")).to_be_visible()
    expect(page.locator("#today-issued")).to_have_text("570")
    expect(page.locator("#issued")).to_have_text("570")
    # the reference program pays 1 yuan per 100 points: 570 points held are worth 5.70 yuan
    expect(page.locator("#liability")).to_have_text("570")
    expect(page.locator("#liability-yuan")).to_contain_text("5.70")
    expect(page.locator("#active-members")).to_have_text("3")
    s1 = page.locator('#store-figures tr[data-store="S001"]')
    expect(s1.locator("td").nth(1)).to_have_text("500")
    expect(s1.locator("td").nth(6)).to_have_text("2")
    expect(page.locator('#store-figures tr[data-store="S002"] td').nth(1)).to_have_text("70")
    t01 = page.locator('#tills tr[data-till="T01"]')
    expect(t01.locator(".conflicts")).to_have_text("1 / 1")
    expect(page.locator('#tills tr[data-till="T02"]')).to_have_class(re.compile(r"\bwarn\b"))
    expect(page.locator('#tills tr[data-till="T01"]')).not_to_have_class(re.compile(r"\bwarn\b"))
    # the admin changes the silent time: three days of silence are no longer highlighted
    page.fill("#f-silent_hours", "100")
    page.click("#save-silent")
    expect(page.locator(".flash")).to_be_visible()
    expect(page.locator('#tills tr[data-till="T02"]')).not_to_have_class(re.compile(r"\bwarn\b"))
    assert setting(console) == ("100", 1)


def test_the_reference_value_of_liability(console: Console) -> None:
    with hq(console):
        from pos_app.hq import authority

        program = authority.active_program()
        assert program is not None
        assert program.redemption.value_fen(570) == 570  # what the browser test's 5.70 yuan rests on


@pytest.mark.parametrize("bad", ["", "0", "-1", "abc", "1.5", "99999999", "２４"])
def test_a_bad_silent_time_names_the_field_and_writes_nothing(console: Console, bad: str) -> None:
    client = console.client("admin")
    token = csrf_of(client.get("/console/").text)
    answer = client.post("/console/dashboard/silent-hours", data={"silent_hours": bad, "csrf": token})
    assert answer.status_code == 422
    assert 'data-field="silent_hours"' in answer.text
    assert setting(console) == (None, 0)


def test_the_setting_needs_an_admin_and_its_token(console: Console) -> None:
    for login in ("market", "finance", "manager1"):
        client = console.client(login)
        page_text = client.get("/console/").text
        assert 'id="silent-form"' not in page_text
        answer = client.post("/console/dashboard/silent-hours", data={"silent_hours": "5",
                                                                      "csrf": csrf_of(page_text)})
        assert answer.status_code == 403
    admin = console.client("admin")
    admin.get("/console/")
    assert admin.post("/console/dashboard/silent-hours", data={"silent_hours": "5"}).status_code == 403
    assert admin.post("/console/dashboard/silent-hours", data={"silent_hours": "5", "csrf": "x"}).status_code == 403
    assert setting(console) == (None, 0)


def test_a_store_manager_sees_only_their_store(console: Console) -> None:
    seed(console)
    html = console.client("manager2").get("/console/").text
    assert 'data-store="S002"' in html and 'data-store="S001"' not in html
    assert 'data-till="T03"' in html and 'data-till="T01"' not in html and 'data-till="T02"' not in html
    assert re.search(r'id="issued">70<', html) and re.search(r'id="liability">70<', html)
    assert re.search(r'id="active-members">1<', html)
    html = console.client("manager1").get("/console/").text
    assert 'data-store="S002"' not in html and 'data-till="T03"' not in html
    assert re.search(r'id="issued">500<', html)


def test_a_hostile_store_name_shows_as_text(console: Console) -> None:
    with hq(console):
        hqdb.Store.update(name=XSS).where(hqdb.Store.id == "S001").execute()
    html = console.client("admin").get("/console/").text
    assert XSS not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_a_real_till_reports_its_waiting_entries_version_and_clock(console: Console, page: Any,
                                                                   tmp_path: Path) -> None:
    import pos_app
    from pos_app.services import sync as sync_service
    from pos_app.services.members import enroll_member
    from tests.e2e.conftest import Clock, make_terminal

    till = make_terminal(tmp_path, "S001", "T01", Clock(dt.datetime.now().replace(microsecond=0)))
    try:
        sync_service.enroll(till, console.url, console.codes["T01"])
        enroll_member(till, phone="13800000123", name="赵六", staff_code="1001")
        # a round that pushes nothing: the member's rows are still waiting when it pulls
        sync_service.sync_once(till, max_batches=0)
        with hq(console):
            row = hqdb.Terminal.get_by_id("T01")
            assert row.app_version == pos_app.__version__
            assert row.waiting is not None and row.waiting > 0
            assert row.last_pull_at is not None and abs(int(row.clock_skew_s)) <= 5
            waiting = int(row.waiting)
        sign_in(page, console, "admin")
        t01 = page.locator('#tills tr[data-till="T01"]')
        expect(t01.locator(".waiting")).to_have_text(str(waiting))
        expect(t01.locator(".version")).to_have_text(pos_app.__version__)
        expect(t01.locator(".last-pull")).not_to_have_text(re.compile("not yet|尚未"))
        # the next round delivers them: the till says so on its pull
        sync_service.sync_once(till)
        with hq(console):
            assert hqdb.Terminal.get_by_id("T01").waiting == 0
        page.reload()
        expect(t01.locator(".waiting")).to_have_text("0")
        expect(page.locator("#active-members")).to_have_text("1")
    finally:
        till.close()


@pytest.mark.parametrize(("name", "bad"), [("waiting", "-1"), ("waiting", "1000000001"), ("waiting", "x"),
                                           ("version", "1.0 beta"), ("version", "v" * 33), ("version", "")])
def test_headquarters_refuses_a_bad_report_naming_it(console: Console, tmp_path: Path, name: str, bad: str) -> None:
    from pos_app.services import sync as sync_service
    from pos_app.sync.client import SyncError
    from tests.e2e.conftest import Clock, make_terminal

    till = make_terminal(tmp_path, "S002", "T03", Clock(dt.datetime.now().replace(microsecond=0)))
    try:
        sync_service.enroll(till, console.url, console.codes["T03"])
        client = sync_service.make_client(till)
        try:
            client.reported = {name: bad}
            with pytest.raises(SyncError) as caught:
                client.changes("0", 10)
            assert caught.value.status == 422 and name in str(caught.value)
            with hq(console):
                row = hqdb.Terminal.get_by_id("T03")
                assert (row.waiting, row.app_version, row.last_pull_at) == (None, None, None)
            client.reported = {}  # an older till says nothing: still served, its pull recorded
            assert client.changes("0", 10)["changes"] is not None
            with hq(console):
                row = hqdb.Terminal.get_by_id("T03")
                assert row.last_pull_at is not None and (row.waiting, row.app_version) == (None, None)
        finally:
            client.close()
    finally:
        till.close()


def test_the_figures_are_kept_then_recomputed_in_the_background(console: Console,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(dashboard.CACHE_ENV, "3600")
    today = dt.date.today()
    with hq(console) as database:
        first = dashboard.figures(today)
        till = Till("T03", "S002")
        uc = "00000000-0000-4000-8000-000000000009"
        push(hqdb.Terminal.get_by_id("T03"), till.batch([till.earn(uc, 70, day=today.isoformat())], [
            member_event(till, uc, phone="13900000009", card_no=make_card_number(9), name="王五")]))
        kept = dashboard.figures(today)
        assert (first.issued, kept.issued) == (0, 0)  # the kept figures, not a scan per view
        key = next(k for k in dashboard._cache if k[2] == today.isoformat() and str(id(database)) in k[0])
        dashboard._refresh(database, key, today - dt.timedelta(days=dashboard.DAYS - 1), today)
        assert dashboard.figures(today).issued == 70
        assert dashboard.figures(today, store_id="S001").issued == 0
