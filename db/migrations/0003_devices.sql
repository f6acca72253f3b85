-- 0003: devices. The print queue retries with a back-off and keeps reprints apart;
-- revoked member cards and member QR codes (sent down by headquarters, or entered here)
-- are refused at the counter.

ALTER TABLE print_job ADD COLUMN next_try_at TEXT;
ALTER TABLE print_job ADD COLUMN reprint_of INTEGER REFERENCES print_job (id);

CREATE TABLE revoked_code (
    id         INTEGER PRIMARY KEY,
    kind       TEXT NOT NULL CHECK (kind IN ('card', 'member_qr')),
    value      TEXT NOT NULL,
    reason     TEXT NOT NULL DEFAULT '',
    revoked_at TEXT NOT NULL,
    UNIQUE (kind, value)
);
