"""``verify``: the ledger, its projections and hash chains agree, or the report says where not."""

from __future__ import annotations

from typing import Any

from pos_app.core.errors import DatabaseDamaged, NotFound
from pos_app.services.context import Terminal
from pos_app.storage.integrity import run_checks, table_counts


def _program_check(t: Terminal) -> dict[str, Any]:
    """The active program's stored text parses and matches its digest (a till reads its rules from it)."""
    try:
        t.program  # noqa: B018 - parsing and checking is the point
    except NotFound:
        pass  # no program loaded yet: nothing to check
    except DatabaseDamaged as exc:
        return {"ok": False, "count": 1, "problems": [exc.params.get("damage", exc.message)]}
    return {"ok": True, "count": 0, "problems": []}


def verify(t: Terminal) -> dict[str, Any]:
    checks = run_checks(t.database)
    checks["loyalty_program"] = _program_check(t)
    counts = table_counts(t.database)
    return {"ok": all(c["ok"] for c in checks.values()), "store_id": t.store_id, "terminal_id": t.terminal_id,
            "counts": counts, "checks": checks}
