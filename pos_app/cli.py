"""``pos-app``: the headless commands (back office, scripting, demos). Exit status 0 on
success, 1 when ``verify`` finds a discrepancy or ``sync``/``enroll`` cannot reach headquarters
(or it refuses), 2 on bad input or a refused operation."""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pos_app.core.earning import SaleLine
from pos_app.core.errors import Conflict, DatabaseDamaged, InvalidInput, PosError
from pos_app.core.members import mask_phone
from pos_app.core.money import format_fen, parse_int, parse_yuan
from pos_app.storage.database import RESTORE_HINT

EXIT_OK, EXIT_DISCREPANCY, EXIT_BAD_INPUT, EXIT_INTERNAL = 0, 1, 2, 3
PIN_HELP = ("visible to other users in the process list: leave it out to be asked without echo, or give the PIN"
            " as one line on standard input (scripts)")


class _Parser(argparse.ArgumentParser):
    """Exits 2 on usage errors, and accepts --db and --json after any subcommand too."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.add_argument("--db", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
        self.add_argument("--json", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS)

    def error(self, message: str) -> Any:  # argparse exits 2 on usage errors, as we do
        self.print_usage(sys.stderr)
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="pos-app", description="积分收银台 — loyalty points point of sale")
    p.error = _Parser.error.__get__(p)  # type: ignore[method-assign]
    p.add_argument("--db", default=None, help="terminal database file (default: $POS_APP_DB or the user data dir)")
    p.add_argument("--json", action="store_true", help="print machine-readable JSON")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)

    s = sub.add_parser("init", help="create the terminal database")
    s.add_argument("--store", required=True)
    s.add_argument("--terminal", required=True)

    s = sub.add_parser("program", help="loyalty program files")
    ps = s.add_subparsers(dest="action", required=True, parser_class=_Parser)
    ps.add_parser("load", help="validate and activate a program file").add_argument("file")
    ps.add_parser("show", help="the active program")
    ps.add_parser("check", help="validate a program file without loading it").add_argument("file")

    s = sub.add_parser("campaign", help="donation and draw campaigns (headquarters publishes them)")
    cs = s.add_subparsers(dest="action", required=True)
    a = cs.add_parser("list", help="the campaigns held here, their latest versions and their state today")
    a.add_argument("--kind", help="only campaigns of this kind (donation, draw)")
    a = cs.add_parser("load", help="validate and keep a campaign file (a till without headquarters; audited)")
    a.add_argument("file")
    a.add_argument("--staff", help="who loads it (audit)")
    s = sub.add_parser("member-qr", help="dynamic member codes (会员码) signed by headquarters")
    qs = s.add_subparsers(dest="action", required=True, parser_class=_Parser)
    qs.add_parser("keygen", help="a new signing key (headquarters, demos)").add_argument("--out", required=True)
    qs.add_parser("set-key", help="trust this public key (base64url; one that starts with '-' goes after --)",
                  ).add_argument("public_key")
    a = qs.add_parser("issue", help="a member code for a card (demos and tests)")
    a.add_argument("--key", required=True, help="private key PEM file")
    a.add_argument("--card", required=True)
    a.add_argument("--ttl", type=int, default=60, help="seconds (default 60)")
    qs.add_parser("check", help="verify a member code as the till would").add_argument("text")
    s = sub.add_parser("revoke", help="refuse a member card or member code at this terminal")
    s.add_argument("--kind", required=True, choices=["card", "member_qr"])
    s.add_argument("value", help="card number, or member code (text or id)")
    s.add_argument("--reason", required=True)
    s.add_argument("--staff", default=None)

    sub.add_parser("demo-seed", help="load the reference program, staff, gifts and demo members")
    sub.add_parser("demo-run", help="a few demo sales (the headless demo)")

    s = sub.add_parser("staff", help="cashiers and managers")
    ss = s.add_subparsers(dest="action", required=True, parser_class=_Parser)
    a = ss.add_parser("add")
    a.add_argument("--code", required=True)
    a.add_argument("--name", required=True)
    a.add_argument("--role", required=True, choices=["cashier", "manager"])
    a.add_argument("--pin", help=PIN_HELP)

    s = sub.add_parser("member", help="members")
    ms = s.add_subparsers(dest="action", required=True, parser_class=_Parser)
    a = ms.add_parser("enroll")
    a.add_argument("--phone", required=True)
    a.add_argument("--name", required=True)
    a.add_argument("--birthday")
    a.add_argument("--card")
    a.add_argument("--referrer", help="card or phone of the member who referred")
    a.add_argument("--consent", action="store_true")
    a.add_argument("--staff")
    a.add_argument("--at")
    ms.add_parser("show").add_argument("ref", help="card or phone number")
    a = ms.add_parser("history", help="a member's entries, newest first: from headquarters when enrolled, "
                                      "else (or with --local) from this till's ledger")
    a.add_argument("ref", help="card or phone number")
    g = a.add_mutually_exclusive_group()
    g.add_argument("--online", dest="source", action="store_const", const="hq",
                   help="from headquarters (every store; the default when enrolled)")
    g.add_argument("--local", dest="source", action="store_const", const="local", help="from this till's ledger")
    a.add_argument("--before", help="headquarters' entry id: the page of entries older than it (--online)")
    a.add_argument("--limit", default="100", help="entries at most (1 to 500 from headquarters)")
    ms.add_parser("find").add_argument("text")
    a = ms.add_parser("award")
    a.add_argument("ref")
    a.add_argument("award")
    a.add_argument("--reason", help="what the member did (required by awards such as survey, review_photo)")
    a.add_argument("--at")
    a = ms.add_parser("set-tier", help="put a member in a tier by hand (manager)")
    a.add_argument("ref")
    a.add_argument("tier")
    a.add_argument("--reason", required=True)
    a.add_argument("--manager", required=True)
    a.add_argument("--manager-pin", help=PIN_HELP)
    for name in ("freeze", "unfreeze"):
        a = ms.add_parser(name)
        a.add_argument("ref")
        a.add_argument("--reason", required=True)

    s = sub.add_parser("check-in", help="a self-service point: the member scans their member code (会员码) and "
                                        "checks in (签到, once a day)")
    s.add_argument("code", help="the member code as scanned")
    s.add_argument("--at")

    s = sub.add_parser("sale", help="record a sale")
    g = s.add_mutually_exclusive_group(required=True)
    g.add_argument("--amount", help="a plain amount in yuan, e.g. 58.50")
    g.add_argument("--lines", help="a JSON file with the basket lines")
    s.add_argument("--category", default="general", help="category of a plain amount")
    s.add_argument("--flag", action="append", default=[], help="line flag of a plain amount (e.g. new)")
    s.add_argument("--member", help="card or phone number, or the member code (会员码) scanned; paying with points "
                                    "needs the card or member code (a phone number may earn, not spend)")
    s.add_argument("--points", default="0", help="points paid with")
    s.add_argument("--coupon")
    s.add_argument("--tender", default="cash", help="cash, card, wechat or alipay: pays the amount due exactly")
    s.add_argument("--pay", action="append", metavar="KIND=YUAN",
                   help="what the customer hands over, e.g. --pay card=50 --pay cash=100 (repeatable: a split "
                        "tender; cash above the amount due is change; short is refused)")
    s.add_argument("--at", help="back-dated entry: the sale's local time, e.g. 2026-11-05T21:00")
    s.add_argument("--staff")
    s.add_argument("--sale-id", help="a UUID the till fixed before the first attempt (retries are not counted twice)")
    s.add_argument("--quote", action="store_true", help="work out the figures without recording the sale")
    s.add_argument("--manager", help="a manager approving points beyond the offline allowance")
    s.add_argument("--manager-pin", help=PIN_HELP)

    s = sub.add_parser("setting", help="show the terminal's settings, or set one (back office: audited)")
    s.add_argument("action", choices=("show", "set"))
    s.add_argument("key", nargs="?", help="e.g. discount.limit_percent")
    s.add_argument("value", nargs="?")

    s = sub.add_parser("suspended", help="suspended sales (挂单): list them, or discard one")
    s.add_argument("action", choices=("list", "discard"))
    s.add_argument("id", nargs="?", type=int, help="the suspended sale to discard (from the list)")
    s.add_argument("--staff")

    s = sub.add_parser("refund", help="refund a sale, whole or some lines")
    s.add_argument("receipt_no")
    s.add_argument("--lines", help="line numbers, e.g. 1,3 (default: every line not refunded yet)")
    s.add_argument("--quote", action="store_true", help="show what would be clawed back and returned")
    s.add_argument("--to", action="append", metavar="KIND=YUAN",
                   help="where the money goes, e.g. --to cash=23.45 (repeatable; default: back to the sale's "
                        "tenders pro rata); the amounts must add up to the refund")
    s.add_argument("--at")
    s.add_argument("--staff")

    s = sub.add_parser("redeem-gift", help="redeem a gift from the catalog")
    s.add_argument("--member", required=True, help="card number or the member code (会员码) scanned (a phone "
                                                   "number alone may not spend points)")
    s.add_argument("--gift", required=True)
    s.add_argument("--manager")
    s.add_argument("--manager-pin", help=PIN_HELP)
    s.add_argument("--staff")
    s.add_argument("--at")

    s = sub.add_parser("donate", help="give a member's points to a running donation campaign (never refunded;"
                       " the slip is queued for printing)")
    s.add_argument("--member", required=True, help="card number or the member code (会员码) scanned (a phone "
                                                   "number alone may not spend points)")
    s.add_argument("--campaign", required=True, help="the campaign's id (pos-app campaign list)")
    s.add_argument("--points", required=True)
    s.add_argument("--manager", help="needed only past the offline allowance")
    s.add_argument("--manager-pin", help=PIN_HELP)
    s.add_argument("--staff")
    s.add_argument("--at")

    s = sub.add_parser("cancel-gift", help="cancel a gift redemption of the open shift (points, stock, cash back)")
    s.add_argument("redemption_no")
    s.add_argument("--reason", required=True)
    s.add_argument("--manager", help="needed when the gift needed a manager's approval")
    s.add_argument("--manager-pin", help=PIN_HELP)
    s.add_argument("--staff")
    s.add_argument("--at")

    s = sub.add_parser("draw", help="a lottery draw (积分抽奖) for a present member: the slip is queued")
    s.add_argument("--member", required=True, help="card number or the member code (会员码) scanned (a phone "
                                                   "number alone may not spend points)")
    s.add_argument("--campaign", required=True, help="the draw campaign's id (pos-app campaign list)")
    s.add_argument("--manager", help="only to pass the offline allowance")
    s.add_argument("--manager-pin", help=PIN_HELP)
    s.add_argument("--staff")
    s.add_argument("--at")

    s = sub.add_parser("gift", help="the gift catalog and stock")
    gs = s.add_subparsers(dest="action", required=True, parser_class=_Parser)
    gs.add_parser("list")
    a = gs.add_parser("stock")
    a.add_argument("code")
    a.add_argument("stock")

    s = sub.add_parser("adjust", help="a manager's adjustment of a balance")
    s.add_argument("--member", required=True)
    s.add_argument("--points", required=True)
    s.add_argument("--reason", required=True)
    s.add_argument("--manager", required=True, help="the manager asking (their adjustment)")
    s.add_argument("--manager-pin", help=PIN_HELP)
    s.add_argument("--second-manager", help="above the store's self-approval limit (adjust.self_approval_points,"
                   " 1,000 points) another manager approves")
    s.add_argument("--second-manager-pin", help=PIN_HELP)
    s.add_argument("--at")

    s = sub.add_parser("expire", help="write off expired points")
    s.add_argument("--as-of", required=True)
    s.add_argument("--dry-run", action="store_true")

    s = sub.add_parser("report", help="the store's figures over business days, per cashier, day or store (manager);"
                       " --out writes CSV (UTF-8 with BOM) or Excel")
    s.add_argument("--from", dest="first", required=True, help="first business day, e.g. 2026-11-01")
    s.add_argument("--to", dest="last", required=True, help="last business day (included)")
    s.add_argument("--by", default="cashier", choices=["cashier", "day", "store"])
    s.add_argument("--out", help="a .csv or .xlsx file to write")
    s.add_argument("--manager", required=True)
    s.add_argument("--manager-pin", help=PIN_HELP)

    s = sub.add_parser("segment-export", help="a member segment's list for a campaign (manager): members who agreed"
                       " to marketing, phones masked unless --full-phone")
    s.add_argument("segment", help="a segment of the program (dormant, high_value, potential, new, regular ...)")
    s.add_argument("--out", required=True, help="a .csv or .xlsx file to write")
    s.add_argument("--full-phone", action="store_true", help="whole phone numbers instead of 138****8000 (audited)")
    s.add_argument("--manager", required=True)
    s.add_argument("--manager-pin", help=PIN_HELP)

    s = sub.add_parser("replica", help="the partial replica: members of other stores held here")
    rs = s.add_subparsers(dest="action", required=True)
    r = rs.add_parser("prune", help="drop other stores' members not identified here within the keep days"
                      " (headquarters keeps them)")
    r.add_argument("--keep-days", help="this run's window instead of the replica.keep_days setting")

    s = sub.add_parser("tier-review", help="the yearly tier review")
    s.add_argument("--as-of", required=True)

    s = sub.add_parser("import-members", help="import members and legacy points from CSV")
    s.add_argument("csv")
    s.add_argument("--dry-run", action="store_true")
    s.add_argument("--skip-bad", action="store_true")

    s = sub.add_parser("product", help="the product catalogue")
    cs = s.add_subparsers(dest="action", required=True, parser_class=_Parser)
    a = cs.add_parser("import", help="import the chain's product catalogue from a CSV file (UTF-8 or GB18030;"
                      " docs/operations/products.md); nothing is written if any row is wrong")
    a.add_argument("file")
    a.add_argument("--dry-run", action="store_true", help="report what would change, write nothing")
    a.add_argument("--staff", default=None)

    s = sub.add_parser("receipt", help="write the exact printer bytes of a sale's receipt")
    s.add_argument("--receipt-no", required=True)
    s.add_argument("--out", required=True, help="file to write ('-' for standard output)")
    s.add_argument("--reprint", action="store_true", help="with the REPRINT mark")
    s.add_argument("--columns", type=int, choices=[32, 42, 48], help="default: the terminal's paper width")
    s.add_argument("--lang", choices=["zh_CN", "en"], help="default: the terminal's language")
    s.add_argument("--text", action="store_true", help="write the paper as text instead of bytes")

    s = sub.add_parser("print-queue", help="list print jobs; --run prints the pending ones once")
    s.add_argument("--run", action="store_true")
    s.add_argument("--all", action="store_true", help="list printed jobs too")

    s = sub.add_parser("verify", help="check the ledger, projections and hash chains (a passing run leaves a "
                       "signed checkpoint)")
    s.add_argument("--since-checkpoint", action="store_true",
                   help="check only what came after the last signed checkpoint (the daily check); a full "
                        "check runs when there is none or anything is wrong")
    s.add_argument("--no-quick-check", action="store_true",
                   help="with --since-checkpoint: skip SQLite's check of every page (its time grows with the file)")

    s = sub.add_parser("backup", help="a checked copy of the database, taken while the till works")
    s.add_argument("--to", default=None, help="folder (default: the backups folder of the user data directory)")
    s = sub.add_parser("restore", help="replace the database by a checked backup (the window must be closed)")
    s.add_argument("file")
    s.add_argument("--force", action="store_true", help="restore a backup of another store or terminal")

    s = sub.add_parser("enroll", help="enroll this terminal with headquarters (a one-time code from HQ)")
    s.add_argument("--hq", required=True, help="headquarters' address, e.g. https://hq.example.com")
    s.add_argument("--code", required=True, help="the one-time enrollment code")
    s.add_argument("--ca-file", default=None, metavar="PEM",
                   help="the CA certificate that signed headquarters' TLS certificate (a chain's own CA);"
                        " kept as hq.ca_file. Default: the system's CAs")
    s = sub.add_parser("sync", help="one sync round with headquarters: push the outbox, pull changes")
    s.add_argument("--batch-size", type=int, default=None, help="outbox rows per push (default 1000)")

    s = sub.add_parser("scan-image", help="decode barcodes in image files with the camera's decoder (JSON)")
    s.add_argument("files", nargs="+", metavar="FILE")
    s.add_argument("--backend", choices=["auto", "zxing", "pyzbar"], help="default: the terminal's decoder setting")
    return p


def _payments(items: list[str], field: str = "tenders") -> list[tuple[str, int]]:
    """``--pay KIND=YUAN`` (``--to``) options as (kind, fen) pairs."""
    out = []
    for i, item in enumerate(items):
        kind, sep, amount = item.partition("=")
        if not sep:
            raise InvalidInput(f"{field}[{i}]", f"KIND=YUAN is required, e.g. cash=100, got {item!r}")
        out.append((kind.strip(), parse_yuan(amount, field=f"{field}[{i}].amount", allow_zero=True)))
    return out


def _at(text: str | None) -> dt.datetime | None:
    if text is None:
        return None
    try:
        value = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput("at", f"not a local date and time such as 2026-11-05T21:00: {text!r}") from None
    if value.tzinfo is not None:
        raise InvalidInput("at", "give the store's local time without a time zone")
    return value.replace(microsecond=0)


def _date(text: str, field: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput(field, f"not a date such as 2026-11-23: {text!r}") from None


def read_lines_file(path: str) -> list[SaleLine]:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput("lines", f"cannot read {path}: {exc}") from None
    except json.JSONDecodeError as exc:
        raise InvalidInput("lines", f"{path} is not valid JSON: {exc}") from None
    if isinstance(data, dict):
        data = data.get("lines")
    if not isinstance(data, list):
        raise InvalidInput("lines", "expected a list of lines")
    lines = []
    for i, item in enumerate(data):
        f = f"lines[{i}]"
        if not isinstance(item, dict):
            raise InvalidInput(f, "each line is an object")
        if "price_fen" in item:
            price = item["price_fen"]
        elif "price" in item:
            price = parse_yuan(str(item["price"]), field=f"{f}.price")
        else:
            raise InvalidInput(f"{f}.price", "a line needs price (yuan) or price_fen")
        flags = item.get("flags", [])
        if not isinstance(flags, list) or not all(isinstance(x, str) for x in flags):
            raise InvalidInput(f"{f}.flags", "must be a list of texts")
        lines.append(SaleLine(
            line_no=item.get("line_no", i + 1), sku=str(item.get("sku", "")), name=str(item.get("name", "")),
            category=str(item.get("category", "general")), qty=item.get("qty", 1), unit_price_fen=price,
            discount_fen=item.get("discount_fen", 0), flags=tuple(flags),
        ))
    return lines


class Output:
    def __init__(self, as_json: bool) -> None:
        self.as_json = as_json

    def emit(self, data: Any, text: str) -> None:
        if self.as_json:
            print(json.dumps(data, ensure_ascii=False, indent=2, default=str))
        else:
            print(text)


def _run(args: argparse.Namespace, out: Output) -> int:
    from pos_app.services import context

    db_path = args.db or context.default_db()
    if args.command == "init":
        t = context.init_terminal(db_path, store_id=args.store, terminal_id=args.terminal)
        out.emit({"db": db_path, "store_id": t.store_id, "terminal_id": t.terminal_id},
                 f"terminal {t.store_id}/{t.terminal_id} ready at {db_path}")
        t.close()
        return EXIT_OK
    if args.command == "member-qr" and args.action in ("keygen", "issue"):
        return _member_qr_offline(args, out)
    if args.command == "program" and args.action == "check":
        from pos_app.core.program import parse_program

        try:
            source = Path(args.file).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise InvalidInput("file", f"cannot read {args.file}: {exc}") from None
        prog = parse_program(source)
        out.emit({"program_id": prog.program_id, "version": prog.version, "ok": True},
                 f"{args.file}: program {prog.program_id} version {prog.version} is valid")
        return EXIT_OK
    if args.command == "scan-image":
        return _scan_image(args, db_path)
    if args.command == "restore":
        return _restore(args, db_path, out)
    if args.command == "demo-seed" and not Path(db_path).exists():
        return _demo_seed_new(db_path, out)
    t = context.Terminal.open(db_path)
    try:
        return _dispatch(t, args, out)
    except Exception as exc:  # an SQLite failure (read-only, full disk, a damaged file) named by its cause
        error = t.database.explain(exc)
        if error is None:
            raise
        raise error from None
    finally:
        t.close()


def _demo_seed_new(db_path: str, out: Output) -> int:
    """demo-seed on a database that does not exist yet: made and seeded, or no file at all."""
    from pos_app.services import context, demo

    try:
        t = context.init_terminal(db_path, store_id="S001", terminal_id="T01")
        try:
            result = demo.seed_demo(t)
        finally:
            t.close()
    except BaseException:
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(db_path + suffix).unlink(missing_ok=True)
        raise
    out.emit(result, "demo store seeded")
    return EXIT_OK


def _dispatch(t: Any, args: argparse.Namespace, out: Output) -> int:
    from pos_app.services import context, demo, draws, expiry, importer, points, sales, staff, tiers, verify

    cmd = args.command
    if cmd in ("member-qr", "revoke"):
        return _member_qr(t, args, out)
    if cmd == "program":
        prog = context.load_program_file(t, args.file) if args.action == "load" else t.program
        out.emit({"program_id": prog.program_id, "version": prog.version, "name": prog.name,
                  "digest": prog.digest}, f"active program: {prog.program_id} version {prog.version} ({prog.name})")
        return EXIT_OK
    if cmd == "campaign":
        return _campaign(t, args, out)
    if cmd == "demo-seed":
        result = demo.seed_demo(t)
        text = "demo store seeded" if result["seeded"] else "demo store was seeded already"
        if result.get("barcodes_fixed"):
            text += "; barcodes corrected for " + ", ".join(result["barcodes_fixed"])
        out.emit(result, text)
        return EXIT_OK
    if cmd == "demo-run":
        return _demo_run(t, out)
    if cmd == "staff":
        s = staff.create_staff(t, code=args.code, name=args.name, role=args.role, pin=args.pin)
        out.emit({"code": s.code, "name": s.name, "role": s.role}, f"{s.role} {s.code} {s.name} added")
        return EXIT_OK
    if cmd == "member":
        return _member(t, args, out)
    if cmd == "check-in":
        from pos_app.services import check_in

        done = check_in.check_in(t, args.code, at=_at(args.at))
        out.emit(done.to_dict(), f"checked in: +{done.points}; balance {done.member.balance}"
                 + (" (offline: this till's copy)" if done.offline else ""))
        return EXIT_OK
    if cmd == "sale":
        lines = read_lines_file(args.lines) if args.lines else [SaleLine(
            line_no=1, sku="", name="", category=args.category, qty=1,
            unit_price_fen=parse_yuan(args.amount, field="amount"), flags=tuple(args.flag))]
        pts = parse_int(args.points, field="points")
        if args.quote:
            q = sales.quote_sale(t, lines=lines, member_ref=args.member, points=pts, coupon=args.coupon,
                                 at=_at(args.at))
            data = {"total_fen": q.total_fen, "coupon_fen": q.coupon_fen, "points_redeemed": q.points_paid,
                    "tender_fen": q.tender_fen, "max_points": q.max_points,
                    "points_earned": q.earn.total if q.earn else 0,
                    "breakdown": q.earn.breakdown() if q.earn else None}
            out.emit(data, f"would earn {data['points_earned']} points; pay {format_fen(q.tender_fen)} yuan")
            return EXIT_OK
        approval = (args.manager, args.manager_pin or "") if args.manager else None
        _identify_online(t, args.member)
        payments = _payments(args.pay) if args.pay else None
        r = sales.record_sale(t, lines=lines, member_ref=args.member, points=pts, coupon=args.coupon,
                              tender=args.tender, at=_at(args.at), staff_code=args.staff, sale_uuid=args.sale_id,
                              approval=approval, payments=payments)
        _served(t, r.member)
        text = f"receipt {r.receipt_no}: {format_fen(r.total_fen)} yuan, pay {format_fen(r.tender_fen)} {r.tender_kind}"
        if len(r.tenders) > 1:
            text += " (" + ", ".join(f"{td.kind} {format_fen(td.amount_fen)}" for td in r.tenders) + ")"
        if r.change_fen:
            text += f"; change {format_fen(r.change_fen)}"
        if r.member:
            text += (f"; earned {r.points_earned}, redeemed {r.points_paid}, balance {r.member.balance}"
                     f" ({r.member.name} {mask_phone(r.member.phone)})")
        out.emit(r.to_dict(), text)
        return EXIT_OK
    if cmd == "setting":
        from pos_app.services import settings as terminal_settings

        if args.action == "show":
            current = terminal_settings.load_settings(t)
            shown = {k: current.value(k) for k in terminal_settings.KEYS if k != "member_qr.public_key"}
            out.emit(shown, "\n".join(f"{k} = {v}" for k, v in shown.items()))
            return EXIT_OK
        if args.key is None or args.value is None:
            raise InvalidInput("key", "pos-app setting set KEY VALUE")
        if args.key not in terminal_settings.KEYS:
            raise InvalidInput("key", f"no setting {args.key!r}; one of {', '.join(terminal_settings.KEYS)}")
        changed = terminal_settings.save_settings(t, {args.key: args.value})
        out.emit({"changed": changed}, f"{args.key} set" if changed else f"{args.key} unchanged")
        return EXIT_OK
    if cmd == "suspended":
        from pos_app.services import suspended

        if args.action == "list":
            rows = [x.to_dict() for x in suspended.list_suspended(t)]
            out.emit(rows, "\n".join(f"{r['id']}: {r['label']}  {r['lines']} lines  {format_fen(r['total_fen'])} yuan"
                                     f"  {r['suspended_at']}" for r in rows) or "no suspended sales")
            return EXIT_OK
        if args.id is None:
            raise InvalidInput("id", "name the suspended sale to discard (pos-app suspended list)")
        gone = suspended.discard_suspended(t, args.id, staff_code=args.staff)
        out.emit(gone.to_dict(), f"suspended sale {gone.id} ({gone.label}) discarded")
        return EXIT_OK
    if cmd == "refund":
        nums = None
        if args.lines:
            nums = [parse_int(x, field="lines") for x in args.lines.split(",") if x.strip()]
        to = _payments(args.to, field="refund_tenders") if args.to else None
        if args.quote:
            rq: dict[str, Any] = sales.quote_refund(t, receipt_no=args.receipt_no, line_nos=nums, to=to)
            back = ", ".join(f"{x['kind']} {format_fen(x['amount_fen'])}" for x in rq["tenders"])
            out.emit(rq, f"would claw back {rq['clawback']} and return {rq['returned_points']} points;"
                         f" money back to {back}")
            return EXIT_OK
        rr = sales.refund_sale(t, receipt_no=args.receipt_no, line_nos=nums, at=_at(args.at), staff_code=args.staff,
                               to=to)
        text = (f"refund {rr.refund_no}: {format_fen(rr.refund_fen)} yuan back ("
                + ", ".join(f"{k} {format_fen(f)}" for k, f in rr.tenders) + f"); clawed back {rr.clawback},"
                f" returned {rr.returned_points} points")
        if rr.shortfall:
            text += f"; SHORTFALL {rr.shortfall} points (balance now negative)"
        if rr.coupon_returned:
            text += f"; coupon {rr.coupon_returned} given back"
        out.emit(rr.to_dict(), text)
        return EXIT_OK
    if cmd == "redeem-gift":
        _identify_online(t, args.member)
        gr = points.redeem_gift(t, member_ref=args.member, gift_code=args.gift, staff_code=args.staff,
                                manager_code=args.manager, manager_pin=args.manager_pin, at=_at(args.at))
        _served(t, gr.member)
        out.emit(gr.to_dict(), f"{gr.redemption_no}: {gr.gift_code} for {gr.points} points"
                 + (f" + {format_fen(gr.cash_fen)} yuan" if gr.cash_fen else "")
                 + (f"; coupon {gr.coupon_code}" if gr.coupon_code else "") + f"; balance {gr.member.balance}")
        return EXIT_OK
    if cmd == "donate":
        from pos_app.services import donations

        _identify_online(t, args.member)
        dr = donations.donate(t, member_ref=args.member, campaign_id=args.campaign,
                              points=parse_int(args.points, field="points"), staff_code=args.staff,
                              manager_code=args.manager, manager_pin=args.manager_pin, at=_at(args.at),
                              queue_slip=True)
        _served(t, dr.member)
        out.emit(dr.to_dict(), f"{dr.donation_no}: {dr.points} points to {dr.campaign_id} ({dr.name_zh}),"
                 f" worth {format_fen(dr.yuan_fen)} yuan; balance {dr.member.balance}")
        return EXIT_OK
    if cmd == "cancel-gift":
        cr = points.cancel_redemption(t, redemption_no=args.redemption_no, reason=args.reason, staff_code=args.staff,
                                      manager_code=args.manager, manager_pin=args.manager_pin, at=_at(args.at),
                                      queue_slip=True)
        out.emit({"redemption_no": cr.redemption_no, "gift": cr.gift_code, "points": cr.points,
                  "cash_fen": cr.cash_fen, "written_off": cr.written_off, "approved_by": cr.approved_by,
                  "balance_after": cr.member.balance},
                 f"{cr.redemption_no} cancelled: {cr.points} points back"
                 + (f", hand back {format_fen(cr.cash_fen)} yuan" if cr.cash_fen else "")
                 + f"; balance {cr.member.balance}")
        return EXIT_OK
    if cmd == "draw":
        _identify_online(t, args.member)
        lot = draws.run_draw(t, member_ref=args.member, campaign_id=args.campaign, staff_code=args.staff,
                             manager_code=args.manager, manager_pin=args.manager_pin, at=_at(args.at), queue_slip=True)
        _served(t, lot.member)
        out.emit(lot.to_dict(), f"{lot.draw_no}: {lot.campaign_name_zh} -{lot.cost_points} points: "
                 f"{lot.prize_name_zh} ({lot.prize_name_en})"
                 + (f" +{lot.points_won} points" if lot.points_won else "")
                 + (f"; coupon {lot.coupon_code}" if lot.coupon_code else "")
                 + (f"; collect with {lot.redemption_no}" if lot.redemption_no else "")
                 + f"; number {lot.value} of {lot.range}; balance {lot.balance_after}")
        return EXIT_OK
    if cmd == "gift":
        if args.action == "stock":
            points.set_gift_stock(t, gift_code=args.code, stock=parse_int(args.stock, field="stock"))
        prog = t.program
        rows = [{"code": g.code, "name_zh": g.name_zh, "name_en": g.name_en, "points": g.points,
                 "cash_fen": g.cash_fen, "stock": t.repo.gift_stock(g.code) if g.stock_tracked else None}
                for g in prog.gifts]
        out.emit(rows, "\n".join(f"{r['code']}  {r['points']:>6} pts  {r['name_zh']}"
                                 + (f"  stock {r['stock']}" if r["stock"] is not None else "") for r in rows))
        return EXIT_OK
    if cmd == "adjust":
        # the manager at the command line asks; within the limit they approve it themselves, above
        # it the second manager does (both PINs checked: nothing is written on either refusal)
        asking = staff.require_manager(t, args.manager, args.manager_pin)
        approver = (args.second_manager, args.second_manager_pin) if args.second_manager else (
            args.manager, args.manager_pin)
        ar = points.adjust_points(t, member_ref=args.member, points=parse_int(args.points, field="points"),
                                  reason=args.reason, manager_code=approver[0], manager_pin=approver[1],
                                  at=_at(args.at), requested_by=asking.code)
        out.emit({"points": ar.points, "reason": ar.reason, "approved_by": ar.approved_by,
                  "balance_after": ar.member.balance}, f"adjusted {ar.points:+d}; balance {ar.member.balance}")
        return EXIT_OK
    if cmd == "expire":
        er = expiry.run_expiry(t, as_of=_date(args.as_of, "as_of"), dry_run=args.dry_run)
        out.emit(er.to_dict(), f"{'would expire' if er.dry_run else 'expired'} {er.points} points"
                 f" in {er.lots} lots of {er.members} members")
        return EXIT_OK
    if cmd in ("report", "segment-export"):
        return _store_report(t, args, out)
    if cmd == "replica":
        from pos_app.services import prune

        pr = prune.prune_replica(t, keep_days=None if args.keep_days is None
                                 else parse_int(args.keep_days, field="keep_days"))
        out.emit(pr.to_dict(), pr.skipped or (
            f"dropped {pr.members} members of other stores (kept {pr.members_kept}) with {pr.entries} entries,"
            f" {pr.lots} lots, {pr.coupons} coupons; identified here since {pr.since} kept"))
        return EXIT_OK
    if cmd == "tier-review":
        tr = tiers.run_tier_review(t, as_of=_date(args.as_of, "as_of"))
        out.emit({"review_date": tr.review_date.isoformat(), "members": tr.members, "exempt": tr.exempt,
                  "changes": [{"member": u, "from": a, "to": b} for u, a, b in tr.changes]},
                 f"review of {tr.review_date}: {tr.members} members, {len(tr.changes)} tier changes,"
                 f" {tr.exempt} joined during the period (kept)")
        return EXIT_OK
    if cmd == "import-members":
        ir = importer.import_members(t, args.csv, dry_run=args.dry_run, skip_bad=args.skip_bad)
        text = (f"{ir.rows} rows, {ir.valid} valid, {len(ir.errors)} invalid; "
                + ("written" if ir.written else "nothing written"))
        for e in ir.errors[:20]:
            text += f"\n  line {e['line']}: {e['field']}: {e['message']}"
        out.emit(ir.to_dict(), text)
        return EXIT_OK if ir.written or ir.dry_run else EXIT_BAD_INPUT
    if cmd == "product":
        from pos_app.services import catalog

        imported = catalog.import_products(t, args.file, dry_run=args.dry_run, staff_code=args.staff)
        out.emit(imported.to_dict(), imported.text())
        return EXIT_OK if imported.written or (imported.dry_run and not imported.plan.errors) else EXIT_BAD_INPUT
    if cmd in ("receipt", "print-queue"):
        return _printing(t, args, out)
    if cmd in ("enroll", "sync"):
        return _sync(t, args, out)
    if cmd == "backup":
        from pos_app.services import backup

        b = backup.take_backup(t, args.to)
        out.emit(b.to_dict(), f"backup written to {b.path} ({b.bytes} bytes, verify OK)")
        return EXIT_OK
    if cmd == "verify":
        if args.no_quick_check and not args.since_checkpoint:
            raise InvalidInput("no_quick_check", "--no-quick-check goes with --since-checkpoint; a full verify "
                               "always checks every page")
        report = verify.verify(t, since_checkpoint=args.since_checkpoint, quick_check=not args.no_quick_check)
        bad = [k for k, v in report["checks"].items() if not v["ok"]]
        text = "verify: OK" if report["ok"] else "verify: DISCREPANCIES in " + ", ".join(bad)
        chains = report["checks"]["hash_chains"]
        own, others = chains["own_chain"], chains["other_chains"]
        if report["mode"] == "incremental":
            text += (f"\nincremental, {report['checkpoint']['reason']}: own chain complete, {own['entries']:,} "
                     f"entries ({own['new']:,} new); other chains: {others['new']:,} new entries, partial")
        else:
            state = "complete" if own["complete"] else "INCOMPLETE"
            text += (f"\nfull ({report['checkpoint']['reason']}): own chain {state},"
                     f" {own['entries']:,} entries; other chains: {others['terminals']:,} terminals, "
                     f"{others['entries']:,} entries, partial")
        if {"sqlite_quick_check", "loyalty_program"} & set(bad):
            text += f"\nthe database file is damaged: {RESTORE_HINT}"
        out.emit(report, text)
        return EXIT_OK if report["ok"] else EXIT_DISCREPANCY
    raise InvalidInput("command", f"unknown command {cmd}")


def _store_report(t: Any, args: argparse.Namespace, out: Output) -> int:
    from pos_app.services import staff, store_reports

    if args.command == "segment-export":
        store_reports.check_format(args.out)
        manager = staff.require_manager(t, args.manager, args.manager_pin)
        se = store_reports.export_segment(t, args.segment, args.out, today=t.clock().date(), mask=not args.full_phone,
                                          staff_code=manager.code)
        out.emit({"segment": se.segment, "file": str(se.path), "members": se.members,
                  "without_consent": se.without_consent, "masked": se.masked},
                 f"{se.members} members of {se.segment} written to {se.path}"
                 f" ({'phones masked' if se.masked else 'whole phone numbers'}; {se.without_consent} without"
                 f" marketing consent left out)")
        return EXIT_OK
    store_reports.check_range(args.first, args.last)
    if args.out:
        store_reports.check_format(args.out)
    staff.require_manager(t, args.manager, args.manager_pin)
    rep = store_reports.store_report(t, first=args.first, last=args.last, by=args.by)
    if args.out:
        path = store_reports.export_report(rep, args.out)
        out.emit({**rep.to_dict(), "file": str(path)}, f"{len(rep.rows)} rows ({args.by}) written to {path}")
        return EXIT_OK
    table = store_reports.report_table(rep)
    out.emit(rep.to_dict(), "\n".join("\t".join(str(c) for c in row) for row in table))
    return EXIT_OK


def _restore(args: argparse.Namespace, db_path: str, out: Output) -> int:
    """Without opening the database as a terminal: it may be missing, unreadable or about to go."""
    from pos_app.services import backup

    r = backup.restore(db_path, args.file, force=args.force)
    for w in r.warnings:
        print(f"warning: {w}", file=sys.stderr)
    out.emit(r.to_dict(), f"restored {r.restored_from} into {r.database} ({r.store_id}/{r.terminal_id}, verify OK)"
             + (f"; the previous database is kept as {r.kept}" if r.kept else ""))
    return EXIT_OK


def _campaign(t: Any, args: argparse.Namespace, out: Output) -> int:
    from pos_app.services import campaigns

    if args.action == "load":
        c, new = campaigns.load_campaign_file(t, args.file, staff_code=args.staff)
        out.emit({"id": c.campaign_id, "kind": c.kind, "version": c.version, "digest": c.digest, "new": new},
                 f"{c.kind} campaign {c.campaign_id} version {c.version} "
                 + ("loaded" if new else "was loaded already"))
        return EXIT_OK
    rows = campaigns.list_campaigns(t, kind=args.kind)
    out.emit(rows, "\n".join(f"{r['id']} v{r['version']} {r['kind']} {r['name_zh']} / {r['name_en']}"
                             f"  {r['starts_on']}..{r['ends_on']}  {r['state']}" for r in rows) or "no campaigns")
    return EXIT_OK


def _member_qr_offline(args: argparse.Namespace, out: Output) -> int:
    """keygen and issue: headquarters' side, no terminal database needed."""
    from pos_app.services import member_codes
    from pos_app.services.context import system_now

    if args.action == "keygen":
        pem, public = member_codes.generate_keypair()
        path = Path(args.out)
        try:  # private from its creation (never readable by others, not even for a moment); never overwritten
            with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as f:
                f.write(pem)
        except OSError as exc:
            raise InvalidInput("file", f"cannot write {path}: {exc}") from None
        out.emit({"private_key_file": str(path), "public_key": public}, public)
        return EXIT_OK
    try:
        pem = Path(args.key).read_bytes()
    except OSError as exc:
        raise InvalidInput("key", f"cannot read {args.key}: {exc}") from None
    code = member_codes.sign_member_code(pem, args.card, system_now(), args.ttl)
    out.emit({"code": code, "card_no": args.card, "ttl_s": args.ttl}, code)
    return EXIT_OK


