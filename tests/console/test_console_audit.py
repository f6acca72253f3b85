"""The console's audit page against a real headquarters (SQLite and PostgreSQL): newest first,
filters by actor, action, reference and days, keyset pages, bad filters naming the field, a
hostile value shown as text, and who may read it (admins and finance)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from playwright.sync_api import expect

from pos_app.hq import admin
from pos_app.hq import db as hqdb
from tests.console.conftest import Console, hq_close, hq_open, sign_in

XSS = "<script>alert(1)</script>"


@contextmanager
def hq(console: Console) -> Iterator[Any]:
    database = hq_open(console)
    try:
        yield database
    finally:
        hq_close(database)


def add_rows(console: Console) -> None:
    """120 rows by one actor, some on an old day, one with a hostile reference."""
    with hq(console), hqdb.writing(hqdb.proxy.obj):
        for i in range(120):
            at = "2026-01-15T10:00:00+00:00" if i < 10 else hqdb.utcnow()
            hqdb.Audit.create(at=at, actor="staff:bulk", action="bulk.touch", ref=f"R{i:03d}",
                              details=json.dumps({"i": i}))
        hqdb.Audit.create(at=hqdb.utcnow(), actor="staff:bulk", action="bulk.xss", ref=XSS, details="{}")


def ids_on(html: str) -> list[int]:
    return [int(x) for x in re.findall(r'<tr data-id="(\d+)"', html)]


def test_the_audit_page_filters_and_pages_newest_first(console: Console, page: Any) -> None:
    add_rows(console)
    sign_in(page, console, "finance", next_path="/audit")
    expect(page.locator("#audit tbody tr").first).to_have_attribute("data-action", "console.login")
    page.fill("#f-actor", "staff:bulk")
    page.fill("#f-action", "bulk.touch")
    page.click("#filter")
    expect(page.locator("#audit tbody tr")).to_have_count(50)
    expect(page.locator("#audit tbody tr").first.locator(".ref")).to_have_text("R119")
    page.click("#older")
    expect(page.locator("#audit tbody tr").first.locator(".ref")).to_have_text("R069")
    page.click("#older")
    expect(page.locator("#audit tbody tr")).to_have_count(20)
    expect(page.locator("#audit tbody tr").last.locator(".ref")).to_have_text("R000")
    expect(page.locator("#older")).to_have_count(0)
    page.click("#newest")
    expect(page.locator("#audit tbody tr").first.locator(".ref")).to_have_text("R119")

    page.goto(console.base + "/audit?actor=staff:bulk&since=2026-01-15&until=2026-01-15")
    expect(page.locator("#audit tbody tr")).to_have_count(10)
    page.goto(console.base + "/audit?action=bulk.*&ref=R005")
    expect(page.locator("#audit tbody tr")).to_have_count(1)
    page.goto(console.base + "/audit?action=bulk.xss")
    expect(page.locator("#audit tbody tr .ref")).to_have_text(XSS)  # shown as text
    assert XSS not in page.content()
    page.goto(console.base + "/audit?actor=nobody")
    expect(page.locator("#no-rows")).to_be_visible()


def test_the_domain_pages_by_keyset_without_gaps_or_repeats(console: Console) -> None:
    add_rows(console)
    with hq(console):
        seen: list[int] = []
        before = None
        while True:
            rows = admin.audit_rows(actor="staff:bulk", before=before, limit=7)
            if not rows:
                break
            seen.extend(r.id for r in rows)
            before = rows[-1].id
        assert len(seen) == 121 and seen == sorted(seen, reverse=True) and len(set(seen)) == 121


def test_bad_filters_name_the_field(console: Console) -> None:
    client = console.client("admin")
    for query, field_name in (("since=yesterday", "since"), ("until=2026-13-01", "until"),
                              ("since=2026-02-01&until=2026-01-01", "until"), ("before=-5", "before"),
                              ("before=abc", "before"), ("actor=" + "x" * 301, "actor")):
        answer = client.get(f"/console/audit?{query}")
        assert answer.status_code == 422, query
        assert f'data-field="{field_name}"' in answer.text, query


def test_only_admins_and_finance_read_the_audit(console: Console) -> None:
    assert console.client("admin").get("/console/audit").status_code == 200
    assert console.client("finance").get("/console/audit").status_code == 200
    for login in ("market", "manager1"):
        assert console.client(login).get("/console/audit").status_code == 403, login
    assert console.client().get("/console/audit").status_code == 303  # not signed in: to the login page
