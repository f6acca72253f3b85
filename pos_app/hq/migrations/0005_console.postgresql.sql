-- 5: the headquarters console (issue 14). Staff accounts with roles (argon2id password hashes,
-- lock-out after failed logins), their server-side sessions (only a sha256 of the cookie is
-- kept), maker-checker approvals, what a till reports of itself when it pulls (app version,
-- entries waiting, clock skew), a terminal's retirement, a program version's effective date,
-- resolutions of reconciliation flags, gift stock movements, and a member merged into another.
CREATE TABLE "staff" ("id" SERIAL NOT NULL PRIMARY KEY, "login" TEXT NOT NULL, "name" TEXT NOT NULL, "role" TEXT NOT NULL, "store_id" TEXT, "password_hash" TEXT NOT NULL, "active" BOOLEAN NOT NULL, "failed_logins" INTEGER NOT NULL, "locked_until" TEXT, "created_at" TEXT NOT NULL, "password_changed_at" TEXT NOT NULL, "last_login_at" TEXT);
CREATE UNIQUE INDEX "staff_login" ON "staff" ("login");
CREATE TABLE "console_session" ("token_hash" TEXT NOT NULL PRIMARY KEY, "staff_id" INTEGER NOT NULL, "csrf" TEXT NOT NULL, "created_at" TEXT NOT NULL, "last_seen_at" TEXT NOT NULL, "expires_at" TEXT NOT NULL, "client" TEXT NOT NULL);
CREATE INDEX "console_session_staff_id" ON "console_session" ("staff_id");
CREATE TABLE "approval" ("id" SERIAL NOT NULL PRIMARY KEY, "kind" TEXT NOT NULL, "status" TEXT NOT NULL, "ref" TEXT NOT NULL, "payload" TEXT NOT NULL, "made_by" TEXT NOT NULL, "made_at" TEXT NOT NULL, "checked_by" TEXT, "checked_at" TEXT, "note" TEXT NOT NULL, "result" TEXT NOT NULL);
CREATE INDEX "approval_status" ON "approval" ("status");
ALTER TABLE "terminal" ADD COLUMN "app_version" TEXT;
ALTER TABLE "terminal" ADD COLUMN "waiting" BIGINT;
ALTER TABLE "terminal" ADD COLUMN "clock_skew_s" INTEGER;
ALTER TABLE "terminal" ADD COLUMN "last_pull_at" TEXT;
ALTER TABLE "terminal" ADD COLUMN "retired_at" TEXT;
ALTER TABLE "program" ADD COLUMN "effective_on" TEXT;
ALTER TABLE "flag" ADD COLUMN "resolved_at" TEXT;
ALTER TABLE "flag" ADD COLUMN "resolved_by" TEXT;
ALTER TABLE "flag" ADD COLUMN "resolution" TEXT;
ALTER TABLE "flag" ADD COLUMN "resolution_note" TEXT;
CREATE INDEX "flag_terminal_id" ON "flag" ("terminal_id");
CREATE TABLE "gift_stock_move" ("id" BIGSERIAL NOT NULL PRIMARY KEY, "store_id" TEXT NOT NULL, "gift_code" TEXT NOT NULL, "kind" TEXT NOT NULL, "qty" BIGINT NOT NULL, "stock_after" BIGINT NOT NULL, "ref" TEXT NOT NULL, "at" TEXT NOT NULL, "actor" TEXT NOT NULL);
CREATE INDEX "gift_stock_move_store_id_gift_code_id" ON "gift_stock_move" ("store_id", "gift_code", "id");
ALTER TABLE "member" ADD COLUMN "merged_into" TEXT;
