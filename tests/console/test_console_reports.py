"""The console's reports (issue 14 item 9) in a real browser against a real headquarters (SQLite
and PostgreSQL): pick a report and a range, see the table, download CSV and Excel and read them
back; bad ranges name their field; a store manager sees their own store only."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import uuid
import zipfile
from decimal import Decimal
from typing import Any

import openpyxl
import pytest
from playwright.sync_api import expect

from pos_app.hq import db as hqdb
from tests.console.conftest import Console, hq_close, hq_open, sign_in
from tests.hq.conftest import Till, push

TODAY = dt.date.today()


def day(offset: int) -> str:
    return (TODAY + dt.timedelta(days=offset)).isoformat()


def member_record(till: Till, member: str, *, name: str, enrolled: str, last: str | None,
                  phone: str) -> dict[str, Any]:
    return till.event("member", member, {
        "uuid": member, "phone": phone, "name": name, "birthday": None, "card_no": None, "status": "active",
        "tier": "normal", "store_id": till.store_id, "enrolled_at": f"{enrolled}T10:00:00", "consent": True,
        "first_purchase_at": None, "last_purchase_at": f"{last}T10:00:00" if last else None, "referrer_uuid": None})


def sale(till: Till, member: str, points: int, on: str, *, expires: str) -> dict[str, Any]:
    entry = till.entry(member, "earn", points, new=[[on, expires, points]], day=on, ref_type="sale",
                       ref_no=f"R-{till.terminal_id}-{till.seq + 1}")
    return entry


@pytest.fixture
def chain(console: Console) -> dict[str, Any]:
    """S001 (tills T01): m1 ``<script>`` new, +1000 two days ago expiring in 10 days, -300 paid;
    m3 an old member with 6 sales in the window holding 24,000 (high value); m4 an old member,
    away for 200 days, holding 12,000 earned a year ago (dormant). S002 (T03): m2 new, +5000
    yesterday expiring in 45 days, a thermos cup (G005: 2,000 points and 19.90 yuan)."""
    m1, m2, m3, m4 = (str(uuid.uuid4()) for _ in range(4))
    database = hq_open(console)
    try:
        t1, t3 = hqdb.Terminal.get_by_id("T01"), hqdb.Terminal.get_by_id("T03")
        a, b = Till("T01", "S001"), Till("T03", "S002")
        e1 = sale(a, m1, 1000, day(-2), expires=day(10))
        r1 = a.entry(m1, "redeem", -300, taken=[[e1["uuid"], 300]], day=day(-2), ref_type="sale",
                     ref_no=e1["ref_no"])
        m3_sales = [sale(a, m3, 4000, day(-3 - i), expires=day(700)) for i in range(6)]
        old = sale(a, m4, 12000, day(-300), expires=day(400))
        events = [member_record(a, m1, name="<script>alert(1)</script>", enrolled=day(-2), last=day(-2),
                                phone="13900000001"),
                  member_record(a, m3, name="老会员", enrolled="2024-01-05", last=day(-3), phone="13900000003"),
                  member_record(a, m4, name="沉睡会员", enrolled="2024-01-05", last=day(-200), phone="13900000004")]
        push(t1, a.batch([e1, r1, *m3_sales, old], events))
        f2 = sale(b, m2, 5000, day(-1), expires=day(45))
        g2 = b.entry(m2, "gift", -2000, taken=[[f2["uuid"], 2000]], day=day(-1), ref_type="redemption",
                     ref_no="T03-G0000001", breakdown={"gift": "G005", "points": 2000, "cash_fen": 1990})
        record = member_record(b, m2, name="李四", enrolled=day(-1), last=day(-1), phone="13900000002")
        redemption = b.event("redemption", "T03-G0000001", {
            "member": m2, "gift": "G005", "points": 2000, "cash_fen": 1990, "staff_code": "1001",
            "created_at": f"{day(-1)}T11:00:00", "business_date": day(-1)})
        redemption["created_at"] = f"{day(-1)}T11:00:00"
        push(t3, b.batch([f2, g2], [record, redemption]))
    finally:
        hq_close(database)
    return {"m1": m1, "m2": m2, "m3": m3, "m4": m4}


def table(page: Any) -> list[dict[str, str]]:
    """The report table's body rows as {column: text}."""
    return page.eval_on_selector_all("#report-table tbody tr", """rows => rows.map(r => Object.fromEntries(
        Array.from(r.querySelectorAll('td')).map(td => [td.dataset.col, td.textContent.trim()])))""")


