"""Campaigns at headquarters (hq.campaigns, HQ migration 10): published versions, refused ones,
the audit, the feed's ``campaign`` change for every till and a first sync's global data, and a
till applying them (``storage.replica``: kept, the latest version counts, bad ones quarantined)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from pos_app.core.errors import CampaignError, Conflict
from pos_app.hq import campaigns, db, feed
from pos_app.services import campaigns as till_campaigns
from pos_app.services.context import Terminal
from pos_app.storage import replica
from tests.core.test_campaigns import GOOD
from tests.hq.conftest import register

V3 = GOOD.replace("version = 2", "version = 3").replace('name_zh = "冬季助学"', 'name_zh = "冬季助学（延长）"') \
    .replace('ends_on = "2027-02-28"', 'ends_on = "2027-03-31"')


def feed_changes(store_id: str, terminal_id: str | None = None) -> list[dict[str, Any]]:
    page = feed.changes(store_id=store_id, terminal_id=terminal_id, cursor=0, limit=100)
    return [c for c in page["changes"] if c["kind"] == "campaign"]


def test_a_published_campaign_goes_to_every_till_and_versions_only_go_up(hq_db: Any) -> None:
    register("A1", "S001")
    register("C1", "S003")  # a store the campaign does not name still holds it
    campaign, new = campaigns.publish_campaign(GOOD, actor="test")
    assert new and campaign.campaign_id == "DONATE-2026-WINTER"
    assert campaigns.publish_campaign(GOOD, actor="test") == (campaign, False)  # the same text: nothing new
    with pytest.raises(Conflict) as lower:
        campaigns.publish_campaign(GOOD.replace("version = 2", "version = 1"), actor="test")
    assert lower.value.field == "version"
    with pytest.raises(Conflict) as changed:
        campaigns.publish_campaign(GOOD.replace("goal_points = 1000000", "goal_points = 5"), actor="test")
    assert changed.value.field == "version"
    with pytest.raises(CampaignError) as bad:
        campaigns.publish_campaign(V3.replace("goal_points = 1000000", "goal_points = -1"), actor="test")
    assert bad.value.field == "donation.goal_points"
    campaigns.publish_campaign(V3, actor="test")

    rows = db.Campaign.select().order_by(db.Campaign.version)
    assert [(r.campaign_id, r.version, r.kind, r.published_by) for r in rows] == [
        ("DONATE-2026-WINTER", 2, "donation", "test"), ("DONATE-2026-WINTER", 3, "donation", "test")]
    audits = [(a.action, a.ref, json.loads(a.details)["kind"]) for a in
              db.Audit.select().where(db.Audit.action == "campaign.publish").order_by(db.Audit.id)]
    assert audits == [("campaign.publish", "DONATE-2026-WINTER:2", "donation"),
                      ("campaign.publish", "DONATE-2026-WINTER:3", "donation")]
    for store, till in (("S001", "A1"), ("S003", "C1")):
        got = feed_changes(store, till)
        assert [(c["data"]["campaign_id"], c["data"]["version"]) for c in got] == [
            ("DONATE-2026-WINTER", 2), ("DONATE-2026-WINTER", 3)]
        assert got[1]["data"]["source"] == V3 and got[1]["data"]["published_at"]
    listed = campaigns.list_campaigns(day=dt.date(2027, 3, 15))
    assert [(r["id"], r["version"], r["state"], r["stores"]) for r in listed] == [
        ("DONATE-2026-WINTER", 3, "running", "S001,S002")]
    assert campaigns.list_campaigns(kind="draw") == []


def test_a_campaign_keeps_its_kind(hq_db: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from pos_app.core import campaigns as core_campaigns
    from pos_app.core.donations import read_donation

    monkeypatch.setitem(core_campaigns._validators, "pledge", read_donation)
    campaigns.publish_campaign(GOOD, actor="test")
    with pytest.raises(Conflict) as err:
        campaigns.publish_campaign(V3.replace('kind = "donation"', 'kind = "pledge"').replace("[donation]", "[pledge]"),
                                   actor="test")
    assert err.value.field == "kind"
    assert db.Campaign.select().count() == 1


def test_a_first_sync_holds_every_campaign_version(hq_db: Any) -> None:
    register("A1", "S001")
    campaigns.publish_campaign(GOOD, actor="test")
    campaigns.publish_campaign(V3, actor="test")
    page = feed.snapshot_page(store_id="S001", terminal_id="A1", cursor=None, limit=10)
    got = [c["data"] for c in page["changes"] if c["kind"] == "campaign"]
    assert [(d["campaign_id"], d["version"]) for d in got] == [("DONATE-2026-WINTER", 2), ("DONATE-2026-WINTER", 3)]


def test_a_till_keeps_the_campaigns_of_the_feed_and_quarantines_bad_ones(hq_db: Any, terminal: Terminal) -> None:
    register("T01", "S001")
    campaigns.publish_campaign(V3, actor="test")
    campaigns.publish_campaign(GOOD.replace("DONATE-2026-WINTER", "DONATE-OTHER"), actor="test")
    changes = feed_changes("S001", "T01")
    broken = {"id": 0, "kind": "campaign", "data": {**changes[0]["data"], "version": 9}}  # text says 3
    bad_toml = {"id": 0, "kind": "campaign",
                "data": {"campaign_id": "X", "version": 1, "source": 'format = 1\nid = "X"\nkind = "raffle"'}}
    report = replica.apply_changes(terminal.database, "T01", "S001", [*changes, broken, bad_toml])
    assert report.skipped == 2 and {b["error"].split(":")[0] for b in report.bad} == {
        "changes.campaign.source", "kind"}
    held = till_campaigns.list_campaigns(terminal, day=dt.date(2027, 1, 10))
    assert [(r["id"], r["version"], r["state"]) for r in held] == [
        ("DONATE-2026-WINTER", 3, "running"), ("DONATE-OTHER", 2, "running")]
    # the feed again (a restarted cursor): nothing new, nothing refused
    again = replica.apply_changes(terminal.database, "T01", "S001", changes)
    assert again.skipped == 0
    assert terminal.database.execute("SELECT count(*) FROM campaign").fetchone()[0] == 2
    in_force = terminal.repo.campaigns_in_force("donation", dt.date(2027, 3, 31), "S001")
    assert [c.campaign_id for c in in_force] == ["DONATE-2026-WINTER"]  # the other ended on 2027-02-28
    assert terminal.repo.campaigns_in_force("donation", dt.date(2027, 1, 10), "S003") == []  # not that store
