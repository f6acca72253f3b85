"""The program simulation page (issue 14 item 5) in a real browser against a real headquarters
(SQLite and PostgreSQL): a draft replayed on the chain's sales, its errors, CSRF and roles."""

from __future__ import annotations

import datetime as dt
import uuid as uuid_mod
from typing import Any

from playwright.sync_api import expect

from pos_app.hq import db as hqdb
from pos_app.services import context
from tests.console.conftest import Console, csrf_of, hq_close, hq_open, sign_in
from tests.hq.conftest import Till, push

REFERENCE = context.reference_program_source()
DOUBLE = REFERENCE.replace("fen_per_point = 100 ", "fen_per_point = 50 ", 1)
XSS = "<script>alert(1)</script>"


def _day(back: int) -> dt.date:
    """A day ``back`` days ago that is not the 18th (the reference's member day)."""
    day = dt.date.today() - dt.timedelta(days=back)
    return day - dt.timedelta(days=1) if day.day == 18 else day


def seed_sales(console: Console) -> tuple[str, str]:
    """Two members' sales with lines at two stores: 360 + 100 points issued (reference program)."""
    gold, normal = str(uuid_mod.uuid4()), str(uuid_mod.uuid4())
    database = hq_open(console)
    try:
        for terminal_id, store_id, member_uuid, tier, name, at, line in (
            ("T01", "S001", gold, "gold", XSS, f"{_day(3).isoformat()}T21:00:00", ("new", 10000)),
            ("T03", "S002", normal, "normal", "李四", f"{_day(5).isoformat()}T10:00:00", ("", 10000)),
        ):
            till = Till(terminal_id, store_id)
            term = hqdb.Terminal.get(hqdb.Terminal.id == terminal_id)
            flags, fen = line
            earned = 360 if tier == "gold" else 100
            known = till.event("member", member_uuid, {
                "uuid": member_uuid, "phone": None, "name": name, "birthday": None, "card_no": None,
                "status": "active", "tier": tier, "store_id": store_id, "enrolled_at": "2025-01-03T10:00:00",
                "consent": True, "first_purchase_at": "2025-02-01T10:00:00", "last_purchase_at": None,
                "referrer_uuid": None})
            sale = till.event("sale", f"R-{terminal_id}-1", {
                "uuid": str(uuid_mod.uuid4()), "receipt_no": f"R-{terminal_id}-1", "member": member_uuid,
                "created_at": at, "business_date": at[:10], "total_fen": fen, "tender": "cash",
                "credited_purchase": earned, "credited_bonus": 0, "earned": earned,
                "lines": [{"line_no": 1, "sku": "A1", "name": "商品", "category": "food", "qty": 1,
                           "unit_price_fen": fen, "discount_fen": 0, "net_fen": fen, "flags": flags,
                           "eligible_fen": fen, "multiplier": "1"}],
            })
            sale["created_at"] = at
            push(term, till.batch([], [known, sale]))
    finally:
        hq_close(database)
    return gold, normal


def test_a_draft_with_double_the_rate_is_simulated_beside_what_was_issued(console: Console, page: Any) -> None:
    gold, _normal = seed_sales(console)
    sign_in(page, console, "market", next_path="/program/simulate")
    expect(page.locator("h1")).to_have_text("模拟积分方案")
    expect(page.locator("#f-source")).to_have_value(REFERENCE)  # the published program to start from
    page.fill("#f-source", DOUBLE)
    page.fill("#f-days", "30")
    page.click("#simulate")
    expect(page.locator("#sim-actual")).to_have_text("460")
    expect(page.locator("#sim-simulated")).to_have_text("920")
    expect(page.locator("#sim-change")).to_have_text("+460")
    expect(page.locator("#sim-liability")).to_have_text("+4.60")  # 100 points = 1.00 yuan
    expect(page.locator("#sim-stores tr[data-store=S001] td").nth(3)).to_have_text("720")
    expect(page.locator("#sim-stores tr[data-store=S002] td").nth(3)).to_have_text("200")
    expect(page.locator("#sim-tiers tr[data-tier=gold] td").nth(0)).to_have_text("金卡")
    expect(page.locator("#sim-rules tr[data-rule=evening] td").nth(2)).to_have_text("360")
    member = page.locator(f"#sim-members tr[data-member='{gold}'] a")
    expect(member).to_have_text(XSS)  # the name shows as text, never runs
    expect(page.locator("#sim-chart-day[data-chart-ready]")).to_have_count(1)
    expect(page.locator("#sim-chart-store[data-chart-ready]")).to_have_count(1)
    publish = page.locator("#publish-form")
    expect(publish).to_have_attribute("action", "/console/program/publish")
    expect(publish.locator("input[name=source]")).to_have_value(DOUBLE)
    expect(publish.locator("input[name=csrf]")).to_have_count(1)
    expect(publish.locator("input[name=effective_on]")).to_have_count(1)
    page.click("a.lang[lang=en]")  # the switch leaves the result (a post): the form again, in English
    expect(page.locator("h1")).to_have_text("Simulate a program")


def test_a_bad_draft_or_day_count_names_the_field_and_nothing_is_simulated(console: Console, page: Any) -> None:
    seed_sales(console)
    sign_in(page, console, "admin", next_path="/program/simulate")
    page.fill("#f-source", REFERENCE.replace("fen_per_point = 100 ", "fen_per_point = -1 ", 1))
    page.click("#simulate")
    expect(page.locator(".error-box [data-field='earning.fen_per_point']")).to_be_visible()
    expect(page.locator("#sim-totals")).to_have_count(0)
    expect(page.locator("#f-source")).to_contain_text("fen_per_point = -1")  # the draft is kept to fix
    page.fill("#f-source", "format = [")
    page.click("#simulate")
    expect(page.locator(".error-box [data-field=program]")).to_contain_text("TOML")
    page.fill("#f-source", REFERENCE)
    page.fill("#f-days", "400")
    page.click("#simulate")
    expect(page.locator("#e-days")).to_have_text("须为 1 至 366 之间的整数天数")
    expect(page.locator("#sim-totals")).to_have_count(0)


def test_the_simulation_needs_the_csrf_token_and_a_program_editor(console: Console) -> None:
    client = console.client("market")
    form = client.get("/console/program/simulate")
    assert form.status_code == 200
    token = csrf_of(form.text)
    refused = client.post("/console/program/simulate", data={"source": REFERENCE, "days": "30"})
    assert refused.status_code == 403 and "sim-totals" not in refused.text
    done = client.post("/console/program/simulate", data={"source": REFERENCE, "days": "30", "csrf": token})
    assert done.status_code == 200 and 'id="sim-totals"' in done.text
    for login in ("manager1", "finance"):
        other = console.client(login)
        page_token = csrf_of(other.get("/console/").text)
        assert other.get("/console/program/simulate").status_code == 403
        answer = other.post("/console/program/simulate", data={"source": REFERENCE, "days": "30",
                                                               "csrf": page_token})
        assert answer.status_code == 403 and "sim-totals" not in answer.text
    anonymous = console.client()
    assert anonymous.get("/console/program/simulate").status_code == 303
