"""Expiry reminders from headquarters (issue 16 item 5): the members whose points expire in the
next N days, as a list (``pos-hq report expiring --within 30 --csv FILE``) and as JSON batches
posted to the chain's notification service (``pos-hq remind expiring --within 7``), which sends
the SMS or WeChat template messages itself.

Both read HQ's lots by their last valid day: a range of the ``lot.expires_on`` index (today up
to today + N - 1, as the tills count a notice window), never every lot of the chain.

The webhook (settings ``remind.webhook_url`` and ``remind.webhook_secret``, the secret sealed
like a terminal's) receives ``{"batch", "kind": "points_expiring", "within_days", "as_of",
"members": [{"member_uuid", "phone", "name", "store_id", "points", "first_expiry"}]}``, signed:
``X-Signature: sha256=<hex HMAC-SHA256 of the body with the secret>``, ``Idempotency-Key``: the
batch id. Only members who agreed to be contacted (``consent``) are sent. A member is reminded
once per lot and window: what was sent is recorded (``reminder_sent``, HQ migration 12) in the
transaction that follows the service's 2xx answer, so a run again sends only what is new; a
failed post is retried (``ATTEMPTS``) and then reported, nothing recorded. Each run is audited.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import hmac
import io
import json
import logging
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pos_app.core.errors import InvalidInput, NotFound, PermissionDenied, RuleViolation
from pos_app.core.members import mask_phone
from pos_app.hq import db, sealing

log = logging.getLogger(__name__)

URL_SETTING = "remind.webhook_url"
SECRET_SETTING = "remind.webhook_secret"
SECRET_PURPOSE = "setting:remind.webhook_secret"
#: members per posted batch
BATCH_SIZE = 500
#: tries per batch, with a pause growing between them
ATTEMPTS = 3
RETRY_PAUSE_S = 0.5
#: roles whose staff may see full phone numbers in the report (audited)
FULL_PHONE_ROLES = ("admin", "marketing")
COLUMNS = ("member_uuid", "phone", "points", "first_expiry", "store_id")


def check_within(within: object) -> int:
    if isinstance(within, bool) or not isinstance(within, int) or not 1 <= within <= 366:
        raise InvalidInput("within", f"a number of days from 1 to 366 is required, got {within!r}")
    return within


def _query(sql: str, params: tuple[Any, ...]) -> list[tuple[Any, ...]]:
    database = db.opened()
    if db.is_postgres(database):
        sql = sql.replace("?", "%s")
    return list(database.execute_sql(sql, params).fetchall())  # type: ignore[no-untyped-call]


#: members with live lots whose last valid day is in [?, ?]: a range of the lot_expires_on index
EXPIRING_SQL = (
    "SELECT l.member_uuid, sum(l.remaining), min(l.expires_on), m.store_id, m.phone, m.name, m.consent"
    " FROM lot l JOIN member m ON m.uuid = l.member_uuid"
    " WHERE l.expires_on >= ? AND l.expires_on <= ? AND l.remaining > 0 AND m.merged_into IS NULL"
    " GROUP BY l.member_uuid, m.store_id, m.phone, m.name, m.consent"
    " ORDER BY min(l.expires_on), l.member_uuid")


def expiring_members(as_of: dt.date, within: int) -> list[dict[str, Any]]:
    """Members with points in lots whose last valid day is within ``within`` days of ``as_of``
    (``as_of`` is the first day): points, the earliest such day, home store; soonest first.
    The full phone number is in each row (``phone``): callers mask it (``report_rows``)."""
    within = check_within(within)
    last = as_of + dt.timedelta(days=within - 1)
    rows = _query(EXPIRING_SQL, (as_of.isoformat(), last.isoformat()))
    return [{"member_uuid": r[0], "points": int(r[1]), "first_expiry": str(r[2]), "store_id": r[3] or "",
             "phone": r[4] or "", "name": r[5] or "", "consent": bool(r[6])} for r in rows]


def _staff_for_full_phone(login: str | None) -> db.Staff:
    if not login or not login.strip():
        raise InvalidInput("staff", "full phone numbers need --staff: an admin or marketing login (audited)")
    row = db.Staff.get_or_none(db.Staff.login == login.strip().lower())
    if row is None or not row.active:
        raise NotFound("staff", f"no active headquarters staff account {login!r}")
    if row.role not in FULL_PHONE_ROLES:
        raise PermissionDenied("staff", f"a {row.role} may not see full phone numbers (admin or marketing only)")
    return row


def report_rows(as_of: dt.date, within: int, *, full_phone: bool = False, staff: str | None = None,
                actor: str = "cli") -> list[dict[str, Any]]:
    """The report's rows (``COLUMNS``): phone numbers masked (138****8000) unless ``full_phone``
    by an admin or marketing ``staff`` login, which is audited with the row count."""
    person = _staff_for_full_phone(staff) if full_phone else None
    rows = expiring_members(as_of, within)
    out = [{"member_uuid": r["member_uuid"], "phone": r["phone"] if full_phone else mask_phone(r["phone"]),
            "points": r["points"], "first_expiry": r["first_expiry"], "store_id": r["store_id"]} for r in rows]
    if person is not None:
        with db.writing(db.opened()):
            db.audit(actor, "report.expiring.full_phone", person.login, within=within, as_of=as_of.isoformat(),
                     rows=len(out))
    return out


def write_csv(path: str | Path, rows: list[dict[str, Any]]) -> int:
    """The rows as CSV (UTF-8 with a BOM, so a spreadsheet opens the Chinese right); the count."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({c: row[c] for c in COLUMNS})
    try:
        Path(path).write_text(buf.getvalue(), encoding="utf-8-sig")
    except OSError as exc:
        raise InvalidInput("csv", f"cannot write {path}: {exc.strerror or exc}") from None
    return len(rows)


