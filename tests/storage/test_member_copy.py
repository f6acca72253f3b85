"""A member's complete picture from headquarters (an online lookup) applied into a till's
replica: the member's entries are parts of other tills' chains, accepted on their own hash,
linked to their neighbours where those are held; all or nothing."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from pos_app.core.chain import entry_hash
from pos_app.core.errors import Conflict
from pos_app.services.context import Terminal
from pos_app.storage import replica
from tests.storage.test_replica import SILVER, balances, drain, lots, shop_a, shop_b  # noqa: F401 (fixtures)


def silver_copy(a: Terminal) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """SILVER's record and entries as headquarters holds them after shop A pushed everything."""
    changes = drain(a)
    silver = a.repo.member_by_phone(SILVER)
    assert silver is not None
    record = next(c["data"] for c in changes if c["kind"] == "member" and c["data"]["uuid"] == silver.uuid)
    entries = [c["data"] for c in changes if c["kind"] == "entry" and c["data"]["member_uuid"] == silver.uuid]
    return record, entries


def test_a_members_entries_from_a_partial_chain_are_applied_with_their_lots(shop_a: Terminal,  # noqa: F811
                                                                            shop_b: Terminal) -> None:  # noqa: F811
    record, entries = silver_copy(shop_a)
    seqs = [e["seq"] for e in entries]
    assert seqs != list(range(1, len(seqs) + 1))  # other members' entries sit between them in T01's chain
    report = replica.apply_member_copy(shop_b.database, "T02", "S002", record, entries, [], at="2026-11-20T10:00:00")
    assert report.entries_imported == len(entries)
    assert balances(shop_b)[record["uuid"]] == balances(shop_a)[record["uuid"]]
    silver_lots = {k: v for k, v in lots(shop_a).items() if k in {e["uuid"] for e in entries}}
    assert {k: v for k, v in lots(shop_b).items() if k in silver_lots} == silver_lots
    seen, fresh, store = replica.member_freshness(shop_b.database, shop_b.repo.member_by_uuid(record["uuid"]).id)
    assert seen == fresh == "2026-11-20T10:00:00" and store == "S001"
    again = replica.apply_member_copy(shop_b.database, "T02", "S002", record, entries, [], at="2026-11-20T10:05:00")
    assert again.entries_imported == 0 and again.entries_known == len(entries)  # twice is harmless


def test_an_entry_that_does_not_link_to_a_held_neighbour_is_refused_and_nothing_is_applied(
        shop_a: Terminal, shop_b: Terminal) -> None:  # noqa: F811
    record, entries = silver_copy(shop_a)
    last = entries[-1]
    replica.apply_member_copy(shop_b.database, "T02", "S002", record, [last], [], at="2026-11-20T10:00:00")
    # a forged entry in the place of the one before it: its own hash is right, the link is not
    forged = {**entries[0], "uuid": str(uuid.uuid4()), "seq": last["seq"] - 1, "points": 0,
              "effects": {"new": [], "back": [], "taken": []}}
    forged["hash"] = entry_hash(forged)
    before = balances(shop_b)
    with pytest.raises(Conflict) as exc:
        replica.apply_member_copy(shop_b.database, "T02", "S002", record, [forged, *entries[:-1]], [],
                                  at="2026-11-20T10:05:00")
    assert exc.value.field == "changes.entry.prev_hash"
    assert balances(shop_b) == before
    _seen, fresh, _store = replica.member_freshness(shop_b.database, shop_b.repo.member_by_uuid(record["uuid"]).id)
    assert fresh == "2026-11-20T10:00:00"  # the refused copy left the member as it was
