-- 9: the console's pages on a large chain (issue 14, figure 17).
-- A member search by a name's first characters is a range of this index in code point order
-- (members_admin.search_members), whatever the database's collation.
CREATE INDEX "member_name_uuid" ON "member" ("name" COLLATE "C", "uuid");
-- Points issued and redeemed per business day and store whose machine wrote the entries (the
-- issued-and-redeemed report reads these rows, not millions of entries). Kept by the triggers
-- below in the inserting transaction, so always exact: one upsert per INSERT statement (a push
-- inserts its entries in one statement), rows in key order so two pushes never deadlock.
CREATE TABLE "store_day" ("business_date" TEXT NOT NULL, "store_id" TEXT NOT NULL, "issued" BIGINT NOT NULL, "redeemed" BIGINT NOT NULL, "entries" BIGINT NOT NULL, PRIMARY KEY ("business_date", "store_id"));
INSERT INTO "store_day" ("business_date", "store_id", "issued", "redeemed", "entries")
  SELECT "business_date", "store_id",
         sum(CASE WHEN "points" > 0 AND "kind" NOT IN ('return', 'expire_fix', 'merge_in', 'merge_out') THEN "points" ELSE 0 END),
         sum(CASE WHEN "kind" IN ('redeem', 'gift') THEN -"points" ELSE 0 END), count(*)
  FROM "entry" GROUP BY "business_date", "store_id";
CREATE FUNCTION "store_day_add"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "store_day" AS d ("business_date", "store_id", "issued", "redeemed", "entries")
    SELECT "business_date", "store_id",
           sum(CASE WHEN "points" > 0 AND "kind" NOT IN ('return', 'expire_fix', 'merge_in', 'merge_out') THEN "points" ELSE 0 END),
           sum(CASE WHEN "kind" IN ('redeem', 'gift') THEN -"points" ELSE 0 END), count(*)
    FROM "new_rows" GROUP BY "business_date", "store_id" ORDER BY "business_date", "store_id"
  ON CONFLICT ("business_date", "store_id") DO UPDATE SET "issued" = d."issued" + excluded."issued",
    "redeemed" = d."redeemed" + excluded."redeemed", "entries" = d."entries" + excluded."entries";
  RETURN NULL;
END $$;
CREATE FUNCTION "store_day_remove"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE "store_day" AS d SET "issued" = d."issued" - o."issued", "redeemed" = d."redeemed" - o."redeemed",
         "entries" = d."entries" - o."entries"
  FROM (SELECT "business_date", "store_id",
               sum(CASE WHEN "points" > 0 AND "kind" NOT IN ('return', 'expire_fix', 'merge_in', 'merge_out') THEN "points" ELSE 0 END) AS "issued",
               sum(CASE WHEN "kind" IN ('redeem', 'gift') THEN -"points" ELSE 0 END) AS "redeemed", count(*) AS "entries"
        FROM "old_rows" GROUP BY "business_date", "store_id") o
  WHERE d."business_date" = o."business_date" AND d."store_id" = o."store_id";
  RETURN NULL;
END $$;
CREATE TRIGGER "store_day_add" AFTER INSERT ON "entry" REFERENCING NEW TABLE AS "new_rows" FOR EACH STATEMENT EXECUTE FUNCTION "store_day_add"();
CREATE TRIGGER "store_day_remove" AFTER DELETE ON "entry" REFERENCING OLD TABLE AS "old_rows" FOR EACH STATEMENT EXECUTE FUNCTION "store_day_remove"();
