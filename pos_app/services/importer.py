"""Importing members and their legacy points (with earn dates) from a CSV file."""

from __future__ import annotations

import datetime as dt
import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pos_app.core import lots as core_lots
from pos_app.core.catalog import decode
from pos_app.core.errors import DatabaseError, InvalidInput, PosError
from pos_app.core.members import normalize_phone, parse_birthday, validate_card_number, validate_name
from pos_app.core.money import parse_int
from pos_app.core.program import Program
from pos_app.core.text import csv_table, normalize_input
from pos_app.services.context import Terminal
from pos_app.services.members import _new_card_number, member_payload
from pos_app.storage.ledger import Stamp, iso

log = logging.getLogger(__name__)

COLUMNS = ("phone", "name", "birthday", "card_no", "points", "earned_on")
MAX_ROWS = 2_000_000
#: how long one import transaction holds the write lock at most (a sale at the counter waits
#: this long at worst, well inside the connection's busy timeout of 5 s)
CHUNK_SECONDS = 0.5
#: the pause between two import transactions: longer than SQLite's longest step between two
#: tries of a connection waiting for the lock (100 ms), so a waiting sale gets the lock
LOCK_GAP_SECONDS = 0.12
#: how long in all an import waits for a counter that keeps the lock busy before it gives up
BUSY_PATIENCE_SECONDS = 120.0


@dataclass
class ImportRow:
    line: int
    phone: str
    name: str
    birthday: dt.date | None
    card_no: str | None
    points: int
    earned_on: dt.date | None


@dataclass
class ImportReport:
    rows: int = 0
    valid: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    members_created: int = 0
    points_imported: int = 0
    written: bool = False
    dry_run: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {"rows": self.rows, "valid": self.valid, "invalid": len(self.errors), "errors": self.errors,
                "members_created": self.members_created, "points_imported": self.points_imported,
                "written": self.written, "dry_run": self.dry_run}


def _parse(text: str, today: dt.date) -> tuple[list[ImportRow], list[dict[str, Any]], int]:
    rows, errors = [], []
    for line, raw in csv_table(text, required=("phone", "name"), columns=", ".join(COLUMNS), max_rows=MAX_ROWS):
        try:
            if isinstance(raw, PosError):
                raise raw
            points_text = (raw.get("points") or "").strip()
            points = parse_int(points_text, field="points") if points_text else 0
            if points < 0 or points > 10_000_000:
                raise InvalidInput("points", f"must be from 0 to 10000000, got {points}")
            earned_text = normalize_input(raw.get("earned_on") or "")
            earned = None
            if points:
                if not earned_text:
                    raise InvalidInput("earned_on", "legacy points need the date they were earned")
                try:
                    earned = dt.date.fromisoformat(earned_text)
                except ValueError:
                    raise InvalidInput("earned_on", f"not a date such as 2025-03-01: {earned_text!r}") from None
                if earned > today:
                    raise InvalidInput("earned_on", f"is in the future: {earned_text}")
            bday_text = (raw.get("birthday") or "").strip()
            card_text = (raw.get("card_no") or "").strip()
            rows.append(ImportRow(
                line=line, phone=normalize_phone(raw.get("phone") or ""), name=validate_name(raw.get("name") or ""),
                birthday=parse_birthday(bday_text, today=today) if bday_text else None,
                card_no=validate_card_number(card_text, field="card_no") if card_text else None,
                points=points, earned_on=earned,
            ))
        except PosError as exc:
            errors.append({"line": line, "field": exc.field, "message": exc.message})
    return rows, errors, len(rows) + len(errors)


def import_members(t: Terminal, path: str | Path, *, dry_run: bool = False, skip_bad: bool = False,
                   staff_code: str | None = None) -> ImportReport:
    """Nothing is written unless every row is valid (or ``skip_bad``); the dry run reports every
    invalid row with its line. The rows are written in transactions of ``CHUNK_SECONDS`` at
    most, with a pause between them for the counter's sales."""
    p = Path(path)
    text = read_csv_file(p)
    stamp = t.stamp(None, staff_code)
    program = t.program
    rows, errors, total = _parse(text, stamp.day)
    report = ImportReport(rows=total, dry_run=dry_run)
    # cross-row and database checks: a phone or card may appear once in the file and must
    # not be a member's already
    first_line: dict[str, int] = {}
    cards: dict[str, int] = {}
    good: list[ImportRow] = []
    for r in rows:
        problem = None
        if r.phone in first_line:
            problem = ("phone", f"{r.phone} is on line {first_line[r.phone]} already")
        elif r.card_no in cards:
            problem = ("card_no", f"card {r.card_no} is on line {cards[r.card_no]} already")
        elif t.repo.member_by_phone(r.phone) is not None:
            problem = ("phone", f"{r.phone} is already a member")
        elif r.card_no and t.repo.member_by_card(r.card_no) is not None:
            problem = ("card_no", f"card {r.card_no} is already issued")
        if problem:
            errors.append({"line": r.line, "field": problem[0], "message": problem[1]})
            continue
        first_line[r.phone] = r.line
        if r.card_no:
            cards[r.card_no] = r.line
        good.append(r)
    errors.sort(key=lambda e: e["line"])
    report.errors = errors
    report.valid = len(good)
    report.members_created = len(good)
    report.points_imported = sum(r.points for r in good)
    if dry_run or (errors and not skip_bad):
        return report
    # written in short transactions with a pause between them, so a sale at the counter gets the
    # write lock in the meantime (one transaction for a large file held it for minutes, and the
    # till's sales failed with "database is locked")
    report.members_created = report.points_imported = 0
    write_in_chunks(t, len(good), lambda start: _write_chunk(t, program, good, start, p.name, stamp, report),
                    what="member import")
    with t.database.transaction():
        t.ledger.audit("member.import", p.name, {"members": report.members_created,
                                                 "points": report.points_imported,
                                                 "skipped": len(report.errors)}, stamp)
    report.errors.sort(key=lambda e: e["line"])
    report.written = True
    return report


