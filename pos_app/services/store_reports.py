"""The store manager's reports over any range of business days (issue 15 item 10): points
issued, redeemed and adjusted, sales, refunds, gifts and coupons, per cashier, per day or for
the whole store; written to CSV (UTF-8 with a byte-order mark, so that Excel shows Chinese) or
Excel. Segment member lists for a campaign are written the same way.

The sums are SQL aggregates in storage (``figures.store_report``), read through indexes on the
business day; nothing here loops over the ledger. Who may run them (a manager) is checked by the
caller: the window's session, the command line's manager PIN."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from pos_app.core import segments as core_segments
from pos_app.core.errors import InvalidInput
from pos_app.core.members import mask_phone
from pos_app.services.context import Terminal
from pos_app.storage import figures

GROUPS = tuple(figures.REPORT_GROUPS)
FORMATS = ("csv", "xlsx")
#: The longest range one report covers (ten years of business days).
MAX_DAYS = 3660

#: The report's figures, in the order of the columns; money in fen, points as integers.
COLUMNS = (
    "sales", "member_sales", "sales_fen", "refunds", "refunds_fen",
    "points_issued", "points_redeemed", "points_paid", "points_adjusted", "points_clawed_back", "points_returned",
    "points_expired", "gifts", "gift_points", "gift_cash_fen", "coupons_issued", "coupons_used", "coupons_used_fen",
)
MONEY = frozenset(c for c in COLUMNS if c.endswith("_fen"))

#: English headers (the command line's default; the window passes its own, translated).
HEADERS: dict[str, str] = {
    "group": "Cashier", "name": "Name",
    "sales": "Sales", "member_sales": "Member sales", "sales_fen": "Sales (yuan)", "refunds": "Refunds",
    "refunds_fen": "Refunded (yuan)", "points_issued": "Points issued", "points_redeemed": "Points redeemed",
    "points_paid": "Points paid at the till", "points_adjusted": "Points adjusted",
    "points_clawed_back": "Points clawed back", "points_returned": "Points returned",
    "points_expired": "Points expired",
    "gifts": "Gift redemptions", "gift_points": "Gift points", "gift_cash_fen": "Gift cash (yuan)",
    "coupons_issued": "Coupons issued", "coupons_used": "Coupons used", "coupons_used_fen": "Coupons used (yuan)",
}
GROUP_HEADERS = {"cashier": "Cashier", "day": "Business day", "store": "Store"}
TOTAL = "Total"


@dataclass(frozen=True)
class ReportRow:
    key: str  # staff number, ISO day or "" (the whole store; entries without a staff number)
    name: str  # the staff member's name (cashier grouping), else ""
    figures: dict[str, int]

    def __getitem__(self, column: str) -> int:
        return self.figures[column]


@dataclass(frozen=True)
class StoreReport:
    first: dt.date
    last: dt.date
    by: str
    rows: list[ReportRow]
    total: dict[str, int] = field(default_factory=dict)

    def row(self, key: str) -> ReportRow:
        return next(r for r in self.rows if r.key == key)

    def to_dict(self) -> dict[str, Any]:
        return {"from": self.first.isoformat(), "to": self.last.isoformat(), "by": self.by,
                "rows": [{"key": r.key, "name": r.name, **r.figures} for r in self.rows], "total": self.total}


def parse_day(text: object, field: str) -> dt.date:
    """A business day given as text (2026-11-23) or a date; the error names ``field``."""
    if isinstance(text, dt.datetime):
        return text.date()
    if isinstance(text, dt.date):
        return text
    if not isinstance(text, str) or not text.strip():
        raise InvalidInput(field, "a date such as 2026-11-23 is required")
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput(field, f"not a date such as 2026-11-23: {text!r}") from None


def check_range(first: object, last: object) -> tuple[dt.date, dt.date]:
    """The report's days, ``from`` to ``to`` (both included): each a date, ``to`` not before
    ``from``, at most ``MAX_DAYS`` days."""
    a, b = parse_day(first, "from"), parse_day(last, "to")
    if b < a:
        raise InvalidInput("to", f"{b.isoformat()} is before the first day {a.isoformat()}", reason="before",
                           first=a.isoformat(), last=b.isoformat())
    if (b - a).days + 1 > MAX_DAYS:
        raise InvalidInput("to", f"at most {MAX_DAYS} days in one report ({(b - a).days + 1} asked)",
                           reason="too_long", max_days=MAX_DAYS)
    return a, b


def check_group(by: object) -> str:
    if by not in GROUPS:
        raise InvalidInput("by", f"one of {', '.join(GROUPS)}: {by!r}", options=GROUPS)
    return str(by)


def store_report(t: Terminal, *, first: object, last: object, by: str = "cashier") -> StoreReport:
    """What this till recorded from ``first`` to ``last`` (business days, both included) grouped
    ``by`` cashier, day or store, with the total of all groups. Entries of other tills held in
    the partial replica are not counted (headquarters' console reports the whole store)."""
    a, b = check_range(first, last)
    by = check_group(by)
    parts = figures.store_report(t.repo, t.terminal_id, a, b, by)
    merged: dict[str, dict[str, int]] = {}
    for rows in parts.values():
        for r in rows:
            key = "" if r["g"] is None else str(r["g"])
            into = merged.setdefault(key, dict.fromkeys(COLUMNS, 0))
            for column, value in r.items():
                if column != "g":
                    into[column] += int(value or 0)
    names = figures.staff_names(t.repo) if by == "cashier" else {}
    out = [ReportRow(key, str(names[key]["name"]) if key in names else "", merged[key]) for key in sorted(merged)]
    total = {c: sum(r.figures[c] for r in out) for c in COLUMNS}
    return StoreReport(a, b, by, out, total)


# -- files -----------------------------------------------------------------------------------------

def check_format(path: str | Path, fmt: str | None = None) -> str:
    """The file format: given, or from the file's suffix (.csv, .xlsx)."""
    fmt = fmt or Path(path).suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        raise InvalidInput("out", f"a .csv or .xlsx file is required: {str(path)!r}", options=FORMATS)
    return fmt


def _yuan(fen: int) -> Decimal:
    """Fen as yuan, exact: a CSV shows 212.50, an Excel cell holds the number."""
    return Decimal(fen).scaleb(-2)


def report_table(report: StoreReport, headers: dict[str, str] | None = None,
                 group_header: str | None = None, total_label: str = TOTAL) -> list[list[object]]:
    """The report as rows of cells, the header first and the total last; money in yuan
    (exact decimals with two places, no float)."""
    h = {**HEADERS, **(headers or {})}
    head: list[object] = [group_header or GROUP_HEADERS[report.by]]
    if report.by == "cashier":
        head.append(h["name"])
    head += [h[c] for c in COLUMNS]
    out: list[list[object]] = [head]

    def cells(values: dict[str, int]) -> list[object]:
        return [_yuan(values[c]) if c in MONEY else values[c] for c in COLUMNS]

    for r in report.rows:
        out.append([r.key, r.name, *cells(r.figures)] if report.by == "cashier" else [r.key, *cells(r.figures)])
    out.append([total_label, "", *cells(report.total)] if report.by == "cashier" else [total_label,
                                                                                       *cells(report.total)])
    return out


def write_table(path: str | Path, rows: Iterable[Sequence[object]], fmt: str | None = None,
                sheet: str = "Report") -> Path:
    """Write rows to ``path``: CSV in UTF-8 with a byte-order mark (Excel then reads Chinese
    right), or an Excel workbook. The file is written beside and renamed into place, so a
    failed export leaves no half file."""
    fmt = check_format(path, fmt)
    target = Path(path)
    if not target.parent.is_dir():
        raise InvalidInput("out", f"no such folder: {str(target.parent)!r}")
    tmp = target.with_name(f".{target.name}.part")
    try:
        if fmt == "csv":
            with tmp.open("w", encoding="utf-8-sig", newline="") as f:
                writer = csv.writer(f)
                for row in rows:
                    writer.writerow(row)
        else:
            from openpyxl import Workbook
            from openpyxl.cell import WriteOnlyCell

            wb = Workbook(write_only=True)
            ws = wb.create_sheet(sheet[:31])

            def cell(value: object) -> object:
                if not isinstance(value, Decimal):
                    return value
                c = WriteOnlyCell(ws, value=value)
                c.number_format = "0.00"  # yuan shown with its fen, summable
                return c

            for row in rows:
                ws.append([cell(v) for v in row])
            wb.save(tmp)
        tmp.replace(target)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise InvalidInput("out", f"cannot write {str(target)!r}: {exc.strerror or exc}") from None
    return target


def export_report(report: StoreReport, path: str | Path, fmt: str | None = None, *,
                  headers: dict[str, str] | None = None, group_header: str | None = None,
                  total_label: str = TOTAL) -> Path:
    return write_table(path, report_table(report, headers, group_header, total_label), fmt,
                       sheet=f"{report.first.isoformat()}..{report.last.isoformat()}")


# -- segment member lists --------------------------------------------------------------------------

MEMBER_COLUMNS = ("card_no", "name", "phone", "tier", "balance", "last_purchase", "enrolled")
MEMBER_HEADERS = {"card_no": "Card", "name": "Name", "phone": "Phone", "tier": "Tier", "balance": "Points",
                  "last_purchase": "Last purchase", "enrolled": "Enrolled"}


@dataclass(frozen=True)
class SegmentExport:
    segment: str
    path: Path
    members: int  # members written (those who agreed to be contacted)
    without_consent: int  # members of the segment left out: no marketing consent
    masked: bool


def segment_members(t: Terminal, segment: str, *, today: dt.date, mask: bool = True,
                    progress: Callable[[int], None] | None = None) -> tuple[list[dict[str, Any]], int]:
    """The active members in ``segment`` today who agreed to marketing (consent), with their
    phone masked (138****8000) unless ``mask`` is False; and how many of the segment were left
    out for want of consent."""
    program = t.program
    known = [r.id for r in program.segments.rules] + [program.segments.fallback]
    if segment not in known:
        raise InvalidInput("segment", f"one of {', '.join(known)}: {segment!r}", options=tuple(known))
    purchases = t.repo.purchase_counts(today - dt.timedelta(days=program.segments.window_days))
    out: list[dict[str, Any]] = []
    left_out = 0
    seen = 0
    for batch in figures.member_contacts(t.repo):
        for m in batch:
            facts = core_segments.MemberFacts(
                balance=m["balance"], purchases_in_window=purchases.get(m["id"], 0),
                last_purchase_on=dt.datetime.fromisoformat(m["last_purchase_at"]).date()
                if m["last_purchase_at"] else None,
                registered_on=dt.datetime.fromisoformat(m["enrolled_at"]).date())
            if core_segments.classify(program.segments, facts, today) != segment:
                continue
            if not m["consent"]:
                left_out += 1
                continue
            out.append({"card_no": m["card_no"], "name": m["name"],
                        "phone": mask_phone(m["phone"]) if mask else m["phone"], "tier": m["tier"],
                        "balance": m["balance"],
                        "last_purchase": (m["last_purchase_at"] or "")[:10], "enrolled": m["enrolled_at"][:10]})
        seen += len(batch)
        if progress is not None:
            progress(seen)
    return out, left_out


def export_segment(t: Terminal, segment: str, path: str | Path, fmt: str | None = None, *, today: dt.date,
                   mask: bool = True, staff_code: str | None = None, headers: dict[str, str] | None = None,
                   progress: Callable[[int], None] | None = None) -> SegmentExport:
    """Write the segment's member list (``segment_members``) for a campaign; audited
    (``segment.export``: the segment, how many, masked or not, the file's name)."""
    fmt = check_format(path, fmt)
    members, left_out = segment_members(t, segment, today=today, mask=mask, progress=progress)
    h = {**MEMBER_HEADERS, **(headers or {})}
    rows: list[list[object]] = [[h[c] for c in MEMBER_COLUMNS]]
    rows += [[m[c] for c in MEMBER_COLUMNS] for m in members]
    target = write_table(path, rows, fmt, sheet=segment)
    with t.database.transaction():
        t.ledger.audit("segment.export", segment, {"members": len(members), "without_consent": left_out,
                                                   "masked": mask, "file": target.name}, t.stamp(None, staff_code))
    return SegmentExport(segment, target, len(members), left_out, mask)
