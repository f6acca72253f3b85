"""``pos-hq``: headquarters' server and administration from the command line.

Every command takes ``--db URL`` (``sqlite:///file``, a plain path, or ``postgresql://...``;
default ``$POS_HQ_DB``, else ``./hq.db``). Exit status: 0 done, 1 ``verify`` found a
discrepancy, 2 bad input or a refused operation (``error: <field>: <message>``, nothing
written). Reports print a table, or CSV with ``--csv``.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import getpass
import io
import json
import os
import sys
import unicodedata
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from pos_app.core.errors import InvalidInput, PosError

DEFAULT_DB = "hq.db"


def _actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):  # no user name in a container
        return "cli"


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date such as 2027-01-01: {text!r}") from None


# -- output ----------------------------------------------------------------------------------------

def _width(text: str) -> int:
    """Columns a text takes in a terminal: wide (Chinese) characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _cell(value: Any) -> str:
    return "" if value is None else str(value)


def format_table(rows: list[dict[str, Any]], columns: Sequence[str] | None = None) -> str:
    if not rows:
        return "(no rows)\n"
    cols = list(columns or rows[0].keys())
    widths = {c: max(_width(c), *(_width(_cell(r.get(c))) for r in rows)) for c in cols}

    def line(values: dict[str, str]) -> str:
        parts = []
        for c in cols:
            text = values[c]
            pad = " " * (widths[c] - _width(text))
            numeric = text.lstrip("-").isdigit()
            parts.append(pad + text if numeric else text + pad)
        return "  ".join(parts).rstrip()

    out = [line({c: c for c in cols}), "  ".join("-" * widths[c] for c in cols)]
    out += [line({c: _cell(r.get(c)) for c in cols}) for r in rows]
    return "\n".join(out) + "\n"


