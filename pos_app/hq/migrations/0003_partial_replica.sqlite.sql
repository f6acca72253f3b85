-- 3: a feed per till (partial replicas). Every change gets an audience ('*' every till,
-- 'S:<store>' a store's tills, 'T:<terminal>' one till), the member it is about, and the
-- writing transaction's id (0 on SQLite: writers are serialised, ids are commit order).
-- Existing changes are given the audience they would have today: a store's own rows stay
-- its store's, member-scoped rows go to the member's home store.
ALTER TABLE "change" ADD COLUMN "audience" TEXT NOT NULL DEFAULT '*';
ALTER TABLE "change" ADD COLUMN "txid" BIGINT NOT NULL DEFAULT 0;
ALTER TABLE "change" ADD COLUMN "member_uuid" TEXT;
UPDATE "change" SET "audience" = 'S:' || "store_id" WHERE "store_id" IS NOT NULL;
UPDATE "change" SET "member_uuid" = "key" WHERE "kind" = 'member';
UPDATE "change" SET "member_uuid" = (SELECT e."member_uuid" FROM "entry" e WHERE e."uuid" = "change"."key") WHERE "kind" = 'entry';
UPDATE "change" SET "member_uuid" = (SELECT c."member_uuid" FROM "coupon" c WHERE c."code" = "change"."key") WHERE "kind" = 'coupon';
UPDATE "change" SET "audience" = 'S:' || (SELECT m."store_id" FROM "member" m WHERE m."uuid" = "change"."member_uuid") WHERE "member_uuid" IS NOT NULL AND EXISTS (SELECT 1 FROM "member" m WHERE m."uuid" = "change"."member_uuid");
CREATE INDEX "change_audience_txid_id" ON "change" ("audience", "txid", "id");
CREATE TABLE "subscription" ("terminal_id" TEXT NOT NULL, "member_uuid" TEXT NOT NULL, "since" TEXT NOT NULL, "seen_at" TEXT NOT NULL, PRIMARY KEY ("terminal_id", "member_uuid"));
CREATE INDEX "subscription_member_uuid" ON "subscription" ("member_uuid");
