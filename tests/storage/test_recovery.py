"""storage.recovery on a real till database: what a page of a till's own data from headquarters
does, older event forms, counters, and the refusals (a fork, another till's entry, a page that
does not continue the outbox)."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest

from pos_app.core.chain import GENESIS_HASH, canonical_json, entry_hash
from pos_app.core.errors import Conflict, InvalidInput
from pos_app.services import context, sales
from pos_app.services.context import Terminal
from pos_app.storage import recovery, replica
from pos_app.storage.integrity import run_checks
from tests.conftest import FakeClock
from tests.services.test_reference_examples import line

STORE, TERMINAL = "S01", "S01-T1"
PREFIX = f"{STORE}-{TERMINAL}"
MEMBER = str(uuid.uuid4())


@pytest.fixture
def till(tmp_path: Path, clock: FakeClock) -> Any:
    t = context.init_terminal(tmp_path / "till.db", store_id=STORE, terminal_id=TERMINAL, clock=clock)
    context.load_program(t, context.reference_program_source())
    yield t
    t.close()


def event(oid: int, kind: str, ref: str, payload: dict[str, Any]) -> dict[str, Any]:
    return {"oid": oid, "kind": kind, "ref": ref, "payload": payload, "created_at": "2026-11-03T10:00:00"}


def entries(specs: list[tuple[str, int, str, str]], *, prev: str = GENESIS_HASH, start: int = 1,
            terminal_id: str = TERMINAL) -> list[dict[str, Any]]:
    out = []
    for i, (kind, points, ref_type, ref_no) in enumerate(specs):
        fields: dict[str, Any] = {
            "uuid": str(uuid.uuid4()), "terminal_id": terminal_id, "seq": start + i, "member_uuid": MEMBER,
            "kind": kind, "points": points, "tier_points": max(points, 0), "ref_type": ref_type, "ref_no": ref_no,
            "program_version": 1, "breakdown": canonical_json({}), "created_at": "2026-11-03T10:00:00",
            "business_date": "2026-11-03", "recorded_at": "2026-11-03T10:00:00", "backdated": False,
            "staff_code": "1001", "prev_hash": prev,
        }
        fields["hash"] = prev = entry_hash(fields)
        fields["effects"] = {"new": [["2026-11-03", "2028-11-30", points]]} if points > 0 else {}
        out.append(fields)
    return out


def test_older_events_come_back_as_far_as_they_can_and_numbers_never_repeat(till: Terminal) -> None:
    """A sale and a refund sent by an older release (no lines, no row) cannot be rebuilt: they
    are counted; the receipt and redemption numbers they name still move the counters."""
    out = recovery.apply_own_events(till.database, TERMINAL, STORE, [
        event(1, "member", MEMBER, {"uuid": MEMBER, "phone": "13800000001", "name": "张三", "card_no": "C1",
                                    "store_id": STORE, "tier": "normal", "enrolled_at": "2026-11-03T09:00:00"}),
        event(3, "sale", f"{PREFIX}-00000041", {"total_fen": 5000, "tender": "cash", "member": MEMBER}),
        event(4, "refund", f"{PREFIX}-00000041-R1", {"receipt_no": f"{PREFIX}-00000041", "lines": [1],
                                                      "refund_fen": 100}),
        event(6, "redemption", f"{PREFIX}-G0000007", {"member": MEMBER, "gift": "G005", "points": 2000,
                                                      "cash_fen": 1990}),
    ])
    assert (out.events, out.sales, out.refunds, out.redemptions, out.incomplete) == (4, 0, 0, 1, 2)
    member = till.repo.member_by_uuid(MEMBER)
    assert member is not None and member.phone == "13800000001"  # the record this till wrote
    assert till.repo.rows("SELECT redemption_no, business_date FROM redemption") == [
        {"redemption_no": f"{PREFIX}-G0000007", "business_date": "2026-11-03"}]
    assert replica.pending_count(till.database) == 0 and recovery.last_outbox_id(till.database) == 6
    assert sales.record_sale(till, lines=[line(1, 100)]).receipt_no == f"{PREFIX}-00000042"
    assert till.ledger.next_number("redemption") == 8


def test_closed_shifts_come_back_and_the_next_shift_number_follows(till: Terminal) -> None:
    """A till restored from headquarters got no shift rows back: its closed shifts were missing
    from its reports and the next shift took number S00001 again (headquarters then held two
    shifts of that number). The ``shift`` events rebuild the closed shifts (reprintable: the
    report is computed again from the recovered sales) and move the shift counter past them."""
    from pos_app.services import shifts

    payload = {"staff_code": "1001", "closed_by": "1001", "opened_at": "2026-11-03T08:00:00",
               "closed_at": "2026-11-03T16:00:00", "sales": 3, "refunds": 0, "takings_fen": 15000,
               "float_fen": 50000, "expected_cash_fen": 65000, "counted_cash_fen": 64000,
               "cash_difference_fen": -1000, "tenders": [{"kind": "cash", "expected_fen": 65000}]}
    out = recovery.apply_own_events(till.database, TERMINAL, STORE, [
        event(1, "shift", f"{PREFIX}-S00004", payload),
        event(2, "shift", f"{PREFIX}-S00004", payload),  # twice (a resent page): one row
    ])
    assert out.shifts == 1 and out.to_dict()["shifts"] == 1
    rows = till.repo.rows("SELECT shift_no, staff_code, opened_at, closed_at FROM shift")
    assert rows == [{"shift_no": f"{PREFIX}-S00004", "staff_code": "1001", "opened_at": "2026-11-03T08:00:00",
                     "closed_at": "2026-11-03T16:00:00"}]
    assert shifts.current_shift(till) is None
    opened = shifts.open_shift(till, staff_code="1001")
    assert opened.shift_no == f"{PREFIX}-S00005"


def test_own_entries_come_back_as_the_chain_and_a_fork_is_refused(till: Terminal) -> None:
    page = entries([("earn", 100, "sale", f"{PREFIX}-00000002"), ("adjust", 30, "adjust", "ADJ-000009")])
    out = recovery.apply_own_entries(till.database, TERMINAL, STORE, page)
    assert out.entries == 2 and len(out.members) == 1
    held = till.database.execute("SELECT seq, hash FROM ledger_entry ORDER BY seq").fetchall()
    assert [tuple(r) for r in held] == [(1, page[0]["hash"]), (2, page[1]["hash"])]
    assert till.database.execute("SELECT balance FROM member WHERE uuid = ?", (MEMBER,)).fetchone()[0] == 130
    assert replica.pending_count(till.database) == 0  # acknowledged: never pushed again
    assert till.ledger.next_number("receipt") == 3 and till.ledger.next_number("adjust") == 10
    bad = {k: v for k, v in run_checks(till.database).items() if not v["ok"]}
    assert not bad, bad
    # an entry that does not follow the last one held: the page is refused whole
    fork = entries([("earn", 5, "sale", "X"), ("earn", 6, "sale", "Y")], start=3)
    with pytest.raises(Conflict) as exc:
        recovery.apply_own_entries(till.database, TERMINAL, STORE, fork)
    assert exc.value.field == "entries[0].prev_hash"
    other = entries([("earn", 5, "sale", "X")], start=3, prev=page[1]["hash"], terminal_id="S02-T1")
    with pytest.raises(InvalidInput) as bad_terminal:
        recovery.apply_own_entries(till.database, TERMINAL, STORE, other)
    assert bad_terminal.value.field == "entries[0].terminal_id"
    assert till.database.execute("SELECT count(*) FROM ledger_entry").fetchone()[0] == 2


def test_an_event_page_must_continue_the_outbox_and_nothing_may_wait(till: Terminal) -> None:
    recovery.apply_own_events(till.database, TERMINAL, STORE, [event(5, "tier", MEMBER, {"from": "normal",
                                                                                          "to": "silver"})])
    with pytest.raises(InvalidInput) as exc:
        recovery.apply_own_events(till.database, TERMINAL, STORE, [event(5, "tier", MEMBER, {})])
    assert exc.value.field == "events[0].oid"
    sales.record_sale(till, lines=[line(1, 100)])  # written at the counter before the rest came back
    with pytest.raises(Conflict):
        recovery.apply_own_events(till.database, TERMINAL, STORE, [event(9, "tier", MEMBER, {})])
