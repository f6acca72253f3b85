"""The demo store's seed: its product barcodes are what a scanner would read as products, and
a store seeded by an older release (three barcodes with wrong check digits) is corrected."""

from __future__ import annotations

from pathlib import Path

import pytest

from pos_app.core.members import gs1_check_digit
from pos_app.services import catalog, context, demo, history
from pos_app.services.scans import classify_scan
from scripts.hq_demo import PRODUCTS as HQ_DEMO_PRODUCTS
from tests.conftest import FakeClock

BARCODES = [p[1] for p in demo.DEMO_PRODUCTS]


@pytest.mark.parametrize("barcode", BARCODES + [p[0] for p in HQ_DEMO_PRODUCTS])
def test_every_demo_barcode_is_a_product_barcode_with_a_valid_check_digit(barcode: str) -> None:
    assert len(barcode) == 13 and barcode.isdigit()
    assert gs1_check_digit(barcode[:-1]) == int(barcode[-1])
    assert classify_scan(barcode).kind == "product"  # not a member card (range 29), not unknown
    assert classify_scan(barcode).symbology == "EAN-13"


def test_the_wrong_barcodes_of_older_releases_were_not_product_barcodes() -> None:
    """What the scan test said before: the three fixed barcodes were unrecognised."""
    for _sku, wrong, right in demo.DEMO_BARCODE_FIXES:
        assert classify_scan(wrong).kind == "unknown"
        assert right in BARCODES


@pytest.fixture
def seeded(tmp_path: Path, clock: FakeClock) -> context.Terminal:
    t = context.init_terminal(tmp_path / "demo.db", store_id="S001", terminal_id="T01", clock=clock)
    assert demo.seed_demo(t)["seeded"]
    yield t
    t.close()


def _as_an_older_release_seeded(t: context.Terminal) -> None:
    """The barcodes as releases before the fix wrote them (the seed's only difference)."""
    with t.database.transaction():
        for sku, wrong, _right in demo.DEMO_BARCODE_FIXES:
            t.database.execute("UPDATE product SET barcode = ? WHERE sku = ?", (wrong, sku))


def test_a_fresh_seed_scans_every_demo_product(seeded: context.Terminal) -> None:
    for sku, barcode, *_ in demo.DEMO_PRODUCTS:
        assert catalog.product_by_code(seeded, barcode).sku == sku
    again = demo.seed_demo(seeded)
    assert again == {"seeded": False, "reason": "already seeded", "barcodes_fixed": []}


def test_seeding_an_older_demo_store_again_corrects_its_barcodes_once_audited(seeded: context.Terminal) -> None:
    _as_an_older_release_seeded(seeded)
    result = demo.seed_demo(seeded)
    assert result["seeded"] is False and result["barcodes_fixed"] == ["EARBUD", "CUP", "GIFTCARD"]
    for sku, wrong, right in demo.DEMO_BARCODE_FIXES:
        assert catalog.product_by_code(seeded, right).sku == sku
        assert seeded.repo.product_by_code(wrong) is None
    audit = history.audit_trail(seeded, action="product.barcode")
    assert sorted(a.ref for a in audit) == ["CUP", "EARBUD", "GIFTCARD"]
    assert demo.seed_demo(seeded)["barcodes_fixed"] == []  # nothing left to correct
    assert len(history.audit_trail(seeded, action="product.barcode")) == 3


def test_a_barcode_changed_by_hand_or_taken_by_another_product_is_left_alone(seeded: context.Terminal) -> None:
    _as_an_older_release_seeded(seeded)
    with seeded.database.transaction():
        seeded.database.execute("UPDATE product SET barcode = '6901234567885' WHERE sku = 'EARBUD'")  # by hand
    catalog.add_product(seeded, sku="OTHER", name="别的商品", category="home", price_fen=100, barcode="6970000000024")
    assert demo.seed_demo(seeded)["barcodes_fixed"] == ["GIFTCARD"]
    assert catalog.product_by_code(seeded, "6901234567885").sku == "EARBUD"
    assert catalog.product_by_code(seeded, "6970000000024").sku == "OTHER"
    assert catalog.product_by_code(seeded, "6970000000023").sku == "CUP"


def test_the_demo_store_runs_the_demo_donation_campaign(seeded: context.Terminal) -> None:
    """Loaded by the seed; a demo store seeded before the campaigns came gets it by seeding again,
    once. The reference program's numbers stay as they are."""
    running = seeded.repo.campaigns_in_force("donation", seeded.clock().date(), "S001")
    assert [(c.campaign_id, c.body.goal_points, c.body.fen_per_point) for c in running] == [
        ("DONATE-2026-BOOKS", 1_000_000, 1)]
    assert seeded.program.earning.fen_per_point == 100 and seeded.program.version == 1
    with seeded.database.transaction():  # as an older release left it
        seeded.database.execute("DELETE FROM campaign")
    assert demo.seed_demo(seeded)["campaigns_loaded"] == ["DONATE-2026-BOOKS", "DRAW-2026-LUCKY"]
    assert "campaigns_loaded" not in demo.seed_demo(seeded)
    assert seeded.database.execute("SELECT count(*) FROM audit WHERE action = 'campaign.load'").fetchone()[0] == 4


def test_the_demo_store_runs_the_demo_draw_campaign(seeded: context.Terminal) -> None:
    """The demo draw (db/campaigns/draw-demo.toml) is loaded by the seed and fits the reference
    program, whose numbers stay as they are."""
    from pos_app.core.draws import check_payout

    (draw,) = seeded.repo.campaigns_in_force("draw", seeded.clock().date(), "S001")
    assert draw.campaign_id == "DRAW-2026-LUCKY" and draw.body.cost_points == 100
    assert check_payout(draw.body, seeded.program) <= draw.body.expected_payout_rate
