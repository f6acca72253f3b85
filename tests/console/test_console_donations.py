"""The donation campaigns' page of the console (issue 16 item 2) in a real browser against a real
headquarters (SQLite and PostgreSQL): each campaign's points, yuan, donors and progress as the
tills pushed their ``donate`` entries, in Chinese and in English, for every role."""

from __future__ import annotations

import uuid as uuid_mod
from typing import Any

from playwright.sync_api import expect

from pos_app.hq import campaigns
from pos_app.hq import db as hqdb
from tests.console.conftest import Console, hq_close, hq_open, sign_in
from tests.core.test_campaigns import GOOD
from tests.hq.conftest import Till, member_event, push


def donate(till: Till, member: str, points: int, version: int = 2) -> dict[str, Any]:
    return till.entry(member, "donate", -points, ref_type="campaign", ref_no=f"DONATE-2026-WINTER@{version}",
                      breakdown={"campaign": "DONATE-2026-WINTER", "version": version, "points": points})


def test_the_donations_page_sums_each_campaign_over_the_chain(console: Console, page: Any) -> None:
    first, second = str(uuid_mod.uuid4()), str(uuid_mod.uuid4())
    a, b = Till("T01", "S001"), Till("T03", "S002")
    database = hq_open(console)
    try:
        campaigns.publish_campaign(GOOD, actor="test")
        push(hqdb.Terminal.get_by_id("T01"), a.batch(
            [a.earn(first, 5000), donate(a, first, 1200), donate(a, first, 300)],
            [member_event(a, first, phone="13800000031", card_no="2900000000018")]))
        push(hqdb.Terminal.get_by_id("T03"), b.batch(
            [b.earn(second, 900), donate(b, second, 500)],
            [member_event(b, second, phone="13800000032", card_no="2900000000025")]))
    finally:
        hq_close(database)
    sign_in(page, console, "manager1", next_path="/gifts/donations")
    row = page.locator("#donations tr[data-campaign='DONATE-2026-WINTER']")
    expect(row).to_contain_text("冬季助学")
    for text in ("1,000,000", "2,000", "20.00", "0%"):
        expect(row).to_contain_text(text)
    expect(row.locator("td").nth(5)).to_have_text("2")  # donors
    expect(row.locator("td").nth(6)).to_have_text("3")  # donations
    expect(page.locator("nav.subnav a[aria-current='page']")).to_have_text("积分捐赠")
    page.click("a.lang[lang=en]")
    expect(page.locator("#donations tr[data-campaign='DONATE-2026-WINTER']")).to_contain_text("Winter school drive")
    expect(page.locator("#donations thead")).to_contain_text("Points donated")


def test_without_campaigns_the_page_says_so(console: Console, page: Any) -> None:
    sign_in(page, console, "finance", next_path="/gifts/donations")
    expect(page.locator("#no-donations")).to_contain_text("pos-hq campaign publish")
