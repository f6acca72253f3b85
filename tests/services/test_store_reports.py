"""The store reports over any range of days (issue 15 item 10): exact figures per cashier from
the reference program's worked examples, the files read back, bad ranges refused."""

from __future__ import annotations

import csv
import datetime as dt
import sqlite3
from pathlib import Path

import pytest
from openpyxl import load_workbook

from pos_app.core.errors import InvalidInput
from pos_app.services import members, points, sales, staff, store_reports
from pos_app.services.context import Terminal
from pos_app.storage import figures
from tests.conftest import FakeClock
from tests.services.test_reference_examples import line


@pytest.fixture
def store(terminal: Terminal, clock: FakeClock) -> Terminal:
    """Three days of a store: 2026-11-18 to 2026-11-20, two cashiers and a manager."""
    t = terminal
    staff.create_staff(t, code="9001", name="店长", role="manager", pin="9999")
    staff.create_staff(t, code="1001", name="李收银", role="cashier", pin="1357")
    staff.create_staff(t, code="1002", name="Zhang", role="cashier", pin="2468")
    # the 18th, member day: worked example 2 (first purchase 175 + 100), after the sign-up award of 50
    clock.set("2026-11-18T10:00")
    m = members.enroll_member(t, phone="13800138000", name="王芳", consent=True, staff_code="1001")
    r = sales.record_sale(t, lines=[line(1, 5850, "food"), line(2, 3000, "tobacco")], member_ref=m.card_no,
                          staff_code="1001")
    assert r.points_earned == 275
    # the 19th: the manager adds 500 points; cashier 1002 sells 200.00 paid with 500 points (5.00 yuan):
    # (20000 - 500) / 100 = 195 points
    clock.set("2026-11-19T10:00")
    points.adjust_points(t, member_ref=m.card_no, points=500, reason="goodwill", manager_code="9001",
                         manager_pin="9999")
    r = sales.record_sale(t, lines=[line(1, 20000)], member_ref=m.card_no, points=500, staff_code="1002")
    assert r.points_earned == 195
    sales.record_sale(t, lines=[line(1, 1250)], staff_code="1002")  # no member
    # the 20th: gift G001 (100 points, a 1 yuan coupon) used on a 10.00 sale (900 eligible -> 9);
    # 1002 refunds the whole sale of the 19th: 195 clawed back, the 500 paid returned
    clock.set("2026-11-20T10:00")
    g = points.redeem_gift(t, member_ref=m.card_no, gift_code="G001", staff_code="1001")
    assert g.coupon_code is not None
    r = sales.record_sale(t, lines=[line(1, 1000)], member_ref=m.card_no, coupon=g.coupon_code, staff_code="1001")
    assert r.points_earned == 9
    rf = sales.refund_sale(t, receipt_no="S001-T01-00000002", staff_code="1002")
    assert (rf.clawback, rf.returned_points, rf.refund_fen) == (195, 500, 19500)
    clock.set("2026-11-21T10:00")
    return t


def test_per_cashier_figures_over_three_days(store: Terminal) -> None:
    rep = store_reports.store_report(store, first="2026-11-18", last="2026-11-20", by="cashier")
    assert [(r.key, r.name) for r in rep.rows] == [("1001", "李收银"), ("1002", "Zhang"), ("9001", "店长")]
    c1, c2, mgr = (rep.row(k).figures for k in ("1001", "1002", "9001"))
    assert c1 == {**dict.fromkeys(store_reports.COLUMNS, 0),
                  "sales": 2, "member_sales": 2, "sales_fen": 8850 + 1000, "points_issued": 50 + 275 + 9,
                  "points_redeemed": 100, "gifts": 1, "gift_points": 100, "coupons_issued": 1, "coupons_used": 1,
                  "coupons_used_fen": 100}
    assert c2 == {**dict.fromkeys(store_reports.COLUMNS, 0),
                  "sales": 2, "member_sales": 1, "sales_fen": 20000 + 1250, "points_paid": 500,
                  "points_redeemed": 500, "points_issued": 195, "refunds": 1, "refunds_fen": 19500,
                  "points_clawed_back": 195, "points_returned": 500}
    assert mgr == {**dict.fromkeys(store_reports.COLUMNS, 0), "points_adjusted": 500}
    assert rep.total["points_issued"] == 529 and rep.total["points_redeemed"] == 600
    assert rep.total["sales"] == 4 and rep.total["refunds_fen"] == 19500


