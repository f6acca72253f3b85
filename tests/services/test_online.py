"""Online member lookup, the till's side without headquarters: the settings, when a copy counts
as current, and identification on a till that is not enrolled (the network paths are in
tests/e2e/test_lookup_e2e.py with a real headquarters)."""

from __future__ import annotations

import pytest

from pos_app.core.errors import InvalidInput, NotFound
from pos_app.services import members, online, settings
from pos_app.services import sync as sync_service
from pos_app.services.context import Terminal
from pos_app.storage import replica
from tests.conftest import FakeClock


def test_the_budget_and_the_age_are_validated_settings(terminal: Terminal) -> None:
    assert (online.budget_ms(terminal), online.stale_seconds(terminal)) == (300, 120)
    settings.set_setting(terminal, "lookup.budget_ms", "500")
    settings.set_setting(terminal, "lookup.stale_seconds", 0)
    assert (online.budget_ms(terminal), online.stale_seconds(terminal)) == (500, 0)
    for key, bad in (("lookup.budget_ms", "10"), ("lookup.budget_ms", "x"), ("lookup.stale_seconds", "86401")):
        with pytest.raises(InvalidInput) as exc:
            settings.set_setting(terminal, key, bad)
        assert exc.value.field == key
    terminal.repo.set_setting("lookup.budget_ms", "abc")  # edited by hand: the default, never a failure
    assert online.budget_ms(terminal) == 300


def test_a_till_that_is_not_enrolled_identifies_locally_and_marks_the_member_seen(
        terminal: Terminal, clock: FakeClock) -> None:
    m = members.enroll_member(terminal, phone="13800000001", name="张三")
    found = online.identify(terminal, " 138 0000 0001 ")
    assert (found.source, found.offline, found.member.uuid) == ("local", False, m.uuid)
    seen, fresh, store = replica.member_freshness(terminal.database, m.id)
    assert seen == clock.now.isoformat() and fresh is None and store == "S001"
    with pytest.raises(NotFound) as exc:
        online.identify(terminal, "13800000002", field="member_ref")
    assert exc.value.field == "member_ref"
    with pytest.raises(InvalidInput):
        online.identify(terminal, "not a number")


def test_a_copy_is_current_when_fresh_or_followed_by_a_feed_read_lately(terminal: Terminal, clock: FakeClock) -> None:
    home = members.enroll_member(terminal, phone="13800000001", name="张三")
    assert not online.is_current(terminal, home)  # never synced
    terminal.repo.set_setting(sync_service.K_LAST_SUCCESS, clock.now.isoformat())
    assert online.is_current(terminal, home)  # a home member, the feed read now
    clock.advance(seconds=121)
    assert not online.is_current(terminal, home)  # the feed not read for longer than the threshold
    terminal.database.execute("UPDATE member SET store_id = 'S002' WHERE id = ?", (home.id,))
    terminal.repo.set_setting(sync_service.K_LAST_SUCCESS, clock.now.isoformat())
    assert not online.is_current(terminal, home)  # another store's member, never identified here
    replica.mark_member_seen(terminal.database, home.id, clock.now.isoformat())
    assert online.is_current(terminal, home)  # identified here lately: the feed brings their changes
    clock.advance(days=31)
    terminal.repo.set_setting(sync_service.K_LAST_SUCCESS, clock.now.isoformat())
    assert not online.is_current(terminal, home)  # past replica.keep_days
    terminal.database.execute("UPDATE member SET fresh_at = ? WHERE id = ?", (clock.now.isoformat(), home.id))
    assert online.is_current(terminal, home)  # brought complete from headquarters just now


def test_what_headquarters_is_asked_by(terminal: Terminal) -> None:
    assert online._hq_ref(terminal, "+86 138-0000-0001") == "13800000001"
    assert online._hq_ref(terminal, members.make_card_number(7)) == members.make_card_number(7)
    assert online._hq_ref(terminal, "0d5b6a52-1c1e-4c43-9d55-0e9a8c5f6a10") == "0d5b6a52-1c1e-4c43-9d55-0e9a8c5f6a10"
    assert online._hq_ref(terminal, "张三") is None


def test_seen_is_written_once_a_day_so_a_scan_costs_no_write(terminal: Terminal, clock: FakeClock) -> None:
    """``member.seen_at`` counts in days (``replica.keep_days``): a member scanned again the same
    day leaves the database untouched (no write transaction at the counter); the next day moves it."""
    m = members.enroll_member(terminal, phone="13800000001", name="张三")
    first = clock.now.isoformat()
    online.identify(terminal, "13800000001")
    changes = terminal.database.execute("SELECT total_changes()").fetchone()[0]
    clock.advance(seconds=3600)
    online.identify(terminal, "13800000001")
    assert terminal.database.execute("SELECT total_changes()").fetchone()[0] == changes
    assert replica.member_freshness(terminal.database, m.id)[0] == first
    clock.advance(days=1)
    online.identify(terminal, "13800000001")
    assert replica.member_freshness(terminal.database, m.id)[0] == clock.now.isoformat()
