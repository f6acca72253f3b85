-- 10: campaigns (issue 16): donation drives and lottery draws as small TOML files
-- (core/campaigns.py), published with `pos-hq campaign publish FILE` and sent to every till by
-- the change feed (kind `campaign`). A version is immutable; a campaign's highest version counts.
CREATE TABLE "campaign" ("id" SERIAL NOT NULL PRIMARY KEY, "campaign_id" TEXT NOT NULL, "version" INTEGER NOT NULL, "kind" TEXT NOT NULL, "source" TEXT NOT NULL, "digest" TEXT NOT NULL, "published_at" TEXT NOT NULL, "published_by" TEXT);
CREATE UNIQUE INDEX "campaign_campaign_id_version" ON "campaign" ("campaign_id", "version");
-- A campaign's donations (`donate` entries, ref_no `<campaign>@<version>`) for `pos-hq report
-- donations`: a range of this index, covering, never the whole ledger.
CREATE INDEX "entry_donate" ON "entry" ("ref_no", "member_uuid", "points") WHERE "kind" = 'donate';
