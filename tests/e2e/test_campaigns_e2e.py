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