def _member_qr(t: Any, args: argparse.Namespace, out: Output) -> int:
    from pos_app.services import member_codes, settings

    if args.command == "revoke":
        value = member_codes.revoke_code(t, args.kind, args.value, args.reason, staff_code=args.staff)
        out.emit({"kind": args.kind, "value": value, "reason": args.reason}, f"revoked {args.kind} {value}")
    elif args.action == "set-key":
        changed = settings.set_setting(t, "member_qr.public_key", args.public_key)
        key = settings.load_settings(t).member_qr_public_key
        out.emit({"public_key": key, "changed": changed}, f"member QR key {key}" + ("" if changed else " (unchanged)"))
    else:
        card = member_codes.verify_member_code(t, args.text)
        m = t.repo.member_by_card(card)
        out.emit({"valid": True, "card_no": card, "member": m.to_dict() if m else None},
                 f"valid member code for card {card}" + (f" ({m.name})" if m else " (no such member here)"))
    return EXIT_OK


def _identify_online(t: Any, ref: str | None) -> None:
    """The member a sale or a gift is for, identified as at the counter: headquarters first when
    this till's copy is missing or stale (an error is left to the sale or gift to report; the
    member counts as seen here once served, ``_served``)."""
    from pos_app.services import online

    if not ref:
        return
    try:
        found = online.identify(t, ref, mark_seen=False)
    except PosError:
        return
    if found.offline:
        print(f"offline: using this till's copy of the member ({found.error})", file=sys.stderr)