def download(page: Any, selector: str) -> tuple[str, bytes]:
    with page.expect_download() as info:
        page.click(selector)
    got = info.value
    path = got.path()
    with open(path, "rb") as handle:
        return got.suggested_filename, handle.read()


def read_csv(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf"), "Excel needs the BOM to read UTF-8"
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def read_xlsx(data: bytes) -> list[list[Any]]:
    book = openpyxl.load_workbook(io.BytesIO(data))
    sheet = book.active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def test_issued_and_redeemed_on_the_page_and_in_both_files(console: Console, page: Any, chain: dict[str, Any]) -> None:
    sign_in(page, console, "finance", next_path="/reports")
    expect(page.locator("h1")).to_have_text("报表")
    page.fill("#f-from", day(-6))
    page.fill("#f-to", day(0))
    page.click("#show-report")
    expect(page).to_have_url(re.compile(f"from={day(-6)}"))  # the new page, not the default one still shown
    expect(page.locator("#report-table")).to_be_visible()
    rows = table(page)
    by = {(r["day"], r["store_id"]): r for r in rows}
    assert by[(day(-2), "S001")]["issued"] == "1,000" and by[(day(-2), "S001")]["redeemed"] == "300"
    assert by[(day(-3), "S001")]["issued"] == "4,000"
    assert by[(day(-1), "S002")]["issued"] == "5,000" and by[(day(-1), "S002")]["redeemed"] == "2,000"
    assert (day(-7), "S001") not in by  # m3's sixth sale, 8 days ago, is outside the range
    expect(page.locator("tfoot td[data-col=issued]")).to_have_text("22,000")  # 1000 + 4 x 4000 + 5000
    expect(page.locator("[data-chart-ready]")).to_have_count(1)

    name, data = download(page, "#export-csv")
    assert name == f"issued_all_{day(-6)}_{day(0)}.csv"
    lines = read_csv(data)
    assert lines[0] == ["营业日", "门店", "发放积分", "兑换积分"]
    assert [day(-2), "S001", "1000", "300"] in lines and lines[-1] == ["合计", "", "22000", "2300"]
    assert len(lines) == len(rows) + 2

    name, data = download(page, "#export-xlsx")
    assert name.endswith(".xlsx")
    sheet = read_xlsx(data)
    assert sheet[0] == lines[0]
    assert [day(-1), "S002", 5000, 2000] in sheet and sheet[-1] == ["合计", None, 22000, 2300]


def test_liability_in_yuan_and_expiring_points_match_the_lots(console: Console, page: Any,
                                                             chain: dict[str, Any]) -> None:
    sign_in(page, console, "admin", next_path="/reports?report=liability")
    rows = {r["store_id"]: r for r in table(page)}
    # S001: m1 700 + m3 24,000 + m4 12,000; S002: m2 3,000; 100 points = 1.00 yuan
    assert rows["S001"]["points"] == "36,700" and rows["S001"]["value_fen"] == "367.00"
    assert rows["S002"]["points"] == "3,000" and rows["S002"]["value_fen"] == "30.00"
    expect(page.locator("tfoot td[data-col=value_fen]")).to_have_text("397.00")
    expect(page.locator("#figures-at")).to_contain_text("数据截至")  # the chain's: kept, said as of when
    _name, data = download(page, "#export-xlsx")
    sheet = read_xlsx(data)
    s001 = next(r for r in sheet if r[0] == "S001")
    assert Decimal(str(s001[5])) == Decimal("367.00") and s001[4] == 36700
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.active.cell(row=2, column=6).number_format == "#,##0.00"
    xml = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml").decode()
    assert "<v>367.00</v>" in xml and "<v>30.00</v>" in xml  # the exact decimal text, no float on the way
    _name, data = download(page, "#export-csv")
    assert ["S002", "store S002", "1", "1", "3000", "30.00", "0"] in read_csv(data)

    page.click("a[data-report=expiring]")
    # the click starts a navigation: read the table once the new report's is there (it was read
    # before, now and then, on a loaded machine: KeyError 'S001')
    expect(page.locator("#report-table th[data-col=within_30]")).to_have_count(1)
    rows = {r["store_id"]: r for r in table(page)}
    # m1's lot: 700 left, in 10 days; m2's: 3,000 left, in 45 days; the others' after 90 days
    assert (rows["S001"]["within_30"], rows["S001"]["within_60"], rows["S001"]["within_90"]) == ("700", "700", "700")
    assert (rows["S002"]["within_30"], rows["S002"]["within_60"], rows["S002"]["within_90"]) == ("0", "3,000", "3,000")
    lines = read_csv(download(page, "#export-csv")[1])
    assert ["S002", "store S002", "0", "3000", "3000", "1"] in lines


def test_segments_as_the_tills_count_them_and_a_segment_s_members(console: Console, page: Any,
                                                                 chain: dict[str, Any]) -> None:
    sign_in(page, console, "market", next_path="/reports?report=segments")
    rows = {r["store_id"]: r for r in table(page)}
    assert (rows["S001"]["new"], rows["S001"]["high_value"], rows["S001"]["dormant"]) == ("1", "1", "1")
    assert rows["S002"]["new"] == "1" and rows["S002"]["potential"] == "0"
    page.click("th[data-col=new] a")
    expect(page.locator("h2")).to_contain_text("新客")
    names = page.locator("#report-table td[data-col=name]")
    expect(names).to_have_count(2)
    expect(page.locator("#report-table")).to_contain_text("<script>alert(1)</script>")  # shown as text
    _name, data = download(page, "#export-csv")
    lines = read_csv(data)
    assert {line[0] for line in lines[1:]} == {chain["m1"], chain["m2"]}
    page.goto(f"{console.base}/reports?report=segments&segment=high_value&store=S001")
    expect(page.locator("#report-table td[data-col=uuid]")).to_have_count(1)
    expect(page.locator("#report-table td[data-col=purchases]")).to_have_text("6")


def test_gift_redemptions_per_store_and_gift(console: Console, page: Any, chain: dict[str, Any]) -> None:
    sign_in(page, console, "admin", next_path="/reports?report=gifts")
    rows = table(page)
    assert rows == [{"store_id": "S002", "gift": "G005", "gift_name": "保温杯", "redemptions": "1",
                     "points": "2,000", "cash_fen": "19.90"}]
    sheet = read_xlsx(download(page, "#export-xlsx")[1])
    assert sheet[1][:5] == ["S002", "G005", "保温杯", 1, 2000] and Decimal(str(sheet[1][5])) == Decimal("19.90")


@pytest.mark.parametrize(("query", "field", "message"), [
    ("from=2026-02-30", "from", "日期"),
    ("to=yesterday", "to", "日期"),
    ("from=2026-05-02&to=2026-05-01", "to", "早于"),
    ("from=2025-01-01&to=2026-01-02", "to", "366"),
    ("store=S999", "store", "门店"),
])
def test_a_bad_range_or_store_is_refused_naming_the_field(console: Console, page: Any, query: str, field: str,
                                                          message: str) -> None:
    sign_in(page, console, "finance")
    answer = page.goto(f"{console.base}/reports?report=issued&{query}")
    assert answer is not None and answer.status == 422
    expect(page.locator(f"#e-{field}")).to_contain_text(message)
    expect(page.locator("#report-table")).to_have_count(0)
    client = console.client("finance")
    assert client.get(f"/console/reports/export?report=issued&format=csv&{query}").status_code == 422


def test_a_store_manager_sees_their_own_store_only(console: Console, page: Any, chain: dict[str, Any]) -> None:
    sign_in(page, console, "manager1", next_path="/reports?report=liability")
    expect(page.locator("#figures-at")).to_have_count(0)  # one store's: counted now
    expect(page.locator("#f-store option")).to_have_count(1)
    expect(page.locator("#f-store")).to_have_value("S001")
    assert [r["store_id"] for r in table(page)] == ["S001"]
    expect(page.locator("nav.main")).not_to_contain_text("员工")  # no admin area offered
    answer = page.goto(f"{console.base}/reports?report=liability&store=S002")
    assert answer is not None and answer.status == 403
    client = console.client("manager1")
    for report in ("issued", "liability", "expiring", "segments", "gifts"):
        assert client.get(f"/console/reports?report={report}&store=S002").status_code == 403
        assert client.get(f"/console/reports/export?report={report}&store=S002&format=csv").status_code == 403
        own = client.get(f"/console/reports/export?report={report}&format=csv")
        assert own.status_code == 200 and "S002" not in own.text
    assert client.get("/console/reports/export?report=segments&segment=new&format=csv").text.count("\n") == 2


def test_exports_are_attachments_and_need_a_session(console: Console, chain: dict[str, Any]) -> None:
    client = console.client("admin")
    answer = client.get("/console/reports/export?report=liability&format=xlsx")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert re.fullmatch(r'attachment; filename="liability_all\.xlsx"', answer.headers["content-disposition"])
    assert client.get("/console/reports/export?report=liability&format=pdf").status_code == 422
    anonymous = console.client()
    assert anonymous.get("/console/reports/export?report=liability&format=csv").status_code == 303
