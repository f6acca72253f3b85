"""``verify``: the ledger, its projections and hash chains agree, or the report says where not."""

from __future__ import annotations

from typing import Any

from pos_app.services.context import Terminal
from pos_app.storage.integrity import run_checks


def verify(t: Terminal) -> dict[str, Any]:
    checks = run_checks(t.database)
    counts = {name: t.database.execute(f"SELECT count(*) FROM {name}").fetchone()[0]
              for name in ("member", "ledger_entry", "lot", "sale", "outbox")}
    return {"ok": all(c["ok"] for c in checks.values()), "store_id": t.store_id, "terminal_id": t.terminal_id,
            "counts": counts, "checks": checks}
