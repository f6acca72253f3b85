-- 9: the console's pages on a large chain (issue 14, figure 17).
-- A member search by a name's first characters is a range of this index (code point order: the
-- BINARY collation; members_admin.search_members). PostgreSQL also gets store_day, the daily
-- figures its triggers keep; a SQLite headquarters (a small chain) counts its entries instead,
-- as a trigger per row would cost every push about a third more (docs/benchmarks.md, figure 17).
CREATE INDEX "member_name_uuid" ON "member" ("name", "uuid");
