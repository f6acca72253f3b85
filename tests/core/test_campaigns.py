"""Campaign files (core.campaigns, core.donations): parsed into frozen data, every bad value
refused with the field named, unknown keys refused, kinds read by their registered validator."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest

from pos_app.core import campaigns
from pos_app.core.campaigns import Campaign, latest_versions, parse_campaign
from pos_app.core.donations import Donation
from pos_app.core.errors import CampaignError, InvalidInput

DEMO = Path(__file__).resolve().parents[2] / "db" / "campaigns" / "donation-demo.toml"

GOOD = """format = 1
id = "DONATE-2026-WINTER"
kind = "donation"
version = 2
name_zh = "冬季助学"
name_en = "Winter school drive"
starts_on = 2026-12-01
ends_on = "2027-02-28"
stores = ["S001", "S002"]

[donation]
cause_zh = "为山区学校捐赠图书"
cause_en = "Books for mountain schools"
goal_points = 1000000
fen_per_point = 1
step = 100
"""


def test_a_donation_campaign_is_parsed_into_frozen_data() -> None:
    c = parse_campaign(GOOD)
    assert (c.campaign_id, c.kind, c.version, c.name_zh, c.name_en) == (
        "DONATE-2026-WINTER", "donation", 2, "冬季助学", "Winter school drive")
    assert (c.starts_on, c.ends_on, c.stores) == (dt.date(2026, 12, 1), dt.date(2027, 2, 28), ("S001", "S002"))
    assert c.body == Donation(cause_zh="为山区学校捐赠图书", cause_en="Books for mountain schools",
                              goal_points=1_000_000, fen_per_point=1, step=100)
    assert c.body.yuan_fen(2500) == 2500  # 100 points = 1 yuan
    assert len(c.digest) == 64 and c.digest == parse_campaign(GOOD).digest
    with pytest.raises(dataclasses.FrozenInstanceError):
        c.body.goal_points = 1  # type: ignore[misc]
    assert "donation" in campaigns.kinds()


def test_dates_and_stores_decide_where_and_when_a_campaign_runs() -> None:
    c = parse_campaign(GOOD)
    assert c.state_on(dt.date(2026, 11, 30)) == "upcoming"
    assert c.state_on(dt.date(2026, 12, 1)) == "running"
    assert c.state_on(dt.date(2027, 2, 28)) == "running"  # the last day is inclusive
    assert c.state_on(dt.date(2027, 3, 1)) == "ended"
    assert c.in_force(dt.date(2027, 1, 5), "S002") and not c.in_force(dt.date(2027, 1, 5), "S003")
    everywhere = parse_campaign(GOOD.replace('stores = ["S001", "S002"]\n', ""))
    assert everywhere.stores == () and everywhere.in_force(dt.date(2027, 1, 5), "S999")


def test_the_demo_campaign_is_valid_and_100_points_make_a_yuan() -> None:
    c = parse_campaign(DEMO.read_text(encoding="utf-8"))
    assert c.kind == "donation" and c.body.goal_points == 1_000_000
    assert c.body.yuan_fen(100) == 100 and c.body.step == 100
    assert "山区" in c.name_zh


@pytest.mark.parametrize(("old", "new", "field"), [
    ('starts_on = 2026-12-01', 'starts_on = "2026-13-01"', "starts_on"),
    ('ends_on = "2027-02-28"', 'ends_on = "2026-11-30"', "ends_on"),  # before starts_on
    ('ends_on = "2027-02-28"\n', "", "ends_on"),  # missing
    ('kind = "donation"', 'kind = "raffle"', "kind"),
    ('version = 2', 'version = 0', "version"),
    ('version = 2', 'version = "2"', "version"),
    ('id = "DONATE-2026-WINTER"', 'id = "募捐 2026"', "id"),
    ('format = 1', 'format = 2', "format"),
    ('name_en = "Winter school drive"', 'name_en = ""', "name_en"),
    ('stores = ["S001", "S002"]', 'stores = []', "stores"),
    ('stores = ["S001", "S002"]', 'stores = ["S001", "S001"]', "stores[1]"),
    ('stores = ["S001", "S002"]', 'stores = ["S 1"]', "stores[0]"),
    ('goal_points = 1000000', 'goal_points = -5', "donation.goal_points"),
    ('goal_points = 1000000', 'goal_points = 0', "donation.goal_points"),
    ('goal_points = 1000000\n', '', "donation.goal_points"),
    ('fen_per_point = 1', 'fen_per_point = 0.5', "donation.fen_per_point"),
    ('step = 100', 'step = 0', "donation.step"),
    ('cause_zh = "为山区学校捐赠图书"', 'cause_zh = "  "', "donation.cause_zh"),
    ('step = 100', 'step = 100\nsteps = 5', "donation.steps"),  # an unknown key: a typo
    ('version = 2', 'version = 2\ncolour = "red"', "colour"),
    ('[donation]', '[draw]', "donation"),  # the kind's table is required
    ('step = 100', 'step = 100\n[draw]\ncost_points = 5', "draw"),  # another kind's table is refused
])
def test_a_bad_campaign_is_refused_naming_the_field(old: str, new: str, field: str) -> None:
    assert old in GOOD
    with pytest.raises(CampaignError) as err:
        parse_campaign(GOOD.replace(old, new))
    assert err.value.field == field, err.value
    assert isinstance(err.value, InvalidInput) and err.value.code == "invalid_campaign"


def test_text_that_is_not_toml_is_refused() -> None:
    with pytest.raises(CampaignError) as err:
        parse_campaign("id = [")
    assert err.value.field == "campaign" and "TOML" in err.value.message


def test_a_registered_kind_reads_its_own_table(monkeypatch: pytest.MonkeyPatch) -> None:
    @dataclasses.dataclass(frozen=True)
    class Quiz:
        questions: int

    monkeypatch.setitem(campaigns._validators, "quiz", lambda r: Quiz(r.whole("questions", lo=1, hi=50)))
    source = GOOD.replace('kind = "donation"', 'kind = "quiz"').split("[donation]")[0] + "[quiz]\nquestions = 5\n"
    assert parse_campaign(source).body == Quiz(5)
    with pytest.raises(CampaignError) as err:
        parse_campaign(source.replace("questions = 5", "questions = 99"))
    assert err.value.field == "quiz.questions"


def test_the_latest_version_of_each_campaign_counts() -> None:
    def version(cid: str, n: int, starts: str) -> Campaign:
        return parse_campaign(GOOD.replace('version = 2', f'version = {n}').replace("DONATE-2026-WINTER", cid)
                              .replace("starts_on = 2026-12-01", f"starts_on = {starts}"))

    got = latest_versions([version("B", 1, "2026-01-01"), version("B", 3, "2026-06-01"), version("A", 2, "2026-07-01"),
                           version("B", 2, "2026-02-01")])
    assert [(c.campaign_id, c.version) for c in got] == [("B", 3), ("A", 2)]
