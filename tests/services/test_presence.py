"""Spending points needs the member present (issue 15 item 2): card or member code scanned, or a
one-time code sent through the chain's webhook (a real loopback HTTP server here)."""

from __future__ import annotations

import logging

import pytest

from pos_app.core.errors import ApprovalRequired, InvalidInput, RuleViolation
from pos_app.services import member_codes, points, presence, sales, settings
from pos_app.services.context import Terminal
from tests.conftest import FakeClock
from tests.otp_webhook import webhook
from tests.services.test_counter import counts
from tests.services.test_reference_examples import enroll, line, manager, set_balance

__all__ = ["manager"]  # a fixture used here

PHONE = "13800138000"


@pytest.fixture
def member(terminal: Terminal, manager: str) -> object:
    m = enroll(terminal, PHONE)
    set_balance(terminal, m, 5000)
    yield m
    presence.forget(terminal)


def refused(err: pytest.ExceptionInfo[RuleViolation], what: str) -> None:
    assert err.value.field == "presence" and err.value.params["reason"] == "not_present"
    assert err.value.params["what"] == what


def test_a_phone_number_may_earn_but_not_spend(terminal: Terminal, member: object) -> None:
    before = counts(terminal)
    with pytest.raises(RuleViolation) as err:
        sales.record_sale(terminal, lines=[line(1, 10000)], member_ref=PHONE, points=1000)
    refused(err, "points")
    assert counts(terminal) == before
    r = sales.record_sale(terminal, lines=[line(1, 10000)], member_ref=PHONE)  # earning: the phone is enough
    assert r.points_earned > 0 and r.points_paid == 0


def test_a_typed_card_number_is_not_presence_but_a_scanned_card_is(terminal: Terminal, member: object) -> None:
    card = member.card_no  # type: ignore[attr-defined]
    before = counts(terminal)
    with pytest.raises(RuleViolation) as err:
        sales.record_sale(terminal, lines=[line(1, 10000)], member_ref=card, points=1000, presence="typed_card")
    refused(err, "points")
    assert counts(terminal) == before
    r = sales.record_sale(terminal, lines=[line(1, 10000)], member_ref=card, points=1000, presence="card")
    assert r.points_paid == 1000 and r.member is not None and r.member.balance < 5000
    # the card number alone (back office, scripts): counts as the card shown
    assert sales.record_sale(terminal, lines=[line(1, 10000)], member_ref=card, points=500).points_paid == 500


def test_a_member_code_is_presence(terminal: Terminal, member: object) -> None:
    private, public = member_codes.generate_keypair()
    settings.set_setting(terminal, "member_qr.public_key", public)
    code = member_codes.sign_member_code(private, member.card_no, terminal.clock(), ttl_s=60)  # type: ignore[attr-defined]
    assert presence.of_reference(code) == "member_qr"
    assert sales.record_sale(terminal, lines=[line(1, 10000)], member_ref=code, points=1000).points_paid == 1000


def test_a_gift_for_a_phone_number_is_refused(terminal: Terminal, member: object) -> None:
    before = counts(terminal)
    with pytest.raises(RuleViolation) as err:
        points.redeem_gift(terminal, member_ref=PHONE, gift_code="G002")
    refused(err, "gift")
    assert counts(terminal) == before
    assert points.redeem_gift(terminal, member_ref=PHONE, gift_code="G002", presence="card").points == 1000


def test_the_manager_may_allow_spending_by_phone(terminal: Terminal, member: object) -> None:
    with pytest.raises(ApprovalRequired):  # protected: a cashier alone may not
        settings.save_settings(terminal, {"presence.phone_may_spend": "on"}, staff_code="1001")
    assert settings.save_settings(terminal, {"presence.phone_may_spend": "on"}, staff_code="1001",
                                  approval=("9001", "9999")) == ["presence.phone_may_spend"]
    assert sales.record_sale(terminal, lines=[line(1, 10000)], member_ref=PHONE, points=1000).points_paid == 1000
    assert points.redeem_gift(terminal, member_ref=PHONE, gift_code="G002").points == 1000


