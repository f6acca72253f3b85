"""``pos-hq`` end to end: every administration command in a child process on a real database."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from pos_app.core.members import make_card_number
from pos_app.hq import db
from pos_app.sync import member_code
from tests.hq.conftest import Till, member_event, push

REPO = Path(__file__).resolve().parents[2]


def run(db_url: str, *args: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
    out = subprocess.run([sys.executable, "-m", "pos_app.hq", "--db", db_url, *args], cwd=REPO,
                         capture_output=True, text=True, timeout=120)
    if ok:
        assert out.returncode == 0, out.stdout + out.stderr
        assert "Traceback" not in out.stderr
    return out


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'hq.db'}"


def _push_lapsed_points(db_url: str, card: str) -> str:
    """Directly into the file (what a till's push would do): a member whose 100 points
    lapsed on 2025-01-01 and 40 more that are still valid."""
    database = db.connect(db_url)
    try:
        term = db.Terminal.get(db.Terminal.id == "S01-T1")
        till = Till("S01-T1", "S01")
        m_uuid = str(uuid.uuid4())
        push(term, till.batch([till.earn(m_uuid, 100, day="2023-01-01", expires="2025-01-01"),
                               till.earn(m_uuid, 40, day="2026-11-01", expires="2028-11-01")],
                              [member_event(till, m_uuid, phone="13700000007", card_no=card)]))
    finally:
        database.close()
    return m_uuid


def test_administration_from_the_command_line(db_url: str, tmp_path: Path) -> None:
    assert "store S01 added" in run(db_url, "store", "add", "S01", "东城店").stdout
    run(db_url, "store", "add", "S02", "西城店")
    assert "东城店" in run(db_url, "store", "list").stdout
    run(db_url, "terminal", "add", "S01-T1", "--store", "S01")
    run(db_url, "terminal", "add", "MINI", "--store", "S02", "--channel")
    listing = run(db_url, "terminal", "list").stdout
    assert re.search(r"MINI\s+S02\s+channel", listing) and re.search(r"S01-T1\s+S01\s+till", listing)
    code = run(db_url, "terminal", "code", "S01-T1", "--ttl-hours", "2").stdout.split()[-1]
    assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", code)

    published = run(db_url, "program", "publish", str(REPO / "db" / "reference-program.toml")).stdout
    assert "reference version 1 published" in published
    assert "G004 at S01: 7" in run(db_url, "gift", "stock", "--store", "S01", "--gift", "G004", "--stock", "7").stdout

    members = tmp_path / "members.csv"
    members.write_text("phone,name,birthday,card_no\n"
                       f"13800000001,王一,1990-05-18,{make_card_number(1)}\n"
                       "13800000002,王二,,\n13800000001,重复,,\n", encoding="utf-8")
    imported = run(db_url, "member", "import", str(members), "--store", "S01").stdout
    assert "3 rows: 2 members created, 1 duplicates, 0 invalid" in imported
    assert "line 4: phone" in imported

    public = run(db_url, "member-qr", "keygen").stdout.split()[-1]
    qr = run(db_url, "member-qr", "issue", make_card_number(1), "--ttl", "300").stdout.strip()
    assert member_code.read_member_code(qr)[0].card_no == make_card_number(1)
    assert member_code.parse_public_key(public) is not None
    run(db_url, "revoke", "--kind", "card", make_card_number(1), "--reason", "reported lost")

    m_uuid = _push_lapsed_points(db_url, make_card_number(7))
    assert "100 points of 1 lots from 1 members" in run(db_url, "expire", "--as-of", "2026-01-01").stdout
    assert "0 points of 0 lots" in run(db_url, "expire", "--as-of", "2026-01-01").stdout  # idempotent
    review = run(db_url, "tier-review", "--as-of", "2026-01-01").stdout
    assert "0 members reviewed, 0 changed, 3 joined during the period (kept)" in review  # all enrolled since 2025

    verified = run(db_url, "verify")
    assert "verify: ok" in verified.stdout

    liability = run(db_url, "report", "liability", "--csv").stdout
    rows = list(csv.DictReader(io.StringIO(liability)))
    assert rows == [{"store_id": "S01", "store_name": "东城店", "members": "3", "members_with_points": "1",
                     "points": "40", "debt": "0"}]
    issued = list(csv.DictReader(io.StringIO(run(db_url, "report", "issued", "--csv").stdout)))
    assert [(r["store_id"], r["issued"], r["expired"]) for r in issued] == [("HQ", "0", "100"), ("S01", "140", "0")]
    table = run(db_url, "report", "issued", "--from", "2026-11-01", "--to", "2026-11-30").stdout
    assert table.splitlines()[0].split() == ["store_id", "issued", "redeemed", "expired", "clawed_back", "returned",
                                             "entries"]
    assert table.splitlines()[2].split() == ["S01", "40", "0", "0", "0", "0", "1"]
    recon = run(db_url, "report", "reconciliation", "--csv").stdout
    assert recon.strip() == "id,at,kind,store_id,terminal_id,member_uuid,ref,points,details"
    stale = run(db_url, "report", "stale").stdout
    assert "S01-T1" not in stale and "(no rows)" in stale  # it has just pushed

    as_json = json.loads(run(db_url, "--json", "verify").stdout)
    assert as_json["ok"] is True and as_json["checks"]["hash_chains"]["entries"] == 3

    # a tampered row: verify says so and exits 1
    database = db.connect(db_url)
    db.Entry.update(points=1).where(db.Entry.member_uuid == m_uuid).execute()
    database.close()
    broken = run(db_url, "verify", ok=False)
    assert broken.returncode == 1
    assert "FAILED hash_chains" in broken.stdout and "verify: FAILED" in broken.stdout


def test_bad_input_is_an_error_naming_the_field(db_url: str, tmp_path: Path) -> None:
    bad = run(db_url, "store", "add", "no spaces", "名字", ok=False)
    assert bad.returncode == 2
    assert bad.stderr.strip() == "error: store_id: 1 to 32 letters, digits, - or _ are required"
    program = tmp_path / "bad.toml"
    program.write_text((REPO / "db" / "reference-program.toml").read_text(encoding="utf-8")
                       .replace("fen_per_point = 100", "fen_per_point = -5", 1), encoding="utf-8")
    refused = run(db_url, "program", "publish", str(program), ok=False)
    assert refused.returncode == 2 and refused.stderr.startswith("error: earning.fen_per_point: ")
    assert "Traceback" not in refused.stderr
    missing = run(db_url, "program", "publish", str(tmp_path / "nope.toml"), ok=False)
    assert missing.returncode == 2 and missing.stderr.startswith("error: file: ")
    stock = run(db_url, "gift", "stock", "--store", "S01", "--gift", "G004", "--stock", "3", ok=False)
    assert stock.returncode == 2 and stock.stderr.startswith("error: program: ")
    ahead = run(db_url, "expire", "--as-of", "2999-01-01", ok=False)
    assert ahead.returncode == 2 and ahead.stderr.startswith("error: as_of: ")
    usage = run(db_url, "report", "issued", "--from", "2026-13-01", ok=False)
    assert usage.returncode == 2 and "error: argument --from" in usage.stderr
    bad_db = run("mysql://nowhere/x", "store", "list", ok=False)
    assert bad_db.returncode == 2 and bad_db.stderr.startswith("error: db: ")
    database = db.connect(db_url)
    try:
        assert db.Store.select().count() == 0 and db.Program.select().count() == 0
    finally:
        database.close()


@pytest.mark.parametrize("url", ["postgresql://pos:s3cret-Pw@127.0.0.1:notaport/hq",
                                 "postgresql://pos:s3cret-Pw@127.0.0.1:1/hq",
                                 "mysql://pos:s3cret-Pw@127.0.0.1/hq"])
def test_a_bad_database_address_is_printed_without_its_password(url: str) -> None:
    out = run(url, "store", "list", ok=False)
    assert out.returncode == 2 and "error: db:" in out.stderr and "Traceback" not in out.stderr
    assert "s3cret-Pw" not in out.stdout + out.stderr
    assert "pos:***@" in out.stderr or "cannot open" in out.stderr


@pytest.mark.parametrize("workers", ["2", "0"])
def test_serve_refuses_several_workers_on_sqlite(db_url: str, workers: str) -> None:
    """Several worker processes on one SQLite file would fight over its write lock: refused
    before anything listens (PostgreSQL takes several; 0 is never a number of workers)."""
    out = run(db_url, "serve", "--port", "0", "--workers", workers, ok=False)
    assert out.returncode == 2 and "error: workers:" in out.stderr and "Traceback" not in out.stderr


def test_report_expiring_to_a_csv_file_and_remind_through_the_webhook(db_url: str, tmp_path: Path) -> None:
    """Issue 16 item 5 through ``pos-hq``: the list as a CSV file (masked phones), full phones
    only with an admin's or marketer's login (audited), the webhook configured with a secret from
    the environment (never printed) and posted to a real local server, once per lot and window."""
    from tests.hq import test_reminders
    from tests.otp_webhook import webhook

    database = db.connect(db_url)
    try:
        test_reminders.seed()
    finally:
        database.close()
    as_of = test_reminders.TODAY.isoformat()
    out = run(db_url, "--json", "report", "expiring", "--within", "30", "--as-of", as_of, "--csv",
              str(tmp_path / "expiring.csv"))
    assert json.loads(out.stdout)["rows"] == 2
    with (tmp_path / "expiring.csv").open(encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    assert [(r["phone"], r["points"]) for r in rows] == [("138****8000", "500"), ("139****9000", "1000")]
    refused = run(db_url, "report", "expiring", "--within", "30", "--full-phone", ok=False)
    assert refused.returncode == 2 and "staff" in refused.stderr
    bad = run(db_url, "report", "expiring", "--within", "0", ok=False)
    assert bad.returncode == 2 and "error: within:" in bad.stderr
    with webhook() as hook:
        env = {**os.environ, "REMIND_SECRET": test_reminders.SECRET}
        done = subprocess.run([sys.executable, "-m", "pos_app.hq", "--db", db_url, "remind", "configure", "--url",
                               hook.url, "--secret-env", "REMIND_SECRET"], cwd=REPO, capture_output=True, text=True,
                              timeout=120, env=env)
        assert done.returncode == 0, done.stderr
        assert test_reminders.SECRET not in done.stdout + done.stderr
        sent = json.loads(run(db_url, "--json", "remind", "expiring", "--within", "7", "--as-of", as_of).stdout)
        assert (sent["members"], sent["batches"], sent["failed"]) == (1, 1, [])
        again = json.loads(run(db_url, "--json", "remind", "expiring", "--within", "7", "--as-of", as_of).stdout)
        assert again["members"] == 0 and len(hook.received) == 1
        assert hook.received[0]["members"][0]["points"] == 300