# -- the webhook ------------------------------------------------------------------------------------

def _setting(key: str) -> str | None:
    row = db.Setting.get_or_none(db.Setting.key == key)
    return str(row.value) if row is not None else None


def _put_setting(key: str, value: str) -> None:
    if db.Setting.get_or_none(db.Setting.key == key) is None:
        db.Setting.create(key=key, value=value)
    else:
        db.Setting.update(value=value).where(db.Setting.key == key).execute()


def configure(url: str, secret: str, *, actor: str) -> dict[str, Any]:
    """Set the notification service's URL and signing secret (sealed; never shown or logged)."""
    text = url.strip() if isinstance(url, str) else ""
    parts = urllib.parse.urlsplit(text)
    loopback = parts.hostname in ("127.0.0.1", "localhost", "::1")
    if not parts.hostname or not (parts.scheme == "https" or (parts.scheme == "http" and loopback)):
        raise InvalidInput("url", "an https:// address is required (plain http only to this computer)")
    if not isinstance(secret, str) or len(secret.strip()) < 16:
        raise InvalidInput("secret", "a secret of at least 16 characters is required")
    with db.writing(db.opened()):
        _put_setting(URL_SETTING, text)
        _put_setting(SECRET_SETTING, sealing.seal(secret.strip(), SECRET_PURPOSE))
        db.audit(actor, "remind.configure", URL_SETTING, url=text)
    return {"url": text}