def test_a_presence_that_is_not_a_kind_is_refused(terminal: Terminal, member: object) -> None:
    with pytest.raises(InvalidInput) as err:
        sales.record_sale(terminal, lines=[line(1, 10000)], member_ref=PHONE, points=1000, presence="trust me")
    assert err.value.field == "presence"


def test_a_one_time_code_through_the_webhook_lets_the_member_spend(terminal: Terminal, member: object,
                                                                   caplog: pytest.LogCaptureFixture) -> None:
    m = member
    caplog.set_level(logging.DEBUG)
    with webhook() as hook:
        settings.set_setting(terminal, "presence.otp_webhook", hook.url)
        assert presence.send_code(terminal, m.uuid, PHONE) == presence.OTP_VALID_S  # type: ignore[attr-defined]
        sent = hook.received[-1]
    assert sent["path"] == "/otp" and sent["content_type"] == "application/json"
    assert (sent["phone"], sent["store_id"], sent["terminal_id"]) == (PHONE, "S001", "T01")
    code = sent["code"]
    assert len(code) == 6 and code.isdigit()
    with pytest.raises(RuleViolation):  # sent, not yet read out
        sales.record_sale(terminal, lines=[line(1, 10000)], member_ref=PHONE, points=1000, presence="otp")
    presence.verify_code(terminal, m.uuid, code)  # type: ignore[attr-defined]
    r = sales.record_sale(terminal, lines=[line(1, 10000)], member_ref=PHONE, points=1000, presence="otp")
    assert r.points_paid == 1000
    assert code not in caplog.text  # never logged
    presence.forget(terminal, m.uuid)  # type: ignore[attr-defined]
    with pytest.raises(RuleViolation):
        sales.record_sale(terminal, lines=[line(1, 10000)], member_ref=PHONE, points=1000, presence="otp")


def test_three_wrong_codes_lock_and_a_code_expires(terminal: Terminal, member: object, clock: FakeClock) -> None:
    uuid = member.uuid  # type: ignore[attr-defined]
    with webhook() as hook:
        settings.set_setting(terminal, "presence.otp_webhook", hook.url)
        presence.send_code(terminal, uuid, PHONE)
        code = hook.last_code()
        wrong = "000000" if code != "000000" else "111111"
        reasons = []
        for _ in range(3):
            with pytest.raises(RuleViolation) as err:
                presence.verify_code(terminal, uuid, wrong)
            reasons.append((err.value.params["reason"], err.value.params.get("tries_left")))
        assert reasons == [("wrong", 2), ("wrong", 1), ("locked", None)]
        with pytest.raises(RuleViolation) as err:  # locked: even the right code
            presence.verify_code(terminal, uuid, code)
        assert err.value.params["reason"] == "locked"
        presence.send_code(terminal, uuid, PHONE)  # a new code unlocks
        fresh = hook.last_code()
        clock.advance(seconds=presence.OTP_VALID_S)
        with pytest.raises(RuleViolation) as err:
            presence.verify_code(terminal, uuid, fresh)
        assert err.value.params["reason"] == "expired"
    with pytest.raises(InvalidInput) as bad:
        presence.verify_code(terminal, uuid, "12a456")
    assert bad.value.field == "otp"


def test_no_webhook_or_no_answer_says_so(terminal: Terminal, member: object) -> None:
    uuid = member.uuid  # type: ignore[attr-defined]
    with pytest.raises(RuleViolation) as err:
        presence.send_code(terminal, uuid, PHONE)
    assert err.value.params["reason"] == "no_otp"
    with webhook(status=503) as hook:
        settings.set_setting(terminal, "presence.otp_webhook", hook.url)
        with pytest.raises(RuleViolation) as err:
            presence.send_code(terminal, uuid, PHONE)
        assert err.value.params["reason"] == "otp_unreachable" and len(hook.received) == 1
    # the server is gone now: nothing answers on that port
    with pytest.raises(RuleViolation) as err:
        presence.send_code(terminal, uuid, PHONE, timeout=2.0)
    assert err.value.params["reason"] == "otp_unreachable"