def _served(t: Any, member: Any) -> None:
    from pos_app.services import online

    if member is not None:
        online.mark_seen(t, member)


def _member_history(t: Any, args: argparse.Namespace, out: Output) -> None:
    from pos_app.services import members, online, sync

    limit = parse_int(args.limit, field="limit")
    before = parse_int(args.before, field="before") if args.before else None
    source = args.source or ("hq" if sync.is_enrolled(t) else "local")
    if source == "hq":
        member_uuid = online.identify(t, args.ref).member.uuid
        try:
            page = online.hq_history(t, member_uuid, before=before, limit=limit)
        except online.LookupUnavailable as exc:
            raise Conflict("hq", f"headquarters did not answer ({exc}); --local shows this till's ledger") \
                from None
        rows = [e.to_dict() for e in page.entries]
        text = "\n".join(f"{e.business_date} {e.store_id}/{e.terminal_id} {e.kind} {e.points:+d} {e.ref_no}"
                         f" {e.summary}" for e in page.entries) or "no entries"
        if page.more:
            text += f"\nolder entries: --before {page.next_before}"
        out.emit({"source": "hq", "entries": rows, "next_before": page.next_before},
                 "headquarters' records (every store)\n" + text)
        return
    if before is not None:
        raise InvalidInput("before", "--before pages headquarters' history (--online)")
    member = members.find_member(t, args.ref)
    entries = members.member_history(t, member.id, limit=limit)
    out.emit({"source": "local", "entries": [{"uuid": e.uuid, "kind": e.kind, "points": e.points,
                                              "balance_after": e.balance_after, "ref_no": e.ref_no,
                                              "business_date": e.business_date.isoformat(),
                                              "created_at": e.created_at.isoformat(), "breakdown": e.breakdown}
                                             for e in entries]},
             "this till's records\n" + ("\n".join(f"{e.business_date} {e.kind} {e.points:+d} = {e.balance_after}"
                                                   f" {e.ref_no} {e.summary}" for e in entries) or "no entries"))


