"""``verify``: the ledger, its projections and hash chains agree, or the report says where not.

A full verify checks everything and, when it passes, leaves a signed checkpoint (see
``storage.integrity``). ``since_checkpoint`` checks only what came after that checkpoint; when there
is no usable checkpoint (none yet, its signature fails, rows it covered are gone) or the
incremental checks find anything wrong, a full verify runs instead and the report says why.
"""

from __future__ import annotations

from typing import Any

from pos_app.core.errors import DatabaseDamaged, DatabaseError, NotFound
from pos_app.services.context import Terminal
from pos_app.storage import integrity
from pos_app.storage.integrity import table_counts
from pos_app.storage.ledger import iso


def _program_check(t: Terminal) -> dict[str, Any]:
    """The active program's stored text parses and matches its digest (a till reads its rules from it)."""
    try:
        t.program  # noqa: B018 - parsing and checking is the point
    except NotFound:
        pass  # no program loaded yet: nothing to check
    except DatabaseDamaged as exc:
        return {"ok": False, "count": 1, "problems": [exc.params.get("damage", exc.message)]}
    return {"ok": True, "count": 0, "problems": []}


def _draws_check(t: Terminal) -> dict[str, Any]:
    """Every lottery draw held, drawn again from its recorded number and campaign version
    (``services.draws.verify_draws``): the prize it recorded is the one the odds give."""
    from pos_app.services.draws import verify_draws

    problems = verify_draws(t)
    return {"ok": not problems, "count": len(problems),
            "problems": [f"{p['draw_no']}: {p['problem']}" for p in problems]}


def verify(t: Terminal, *, since_checkpoint: bool = False, write_checkpoint: bool = True,
           quick_check: bool = True) -> dict[str, Any]:
    """Check the database; ``since_checkpoint``: only what came after the last signed checkpoint
    (``quick_check`` false: without SQLite's page check, whose time grows with the file).

    A passing run leaves a new checkpoint (unless ``write_checkpoint`` is false, or the database
    cannot be written: the report's ``checkpoint.written`` says)."""
    database = t.database
    mode, reason = "full", "full verify asked for"
    result: tuple[dict[str, dict[str, Any]], dict[str, Any]] | None = None
    if since_checkpoint:
        with database.reading():
            checkpoint, reason = integrity.read_checkpoint(database)
        if checkpoint is not None:
            got = integrity.run_incremental(database, checkpoint, quick_check=quick_check)
            if isinstance(got, str):
                reason = got
            elif all(c["ok"] for c in got[0].values()):
                mode, reason, result = "incremental", f"from the checkpoint of {checkpoint.get('at')}", got
            else:
                bad = [k for k, v in got[0].items() if not v["ok"]]
                reason = "the checks since the checkpoint found problems in " + ", ".join(bad)
                if bad == ["balances_equal_checkpoint_sums"]:
                    reason += " (members were pruned since, or a balance was changed)"
    if result is None:
        result = integrity.run_full(database)
    checks, body = result
    checks["loyalty_program"] = _program_check(t)
    checks["draws_recomputed"] = _draws_check(t)
    ok = all(c["ok"] for c in checks.values())
    written, why = False, "not asked to write one"
    if not ok:
        why = "verify found problems"
    elif database.damage:
        why = "the database is damaged"
    elif write_checkpoint:
        try:
            integrity.write_checkpoint(database, body, iso(t.clock()))
            written, why = True, "written"
        except DatabaseError as exc:  # a read-only or full disk: the check itself stands
            why = exc.message
    counts = table_counts(database) if mode == "full" else None
    report: dict[str, Any] = {
        "ok": ok, "store_id": t.store_id, "terminal_id": t.terminal_id, "mode": mode,
        "checkpoint": {"used": mode == "incremental", "reason": reason, "written": written, "why": why},
        "checks": checks}
    if counts is not None:
        report["counts"] = counts
    return report
