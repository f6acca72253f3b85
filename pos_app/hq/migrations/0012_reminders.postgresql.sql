-- 12: expiry reminders posted to the chain's notification service (issue 16 item 5,
-- hq/reminders.py): one row per lot and notice window sent, so a member is reminded once per
-- lot and window; a run again sends only what is new. (10 and 11: campaigns and draws.)
CREATE TABLE IF NOT EXISTS "reminder_sent" ("lot_key" TEXT NOT NULL, "within_days" INTEGER NOT NULL, "member_uuid" TEXT NOT NULL, "points" BIGINT NOT NULL, "expires_on" TEXT NOT NULL, "batch" TEXT NOT NULL, "sent_at" TEXT NOT NULL, PRIMARY KEY ("lot_key", "within_days"));
CREATE INDEX IF NOT EXISTS "reminder_sent_member_uuid" ON "reminder_sent" ("member_uuid");
