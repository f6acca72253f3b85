"""The change feed: order, pages, audiences (a till's store, its subscriptions, everybody's),
the fan-out of member-scoped changes, the order of concurrent writers without a lock, the
snapshot of a first sync, and older tills' integer cursors."""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
import uuid as uuid_mod
from collections.abc import Iterator
from typing import Any

import pytest

from pos_app.core.errors import InvalidInput
from pos_app.core.members import make_card_number
from pos_app.hq import db, feed
from pos_app.sync import protocol
from tests.hq.conftest import Till, member_event, push, register
from tests.postgres import PG_ADMIN_URL, postgres_database

M1 = str(uuid_mod.uuid4())


@pytest.fixture(autouse=True)
def _more_patient_feed(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests read the feed in process (no client timeout to stay under): they wait up to
    60 s for other databases' writers on the shared test server, not 20. With the suite in three
    processes plus another suite on the same PostgreSQL server, the horizon stayed behind for 20 s
    once and a page came back empty (``mark`` None)."""
    monkeypatch.setenv("POS_HQ_FEED_WAIT", "60")


def test_changes_come_in_order_paged_and_filtered_by_store(hq_db: Any) -> None:
    with db.writing(hq_db):
        for n in range(7):
            feed.publish("setting", f"k{n}", {"n": n}, store_id=(None, "S001", "S002")[n % 3])
    seen: list[dict[str, Any]] = []
    cursor: int | str = 0
    while True:
        page = feed.changes(store_id="S001", cursor=cursor, limit=2)
        assert len(page["changes"]) <= 2
        seen += page["changes"]
        if page["changes"]:
            assert feed.parse_cursor(page["cursor"]).id == page["changes"][-1]["id"]
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
    last = feed.parse_cursor(rest["cursor"])
    past = feed.Position(last.txid, last.id + 50).wire()
    for cursor, mark in ((first["cursor"], "0" * 16), (past, rest["mark"]), (1, "abc")):
        again = feed.changes(store_id="S001", cursor=cursor, limit=10, mark=mark)
        assert (again["restart"], again["cursor"], again["changes"], again["more"]) == (True, 0, [], True)
    # without a mark (a till of an older build) the cursor is taken as it is
    assert feed.changes(store_id="S001", cursor=past, limit=10)["changes"] == []


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
    # the member's home store's tills get them (issue 13: no longer every store's)
    assert feed.changes(store_id="S002", cursor=0, limit=protocol.MAX_PAGE)["changes"] == []
    page = feed.changes(store_id="S001", cursor=0, limit=protocol.MAX_PAGE)
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


# -- audiences: a till reads its store's, its own and everybody's changes (issue 13) ----------------


def member_changes(page: dict[str, Any]) -> list[tuple[str, str]]:
    """(kind, member) of the member-scoped changes of a page."""
    out = []
    for c in page["changes"]:
        if c["kind"] in ("member", "entry"):
            out.append((c["kind"], c["data"]["uuid"] if c["kind"] == "member" else c["data"]["member_uuid"]))
        elif c["kind"] == "coupon":
            out.append(("coupon", c["data"]["member_uuid"]))
    return out


def read_all(store_id: str, terminal_id: str, cursor: int | str = 0) -> tuple[list[dict[str, Any]], int | str]:
    """Every change a till reads from ``cursor`` on, page by page; and the cursor at the end."""
    seen: list[dict[str, Any]] = []
    while True:
        page = feed.changes(store_id=store_id, terminal_id=terminal_id, cursor=cursor, limit=7)
        seen += page["changes"]
        cursor = page["cursor"]
        if not page["more"]:
            return seen, cursor


def test_a_till_gets_another_stores_members_only_once_subscribed(hq_db: Any) -> None:
    """Stores S001 and S002, tills A1 and B1: B1 never receives S001's members or entries,
    however much S001 sells, until it subscribes to one (a push of an entry for the member,
    or an online lookup through ``feed.subscribe``); from then on it gets that member's
    changes, and only that member's."""
    a1, b1 = Till("A1", "S001"), Till("B1", "S002")
    ta1, tb1 = register("A1", "S001"), register("B1", "S002")
    register("A2", "S001")
    m_a, m_b, m_c = (str(uuid_mod.uuid4()) for _ in range(3))  # all three enrolled at S001
    push(ta1, a1.batch([a1.earn(m, 100) for m in (m_a, m_b, m_c)],
                       [member_event(a1, m, phone=f"1380000000{n}", card_no="")
                        for n, m in enumerate((m_a, m_b, m_c))]))
    with db.writing(hq_db):
        feed.publish("setting", "k", {"n": 1})  # everybody's
    seen_b, cursor_b = read_all("S002", "B1")
    assert member_changes({"changes": seen_b}) == [] and [c["kind"] for c in seen_b] == ["setting"]
    seen_a, cursor_a = read_all("S001", "A1")
    assert sorted(member_changes({"changes": seen_a})) == sorted(
        [("entry", m) for m in (m_a, m_b, m_c)] + [("member", m) for m in (m_a, m_b, m_c)])
    # S001 sells all day: B1's pull reads nothing of it (its cost does not follow S001's work)
    for _ in range(5):
        push(ta1, a1.batch([a1.earn(m, 10) for _ in range(4) for m in (m_a, m_b, m_c)]))
    assert feed.read_rows(feed.audiences("S002", "B1"), feed.parse_cursor(cursor_b), 1000) == []
    assert read_all("S002", "B1", cursor_b)[0] == []
    # B1 identifies m_a (an online lookup subscribes it) and serves m_b (its push subscribes it)
    with db.writing(hq_db):
        feed.subscribe("B1", m_a, at=db.utcnow())
    push(tb1, b1.batch([b1.earn(m_b, 5)]))
    assert {s.member_uuid for s in db.Subscription.select().where(db.Subscription.terminal_id == "B1")} == {m_a, m_b}
    new_b, cursor_b = read_all("S002", "B1", cursor_b)
    assert set(member_changes({"changes": new_b})) == {("entry", m_b), ("member", m_b)}  # its own push, fanned out
    # S001's later work on m_a and m_b reaches B1; on m_c it does not
    later = [a1.earn(m, 7) for m in (m_a, m_b, m_c)]
    push(ta1, a1.batch(later))
    new_b, cursor_b = read_all("S002", "B1", cursor_b)
    assert sorted(member_changes({"changes": new_b})) == sorted(
        [("entry", m_a), ("entry", m_b), ("member", m_a), ("member", m_b)])
    assert {c["data"]["uuid"] for c in new_b if c["kind"] == "entry"} == {later[0]["uuid"], later[1]["uuid"]}
    # S001's tills get each change once (B1's copies are B1's alone)
    new_a, _ = read_all("S001", "A2", cursor_a)
    uuids = [c["data"]["uuid"] for c in new_a if c["kind"] == "entry"]
    assert len(uuids) == len(set(uuids)) == 5 * 12 + 1 + 3
    # a subscription not refreshed within the keep window lapses
    old = (dt.datetime.now(dt.UTC) - dt.timedelta(days=feed.SUBSCRIPTION_KEEP_DAYS + 1)).replace(microsecond=0)
    db.Subscription.update(seen_at=old.isoformat()).where(db.Subscription.terminal_id == "B1").execute()
    push(ta1, a1.batch([a1.earn(m_a, 1)]))
    assert read_all("S002", "B1", cursor_b)[0] == []
    # a lookup refreshes it (the same row, seen_at moved)
    with db.writing(hq_db):
        feed.subscribe("B1", m_a, at=db.utcnow())
    assert db.Subscription.select().where(db.Subscription.terminal_id == "B1").count() == 2
    push(ta1, a1.batch([a1.earn(m_a, 1)]))
    assert set(member_changes({"changes": read_all("S002", "B1", cursor_b)[0]})) == {("entry", m_a), ("member", m_a)}


def test_coupons_follow_their_member(hq_db: Any) -> None:
    a1 = Till("A1", "S001")
    ta1 = register("A1", "S001")
    register("B1", "S002")
    push(ta1, a1.batch([a1.earn(M1, 100)], [member_event(a1, M1, phone="13800000001", card_no="")]))
    with db.writing(hq_db):
        feed.subscribe("B1", M1, at=db.utcnow())
    _, cursor_b = read_all("S002", "B1")
    push(ta1, a1.batch([], [a1.event("coupon_issue", "CPAAAA", {"member": M1, "gift": "G002", "value_fen": 1000})]))
    assert member_changes({"changes": read_all("S002", "B1", cursor_b)[0]}) == [("coupon", M1)]
    assert member_changes({"changes": read_all("S003", "C1")[0]}) == []
    # a till of another store issuing a coupon to the member subscribes to them too
    c1 = Till("C1", "S003")
    tc1 = register("C1", "S003")
    push(tc1, c1.batch([], [c1.event("coupon_issue", "CPCCCC", {"member": M1, "gift": "G002", "value_fen": 500})]))
    assert [s.terminal_id for s in db.Subscription.select().where(db.Subscription.member_uuid == M1)
            .order_by(db.Subscription.terminal_id)] == ["B1", "C1"]
    assert member_changes({"changes": read_all("S003", "C1")[0]}) == [("coupon", M1)]


# -- order without a lock -----------------------------------------------------------------------------


@pytest.fixture
def pg_db() -> Iterator[Any]:
    with postgres_database() as url:
        database = db.connect(url)
        try:
            yield database
        finally:
            db.close_pool(database)


def naive_read(after_id: int) -> list[tuple[int, str]]:
    """The feed as it would be read without transaction ids: in id order after the last id seen."""
    return [(i, json.loads(d)["who"]) for i, d in db.Change.select(db.Change.id, db.Change.data)
            .where(db.Change.id > after_id).order_by(db.Change.id).tuples()]


def test_concurrent_writers_never_make_a_reader_skip_a_late_commit(pg_db: Any,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """Two writers on PostgreSQL: the first takes the lower id and commits after the second.
    A reader following ids moves its cursor past the first writer's change before it is
    committed and never sees it; the feed (``(txid, id)`` order, final rows only) gives both.
    Neither writer waits for the other: no lock serialises them."""
    first_written, release, first_done = threading.Event(), threading.Event(), threading.Event()

    def first() -> None:
        with db.writing(pg_db):
            feed.publish("setting", "first", {"who": "first"})
            first_written.set()
            assert release.wait(30)
        first_done.set()
        pg_db.close()

    writer = threading.Thread(target=first)
    writer.start()
    try:
        assert first_written.wait(30)
        with db.writing(pg_db):  # does not wait for the first writer's commit
            feed.publish("setting", "second", {"who": "second"})
        assert not first_done.is_set()
        naive = naive_read(0)
        assert [who for _, who in naive] == ["second"]  # the first writer's lower id is not visible yet
        naive_cursor = naive[-1][0]
        monkeypatch.setenv("POS_HQ_FEED_WAIT", "0")  # the first writer is held open: no use waiting
        early = feed.changes(store_id="S001", terminal_id="T1", cursor=0, limit=10)
        assert early["changes"] == [] and early["cursor"] == 0  # not final: an older writer still runs
    finally:
        release.set()
        writer.join(30)
    assert first_done.is_set()
    ids = {json.loads(d)["who"]: i for i, d in db.Change.select(db.Change.id, db.Change.data).tuples()}
    assert ids["first"] < ids["second"]
    assert naive_read(naive_cursor) == []  # the naive reader skipped "first" for good
    seen: list[str] = []
    cursor: int | str = 0
    deadline = time.monotonic() + 60
    while len(seen) < 2 and time.monotonic() < deadline:  # final once every older transaction ended
        page = feed.changes(store_id="S001", terminal_id="T1", cursor=cursor, limit=10)
        seen += [c["data"]["who"] for c in page["changes"]]
        cursor = page["cursor"]
    assert seen == ["first", "second"]  # the writer that started first comes first
    txids = [int(row[0]) for row in db.Change.select(db.Change.txid).order_by(db.Change.id).tuples()]
    assert all(t > 0 for t in txids) and txids[0] < txids[1]


def test_a_writer_in_another_database_does_not_hold_the_feed_back(pg_db: Any,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """The horizon leaves out transactions of other databases on the same server: a long
    writer there (a bulk load, a benchmark) does not delay this feed."""
    import psycopg2

    other = psycopg2.connect(PG_ADMIN_URL)
    try:
        with other.cursor() as cur:
            cur.execute("SELECT pg_current_xact_id()")  # a transaction with an id, left open
            (xid,) = cur.fetchone()
        with db.writing(pg_db):
            feed.publish("setting", "k", {"n": 1})
        monkeypatch.setenv("POS_HQ_FEED_WAIT", "0")
        txid = db.Change.select(db.Change.txid).scalar()
        assert int(xid) < int(txid)  # the other database's writer is older and still running
        assert int(pg_db.execute_sql("SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint")
                   .fetchone()[0]) <= int(xid)  # what the server-wide xmin would have waited for
        page = feed.changes(store_id="S001", cursor=0, limit=10)
        assert [c["data"] for c in page["changes"]] == [{"n": 1}]
    finally:
        other.rollback()
        other.close()


def test_an_older_tills_integer_cursor_still_works(hq_db: Any) -> None:
    """Changes from before migration 3 have txid 0 and come first, in id order: an integer
    cursor ``n`` is ``(0, n)``. Cursors of txid 0 go out as integers (what older tills read)."""
    now = db.utcnow()
    for n in range(3):  # written as an older headquarters wrote them
        db.Change.insert(kind="setting", key=f"old{n}", data=json.dumps({"n": n}), at=now, audience="*",
                         txid=0).execute()
    with db.writing(hq_db):
        feed.publish("setting", "new", {"n": 3})
    first_id = db.Change.select(db.Change.id).order_by(db.Change.id).first().id
    page = feed.changes(store_id="S001", cursor=first_id, limit=1)
    assert [c["data"]["n"] for c in page["changes"]] == [1] and page["cursor"] == first_id + 1
    page = feed.changes(store_id="S001", cursor=page["cursor"], limit=10, mark=page["mark"])
    assert [c["data"]["n"] for c in page["changes"]] == [2, 3]
    assert isinstance(page["cursor"], str) == db.is_postgres()  # "txid.id" once past the old rows
    assert feed.parse_cursor("12") == feed.Position(0, 12) == feed.parse_cursor(12)
    assert feed.parse_cursor("7.12") == feed.Position(7, 12)
    for bad in ("-1", "abc", "1.2.3", "s.1", "", "01", True):
        with pytest.raises(InvalidInput) as err:
            feed.parse_cursor(bad)
        assert err.value.field == "cursor"


# -- the first sync: a snapshot, then the feed ----------------------------------------------------------


def snapshot(store_id: str, terminal_id: str, *, limit: int, between: Any = None
             ) -> tuple[list[dict[str, Any]], int | str, int]:
    """A first sync: snapshot pages until the answer's cursor is the feed's; returns what came,
    the cursor and the number of snapshot pages. ``between(n)`` runs after page n."""
    got: list[dict[str, Any]] = []
    cursor: int | str = 0
    mark = None
    pages = 0
    while True:
        page = feed.page(store_id=store_id, terminal_id=terminal_id, cursor=cursor, limit=limit, mark=mark,
                         snapshot=True)
        assert page["snapshot"] is True and page["more"] is True and "restart" not in page
        got += page["changes"]
        cursor, mark = page["cursor"], page["mark"]
        pages += 1
        if between:
            between(pages)
        if not isinstance(feed.parse_cursor(cursor), feed.SnapshotPosition):
            return got, cursor, pages


def test_a_first_sync_is_a_snapshot_then_the_feed(hq_db: Any) -> None:
    """A new till of S001 gets the program, its store's gift stock, revocations and pushed
    settings, then every S001 member with their record, every entry and their coupons, paged,
    without replaying the feed; then the feed from a cursor taken before the first page, so
    what was written during the snapshot comes (again) in the tail."""
    from pos_app.hq import authority
    from tests.hq.test_authority import SOURCE

    a1, b1 = Till("A1", "S001"), Till("B1", "S002")
    ta1, tb1 = register("A1", "S001"), register("B1", "S002")
    register("A2", "S001")
    authority.publish_program(SOURCE, actor="test")
    ours = sorted(str(uuid_mod.uuid4()) for _ in range(6))
    theirs = str(uuid_mod.uuid4())
    for n, m in enumerate(ours):
        push(ta1, a1.batch([a1.earn(m, 10 * (n + 1)), a1.earn(m, 1)],
                           [member_event(a1, m, phone=f"1380000001{n}", card_no="")]))
    push(ta1, a1.batch([], [a1.event("coupon_issue", "CPAAAA",
                                     {"member": ours[0], "gift": "G002", "value_fen": 1000})]))
    push(tb1, b1.batch([b1.earn(theirs, 50)], [member_event(b1, theirs, phone="13900000001", card_no="")]))
    db.GiftStock.create(store_id="S001", gift_code="G004", stock=3)
    db.GiftStock.create(store_id="S002", gift_code="G004", stock=9)
    authority.revoke("card", make_card_number(7), "lost", actor="test")
    late: list[str] = []

    def during(page_no: int) -> None:  # a sale of the first member while the snapshot is read
        if page_no == 2:
            entry = a1.earn(ours[0], 3)
            push(ta1, a1.batch([entry]))
            late.append(entry["uuid"])

    assert feed.wait_final(60)  # (PostgreSQL) so that the tail starts after what was written so far
    got, cursor, pages = snapshot("S001", "A2", limit=5, between=during)
    assert pages >= 3
    kinds = [c["kind"] for c in got]
    assert kinds[:1] == ["program"] and "revoked" in kinds
    assert [c["data"] for c in got if c["kind"] == "gift_stock"] == [{"store_id": "S001", "gift_code": "G004",
                                                                      "stock": 3}]
    members = [c["data"]["uuid"] for c in got if c["kind"] == "member"]
    assert members == ours  # each once, in uuid order, and not S002's
    entries = [c["data"] for c in got if c["kind"] == "entry"]
    assert {e["member_uuid"] for e in entries} == set(ours)
    held = {e.uuid for e in db.Entry.select().where(db.Entry.member_uuid.in_(ours))}
    assert {e["uuid"] for e in entries} | set(late) == held
    assert all(e["hash"] and "effects" in e for e in entries)
    assert [c["data"]["code"] for c in got if c["kind"] == "coupon"] == ["CPAAAA"]
    first = next(c["data"] for c in got if c["kind"] == "member" and c["data"]["uuid"] == ours[1])
    assert first["balance"] == 21
    # the tail: what happened during and after the snapshot, not the history before it
    push(ta1, a1.batch([a1.earn(ours[1], 4)]))
    tail, _ = read_all("S001", "A2", cursor)
    tail_entries = {c["data"]["uuid"] for c in tail if c["kind"] == "entry"}
    assert set(late) <= tail_entries and len(tail_entries) == 2
    # a subscribed till's snapshot holds its subscribed members too
    # (pages of one member: its own store's and the subscribed ones merge in uuid order, each once)
    with db.writing(hq_db):
        feed.subscribe("B1", ours[2], at=db.utcnow())
        feed.subscribe("B1", ours[4], at=db.utcnow())
    got_b, _, pages_b = snapshot("S002", "B1", limit=1)
    assert [c["data"]["uuid"] for c in got_b if c["kind"] == "member"] == sorted([theirs, ours[2], ours[4]])
    assert pages_b >= 3
    assert [c["data"] for c in got_b if c["kind"] == "gift_stock"] == [{"store_id": "S002", "gift_code": "G004",
                                                                        "stock": 9}]


def test_a_snapshot_resumes_where_it_stopped_and_restarts_on_a_foreign_cursor(hq_db: Any) -> None:
    a1 = Till("A1", "S001")
    ta1 = register("A1", "S001")
    ours = sorted(str(uuid_mod.uuid4()) for _ in range(4))
    push(ta1, a1.batch([a1.earn(m, 10) for m in ours], [member_event(a1, m, phone=f"1380000002{n}", card_no="")
                                                        for n, m in enumerate(ours)]))
    assert feed.wait_final(60)  # (PostgreSQL) the tail is then the last change written
    first = feed.page(store_id="S001", terminal_id="A1", cursor=0, limit=2, snapshot=True)
    pos = feed.parse_cursor(first["cursor"])
    assert isinstance(pos, feed.SnapshotPosition) and pos.after == ours[0]
    tail = db.Change.get_by_id(pos.tail.id)
    assert first["mark"] == feed.cursor_mark(tail.id, tail.kind, tail.key, tail.at)
    # the till was killed and starts again with the cursor and mark it stored: the next member
    again = feed.page(store_id="S001", terminal_id="A1", cursor=first["cursor"], limit=2, mark=first["mark"])
    assert [c["data"]["uuid"] for c in again["changes"] if c["kind"] == "member"] == ours[1:2]
    # without snapshot (an older till) cursor 0 is the feed from its start
    plain = feed.page(store_id="S001", terminal_id="A1", cursor=0, limit=100)
    assert "snapshot" not in plain and len(plain["changes"]) == 8
    # a mark this feed does not know (headquarters restored): start again
    lost = feed.page(store_id="S001", terminal_id="A1", cursor=first["cursor"], limit=2, mark="0" * 16)
    assert lost["restart"] is True and lost["cursor"] == 0
