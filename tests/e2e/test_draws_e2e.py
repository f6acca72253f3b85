"""Lottery draws across two tills of one store and a real headquarters (SQLite and PostgreSQL):
offline, both tills give away the store's last prize and together cross a member's daily limit;
headquarters flags both (``draw_stock``, ``draw_limit``) on the entries that arrived second, and
once synced each till counts the other's draws."""

from __future__ import annotations

from typing import Any

import pytest

from pos_app.core.errors import RuleViolation
from pos_app.services import campaigns, draws
from pos_app.services import sync as sync_service
from pos_app.services.members import enroll_member, find_member
from pos_app.services.points import adjust_points
from pos_app.sync.client import SyncError
from tests.e2e.conftest import Clock, HQServer, enrollment_code, make_terminal, run_hq
from tests.e2e.test_sync_e2e import checks_ok, hq_state, sync_until_done

DEMO = campaigns.demo_campaign_path("draw-demo.toml").read_text(encoding="utf-8")
# one cup per store, so two tills offline can both give it away
ONE_CUP = DEMO.replace("stock = 5", "stock = 1")
CUP, THANKS = 316, 900


def fixed(value: int) -> Any:
    return lambda n: value


def draw(t: Any, card: str, value: int) -> draws.DrawResult:
    return draws.run_draw(t, member_ref=card, campaign_id="DRAW-2026-LUCKY", staff_code="1001",
                          randbelow=fixed(value))


@pytest.fixture
def one_store(hq: HQServer, tmp_path: Any) -> Any:
    """Two tills of store S01 (S01-T1 and S01-T2) enrolled with ``hq``, the draw campaign loaded."""
    run_hq(hq.db_url, "terminal", "add", "S01-T2", "--store", "S01")
    clock = Clock()
    a = make_terminal(tmp_path, "S01", "S01-T1", clock)
    b = make_terminal(tmp_path, "S01", "S01-T2", clock)
    for till in (a, b):
        sync_service.enroll(till, hq.url, enrollment_code(hq.db_url, till.terminal_id))
        campaigns.load_campaign(till, ONE_CUP)
    yield a, b
    a.close()
    b.close()


def test_stock_and_limits_across_two_tills_offline_are_flagged_and_hold_after_sync(hq: HQServer,
                                                                                 one_store: Any) -> None:
    a, b = one_store
    m = enroll_member(a, phone="13800000031", name="抽奖甲", staff_code="1001")
    other = enroll_member(a, phone="13800000032", name="抽奖乙", staff_code="1001")
    for member in (m, other):
        adjust_points(a, member_ref=member.phone, points=5000, reason="opening balance", manager_code="9001",
                      manager_pin="9999")
    sync_until_done(a)
    sync_until_done(b)
    assert find_member(b, m.card_no).balance == find_member(a, m.card_no).balance
    hq.stop()
    for till in (a, b):
        with pytest.raises(SyncError):
            sync_service.sync_once(till)
    # offline: each till still has the store's one cup, and each allows three draws today
    assert [draw(a, m.card_no, v).prize_code for v in (CUP, THANKS, THANKS)] == ["CUP", "THANKS", "THANKS"]
    assert [draw(b, m.card_no, v).prize_code for v in (CUP, THANKS)] == ["CUP", "THANKS"]
    hq.start()
    sync_until_done(a)
    sync_until_done(b)
    sync_until_done(a)
    state = hq_state(hq.db_url)
    assert sorted(k for k, who in state["flags"] if who == m.uuid) == ["draw_limit", "draw_limit", "draw_stock"]
    assert state["kinds"].count("draw") == 5
    report = run_hq(hq.db_url, "report", "reconciliation", "--csv")
    assert "draw_stock" in report and "draw_limit" in report
    # synced: each till counts the other's draws; the cup is gone at both, the member's day is full
    for till in (a, b):
        with pytest.raises(RuleViolation) as err:
            draw(till, m.card_no, THANKS)
        assert err.value.params["reason"] == "daily_limit" and err.value.params["count"] == 5
        won = draw(till, other.card_no, CUP)
        assert won.prize_code == "THANKS" and won.out_of_stock
    assert draw(a, other.card_no, 5).points_won == 500  # a points prize: a lot at headquarters too
    sync_until_done(a)
    sync_until_done(b)
    sync_until_done(a)
    state = hq_state(hq.db_url)
    assert state["members"][other.uuid][0] == find_member(a, other.card_no).balance == 5050 - 300 + 500
    assert "draw_win" in state["kinds"]
    assert sorted(k for k, _ in state["flags"]) == ["draw_limit", "draw_limit", "draw_stock"]  # nothing new
    for till in (a, b):
        assert find_member(till, m.card_no).balance == state["members"][m.uuid][0] == 5000 + 50 - 500
        checks_ok(till)