def format_csv(rows: list[dict[str, Any]], columns: Sequence[str] | None = None) -> str:
    buf = io.StringIO()
    cols = list(columns or (rows[0].keys() if rows else []))
    writer = csv.DictWriter(buf, fieldnames=cols, lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    for r in rows:
        writer.writerow({c: _cell(r.get(c)) for c in cols})
    return buf.getvalue()


#: the columns of each report, so an empty report still has its CSV header
REPORT_COLUMNS: dict[str, tuple[str, ...]] = {
    "liability": ("store_id", "store_name", "members", "members_with_points", "points", "debt"),
    "issued": ("store_id", "issued", "redeemed", "expired", "clawed_back", "returned", "entries"),
    "reconciliation": ("id", "at", "kind", "store_id", "terminal_id", "member_uuid", "ref", "points", "details"),
    "stale": ("terminal_id", "store_id", "enrolled_at", "last_push_at", "last_seen_at", "last_seq",
              "hours_since_push"),
    "shifts": ("store_id", "terminal_id", "shift_no", "staff_code", "closed_at", "sales", "takings_fen",
               "expected_cash_fen", "counted_cash_fen", "cash_difference_fen"),
    "expiring": ("member_uuid", "phone", "points", "first_expiry", "store_id"),
    "donations": ("campaign", "name_zh", "state", "goal_points", "points", "yuan", "donors", "donations",
                  "progress_percent"),
}


def _emit(args: argparse.Namespace, data: Any, text: str) -> None:
    if getattr(args, "json", False):
        print(json.dumps(data, ensure_ascii=False, indent=2, default=str))
    else:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")


# -- commands ---------------------------------------------------------------------------------------

def cmd_serve(args: argparse.Namespace) -> int:
    from pos_app.hq import app

    if (args.cert is None) != (args.key is None):
        raise InvalidInput("cert" if args.cert is None else "key", "--cert and --key go together")
    app.serve(args.db, args.host, args.port, certfile=args.cert, keyfile=args.key, workers=args.workers)
    return 0


def cmd_store_add(args: argparse.Namespace) -> int:
    from pos_app.hq import admin

    store = admin.create_store(args.id, args.name, actor=_actor())
    _emit(args, {"id": store.id, "name": store.name}, f"store {store.id} added: {store.name}")
    return 0


def cmd_store_list(args: argparse.Namespace) -> int:
    from pos_app.hq import admin

    rows = admin.list_stores()
    _emit(args, rows, format_table(rows, ("id", "name", "created_at")))
    return 0


def cmd_terminal_add(args: argparse.Namespace) -> int:
    from pos_app.hq import admin

    kind = "channel" if args.channel else "till"
    term = admin.create_terminal(args.id, args.store, kind=kind, actor=_actor())
    _emit(args, {"id": term.id, "store_id": term.store_id, "kind": kind},
          f"{kind} {term.id} added to store {term.store_id}; enroll it with: pos-hq terminal code {term.id}")
    return 0


def cmd_terminal_list(args: argparse.Namespace) -> int:
    from pos_app.hq import admin

    rows = admin.list_terminals(args.store)
    _emit(args, rows, format_table(rows, ("id", "store_id", "kind", "active", "enrolled", "last_push_at",
                                          "last_seq")))
    return 0


def cmd_terminal_code(args: argparse.Namespace) -> int:
    from pos_app.hq import admin

    code = admin.new_enrollment_code(args.id, ttl_hours=args.ttl_hours, actor=_actor())
    # the code is the last word printed: scripts take it from there
    _emit(args, {"terminal_id": args.id, "code": code, "ttl_hours": args.ttl_hours},
          f"one-time enrollment code for {args.id} (valid {args.ttl_hours} h, shown once): {code}")
    return 0


def cmd_program_publish(args: argparse.Namespace) -> int:
    from pos_app.hq import authority

    path = Path(args.file)
    try:
        source = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput("file", f"cannot read {path}: {exc}") from None
    program = authority.publish_program(source, actor=_actor(), effective_on=args.effective_on)
    _emit(args, {"program_id": program.program_id, "version": program.version, "digest": program.digest},
          f"program {program.program_id} version {program.version} published ({program.digest[:12]})")
    return 0


def cmd_campaign_publish(args: argparse.Namespace) -> int:
    from pos_app.hq import campaigns

    path = Path(args.file)
    try:
        source = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput("file", f"cannot read {path}: {exc}") from None
    campaign, new = campaigns.publish_campaign(source, actor=_actor())
    _emit(args, {"id": campaign.campaign_id, "kind": campaign.kind, "version": campaign.version,
                 "digest": campaign.digest, "new": new},
          f"{campaign.kind} campaign {campaign.campaign_id} version {campaign.version} "
          + (f"published ({campaign.digest[:12]})" if new else "was published already with this text"))
    return 0


def cmd_campaign_list(args: argparse.Namespace) -> int:
    from pos_app.hq import campaigns

    rows = campaigns.list_campaigns(args.kind)
    _emit(args, rows, format_table(rows, ("id", "kind", "version", "name_zh", "starts_on", "ends_on", "stores",
                                          "state", "published_at")))
    return 0


def cmd_gift_stock(args: argparse.Namespace) -> int:
    from pos_app.hq import authority

    data = authority.set_gift_stock(args.store, args.gift, args.stock, actor=_actor())
    _emit(args, data, f"stock of {args.gift} at {args.store}: {args.stock}")
    return 0


def cmd_member_import(args: argparse.Namespace) -> int:
    from pos_app.hq import authority

    report = authority.import_members(args.file, actor=_actor(), store_id=args.store)
    lines = [f"{report['rows']} rows: {report['created']} members created, {len(report['duplicates'])} duplicates,"
             f" {len(report['errors'])} invalid"]
    for problem in sorted(report["duplicates"] + report["errors"], key=lambda p: p["line"]):
        lines.append(f"  line {problem['line']}: {problem['field']}: {problem['message']}")
    _emit(args, report, "\n".join(lines))
    return 0


def cmd_product_import(args: argparse.Namespace) -> int:
    from pos_app.hq import products

    summary = products.import_products(args.file, actor=_actor(), dry_run=args.dry_run)
    _emit(args, summary, products.report_text(summary))
    return 0 if summary["written"] or (args.dry_run and not summary["errors"]) else 2


def cmd_member_merge(args: argparse.Namespace) -> int:
    from pos_app.hq import merge

    if args.dry_run:
        source = merge.find_member(args.source, field_name="source")
        target = merge.find_member(args.target, field_name="target", exclude=source.uuid)
        plan = merge.merge_lines(merge.plan_merge(source.uuid, target.uuid))
        _emit(args, plan, f"would move {plan['points']} points in {len(plan['lots'])} lots and {plan['debt']} debt"
                          f" from {plan['source']} to {plan['target']} (balance afterwards {plan['balance_after']})")
        return 0
    out = merge.merge_members(args.source, args.target, actor=_actor())
    data = {"source": out.source_uuid, "target": out.target_uuid, "points": out.points, "debt": out.debt,
            "entries": list(out.entries), "balance": out.balance, "tier": out.tier, "subscribed": list(out.subscribed)}
    _emit(args, data, f"{out.source_uuid} merged into {out.target_uuid}: {out.points} points, {out.debt} debt moved;"
                      f" balance {out.balance}, tier {out.tier}")
    return 0


def cmd_revoke(args: argparse.Namespace) -> int:
    from pos_app.hq import authority

    data = authority.revoke(args.kind, args.value, args.reason, actor=_actor())
    _emit(args, data, f"{data['kind']} {data['value']} revoked: {data['reason']}")
    return 0


def cmd_member_qr_keygen(args: argparse.Namespace) -> int:
    from pos_app.hq import authority

    _private, public = authority.generate_member_qr_key(actor=_actor())
    _emit(args, {"public_key": public},
          f"new member QR key; headquarters keeps the private key, terminals receive: {public}")
    return 0


def cmd_member_qr_issue(args: argparse.Namespace) -> int:
    from pos_app.hq import authority

    code = authority.issue_member_code(args.card, ttl_s=args.ttl)
    _emit(args, {"code": code}, code)
    return 0


def cmd_expire(args: argparse.Namespace) -> int:
    from pos_app.hq import authority

    result = authority.run_expiry(args.as_of, actor=_actor())
    _emit(args, result, f"expiry as of {result['as_of']}: {result['points']} points of {result['lots']} lots"
                        f" from {result['members']} members")
    return 0


def cmd_tier_review(args: argparse.Namespace) -> int:
    from pos_app.hq import authority

    result = authority.run_tier_review(args.as_of, actor=_actor())
    lines = [f"tier review of {result['review_date']}: {result['members']} members reviewed,"
             f" {len(result['changes'])} changed, {result['exempt']} joined during the period (kept)"]
    lines += [f"  {c['member_uuid']}: {c['from']} -> {c['to']} ({c['qualifying']} qualifying points)"
              for c in result["changes"][:50]]
    _emit(args, result, "\n".join(lines))
    return 0


def cmd_verify(args: argparse.Namespace) -> int:
    from pos_app.hq import verify

    result = verify.verify()
    checks = result["checks"]
    lines = [f"{'ok' if c['ok'] else 'FAILED':6} {name} ({c['count']} problems)" for name, c in checks.items()]
    for name, c in result["checks"].items():
        lines += [f"  {name}: {json.dumps(p, ensure_ascii=False, default=str)}" for p in c["problems"][:10]]
    lines.append("verify: ok" if result["ok"] else "verify: FAILED")
    _emit(args, result, "\n".join(lines))
    return 0 if result["ok"] else 1


def cmd_report(args: argparse.Namespace) -> int:
    from pos_app.hq import reports

    if args.name == "expiring":
        return _report_expiring(args)
    if args.within is not None or args.full_phone or args.staff:
        raise InvalidInput("within", f"the {args.name} report takes no --within, --full-phone or --staff")
    if args.store and args.name != "shifts":
        raise InvalidInput("store", f"the {args.name} report takes no store")
    if args.name in ("issued", "reconciliation"):
        rows = (reports.issued_vs_redeemed if args.name == "issued" else reports.reconciliation)(args.date_from,
                                                                                                  args.date_to)
    elif args.name == "shifts":
        rows = reports.shifts(args.date_from, args.date_to, args.store)
    elif args.date_from or args.date_to:
        raise InvalidInput("from", f"the {args.name} report takes no dates")
    elif args.name == "liability":
        rows = reports.liability_by_store()
    elif args.name == "donations":
        from pos_app.hq import campaigns

        rows = campaigns.donation_report()
    else:
        rows = reports.stale_terminals(hours=args.hours)
    columns = REPORT_COLUMNS[args.name]
    if args.csv and args.csv != "-":
        _write_file(args.csv, format_csv(rows, columns))
        _emit(args, {"rows": len(rows), "csv": args.csv}, f"{len(rows)} rows written to {args.csv}")
    elif args.csv:
        sys.stdout.write(format_csv(rows, columns))
    else:
        _emit(args, rows, format_table(rows, columns))
    return 0


def _write_file(path: str, text: str) -> None:
    try:
        Path(path).write_text(text, encoding="utf-8-sig")
    except OSError as exc:
        raise InvalidInput("csv", f"cannot write {path}: {exc.strerror or exc}") from None


def _report_expiring(args: argparse.Namespace) -> int:
    """Members with points expiring within --within days (hq.reminders): masked phones unless
    --full-phone by an admin or marketing --staff login (audited)."""
    from pos_app.hq import reminders

    if args.within is None:
        raise InvalidInput("within", "the expiring report needs --within DAYS (e.g. 30 or 7)")
    if args.store or args.date_from or args.date_to:
        raise InvalidInput("store", "the expiring report takes --within and --as-of only")
    as_of = args.as_of or dt.date.today()
    rows = reminders.report_rows(as_of, args.within, full_phone=args.full_phone, staff=args.staff, actor=_actor())
    columns = REPORT_COLUMNS["expiring"]
    if args.csv and args.csv != "-":
        n = reminders.write_csv(args.csv, rows)
        _emit(args, {"rows": n, "csv": args.csv, "within_days": args.within, "as_of": as_of.isoformat()},
              f"{n} members with points expiring within {args.within} days written to {args.csv}")
    elif args.csv:
        sys.stdout.write(format_csv(rows, columns))
    else:
        _emit(args, rows, format_table(rows, columns))
    return 0


def cmd_remind_configure(args: argparse.Namespace) -> int:
    from pos_app.hq import reminders

    secret = sys.stdin.readline().rstrip("\r\n") if args.secret_stdin else os.environ.get(args.secret_env or "", "")
    if not secret:
        raise InvalidInput("secret", "give the signing secret with --secret-stdin or --secret-env NAME")
    result = reminders.configure(args.url, secret, actor=_actor())
    _emit(args, result, f"reminders go to {result['url']} (signed; the secret is stored sealed)")
    return 0


def cmd_remind_expiring(args: argparse.Namespace) -> int:
    from pos_app.hq import reminders

    result = reminders.remind_expiring(args.as_of or dt.date.today(), args.within, actor=_actor())
    text = (f"reminded {result['members']} members in {result['batches']} batches"
            + (f"; {len(result['failed'])} batches failed (sent again next run)" if result["failed"] else ""))
    _emit(args, result, text)
    return 1 if result["failed"] else 0


# -- the parser -------------------------------------------------------------------------------------

class _Parser(argparse.ArgumentParser):
    """Usage errors as ``error: <message>`` with exit status 2, like every refused operation."""

    def error(self, message: str) -> Any:
        self.print_usage(sys.stderr)
        sys.stderr.write(f"error: {message}\n")
        raise SystemExit(2)


def _read_password(args: argparse.Namespace) -> str:
    """A password from standard input (``--password-stdin``, one line) or typed twice at a
    prompt: never from the command line, where other users and the shell history see it."""
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    import getpass

    if not sys.stdin.isatty():
        raise InvalidInput("password", "type it at a terminal, or pipe it with --password-stdin")
    first = getpass.getpass("password: ")
    if getpass.getpass("again: ") != first:
        raise InvalidInput("password", "the two passwords differ")
    return first


def cmd_staff_add(args: argparse.Namespace) -> int:
    from pos_app.hq import staff

    row = staff.add_staff(args.login, _read_password(args), args.role, name=args.name or "", store_id=args.store,
                          actor=_actor())
    _emit(args, row, f"staff {row['login']} added as {row['role']}; sign in at /console/")
    return 0


def cmd_staff_list(args: argparse.Namespace) -> int:
    from pos_app.hq import staff

    rows = staff.list_staff()
    _emit(args, rows, format_table(rows, ("login", "name", "role", "store_id", "active", "locked_until",
                                          "last_login_at")))
    return 0


def cmd_staff_password(args: argparse.Namespace) -> int:
    from pos_app.hq import staff

    staff.set_password(args.login, _read_password(args), actor=_actor())
    _emit(args, {"login": args.login}, f"password of {args.login} set; its sessions are ended")
    return 0


def cmd_staff_unlock(args: argparse.Namespace) -> int:
    from pos_app.hq import staff

    row = staff.update_staff(args.login, unlock=True, active=True if args.enable else None, actor=_actor())
    _emit(args, row, f"{args.login} unlocked")
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="pos-hq", description="积分收银台 headquarters: server, administration and reports")
    p.add_argument("--db", default=os.environ.get("POS_HQ_DB") or DEFAULT_DB,
                   help="sqlite:///FILE, a file path or postgresql://... (default $POS_HQ_DB, else ./hq.db)")
    p.add_argument("--json", action="store_true", help="print results as JSON")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)

    def add(name: str, fn: Callable[[argparse.Namespace], int], parent: Any = sub, **kw: Any) -> Any:
        cmd = parent.add_parser(name, **kw)
        cmd.set_defaults(fn=fn)
        return cmd

    s = add("serve", cmd_serve, help="run the headquarters service (uvicorn)")
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=int, default=8800)
    s.add_argument("--cert", help="TLS certificate (PEM)")
    s.add_argument("--key", help="TLS private key (PEM)")
    s.add_argument("--workers", type=int, default=1)

    store = sub.add_parser("store", help="stores").add_subparsers(dest="action", required=True, parser_class=_Parser)
    s = add("add", cmd_store_add, store)
    s.add_argument("id")
    s.add_argument("name")
    add("list", cmd_store_list, store)

    term = sub.add_parser("terminal", help="tills and channels").add_subparsers(dest="action", required=True,
                                                                                parser_class=_Parser)
    s = add("add", cmd_terminal_add, term)
    s.add_argument("id")
    s.add_argument("--store", required=True)
    s.add_argument("--channel", action="store_true", help="a mini-program or website reporting behaviour awards")
    s = add("list", cmd_terminal_list, term)
    s.add_argument("--store")
    s = add("code", cmd_terminal_code, term, help="a one-time enrollment code (shown once)")
    s.add_argument("id")
    s.add_argument("--ttl-hours", type=int, default=72)

    prog = sub.add_parser("program", help="loyalty programs").add_subparsers(dest="action", required=True,
                                                                             parser_class=_Parser)
    s = add("publish", cmd_program_publish, prog, help="validate a program file and send it to every terminal")
    s.add_argument("file")
    s.add_argument("--effective-on", metavar="YYYY-MM-DD", help="the business date from which tills run it"
                   " (default: at once)")

    camp = sub.add_parser("campaign", help="donation and draw campaigns").add_subparsers(
        dest="action", required=True, parser_class=_Parser)
    s = add("publish", cmd_campaign_publish, camp, help="validate a campaign file (TOML) and send it to every till;"
            " a version not above the campaign's last is refused")
    s.add_argument("file")
    s = add("list", cmd_campaign_list, camp, help="every campaign's latest version and its state today")
    s.add_argument("--kind", help="only campaigns of this kind (donation, draw)")

    gift = sub.add_parser("gift", help="gift stock").add_subparsers(dest="action", required=True, parser_class=_Parser)
    s = add("stock", cmd_gift_stock, gift)
    s.add_argument("--store", required=True)
    s.add_argument("--gift", required=True)
    s.add_argument("--stock", type=int, required=True)

    member = sub.add_parser("member", help="members").add_subparsers(dest="action", required=True,
                                                                     parser_class=_Parser)
    s = add("import", cmd_member_import, member, help="members from a CSV file: phone,name,birthday,card_no")
    s.add_argument("file")
    s.add_argument("--store", default="HQ", help="the home store of the imported members")
    s = add("merge", cmd_member_merge, member,
            help="merge SOURCE into TARGET (uuid, phone or card): its points and debt go to TARGET")
    s.add_argument("source")
    s.add_argument("target")
    s.add_argument("--dry-run", action="store_true", help="show what the merge would do, write nothing")

    product = sub.add_parser("product", help="the product catalogue").add_subparsers(dest="action", required=True,
                                                                                   parser_class=_Parser)
    s = add("import", cmd_product_import, product, help="the ERP's catalogue from a CSV file (UTF-8 or GB18030;"
            " docs/operations/products.md), sent to every till; nothing is written if any row is wrong")
    s.add_argument("file")
    s.add_argument("--dry-run", action="store_true", help="report what would change, write nothing")

    staff_cmd = sub.add_parser("staff", help="console accounts (headquarters staff)").add_subparsers(
        dest="action", required=True, parser_class=_Parser)
    s = add("add", cmd_staff_add, staff_cmd, help="a console account; the first admin is made here")
    s.add_argument("login")
    s.add_argument("--role", required=True, choices=("admin", "marketing", "finance", "store_manager"))
    s.add_argument("--name", help="the name shown (default: the login)")
    s.add_argument("--store", help="a store manager's store")
    s.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    add("list", cmd_staff_list, staff_cmd)
    s = add("password", cmd_staff_password, staff_cmd, help="set a new password (ends the account's sessions)")
    s.add_argument("login")
    s.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    s = add("unlock", cmd_staff_unlock, staff_cmd, help="lift a lock-out after wrong passwords")
    s.add_argument("login")
    s.add_argument("--enable", action="store_true", help="and re-enable a disabled account")

    s = add("revoke", cmd_revoke, help="refuse a card or a member code everywhere")
    s.add_argument("--kind", required=True, choices=("card", "member_qr"))
    s.add_argument("value")
    s.add_argument("--reason", required=True)

    mqr = sub.add_parser("member-qr", help="member QR codes (会员码)").add_subparsers(dest="action", required=True,
                                                                                    parser_class=_Parser)
    add("keygen", cmd_member_qr_keygen, mqr, help="a new signing key; terminals receive its public half")
    s = add("issue", cmd_member_qr_issue, mqr, help="a member code for a card")
    s.add_argument("card")
    s.add_argument("--ttl", type=int, default=60, help="seconds the code is valid")

    s = add("expire", cmd_expire, help="write off lots whose last valid day is before the date")
    s.add_argument("--as-of", type=_date, required=True)
    s = add("tier-review", cmd_tier_review, help="the yearly tier review due on or before the date")
    s.add_argument("--as-of", type=_date, required=True)
    add("verify", cmd_verify, help="hash chains and projections; exit 1 on a discrepancy")

    s = add("report", cmd_report, help="liability | issued | reconciliation | stale | shifts | expiring | donations")
    s.add_argument("name", choices=tuple(REPORT_COLUMNS))
    s.add_argument("--from", dest="date_from", type=_date)
    s.add_argument("--to", dest="date_to", type=_date)
    s.add_argument("--hours", type=int, default=24, help="stale: hours without a push")
    s.add_argument("--store", help="shifts: one store's")
    s.add_argument("--csv", nargs="?", const="-", metavar="FILE", help="CSV to FILE, or to standard output")
    s.add_argument("--within", type=int, help="expiring: points expiring within this many days (30, 7 ...)")
    s.add_argument("--as-of", type=_date, help="expiring: the first day of the window (default today)")
    s.add_argument("--full-phone", action="store_true", help="expiring: whole phone numbers (audited; --staff)")
    s.add_argument("--staff", help="expiring --full-phone: the admin or marketing login who asks")

    rem = sub.add_parser("remind", help="expiry reminders through the chain's notification service"
                         ).add_subparsers(dest="action", required=True, parser_class=_Parser)
    s = add("configure", cmd_remind_configure, rem, help="the notification service's URL and signing secret")
    s.add_argument("--url", required=True)
    g = s.add_mutually_exclusive_group()
    g.add_argument("--secret-stdin", action="store_true", help="read the secret from standard input")
    g.add_argument("--secret-env", metavar="NAME", help="read the secret from this environment variable")
    s = add("expiring", cmd_remind_expiring, rem, help="post the members whose points expire within --within "
                                                       "days (each lot and window once)")
    s.add_argument("--within", type=int, required=True)
    s.add_argument("--as-of", type=_date, help="the first day of the window (default today)")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.command != "serve":
            from pos_app.hq import db

            db.connect(args.db)
        return int(args.fn(args))
    except PosError as exc:
        if getattr(args, "json", False):
            print(json.dumps({"error": exc.code, "field": exc.field, "message": exc.message}, ensure_ascii=False))
        print(f"error: {exc.field}: {exc.message}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