def _member(t: Any, args: argparse.Namespace, out: Output) -> int:
    from pos_app.services import members, online

    if args.action == "enroll":
        m = members.enroll_member(t, phone=args.phone, name=args.name, birthday=args.birthday, card_no=args.card,
                                  referrer=args.referrer, consent=args.consent, at=_at(args.at),
                                  staff_code=args.staff)
        out.emit(m.to_dict(), f"member {m.name} card {m.card_no}, balance {m.balance}")
    elif args.action == "show":
        found = online.identify(t, args.ref)  # headquarters first when this till's copy is missing or stale
        pic = members.member_picture(t, found.member, lots=True)
        m = pic.member
        text = (f"{m.name} {mask_phone(m.phone)} card {m.card_no} tier {m.tier} balance {m.balance}"
                + (f" debt {m.debt}" if m.debt else "") + f" segment {pic.segment}"
                + (f" (offline: this till's copy; {found.error})" if found.offline else ""))
        out.emit({**pic.to_dict(), "source": found.source, "counters": found.counters}, text)
    elif args.action == "history":
        _member_history(t, args, out)
    elif args.action == "find":
        found = t.repo.find_members(args.text)
        out.emit([m.to_dict() for m in found],
                 "\n".join(f"{m.card_no} {m.name} {mask_phone(m.phone)}" for m in found) or "no member found")
    elif args.action == "set-tier":
        from pos_app.services import staff, tiers

        manager = staff.require_manager(t, args.manager, args.manager_pin)
        tiers.set_tier(t, member=members.find_member(t, args.ref), tier=args.tier, reason=args.reason,
                       staff_code=manager.code)
        m = members.find_member(t, args.ref)
        out.emit(m.to_dict(), f"member {m.card_no} is now {m.tier}")
    elif args.action == "award":
        m = members.award_behaviour(t, member_ref=args.ref, award_id=args.award, at=_at(args.at), reason=args.reason)
        out.emit(m.to_dict(), f"awarded {args.award}; balance {m.balance}")
    else:
        m = members.set_status(t, member_ref=args.ref, status="frozen" if args.action == "freeze" else "active",
                               reason=args.reason)
        out.emit(m.to_dict(), f"member {m.card_no} is {m.status}")
    return EXIT_OK


