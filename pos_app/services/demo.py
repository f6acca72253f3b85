"""The demo store: the reference program, gift stock, staff and a few members."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pos_app.core.campaigns import parse_campaign
from pos_app.core.errors import NotFound
from pos_app.core.members import make_card_number
from pos_app.services.campaigns import demo_campaign_path, load_campaign
from pos_app.services.catalog import add_product
from pos_app.services.context import Terminal, load_program, reference_program_source
from pos_app.services.member_codes import load_private_key, public_key_text
from pos_app.services.members import enroll_member, find_member
from pos_app.services.points import adjust_points, set_gift_stock
from pos_app.services.settings import set_setting
from pos_app.services.staff import create_staff
from pos_app.services.tiers import set_tier
from pos_app.storage.paths import data_root

# sku, barcode, name, category, price in fen, flags. Every barcode is a valid EAN-13 (check digit
# verified: tests/services/test_demo.py); none is in the GS1 in-store range 29, which is the
# member cards' (pos_app.core.members.CARD_PREFIX).
DEMO_PRODUCTS = (
    ("BREAD", "6901234567892", "全麦面包", "food", 850, ()),
    ("MILK", "6907992100012", "纯牛奶 250ml", "food", 450, ()),
    ("WATER", "6921168509256", "矿泉水 550ml", "food", 200, ()),
    ("EARBUD", "6970000000017", "新款蓝牙耳机", "electronics", 19900, ("new",)),
    ("CUP", "6970000000024", "保温杯", "home", 8900, ()),
    ("CIG", "6901028001236", "香烟", "tobacco", 3000, ()),
    ("GIFTCARD", "6970000000055", "礼品卡 100元", "gift_card", 10000, ()),
)
#: barcodes that releases before 1.x seeded with wrong check digits (sku, wrong, right); 2990000000011
#: became 6970000000055, since with a valid check digit it would be a member card (range 29)
DEMO_BARCODE_FIXES = (
    ("EARBUD", "6970000000016", "6970000000017"),
    ("CUP", "6970000000023", "6970000000024"),
    ("GIFTCARD", "2990000000011", "6970000000055"),
)
DEMO_STAFF = (("1001", "收银员小陈", "cashier", "1234"), ("9001", "店长王经理", "manager", "9999"))
# phone, name, birthday, card serial, tier, points
DEMO_MEMBERS = (
    ("13800138000", "张伟", "1988-03-12", 1, "gold", 12000),
    ("13900139000", "李娜", "1992-07-08", 2, "silver", 8000),
    ("13700137000", "王芳", "1995-12-18", 3, "normal", 0),
    ("13600136000", "刘洋", None, 4, "normal", 300),
)


#: campaigns of db/campaigns the demo store runs (a donation drive; a lottery draw)
DEMO_CAMPAIGNS = ("donation-demo.toml", "draw-demo.toml")
DEMO_RECEIPT_HEADER = "积分便利店（演示店）|北京市朝阳区建国路1号 · 010-6500 0000"


def demo_member_qr_key_file() -> Path:
    """The demo's member-code signing key: public in the source tree, for demos only."""
    return data_root() / "db" / "demo" / "member-qr-demo-private-key.pem"


def demo_member_qr_public_key() -> str:
    path = demo_member_qr_key_file()
    try:
        pem = path.read_bytes()
    except OSError as exc:
        raise NotFound("member_qr.key", f"the demo member-code key {path} cannot be read: {exc.strerror or exc}",
                       path=str(path)) from exc
    return public_key_text(load_private_key(pem))


def seed_demo(t: Terminal) -> dict[str, Any]:
    """Idempotent: a store that is seeded already is left as it is, except that demo products
    seeded with a wrong barcode (``DEMO_BARCODE_FIXES``) get the right one. All or nothing: one
    transaction, so a failure half-way leaves the database as it was."""
    if t.repo.staff_by_code(DEMO_STAFF[0][0]) is not None:
        fixed = fix_demo_barcodes(t)
        result: dict[str, Any] = {"seeded": False, "reason": "already seeded", "barcodes_fixed": fixed}
        loaded = seed_demo_campaigns(t)
        if loaded:  # a demo store seeded before the campaigns came
            result["campaigns_loaded"] = loaded
        return result
    public_key = demo_member_qr_public_key()
    with t.database.transaction():
        return _seed(t, public_key)


def seed_demo_campaigns(t: Terminal) -> list[str]:
    """Loads the demo campaigns (``DEMO_CAMPAIGNS``) this till does not hold yet (a demo store
    seeded by an earlier release gets them too); returns their ids."""
    loaded = []
    for name in DEMO_CAMPAIGNS:
        campaign = parse_campaign(demo_campaign_path(name).read_text(encoding="utf-8"))
        if t.repo.campaign(campaign.campaign_id, campaign.version) is None:
            load_campaign(t, campaign.source)
            loaded.append(campaign.campaign_id)
    return loaded


def fix_demo_barcodes(t: Terminal) -> list[str]:
    """Gives demo products seeded with a wrong check digit their right barcode (audited as
    ``product.barcode``); a product whose barcode was changed by hand, or a right barcode that
    another product has taken, is left alone. Returns the SKUs corrected."""
    fixed = []
    stamp = t.stamp()
    with t.database.transaction():
        for sku, wrong, right in DEMO_BARCODE_FIXES:
            if t.repo.fix_product_barcode(sku, wrong, right):
                t.ledger.audit("product.barcode", sku, {"from": wrong, "to": right, "reason": "demo check digit"},
                               stamp)
                fixed.append(sku)
    return fixed


def _seed(t: Terminal, member_qr_public_key: str) -> dict[str, Any]:
    load_program(t, reference_program_source())
    seed_demo_campaigns(t)
    for code, name, role, pin in DEMO_STAFF:
        create_staff(t, code=code, name=name, role=role, pin=pin)
    set_gift_stock(t, gift_code="G004", stock=5, staff_code="9001")
    for sku, barcode, name, category, price, flags in DEMO_PRODUCTS:
        add_product(t, sku=sku, barcode=barcode, name=name, category=category, price_fen=price, flags=flags)
    cards = []
    for phone, name, birthday, serial, tier, points in DEMO_MEMBERS:
        referrer = DEMO_MEMBERS[0][0] if phone == "13600136000" else None
        m = enroll_member(t, phone=phone, name=name, birthday=birthday, card_no=make_card_number(serial),
                          referrer=referrer, consent=True, staff_code="1001")
        if tier != "normal":
            set_tier(t, member=m, tier=tier, reason="demo seed", staff_code="9001")
        top_up = points - find_member(t, phone).balance
        if top_up:
            adjust_points(t, member_ref=phone, points=top_up, reason="demo seed: opening balance",
                          manager_code="9001", manager_pin="9999")
        cards.append(m.card_no)
    # DEMO ONLY: trust the demo member-code key shipped in db/demo/, so the demo can show a member
    # QR code (`pos-app member-qr issue --key db/demo/member-qr-demo-private-key.pem --card ...`).
    # In production headquarters keeps its private key and sends the public key down.
    set_setting(t, "member_qr.public_key", member_qr_public_key)
    set_setting(t, "receipt.header", DEMO_RECEIPT_HEADER)
    return {"seeded": True, "members": len(DEMO_MEMBERS), "cards": cards, "staff": [s[0] for s in DEMO_STAFF]}