def test_other_tills_entries_held_in_the_replica_are_not_counted(store: Terminal) -> None:
    """The partial replica keeps other tills' entries of the same members in the ledger: this
    till's report counts its own (its sales, refunds and gifts tables hold only its own)."""
    before = store_reports.store_report(store, first="2026-11-18", last="2026-11-20").to_dict()
    member = store.repo.row("SELECT id, uuid FROM member WHERE phone = '13800138000'")
    assert member is not None
    with store.database.transaction():
        store.database.execute(
            "INSERT INTO ledger_entry (uuid, terminal_id, seq, member_id, member_uuid, kind, points, tier_points,"
            " ref_type, ref_no, breakdown, created_at, business_date, recorded_at, backdated, staff_code, prev_hash,"
            " hash) VALUES ('other-1', 'S002-T01', 1, ?, ?, 'earn', 900, 900, 'sale', 'S002-T01-00000001', '{}',"
            " '2026-11-19T12:00:00', '2026-11-19', '2026-11-19T12:00:00', 0, '1001', '', 'x')",
            (member["id"], member["uuid"]))
    assert store_reports.store_report(store, first="2026-11-18", last="2026-11-20").to_dict() == before


def test_the_range_includes_both_days_and_nothing_outside(store: Terminal) -> None:
    one = store_reports.store_report(store, first=dt.date(2026, 11, 19), last=dt.date(2026, 11, 19), by="store")
    assert [r.key for r in one.rows] == [""]
    assert (one.total["sales"], one.total["points_issued"], one.total["points_adjusted"],
            one.total["refunds"]) == (2, 195, 500, 0)
    by_day = store_reports.store_report(store, first="2026-11-17", last="2026-11-21", by="day")
    assert [(r.key, r["points_issued"], r["points_redeemed"]) for r in by_day.rows] == [
        ("2026-11-18", 325, 0), ("2026-11-19", 195, 500), ("2026-11-20", 9, 100)]
    empty = store_reports.store_report(store, first="2026-12-01", last="2026-12-31")
    assert empty.rows == [] and set(empty.total.values()) == {0}


@pytest.mark.parametrize(("first", "last", "field"), [
    ("2026-11-20", "2026-11-18", "to"), ("2026-13-01", "2026-11-18", "from"), ("", "2026-11-18", "from"),
    ("2026-11-18", "yesterday", "to"), ("2016-01-01", "2026-11-18", "to"),
])
def test_a_bad_range_is_refused_naming_the_field(store: Terminal, first: str, last: str, field: str) -> None:
    with pytest.raises(InvalidInput) as err:
        store_reports.store_report(store, first=first, last=last)
    assert err.value.field == field


def test_a_bad_grouping_or_file_is_refused_and_nothing_is_written(store: Terminal, tmp_path: Path) -> None:
    with pytest.raises(InvalidInput) as err:
        store_reports.store_report(store, first="2026-11-18", last="2026-11-20", by="member")
    assert err.value.field == "by"
    rep = store_reports.store_report(store, first="2026-11-18", last="2026-11-20")
    folder = tmp_path / "out"
    folder.mkdir()
    for bad in (folder / "report.pdf", folder / "missing" / "report.csv"):
        with pytest.raises(InvalidInput) as err:
            store_reports.export_report(rep, bad)
        assert err.value.field == "out"
    assert list(folder.iterdir()) == []


