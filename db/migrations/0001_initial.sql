-- 0001: the terminal's ledger and the business rows around it.
-- Money in integer fen, points as integers, dates as ISO text in the store's local time.

CREATE TABLE setting (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE counter (
    name  TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);

CREATE TABLE program (
    id         INTEGER PRIMARY KEY,
    program_id TEXT NOT NULL,
    version    INTEGER NOT NULL,
    digest     TEXT NOT NULL,
    source     TEXT NOT NULL,
    loaded_at  TEXT NOT NULL,
    active     INTEGER NOT NULL DEFAULT 0,
    UNIQUE (program_id, version)
);

CREATE TABLE staff (
    id              INTEGER PRIMARY KEY,
    code            TEXT NOT NULL UNIQUE,
    name            TEXT NOT NULL,
    role            TEXT NOT NULL CHECK (role IN ('cashier', 'manager')),
    pin_hash        TEXT NOT NULL,
    active          INTEGER NOT NULL DEFAULT 1,
    failed_attempts INTEGER NOT NULL DEFAULT 0,
    locked_until    TEXT,
    created_at      TEXT NOT NULL
);

CREATE TABLE member (
    id                INTEGER PRIMARY KEY,
    uuid              TEXT NOT NULL UNIQUE,
    phone             TEXT NOT NULL UNIQUE,
    name              TEXT NOT NULL,
    birthday          TEXT,
    card_no           TEXT NOT NULL UNIQUE,
    referrer_id       INTEGER REFERENCES member (id),
    status            TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'frozen')),
    consent           INTEGER NOT NULL DEFAULT 0,
    store_id          TEXT NOT NULL,
    enrolled_at       TEXT NOT NULL,
    tier              TEXT NOT NULL,
    tier_since        TEXT NOT NULL,
    last_review       TEXT,
    first_purchase_at TEXT,
    last_purchase_at  TEXT,
    -- projections of the ledger, written in the same transaction as the entries
    balance           INTEGER NOT NULL DEFAULT 0,
    debt              INTEGER NOT NULL DEFAULT 0 CHECK (debt >= 0)
);

CREATE TABLE ledger_entry (
    id              INTEGER PRIMARY KEY,
    uuid            TEXT NOT NULL UNIQUE,
    terminal_id     TEXT NOT NULL,
    seq             INTEGER NOT NULL,
    member_id       INTEGER NOT NULL REFERENCES member (id),
    member_uuid     TEXT NOT NULL,
    kind            TEXT NOT NULL,
    points          INTEGER NOT NULL,
    tier_points     INTEGER NOT NULL DEFAULT 0,
    ref_type        TEXT NOT NULL,
    ref_no          TEXT NOT NULL,
    program_version INTEGER,
    breakdown       TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    business_date   TEXT NOT NULL,
    recorded_at     TEXT NOT NULL,
    backdated       INTEGER NOT NULL DEFAULT 0,
    staff_code      TEXT,
    prev_hash       TEXT NOT NULL,
    hash            TEXT NOT NULL,
    UNIQUE (terminal_id, seq)
);
CREATE INDEX ledger_member_date ON ledger_entry (member_id, business_date);
CREATE INDEX ledger_ref ON ledger_entry (ref_no);

CREATE TABLE lot (
    id         INTEGER PRIMARY KEY,
    member_id  INTEGER NOT NULL REFERENCES member (id),
    entry_id   INTEGER NOT NULL REFERENCES ledger_entry (id),
    earned_on  TEXT NOT NULL,
    expires_on TEXT,
    points     INTEGER NOT NULL CHECK (points > 0),
    remaining  INTEGER NOT NULL CHECK (remaining >= 0 AND remaining <= points)
);
CREATE INDEX lot_member ON lot (member_id);
CREATE INDEX lot_live_expiry ON lot (expires_on) WHERE remaining > 0;

CREATE TABLE lot_move (
    id       INTEGER PRIMARY KEY,
    entry_id INTEGER NOT NULL REFERENCES ledger_entry (id),
    lot_id   INTEGER NOT NULL REFERENCES lot (id),
    points   INTEGER NOT NULL CHECK (points <> 0)
);
CREATE INDEX lot_move_lot ON lot_move (lot_id);
CREATE INDEX lot_move_entry ON lot_move (entry_id);

CREATE TABLE tier_month (
    member_id INTEGER NOT NULL REFERENCES member (id),
    month     TEXT NOT NULL,
    points    INTEGER NOT NULL,
    PRIMARY KEY (member_id, month)
) WITHOUT ROWID;

CREATE TABLE tier_change (
    id                INTEGER PRIMARY KEY,
    member_id         INTEGER NOT NULL REFERENCES member (id),
    at                TEXT NOT NULL,
    from_tier         TEXT NOT NULL,
    to_tier           TEXT NOT NULL,
    reason            TEXT NOT NULL,
    qualifying_points INTEGER NOT NULL
);
CREATE INDEX tier_change_member ON tier_change (member_id);

