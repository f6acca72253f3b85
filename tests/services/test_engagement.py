"""Behaviour awards at the counter (issue 16 item 3): the check-in award (签到) on a member code
scan, awards staff grant with a reason, and the completed profile (完善资料) by one rule."""

from __future__ import annotations

import datetime as dt

import pytest

from pos_app.core.errors import InvalidInput, NotFound, PosError, ProgramError, RuleViolation
from pos_app.core.members import make_card_number
from pos_app.core.program import parse_program
from pos_app.services import check_in, members, settings
from pos_app.services import member_codes as mc
from pos_app.services.context import Terminal, reference_program_source
from tests.conftest import FakeClock


def written(t: Terminal) -> tuple[int, int, int]:
    q = t.database.execute
    return (q("SELECT count(*) FROM ledger_entry").fetchone()[0], q("SELECT count(*) FROM audit").fetchone()[0],
            q("SELECT count(*) FROM lot").fetchone()[0])


def awards_of(t: Terminal, member_id: int) -> list[str]:
    return [r[0] for r in t.database.execute(
        "SELECT ref_no FROM ledger_entry WHERE member_id = ? AND kind = 'award' ORDER BY id", (member_id,))]


@pytest.fixture
def keys(terminal: Terminal) -> bytes:
    private, public = mc.generate_keypair()
    settings.set_setting(terminal, "member_qr.public_key", public)
    return private


# -- the program ------------------------------------------------------------------------------------

def test_the_reference_program_has_a_daily_check_in_and_awards_that_need_a_reason() -> None:
    program = parse_program(reference_program_source())
    award = program.check_in_award
    assert award is not None and (award.id, award.points, award.daily_limit) == ("check_in", 5, 1)
    assert {a.id for a in program.awards if a.needs_reason} == {"survey", "review_photo"}
    # the worked numbers stay: sign-up 50, completed profile 50 once, share 20 three a day
    got = {a.id: (a.points, a.once, a.daily_limit) for a in program.awards}
    assert got["signup"] == (50, True, None) and got["profile_completed"] == (50, True, None)
    assert got["share"] == (20, False, 3) and got["survey"][0] == 100 and got["review_photo"][0] == 50


def test_a_check_in_award_without_a_daily_limit_is_refused_naming_the_field() -> None:
    source = reference_program_source().replace('id = "check_in"                           # 签到: the member scans '
                                                'their member code at a till or kiosk\npoints = 5\ndaily_limit = 1\n',
                                                'id = "check_in"\npoints = 5\n')
    assert 'id = "check_in"\npoints = 5\ncheck_in' in source
    with pytest.raises(ProgramError) as err:
        parse_program(source)
    assert err.value.field.endswith("daily_limit")


# -- the completed profile: one rule for registration and edits ----------------------------------

def test_registration_with_a_birthday_completes_the_profile_once(terminal: Terminal) -> None:
    m = members.enroll_member(terminal, phone="13800138000", name="张伟", birthday="1988-03-12")
    assert m.balance == 100 and awards_of(terminal, m.id) == ["signup", "profile_completed"]
    members.update_member(terminal, member_ref=m.card_no, birthday="")  # incomplete, then complete again
    again = members.update_member(terminal, member_ref=m.card_no, birthday="1988-03-12")
    assert again.balance == 100 and awards_of(terminal, m.id) == ["signup", "profile_completed"]
    audit = terminal.database.execute(
        "SELECT count(*) FROM audit WHERE action = 'member.award' AND ref = ?", (m.uuid,)).fetchone()[0]
    assert audit == 1


def test_a_birthday_added_later_completes_the_profile(terminal: Terminal) -> None:
    m = members.enroll_member(terminal, phone="13800138000", name="张伟")
    assert m.balance == 50 and awards_of(terminal, m.id) == ["signup"]
    renamed = members.update_member(terminal, member_ref=m.card_no, name="张 伟")
    assert renamed.balance == 50  # still no birthday
    done = members.update_member(terminal, member_ref=m.card_no, birthday="1988-03-12")
    assert done.balance == 100 and awards_of(terminal, m.id) == ["signup", "profile_completed"]


def test_the_completed_profile_and_the_check_in_are_never_granted_by_hand(terminal: Terminal) -> None:
    m = members.enroll_member(terminal, phone="13800138000", name="张伟")
    before = written(terminal)
    for award_id in ("profile_completed", "check_in", "signup", "referral"):
        with pytest.raises(RuleViolation) as err:
            members.award_behaviour(terminal, member_ref=m.card_no, award_id=award_id, reason="asked at the till")
        assert err.value.field == "award"
    assert written(terminal) == before


# -- awards staff grant with a reason ----------------------------------------------------------------

