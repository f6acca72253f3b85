"""`pos-app report` and `pos-app segment-export` (issue 15 item 10): the store's figures per
cashier into CSV and Excel files read back, managers only, bad ranges refused naming the field
with nothing written."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests.cli.test_cli import SILVER_CARD, demo_db, digest, run

__all__ = ["demo_db"]  # the fixture, used by name

MANAGER = ("--manager", "9001", "--manager-pin", "9999")


def example_3(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Worked example 3 on 2026-11-12, sold by cashier 1001: 200.00 with 5000 points -> 180 points."""
    run(capsys, db, "sale", "--amount", "0.50", "--member", SILVER_CARD, "--at", "2026-11-01T10:00")
    run(capsys, db, "adjust", "--member", SILVER_CARD, "--points", "-100", "--reason", "test set-up", *MANAGER)
    code, data, _ = run(capsys, db, "sale", "--amount", "200.00", "--member", SILVER_CARD, "--points", "5000",
                        "--staff", "1001", "--at", "2026-11-12T14:00")
    assert code == 0 and isinstance(data, dict) and data["points_earned"] == 180


def test_report_per_cashier_to_csv_and_excel(demo_db: Path, tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    example_3(demo_db, capsys)
    out = tmp_path / "report.csv"
    code, data, _ = run(capsys, demo_db, "report", "--from", "2026-11-12", "--to", "2026-11-12", "--by", "cashier",
                        "--out", str(out), *MANAGER)
    assert code == 0 and isinstance(data, dict) and data["file"] == str(out)
    assert out.read_bytes()[:3] == b"\xef\xbb\xbf"
    with out.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [(r["Cashier"], r["Name"]) for r in rows] == [("1001", "收银员小陈"), ("Total", "")]
    cashier = rows[0]
    assert (cashier["Sales"], cashier["Sales (yuan)"], cashier["Points issued"], cashier["Points redeemed"],
            cashier["Points paid at the till"]) == ("1", "200.00", "180", "5000", "5000")
    xlsx = tmp_path / "report.xlsx"
    code, data, _ = run(capsys, demo_db, "report", "--from", "2026-11-01", "--to", "2026-11-12", "--by", "day",
                        "--out", str(xlsx), *MANAGER)
    assert code == 0
    ws = load_workbook(xlsx, read_only=True).active
    assert ws is not None
    got = [list(r) for r in ws.iter_rows(values_only=True)]
    assert [r[0] for r in got] == ["Business day", "2026-11-01", "2026-11-12", "Total"]
    issued = got[0].index("Points issued")
    assert [r[issued] for r in got[1:]] == [100, 180, 280]  # the 0.50 sale's first-purchase bonus; example 3


def test_report_without_a_file_prints_the_figures(demo_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    example_3(demo_db, capsys)
    code, data, _ = run(capsys, demo_db, "report", "--from", "2026-11-12", "--to", "2026-11-12", *MANAGER)
    assert code == 0 and isinstance(data, dict)
    assert data["rows"][0]["key"] == "1001" and data["rows"][0]["points_issued"] == 180
    assert data["total"]["sales_fen"] == 20000


BAD = [
    (["--from", "2026-11-12", "--to", "2026-11-01", *MANAGER], "to"),
    (["--from", "2026-11-31", "--to", "2026-12-01", *MANAGER], "from"),
    (["--from", "2026-11-01", "--to", "2026-11-02", "--out", "report.pdf", *MANAGER], "out"),
    (["--from", "2026-11-01", "--to", "2026-11-02", "--manager", "1001", "--manager-pin", "1234"], "manager"),
    (["--from", "2026-11-01", "--to", "2026-11-02", "--manager", "9001", "--manager-pin", "0000"], "manager_pin"),
]


@pytest.mark.parametrize(("args", "field"), BAD, ids=[a[-1] if f == "out" else f for a, f in BAD])
def test_bad_report_input_names_the_field_and_writes_nothing(demo_db: Path, tmp_path: Path,
                                                             capsys: pytest.CaptureFixture[str], args: list[str],
                                                             field: str) -> None:
    before = digest(demo_db)
    args = [str(tmp_path / a) if a.endswith(".pdf") else a for a in args]
    code, data, err = run(capsys, demo_db, "report", *args)
    assert code == 2 and isinstance(data, dict) and data["field"] == field, (data, err)
    if field != "manager_pin":  # a wrong PIN is counted against the manager (lock-out)
        assert digest(demo_db) == before
    assert not list(tmp_path.glob("report.*"))


def test_segment_export_of_the_new_members_masks_phones_unless_asked(demo_db: Path, tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    code, counts, _ = run(capsys, demo_db, "segment-export", "new", "--out", str(tmp_path / "r.csv"), *MANAGER)
    assert code == 0 and isinstance(counts, dict) and counts["masked"] is True
    with (tmp_path / "r.csv").open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == counts["members"] == 2  # the demo's two members enrolled within 30 days
    assert all("****" in r["Phone"] for r in rows)
    code, data, _ = run(capsys, demo_db, "segment-export", "new", "--out", str(tmp_path / "r.xlsx"),
                        "--full-phone", *MANAGER)
    assert code == 0 and isinstance(data, dict) and data["masked"] is False and data["members"] == counts["members"]
    ws = load_workbook(tmp_path / "r.xlsx", read_only=True).active
    assert ws is not None
    phones = [r[2] for r in ws.iter_rows(min_row=2, values_only=True)]
    assert phones and all(len(p) == 11 and p.isdigit() for p in phones)
    code, data, _ = run(capsys, demo_db, "segment-export", "new", "--out", str(tmp_path / "c.csv"),
                        "--manager", "1001", "--manager-pin", "1234")
    assert code == 2 and isinstance(data, dict) and data["field"] == "manager"
    assert not (tmp_path / "c.csv").exists()
