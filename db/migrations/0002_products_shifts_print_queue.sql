-- 0002: the product catalogue the basket scans from, cashier shifts, and the persistent
-- print queue (a receipt is queued in the same transaction as its sale).

CREATE TABLE product (
    id        INTEGER PRIMARY KEY,
    sku       TEXT NOT NULL UNIQUE,
    barcode   TEXT UNIQUE,
    name      TEXT NOT NULL,
    category  TEXT NOT NULL,
    price_fen INTEGER NOT NULL CHECK (price_fen > 0),
    flags     TEXT NOT NULL DEFAULT '',
    active    INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX product_name ON product (name);

-- A shift is a wall-clock window of one cashier on this terminal; at most one is open.
CREATE TABLE shift (
    id         INTEGER PRIMARY KEY,
    shift_no   TEXT NOT NULL UNIQUE,
    staff_code TEXT NOT NULL,
    opened_at  TEXT NOT NULL,
    closed_at  TEXT,
    report     TEXT
);
CREATE UNIQUE INDEX shift_one_open ON shift ((closed_at IS NULL)) WHERE closed_at IS NULL;

CREATE TABLE print_job (
    id         INTEGER PRIMARY KEY,
    kind       TEXT NOT NULL,
    ref        TEXT NOT NULL,
    payload    TEXT NOT NULL DEFAULT '{}',
    status     TEXT NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'printed', 'failed')),
    attempts   INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    created_at TEXT NOT NULL,
    printed_at TEXT
);
CREATE INDEX print_job_pending ON print_job (id) WHERE status <> 'printed';
CREATE INDEX sale_recorded ON sale (recorded_at);
CREATE INDEX ledger_recorded ON ledger_entry (recorded_at);
