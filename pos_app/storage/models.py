"""Peewee models of the terminal database. No model names a database: ``open_database``
binds them (tests bind the same models to a throwaway file). The schema itself is owned
by the SQL migrations in ``db/migrations``; a test checks that these models match it."""

from __future__ import annotations

from peewee import (
    BooleanField,
    CompositeKey,
    ForeignKeyField,
    IntegerField,
    Model,
    TextField,
)


class BaseModel(Model):
    class Meta:
        legacy_table_names = False


class Setting(BaseModel):
    key = TextField(primary_key=True)
    value = TextField()


class Counter(BaseModel):
    name = TextField(primary_key=True)
    value = IntegerField()


class ProgramRow(BaseModel):
    program_id = TextField()
    version = IntegerField()
    digest = TextField()
    source = TextField()
    loaded_at = TextField()
    active = BooleanField(default=False)

    class Meta:
        table_name = "program"


class Staff(BaseModel):
    code = TextField(unique=True)
    name = TextField()
    role = TextField()
    pin_hash = TextField()
    active = BooleanField(default=True)
    failed_attempts = IntegerField(default=0)
    locked_until = TextField(null=True)
    created_at = TextField()


class Member(BaseModel):
    uuid = TextField(unique=True)
    phone = TextField(unique=True)
    name = TextField()
    birthday = TextField(null=True)
    card_no = TextField(unique=True)
    referrer = ForeignKeyField("self", null=True, column_name="referrer_id", backref="referred")
    status = TextField(default="active")
    consent = BooleanField(default=False)
    store_id = TextField()
    enrolled_at = TextField()
    tier = TextField()
    tier_since = TextField()
    last_review = TextField(null=True)
    first_purchase_at = TextField(null=True)
    last_purchase_at = TextField(null=True)
    balance = IntegerField(default=0)
    debt = IntegerField(default=0)
    seen_at = TextField(null=True)  # last identified or served at this till (migration 0007)
    fresh_at = TextField(null=True)  # last brought complete from headquarters by a lookup
    merged_into = TextField(null=True)  # the surviving member's uuid, merged at headquarters (migration 0009)


class LedgerEntry(BaseModel):
    uuid = TextField(unique=True)
    terminal_id = TextField()
    seq = IntegerField()
    member = ForeignKeyField(Member, column_name="member_id")
    member_uuid = TextField()
    kind = TextField()
    points = IntegerField()
    tier_points = IntegerField(default=0)
    ref_type = TextField()
    ref_no = TextField()
    program_version = IntegerField(null=True)
    breakdown = TextField()
    created_at = TextField()
    business_date = TextField()
    recorded_at = TextField()
    backdated = BooleanField(default=False)
    staff_code = TextField(null=True)
    prev_hash = TextField()
    hash = TextField()


class Lot(BaseModel):
    member = ForeignKeyField(Member, column_name="member_id")
    entry = ForeignKeyField(LedgerEntry, column_name="entry_id")
    earned_on = TextField()
    expires_on = TextField(null=True)
    points = IntegerField()
    remaining = IntegerField()
    key = TextField(null=True, unique=True)  # core.replica lot key (migration 0004)


class LotMove(BaseModel):
    entry = ForeignKeyField(LedgerEntry, column_name="entry_id")
    lot = ForeignKeyField(Lot, column_name="lot_id")
    points = IntegerField()


class TierMonth(BaseModel):
    member = ForeignKeyField(Member, column_name="member_id")
    month = TextField()
    points = IntegerField()

    class Meta:
        primary_key = CompositeKey("member", "month")
        without_rowid = True


class TierChange(BaseModel):
    member = ForeignKeyField(Member, column_name="member_id")
    at = TextField()
    from_tier = TextField()
    to_tier = TextField()
    reason = TextField()
    qualifying_points = IntegerField()


class Sale(BaseModel):
    uuid = TextField(unique=True)
    receipt_no = TextField(unique=True)
    member = ForeignKeyField(Member, null=True, column_name="member_id")
    staff_code = TextField(null=True)
    created_at = TextField()
    business_date = TextField()
    recorded_at = TextField()
    backdated = BooleanField(default=False)
    total_fen = IntegerField()
    coupon_code = TextField(null=True)
    coupon_fen = IntegerField(default=0)
    points_paid = IntegerField(default=0)
    points_value_fen = IntegerField(default=0)
    tender_fen = IntegerField()
    tender_kind = TextField()
    credited_purchase = IntegerField(default=0)
    credited_bonus = IntegerField(default=0)
    bonuses = TextField(default="")
    flags = TextField(default="")
    program_version = IntegerField(null=True)
    change_fen = IntegerField(default=0)  # cash given back (0010)


class SaleTender(BaseModel):
    """One tender of a sale (0010): the amount it paid and, for cash, what was handed over."""

    sale = ForeignKeyField(Sale, column_name="sale_id", backref="tenders")
    seq = IntegerField()
    kind = TextField()
    amount_fen = IntegerField()
    given_fen = IntegerField()

    class Meta:
        indexes = ((("sale", "seq"), True),)


