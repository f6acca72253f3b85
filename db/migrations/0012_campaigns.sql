-- 0012: campaigns (issue 16): donation drives and lottery draws that headquarters publishes as
-- small TOML files (core/campaigns.py), received by the change feed (kind `campaign`) or loaded
-- by hand (`pos-app campaign load FILE`: a till without headquarters, demos, tests). A version
-- is immutable (its digest); a campaign's highest version held is the one that counts.
CREATE TABLE campaign (
    id           INTEGER PRIMARY KEY,
    campaign_id  TEXT NOT NULL,
    version      INTEGER NOT NULL,
    kind         TEXT NOT NULL,
    source       TEXT NOT NULL,
    digest       TEXT NOT NULL,
    published_at TEXT,
    loaded_at    TEXT NOT NULL,
    UNIQUE (campaign_id, version)
);
CREATE INDEX campaign_kind ON campaign (kind, campaign_id, version);
