"""Online member lookup and member history at headquarters, over real HTTP (uvicorn on loopback)
on SQLite and on PostgreSQL."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from pos_app.core.chain import entry_hash
from pos_app.hq import admin, db, lookup
from tests.hq import hqserver
from tests.hq.hqserver import SignedClient, ThreadServer
from tests.hq.test_http import batch, enrolled, make_entries, member_event, push, three_entries


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def hq(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ThreadServer]:
    with hqserver.database_url(request.param, tmp_path_factory.mktemp("hq")) as url, ThreadServer(url) as server:
        yield server
        db.proxy.obj.close()


def _phone() -> str:
    return "139" + str(uuid.uuid4().int)[:8]


def member_with_entries(hq: ThreadServer) -> tuple[SignedClient, str, str, str, list[dict[str, Any]]]:
    """A store's till that pushed a member (phone, card) and three entries; (client, store, member, phone, entries)."""
    client, store = enrolled(hq)
    member_uuid, phone = str(uuid.uuid4()), _phone()
    event = member_event(1, member_uuid, phone)
    event["payload"]["card_no"] = "29" + str(uuid.uuid4().int)[:11]
    entries = three_entries(client, member_uuid)
    assert push(client, batch(client, store, entries, [event])).status_code == 200
    return client, store, member_uuid, phone, entries


def ask(client: SignedClient, body: Any) -> Any:
    return client.request("POST", "/v1/members/lookup", body)


def test_a_lookup_answers_record_entries_coupons_and_counters_and_subscribes(hq: ThreadServer) -> None:
    _seller, store, member_uuid, phone, entries = member_with_entries(hq)
    other, _ = enrolled(hq)  # a till of another store
    r = ask(other, {"ref": phone, "day": "2026-11-03"})
    assert r.status_code == 200, r.text
    answer = r.json()
    assert answer["member"]["uuid"] == member_uuid and answer["member"]["store_id"] == store
    assert answer["member"]["balance"] == 120
    assert [e["uuid"] for e in answer["entries"]] == [e["uuid"] for e in entries]
    assert all(entry_hash(e) == e["hash"] for e in answer["entries"])
    assert answer["entries"][2]["effects"]["taken"] == [[entries[0]["uuid"], 30]]
    assert answer["more"] is False and answer["coupons"] == []
    counters = answer["counters"]
    assert counters["day"] == "2026-11-03" and counters["earned_points_today"] == 150
    assert counters["redeemed_points_month"] == 30 and counters["first_purchase_done"] is False
    sub = db.Subscription.get((db.Subscription.terminal_id == other.terminal_id)
                              & (db.Subscription.member_uuid == member_uuid))
    assert sub.since == sub.seen_at
    # by card and by uuid too; asked again, the subscription's seen_at is refreshed
    card = answer["member"]["card_no"]
    assert ask(other, {"ref": card}).json()["member"]["uuid"] == member_uuid
    assert ask(other, {"ref": member_uuid}).json()["member"]["uuid"] == member_uuid
    again = db.Subscription.get((db.Subscription.terminal_id == other.terminal_id)
                                & (db.Subscription.member_uuid == member_uuid))
    assert again.since == sub.since and again.seen_at >= sub.seen_at


def test_a_long_history_comes_in_pages(hq: ThreadServer, monkeypatch: pytest.MonkeyPatch) -> None:
    seller, _store, member_uuid, phone, entries = member_with_entries(hq)
    more = make_entries(seller.terminal_id, member_uuid, [("earn", 10, {"new": [["2026-11-03", None, 10]]})] * 4,
                        start_seq=4, prev=entries[-1]["hash"])
    assert push(seller, batch(seller, _store, more, [])).status_code == 200
    monkeypatch.setattr(lookup, "PAGE_ENTRIES", 3)  # the server runs in this process
    other, _ = enrolled(hq)
    seen: list[str] = []
    after, pages = 0, 0
    while True:
        page = ask(other, {"ref": phone, "after": after}).json()
        pages += 1
        seen += [e["uuid"] for e in page["entries"]]
        assert ("counters" in page) == (after == 0)
        if not page["more"]:
            break
        after = page["after"]
    assert pages == 3 and seen == [e["uuid"] for e in entries + more]


@pytest.mark.parametrize(("body", "field", "status"), [
    ({"ref": "13900000000"}, "ref", 404),
    ({"ref": str(uuid.uuid4())}, "ref", 404),
    ({"ref": "张三"}, "ref", 422),
    ({"ref": 13900000000}, "ref", 422),
    ({}, "ref", 422),
    ({"ref": "13900000000", "after": -1}, "after", 422),
    ({"ref": "13900000000", "after": True}, "after", 422),
    ({"ref": "13900000000", "day": "2026-13-01"}, "day", 422),
    ({"ref": "13900000000", "day": 20261101}, "day", 422),
    ({"ref": "13900000000", "extra": 1}, "extra", 422),
    (["13900000000"], "body", 422),
])
def test_bad_or_unknown_refs_are_refused_naming_the_field(hq: ThreadServer, body: Any, field: str,
                                                          status: int) -> None:
    client, _ = enrolled(hq)
    r = ask(client, body)
    assert r.status_code == status, r.text
    assert r.json()["field"] == field


def test_only_tills_may_look_members_up(hq: ThreadServer) -> None:
    channel, _ = enrolled(hq, kind="channel")
    assert ask(channel, {"ref": "13900000000"}).status_code == 403
    assert hqserver.httpx.post(f"{hq.url}/v1/members/lookup", json={"ref": "13900000000"}).status_code == 401


def test_history_is_newest_first_paged_and_names_store_and_till(hq: ThreadServer) -> None:
    seller, store, member_uuid, _phone, entries = member_with_entries(hq)
    other, _ = enrolled(hq)
    r = other.request("GET", f"/v1/members/{member_uuid}/history?limit=2")
    assert r.status_code == 200, r.text
    page = r.json()
    assert [e["uuid"] for e in page["entries"]] == [entries[2]["uuid"], entries[1]["uuid"]]
    first = page["entries"][0]
    assert (first["store_id"], first["terminal_id"], first["kind"], first["points"]) == (
        store, seller.terminal_id, "redeem", -30)
    assert first["business_date"] == "2026-11-03" and first["breakdown"] == {"n": 2}
    assert page["more"] is True
    rest = other.request("GET", f"/v1/members/{member_uuid}/history?before={page['next_before']}&limit=2").json()
    assert [e["uuid"] for e in rest["entries"]] == [entries[0]["uuid"]] and rest["more"] is False
    assert rest["next_before"] is None
    for path, field, status in ((f"/v1/members/{uuid.uuid4()}/history", "uuid", 404),
                                ("/v1/members/not-a-uuid/history", "uuid", 422),
                                (f"/v1/members/{member_uuid}/history?limit=0", "limit", 422),
                                (f"/v1/members/{member_uuid}/history?limit=501", "limit", 422),
                                (f"/v1/members/{member_uuid}/history?before=0", "before", 422),
                                (f"/v1/members/{member_uuid}/history?before=x", "before", 422)):
        bad = other.request("GET", path)
        assert (bad.status_code, bad.json()["field"]) == (status, field), (path, bad.text)


def test_openapi_describes_the_member_routes(hq: ThreadServer) -> None:
    spec = hqserver.httpx.get(f"{hq.url}/openapi.json").json()
    assert {"/v1/members/lookup", "/v1/members/{member_uuid}/history"} <= set(spec["paths"])
    assert admin is not None
