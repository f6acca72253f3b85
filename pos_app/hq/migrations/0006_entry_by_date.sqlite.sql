-- 6: the console's figures by business date (dashboard, reports) read an index range instead of
-- every entry; SQLite has no INCLUDE, so the covered columns are trailing keys.
CREATE INDEX "entry_business_date_store_id" ON "entry" ("business_date", "store_id", "kind", "points");