CREATE TABLE sale (
    id                INTEGER PRIMARY KEY,
    uuid              TEXT NOT NULL UNIQUE,
    receipt_no        TEXT NOT NULL UNIQUE,
    member_id         INTEGER REFERENCES member (id),
    staff_code        TEXT,
    created_at        TEXT NOT NULL,
    business_date     TEXT NOT NULL,
    recorded_at       TEXT NOT NULL,
    backdated         INTEGER NOT NULL DEFAULT 0,
    total_fen         INTEGER NOT NULL,
    coupon_code       TEXT,
    coupon_fen        INTEGER NOT NULL DEFAULT 0,
    points_paid       INTEGER NOT NULL DEFAULT 0,
    points_value_fen  INTEGER NOT NULL DEFAULT 0,
    tender_fen        INTEGER NOT NULL,
    tender_kind       TEXT NOT NULL,
    credited_purchase INTEGER NOT NULL DEFAULT 0,
    credited_bonus    INTEGER NOT NULL DEFAULT 0,
    bonuses           TEXT NOT NULL DEFAULT '',
    flags             TEXT NOT NULL DEFAULT '',
    program_version   INTEGER
);
CREATE INDEX sale_member ON sale (member_id, business_date);

CREATE TABLE sale_line (
    id             INTEGER PRIMARY KEY,
    sale_id        INTEGER NOT NULL REFERENCES sale (id),
    line_no        INTEGER NOT NULL,
    sku            TEXT NOT NULL,
    name           TEXT NOT NULL,
    category       TEXT NOT NULL,
    qty            INTEGER NOT NULL,
    unit_price_fen INTEGER NOT NULL,
    discount_fen   INTEGER NOT NULL,
    net_fen        INTEGER NOT NULL,
    flags          TEXT NOT NULL DEFAULT '',
    eligible_fen   INTEGER NOT NULL DEFAULT 0,
    multiplier     TEXT NOT NULL DEFAULT '1',
    refund_id      INTEGER REFERENCES refund (id),
    UNIQUE (sale_id, line_no)
);

CREATE TABLE refund (
    id                INTEGER PRIMARY KEY,
    refund_no         TEXT NOT NULL UNIQUE,
    sale_id           INTEGER NOT NULL REFERENCES sale (id),
    staff_code        TEXT,
    created_at        TEXT NOT NULL,
    business_date     TEXT NOT NULL,
    net_fen           INTEGER NOT NULL,
    refund_fen        INTEGER NOT NULL,
    clawback_purchase INTEGER NOT NULL,
    clawback_bonus    INTEGER NOT NULL,
    returned_points   INTEGER NOT NULL,
    shortfall         INTEGER NOT NULL,
    complete          INTEGER NOT NULL
);
CREATE INDEX refund_sale ON refund (sale_id);

CREATE TABLE gift_stock (
    gift_code TEXT PRIMARY KEY,
    stock     INTEGER NOT NULL CHECK (stock >= 0)
);

CREATE TABLE coupon (
    id             INTEGER PRIMARY KEY,
    code           TEXT NOT NULL UNIQUE,
    member_id      INTEGER NOT NULL REFERENCES member (id),
    gift_code      TEXT NOT NULL,
    value_fen      INTEGER NOT NULL,
    min_spend_fen  INTEGER NOT NULL,
    issued_at      TEXT NOT NULL,
    valid_until    TEXT,
    used_at        TEXT,
    used_receipt_no TEXT
);
CREATE INDEX coupon_member ON coupon (member_id);

CREATE TABLE redemption (
    id            INTEGER PRIMARY KEY,
    redemption_no TEXT NOT NULL UNIQUE,
    member_id     INTEGER NOT NULL REFERENCES member (id),
    gift_code     TEXT NOT NULL,
    points        INTEGER NOT NULL,
    cash_fen      INTEGER NOT NULL,
    approved_by   TEXT,
    staff_code    TEXT,
    created_at    TEXT NOT NULL,
    business_date TEXT NOT NULL,
    coupon_code   TEXT
);
CREATE INDEX redemption_member ON redemption (member_id, business_date);

CREATE TABLE outbox (
    id         INTEGER PRIMARY KEY,
    kind       TEXT NOT NULL,
    ref        TEXT NOT NULL,
    entry_id   INTEGER UNIQUE REFERENCES ledger_entry (id),
    payload    TEXT NOT NULL DEFAULT '{}',
    created_at TEXT NOT NULL,
    batch_id   TEXT,
    acked_at   TEXT
);
CREATE INDEX outbox_pending ON outbox (id) WHERE acked_at IS NULL;

CREATE TABLE audit (
    id         INTEGER PRIMARY KEY,
    at         TEXT NOT NULL,
    staff_code TEXT,
    action     TEXT NOT NULL,
    ref        TEXT NOT NULL,
    details    TEXT NOT NULL DEFAULT '{}'
);

CREATE TABLE expiry_run (
    id          INTEGER PRIMARY KEY,
    as_of       TEXT NOT NULL,
    started_at  TEXT NOT NULL,
    finished_at TEXT,
    members     INTEGER NOT NULL DEFAULT 0,
    lots        INTEGER NOT NULL DEFAULT 0,
    points      INTEGER NOT NULL DEFAULT 0
);

-- The ledger, its lot movements and the audit trail are append-only.
CREATE TRIGGER ledger_entry_no_update BEFORE UPDATE ON ledger_entry
BEGIN SELECT RAISE(ABORT, 'ledger_entry is append-only'); END;
CREATE TRIGGER ledger_entry_no_delete BEFORE DELETE ON ledger_entry
BEGIN SELECT RAISE(ABORT, 'ledger_entry is append-only'); END;
CREATE TRIGGER lot_move_no_update BEFORE UPDATE ON lot_move
BEGIN SELECT RAISE(ABORT, 'lot_move is append-only'); END;
CREATE TRIGGER lot_move_no_delete BEFORE DELETE ON lot_move
BEGIN SELECT RAISE(ABORT, 'lot_move is append-only'); END;
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;
