"""Importing members and their legacy points (with earn dates) from a CSV file."""

from __future__ import annotations

import csv
import datetime as dt
import io
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pos_app.core import lots as core_lots
from pos_app.core.errors import InvalidInput, PosError
from pos_app.core.members import normalize_phone, parse_birthday, validate_card_number, validate_name
from pos_app.core.money import parse_int
from pos_app.core.text import normalize_input
from pos_app.services.context import Terminal
from pos_app.services.members import member_payload
from pos_app.storage.ledger import iso

COLUMNS = ("phone", "name", "birthday", "card_no", "points", "earned_on")
MAX_ROWS = 2_000_000


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
    reader = csv.DictReader(io.StringIO(text))
    try:
        return _parse_rows(reader, today)
    except csv.Error as exc:  # e.g. a field longer than the csv module's limit (131,072 characters)
        raise InvalidInput("file", f"line {reader.line_num + 1}: not a readable CSV line ({exc}); "
                                   "nothing was written") from None


def _parse_rows(reader: csv.DictReader[str], today: dt.date) -> tuple[list[ImportRow], list[dict[str, Any]], int]:
    missing = [c for c in ("phone", "name") if c not in (reader.fieldnames or [])]
    if missing:
        raise InvalidInput("file", f"the CSV needs the columns {', '.join(COLUMNS)}; missing {', '.join(missing)}")
    rows, errors, n = [], [], 0
    for n, raw in enumerate(reader, start=1):
        line = n + 1  # the header is line 1
        if n > MAX_ROWS:
            raise InvalidInput("file", f"at most {MAX_ROWS} rows")
        try:
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
    return rows, errors, n


def import_members(t: Terminal, path: str | Path, *, dry_run: bool = False, skip_bad: bool = False,
                   staff_code: str | None = None) -> ImportReport:
    """All or nothing: nothing is written unless every row is valid (or ``skip_bad``)."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput("file", f"cannot read {p}: {exc}") from None
    stamp = t.stamp(None, staff_code)
    program = t.program
    rows, errors, total = _parse(text, stamp.day)
    report = ImportReport(rows=total, dry_run=dry_run)
    # cross-row and database checks: the same phone may repeat (several lots of one member)
    # but must agree on the card; phones and cards already in the database are refused.
    members: dict[str, list[ImportRow]] = {}
    cards: dict[str, str] = {}
    good: list[ImportRow] = []
    for r in rows:
        problem = None
        if t.repo.member_by_phone(r.phone) is not None:
            problem = ("phone", f"{r.phone} is already a member")
        elif r.card_no and (t.repo.member_by_card(r.card_no) is not None or cards.get(r.card_no, r.phone) != r.phone):
            problem = ("card_no", f"card {r.card_no} is already issued")
        elif r.phone in members and r.card_no and members[r.phone][0].card_no not in (None, r.card_no):
            problem = ("card_no", f"{r.phone} appears with two card numbers")
        if problem:
            errors.append({"line": r.line, "field": problem[0], "message": problem[1]})
            continue
        if r.card_no:
            cards[r.card_no] = r.phone
        members.setdefault(r.phone, []).append(r)
        good.append(r)
    errors.sort(key=lambda e: e["line"])
    report.errors = errors
    report.valid = len(good)
    report.members_created = len(members)
    report.points_imported = sum(r.points for r in good)
    if dry_run or (errors and not skip_bad):
        return report
    from pos_app.services.members import _new_card_number

    with t.database.transaction():
        for phone, group in members.items():
            first = group[0]
            card = next((r.card_no for r in group if r.card_no), None) or _new_card_number(t)
            member_id = t.repo.insert_member(
                uuid=str(uuid.uuid4()), phone=phone, name=first.name,
                birthday=first.birthday.isoformat() if first.birthday else None, card_no=card, status="active",
                consent=False, store_id=t.store_id, enrolled_at=iso(stamp.at), tier=program.tiers.tiers[0].id,
                tier_since=stamp.day.isoformat(),
            )
            member = t.repo.member_by_id(member_id)
            assert member is not None
            t.ledger.outbox_event("member", member.uuid, member_payload(member), stamp)
            for r in group:
                if not r.points or r.earned_on is None:
                    continue
                entry_id = t.ledger.append(
                    member_id=member_id, member_uuid=member.uuid, kind="import", points=r.points,
                    ref_type="import", ref_no=f"{p.name}:{r.line}",
                    breakdown={"earned_on": r.earned_on.isoformat(), "line": r.line}, stamp=stamp,
                    program_version=program.version,
                )
                t.ledger.credit_lot(member_id=member_id, entry_id=entry_id, points=r.points, earned_on=r.earned_on,
                                    expires_on=core_lots.expiry_date(program.expiry, r.earned_on))
        t.ledger.audit("member.import", p.name, {"members": len(members), "points": report.points_imported,
                                                 "skipped": len(errors)}, stamp)
    report.written = True
    return report
