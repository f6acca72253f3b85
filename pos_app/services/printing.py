"""The print spooler: jobs wait in the persistent ``print_job`` table until the printer
takes them, so a printer that is off, out of paper or unplugged never blocks a sale and
never loses a receipt.

``print_pending`` is run by a worker off the counter's thread (and by
``pos-app print-queue --run``). It asks the printer for its status first (DLE EOT). While
the printer is not ready every due job is marked failed with the error and a back-off
(``next_try_at``: 5, 10, 20, 40, then every 60 seconds). Once the printer is ready every
pending job prints in id order, back-off or not, so receipts come out in the order of the
sales. A job is claimed before it is sent (attempts + 1 only if no one else changed it
meanwhile, and ``next_try_at`` moved ahead as a lease) and marked printed right after, so
one job is printed once.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pos_app.core.errors import InvalidInput, NotFound, PosError
from pos_app.devices.escpos_out import (
    ONLINE,
    Printer,
    PrinterConfig,
    PrinterError,
    document_bytes,
    open_printer,
    set_capabilities_dir,
)
from pos_app.services.context import Terminal
from pos_app.services.paths import cache_dir
from pos_app.services.receipts import KINDS, build_document
from pos_app.services.settings import TerminalSettings, load_settings
from pos_app.storage.ledger import iso

log = logging.getLogger(__name__)

NOT_SET_UP = "not_set_up"
BACKOFF_FIRST_S = 5
BACKOFF_CAP_S = 60
LEASE_S = 120  # a claimed job that was neither printed nor failed by then (crash) is tried again

Connect = Callable[[TerminalSettings], Printer]

# python-escpos's capabilities pickle: made once in the till's cache directory, read at later starts
set_capabilities_dir(lambda: cache_dir() / "escpos")


@dataclass(frozen=True)
class SpoolResult:
    """What one run of the spooler did and saw."""

    state: str  # not_set_up | online | offline | paper_out | cover_open | idle (nothing due, not asked)
    printed: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    pending: int = 0
    error: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"state": self.state, "printed": self.printed, "failed": self.failed, "pending": self.pending,
                "error": self.error}


def backoff_seconds(attempts: int) -> int:
    """Seconds to wait after the ``attempts``-th failed try."""
    return int(min(BACKOFF_CAP_S, BACKOFF_FIRST_S * 2 ** max(0, attempts - 1)))


def printer_config(s: TerminalSettings) -> PrinterConfig | None:
    if s.printer_connection == "none":
        return None
    return PrinterConfig(connection=s.printer_connection, usb=s.printer_usb, host=s.printer_host,
                         port=s.printer_port, serial_port=s.printer_serial_port, file=s.printer_file)


def connect_printer(s: TerminalSettings) -> Printer:
    """The real printer from the settings (python-escpos transports)."""
    config = printer_config(s)
    if config is None:
        raise PrinterError("printer.connection", "no printer is set up")
    return open_printer(config)


# ----------------------------------------------------------------------------- queue


def _job(row: dict[str, Any]) -> dict[str, Any]:
    payload = row.get("payload")
    try:
        row["payload"] = json.loads(payload) if isinstance(payload, str) else (payload or {})
    except json.JSONDecodeError:
        row["payload"] = {}
    return row


def pending_jobs(t: Terminal) -> list[dict[str, Any]]:
    return [_job(r) for r in t.repo.print_jobs(pending_only=True)]


def pending_count(t: Terminal) -> int:
    return t.repo.pending_print_jobs()


def list_jobs(t: Terminal, *, limit: int = 50, pending_only: bool = False) -> list[dict[str, Any]]:
    """The newest jobs first (the ``print-queue`` listing)."""
    return [_job(r) for r in t.repo.print_jobs(pending_only=pending_only, newest_first=limit)]


def job_document(t: Terminal, job: dict[str, Any], settings: TerminalSettings | None = None) -> Any:
    payload = job["payload"] if isinstance(job["payload"], dict) else _job(dict(job))["payload"]
    return build_document(t, job["kind"], job["ref"], payload=payload,
                          reprint=bool(job.get("reprint_of") or payload.get("reprint")), settings=settings)


def job_bytes(t: Terminal, job: dict[str, Any], settings: TerminalSettings | None = None) -> bytes:
    return document_bytes(job_document(t, job, settings))


def receipt_bytes(t: Terminal, receipt_no: str, *, reprint: bool = False, columns: int | None = None,
                  language: str | None = None) -> bytes:
    """The exact bytes the printer gets for a sale's receipt (what ``pos-app receipt`` writes)."""
    return document_bytes(build_document(t, "receipt", receipt_no, reprint=reprint, columns=columns,
                                         language=language))


