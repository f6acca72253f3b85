"""The change feed: order, pages, store filter, and ids that become visible in commit order."""

from __future__ import annotations

import json
import threading
import time
import uuid as uuid_mod
from typing import Any

import pytest

from pos_app.core.errors import InvalidInput
from pos_app.hq import db, feed
from pos_app.sync import protocol
from tests.hq.conftest import Till, member_event, push, register

M1 = str(uuid_mod.uuid4())


def test_changes_come_in_order_paged_and_filtered_by_store(hq_db: Any) -> None:
    with db.writing(hq_db):
        for n in range(7):
            feed.publish("setting", f"k{n}", {"n": n}, store_id=(None, "S001", "S002")[n % 3])
    seen, cursor = [], 0
    while True:
        page = feed.changes(store_id="S001", cursor=cursor, limit=2)
        assert len(page["changes"]) <= 2
        seen += page["changes"]
        if page["changes"]:
            assert page["cursor"] == page["changes"][-1]["id"]
        cursor = page["cursor"]
        if not page["more"]:
            break
    assert [c["data"]["n"] for c in seen] == [0, 1, 3, 4, 6]
    ids = [c["id"] for c in seen]
    assert ids == sorted(ids) and len(set(ids)) == 5
    assert all(c["kind"] == "setting" for c in seen)
    end = feed.changes(store_id="S001", cursor=cursor, limit=50)
    assert end["changes"] == [] and end["cursor"] == cursor and end["more"] is False
    assert end["hq_time"].endswith("+00:00")


def test_a_cursor_mark_this_feed_does_not_know_starts_the_feed_again(hq_db: Any) -> None:
    with db.writing(hq_db):
        for n in range(4):
            feed.publish("setting", f"k{n}", {"n": n})
    first = feed.changes(store_id="S001", cursor=0, limit=2)
    assert isinstance(first["mark"], str) and len(first["mark"]) == 16 and "restart" not in first
    rest = feed.changes(store_id="S001", cursor=first["cursor"], limit=10, mark=first["mark"])
    assert [c["data"]["n"] for c in rest["changes"]] == [2, 3] and "restart" not in rest
    idle = feed.changes(store_id="S001", cursor=rest["cursor"], limit=10, mark=rest["mark"])
    assert idle["changes"] == [] and idle["mark"] == rest["mark"]  # the mark stays with its cursor
    # the same cursor with another change behind it (a restored database wrote a new one under
    # that id), a cursor past the end, a mark that was never given: start again from 0
    for cursor, mark in ((first["cursor"], "0" * 16), (rest["cursor"] + 50, rest["mark"]), (1, "abc")):
        again = feed.changes(store_id="S001", cursor=cursor, limit=10, mark=mark)
        assert (again["restart"], again["cursor"], again["changes"], again["more"]) == (True, 0, [], True)
    # without a mark (a till of an older build) the cursor is taken as it is
    assert feed.changes(store_id="S001", cursor=rest["cursor"] + 50, limit=10)["changes"] == []


def test_bad_cursor_and_clamped_limit(hq_db: Any) -> None:
    with pytest.raises(InvalidInput) as err:
        feed.changes(store_id="S001", cursor=-1, limit=10)
    assert err.value.field == "cursor"
    with db.writing(hq_db):
        for n in range(3):
            feed.publish("setting", f"k{n}", {"n": n})
    page = feed.changes(store_id="S001", cursor=0, limit=0)
    assert len(page["changes"]) == 1 and page["more"]
    assert len(feed.changes(store_id="S001", cursor=0, limit=10**9)["changes"]) == 3
    with pytest.raises(ValueError):
        feed.publish("nonsense", "k", {})


def test_a_push_publishes_its_entries_in_order_and_the_member(hq_db: Any) -> None:
    till = Till("T01", "S001")
    term = register("T01", "S001")
    entries = [till.earn(M1, 10 * n) for n in range(1, 6)]
    push(term, till.batch(entries, [member_event(till, M1, phone="13800000001", card_no="2900000000018")]))
    page = feed.changes(store_id="S002", cursor=0, limit=protocol.MAX_PAGE)  # entries are for every store
    got = [(c["kind"], c["data"].get("uuid")) for c in page["changes"]]
    assert got == [("entry", e["uuid"]) for e in entries] + [("member", M1)]
    wire = page["changes"][0]["data"]
    assert wire == entries[0]
    member = page["changes"][-1]["data"]
    assert (member["balance"], member["debt"], member["phone"], member["card_no"]) == (150, 0, "13800000001",
                                                                                      "2900000000018")
    assert member == feed.member_data(db.Member.get_by_id(M1))


def test_gift_stock_changes_go_to_their_store_only(hq_db: Any) -> None:
    till = Till("T01", "S001")
    term = register("T01", "S001")
    db.GiftStock.create(store_id="S001", gift_code="G004", stock=2)
    push(term, till.batch([], [till.event("redemption", "R1", {"member": M1, "gift": "G004", "points": 10000})]))
    mine = feed.changes(store_id="S001", cursor=0, limit=100)["changes"]
    assert [(c["kind"], c["data"]) for c in mine] == [("gift_stock", {"store_id": "S001", "gift_code": "G004",
                                                                       "stock": 1})]
    assert feed.changes(store_id="S002", cursor=0, limit=100)["changes"] == []


class ProbedLock:
    """HQ's SQLite write lock, telling when a thread finds it taken and has to wait for it."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.contended = threading.Event()

    def __enter__(self) -> None:
        if not self.lock.acquire(blocking=False):
            self.contended.set()
            self.lock.acquire()

    def __exit__(self, *_exc: object) -> None:
        self.lock.release()


def waiting_for_feed_lock(hq_db: Any) -> bool:
    """A session of this database waits for the feed's advisory lock (PostgreSQL)."""
    return bool(hq_db.execute_sql(
        "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND objid = %s"
        " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
        (feed.FEED_LOCK,)).fetchone()[0])


def test_a_later_writer_waits_for_the_earlier_commit(hq_db: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Ids become visible in increasing order: a second writer cannot commit a change while
    the first one's transaction, which numbered its change earlier, is still open."""
    first_published = threading.Event()
    release = threading.Event()
    done: list[str] = []
    probe = ProbedLock()
    monkeypatch.setattr(db, "_write_lock", probe)

    def first() -> None:
        with db.writing(hq_db):
            feed.publish("setting", "first", {"who": "first"})
            first_published.set()
            release.wait(10)
            done.append("first")
        hq_db.close()

    def second() -> None:
        first_published.wait(10)
        with db.writing(hq_db):
            feed.publish("setting", "second", {"who": "second"})
            done.append("second")
        hq_db.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for th in threads:
        th.start()
    assert first_published.wait(10)
    # the second writer is seen waiting for the first (the lock it needs is held), not guessed
    # from a pause: SQLite's process write lock, PostgreSQL's feed lock
    if db.is_postgres():
        deadline = time.monotonic() + 10
        while not waiting_for_feed_lock(hq_db) and time.monotonic() < deadline:
            time.sleep(0.01)
        assert waiting_for_feed_lock(hq_db), "the second writer never waited for the feed lock"
    else:
        assert probe.contended.wait(10), "the second writer never waited for the write lock"
    assert done == []  # the second writer is held back
    assert feed.changes(store_id="S001", cursor=0, limit=10)["changes"] == []  # nothing committed yet
    release.set()
    for th in threads:
        th.join(10)
    assert done == ["first", "second"]
    rows = list(db.Change.select().order_by(db.Change.id))
    assert [json.loads(r.data)["who"] for r in rows] == ["first", "second"]
