"""Expiry reminders from headquarters (issue 16 item 5): the list of members with points expiring
within N days (CSV, masked phones unless an audited admin asks), and the signed, idempotent,
retried webhook to the chain's notification service (a real HTTP server on loopback); on SQLite
and PostgreSQL."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import hmac
import json
from pathlib import Path
from typing import Any

import pytest

from pos_app.core.errors import InvalidInput, NotFound, PermissionDenied, RuleViolation
from pos_app.hq import db, reminders, staff
from tests.otp_webhook import webhook

TODAY = dt.date(2026, 11, 20)
SECRET = "a-chain-secret-of-some-length"
A, B, C, D = (f"00000000-0000-4000-8000-00000000000{n}" for n in range(1, 5))


def day(n: int) -> str:
    return (TODAY + dt.timedelta(days=n)).isoformat()


def seed() -> None:
    """A: 300 due in 5 days and 200 in 20; B: 1,000 in 25 (no consent); C: due in 40 only and a
    spent lot tomorrow; D: merged into A (its lot is A's now, in the projection it holds nothing)."""
    for uuid, phone, consent, store in ((A, "13800138000", True, "S01"), (B, "13900139000", False, "S02"),
                                        (C, "13700137000", True, "S01"), (D, "13600136000", True, "S02")):
        db.Member.create(uuid=uuid, phone=phone, name=f"会员{uuid[-1]}", store_id=store, consent=consent,
                         merged_into=A if uuid == D else None)
    for key, member, expires, remaining in (("a1", A, day(5), 300), ("a2", A, day(20), 200), ("b1", B, day(25), 1000),
                                            ("c1", C, day(40), 700), ("c2", C, day(1), 0), ("d1", D, day(3), 50),
                                            ("a0", A, day(-1), 90)):
        db.Lot.create(key=key, member_uuid=member, earned_on="2024-11-01", expires_on=expires, points=remaining or 10,
                      remaining=remaining)


def test_the_list_of_members_with_points_expiring(hq_db: Any, tmp_path: Path) -> None:
    seed()
    rows = reminders.report_rows(TODAY, 30)
    assert rows == [
        {"member_uuid": A, "phone": "138****8000", "points": 500, "first_expiry": day(5), "store_id": "S01"},
        {"member_uuid": B, "phone": "139****9000", "points": 1000, "first_expiry": day(25), "store_id": "S02"}]
    assert [r["member_uuid"] for r in reminders.report_rows(TODAY, 7)] == [A]
    assert reminders.report_rows(TODAY, 7)[0]["points"] == 300
    n = reminders.write_csv(tmp_path / "expiring.csv", rows)
    with (tmp_path / "expiring.csv").open(encoding="utf-8-sig") as f:
        table = list(csv.DictReader(f))
    assert n == 2 and table[0] == {"member_uuid": A, "phone": "138****8000", "points": "500",
                                   "first_expiry": day(5), "store_id": "S01"}
    assert "13800138000" not in (tmp_path / "expiring.csv").read_text(encoding="utf-8-sig")


def test_full_phone_numbers_only_for_an_audited_admin_or_marketing_login(hq_db: Any) -> None:
    seed()
    staff.add_staff("wang", "a-long-password-1", "marketing", actor="test")
    staff.add_staff("li", "a-long-password-2", "finance", actor="test")
    for login, error in ((None, InvalidInput), ("nobody", NotFound), ("li", PermissionDenied)):
        with pytest.raises(error) as err:
            reminders.report_rows(TODAY, 30, full_phone=True, staff=login)
        assert err.value.field == "staff"
    assert db.Audit.select().where(db.Audit.action == "report.expiring.full_phone").count() == 0
    rows = reminders.report_rows(TODAY, 30, full_phone=True, staff="wang", actor="cli:ops")
    assert [r["phone"] for r in rows] == ["13800138000", "13900139000"]
    audit = db.Audit.get(db.Audit.action == "report.expiring.full_phone")
    assert (audit.actor, audit.ref, json.loads(audit.details)["rows"]) == ("cli:ops", "wang", 2)


@pytest.mark.parametrize("within", [0, -7, 367, "30", True, None])
def test_a_bad_window_names_the_field(hq_db: Any, within: Any) -> None:
    with pytest.raises(InvalidInput) as err:
        reminders.report_rows(TODAY, within)
    assert err.value.field == "within"


def test_the_query_reads_a_range_of_the_expiry_index(tmp_path: Path) -> None:
    """On SQLite's plan (PostgreSQL's planner chooses by its statistics): the lots are a range of
    the expiry index, never a scan of every lot of the chain."""
    database = db.connect(f"sqlite:///{tmp_path / 'hq.db'}")
    try:
        seed()
        plan = " ".join(str(r[-1]) for r in database.execute_sql(  # type: ignore[no-untyped-call]
            "EXPLAIN QUERY PLAN " + reminders.EXPIRING_SQL, (day(0), day(29))).fetchall())
        assert "lot_expires_on (expires_on>? AND expires_on<?)" in plan and "SCAN l" not in plan
        assert len(reminders.report_rows(TODAY, 30)) == 2
    finally:
        database.close()


def test_the_webhook_is_signed_sent_once_per_lot_and_window_and_audited(hq_db: Any) -> None:
    seed()
    with webhook() as hook:
        reminders.configure(hook.url, SECRET, actor="cli:ops")
        stored = db.Setting.get(db.Setting.key == reminders.SECRET_SETTING).value
        assert SECRET not in stored  # sealed
        first = reminders.remind_expiring(TODAY, 30, actor="cli:ops", pause=lambda s: None)
        assert (first["members"], first["batches"], first["failed"]) == (1, 1, [])  # B did not agree
        headers, body = hook.raw[0]
        assert headers["X-Signature"] == "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
        sent = json.loads(body)
        assert headers["Idempotency-Key"] == sent["batch"] and sent["kind"] == "points_expiring"
        assert sent["members"] == [{"member_uuid": A, "phone": "13800138000", "name": "会员1", "store_id": "S01",
                                    "points": 500, "first_expiry": day(5)}]
        again = reminders.remind_expiring(TODAY, 30, pause=lambda s: None)
        assert (again["members"], len(hook.raw)) == (0, 1)  # nothing new: nothing posted
        seven = reminders.remind_expiring(TODAY, 7, pause=lambda s: None)  # the 7-day window is another notice
        assert seven["members"] == 1 and json.loads(hook.raw[1][1])["members"][0]["points"] == 300
        # a new lot of A's comes due: A is reminded of it alone
        db.Lot.create(key="a3", member_uuid=A, earned_on="2024-11-02", expires_on=day(10), points=40, remaining=40)
        reminders.remind_expiring(TODAY, 30, pause=lambda s: None)
        assert json.loads(hook.raw[2][1])["members"][0]["points"] == 40
    recorded = {(r.lot_key, r.within_days) for r in db.ReminderSent.select()}
    assert recorded == {("a1", 30), ("a2", 30), ("a1", 7), ("a3", 30)}
    runs = [json.loads(a.details) for a in db.Audit.select().where(db.Audit.action == "remind.expiring")
            .order_by(db.Audit.id)]
    assert [r["members"] for r in runs] == [1, 0, 1, 1]


def test_a_failing_service_is_retried_and_a_batch_that_never_goes_through_is_sent_next_run(hq_db: Any) -> None:
    seed()
    pauses: list[float] = []
    with webhook() as hook:
        reminders.configure(hook.url, SECRET, actor="cli:ops")
        hook.statuses = [503, 500]  # fails twice, then answers 200
        done = reminders.remind_expiring(TODAY, 30, pause=pauses.append)
        assert (done["members"], done["failed"], len(hook.raw)) == (1, [], 3)
        assert len({h["Idempotency-Key"] for h, _ in hook.raw}) == 1  # the same batch each try
        assert pauses == [reminders.RETRY_PAUSE_S, 2 * reminders.RETRY_PAUSE_S]
        db.ReminderSent.delete().execute()
        hook.status = 500
        failed = reminders.remind_expiring(TODAY, 30, pause=pauses.append)
        assert failed["members"] == 0 and failed["failed"][0]["status"] == 500 and len(hook.raw) == 6
        assert db.ReminderSent.select().count() == 0  # nothing recorded: the next run sends it
        hook.status = 200
        assert reminders.remind_expiring(TODAY, 30, pause=pauses.append)["members"] == 1


def test_no_service_set_up_or_a_bad_setting_is_refused(hq_db: Any) -> None:
    with pytest.raises(RuleViolation) as err:
        reminders.remind_expiring(TODAY, 7)
    assert err.value.field == "remind"
    # plain http only to this computer: a host that merely starts like loopback is another computer
    for url in ("http://example.com/hook", "http://127.0.0.1.example.com/hook", "http://localhost.example.com/x",
                "ftp://127.0.0.1/hook", "https:///nohost"):
        with pytest.raises(InvalidInput) as bad_url:
            reminders.configure(url, SECRET, actor="x")
        assert bad_url.value.field == "url", url
    with pytest.raises(InvalidInput) as short:
        reminders.configure("https://notify.example.com/hook", "short", actor="x")
    assert short.value.field == "secret"
    assert db.Setting.select().where(db.Setting.key.startswith("remind.")).count() == 0