def reprint(t: Terminal, kind: str, ref: str, *, staff_code: str | None = None) -> int:
    """Queue a reprint: a new job marked REPRINT, pointing at the job it repeats. Checks
    that the document exists (a receipt number that is not a sale is refused)."""
    if kind not in KINDS or kind == "test":
        raise InvalidInput("kind", f"cannot reprint a {kind!r}")
    build_document(t, kind, ref)  # NotFound names the field (receipt_no, coupon, shift ...)
    stamp = t.stamp(staff_code=staff_code)
    with t.database.transaction():
        job_id = t.repo.insert("print_job", {
            "kind": kind, "ref": ref, "payload": {"reprint": True}, "created_at": iso(stamp.recorded_at),
            "reprint_of": t.repo.first_print_job(kind, ref)})
        t.ledger.audit("print.reprint", ref, {"kind": kind, "job": job_id}, stamp)
    return job_id


def reprint_receipt(t: Terminal, receipt_no: str, *, staff_code: str | None = None) -> int:
    return reprint(t, "receipt", receipt_no, staff_code=staff_code)


# ----------------------------------------------------------------------------- spooling


def _fail(t: Terminal, job_ids: list[int], error: str, now: dt.datetime, *, count_attempt: bool) -> None:
    with t.database.transaction():
        for job_id in job_ids:
            tried = t.repo.print_job_attempts(job_id)
            if tried is None:
                continue
            attempts = tried + (1 if count_attempt else 0)
            t.repo.print_job_failed(job_id, attempts, error[:500],
                                    iso(now + dt.timedelta(seconds=backoff_seconds(attempts))))


def _claim(t: Terminal, job: dict[str, Any], now: dt.datetime) -> bool:
    with t.database.transaction():
        return t.repo.claim_print_job(job["id"], job["attempts"], iso(now + dt.timedelta(seconds=LEASE_S)))


def _done(t: Terminal, job_id: int, now: dt.datetime) -> None:
    with t.database.transaction():
        t.repo.print_job_printed(job_id, iso(now))


def print_pending(t: Terminal, connect: Connect | None = None, now: dt.datetime | None = None, *,
                  probe: bool = False, force: bool = False) -> SpoolResult:
    """Print what is waiting, once. ``probe`` asks the printer's status even when no job is
    due (the status bar) and, when it is ready, prints whatever waits; ``force`` ignores the
    back-off. Never raises for a printer problem: the result says what happened."""
    connect = connect or connect_printer
    settings = load_settings(t)
    now = now or t.clock()
    jobs = pending_jobs(t)
    if settings.printer_connection == "none":
        return SpoolResult(NOT_SET_UP, pending=len(jobs))
    due = [j for j in jobs if force or not j["next_try_at"] or j["next_try_at"] <= iso(now)]
    if not due and not probe:
        return SpoolResult("idle", pending=len(jobs))
    try:
        printer = connect(settings)
    except PrinterError as exc:
        _fail(t, [j["id"] for j in due], exc.message, now, count_attempt=True)
        return SpoolResult("offline", failed=[j["id"] for j in due], pending=len(jobs), error=exc.message)
    printed: list[int] = []
    try:
        try:
            state = printer.status()
        except PrinterError as exc:
            _fail(t, [j["id"] for j in due], exc.message, now, count_attempt=True)
            return SpoolResult("offline", failed=[j["id"] for j in due], pending=len(jobs), error=exc.message)
        if state != ONLINE:
            _fail(t, [j["id"] for j in due], f"printer {state}", now, count_attempt=True)
            return SpoolResult(state, failed=[j["id"] for j in due], pending=len(jobs), error=state)
        failed: list[int] = []
        for job in jobs:  # the printer is ready (and was asked): everything waiting, in order
            try:
                data = job_bytes(t, job, settings)
            except PosError as exc:  # e.g. the document's row is gone: park the job, print the rest
                log.warning("print job %s (%s %s) cannot be rendered: %s", job["id"], job["kind"], job["ref"], exc)
                _fail(t, [job["id"]], f"{exc.field}: {exc.message}", now, count_attempt=True)
                failed.append(job["id"])
                continue
            if not _claim(t, job, now):
                continue  # someone else took it
            try:
                printer.send(data)
            except PrinterError as exc:
                _fail(t, [job["id"]], exc.message, now, count_attempt=False)
                failed.append(job["id"])
                return SpoolResult("offline", printed=printed, failed=failed, pending=pending_count(t),
                                   error=exc.message)
            _done(t, job["id"], now)
            printed.append(job["id"])
        return SpoolResult(ONLINE, printed=printed, failed=failed, pending=pending_count(t))
    finally:
        printer.close()


def printer_state(t: Terminal, connect: Connect | None = None) -> str:
    """The printer's state now, without printing: not_set_up, online, offline, paper_out, cover_open."""
    settings = load_settings(t)
    if settings.printer_connection == "none":
        return NOT_SET_UP
    try:
        printer = (connect or connect_printer)(settings)
    except PrinterError:
        return "offline"
    try:
        return printer.status()
    except PrinterError:
        return "offline"
    finally:
        printer.close()


def queue_shift_report(t: Terminal, shift_no: str, at: str) -> int:
    """Queue the shift report (call inside the closing transaction)."""
    return t.repo.queue_print_job("shift", shift_no, {}, at)


def job_or_error(t: Terminal, job_id: int) -> dict[str, Any]:
    row = t.repo.print_job(job_id)
    if row is None:
        raise NotFound("job", f"no print job {job_id}")
    return _job(row)
