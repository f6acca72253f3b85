"""The console's reports (issue 14 item 9): points issued and redeemed, liability, expiring points,
member segments and gift redemptions, for one store or the chain and a date range, on the page and
exported as CSV or Excel. The figures are ``hq/reports.py``'s; this module picks the report, checks
the store and the range, and lays the rows out.

Everything here is a GET (it changes nothing, so no CSRF token: a token in a URL would leak into
logs). A store manager sees their own store only: the selector holds theirs, another store in the
URL is refused (403).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from pos_app.core.errors import InvalidInput, PosError
from pos_app.core.program import Program
from pos_app.hq import authority
from pos_app.hq import reports as hq_reports
from pos_app.hq.console import i18n, web

router = APIRouter()

N_ = i18n.N_


@dataclass(frozen=True)
class Column:
    key: str
    label: str  # English source text (translated when shown)
    kind: str = "text"  # text | int | fen (integer fen shown as yuan) | date
    total: bool = False  # summed in the table's last row


@dataclass(frozen=True)
class Report:
    id: str
    title: str
    ranged: bool  # takes a date range (the others are as of today)
    columns: tuple[Column, ...]


STORE = Column("store_id", N_("Store"))
STORE_NAME = Column("store_name", N_("Store name"))

REPORTS: dict[str, Report] = {r.id: r for r in (
    Report("issued", N_("Issued and redeemed"), True, (
        Column("day", N_("Business day"), "date"), STORE,
        Column("issued", N_("Points issued"), "int", True), Column("redeemed", N_("Points redeemed"), "int", True))),
    Report("liability", N_("Liability"), False, (
        STORE, STORE_NAME, Column("members", N_("Member count"), "int", True),
        Column("members_with_points", N_("Members with points"), "int", True),
        Column("points", N_("Points held"), "int", True), Column("value_fen", N_("Value in yuan"), "fen", True),
        Column("debt", N_("Debt (points)"), "int", True))),
    Report("expiring", N_("Expiring points"), False, (
        STORE, STORE_NAME, Column("within_30", N_("Within 30 days"), "int", True),
        Column("within_60", N_("Within 60 days"), "int", True), Column("within_90", N_("Within 90 days"), "int", True),
        Column("members", N_("Members (90 days)"), "int", True))),
    Report("segments", N_("Segments"), False, ()),  # columns: one per segment of the program
    Report("gifts", N_("Gift redemptions"), True, (
        STORE, Column("gift", N_("Gift")), Column("gift_name", N_("Gift name")),
        Column("redemptions", N_("Redemptions"), "int", True), Column("points", N_("Points"), "int", True),
        Column("cash_fen", N_("Cash (yuan)"), "fen", True))),
)}

SEGMENT_MEMBER_COLUMNS = (
    Column("uuid", N_("Member")), Column("name", N_("Member name")), Column("phone", N_("Phone")),
    Column("card_no", N_("Card")), STORE, Column("tier", N_("Tier")), Column("balance", N_("Balance"), "int"),
    Column("purchases", N_("Purchases in the window"), "int"), Column("last_purchase_at", N_("Last purchase")),
)

FORMATS = {"csv": "text/csv; charset=utf-8",
           "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
PAGE_SIZE = 100


@dataclass
class Result:
    """One report as asked: its rows and columns, ready for the page or a file."""

    report: Report
    store: str | None
    date_from: dt.date | None
    date_to: dt.date | None
    columns: tuple[Column, ...]
    rows: list[dict[str, Any]]
    totals: dict[str, int]
    segment: str = ""
    chart: dict[str, Any] | None = None
    more_after: str = ""  # a segment's member list continues after this uuid
    counted_at: str = ""  # when the segment counts were counted (UTC ISO; kept a while on a large chain)
    figures_at: str = ""  # when the chain's member figures were counted (UTC ISO; kept a minute)

    @property
    def filename(self) -> str:
        parts = [self.report.id, self.segment, self.store or "all"]
        if self.date_from and self.date_to:
            parts += [self.date_from.isoformat(), self.date_to.isoformat()]
        return "_".join(p for p in parts if p)


def _gift_name(program: Program | None, code: str) -> str:
    gift = program.gift(code) if program else None
    if gift is None:
        return ""
    return gift.name_zh if i18n.language() == "zh_CN" else gift.name_en


def segment_names(program: Program | None) -> dict[str, str]:
    if program is None:
        return {}
    zh = i18n.language() == "zh_CN"
    names = {rule.id: rule.name_zh if zh else rule.name_en for rule in program.segments.rules}
    names.setdefault(program.segments.fallback, i18n._("Regular") if program.segments.fallback == "regular"
                     else program.segments.fallback)
    return names


def _choose_store(ctx: web.Page, stores: dict[str, str]) -> str | None:
    """The store asked for (None: the chain); a store manager's own whatever the URL says, and
    another store named in the URL refused."""
    asked = ctx.query("store", max_len=40)
    scope = ctx.store_scope
    if scope is not None:
        ctx.check_store(asked or scope)
        return scope
    if asked and asked not in stores:
        raise InvalidInput("store", "no such store")
    return asked or None


def run_report(ctx: web.Page, *, today: dt.date, export: bool = False) -> tuple[Result, dict[str, str]]:
    """The report the query names, for the store and range it names (errors name the field)."""
    report_id = ctx.query("report", max_len=20) or "issued"
    if report_id not in REPORTS:
        raise InvalidInput("report", "no such report")
    report = REPORTS[report_id]
    stores = hq_reports.store_names()
    store = _choose_store(ctx, stores)
    date_from = date_to = None
    if report.ranged:
        date_from, date_to = hq_reports.parse_range(ctx.query("from", max_len=20), ctx.query("to", max_len=20),
                                                    today=today)
    program = authority.active_program()
    result = Result(report=report, store=store, date_from=date_from, date_to=date_to, columns=report.columns,
                    rows=[], totals={})
    if report_id == "issued":
        assert date_from and date_to
        result.rows = hq_reports.points_by_day(date_from, date_to, store)
        result.chart = _issued_chart(result.rows, date_from, date_to)
    elif report_id == "liability":
        result.rows, at = hq_reports.liability_snapshot(program, store)
        if store is None:  # the chain's are kept a minute on a large chain; one store's are counted now
            result.figures_at = at.isoformat()
    elif report_id == "expiring":
        result.rows, at = hq_reports.expiring_snapshot(today, store)
        result.counted_at = at.isoformat()
    elif report_id == "gifts":
        assert date_from and date_to
        result.rows = hq_reports.gift_redemptions(date_from, date_to, store)
        for row in result.rows:
            row["gift_name"] = _gift_name(program, row["gift"])
    elif report_id == "segments":
        _segments(ctx, result, program, today, export=export)
    result.totals = {c.key: sum(int(r.get(c.key) or 0) for r in result.rows) for c in result.columns if c.total}
    return result, stores


def _segments(ctx: web.Page, result: Result, program: Program | None, today: dt.date, *, export: bool) -> None:
    if program is None:
        return
    names = segment_names(program)
    ids = hq_reports.segment_ids(program)
    segment = ctx.query("segment", max_len=40)
    if segment:
        if segment not in ids:
            raise InvalidInput("segment", "the program has no such segment")
        after = ctx.query("after", max_len=40)
        if export:
            rows = hq_reports.segment_members(program, today, segment, result.store, after=after, limit=None)
        else:  # a page of a large chain's segment is kept a minute, like its counts
            rows, at = hq_reports.segment_members_snapshot(program, today, segment, result.store, after=after,
                                                           limit=PAGE_SIZE)
            result.counted_at = at.isoformat()
        result.segment, result.rows, result.columns = segment, rows, SEGMENT_MEMBER_COLUMNS
        if not export and len(rows) >= PAGE_SIZE:
            result.more_after = rows[-1]["uuid"]
        return
    pivot: dict[str, dict[str, Any]] = {}
    counts, at = hq_reports.segment_snapshot(program, today, result.store)
    result.counted_at = at.isoformat()
    for row in counts:
        line = pivot.setdefault(row["store_id"], {"store_id": row["store_id"]})
        line[row["segment"]] = row["members"]
    result.rows = list(pivot.values())
    result.columns = (STORE, *(Column(s, names.get(s, s), "int", True) for s in ids))


def _issued_chart(rows: list[dict[str, Any]], date_from: dt.date, date_to: dt.date) -> dict[str, Any]:
    """Issued and redeemed per day (every store added up) as an ECharts option."""
    days = [(date_from + dt.timedelta(days=i)).isoformat() for i in range((date_to - date_from).days + 1)]
    issued = dict.fromkeys(days, 0)
    redeemed = dict.fromkeys(days, 0)
    for row in rows:
        if row["day"] in issued:
            issued[row["day"]] += row["issued"]
            redeemed[row["day"]] += row["redeemed"]
    return {"tooltip": {"trigger": "axis"}, "legend": {"data": [i18n._("Points issued"), i18n._("Points redeemed")]},
            "xAxis": {"type": "category", "data": days}, "yAxis": {"type": "value"},
            "grid": {"left": 70, "right": 20, "top": 40, "bottom": 30},
            "series": [{"name": i18n._("Points issued"), "type": "line", "data": list(issued.values())},
                       {"name": i18n._("Points redeemed"), "type": "line", "data": list(redeemed.values())}]}


def _store_options(ctx: web.Page, stores: dict[str, str]) -> list[tuple[str, str]]:
    if ctx.store_scope is not None:
        return [(ctx.store_scope, f"{ctx.store_scope} {stores.get(ctx.store_scope, '')}".strip())]
    return [("", i18n._("All stores")), *((sid, f"{sid} {name}".strip()) for sid, name in stores.items())]


def _form(ctx: web.Page) -> dict[str, str]:
    return {name: ctx.request.query_params.get(name, "")[:40]
            for name in ("report", "store", "from", "to", "segment")}


@router.get("/reports")
def reports_page(request: Request) -> Response:
    with web.page(request, "reports") as ctx:
        today = dt.date.today()
        form = _form(ctx)
        try:
            result, stores = run_report(ctx, today=today)
        except InvalidInput as exc:
            if ctx.store_scope is None and exc.field == "store":
                form["store"] = ""
            report = REPORTS.get(form["report"] or "issued", REPORTS["issued"])
            return ctx.render("reports/index.html", status=422, result=None, report=report, reports=REPORTS,
                              form=form, errors={exc.field: i18n.translate_error(exc.message)},
                              stores=_store_options(ctx, hq_reports.store_names()), today=today)
        form["report"] = result.report.id
        form["store"] = result.store or ""
        if result.date_from and result.date_to:
            form["from"], form["to"] = result.date_from.isoformat(), result.date_to.isoformat()
        return ctx.render("reports/index.html", result=result, report=result.report, reports=REPORTS, form=form,
                          errors={}, stores=_store_options(ctx, stores), today=today,
                          segment_names=segment_names(authority.active_program()))


@router.get("/reports/export")
def export(request: Request) -> Response:
    """The report the query names as a file: ``format=csv`` (UTF-8 with a BOM, so Excel reads the
    Chinese) or ``format=xlsx``."""
    with web.page(request, "reports") as ctx:
        fmt = ctx.query("format", max_len=10) or "csv"
        try:
            if fmt not in FORMATS:
                raise InvalidInput("format", "csv or xlsx is required")
            result, _stores = run_report(ctx, today=dt.date.today(), export=True)
        except PosError as exc:
            if isinstance(exc, web.Forbidden):
                raise
            return web.error_page(request, 422, exc)
        header = [i18n.gettext(c.label) for c in result.columns]
        body = to_csv(header, result) if fmt == "csv" else to_xlsx(header, result)
        name = f"{result.filename}.{fmt}"
        return Response(body, media_type=FORMATS[fmt], headers={
            **web.security_headers(request), "Content-Disposition": f'attachment; filename="{name}"'})


def _cell_text(column: Column, value: Any) -> str:
    if value is None:
        return ""
    if column.kind == "fen":
        return str(yuan(int(value)))
    return str(value)


def yuan(fen: int) -> Decimal:
    """Integer fen as exact yuan (12345 -> Decimal('123.45')): no float on the way."""
    return Decimal(fen).scaleb(-2)


def _lines(result: Result) -> list[list[Any]]:
    out = [[row.get(c.key) for c in result.columns] for row in result.rows]
    if result.totals:
        out.append([result.totals.get(c.key, i18n._("Total") if i == 0 else None)
                    for i, c in enumerate(result.columns)])
    return out


def to_csv(header: list[str], result: Result) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    for line in _lines(result):
        writer.writerow([_cell_text(c, v) for c, v in zip(result.columns, line, strict=True)])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


INT_FORMAT = "#,##0"
YUAN_FORMAT = "#,##0.00"


def to_xlsx(header: list[str], result: Result) -> bytes:
    """An Excel workbook: whole numbers as numbers; money as numbers in yuan with two decimals
    (``#,##0.00``), so Excel sums and sorts them as money.

    The yuan are written as their exact decimal text, made from the integer fen (``yuan``): the
    cell is given that text and marked numeric (``data_type = "n"``), and the file holds
    ``<v>0.07</v>``. A ``Decimal`` cell would go through a binary float in openpyxl's writer
    (``"%.16g" % value``: 0.07 becomes 0.07000000000000001 in the file); integer fen with a
    display format would show yuan but hold fen, so a sum or a formula would be 100 times off."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = i18n.gettext(result.report.title)[:31]
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row_index, line in enumerate(_lines(result), start=2):
        for col_index, (column, value) in enumerate(zip(result.columns, line, strict=True), start=1):
            cell = sheet.cell(row=row_index, column=col_index)
            if column.kind == "fen" and isinstance(value, int):
                cell.value = str(yuan(value))
                cell.data_type = "n"
                cell.number_format = YUAN_FORMAT
            elif column.kind == "int" and isinstance(value, int):
                cell.value = value
                cell.number_format = INT_FORMAT
            else:
                cell.value = value
    for index in range(1, len(result.columns) + 1):
        letter = sheet.cell(row=1, column=index).column_letter
        sheet.column_dimensions[letter].width = max(12, len(header[index - 1]) * 2)
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