@pytest.mark.parametrize(("award_id", "points"), [("survey", 100), ("review_photo", 50)])
def test_survey_and_review_need_a_reason(terminal: Terminal, award_id: str, points: int) -> None:
    m = members.enroll_member(terminal, phone="13800138000", name="张伟")
    before = written(terminal)
    for reason in (None, "", "   "):
        with pytest.raises(InvalidInput) as err:
            members.award_behaviour(terminal, member_ref=m.card_no, award_id=award_id, reason=reason)
        assert err.value.field == "reason" and err.value.params["reason"] == "needs_reason"
    assert written(terminal) == before
    after = members.award_behaviour(terminal, member_ref=m.card_no, award_id=award_id, reason="2026 满意度问卷")
    assert after.balance == 50 + points
    row = terminal.database.execute(
        "SELECT json_extract(breakdown, '$.reason') FROM ledger_entry WHERE ref_no = ?", (award_id,)).fetchone()
    assert row[0] == "2026 满意度问卷"


def test_share_needs_no_reason_and_keeps_its_daily_limit(terminal: Terminal) -> None:
    m = members.enroll_member(terminal, phone="13800138000", name="张伟")
    for _ in range(3):
        members.award_behaviour(terminal, member_ref=m.card_no, award_id="share")
    before = written(terminal)
    with pytest.raises(RuleViolation) as err:
        members.award_behaviour(terminal, member_ref=m.card_no, award_id="share")
    assert err.value.params["limit"] == 3 and written(terminal) == before


# -- the check-in ------------------------------------------------------------------------------------

def test_a_member_code_checks_in_once_a_day(terminal: Terminal, clock: FakeClock, keys: bytes) -> None:
    m = members.enroll_member(terminal, phone="13800138000", name="张伟")
    done = check_in.check_in(terminal, mc.sign_member_code(keys, m.card_no, clock()))
    assert (done.granted, done.points, done.member.balance, done.offline) == (True, 5, 55, False)
    entry = terminal.database.execute(
        "SELECT points, ref_no, json_extract(breakdown, '$.via') FROM ledger_entry WHERE kind = 'award'"
        " AND ref_no = 'check_in'").fetchall()
    assert [tuple(r) for r in entry] == [(5, "check_in", "member_code")]
    # a second code the same day: refused at a self-service point, nothing written
    before = written(terminal)
    with pytest.raises(RuleViolation) as err:
        check_in.check_in(terminal, mc.sign_member_code(keys, m.card_no, clock()))
    assert (err.value.field, err.value.params["reason"]) == ("member_code", "done_today")
    assert written(terminal) == before
    # at checkout (not strict): no error, no points
    quiet = check_in.check_in(terminal, mc.sign_member_code(keys, m.card_no, clock()), strict=False)
    assert (quiet.granted, quiet.reason, quiet.member.balance) == (False, "done_today", 55)
    assert written(terminal) == before
    clock.set("2026-11-04T08:00")  # the next day
    assert check_in.check_in(terminal, mc.sign_member_code(keys, m.card_no, clock())).member.balance == 60


def test_a_card_a_phone_or_a_bad_code_never_checks_in(terminal: Terminal, clock: FakeClock, keys: bytes) -> None:
    m = members.enroll_member(terminal, phone="13800138000", name="张伟")
    before = written(terminal)
    for text in (m.card_no, m.phone, "", "hello"):
        with pytest.raises(InvalidInput) as err:
            check_in.check_in(terminal, text)
        assert err.value.field == "member_code"
    expired = mc.sign_member_code(keys, m.card_no, clock() - dt.timedelta(hours=1))
    with pytest.raises(PosError) as bad:
        check_in.check_in(terminal, expired)
    assert bad.value.field == "member_qr" and bad.value.params["reason"] == "expired"
    other, _public = mc.generate_keypair()
    with pytest.raises(PosError) as forged:
        check_in.check_in(terminal, mc.sign_member_code(other, m.card_no, clock()))
    assert forged.value.params["reason"] == "forged"
    unknown = mc.sign_member_code(keys, make_card_number(424242), clock())  # no such member here
    with pytest.raises(NotFound):
        check_in.check_in(terminal, unknown)
    assert written(terminal) == before


def test_a_frozen_member_does_not_check_in(terminal: Terminal, clock: FakeClock, keys: bytes) -> None:
    m = members.enroll_member(terminal, phone="13800138000", name="张伟")
    members.set_status(terminal, member_ref=m.card_no, status="frozen", reason="card reported lost")
    before = written(terminal)
    with pytest.raises(RuleViolation) as err:
        check_in.check_in(terminal, mc.sign_member_code(keys, m.card_no, clock()))
    assert err.value.field == "member" and written(terminal) == before
