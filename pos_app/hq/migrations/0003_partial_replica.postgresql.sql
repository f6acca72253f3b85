-- 3: a feed per till (partial replicas). Every change gets an audience ('*' every till,
-- 'S:<store>' a store's tills, 'T:<terminal>' one till), the member it is about, and the
-- writing transaction's id: readers order the feed by (txid, id) and read only transactions
-- older than every running one (pg_snapshot_xmin), so no lock serialises writers (see feed).
-- Rows written before this migration keep txid 0: they come first, in id order, as before.
ALTER TABLE "change" ADD COLUMN "audience" TEXT NOT NULL DEFAULT '*';
ALTER TABLE "change" ADD COLUMN "txid" BIGINT NOT NULL DEFAULT 0;
ALTER TABLE "change" ADD COLUMN "member_uuid" TEXT;
UPDATE "change" SET "audience" = 'S:' || "store_id" WHERE "store_id" IS NOT NULL;
UPDATE "change" SET "member_uuid" = "key" WHERE "kind" = 'member';
UPDATE "change" c SET "member_uuid" = e."member_uuid" FROM "entry" e WHERE c."kind" = 'entry' AND e."uuid" = c."key";
UPDATE "change" c SET "member_uuid" = k."member_uuid" FROM "coupon" k WHERE c."kind" = 'coupon' AND k."code" = c."key";
UPDATE "change" c SET "audience" = 'S:' || m."store_id" FROM "member" m WHERE c."member_uuid" IS NOT NULL AND m."uuid" = c."member_uuid";
ALTER TABLE "change" ALTER COLUMN "txid" SET DEFAULT (pg_current_xact_id()::text::bigint);
CREATE INDEX "change_audience_txid_id" ON "change" ("audience", "txid", "id");
CREATE TABLE "subscription" ("terminal_id" TEXT NOT NULL, "member_uuid" TEXT NOT NULL, "since" TEXT NOT NULL, "seen_at" TEXT NOT NULL, PRIMARY KEY ("terminal_id", "member_uuid"));
CREATE INDEX "subscription_member_uuid" ON "subscription" ("member_uuid");
