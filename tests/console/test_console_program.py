"""The program pages (issue 14 item 4) in a real browser against a real headquarters (SQLite and
PostgreSQL): versions, a new version edited through the form and as TOML, its diff, publishing
with an effective date that a real till honours; bad input, CSRF, roles."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from pos_app.hq import db as hqdb
from pos_app.services import context, members, sales
from pos_app.services import sync as sync_service
from tests.console.conftest import Console, csrf_of, hq_close, hq_open, sign_in
from tests.e2e.conftest import Clock, make_terminal
from tests.services.test_reference_examples import line

REFERENCE = context.reference_program_source()
V2 = REFERENCE.replace("version = 1", "version = 2", 1).replace("fen_per_point = 100 ", "fen_per_point = 50 ", 1)
XSS = "<script>alert(1)</script>"


@contextmanager
def hq(console: Console) -> Iterator[Any]:
    database = hq_open(console)
    try:
        yield database
    finally:
        hq_close(database)


def written(console: Console) -> tuple[int, int]:
    with hq(console):
        return (hqdb.Program.select().count(),
                hqdb.Audit.select().where(hqdb.Audit.action == "program.publish").count())


def tomorrow() -> str:
    return (dt.date.today() + dt.timedelta(days=1)).isoformat()


def test_edit_in_the_form_see_the_diff_and_publish_with_a_date(console: Console, page: Any) -> None:
    before = written(console)
    sign_in(page, console, "market", next_path="/program")
    expect(page.locator("#versions tr[data-version='1'] .badge")).to_have_text("运行中")
    page.click("#new-version")
    source = page.locator("#f-source")
    expect(source).to_have_value(re.compile(r"\[program\]\nid = \"reference\"\nversion = 2\n"))
    expect(page.locator("#f-fen_per_point")).to_have_value("100")
    page.fill("#f-fen_per_point", "50")
    page.fill("#f-tier_gold", "1.8")
    page.click("#apply")
    expect(page.locator("#applied")).to_be_visible()
    expect(source).to_have_value(re.compile(r"fen_per_point = 50 "))
    expect(source).to_have_value(re.compile(r"id = \"gold\"\n[^\[]*multiplier = \"1.8\""))
    expect(page.locator("#f-fen_per_point")).to_have_value("50")
    page.click("#show-diff")
    expect(page.locator("#changes tr[data-field='earning.fen_per_point'] td").nth(2)).to_have_text("50")
    expect(page.locator("#changes tr[data-field='tiers.levels[gold].multiplier'] td").nth(1)).to_have_text('"1.5"')
    expect(page.locator("#changes tr[data-field='program.version'] td").nth(2)).to_have_text("2")
    expect(page.locator("#unified .add").first).to_be_visible()
    assert "\n-version = 1\n+version = 2\n" in page.locator("#unified").inner_text()  # one line each
    page.fill("#f-effective_on", tomorrow())
    page.click("#publish")
    expect(page.locator("h1")).to_have_text("发布第 2 版？")
    expect(page.locator("#changes tr[data-field='earning.fen_per_point']")).to_have_count(1)
    assert written(console) == before  # asked, not yet published
    page.click("#confirm")
    expect(page.locator(".flash[role=status]")).to_contain_text(tomorrow())
    expect(page.locator("#versions tr[data-version='2'] .badge")).to_have_text("待生效")
    expect(page.locator("#versions tr[data-version='1'] .badge")).to_have_text("运行中")
    expect(page.locator("#current-name")).to_have_text("示例积分方案 / Reference program")
    page.click("#versions tr[data-version='2'] a")
    expect(page.locator("#toml")).to_contain_text("fen_per_point = 50")
    with hq(console):
        row = hqdb.Program.get(hqdb.Program.version == 2)
        assert (row.effective_on, row.published_by) == (tomorrow(), "staff:market")
        audit = hqdb.Audit.get((hqdb.Audit.action == "program.publish") & (hqdb.Audit.ref == "reference:2"))
        assert audit.actor == "staff:market" and tomorrow() in audit.details
        change = hqdb.Change.select().where(hqdb.Change.kind == "program").order_by(hqdb.Change.id.desc()).first()
        assert f'"effective_on": "{tomorrow()}"' in change.data or tomorrow() in str(change.data)


def test_a_till_runs_the_new_version_from_its_effective_date(console: Console, tmp_path: Path) -> None:
    client = console.client("admin")
    token = csrf_of(client.get("/console/program/new").text)
    answer = client.post("/console/program/publish", data={"source": V2, "effective_on": tomorrow(), "csrf": token,
                                                           "confirm": "1"})
    assert answer.status_code == 303, answer.text
    clock = Clock(dt.datetime.combine(dt.date.today(), dt.time(10, 0)))
    till = make_terminal(tmp_path, "S001", "T01", clock)
    try:
        sync_service.enroll(till, console.url, console.codes["T01"])
        sync_service.sync_once(till)
        assert till.program.version == 1  # today: the version in effect
        member = members.enroll_member(till, phone="13800000001", name="张三", staff_code="1001")
        members.enroll_member(till, phone="13800000002", name="李四", staff_code="1001")
        sales.record_sale(till, lines=[line(1, 1000)], member_ref=member.phone, staff_code="1001")  # first purchase
        today = sales.record_sale(till, lines=[line(1, 20000)], member_ref=member.phone, staff_code="1001")
        clock.now += dt.timedelta(days=1)
        assert till.program.version == 2
        later = sales.record_sale(till, lines=[line(1, 20000)], member_ref=member.phone, staff_code="1001")
        assert later.points_earned == 2 * today.points_earned > 0
        versions = [v for (v,) in till.database.execute(
            "SELECT program_version FROM ledger_entry WHERE kind = 'earn' ORDER BY id").fetchall()]
        assert versions[-2:] == [1, 2]
        # a version published after the till enrolled comes by the feed, with its date
        later = (dt.date.today() + dt.timedelta(days=2)).isoformat()
        v3 = V2.replace("version = 2", "version = 3", 1)
        assert client.post("/console/program/publish", data={"source": v3, "effective_on": later, "csrf": token,
                                                             "confirm": "1"}).status_code == 303
        sync_service.sync_once(till)
        assert till.program.version == 2
        clock.now += dt.timedelta(days=1)
        assert till.program.version == 3
    finally:
        till.close()


def test_bad_input_names_the_field_and_writes_nothing(console: Console, page: Any) -> None:
    client = console.client("admin")
    token = csrf_of(client.get("/console/program/new").text)
    before = written(console)
    bad_rate = V2.replace("fen_per_point = 50 ", 'fen_per_point = "x" ', 1)
    for data, field, path in (
        ({"source": bad_rate}, "source", "earning.fen_per_point"),
        ({"source": V2.replace("[earning]", "[earning\n", 1)}, "source", "program"),
        ({"source": REFERENCE}, "source", "program.version"),  # not above the published version
        ({"source": "  "}, "source", ""),
        ({"source": V2, "effective_on": "2020-01-01"}, "effective_on", None),
        ({"source": V2, "effective_on": "tomorrow"}, "effective_on", None),
    ):
        answer = client.post("/console/program/publish", data={"effective_on": "", **data, "csrf": token,
                                                               "confirm": "1"})
        assert answer.status_code == 422, (data, answer.status_code)
        assert f'id="e-{field}"' in answer.text, data
        if path:
            assert f'data-path="{path}"' in answer.text, (data, answer.text[-3000:])
    for name, value in (("fen_per_point", "0"), ("fen_per_point", "abc"), ("tier_gold", "x"), ("name", "")):
        form = {"source": REFERENCE, "op": "apply", "csrf": token, name: value, f"was_{name}": "1.5"}
        answer = client.post("/console/program/new", data=form)
        assert answer.status_code == 422 and f'id="e-{name}"' in answer.text, (name, value)
    assert written(console) == before
    sign_in(page, console, "admin", next_path="/program/new")  # in the browser, in Chinese
    page.fill("#f-source", bad_rate)
    page.click("#publish")
    expect(page.locator("#e-source")).to_contain_text("earning.fen_per_point")
    expect(page.locator("#f-source")).to_have_value(bad_rate)
    page.fill("#f-source", V2)
    page.fill("#f-effective_on", "2020-01-01")
    page.click("#publish")
    expect(page.locator("#e-effective_on")).to_be_visible()
    assert written(console) == before


def test_a_hostile_program_name_shows_as_text(console: Console, page: Any) -> None:
    client = console.client("admin")
    token = csrf_of(client.get("/console/program/new").text)
    source = V2.replace('name = "示例积分方案 / Reference program"', f'name = "{XSS}"', 1)
    assert client.post("/console/program/publish", data={"source": source, "effective_on": "", "csrf": token,
                                                         "confirm": "1"}).status_code == 303
    sign_in(page, console, "admin", next_path="/program")
    expect(page.locator("#current-name")).to_have_text(XSS)
    page.goto(f"{console.base}/program/new")
    expect(page.locator("#f-name")).to_have_value(XSS)
    expect(page.locator("#f-source")).to_have_value(re.compile(re.escape(XSS)))


def test_forms_without_their_csrf_token_are_refused(console: Console) -> None:
    client = console.client("admin")
    before = written(console)
    assert client.post("/console/program/publish", data={"source": V2, "confirm": "1"}).status_code == 403
    assert client.post("/console/program/publish", data={"source": V2, "confirm": "1",
                                                         "csrf": "forged"}).status_code == 403
    assert client.post("/console/program/new", data={"source": V2, "op": "apply"}).status_code == 403
    assert written(console) == before


def test_finance_and_store_managers_read_but_do_not_edit(console: Console) -> None:
    for login in ("finance", "manager1"):
        client = console.client(login)
        listing = client.get("/console/program")
        assert listing.status_code == 200 and 'id="new-version"' not in listing.text
        assert client.get("/console/program/1").status_code == 200
        assert client.get("/console/program/new").status_code == 403
        token = csrf_of(listing.text)
        before = written(console)
        assert client.post("/console/program/publish", data={"source": V2, "confirm": "1", "effective_on": "",
                                                             "csrf": token}).status_code == 403
        assert client.post("/console/program/new", data={"source": V2, "op": "diff",
                                                         "csrf": token}).status_code == 403
        assert written(console) == before
    assert console.client("market").get("/console/program/new").status_code == 200
    assert console.client("admin").get("/console/program/99").status_code == 404


def test_simulate_from_the_editor_then_publish_from_the_simulation(console: Console, page: Any) -> None:
    sign_in(page, console, "admin", next_path="/program/new")
    page.fill("#f-source", V2)
    page.click("#simulate")
    expect(page.locator("#sim-totals")).to_be_visible()  # the simulation page (pages/simulation.py)
    expect(page.locator("#publish-form input[name=source]")).to_have_value(V2)
    page.fill("#publish-form input[name=effective_on]", tomorrow())
    page.once("dialog", lambda d: d.accept())
    page.click("#publish")
    expect(page.locator("#confirm")).to_be_visible()  # the diff and the confirmation first
    expect(page.locator("#changes tr[data-field='earning.fen_per_point'] td").nth(2)).to_have_text("50")
    page.click("#confirm")
    expect(page.locator("#versions tr[data-version='2'] .badge")).to_have_text("待生效")
    with hq(console):
        assert hqdb.Program.get(hqdb.Program.version == 2).effective_on == tomorrow()
