"""The cash-up at shift close (issue 15 item 9): what the drawer should hold (float, cash sales
less their change, points + cash gifts, cash refunds), the cash counted and the difference; the
closed shift reaches headquarters through the real sync (uvicorn on loopback) and
``pos-hq report shifts`` lists it. Bad input names the field and writes nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pos_app.core.earning import SaleLine
from pos_app.core.errors import InvalidInput
from pos_app.hq import reports as hq_reports
from pos_app.hq.cli import main as hq_main
from pos_app.services import sales, shifts
from pos_app.services import sync as sync_service
from pos_app.services.settings import save_settings
from tests.conftest import FakeClock
from tests.services.test_sync_service import HQ, hq, till  # noqa: F401 (the fixture)


def test_a_counted_shift_reaches_headquarters_with_its_difference(hq: HQ, tmp_path: Path,  # noqa: F811
                                                                  clock: FakeClock,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    a = till(tmp_path, "S01-T1", clock)
    sync_service.enroll(a, hq.url, hq.codes["S01-T1"])
    save_settings(a, {"cash.float_fen": 50000})
    shifts.open_shift(a, staff_code="1001")
    lines = [SaleLine(1, "A", "a", "general", 1, 12345)]
    sales.record_sale(a, lines=lines, payments=[("card", 5000), ("cash", 10000)], staff_code="1001")  # 26.55 change
    r = sales.record_sale(a, lines=[SaleLine(1, "B", "b", "general", 1, 3000)], tender="cash", staff_code="1001")
    sales.refund_sale(a, receipt_no=r.receipt_no, staff_code="1001")  # 30.00 back in cash
    figures = shifts.cash_up(a)
    # cash: float 500.00 + 73.45 (123.45 less 50.00 by card) + 30.00 - 30.00 refunded
    assert figures["expected"] == {"card": 5000, "cash": 57345}

    with pytest.raises(InvalidInput) as bad:
        shifts.close_shift(a, staff_code="1001", counted_cash_fen=-1)
    assert bad.value.field == "counted_cash" and shifts.current_shift(a) is not None

    report = shifts.close_shift(a, staff_code="1001", counted_cash_fen=57000)
    assert report["cash_difference_fen"] == -345 and shifts.current_shift(a) is None
    clock.advance(minutes=1)
    sync_service.sync_once(a)

    rows = hq_reports.shifts(store_id="S01")  # headquarters serves from this process (ThreadServer)
    assert [(r["shift_no"], r["expected_cash_fen"], r["counted_cash_fen"], r["cash_difference_fen"], r["sales"])
            for r in rows] == [(report["shift_no"], 57345, 57000, -345, 2)]
    assert hq_main(["--db", f"sqlite:///{tmp_path / 'hq.db'}", "report", "shifts", "--store", "S01", "--csv"]) == 0
    out = capsys.readouterr().out
    assert report["shift_no"] in out and ",57345,57000,-345" in out
    assert hq_main(["--db", f"sqlite:///{tmp_path / 'hq.db'}", "report", "liability", "--store", "S01"]) == 2
    assert "store" in capsys.readouterr().err
    a.close()


def test_a_malformed_shift_event_is_refused_naming_its_field() -> None:
    from pos_app.sync.protocol import check_event

    good = {"oid": 1, "kind": "shift", "ref": "S01-T1-S00001", "created_at": "2026-12-04T18:00:00",
            "payload": {"staff_code": "1001", "closed_at": "2026-12-04T18:00:00", "expected_cash_fen": -500,
                        "counted_cash_fen": 0, "cash_difference_fen": 500,
                        "tenders": [{"kind": "cash", "expected_fen": -500}]}}
    assert check_event(good, "events[0]")["kind"] == "shift"
    for field, value, name in (("counted_cash_fen", -1, "counted_cash_fen"), ("sales", "x", "sales"),
                               ("tenders", [{"kind": "gold", "expected_fen": 1}], "tenders[0].kind")):
        bad = json.loads(json.dumps(good))
        bad["payload"][field] = value
        with pytest.raises(InvalidInput) as exc:
            check_event(bad, "events[0]")
        assert exc.value.field == f"events[0].payload.{name}"
