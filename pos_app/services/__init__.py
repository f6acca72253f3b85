"""Use cases. Each business operation is one transaction that writes the business rows, the
ledger entries and projections, the sync outbox rows and an audit row."""
