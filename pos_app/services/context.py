"""The terminal: an open database, its identity, the active program and the clock."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path

from pos_app.core.errors import InvalidInput, NotFound, PosError, ProgramError
from pos_app.core.program import Program, parse_program
from pos_app.services.paths import app_paths
from pos_app.storage.database import Database, open_database
from pos_app.storage.ledger import Ledger, Stamp, iso
from pos_app.storage.paths import reference_program_path
from pos_app.storage.repo import Repo

_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_\-]{0,15}$")


def default_db() -> str:
    """``$POS_APP_DB``, else ``pos.db`` under ``$POS_APP_HOME`` or the user data directory
    (``services.paths`` decides)."""
    return str(app_paths().database)


def system_now() -> dt.datetime:
    return dt.datetime.now().replace(microsecond=0)


class Terminal:
    """Everything a use case needs. Built once by the composition root (CLI or window)."""

    def __init__(self, database: Database, *, clock: Callable[[], dt.datetime] | None = None) -> None:
        self.database = database
        # None: the computer's clock, looked up now (a test replaces ``context.system_now``)
        self.clock = clock if clock is not None else system_now
        self.repo = Repo(database)
        store_id = self.repo.setting("store_id")
        terminal_id = self.repo.setting("terminal_id")
        if not store_id or not terminal_id:
            raise NotFound("db", "this database has no store and terminal yet; run `pos-app init`")
        self.store_id = store_id
        self.terminal_id = terminal_id
        self.ledger = Ledger(database, terminal_id)
        self._program: tuple[int, Program] | None = None
        self._pinned: tuple[object, Program] | None = None  # (transaction token, active program)

    @classmethod
    def open(cls, path: str | Path, *, clock: Callable[[], dt.datetime] | None = None,
             damaged_ok: bool = False) -> Terminal:
        """``damaged_ok``: open a damaged database to report on it (``verify``); it is never written."""
        return cls(open_database(path, damaged_ok=damaged_ok), clock=clock)

    def close(self) -> None:
        self.database.close()

    @property
    def program(self) -> Program:
        """The active program: the one loaded last, or a later version headquarters published
        ahead once its effective date is the clock's business date (a back-dated sale earns under
        today's). Inside a transaction it is read once and kept until the transaction ends (a
        sale asks for it at every step; another till's or a sync pull's change cannot land
        meanwhile); outside one, every call checks which version is active. A version's text
        never changes, so its parse is kept."""
        token = self.database.transaction_token()
        pinned = self._pinned
        if token is not None and pinned is not None and pinned[0] is token:
            return pinned[1]
        row_id = self.repo.active_program_id(self.clock().date())
        if row_id is None:
            raise NotFound("program", "no loyalty program is loaded; run `pos-app program load FILE`")
        if self._program is None or self._program[0] != row_id:
            self._program = (row_id, self._parse_stored_program(row_id))
        program = self._program[1]
        if token is not None:
            self._pinned = (token, program)
        return program

    def _parse_stored_program(self, row_id: int) -> Program:
        """The stored program text, parsed and checked against the digest it was stored with: a
        text damaged in the file is a damaged database (no rule is ever read from it)."""
        try:
            source, digest = self.repo.program_source(row_id), self.repo.program_digest(row_id)
            program = parse_program(source)
        except ProgramError as exc:
            problem = exc.message
        except PosError:
            raise
        except Exception as exc:  # reading one row's text: "Could not decode to UTF-8", a damaged page
            error = self.database.explain(exc)
            if error is not None:
                raise error from None
            problem = str(exc).splitlines()[0][:120]
        else:
            if program.digest == digest:
                return program
            problem = "its text no longer matches the digest it was stored with"
        self.database.damage = f"the stored loyalty program (row {row_id}) is damaged: {problem}"
        raise self.database.damaged_error()

    def stamp(self, at: dt.datetime | None = None, staff_code: str | None = None) -> Stamp:
        """Business time ``at`` (back-dated entry) or now; the future is refused."""
        now = self.clock()
        if at is not None and at > now + dt.timedelta(minutes=5):
            raise InvalidInput("at", f"{at.isoformat()} is in the future (now {now.isoformat(timespec='minutes')})")
        return Stamp(at=at or now, recorded_at=now, staff_code=staff_code)

    def receipt_prefix(self) -> str:
        return f"{self.store_id}-{self.terminal_id}"


def check_identity(store_id: str, terminal_id: str) -> None:
    """A store and terminal number: 1 to 16 letters, digits, - or _ (``InvalidInput`` names which)."""
    for name, value in (("store", store_id), ("terminal", terminal_id)):
        if not isinstance(value, str) or not _ID_RE.match(value):
            raise InvalidInput(name, f"1 to 16 letters, digits, - or _: {value!r}")


def init_terminal(path: str | Path, *, store_id: str, terminal_id: str,
                  clock: Callable[[], dt.datetime] | None = None) -> Terminal:
    """Create (or reopen) a terminal database for a store and terminal identity."""
    check_identity(store_id, terminal_id)
    database = open_database(path, create=True)
    repo = Repo(database)
    existing = (repo.setting("store_id"), repo.setting("terminal_id"))
    if existing != (None, None) and existing != (store_id, terminal_id):
        database.close()
        raise InvalidInput("terminal", f"this database already belongs to {existing[0]}/{existing[1]}")
    if existing == (None, None):
        with database.transaction():
            repo.set_setting("store_id", store_id)
            repo.set_setting("terminal_id", terminal_id)
    return Terminal(database, clock=clock)


def load_program(t: Terminal, source: str, *, staff_code: str | None = None) -> Program:
    """Validate a program file and make it the active program (one transaction)."""
    program = parse_program(source)
    stamp = t.stamp(staff_code=staff_code)
    with t.database.transaction():
        new = t.repo.store_program(program_id=program.program_id, version=program.version,
                                   digest=program.digest, source=source, at=iso(stamp.recorded_at))
        for gift in program.gifts:
            if gift.stock_tracked and t.repo.gift_stock(gift.code) is None:
                t.repo.set_gift_stock(gift.code, 0)
        t.ledger.audit("program.load", f"{program.program_id}@{program.version}",
                       {"digest": program.digest, "new": new}, stamp)
    return program


def load_program_file(t: Terminal, path: str | Path) -> Program:
    p = Path(path)
    try:
        source = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ProgramError("file", f"cannot read {p}: {exc}") from None
    return load_program(t, source)


def reference_program_source() -> str:
    return reference_program_path().read_text(encoding="utf-8")