def test_csv_has_a_bom_and_reads_back_with_chinese_names(store: Terminal, tmp_path: Path) -> None:
    rep = store_reports.store_report(store, first="2026-11-18", last="2026-11-20", by="cashier")
    out = store_reports.export_report(rep, tmp_path / "report.csv")
    assert out.read_bytes()[:3] == b"\xef\xbb\xbf"
    with out.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    head = rows[0]
    assert head[:3] == ["Cashier", "Name", "Sales"]
    first = dict(zip(head, rows[1], strict=True))
    assert (first["Cashier"], first["Name"], first["Sales (yuan)"], first["Points issued"]) == (
        "1001", "李收银", "98.50", "334")
    assert rows[-1][0] == "Total" and dict(zip(head, rows[-1], strict=True))["Refunded (yuan)"] == "195.00"
    assert len(rows) == 5


def test_excel_reads_back_with_translated_headers(store: Terminal, tmp_path: Path) -> None:
    rep = store_reports.store_report(store, first="2026-11-18", last="2026-11-20", by="cashier")
    out = store_reports.export_report(rep, tmp_path / "报表.xlsx", headers={"sales": "销售笔数"},
                                      group_header="收银员", total_label="合计")
    ws = load_workbook(out, read_only=True).active
    assert ws is not None
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    assert rows[0][:3] == ["收银员", "Name", "销售笔数"]
    assert rows[2][:5] == ["1002", "Zhang", 2, 1, 212.5]  # money a number in yuan: Excel sums it
    assert rows[-1][0] == "合计" and rows[-1][2] == 4 and rows[-1][5] == 1
    money = load_workbook(out).active
    assert money is not None and money.cell(row=3, column=5).number_format == "0.00"


def test_the_ledger_range_query_reads_the_business_day_index(store: Terminal, db_path: Path) -> None:
    con = sqlite3.connect(db_path)
    try:
        for part, index in (("ledger", "USING COVERING INDEX ledger_business_day"),
                            ("sales", "USING INDEX sale_business_day"),
                            ("refunds", "USING INDEX refund_business_day"),
                            ("gifts", "USING INDEX redemption_business_day")):
            for by in store_reports.GROUPS:
                sql = figures.store_report_sql(part, by)
                params = ("T01", "2026-11-18", "2026-11-20") if part == "ledger" else ("2026-11-18", "2026-11-20")
                plan = " ".join(r[3] for r in con.execute(f"EXPLAIN QUERY PLAN {sql}", params))
                assert index in plan and "SCAN" not in plan, (part, by, plan)
    finally:
        con.close()


def test_segment_members_for_a_campaign_masked_by_default(store: Terminal, tmp_path: Path) -> None:
    members.enroll_member(store, phone="13900139000", name="Li Lei", staff_code="1001")  # no consent
    members.enroll_member(store, phone="13700137000", name="张三", consent=True, staff_code="1001")
    today = dt.date(2026, 11, 21)
    out = store_reports.export_segment(store, "new", tmp_path / "new.csv", today=today, staff_code="9001")
    assert (out.members, out.without_consent, out.masked) == (2, 1, True)
    with out.path.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert sorted((r["Name"], r["Phone"]) for r in rows) == [("张三", "137****7000"), ("王芳", "138****8000")]
    full = store_reports.export_segment(store, "new", tmp_path / "new.xlsx", today=today, mask=False,
                                        staff_code="9001")
    ws = load_workbook(full.path, read_only=True).active
    assert ws is not None
    phones = sorted(r[2] for r in ws.iter_rows(min_row=2, values_only=True))
    assert phones == ["13700137000", "13800138000"]
    audit = store.repo.rows("SELECT staff_code, ref, details FROM audit WHERE action = 'segment.export' ORDER BY id")
    assert [(a["staff_code"], a["ref"]) for a in audit] == [("9001", "new"), ("9001", "new")]
    assert '"masked":false' in audit[1]["details"]
    with pytest.raises(InvalidInput) as err:
        store_reports.export_segment(store, "vip", tmp_path / "x.csv", today=today)
    assert err.value.field == "segment"
