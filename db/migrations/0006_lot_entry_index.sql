-- 0006: lots by the entry that created them. Crediting a lot names it by counting the lots its
-- entry already has (core.replica.lot_key); without this index every sale scanned the whole lot
-- table, other stores' pulled lots included.

CREATE INDEX lot_entry ON lot (entry_id);
