"""One writer per tier change (issue 13 item 6): a till upgrades a member only in the transaction
of its own sale; after a pull it takes the tier from headquarters' member record and never
decides it again; headquarters upgrades when points from several tills crossed the threshold
together. Real tills (SQLite files and the services) and a real headquarters (uvicorn on
loopback) on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pos_app.hq import db as hqdb
from pos_app.services import context, members, online, sales, staff
from pos_app.services import sync as sync_service
from pos_app.services.context import Terminal
from pos_app.storage import replica
from pos_app.storage.integrity import run_checks
from tests.conftest import FakeClock
from tests.hq.hqserver import ThreadServer, database_url, prepare_hq
from tests.services.test_reference_examples import line

TERMINALS = {"S01-T1": "S01", "S02-T1": "S02", "S03-T1": "S03"}


class Chain:
    def __init__(self, url: str, tills: list[Terminal]) -> None:
        self.url = url
        self.tills = tills

    def hq_rows(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        database = hqdb.connect(self.url)
        try:
            sql = sql.replace("?", database.param)
            return [tuple(r) for r in database.execute_sql(sql, params).fetchall()]
        finally:
            database.close()

    def hq_tier_events(self) -> int:
        return int(self.hq_rows("SELECT count(*) FROM event WHERE kind = 'tier'")[0][0])

    def hq_tier(self, member_uuid: str) -> str:
        return str(self.hq_rows("SELECT tier FROM member WHERE uuid = ?", (member_uuid,))[0][0])


@pytest.fixture(params=["sqlite", "postgresql"])
def chain(request: pytest.FixtureRequest, tmp_path: Path, clock: FakeClock) -> Iterator[Chain]:
    with database_url(request.param, tmp_path) as url:
        codes = prepare_hq(url, TERMINALS)
        with ThreadServer(url) as server:
            tills = []
            for terminal_id, store in TERMINALS.items():
                t = context.init_terminal(tmp_path / f"{terminal_id}.db", store_id=store, terminal_id=terminal_id,
                                          clock=clock)
                context.load_program(t, context.reference_program_source())
                staff.create_staff(t, code="1001", name="收银员", role="cashier", pin="1234")
                sync_service.enroll(t, server.url, codes[terminal_id])
                tills.append(t)
            yield Chain(url, tills)
            for t in tills:
                t.close()


def tier_rows(t: Terminal) -> int:
    """Tier events this till ever queued for headquarters."""
    return int(t.database.execute("SELECT count(*) FROM outbox WHERE kind = 'tier'").fetchone()[0])


def tier_at(t: Terminal, phone: str) -> str:
    return members.find_member(t, phone).tier


def identified(t: Terminal, phone: str) -> None:
    """The counter identifies a member of another store: an online lookup brings them."""
    assert online.identify(t, phone, budget=30).member.phone == phone


def checks_ok(t: Terminal) -> None:
    bad = {k: v for k, v in run_checks(t.database).items() if not v["ok"]}
    assert not bad, bad


def test_points_from_two_tills_are_upgraded_once_by_headquarters(chain: Chain, clock: FakeClock) -> None:
    a, b, _ = chain.tills
    m = members.enroll_member(a, phone="13800000031", name="两店", staff_code="1001")
    sync_service.sync_once(a)
    identified(b, m.phone)  # B holds the member (not yet A's coming sale)
    # 3,000 + 3,000 qualifying points, each below silver's 5,000 at the till that sold
    sales.record_sale(a, lines=[line(1, 300_000)], member_ref=m.phone, staff_code="1001")
    sales.record_sale(b, lines=[line(1, 300_000)], member_ref=m.phone, staff_code="1001")
    assert tier_at(a, m.phone) == tier_at(b, m.phone) == "normal"
    sync_service.sync_once(a)
    assert chain.hq_tier(m.uuid) == "normal"

    before = tier_rows(b)
    sync_service.sync_once(b)  # its push crosses silver at headquarters; its pull brings A's sale
    assert tier_rows(b) == before == 0  # no till decides after a pull
    assert chain.hq_tier(m.uuid) == "silver"  # headquarters decided
    audit = chain.hq_rows("SELECT actor, details FROM audit WHERE action = 'tier.upgrade' AND ref = ?", (m.uuid,))
    assert len(audit) == 1 and audit[0][0] == "hq"
    assert json.loads(audit[0][1])["to"] == "silver" and json.loads(audit[0][1])["qualifying_points"] >= 5000
    assert tier_at(b, m.phone) == "silver"  # the same round's pull brought the record
    before = tier_rows(a)
    report = sync_service.sync_once(a)
    assert tier_rows(a) == before == 0 and report.upgrades == 1
    assert tier_at(a, m.phone) == "silver"
    history = a.repo.rows("SELECT from_tier, to_tier, reason FROM tier_change WHERE member_id = ?",
                          (members.find_member(a, m.phone).id,))
    assert [(r["from_tier"], r["to_tier"], r["reason"]) for r in history] == [("normal", "silver", "headquarters")]
    assert chain.hq_tier_events() == 0
    # nothing was caused by the pulls: another round everywhere moves nothing
    for t in (a, b):
        again = sync_service.sync_once(t)
        assert (again.pushed_entries, again.pushed_events, again.imported_entries, again.upgrades) == (0, 0, 0, 0)
        checks_ok(t)


def test_three_tills_one_tier_event_per_real_upgrade(chain: Chain, clock: FakeClock) -> None:
    a, b, c = chain.tills
    people = [members.enroll_member(a, phone=f"1380000010{i}", name=f"会员{i}", staff_code="1001")
              for i in range(6)]
    sync_service.sync_once(a)
    for t in (b, c):
        for m in people:
            identified(t, m.phone)
    # every till gives every member 2,000 qualifying points, none knowing the others'
    for t in chain.tills:
        for m in people:
            sales.record_sale(t, lines=[line(1, 200_000)], member_ref=m.phone, staff_code="1001")
    changes_before = int(chain.hq_rows("SELECT count(*) FROM change")[0][0])
    for _ in range(2):
        for t in chain.tills:
            sync_service.sync_once(t)
    assert all(chain.hq_tier(m.uuid) == "silver" for m in people)
    assert all(tier_at(t, m.phone) == "silver" for t in chain.tills for m in people)
    assert [tier_rows(t) for t in chain.tills] == [0, 0, 0] and chain.hq_tier_events() == 0
    decisions = chain.hq_rows("SELECT count(*) FROM audit WHERE action = 'tier.upgrade'")[0][0]
    assert decisions == len(people)  # one decision per member, at headquarters
    # what went into the feed: the sales' entries and one member record per member per push
    # (balances), nothing because a till pulled
    changes_after = int(chain.hq_rows("SELECT count(*) FROM change")[0][0])
    for t in chain.tills:
        again = sync_service.sync_once(t)
        assert (again.pushed_events, again.upgrades) == (0, 0)
    assert int(chain.hq_rows("SELECT count(*) FROM change")[0][0]) == changes_after > changes_before

    # a till whose own sale crosses gold decides it in that sale: one tier event, taken everywhere
    clock.advance(days=1)
    sales.record_sale(b, lines=[line(1, 1_500_000)], member_ref=people[0].phone, staff_code="1001")
    assert tier_at(b, people[0].phone) == "gold" and tier_rows(b) == 1
    for _ in range(2):
        for t in chain.tills:
            sync_service.sync_once(t)
    assert chain.hq_tier_events() == 1 and [tier_rows(t) for t in chain.tills] == [0, 1, 0]
    assert chain.hq_tier(people[0].uuid) == "gold"
    assert all(tier_at(t, people[0].phone) == "gold" for t in chain.tills)
    assert chain.hq_rows("SELECT count(*) FROM audit WHERE action = 'tier.upgrade'")[0][0] == len(people)
    for t in chain.tills:
        checks_ok(t)


def test_a_till_record_from_its_stale_copy_does_not_undo_headquarters_tier(chain: Chain) -> None:
    a = chain.tills[0]
    m = members.enroll_member(a, phone="13800000041", name="改名", staff_code="1001")
    sync_service.sync_once(a)
    for t in chain.tills[1:]:
        identified(t, m.phone)
    for t in chain.tills:
        sales.record_sale(t, lines=[line(1, 200_000)], member_ref=m.phone, staff_code="1001")
        sync_service.sync_once(t)  # C's push crosses silver at headquarters
    assert chain.hq_tier(m.uuid) == "silver" and tier_at(a, m.phone) == "normal"  # A has not pulled since
    members.update_member(a, member_ref=m.phone, name="改了名", staff_code="1001")  # A's record says normal
    sync_service.sync_once(a)
    assert chain.hq_tier(m.uuid) == "silver"
    assert chain.hq_rows("SELECT name FROM member WHERE uuid = ?", (m.uuid,))[0][0] == "改了名"
    assert tier_at(a, m.phone) == "silver"


def test_a_pulled_record_never_lowers_a_tier_the_till_decided_and_hq_has_not_heard(
        chain: Chain, clock: FakeClock) -> None:
    a = chain.tills[0]
    m = members.enroll_member(a, phone="13800000051", name="本店升级", staff_code="1001")
    sync_service.sync_once(a)
    sales.record_sale(a, lines=[line(1, 600_000)], member_ref=m.phone, staff_code="1001")
    assert tier_at(a, m.phone) == "silver" and tier_rows(a) == 1  # decided in the sale, not pushed yet
    record = {"uuid": m.uuid, "phone": m.phone, "name": m.name, "card_no": m.card_no, "store_id": "S01",
              "enrolled_at": m.enrolled_at.isoformat(), "tier": "normal", "tier_since": m.tier_since.isoformat()}
    replica.apply_changes(a.database, a.terminal_id, a.store_id, [{"id": 1, "kind": "member", "data": record}])
    assert tier_at(a, m.phone) == "silver"  # an older record: the till's own decision stays
    # even a record dated later does not lower it while the till's tier event waits
    replica.apply_changes(a.database, a.terminal_id, a.store_id,
                          [{"id": 2, "kind": "member", "data": {**record, "tier_since": "2099-01-01"}}])
    assert tier_at(a, m.phone) == "silver"
    # a higher tier from headquarters is taken
    replica.apply_changes(a.database, a.terminal_id, a.store_id,
                          [{"id": 3, "kind": "member", "data": {**record, "tier": "gold"}}])
    assert tier_at(a, m.phone) == "gold"


def test_the_yearly_review_is_headquarters_alone_and_tills_take_it(chain: Chain, clock: FakeClock) -> None:
    import datetime as dt

    from pos_app.core.errors import Conflict
    from pos_app.hq import authority
    from pos_app.services import tiers

    a, b, _ = chain.tills
    m = members.enroll_member(a, phone="13800000071", name="保级", staff_code="1001")
    sales.record_sale(a, lines=[line(1, 600_000)], member_ref=m.phone, staff_code="1001")  # silver, decided here
    sync_service.sync_once(a)
    identified(b, m.phone)
    assert tier_at(a, m.phone) == tier_at(b, m.phone) == chain.hq_tier(m.uuid) == "silver"
    with pytest.raises(Conflict) as err:  # every enrolled till would decide the same review again
        tiers.run_tier_review(b, as_of=dt.date(2028, 1, 1))
    assert err.value.field == "tier-review"
    database = hqdb.connect(chain.url)
    try:
        result = authority.run_tier_review(dt.date(2028, 1, 1), actor="yearly", today=dt.date(2028, 1, 1))
    finally:
        database.close()
    assert result["changes"] == [{"member_uuid": m.uuid, "from": "silver", "to": "normal", "qualifying": 0}]
    clock.set("2028-01-01T09:00")
    for t in (a, b):
        before = tier_rows(t)
        sync_service.sync_once(t)
        assert tier_at(t, m.phone) == "normal" and tier_rows(t) == before  # taken, not re-decided
    assert chain.hq_tier_events() == 1  # A's upgrade in its sale, nothing else