def signature(secret: str, body: bytes) -> str:
    """The ``X-Signature`` header's value: ``sha256=`` and the hex HMAC-SHA256 of the body."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def _post(url: str, secret: str, batch_id: str, body: bytes, timeout: float) -> int:
    request = urllib.request.Request(url, data=body, method="POST", headers={
        "Content-Type": "application/json", "X-Signature": signature(secret, body), "Idempotency-Key": batch_id})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            return int(answer.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)
    except (urllib.error.URLError, OSError) as exc:
        log.warning("the notification service did not answer: %s", getattr(exc, "reason", exc))
        return 0


def _due(as_of: dt.date, within: int) -> dict[str, list[tuple[str, int, str]]]:
    """Per consenting member: the lots due within the window and not yet reminded for it."""
    last = as_of + dt.timedelta(days=within - 1)
    rows = _query(
        "SELECT l.member_uuid, l.key, l.remaining, l.expires_on FROM lot l"
        " JOIN member m ON m.uuid = l.member_uuid"
        " WHERE l.expires_on >= ? AND l.expires_on <= ? AND l.remaining > 0 AND m.merged_into IS NULL"
        " AND m.consent AND NOT EXISTS (SELECT 1 FROM reminder_sent r WHERE r.lot_key = l.key"
        " AND r.within_days = ?)"
        " ORDER BY l.member_uuid, l.expires_on", (as_of.isoformat(), last.isoformat(), within))
    due: dict[str, list[tuple[str, int, str]]] = {}
    for member_uuid, key, remaining, expires_on in rows:
        due.setdefault(str(member_uuid), []).append((str(key), int(remaining), str(expires_on)))
    return due


def remind_expiring(as_of: dt.date, within: int, *, actor: str = "cli", timeout: float = 10.0,
                    pause: Callable[[float], None] = time.sleep) -> dict[str, Any]:
    """Post every member due a reminder for the window to the notification service, in batches
    of ``BATCH_SIZE``; each batch retried up to ``ATTEMPTS`` times. Returns what was sent and
    what failed; a failure leaves its members to the next run (nothing recorded for them)."""
    within = check_within(within)
    url, stored = _setting(URL_SETTING), _setting(SECRET_SETTING)
    if not url or not stored:
        raise RuleViolation("remind", "no notification service is set up: pos-hq remind configure --url URL",
                            reason="no_webhook")
    secret = sealing.unseal(stored, SECRET_PURPOSE)
    due = _due(as_of, within)
    people = {m.uuid: m for m in db.Member.select().where(db.Member.uuid.in_(list(due)))} if due else {}
    uuids = sorted(due, key=lambda u: (min(e for _k, _p, e in due[u]), u))
    sent_members = sent_batches = 0
    failed: list[dict[str, Any]] = []
    for start in range(0, len(uuids), BATCH_SIZE):
        chunk = uuids[start:start + BATCH_SIZE]
        batch_id = str(uuid.uuid4())
        members = []
        for u in chunk:
            m = people[u]
            members.append({"member_uuid": u, "phone": m.phone or "", "name": m.name or "", "store_id": m.store_id,
                            "points": sum(p for _k, p, _e in due[u]),
                            "first_expiry": min(e for _k, _p, e in due[u])})
        body = json.dumps({"batch": batch_id, "kind": "points_expiring", "within_days": within,
                           "as_of": as_of.isoformat(), "members": members}, ensure_ascii=False,
                          sort_keys=True).encode("utf-8")
        status = 0
        for attempt in range(ATTEMPTS):
            status = _post(url, secret, batch_id, body, timeout)
            if 200 <= status < 300:
                break
            log.warning("reminder batch %s: HTTP %s (try %d of %d)", batch_id, status or "no answer", attempt + 1,
                        ATTEMPTS)
            if attempt + 1 < ATTEMPTS:
                pause(RETRY_PAUSE_S * (attempt + 1))
        if not 200 <= status < 300:
            failed.append({"batch": batch_id, "members": len(chunk), "status": status})
            continue
        now = db.utcnow()
        with db.writing(db.opened()):
            db.ReminderSent.insert_many([
                {"lot_key": key, "within_days": within, "member_uuid": u, "points": pts, "expires_on": exp,
                 "batch": batch_id, "sent_at": now} for u in chunk for key, pts, exp in due[u]
            ]).on_conflict_ignore().execute()
        sent_members += len(chunk)
        sent_batches += 1
    result = {"as_of": as_of.isoformat(), "within_days": within, "members": sent_members, "batches": sent_batches,
              "failed": failed}
    with db.writing(db.opened()):
        db.audit(actor, "remind.expiring", f"within:{within}", **result)
    return result
