-- 4: a first sync pages through a store's members by uuid (feed.snapshot_page): an index on
-- (store_id, uuid) instead of a scan of every member of the chain.
-- The ids of the tables that grow with the chain's sales become 64-bit: migration 1 made them
-- SERIAL (32-bit, about 2.1 billion rows). A chain of 2,000 stores writes about 3 million entries
-- and, with the feed's fan-out and member records, some 7 million changes a day: `change` would
-- run out within a year. Each ALTER rewrites its table once (minutes for tens of millions of
-- rows, under an exclusive lock): done now, while the tables are small.
CREATE INDEX "member_store_id_uuid" ON "member" ("store_id", "uuid");
ALTER TABLE "entry" ALTER COLUMN "id" TYPE BIGINT;
ALTER SEQUENCE "entry_id_seq" AS BIGINT;
ALTER TABLE "event" ALTER COLUMN "id" TYPE BIGINT;
ALTER SEQUENCE "event_id_seq" AS BIGINT;
ALTER TABLE "lot" ALTER COLUMN "id" TYPE BIGINT;
ALTER SEQUENCE "lot_id_seq" AS BIGINT;
ALTER TABLE "lot_move" ALTER COLUMN "id" TYPE BIGINT;
ALTER SEQUENCE "lot_move_id_seq" AS BIGINT;
ALTER TABLE "change" ALTER COLUMN "id" TYPE BIGINT;
ALTER SEQUENCE "change_id_seq" AS BIGINT;
ALTER TABLE "flag" ALTER COLUMN "id" TYPE BIGINT;
ALTER SEQUENCE "flag_id_seq" AS BIGINT;
ALTER TABLE "audit" ALTER COLUMN "id" TYPE BIGINT;
ALTER SEQUENCE "audit_id_seq" AS BIGINT
