"""A draw campaign published at headquarters is checked against the program in force: its prizes
name the program's gifts and pay out no more than its declared rate; refused naming the field,
nothing written."""

from __future__ import annotations

from typing import Any

import pytest

from pos_app.core.errors import CampaignError
from pos_app.hq import authority, campaigns, db
from pos_app.storage.paths import reference_program_path

DEMO = (reference_program_path().parent / "campaigns" / "draw-demo.toml").read_text(encoding="utf-8")


def test_a_draw_campaign_must_fit_the_program(hq_db: Any) -> None:
    authority.publish_program(reference_program_path().read_text(encoding="utf-8"), actor="test")
    for text, field in ((DEMO.replace('expected_payout_rate = "0.5"', 'expected_payout_rate = "0.3"'),
                         "draw.expected_payout_rate"),
                        (DEMO.replace('value = "G005"', 'value = "G001"'), "draw.prizes[4].value"),
                        (DEMO.replace('odds = "0.681"', 'odds = "0.68"'), "draw.prizes")):
        with pytest.raises(CampaignError) as bad:
            campaigns.publish_campaign(text, actor="test")
        assert bad.value.field == field
    assert db.Campaign.select().count() == 0
    campaign, new = campaigns.publish_campaign(DEMO, actor="test")
    assert new and campaign.kind == "draw" and [c.campaign_id for c in campaigns.campaigns("draw")] == [
        "DRAW-2026-LUCKY"]