def _scan_image(args: argparse.Namespace, db_path: str) -> int:
    """Per file the codes found, as JSON; a file that does not load is an error entry (exit 2)."""
    from pos_app.devices.decoding import load_image, make_decoder

    backend = args.backend
    if backend is None:  # the configured decoder; a terminal that does not exist yet means the default
        backend = "auto"
        if Path(db_path).exists():
            from pos_app.services import context
            from pos_app.services.settings import load_settings

            t = context.Terminal.open(db_path)
            try:
                backend = load_settings(t).decoder_backend
            finally:
                t.close()
    decoder = make_decoder(backend)
    results: list[dict[str, Any]] = []
    for name in args.files:
        try:
            image = load_image(name)
        except PosError as exc:
            results.append({"file": name, **exc.to_dict()})
            print(f"error: {name}: {exc.message}", file=sys.stderr)
            continue
        results.append({"file": name, "codes": [{"format": c.format, "text": c.text} for c in decoder.decode(image)]})
    print(json.dumps({"backend": decoder.name, "files": results}, ensure_ascii=False, indent=2))
    return EXIT_BAD_INPUT if any("error" in r for r in results) else EXIT_OK


def _printing(t: Any, args: argparse.Namespace, out: Output) -> int:
    from pos_app.services import printing, receipts

    if args.command == "receipt":
        if args.text:
            doc = receipts.build_document(t, "receipt", args.receipt_no, reprint=args.reprint, columns=args.columns,
                                          language=args.lang)
            data = doc.render_text().encode("utf-8")
        else:
            data = printing.receipt_bytes(t, args.receipt_no, reprint=args.reprint, columns=args.columns,
                                          language=args.lang)
        if args.out == "-":
            sys.stdout.buffer.write(data)
            sys.stdout.flush()
            return EXIT_OK
        try:
            Path(args.out).write_bytes(data)
        except OSError as exc:
            raise InvalidInput("out", f"cannot write {args.out}: {exc.strerror}") from None
        out.emit({"receipt_no": args.receipt_no, "out": args.out, "bytes": len(data)},
                 f"receipt {args.receipt_no}: {len(data)} bytes written to {args.out}")
        return EXIT_OK
    result = printing.print_pending(t, force=True) if args.run else None
    jobs = printing.list_jobs(t, limit=200, pending_only=not args.all)
    rows = [{k: j[k] for k in ("id", "kind", "ref", "status", "attempts", "last_error", "created_at", "printed_at",
                                "next_try_at", "reprint_of")} for j in jobs]
    lines = [f"{r['id']:>5} {r['kind']:<8} {r['ref']:<22} {r['status']:<8} tries {r['attempts']}"
             + (f"  {r['last_error']}" if r["last_error"] and r["status"] != "printed" else "") for r in rows]
    head = ""
    if result is not None:
        head = (f"printer {result.state}: printed {len(result.printed)}, failed {len(result.failed)},"
                f" {result.pending} waiting\n")
    out.emit({"run": result.to_dict() if result else None, "jobs": rows},
             head + ("\n".join(lines) if lines else "no print jobs waiting"))
    return EXIT_OK