class Refund(BaseModel):
    refund_no = TextField(unique=True)
    sale = ForeignKeyField(Sale, column_name="sale_id")
    staff_code = TextField(null=True)
    created_at = TextField()
    business_date = TextField()
    net_fen = IntegerField()
    refund_fen = IntegerField()
    clawback_purchase = IntegerField()
    clawback_bonus = IntegerField()
    returned_points = IntegerField()
    shortfall = IntegerField()
    complete = BooleanField()
    coupon_returned = TextField(null=True)  # the coupon code given back with the sale's last lines


class RefundTender(BaseModel):
    """A refund's money back to one tender (0010)."""

    refund = ForeignKeyField(Refund, column_name="refund_id", backref="tenders")
    kind = TextField()
    amount_fen = IntegerField()


class SuspendedSale(BaseModel):
    """A suspended basket (0010): not a sale until resumed and completed."""

    label = TextField()
    basket = TextField()
    total_fen = IntegerField()
    staff_code = TextField(null=True)
    suspended_at = TextField()


class SaleLine(BaseModel):
    sale = ForeignKeyField(Sale, column_name="sale_id", backref="lines")
    line_no = IntegerField()
    sku = TextField()
    name = TextField()
    category = TextField()
    qty = IntegerField()
    unit_price_fen = IntegerField()
    discount_fen = IntegerField()
    net_fen = IntegerField()
    flags = TextField(default="")
    eligible_fen = IntegerField(default=0)
    multiplier = TextField(default="1")
    refund = ForeignKeyField(Refund, null=True, column_name="refund_id")


class GiftStock(BaseModel):
    gift_code = TextField(primary_key=True)
    stock = IntegerField()


class Coupon(BaseModel):
    code = TextField(unique=True)
    member = ForeignKeyField(Member, column_name="member_id")
    gift_code = TextField()
    value_fen = IntegerField()
    min_spend_fen = IntegerField()
    issued_at = TextField()
    valid_until = TextField(null=True)
    used_at = TextField(null=True)
    used_receipt_no = TextField(null=True)


class Redemption(BaseModel):
    redemption_no = TextField(unique=True)
    member = ForeignKeyField(Member, column_name="member_id")
    gift_code = TextField()
    points = IntegerField()
    cash_fen = IntegerField()
    approved_by = TextField(null=True)
    staff_code = TextField(null=True)
    created_at = TextField()
    business_date = TextField()
    coupon_code = TextField(null=True)
    cancelled_at = TextField(null=True)  # cancelled within its shift (0010)
    cancelled_by = TextField(null=True)


class Outbox(BaseModel):
    kind = TextField()
    ref = TextField()
    entry = ForeignKeyField(LedgerEntry, null=True, unique=True, column_name="entry_id")
    payload = TextField(default="{}")
    created_at = TextField()
    batch_id = TextField(null=True)
    acked_at = TextField(null=True)


class Audit(BaseModel):
    at = TextField()
    staff_code = TextField(null=True)
    action = TextField()
    ref = TextField()
    details = TextField(default="{}")


class ExpiryRun(BaseModel):
    as_of = TextField()
    started_at = TextField()
    finished_at = TextField(null=True)
    members = IntegerField(default=0)
    lots = IntegerField(default=0)
    points = IntegerField(default=0)


class Product(BaseModel):
    sku = TextField(unique=True)
    barcode = TextField(null=True, unique=True)
    name = TextField()
    category = TextField()
    price_fen = IntegerField()
    flags = TextField(default="")
    active = BooleanField(default=True)


class Shift(BaseModel):
    shift_no = TextField(unique=True)
    staff_code = TextField()
    opened_at = TextField()
    closed_at = TextField(null=True)
    report = TextField(null=True)


class PrintJob(BaseModel):
    kind = TextField()
    ref = TextField()
    payload = TextField(default="{}")
    status = TextField(default="queued")
    attempts = IntegerField(default=0)
    last_error = TextField(null=True)
    created_at = TextField()
    printed_at = TextField(null=True)
    next_try_at = TextField(null=True)
    reprint_of = ForeignKeyField("self", null=True, column_name="reprint_of", field="id")


class RevokedCode(BaseModel):
    kind = TextField()
    value = TextField()
    reason = TextField(default="")
    revoked_at = TextField()

    class Meta:
        table_name = "revoked_code"
        indexes = ((("kind", "value"), True),)


class CampaignRow(BaseModel):
    """A campaign version (migration 0012): its TOML text, parsed by ``core.campaigns``."""

    campaign_id = TextField()
    version = IntegerField()
    kind = TextField()
    source = TextField()
    digest = TextField()
    published_at = TextField(null=True)  # at headquarters; None: loaded at this till
    loaded_at = TextField()

    class Meta:
        table_name = "campaign"
        indexes = ((("campaign_id", "version"), True),)


MODELS: list[type[BaseModel]] = [
    Setting, Counter, ProgramRow, Staff, Member, LedgerEntry, Lot, LotMove, TierMonth,
    TierChange, Sale, Refund, SaleLine, GiftStock, Coupon, Redemption, Outbox, Audit, ExpiryRun, Product, Shift,
    PrintJob, RevokedCode, SaleTender, RefundTender, SuspendedSale, CampaignRow,
]
