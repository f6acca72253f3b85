-- 0008: a full replica becomes a partial one. A member's last identification here (seen_at) is,
-- for members served before this release, the last entry of this till's own chain naming them.
-- Right after this script, inside the same transaction, the storage layer drops what the till
-- need not hold (pos_app/storage/prune.py, which the nightly keep-days run uses too): other
-- stores' members that no row of this till names and nobody identified here within
-- replica.keep_days, with their foreign entries, lots, lot moves, tier months and coupons.
UPDATE member SET seen_at = (
    SELECT max(e.created_at) FROM ledger_entry e
    WHERE e.member_id = member.id
      AND e.terminal_id = (SELECT value FROM setting WHERE key = 'terminal_id'))
WHERE seen_at IS NULL;

-- a member's deletion checks who names them as referrer: without this index every deleted member
-- scanned the whole member table (25 s for 18,000 of 20,000 members)
CREATE INDEX member_referrer ON member (referrer_id);