def _sync(t: Any, args: argparse.Namespace, out: Output) -> int:
    """``enroll`` and ``sync``: exit 1 when headquarters cannot be reached or refuses (the
    error is printed and kept as sync.last_error; nothing waiting is lost)."""
    from pos_app.services import sync
    from pos_app.sync.client import SyncError

    try:
        if args.command == "enroll":
            e = sync.enroll(t, args.hq, args.code, ca_file=args.ca_file)
            out.emit(e, f"enrolled with {e['hq_url']} as {e['store_id']}/{e['terminal_id']}"
                     + (" (identity taken from headquarters)" if e["adopted"] else ""))
            return EXIT_OK
        kwargs = {"batch_size": args.batch_size} if args.batch_size else {}
        r = sync.sync_once(t, **kwargs)
    except SyncError as exc:
        st = sync.status(t)
        if args.json:
            print(json.dumps({"error": exc.kind, "message": exc.message, "status": exc.status,
                              "waiting": st.waiting}, ensure_ascii=False))
        print(f"error: sync: {exc.kind}: {exc.message} ({st.waiting} waiting)", file=sys.stderr)
        return EXIT_DISCREPANCY
    text = (f"pushed {r.pushed_entries} entries and {r.pushed_events} events in {r.batches} batches"
            + (f" ({r.duplicates} already held)" if r.duplicates else "")
            + f"; pulled {r.pulled} changes ({r.imported_entries} entries from other tills); {r.waiting} waiting"
            + ("; headquarters had lost some of this till's rows: sent again" if r.resent else "")
            + (f"; took back {r.recovered_entries} entries and {r.recovered_events} events of this till from"
               " headquarters (rebuilt, or restored from an older backup; audit: sync.recover)"
               if r.recovered_entries or r.recovered_events else "")
            + (f"; {r.quarantined} changes from headquarters set aside, malformed (audit: sync.bad_change)"
               if r.quarantined else "")
            + ("; headquarters' feed was read again from the start (its database was restored)"
               if r.feed_restarted else ""))
    out.emit(r.to_dict(), text)
    return EXIT_OK


