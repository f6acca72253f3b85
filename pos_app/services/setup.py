"""First start of a till: the database made from nothing, in one step that either completes or
leaves no file behind.

The cashier window calls ``first_start`` when there is no database yet (a fresh install): the
store and terminal identity, the shipped reference program and the first manager. The same
steps exist one by one on the command line (``pos-app init``, ``program load``, ``staff add``).
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from pos_app.core.errors import InvalidInput
from pos_app.services import staff
from pos_app.services.context import Terminal, check_identity, init_terminal, load_program
from pos_app.storage.database import private_dir
from pos_app.storage.paths import reference_program_path


def check_first_start(*, store_id: str, terminal_id: str, manager_code: str, manager_name: str,
                      pin: str, pin_again: str) -> None:
    """Every field checked before anything is written; raises ``InvalidInput`` naming the field."""
    check_identity(store_id, terminal_id)
    staff.check_new_staff(code=manager_code, name=manager_name, role="manager", pin=pin)
    if pin != pin_again:
        raise InvalidInput("pin_again", "the two PINs differ")


def first_start(path: str | Path, *, store_id: str, terminal_id: str, manager_code: str, manager_name: str,
                pin: str, pin_again: str) -> Terminal:
    """Create the till's database at ``path`` (which must not exist): identity, the reference
    program, the first manager. Built in a temporary file beside ``path`` and renamed into place
    when complete, so a failure or a power cut leaves no half-made database."""
    check_first_start(store_id=store_id, terminal_id=terminal_id, manager_code=manager_code,
                      manager_name=manager_name, pin=pin, pin_again=pin_again)
    target = Path(path)
    if target.exists():
        raise InvalidInput("db", f"a database exists already at {target}")
    private_dir(target.parent)
    tmp = target.with_name(f".{target.name}.first-start")
    _remove(tmp)
    try:
        t = init_terminal(tmp, store_id=store_id, terminal_id=terminal_id)
        try:
            load_program(t, reference_program_path().read_text(encoding="utf-8"))
            staff.create_staff(t, code=manager_code, name=manager_name, role="manager", pin=pin)
            t.database.checkpoint()
        finally:
            t.close()
        os.replace(tmp, target)
    finally:
        _remove(tmp)
    return Terminal.open(target)


def _remove(db_file: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        with contextlib.suppress(FileNotFoundError):
            Path(f"{db_file}{suffix}").unlink()
