"""Headquarters validates every field of every entry and event a till pushes against the one
schema the tills share (``sync.protocol``): a malformed batch is refused whole with an error
naming the field, and nothing is written (both databases). A till checks what it pulls with the
same schema and sets aside (quarantines) what it cannot apply; a property test feeds generated
malformed entries and member records through both."""

from __future__ import annotations

import json
import uuid as uuid_mod
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pos_app.core.chain import HASHED_FIELDS, entry_hash
from pos_app.core.errors import InvalidInput, PosError
from pos_app.hq import db
from pos_app.services import context
from pos_app.services import sync as sync_service
from pos_app.storage import replica
from pos_app.sync import protocol
from tests.hq.conftest import Till, member_event, push, register

M1 = "4f1c2b9e-8a7d-4c3e-9b21-5d6e7f8a9b0c"  # fixed: test ids must be the same in every xdist process


def counts() -> dict[str, int]:
    return {m.__name__: m.select().count() for m in (db.Entry, db.Event, db.Lot, db.Member, db.Change, db.Batch)}


def rehashed(entry: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """The entry with ``changes``, hashed again (a till that signs what it sends)."""
    out = {**entry, **changes}
    out["hash"] = entry_hash(out)
    return out


BAD_ENTRY_FIELDS = [
    ("created_at", "yesterday"),
    ("recorded_at", "2026-02-30T10:00:00"),
    ("business_date", "2026-13-45"),
    ("business_date", ""),
    ("business_date", "x"),
    ("kind", "overdraft"),
    ("kind", "expire_fix"),
    ("kind", "bogus"),
    ("points", 10**12),
    ("tier_points", -(10**12)),
    ("member_uuid", "123"),
    ("ref_no", "r" * 6000),
]


@pytest.mark.parametrize(("field", "value"), BAD_ENTRY_FIELDS)
def test_a_malformed_entry_is_refused_naming_its_field(hq_db: Any, field: str, value: Any) -> None:
    term = register("T1", "S1")
    till = Till("T1", "S1")
    good = till.earn(M1, value if field == "points" else 100)  # effects that match the points
    entry = rehashed(good, **{field: value})
    before = counts()
    with pytest.raises(InvalidInput) as err:
        push(term, till.batch([entry]))
    assert err.value.field == f"entries[0].{field}", err.value.to_dict()
    assert counts() == before


BAD_MEMBER_FIELDS = [
    ("birthday", {"y": 1990}),
    ("birthday", "1990-02-30"),
    ("status", "deleted"),
    ("tier", "t" * 5000),
    ("phone", "1" * 6000),
    ("card_no", "2" * 6000),
    ("uuid", "9" * 6000),
    ("consent", "yes"),
    ("enrolled_at", "yesterday"),
    ("referrer_uuid", "123"),
]


@pytest.mark.parametrize(("field", "value"), BAD_MEMBER_FIELDS)
def test_a_malformed_member_event_is_refused_naming_its_field(hq_db: Any, field: str, value: Any) -> None:
    term = register("T1", "S1")
    till = Till("T1", "S1")
    event = member_event(till, M1, phone="13800000001", card_no="C1")
    event["payload"][field] = value
    before = counts()
    with pytest.raises(InvalidInput) as err:
        push(term, till.batch([till.earn(M1, 100)], [event]))
    assert err.value.field == f"events[0].payload.{field}", err.value.to_dict()
    assert counts() == before


SALE_LINE = {"line_no": 1, "sku": "SKU1", "name": "矿泉水", "category": "food", "qty": 2, "unit_price_fen": 250,
             "discount_fen": 0, "net_fen": 500, "flags": "", "eligible_fen": 500, "multiplier": "1"}


def test_old_and_new_forms_of_sale_refund_and_redemption_events_go_through(hq_db: Any) -> None:
    """Tills of earlier releases send a sale's total, tender and member only; since release 13
    the whole row and its lines. Both are accepted and stored as received."""
    term = register("T1", "S1")
    till = Till("T1", "S1")
    new_sale = {"total_fen": 5000, "tender": "cash", "member": None, "uuid": "0" * 8 + "-0000-4000-8000-" + "0" * 12,
                "receipt_no": "R2", "staff_code": "1001", "created_at": "2026-11-03T10:00:00",
                "business_date": "2026-11-03", "recorded_at": "2026-11-03T10:00:00", "backdated": False,
                "coupon_code": None, "coupon_fen": 0, "points_paid": 0, "points_value_fen": 0, "tender_fen": 5000,
                "credited_purchase": 0, "credited_bonus": 0, "bonuses": "", "flags": "", "program_version": 1,
                "earned": 0, "lines": [SALE_LINE, dict(SALE_LINE, line_no=2, multiplier="6/5")]}
    events = [till.event("sale", "R1", {"total_fen": 5000, "tender": "cash", "member": None}),
              till.event("refund", "R1-R1", {"receipt_no": "R1", "lines": [1], "refund_fen": 100}),
              till.event("redemption", "G1", {"member": M1, "gift": "G005", "points": 2000, "cash_fen": 1990}),
              till.event("sale", "R2", new_sale),
              till.event("refund", "R2-R1", {"receipt_no": "R2", "lines": [2], "refund_fen": 2500, "net_fen": 2500,
                                             "clawback_purchase": 0, "clawback_bonus": 0, "returned_points": 0,
                                             "shortfall": 0, "complete": False, "coupon_returned": None,
                                             "created_at": "2026-11-03T11:00:00", "business_date": "2026-11-03"}),
              till.event("redemption", "G2", {"member": M1, "gift": "G001", "points": 100, "cash_fen": 0,
                                              "approved_by": None, "staff_code": "1001", "coupon_code": "CP1",
                                              "created_at": "2026-11-03T10:00:00", "business_date": "2026-11-03"})]
    assert push(term, till.batch([], events))["inserted"] == 6
    stored = db.Event.get((db.Event.terminal_id == "T1") & (db.Event.ref == "R2"))
    assert json.loads(stored.payload) == new_sale


def test_a_sale_with_split_tenders_and_change_is_stored_as_sent(hq_db: Any) -> None:
    """Release 15 tills send each tender (kind, amount paid, handed over) and the change; the
    amounts add up to the sale's tender_fen exactly; a refund names where the money went."""
    term = register("T1", "S1")
    till = Till("T1", "S1")
    sale = {"total_fen": 12345, "tender": "split", "tender_fen": 12345, "change_fen": 1655,
            "tenders": [{"kind": "card", "amount_fen": 5000, "given_fen": 5000},
                        {"kind": "cash", "amount_fen": 7345, "given_fen": 9000}]}
    refund = {"receipt_no": "R3", "refund_fen": 12345, "tenders": [{"kind": "card", "amount_fen": 5000},
                                                                   {"kind": "cash", "amount_fen": 7345}]}
    assert push(term, till.batch([], [till.event("sale", "R3", sale), till.event("refund", "R3-R1", refund)])
                )["inserted"] == 2
    stored = db.Event.get((db.Event.terminal_id == "T1") & (db.Event.ref == "R3"))
    assert json.loads(stored.payload) == sale


@pytest.mark.parametrize(("kind", "ref", "payload", "field"), [
    ("member", "123", {}, "events[0].ref"),
    ("tier", "x" * 90, {"to": "gold"}, "events[0].ref"),
    ("tier", M1, {"to": "g" * 5000}, "events[0].payload.to"),
    ("coupon_issue", "CP1", {"member": M1, "value_fen": 1.5}, "events[0].payload.value_fen"),
    ("coupon_issue", "CP1", {"member": M1, "valid_until": "soon"}, "events[0].payload.valid_until"),
    ("coupon_use", "CP1", {"receipt_no": "R1", "at": "now"}, "events[0].payload.at"),
    ("sale", "R1", {"total_fen": -1}, "events[0].payload.total_fen"),
    ("redemption", "G1", {"points": 10**13}, "events[0].payload.points"),
    # the business rows a rebuilt till gets back (release 13): the sale's lines, the refund's row
    ("sale", "R1", {"uuid": "R1"}, "events[0].payload.uuid"),
    ("sale", "R1", {"lines": "all"}, "events[0].payload.lines"),
    ("sale", "R1", {"lines": [{"line_no": 1}]}, "events[0].payload.lines[0].qty"),
    ("sale", "R1", {"lines": [dict(SALE_LINE, qty=0)]}, "events[0].payload.lines[0].qty"),
    ("sale", "R1", {"lines": [SALE_LINE, dict(SALE_LINE, multiplier="1.5")]}, "events[0].payload.lines[1].multiplier"),
    ("sale", "R1", {"lines": [dict(SALE_LINE, name="名" * 201)]}, "events[0].payload.lines[0].name"),
    ("sale", "R1", {"lines": [SALE_LINE] * 501}, "events[0].payload.lines"),
    ("sale", "R1", {"backdated": "no"}, "events[0].payload.backdated"),
    ("refund", "R1-R1", {"lines": [0]}, "events[0].payload.lines"),
    ("refund", "R1-R1", {"clawback_purchase": -5}, "events[0].payload.clawback_purchase"),
    ("refund", "R1-R1", {"complete": 1}, "events[0].payload.complete"),
    ("redemption", "G1", {"approved_by": "9" * 33}, "events[0].payload.approved_by"),
    ("redemption", "G1", {"business_date": "2026-02-30"}, "events[0].payload.business_date"),
    # a sale's tenders (release 15): known kinds, whole fen, adding up to tender_fen exactly
    ("sale", "R1", {"tender_fen": 5000, "tenders": [{"kind": "bitcoin", "amount_fen": 5000, "given_fen": 5000}]},
     "events[0].payload.tenders[0].kind"),
    ("sale", "R1", {"tender_fen": 5000, "tenders": [{"kind": "cash", "amount_fen": 50.0, "given_fen": 5000}]},
     "events[0].payload.tenders[0].amount_fen"),
    ("sale", "R1", {"tender_fen": 5000, "tenders": [{"kind": "cash", "amount_fen": 5000}]},
     "events[0].payload.tenders[0].given_fen"),
    ("sale", "R1", {"tender_fen": 5000, "tenders": [{"kind": "cash", "amount_fen": 2000, "given_fen": 2000},
                                                    {"kind": "card", "amount_fen": 2999, "given_fen": 2999}]},
     "events[0].payload.tenders"),
    ("sale", "R1", {"tender_fen": 5000, "change_fen": 0,
                    "tenders": [{"kind": "card", "amount_fen": 5000, "given_fen": 6000}]},
     "events[0].payload.tenders[0].given_fen"),
    ("sale", "R1", {"tender_fen": 5000, "change_fen": 100,
                    "tenders": [{"kind": "cash", "amount_fen": 5000, "given_fen": 10000}]},
     "events[0].payload.change_fen"),
    ("sale", "R1", {"tender_fen": 5000, "change_fen": 100}, "events[0].payload.change_fen"),
    ("refund", "R1-R1", {"refund_fen": 100, "tenders": [{"kind": "card", "amount_fen": 99}]},
     "events[0].payload.tenders"),
])
def test_a_malformed_event_is_refused_naming_its_field(hq_db: Any, kind: str, ref: str, payload: dict[str, Any],
                                                       field: str) -> None:
    term = register("T1", "S1")
    till = Till("T1", "S1")
    before = counts()
    with pytest.raises(InvalidInput) as err:
        push(term, till.batch([], [till.event(kind, ref, payload)]))
    assert err.value.field == field, err.value.to_dict()
    assert counts() == before


def test_an_event_under_an_outbox_id_headquarters_passed_is_refused_not_dropped(hq_db: Any) -> None:
    """Outbox ids 1 and 3 are events HQ holds, 2 was an entry's row: a till that numbered its
    outbox again (rebuilt) and sends an event as 2 is refused, naming it, instead of having the
    event counted as a duplicate and lost. A true duplicate (1 again) still passes."""
    term = register("T1", "S1")
    till = Till("T1", "S1")
    first = member_event(till, M1, phone="13800000001", card_no="C1")
    earn = till.earn(M1, 100)
    tier = till.event("tier", M1, {"to": "gold", "at": "2026-11-03T10:00:00"})
    push(term, till.batch([earn], [first, tier]))
    again = Till("T1", "S1")
    again.seq, again.prev = till.seq, till.prev
    renumbered = {**member_event(again, str(uuid_mod.uuid4()), phone="13800000002", card_no="C2"), "oid": 2}
    before = counts()
    with pytest.raises(PosError) as err:
        push(register_again("T1"), again.batch([], [first, renumbered]))
    assert err.value.field == "events[1].oid" and err.value.params["acked_oid"] == 3, err.value.to_dict()
    assert counts() == before
    assert push(register_again("T1"), again.batch([], [first]))["duplicates"] == 1


def register_again(terminal_id: str) -> db.Terminal:
    return db.Terminal.get_by_id(terminal_id)


def test_an_event_time_must_be_a_date_and_time(hq_db: Any) -> None:
    term = register("T1", "S1")
    till = Till("T1", "S1")
    event = {**member_event(till, M1, phone="13800000001", card_no="C1"), "created_at": "yesterday"}
    with pytest.raises(InvalidInput) as err:
        push(term, till.batch([], [event]))
    assert err.value.field == "events[0].created_at"


def test_well_formed_data_still_goes_through(hq_db: Any) -> None:
    """The values the tills write: nulls for what a member lacks, empty dates HQ keeps unknown."""
    term = register("T1", "S1")
    till = Till("T1", "S1")
    event = member_event(till, M1, phone="13800000001", card_no="C1")
    event["payload"].update(birthday="1990-05-18", tier_since="", last_review=None)
    tier = till.event("tier", M1, {"to": "gold", "at": "2026-11-03T10:00:00"})
    answer = push(term, till.batch([till.earn(M1, 100)], [event, tier]))
    assert answer["inserted"] == 3


# -- generated malformed data through push (headquarters) and pull (a till) ---------------------------

ODD_VALUES = st.one_of(
    st.none(), st.booleans(), st.integers(), st.integers(min_value=-(10**13), max_value=10**13),
    st.floats(allow_nan=True), st.text(max_size=40), st.text(min_size=5000, max_size=7000, alphabet="9a-"),
    st.lists(st.integers(), max_size=3), st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
    st.sampled_from(["yesterday", "2026-13-45", "", "x", "2026-02-30", "2026-11-03T25:00:00", "overdraft",
                     "expire_fix", "bogus", "deleted", "123", "\u00b2", "2026-11-03", "2026-11-03T10:00:00",
                     "00000000-0000-4000-8000-000000000000"]),
)
_RUN = {"n": 0}


def _quarantined_or_applied(till_db: Any, changes: list[dict[str, Any]]) -> Any:
    """A till pulls ``changes`` the way a sync round does: nothing may raise."""
    checked = sync_service._checked_changes(changes)
    return replica.apply_changes(till_db.database, till_db.terminal_id, till_db.store_id, checked,
                                 pushed_settings=protocol.PUSHED_SETTINGS)


@pytest.fixture(scope="module")
def places(tmp_path_factory: pytest.TempPathFactory) -> Any:
    base = tmp_path_factory.mktemp("prop")
    database = db.connect(f"sqlite:///{base / 'hq.db'}")
    t = context.init_terminal(base / "till.db", store_id="S9", terminal_id="S9-T1")
    context.load_program(t, context.reference_program_source())
    yield database, t
    t.close()
    database.close()


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(field=st.sampled_from([*HASHED_FIELDS, "hash", "effects", "member.birthday", "member.status",
                              "member.tier", "member.uuid", "member.phone", "member.enrolled_at", "member.consent"]),
       value=ODD_VALUES)
def test_generated_malformed_data_is_refused_at_push_and_set_aside_at_pull(places: Any, field: str,
                                                                           value: Any) -> None:
    """Whatever one field holds, headquarters either accepts the batch or refuses it with an
    error naming a field of it (never anything else, never half a batch); a till given the same
    data in its feed applies it or quarantines it, and its member can be read afterwards."""
    database, till_db = places
    _RUN["n"] += 1
    terminal_id = f"P{_RUN['n']}"
    db.proxy.initialize(database)
    term = register(terminal_id, "S1")
    till = Till(terminal_id, "S1")
    member_uuid = str(uuid_mod.uuid4())
    entry = till.earn(member_uuid, 100)
    event = member_event(till, member_uuid, phone="13800000001", card_no="C1")
    if field.startswith("member."):
        event["payload"][field[7:]] = value
    elif field in ("hash", "effects"):
        entry[field] = value
    else:
        entry = {**entry, field: value}
        entry["hash"] = entry_hash(entry)
    before = counts()
    try:
        answer = push(term, till.batch([entry], [event]))
    except PosError as exc:
        assert exc.field.startswith(("entries[0]", "events[0]")), exc.to_dict()
        assert counts() == before
    else:
        assert answer["inserted"] == 2
    # the same data from headquarters' feed, as the other tills receive it (a headquarters that
    # did not check it); a broken chain (sequence, previous hash) no headquarters ever relayed
    changes = [{"id": 1, "kind": "entry", "data": entry},
               {"id": 2, "kind": "member", "data": {**event["payload"], "balance": 0, "debt": 0}}]
    if field in ("seq", "prev_hash"):
        changes = changes[1:]
    report = _quarantined_or_applied(till_db, changes)
    assert report.cursor == "2"
    assert report.entries_imported + len([b for b in report.bad if b["kind"] == "entry"]) == len(changes) - 1
    if isinstance(event["payload"].get("uuid"), str):
        till_db.repo.member_by_uuid(event["payload"]["uuid"])  # readable, whatever was set aside
    till_db.repo.member_by_uuid(member_uuid)


def test_what_a_real_till_writes_passes_the_schema(hq_db: Any, tmp_path: Any) -> None:
    """The limits leave room for everything a till records: a manual tier change's long reason,
    a member with every field, a sale; pushed from the till's own outbox."""
    from pos_app.services import members, tiers
    from tests.hq.conftest import push_outbox

    t = context.init_terminal(tmp_path / "t.db", store_id="S1", terminal_id="T1")
    context.load_program(t, context.reference_program_source())
    m = members.enroll_member(t, phone="13800000001", name="张" * 40, birthday="1990-05-18", card_no=None,
                              consent=True)
    tiers.set_tier(t, member=m, tier="gold", reason="总部决定 " * 60)
    answers = push_outbox(t.database, register("T1", "S1"), size=100)
    assert answers and db.Event.select().where(db.Event.kind == "tier").count() == 1
    t.close()