def _demo_run(t: Any, out: Output) -> int:
    from pos_app.services import members, sales

    member = members.find_member(t, "13800138000")
    lines = [SaleLine(1, "6901234567892", "新品耳机套", "electronics", 1, 10000, flags=("new",)),
             SaleLine(2, "6920000000017", "矿泉水", "food", 2, 250)]
    quote = sales.quote_sale(t, lines=lines, member_ref=member.card_no)
    r = sales.record_sale(t, lines=lines, member_ref=member.card_no, staff_code="1001")
    data = {"member": member.name, "quote_points": quote.earn.total if quote.earn else 0, "sale": r.to_dict()}
    out.emit(data, f"demo sale {r.receipt_no} for {member.name}: earned {r.points_earned} points, "
                   f"balance {r.member.balance if r.member else '-'}")
    return EXIT_OK


def _check_text(args: argparse.Namespace) -> None:
    """Bytes that are not UTF-8 on the command line reach Python as lone surrogates, which no
    file, database row or message can hold: refuse them naming the argument."""
    for name, value in vars(args).items():
        for text in value if isinstance(value, list) else [value]:
            if isinstance(text, str):
                try:
                    text.encode("utf-8")
                except UnicodeEncodeError:
                    raise InvalidInput(name, "is not valid UTF-8 text (check the terminal's or the script's "
                                             "encoding)") from None


