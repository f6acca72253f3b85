"""Headquarters as the authority: programs, gift stock, revocations, member QR codes, member
import, the expiry run, the tier review, behaviour awards from channels, and verify."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from pathlib import Path
from typing import Any

import pytest

from pos_app.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied, ProgramError, RuleViolation
from pos_app.core.members import make_card_number
from pos_app.hq import authority, db, verify
from pos_app.sync import member_code
from tests.hq.conftest import Till, member_event, push, register

REPO = Path(__file__).resolve().parents[2]
LATER = dt.date(2028, 6, 1)  # the business day the runs happen on (they refuse to run ahead of it)
SOURCE = (REPO / "db" / "reference-program.toml").read_text(encoding="utf-8")


def changes(kind: str) -> list[dict[str, Any]]:
    return [{"key": c.key, "store_id": c.store_id, "data": json.loads(c.data)}
            for c in db.Change.select().where(db.Change.kind == kind).order_by(db.Change.id)]


def member(phone: str = "13800138000", *, card: int = 1, store: str = "S01", tier: str = "normal",
           status: str = "active") -> db.Member:
    return db.Member.create(uuid=str(uuid.uuid4()), phone=phone, name="张三", card_no=make_card_number(card),
                            store_id=store, tier=tier, status=status, enrolled_at="2026-01-01T10:00:00")


def reload(m: db.Member) -> db.Member:
    return db.Member.get(db.Member.uuid == m.uuid)


@pytest.fixture
def program(hq_db: Any) -> Any:
    return authority.publish_program(SOURCE, actor="test")


# -- programs ----------------------------------------------------------------------------------------

def test_a_valid_program_is_stored_and_sent_to_every_terminal(hq_db: Any) -> None:
    program = authority.publish_program(SOURCE, actor="admin")
    assert (program.program_id, program.version) == ("reference", 1)
    assert authority.active_program() == program
    [change] = changes("program")
    assert change["store_id"] is None
    assert change["data"] == {"program_id": "reference", "version": 1, "source": SOURCE}
    authority.publish_program(SOURCE, actor="admin")  # the same text again: nothing new
    assert len(changes("program")) == 1
    assert db.Audit.select().where(db.Audit.action == "program.publish").count() == 1
    v2 = SOURCE.replace("version = 1", "version = 2", 1)
    assert authority.publish_program(v2, actor="admin").version == 2
    assert authority.active_program().version == 2  # type: ignore[union-attr]
    assert [c["data"]["version"] for c in changes("program")] == [1, 2]


def test_an_invalid_program_names_the_field_and_writes_nothing(hq_db: Any) -> None:
    bad = SOURCE.replace("fen_per_point = 100", "fen_per_point = 0", 1)
    with pytest.raises(ProgramError) as err:
        authority.publish_program(bad, actor="admin")
    assert err.value.field == "earning.fen_per_point"
    assert db.Program.select().count() == 0
    assert db.Change.select().count() == 0
    assert authority.active_program() is None


def test_a_published_version_is_immutable(hq_db: Any) -> None:
    authority.publish_program(SOURCE, actor="admin")
    changed = SOURCE.replace("max_drop = 1", "max_drop = 2", 1)
    with pytest.raises(Conflict) as err:
        authority.publish_program(changed, actor="admin")
    assert err.value.field == "version"
    assert db.Program.select().count() == 1
    assert authority.active_program().tiers.max_drop == 1  # type: ignore[union-attr]


# -- gift stock and revocations ------------------------------------------------------------------------

def test_gift_stock_goes_to_its_store_only(program: Any) -> None:
    register("S01-T1", "S01")
    register("S02-T1", "S02")
    data = authority.set_gift_stock("S01", "G004", 5, actor="admin")
    assert data == {"store_id": "S01", "gift_code": "G004", "stock": 5}
    authority.set_gift_stock("S01", "G004", 3, actor="admin")
    assert db.GiftStock.get(store_id="S01", gift_code="G004").stock == 3
    assert [(c["store_id"], c["data"]["stock"]) for c in changes("gift_stock")] == [("S01", 5), ("S01", 3)]
    with pytest.raises(RuleViolation) as err:
        authority.set_gift_stock("S01", "G001", 5, actor="admin")  # not stock-tracked
    assert err.value.field == "gift"
    with pytest.raises(NotFound):
        authority.set_gift_stock("S01", "G999", 5, actor="admin")
    with pytest.raises(InvalidInput) as err2:
        authority.set_gift_stock("S01", "G004", -1, actor="admin")
    assert err2.value.field == "stock"
    with pytest.raises(NotFound) as err3:
        authority.set_gift_stock("S09", "G004", 1, actor="admin")
    assert err3.value.field == "store"
    assert len(changes("gift_stock")) == 2


def test_revocations_reach_every_terminal(hq_db: Any) -> None:
    card = make_card_number(42)
    data = authority.revoke("card", card, "reported lost", actor="admin")
    assert data["value"] == card and data["reason"] == "reported lost"
    private, _public = member_code.generate_keypair()
    code = member_code.sign_member_code(private, card, dt.datetime(2026, 11, 3, 10, 0), nonce="abcdefgh12")
    assert authority.revoke("member_qr", code, "screenshot", actor="admin")["value"] == "abcdefgh12"
    assert [(c["key"], c["store_id"]) for c in changes("revoked")] == [(f"card:{card}", None),
                                                                      ("member_qr:abcdefgh12", None)]
    with pytest.raises(Conflict):
        authority.revoke("card", card, "again", actor="admin")
    with pytest.raises(InvalidInput) as err:
        authority.revoke("card", "12345", "bad card", actor="admin")
    assert err.value.field == "card"
    with pytest.raises(InvalidInput) as err:
        authority.revoke("phone", card, "no such kind", actor="admin")
    assert err.value.field == "kind"
    assert db.Revoked.select().count() == 2


def test_member_qr_key_and_codes(hq_db: Any) -> None:
    m = member()
    with pytest.raises(RuleViolation):
        authority.issue_member_code(m.card_no)
    _private, public = authority.generate_member_qr_key(actor="admin")
    [change] = changes("setting")
    assert change["data"] == {"key": "member_qr.public_key", "value": public}
    now = dt.datetime.now()
    code = authority.issue_member_code(m.card_no, ttl_s=120, now=now)
    assert member_code.check_member_code(public, code, now).card_no == m.card_no
    assert authority.find_member(code, now=now).uuid == m.uuid
    with pytest.raises(NotFound):
        authority.issue_member_code(make_card_number(77))
    authority.revoke("card", m.card_no, "lost", actor="admin")
    with pytest.raises(RuleViolation):
        authority.issue_member_code(m.card_no)
    # a public key alone: headquarters can no longer sign
    _other_private, other_public = member_code.generate_keypair()
    authority.set_member_qr_key(other_public, actor="admin")
    assert db.Setting.get_or_none(db.Setting.key == authority.PRIVATE_KEY_SETTING) is None
    assert changes("setting")[-1]["data"]["value"] == other_public


# -- member import -----------------------------------------------------------------------------------

def test_member_import_reports_duplicates_and_invalid_rows(program: Any, tmp_path: Path) -> None:
    member("13900139000", card=9)
    csv_path = tmp_path / "members.csv"
    csv_path.write_text(
        "phone,name,birthday,card_no\n"
        f"13800000001,王一,1990-05-18,{make_card_number(101)}\n"  # line 2: new
        "13800000002,王二,,\n"  # line 3: new, a card is assigned
        "13800000001,王一again,,\n"  # line 4: phone repeated in the file
        "13900139000,已有,,\n"  # line 5: phone already a member
        f"13800000005,王五,,{make_card_number(101)}\n"  # line 6: card repeated in the file
        f"13800000006,王六,,{make_card_number(9)}\n"  # line 7: card already issued
        "12345,坏号码,,\n"  # line 8: not a mobile number
        "13800000008,王八,2999-01-01,\n",  # line 9: birthday in the future
        encoding="utf-8")
    report = authority.import_members(csv_path, actor="admin", store_id="S01")
    assert report["rows"] == 8
    assert report["created"] == 2
    assert [(d["line"], d["field"]) for d in report["duplicates"]] == [(4, "phone"), (5, "phone"), (6, "card_no"),
                                                                       (7, "card_no")]
    assert [(e["line"], e["field"]) for e in report["errors"]] == [(8, "phone"), (9, "birthday")]
    created = {m.phone: m for m in db.Member.select().where(db.Member.phone.startswith("138"))}
    assert set(created) == {"13800000001", "13800000002"}
    assert created["13800000001"].card_no == make_card_number(101)
    assert created["13800000002"].card_no.startswith("29") and len(created["13800000002"].card_no) == 13
    assert created["13800000001"].birthday == "1990-05-18" and created["13800000001"].store_id == "S01"
    assert sorted(c["data"]["phone"] for c in changes("member")) == ["13800000001", "13800000002"]
    again = authority.import_members(csv_path, actor="admin")
    assert again["created"] == 0 and len(again["duplicates"]) == 6


# -- the expiry run ----------------------------------------------------------------------------------

def _stocked_member(till: Till, term: db.Terminal, phone: str, card: int) -> tuple[str, dict[str, Any]]:
    """A member with 100 points expiring 2026-12-31 (30 of them spent) and 50 expiring 2027-06-30."""
    m_uuid = str(uuid.uuid4())
    ev = member_event(till, m_uuid, phone=phone, card_no=make_card_number(card))
    first = till.earn(m_uuid, 100, day="2025-01-05", expires="2026-12-31")
    second = till.earn(m_uuid, 50, day="2025-07-05", expires="2027-06-30")
    spend = till.entry(m_uuid, "redeem", -30, taken=[[first["uuid"], 30]], day="2025-08-01")
    push(term, till.batch([first, second, spend], [ev]))
    return m_uuid, first


def test_expiry_writes_off_exactly_the_lapsed_points_once(program: Any) -> None:
    term = register("S01-T1", "S01")
    till = Till("S01-T1", "S01")
    a, first_lot = _stocked_member(till, term, "13800000001", 1)
    b, _ = _stocked_member(till, term, "13800000002", 2)
    untouched = str(uuid.uuid4())
    push(term, till.batch([till.earn(untouched, 10, day="2026-11-03", expires="2028-11-30")],
                          [member_event(till, untouched, phone="13800000003", card_no=make_card_number(3))]))
    assert reload(db.Member.get(uuid=a)).balance == 120
    result = authority.run_expiry(dt.date(2027, 1, 1), actor="nightly", today=LATER)
    assert result == {"as_of": "2027-01-01", "members": 2, "lots": 2, "points": 140}
    for m_uuid in (a, b):
        assert db.Member.get(uuid=m_uuid).balance == 50  # 120 less the 70 left of the lapsed lot
        [entry] = db.Entry.select().where((db.Entry.member_uuid == m_uuid) & (db.Entry.kind == "expire"))
        assert (entry.points, entry.terminal_id, entry.ref_no, entry.business_date) == (
            -70, db.HQ_CHAIN, "EXP-2027-01-01", "2027-01-01")
        assert json.loads(entry.effects)["taken"][0][1] == 70
    assert db.Lot.get(db.Lot.key == first_lot["uuid"]).remaining == 0
    assert db.Member.get(uuid=untouched).balance == 10
    hq_chain = list(db.Entry.select().where(db.Entry.terminal_id == db.HQ_CHAIN).order_by(db.Entry.seq))
    assert [e.seq for e in hq_chain] == [1, 2]
    assert hq_chain[1].prev_hash == hq_chain[0].hash
    assert {c["data"]["uuid"] for c in changes("entry")} >= {e.uuid for e in hq_chain}
    # again: nothing left to expire, nothing written
    entries = db.Entry.select().count()
    assert authority.run_expiry(dt.date(2027, 1, 1), actor="nightly", today=LATER) == {
        "as_of": "2027-01-01", "members": 0, "lots": 0, "points": 0}
    assert db.Entry.select().count() == entries
    report = verify.verify()
    assert report["ok"], report


def test_runs_ahead_of_time_are_refused(program: Any) -> None:
    with pytest.raises(InvalidInput) as err:
        authority.run_expiry(dt.date(2026, 11, 5), actor="nightly", today=dt.date(2026, 11, 3))
    assert err.value.field == "as_of"
    with pytest.raises(InvalidInput):
        authority.run_tier_review(dt.date(2027, 1, 1), actor="yearly", today=dt.date(2026, 11, 3))
    assert authority.run_expiry(dt.date(2026, 11, 4), actor="nightly", today=dt.date(2026, 11, 3))["members"] == 0


def test_expiry_runs_in_chunks(program: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(authority, "CHUNK", 2)
    term = register("S01-T1", "S01")
    till = Till("S01-T1", "S01")
    for i in range(5):
        _stocked_member(till, term, f"1380000001{i}", 10 + i)
    result = authority.run_expiry(dt.date(2027, 1, 1), actor="nightly", today=LATER)
    assert (result["members"], result["points"]) == (5, 350)
    assert db.Entry.select().where(db.Entry.kind == "expire").count() == 5
    assert verify.verify()["ok"]


# -- the tier review ---------------------------------------------------------------------------------

def test_tier_review_keeps_what_the_points_reach_and_drops_at_most_one_level(program: Any) -> None:
    diamond_idle = member("13800000001", card=1, tier="diamond")
    gold_kept = member("13800000002", card=2, tier="gold")
    silver_idle = member("13800000003", card=3, tier="silver")
    normal_up = member("13800000004", card=4, tier="normal")
    # qualifying window for the 2027-01-01 review: 2026-01 .. 2026-12
    db.TierMonth.create(member_uuid=gold_kept.uuid, month="2026-06", points=15000)
    db.TierMonth.create(member_uuid=gold_kept.uuid, month="2026-12", points=6000)
    db.TierMonth.create(member_uuid=silver_idle.uuid, month="2025-12", points=90000)  # outside the window
    db.TierMonth.create(member_uuid=normal_up.uuid, month="2026-03", points=60000)
    result = authority.run_tier_review(dt.date(2027, 3, 15), actor="yearly", today=LATER)
    assert result["review_date"] == "2027-01-01"
    assert result["members"] == 4
    assert sorted((c["member_uuid"], c["from"], c["to"]) for c in result["changes"]) == sorted([
        (diamond_idle.uuid, "diamond", "gold"), (silver_idle.uuid, "silver", "normal"),
        (normal_up.uuid, "normal", "diamond")])  # the review keeps what the points reach (core.tiers.review)
    assert reload(diamond_idle).tier == "gold" and reload(diamond_idle).tier_since == "2027-01-01"
    assert reload(gold_kept).tier == "gold" and reload(gold_kept).tier_since == ""
    assert {m.last_review for m in db.Member.select()} == {"2027-01-01"}
    assert sorted(c["key"] for c in changes("member")) == sorted([diamond_idle.uuid, silver_idle.uuid,
                                                                  normal_up.uuid])
    # the same review again finds no one; the next year's review drops the gold member again
    assert authority.run_tier_review(dt.date(2027, 6, 1), actor="yearly", today=LATER)["members"] == 0
    again = authority.run_tier_review(dt.date(2028, 1, 1), actor="yearly", today=LATER)
    assert again["members"] == 4
    assert reload(diamond_idle).tier == "silver"


def test_tier_review_leaves_alone_members_who_joined_after_its_period_began(program: Any) -> None:
    old = member("13800000001", card=1, tier="gold")  # enrolled 2026-01-01: the whole of 2026
    late = member("13800000002", card=2, tier="gold")
    late.enrolled_at = "2026-12-04T10:00:00"
    late.save()
    first = authority.run_tier_review(dt.date(2026, 12, 4), actor="yearly", today=LATER)  # the 2026-01-01 review
    assert (first["review_date"], first["members"], first["exempt"], first["changes"]) == ("2026-01-01", 0, 2, [])
    second = authority.run_tier_review(dt.date(2027, 1, 1), actor="yearly", today=LATER)
    assert (second["members"], second["exempt"]) == (1, 1)
    assert [(c["member_uuid"], c["to"]) for c in second["changes"]] == [(old.uuid, "silver")]
    assert reload(late).tier == "gold" and reload(late).last_review == "2027-01-01"
    assert authority.run_tier_review(dt.date(2027, 1, 1), actor="yearly", today=LATER)["exempt"] == 0
    third = authority.run_tier_review(dt.date(2028, 1, 1), actor="yearly", today=LATER)
    assert (third["members"], third["exempt"]) == (2, 0) and reload(late).tier == "silver"


# -- behaviour awards ----------------------------------------------------------------------------------

@pytest.fixture
def channel(program: Any) -> db.Terminal:
    db.Store.create(id="WEB", name="小程序", created_at=db.utcnow())
    return db.Terminal.create(id="WEB-MP", store_id="WEB", kind="channel", created_at=db.utcnow())


NOW = dt.datetime(2026, 11, 3, 10, 0)


def test_signup_award_is_granted_once_per_member(channel: db.Terminal) -> None:
    m = member()
    first = authority.report_award(channel, member_ref=m.phone, award_id="signup", ref="r1", now=NOW)
    assert (first["points"], first["balance"], first["duplicate"]) == (50, 50, False)
    entry = db.Entry.get(db.Entry.uuid == first["entry_uuid"])
    assert (entry.kind, entry.terminal_id, entry.store_id, entry.ref_no) == ("award", db.HQ_CHAIN, "WEB", "signup")
    assert json.loads(entry.breakdown) == {"award": "signup", "points": 50, "channel": "WEB-MP", "ref": "r1"}
    lot = db.Lot.get(db.Lot.key == first["entry_uuid"])
    assert (lot.earned_on, lot.expires_on, lot.remaining) == ("2026-11-03", "2028-11-03", 50)
    with pytest.raises(RuleViolation) as err:
        authority.report_award(channel, member_ref=m.card_no, award_id="signup", ref="r2", now=NOW)
    assert err.value.field == "award"
    assert reload(m).balance == 50


def test_share_is_limited_to_three_a_day(channel: db.Terminal) -> None:
    m = member()
    for i in range(3):
        got = authority.report_award(channel, member_ref=m.uuid, award_id="share", ref=f"s{i}", now=NOW)
        assert got["balance"] == 20 * (i + 1)
    with pytest.raises(RuleViolation) as err:
        authority.report_award(channel, member_ref=m.uuid, award_id="share", ref="s3", now=NOW)
    assert err.value.field == "award" and err.value.params["limit"] == 3
    tomorrow = authority.report_award(channel, member_ref=m.uuid, award_id="share", ref="s4",
                                      now=NOW + dt.timedelta(days=1))
    assert tomorrow["balance"] == 80
    assert verify.verify()["ok"]


def test_the_same_report_twice_answers_the_first_result(channel: db.Terminal) -> None:
    m = member()
    first = authority.report_award(channel, member_ref=m.phone, award_id="survey", ref="abc", now=NOW)
    again = authority.report_award(channel, member_ref=m.phone, award_id="survey", ref="abc", now=NOW)
    assert again == {**first, "duplicate": True}
    assert db.Entry.select().count() == 1
    with pytest.raises(Conflict):
        authority.report_award(channel, member_ref=m.phone, award_id="share", ref="abc", now=NOW)


def test_award_refusals(channel: db.Terminal) -> None:
    frozen = member("13800000009", card=9, status="frozen")
    with pytest.raises(RuleViolation) as err:
        authority.report_award(channel, member_ref=frozen.phone, award_id="survey", ref="x1", now=NOW)
    assert err.value.field == "member"
    with pytest.raises(NotFound) as err2:
        authority.report_award(channel, member_ref=frozen.phone, award_id="dance", ref="x2", now=NOW)
    assert err2.value.field == "award"
    with pytest.raises(NotFound) as err3:
        authority.report_award(channel, member_ref="13811112222", award_id="survey", ref="x3", now=NOW)
    assert err3.value.field == "member"
    till = register("S01-T1", "S01")
    with pytest.raises(PermissionDenied):
        authority.report_award(till, member_ref=frozen.phone, award_id="survey", ref="x4", now=NOW)
    assert db.Entry.select().count() == 0 and db.AwardClaim.select().count() == 0


# -- verify ------------------------------------------------------------------------------------------

def test_verify_passes_on_good_data_and_catches_a_tampered_entry(program: Any) -> None:
    term = register("S01-T1", "S01")
    till = Till("S01-T1", "S01")
    m_uuid, _ = _stocked_member(till, term, "13800000001", 1)
    push(term, till.batch([till.earn(m_uuid, 40, day="2026-11-03", tier_points=40)]))
    authority.run_expiry(dt.date(2027, 1, 1), actor="nightly", today=LATER)
    good = verify.verify()
    assert good["ok"], good
    assert good["checks"]["hash_chains"]["entries"] == 5
    victim = db.Entry.get((db.Entry.terminal_id == "S01-T1") & (db.Entry.seq == 2))
    db.Entry.update(points=victim.points + 1000).where(db.Entry.id == victim.id).execute()
    bad = verify.verify()
    assert not bad["ok"]
    chains = bad["checks"]["hash_chains"]
    assert chains["count"] == 1
    assert chains["problems"][0]["seq"] == 2 and "hash" in chains["problems"][0]["problem"]
    assert bad["checks"]["balance_equals_entries"]["count"] == 1
    assert bad["checks"]["lot_remaining_equals_moves"]["ok"]


def test_verify_catches_broken_projections(program: Any) -> None:
    term = register("S01-T1", "S01")
    till = Till("S01-T1", "S01")
    m_uuid, first = _stocked_member(till, term, "13800000001", 1)
    push(term, till.batch([till.earn(m_uuid, 40, day="2026-11-03", tier_points=40)]))
    db.Lot.update(remaining=db.Lot.remaining - 5).where(db.Lot.key == first["uuid"]).execute()
    db.TierMonth.update(points=41).where(db.TierMonth.member_uuid == m_uuid).execute()
    bad = verify.verify()
    assert not bad["checks"]["lot_remaining_equals_moves"]["ok"]
    assert not bad["checks"]["balance_equals_lots_minus_debt"]["ok"]
    assert bad["checks"]["tier_points_equal_entries"]["problems"][0]["month"] == "2026-11"
    assert bad["checks"]["hash_chains"]["ok"]


def test_member_import_at_hq_reads_each_line_on_its_own(program: Any, tmp_path: Path) -> None:
    csv_path = tmp_path / "members.csv"
    huge = "x" * 131_073
    csv_path.write_text(
        "phone,name,birthday,card_no\n"
        '13800000001,"王一,,\n'  # line 2: unterminated quote (once swallowed the rest of the file)
        "13800000002,王二,,\n"  # line 3: new
        f"13800000003,{huge},,\n"  # line 4: a field over csv's size limit (once a traceback)
        "13800000004,王四,,\n",  # line 5: new
        encoding="utf-8")
    report = authority.import_members(csv_path, actor="admin", store_id="S01")
    assert (report["rows"], report["created"]) == (4, 2)
    assert [(e["line"], e["field"]) for e in report["errors"]] == [(2, "row"), (4, "row")]
    names = sorted(m.name for m in db.Member.select().where(db.Member.phone.startswith("138")))
    assert names == ["王二", "王四"]
