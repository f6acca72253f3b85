"""The daily check-in (签到, issue 16 item 3) across two real tills and a real headquarters
(uvicorn, SQLite and PostgreSQL): online the second till refuses a second check-in of the day
even before it pulls; offline both grant it and headquarters flags the second (``award_limit``)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from pos_app.core.errors import RuleViolation
from pos_app.services import check_in, settings
from pos_app.services import member_codes as mc
from pos_app.services import sync as sync_service
from pos_app.services.members import enroll_member, find_member
from pos_app.sync.client import SyncError
from tests.e2e.conftest import HQServer
from tests.e2e.test_lookup_e2e import ROOMY, checks_ok, sync_until_done
from tests.e2e.test_sync_e2e import hq_state, identified


def check_ins(t: Any, uuid: str) -> int:
    return int(t.database.execute("SELECT count(*) FROM ledger_entry WHERE member_uuid = ? AND kind = 'award'"
                                  " AND ref_no = 'check_in'", (uuid,)).fetchone()[0])


def flag_details(db_url: str, member_uuid: str) -> dict[str, Any]:
    from pos_app.hq import db as hqdb

    database = hqdb.connect(db_url)
    try:
        return dict(json.loads(hqdb.Flag.get(hqdb.Flag.member_uuid == member_uuid).details))
    finally:
        database.close()


@pytest.fixture
def keyed(two_tills: Any) -> tuple[Any, Any, Any, bytes]:
    a, b, clock = two_tills
    private, public = mc.generate_keypair()
    for till in (a, b):
        settings.set_setting(till, "member_qr.public_key", public)
    return a, b, clock, private


def test_online_the_second_till_refuses_a_second_check_in_the_same_day(hq: HQServer, keyed: Any) -> None:
    a, b, clock, key = keyed
    m = enroll_member(a, phone="13800000021", name="钱七", staff_code="1001")
    sync_until_done(a)
    identified(hq.db_url, "S02-T1", m.uuid)  # the member shops at S02 too: its feed follows them
    sync_until_done(b)
    done = check_in.check_in(a, mc.sign_member_code(key, m.card_no, clock()), budget=ROOMY)
    assert done.granted and not done.offline and done.member.balance == 55
    sync_until_done(a)  # headquarters has the check-in; store B has not pulled since
    assert check_ins(b, m.uuid) == 0
    with pytest.raises(RuleViolation) as err:
        check_in.check_in(b, mc.sign_member_code(key, m.card_no, clock()), budget=ROOMY)
    assert err.value.params["reason"] == "done_today"
    at_checkout = check_in.check_in(b, mc.sign_member_code(key, m.card_no, clock()), budget=ROOMY, strict=False)
    assert (at_checkout.granted, at_checkout.reason, at_checkout.offline) == (False, "done_today", False)
    assert check_ins(b, m.uuid) == 1 and find_member(b, m.phone).balance == 55  # headquarters' copy of A's
    sync_until_done(b)
    flags = [kind for kind, uuid in hq_state(hq.db_url)["flags"] if uuid == m.uuid]
    assert flags == []
    checks_ok(a)
    checks_ok(b)


def test_offline_both_tills_grant_it_and_headquarters_flags_the_second(hq: HQServer, keyed: Any) -> None:
    a, b, clock, key = keyed
    m = enroll_member(a, phone="13800000022", name="孙八", staff_code="1001")
    sync_until_done(a)
    identified(hq.db_url, "S02-T1", m.uuid)
    sync_until_done(b)
    hq.stop()
    for till in (a, b):
        with pytest.raises(SyncError):
            sync_service.sync_once(till)
        done = check_in.check_in(till, mc.sign_member_code(key, m.card_no, clock()), budget=2.0)
        assert done.granted and done.offline  # decided on the till's own copy
    hq.start()
    sync_until_done(a)
    sync_until_done(b)
    sync_until_done(a)
    flags = [kind for kind, uuid in hq_state(hq.db_url)["flags"] if uuid == m.uuid]
    assert flags == ["award_limit"]
    assert flag_details(hq.db_url, m.uuid)["award"] == "check_in"
    for till in (a, b):  # synced: each holds both check-ins, and a third is refused
        assert check_ins(till, m.uuid) == 2
        with pytest.raises(RuleViolation):
            check_in.check_in(till, mc.sign_member_code(key, m.card_no, clock()), budget=ROOMY)
    assert find_member(a, m.phone).balance == find_member(b, m.phone).balance == 60
    checks_ok(a)
    checks_ok(b)