def _ask_pin(field: str, prompt: str) -> str:
    """A PIN not given on the command line: asked without echo at a terminal, else one line of
    standard input (a script: ``printf '%s\n' "$PIN" | pos-app ...``)."""
    if sys.stdin is not None and sys.stdin.isatty():
        return getpass.getpass(prompt)
    line = sys.stdin.readline() if sys.stdin is not None else ""
    if not line.strip():
        raise InvalidInput(field, "give the PIN at the prompt or as one line on standard input")
    return line.rstrip("\r\n")


def _read_pins(args: argparse.Namespace) -> None:
    if args.command == "staff" and getattr(args, "action", None) == "add" and args.pin is None:
        args.pin = _ask_pin("pin", f"PIN for {args.code}: ")
    if getattr(args, "manager", None) and getattr(args, "manager_pin", "") is None:
        args.manager_pin = _ask_pin("manager_pin", f"PIN of manager {args.manager}: ")
    if getattr(args, "second_manager", None) and getattr(args, "second_manager_pin", "") is None:
        args.second_manager_pin = _ask_pin("second_manager_pin", f"PIN of manager {args.second_manager}: ")


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    out = Output(args.json)
    try:
        _check_text(args)
        _read_pins(args)
        return _run(args, out)
    except PosError as exc:
        if args.json:
            print(json.dumps(exc.to_dict(), ensure_ascii=False, default=str))
        print(f"error: {exc.field}: {exc.message}", file=sys.stderr)
        if isinstance(exc, DatabaseDamaged) and args.command == "verify":
            return EXIT_DISCREPANCY  # what verify is for: it found the file damaged
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
