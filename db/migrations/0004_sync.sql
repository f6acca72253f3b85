-- 0004: sync with headquarters. Lots are named across machines by a key (core.replica.lot_key):
-- the uuid of the entry that created the lot, "#n" for its second and later lots. Lots created
-- here and lots created by entries imported from other terminals are keyed alike.

ALTER TABLE lot ADD COLUMN key TEXT;

UPDATE lot SET key = (SELECT e.uuid FROM ledger_entry e WHERE e.id = lot.entry_id)
    || CASE (SELECT count(*) FROM lot l2 WHERE l2.entry_id = lot.entry_id AND l2.id < lot.id)
       WHEN 0 THEN ''
       ELSE '#' || (SELECT count(*) FROM lot l2 WHERE l2.entry_id = lot.entry_id AND l2.id < lot.id)
       END;

CREATE UNIQUE INDEX lot_key ON lot (key);

-- the outbox rows of one batch, found at once when a batch is resent or acknowledged
CREATE INDEX outbox_batch ON outbox (batch_id) WHERE batch_id IS NOT NULL;
