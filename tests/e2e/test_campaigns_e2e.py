"""End to end: a campaign published at headquarters (``pos-hq campaign publish``, a real process on
SQLite and on PostgreSQL) reaches real tills through the change feed served by a real uvicorn:
in a first sync's snapshot and as a feed change afterwards; the till's ``Repo`` answers which
campaigns are in force for its store on a day, and ``pos-app campaign list`` shows them."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from pos_app import cli
from pos_app.services import sync as sync_service
from tests.core.test_campaigns import GOOD
from tests.e2e.conftest import REPO, HQServer, run_hq

DEMO = REPO / "db" / "campaigns" / "donation-demo.toml"
ONLY_S02 = (GOOD.replace("DONATE-2026-WINTER", "DONATE-WEST").replace('stores = ["S001", "S002"]', 'stores = ["S02"]')
            .replace("version = 2", "version = 1"))


def in_force(t: Any, day: dt.date) -> list[tuple[str, int]]:
    return [(c.campaign_id, c.version) for c in t.repo.campaigns_in_force("donation", day, t.store_id)]


def test_a_campaign_published_at_headquarters_reaches_the_tills(hq: HQServer, two_tills: Any, tmp_path: Path,
                                                                capsys: Any) -> None:
    a, b, clock = two_tills
    bad = tmp_path / "bad.toml"
    bad.write_text(DEMO.read_text(encoding="utf-8").replace("ends_on = 2027-12-31", "ends_on = 2025-12-31"),
                   encoding="utf-8")
    out = subprocess.run([sys.executable, "-m", "pos_app.hq", "--db", hq.db_url, "campaign", "publish", str(bad)],
                         cwd=REPO, capture_output=True, text=True, timeout=120)
    assert out.returncode == 2 and "error: ends_on: must not be before starts_on" in out.stderr, out.stderr
    assert "published" in run_hq(hq.db_url, "campaign", "publish", str(DEMO))

    # till A's first sync is a snapshot: the campaign comes with the global data
    assert sync_service.sync_once(a).snapshot_pages >= 1
    assert in_force(a, clock.now.date()) == [("DONATE-2026-BOOKS", 1)]
    assert in_force(a, dt.date(2028, 1, 1)) == []  # ended

    # a new version and a campaign for S02 only: by the feed at A, in the snapshot at B
    west = tmp_path / "west.toml"
    west.write_text(ONLY_S02, encoding="utf-8")
    v2 = tmp_path / "v2.toml"
    v2.write_text(DEMO.read_text(encoding="utf-8").replace("version = 1", "version = 2")
                  .replace("goal_points = 1000000", "goal_points = 2000000"), encoding="utf-8")
    run_hq(hq.db_url, "campaign", "publish", str(v2))
    run_hq(hq.db_url, "campaign", "publish", str(west))
    assert "published already" in run_hq(hq.db_url, "campaign", "publish", str(v2))  # the same text: nothing new
    edited = tmp_path / "edited.toml"
    edited.write_text(DEMO.read_text(encoding="utf-8").replace("goal_points = 1000000", "goal_points = 5"),
                      encoding="utf-8")
    other = subprocess.run([sys.executable, "-m", "pos_app.hq", "--db", hq.db_url, "campaign", "publish", str(edited)],
                           cwd=REPO, capture_output=True, text=True, timeout=120)
    assert other.returncode == 2 and "error: version: version 1 of campaign DONATE-2026-BOOKS was published with a" \
        " different text" in other.stderr, other.stderr
    listed = json.loads(run_hq(hq.db_url, "--json", "campaign", "list"))
    assert [(r["id"], r["version"], r["stores"]) for r in listed] == [
        ("DONATE-2026-BOOKS", 2, "*"), ("DONATE-WEST", 1, "S02")]

    sync_service.sync_once(a)
    sync_service.sync_once(b)
    winter = dt.date(2027, 1, 10)
    assert in_force(a, winter) == [("DONATE-2026-BOOKS", 2)]
    assert in_force(b, winter) == [("DONATE-2026-BOOKS", 2), ("DONATE-WEST", 1)]
    assert a.repo.campaign("DONATE-2026-BOOKS").body.goal_points == 2_000_000
    assert a.repo.campaign("DONATE-2026-BOOKS", 1).body.goal_points == 1_000_000
    assert a.repo.campaign("DONATE-WEST") is not None  # held, but not for this store

    assert cli.main(["--db", str(a.database.path), "--json", "campaign", "list"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [(r["id"], r["version"], r["state"]) for r in rows] == [
        ("DONATE-2026-BOOKS", 2, "running"), ("DONATE-WEST", 1, "other_stores")]
    audit = a.database.execute("SELECT ref, json_extract(details, '$.from') FROM audit WHERE action = 'campaign.load'"
                               " ORDER BY id").fetchall()
    assert audit == [("DONATE-2026-BOOKS@1", "hq"), ("DONATE-2026-BOOKS@2", "hq"), ("DONATE-WEST@1", "hq")]


def test_donations_at_two_tills_reach_headquarters_totals(hq: HQServer, two_tills: Any, tmp_path: Path,
                                                          capsys: Any) -> None:
    """Members of two stores donate at their tills (one through ``pos-app donate``); headquarters
    accepts the ``donate`` entries, its balances follow, and ``pos-hq report donations`` sums the
    campaign across the chain (points, yuan, donors, progress)."""
    from pos_app.core.earning import SaleLine
    from pos_app.services import donations, members, sales

    a, b, _clock = two_tills
    run_hq(hq.db_url, "campaign", "publish", str(DEMO))
    for t in (a, b):
        sync_service.sync_once(t)
    wang = members.enroll_member(a, phone="13800138000", name="王芳", staff_code="1001")
    li = members.enroll_member(b, phone="13900139000", name="李雷", staff_code="1001")
    for t, m in ((a, wang), (b, li)):
        sales.record_sale(t, lines=[SaleLine(1, "6901", "面包", "food", 1, 100000)], member_ref=m.card_no,
                          staff_code="1001")
    assert cli.main(["--db", str(a.database.path), "--json", "donate", "--member", wang.card_no, "--campaign",
                     "DONATE-2026-BOOKS", "--points", "1000", "--staff", "1001"]) == 0
    given = json.loads(capsys.readouterr().out)
    assert (given["points"], given["yuan_fen"], given["campaign"]) == (1000, 1000, "DONATE-2026-BOOKS")
    assert cli.main(["--db", str(a.database.path), "donate", "--member", wang.card_no, "--campaign",
                     "DONATE-2026-BOOKS", "--points", "150", "--staff", "1001"]) == 2  # not a multiple of 100
    assert "points: donations to this campaign are in multiples of 100 points" in capsys.readouterr().err
    donations.donate(b, member_ref=li.card_no, campaign_id="DONATE-2026-BOOKS", points=500, staff_code="1001")
    donations.donate(a, member_ref=wang.card_no, campaign_id="DONATE-2026-BOOKS", points=100, staff_code="1001")
    for t in (a, b, a):
        sync_service.sync_once(t)

    report = json.loads(run_hq(hq.db_url, "--json", "report", "donations"))
    assert [(r["campaign"], r["points"], r["yuan_fen"], r["yuan"], r["donors"], r["donations"], r["goal_points"])
            for r in report] == [("DONATE-2026-BOOKS", 1600, 1600, "16.00", 2, 3, 1_000_000)]
    table = run_hq(hq.db_url, "report", "donations")
    assert "为山区学校捐赠图书" in table and "1600" in table
    from pos_app.hq import db as hqdb

    database = hqdb.connect(hq.db_url)
    try:
        balances = {m.uuid: int(m.balance) for m in hqdb.Member.select()}
    finally:
        database.close()
    assert balances[wang.uuid] == members.find_member(a, wang.card_no).balance
    assert balances[li.uuid] == members.find_member(b, li.card_no).balance
    progress = donations.campaign_progress(a, "DONATE-2026-BOOKS")
    assert progress is not None and (progress.points, progress.donors) == (1100, 1)  # what till A holds
    assert "verify: ok" in run_hq(hq.db_url, "verify")
