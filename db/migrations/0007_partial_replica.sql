-- 0007: a partial replica. A till holds its own chain, its home store's members and the
-- members identified here lately, each with every entry headquarters holds of them.
-- seen_at: when this till last identified or served the member (it keeps the member while
-- within replica.keep_days). fresh_at: when this till last had the member's complete picture
-- from headquarters (an online lookup); the feed keeps it current afterwards.
ALTER TABLE member ADD COLUMN seen_at TEXT;
ALTER TABLE member ADD COLUMN fresh_at TEXT;
