-- 4: a first sync pages through a store's members by uuid (feed.snapshot_page): an index on
-- (store_id, uuid) instead of a scan of every member of the chain. (SQLite's integer keys are
-- 64-bit already; PostgreSQL's ids widen in its own file.)
CREATE INDEX "member_store_id_uuid" ON "member" ("store_id", "uuid");
