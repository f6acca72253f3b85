"""Member administration for the Members screen: search, duplicates, edits, history, tier history, CSV."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import pytest

from pos_app.core.errors import Conflict, InvalidInput
from pos_app.services import members, points, sales, staff, tiers
from pos_app.services.context import Terminal
from tests.conftest import FakeClock, card
from tests.services.test_reference_examples import line


@pytest.fixture
def shop(terminal: Terminal) -> Terminal:
    staff.create_staff(terminal, code="9001", name="店长", role="manager", pin="9999")
    return terminal


def audits(t: Terminal, action: str) -> list[dict[str, object]]:
    return [{**r, "details": json.loads(r["details"])}
            for r in t.repo.rows("SELECT staff_code, action, ref, details FROM audit WHERE action = ? ORDER BY id",
                                 (action,))]


def member_events(t: Terminal, member_uuid: str) -> list[dict[str, object]]:
    return [json.loads(r["payload"]) for r in t.repo.rows(
        "SELECT payload FROM outbox WHERE kind = 'member' AND ref = ? ORDER BY id", (member_uuid,))]


# -- search and duplicates ------------------------------------------------------------------------------

def test_search_by_phone_card_prefix_and_name(shop: Terminal) -> None:
    a = members.enroll_member(shop, phone="13800138000", name="张伟", card_no=card(1))
    b = members.enroll_member(shop, phone="13800139999", name="张小伟", card_no=card(2))
    c = members.enroll_member(shop, phone="13700137000", name="李娜", card_no=card(3))
    assert [m.id for m in members.search_members(shop, "+86 138-0013-8000")] == [a.id]
    assert [m.id for m in members.search_members(shop, card(3))] == [c.id]
    assert [m.id for m in members.search_members(shop, "1380013")] == [a.id, b.id]
    assert [m.id for m in members.search_members(shop, "伟")] == [a.id, b.id]
    assert members.search_members(shop, "13900000000") == []  # a full number nobody has
    assert members.search_members(shop, "王") == []
    with pytest.raises(InvalidInput) as err:
        members.search_members(shop, "  ")
    assert err.value.field == "member"


def test_similar_members_same_name_and_birthday_or_same_card(shop: Terminal) -> None:
    a = members.enroll_member(shop, phone="13800138000", name="Li Na", birthday="1992-07-08", card_no=card(1))
    members.enroll_member(shop, phone="13800138001", name="Li Na", birthday="1993-07-08")
    members.enroll_member(shop, phone="13800138002", name="张伟")
    assert [m.id for m in members.similar_members(shop, " li  na ", "1992-07-08")] == [a.id]
    assert members.similar_members(shop, "Li Na", "1990-01-01") == []
    # a name alone is no evidence (without a birthday nothing matches)
    assert members.similar_members(shop, "张伟", None) == []
    assert [m.id for m in members.similar_members(shop, "someone else", None, card_no=card(1))] == [a.id]
    assert members.similar_members(shop, "Li Na", "1992-07-08", exclude_id=a.id) == []
    with pytest.raises(InvalidInput) as err:
        members.similar_members(shop, "Li Na", "1992-13-40")
    assert err.value.field == "birthday"


# -- edits ------------------------------------------------------------------------------------------------------

def test_update_member_changes_fields_with_outbox_event_and_audit(shop: Terminal) -> None:
    m = members.enroll_member(shop, phone="13800138000", name="张伟", birthday="1988-03-12")
    updated = members.update_member(shop, member_ref=m.card_no, name=" 张 伟 ", phone="139 0013 9000",
                                    birthday="1988-03-21", staff_code="1001")
    assert (updated.name, updated.phone, updated.birthday) == ("张 伟", "13900139000", dt.date(1988, 3, 21))
    assert members.find_member(shop, "13900139000").id == m.id
    assert member_events(shop, m.uuid)[-1]["phone"] == "13900139000"
    [row] = audits(shop, "member.update")
    assert row["staff_code"] == "1001" and row["ref"] == m.uuid
    assert row["details"] == {"name": ["张伟", "张 伟"], "phone": ["13800138000", "13900139000"],
                              "birthday": ["1988-03-12", "1988-03-21"]}
    # "" removes the birthday; None leaves a field alone
    cleared = members.update_member(shop, member_ref=m.card_no, birthday="")
    assert cleared.birthday is None and cleared.name == "张 伟"
    assert audits(shop, "member.update")[-1]["details"] == {"birthday": ["1988-03-21", None]}


def test_update_member_without_change_writes_nothing(shop: Terminal) -> None:
    m = members.enroll_member(shop, phone="13800138000", name="张伟")
    before = len(member_events(shop, m.uuid))
    same = members.update_member(shop, member_ref=m.card_no, name="张伟", phone="13800138000", birthday="")
    assert same == m
    assert audits(shop, "member.update") == [] and len(member_events(shop, m.uuid)) == before


@pytest.mark.parametrize(("kw", "error", "field"), [
    ({"phone": "13700137000"}, Conflict, "phone"),
    ({"phone": "1380013800"}, InvalidInput, "phone"),
    ({"name": "  "}, InvalidInput, "name"),
    ({"birthday": "2099-01-01"}, InvalidInput, "birthday"),
    ({"name": "新名字", "birthday": "12/03/1988"}, InvalidInput, "birthday"),
])
def test_update_member_refusals_name_the_field_and_change_nothing(shop: Terminal, kw: dict[str, str],
                                                                   error: type[Exception], field: str) -> None:
    m = members.enroll_member(shop, phone="13800138000", name="张伟", birthday="1988-03-12")
    members.enroll_member(shop, phone="13700137000", name="王芳")
    with pytest.raises(error) as err:  # type: ignore[call-overload]
        members.update_member(shop, member_ref=m.card_no, **kw)
    assert err.value.field == field
    assert members.find_member(shop, m.card_no) == m
    assert audits(shop, "member.update") == []


# -- history ----------------------------------------------------------------------------------------------------

def build_history(t: Terminal, clock: FakeClock) -> members.MemberRecord:
    """signup 50 (11-03), sale earning 100 (11-05), adjustment +1000 (11-07), paying 500 (11-09)."""
    m = members.enroll_member(t, phone="13800138000", name="张伟")
    clock.set("2026-11-05T10:00")
    sales.record_sale(t, lines=[line(1, 0 + 5000)], member_ref=m.card_no)  # 50 + first purchase 100 = 150
    clock.set("2026-11-07T10:00")
    points.adjust_points(t, member_ref=m.card_no, points=1000, reason="=HYPERLINK(\"x\")", manager_code="9001",
                         manager_pin="9999")
    clock.set("2026-11-09T10:00")
    sales.record_sale(t, lines=[line(1, 10000)], member_ref=m.card_no, points=500)
    return members.find_member(t, m.card_no)


def test_member_history_newest_first_with_running_balance(shop: Terminal, clock: FakeClock) -> None:
    m = build_history(shop, clock)
    h = members.member_history(shop, m.id)
    assert [(e.kind, e.points, e.business_date.day) for e in h] == [
        ("earn", 95, 9), ("redeem", -500, 9), ("adjust", 1000, 7), ("earn", 150, 5), ("award", 50, 3)]
    assert [e.balance_after for e in h] == [795, 700, 1200, 200, 50]
    assert h[0].balance_after == m.balance
    assert h[-1].ref_no == "signup" and h[-1].summary == "award signup"
    assert h[3].summary == "purchase 50, first_purchase +100"
    assert h[1].summary == "paid ¥5.00"
    assert h[0].ref_no == h[1].ref_no  # one sale: its earn and redeem entries share the receipt number


def test_member_history_filters_by_kind_and_dates(shop: Terminal, clock: FakeClock) -> None:
    m = build_history(shop, clock)
    earn = members.member_history(shop, m.id, kinds=["earn"])
    assert [e.points for e in earn] == [95, 150]
    assert [e.balance_after for e in earn] == [795, 200]  # balances still count the entries left out
    window = members.member_history(shop, m.id, date_from=dt.date(2026, 11, 5), date_to=dt.date(2026, 11, 7))
    assert [e.kind for e in window] == ["adjust", "earn"]
    assert [e.kind for e in members.member_history(shop, m.id, date_from=dt.date(2026, 11, 9))] == ["earn", "redeem"]
    assert [e.kind for e in members.member_history(shop, m.id, kinds=("award", "adjust"),
                                                   date_to=dt.date(2026, 11, 6))] == ["award"]
    assert len(members.member_history(shop, m.id, limit=2)) == 2
    with pytest.raises(InvalidInput) as err:
        members.member_history(shop, m.id, kinds=["bogus"])
    assert err.value.field == "kind"
    with pytest.raises(InvalidInput) as err:
        members.member_history(shop, m.id, date_from=dt.date(2026, 11, 9), date_to=dt.date(2026, 11, 1))
    assert err.value.field == "date_to"


def test_tier_history_newest_first(shop: Terminal, clock: FakeClock) -> None:
    m = members.enroll_member(shop, phone="13800138000", name="张伟")
    assert members.tier_history(shop, m.id) == []
    tiers.set_tier(shop, member=m, tier="silver", reason="migrated from the old system")
    clock.advance(days=1)
    sales.record_sale(shop, lines=[line(1, 2_000_000)], member_ref=m.card_no)  # enough for an upgrade
    h = members.tier_history(shop, m.id)
    assert [(c.from_tier, c.to_tier) for c in h] == [("silver", members.find_member(shop, m.card_no).tier),
                                                    ("normal", "silver")]
    assert h[0].reason == "upgrade" and h[0].qualifying_points > 0
    assert h[1].reason == "manual: migrated from the old system"


def test_export_history_csv_content_is_excel_ready_and_audited(shop: Terminal, clock: FakeClock,
                                                              tmp_path: Path) -> None:
    m = build_history(shop, clock)
    target = tmp_path / "history.csv"
    n = members.export_history_csv(shop, m.id, target, kinds=["earn", "adjust"], staff_code="1001")
    assert n == 3
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # a BOM, so Excel reads the Chinese as UTF-8
    rows = list(csv.reader(raw.decode("utf-8-sig").splitlines()))
    assert rows[0] == list(members.HISTORY_CSV_HEADERS)
    assert [(r[0], r[2], r[3], r[4]) for r in rows[1:]] == [
        ("2026-11-09", "earn", "95", "795"), ("2026-11-07", "adjust", "1000", "1200"),
        ("2026-11-05", "earn", "150", "200")]
    # a reason typed as a formula stays text in a spreadsheet
    assert rows[2][6] == "'=HYPERLINK(\"x\") (approved by 9001)"
    assert [(a["staff_code"], a["details"]) for a in audits(shop, "member.export")] == [
        ("1001", {"rows": 3, "file": "history.csv"})]
    assert not list(tmp_path.glob("*.part"))


def test_write_history_csv_translated_headers_and_failure(shop: Terminal, clock: FakeClock, tmp_path: Path) -> None:
    m = build_history(shop, clock)
    entries = members.member_history(shop, m.id, kinds=["award"])
    heads = ["日期", "时间", "类型", "积分", "余额", "单号", "说明", "员工", "编号"]
    n = members.write_history_csv(tmp_path / "h.csv", entries, headers=heads, kind_names={"award": "奖励"},
                                  describe=lambda e: "注册奖励")
    assert n == 1
    rows = list(csv.reader((tmp_path / "h.csv").read_text(encoding="utf-8-sig").splitlines()))
    assert rows[0] == heads and rows[1][2] == "奖励" and rows[1][6] == "注册奖励"
    with pytest.raises(InvalidInput) as err:
        members.write_history_csv(tmp_path / "missing-dir" / "h.csv", entries)
    assert err.value.field == "file"
    with pytest.raises(InvalidInput):
        members.write_history_csv(tmp_path / "h2.csv", entries, headers=["too", "few"])
    assert not list(tmp_path.rglob("*.part"))


def test_full_width_phone_and_card_are_the_same_member(shop: Terminal) -> None:
    m = members.enroll_member(shop, phone="13８００１３８０００", name="全角", card_no="２９０００００００００１８")
    assert (m.phone, m.card_no) == ("13800138000", "2900000000018")
    with pytest.raises(Conflict):
        members.enroll_member(shop, phone="13800138000", name="半角")
    with pytest.raises(Conflict):
        members.enroll_member(shop, phone="１３９００１３９０００", name="卡", card_no="2900000000018")
    refs = ("13800138000", "１３８００１３８０００", "２９０００００００００１８", "＋８６　１３８ ００１３ ８０００")
    for ref in refs:
        assert members.find_member(shop, ref).id == m.id
    assert [x.id for x in members.search_members(shop, "１３８００１３８０００")] == [m.id]
    r = sales.record_sale(shop, lines=[line(1, 10000)], member_ref="１３８００１３８０００")
    assert r.member is not None and r.member.id == m.id
    assert shop.repo.row("SELECT count(*) n FROM member") == {"n": 1}
