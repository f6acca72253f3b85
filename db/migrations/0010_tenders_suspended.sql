-- 0010: counter basics (issue 15 item 4).
-- A sale's tenders: each kind of payment with the amount it paid in fen (they add up to the
-- sale's tender_fen exactly) and, for cash, what the customer handed over; the change given is
-- on the sale. Sales written before this release get one tender row (their tender_kind).
CREATE TABLE sale_tender (
    id          INTEGER PRIMARY KEY,
    sale_id     INTEGER NOT NULL REFERENCES sale (id),
    seq         INTEGER NOT NULL,
    kind        TEXT NOT NULL,
    amount_fen  INTEGER NOT NULL CHECK (amount_fen >= 0),
    given_fen   INTEGER NOT NULL CHECK (given_fen >= amount_fen),
    UNIQUE (sale_id, seq)
);
ALTER TABLE sale ADD COLUMN change_fen INTEGER NOT NULL DEFAULT 0;
INSERT INTO sale_tender (sale_id, seq, kind, amount_fen, given_fen)
    SELECT id, 1, tender_kind, tender_fen, tender_fen FROM sale WHERE tender_fen > 0;

-- A refund's money back per tender (the sale's tenders pro rata, or as the cashier chose).
CREATE TABLE refund_tender (
    id          INTEGER PRIMARY KEY,
    refund_id   INTEGER NOT NULL REFERENCES refund (id),
    kind        TEXT NOT NULL,
    amount_fen  INTEGER NOT NULL CHECK (amount_fen >= 0)
);
CREATE INDEX refund_tender_refund ON refund_tender (refund_id);

-- A suspended basket (挂单): not a sale; no ledger entry, no receipt number until it is
-- resumed and completed. ``basket`` is the lines, member card and coupon as JSON.
CREATE TABLE suspended_sale (
    id            INTEGER PRIMARY KEY,
    label         TEXT NOT NULL,
    basket        TEXT NOT NULL,
    total_fen     INTEGER NOT NULL,
    staff_code    TEXT,
    suspended_at  TEXT NOT NULL
);

-- A gift redemption cancelled within its shift: when, by whom, the reversal entry's number.
ALTER TABLE redemption ADD COLUMN cancelled_at TEXT;
ALTER TABLE redemption ADD COLUMN cancelled_by TEXT;