def read_csv_file(path: str | Path) -> str:
    """An import file's text: UTF-8 with or without a BOM, or GB18030 (``core.catalog.decode``)."""
    p = Path(path)
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise InvalidInput("file", f"cannot read {p}: {exc}") from None
    return decode(data, field="file")


def write_in_chunks(t: Terminal, total: int, write_chunk: Callable[[int], int], *, what: str) -> None:
    """Write ``total`` prepared rows by ``write_chunk(start) -> next start``, one transaction of
    ``CHUNK_SECONDS`` at most per call, with a pause between them so a sale at the counter
    gets the write lock in the meantime (one transaction for a large file held it for
    minutes, and the till's sales failed with "database is locked"). A chunk the counter kept
    the lock from past the busy timeout was rolled back whole: it is tried again, for
    ``BUSY_PATIENCE_SECONDS`` at most, instead of failing half-way."""
    done = 0
    busy_since: float | None = None
    while done < total:
        try:
            done = write_chunk(done)
            busy_since = None
        except DatabaseError as exc:
            busy_since = busy_since or time.monotonic()
            if exc.params.get("reason") != "busy" or time.monotonic() - busy_since >= BUSY_PATIENCE_SECONDS:
                raise
            log.info("%s waits for the counter: the database stayed busy (%d of %d rows written)", what, done, total)
        if done < total:
            time.sleep(LOCK_GAP_SECONDS)  # a writer waiting on the lock retries within this gap


def _write_chunk(t: Terminal, program: Program, good: list[ImportRow], start: int, file_name: str, stamp: Stamp,
                 report: ImportReport) -> int:
    """Rows from ``good[start]`` on, in one transaction of ``CHUNK_SECONDS`` at most; returns
    where the next chunk starts. The report counts a chunk only once it is committed."""
    created = points = 0
    late: list[dict[str, Any]] = []
    index = start
    deadline = time.monotonic() + CHUNK_SECONDS
    with t.database.transaction():
        while index < len(good) and time.monotonic() < deadline:
            row = good[index]
            index += 1
            # enrolled at the counter since the checks above: reported, not written twice
            taken = ("phone" if t.repo.member_by_phone(row.phone) is not None else
                     "card_no" if row.card_no and t.repo.member_by_card(row.card_no) is not None else None)
            if taken:
                late.append({"line": row.line, "field": taken,
                             "message": f"{row.phone} became a member while importing"})
                continue
            _write_row(t, program, row, file_name, stamp)
            created += 1
            points += row.points
    report.members_created += created
    report.points_imported += points
    report.errors.extend(late)
    report.valid -= len(late)
    return index


def _write_row(t: Terminal, program: Program, r: ImportRow, file_name: str, stamp: Stamp) -> None:
    member_id = t.repo.insert_member(
        uuid=str(uuid.uuid4()), phone=r.phone, name=r.name,
        birthday=r.birthday.isoformat() if r.birthday else None, card_no=r.card_no or _new_card_number(t),
        status="active", consent=False, store_id=t.store_id, enrolled_at=iso(stamp.at),
        tier=program.tiers.tiers[0].id, tier_since=stamp.day.isoformat(),
    )
    member = t.repo.member_by_id(member_id)
    assert member is not None
    t.ledger.outbox_event("member", member.uuid, member_payload(member), stamp)
    if r.points and r.earned_on is not None:
        entry_id = t.ledger.append(
            member_id=member_id, member_uuid=member.uuid, kind="import", points=r.points,
            ref_type="import", ref_no=f"{file_name}:{r.line}",
            breakdown={"earned_on": r.earned_on.isoformat(), "line": r.line}, stamp=stamp,
            program_version=program.version,
        )
        t.ledger.credit_lot(member_id=member_id, entry_id=entry_id, points=r.points, earned_on=r.earned_on,
                            expires_on=core_lots.expiry_date(program.expiry, r.earned_on))
