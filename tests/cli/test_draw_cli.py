"""``pos-app draw``: a lottery draw for a present member from the command line, its slip queued;
refusals exit 2 naming the field with nothing written."""

from __future__ import annotations

import secrets
import sqlite3
from pathlib import Path

import pytest

from tests.cli.test_cli import SILVER_CARD, demo_db, digest, run  # noqa: F401 (the fixture)


def test_a_draw_from_the_command_line(demo_db: Path, capsys: pytest.CaptureFixture[str],  # noqa: F811
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    code, listed, _ = run(capsys, demo_db, "campaign", "list")
    assert code == 0 and "DRAW-2026-LUCKY" in str(listed)
    monkeypatch.setattr(secrets, "randbelow", lambda n: 5)  # P500 of the demo's 1,000 slots
    code, data, _ = run(capsys, demo_db, "draw", "--member", SILVER_CARD, "--campaign", "DRAW-2026-LUCKY",
                        "--staff", "1001")
    assert code == 0 and isinstance(data, dict)
    assert (data["prize"], data["points_won"], data["balance_after"], data["value"], data["range"]) == (
        "P500", 500, 8000 - 100 + 500, 5, 1000)
    with sqlite3.connect(demo_db) as db:
        assert db.execute("SELECT kind FROM print_job WHERE ref = ?", (data["draw_no"],)).fetchall() == [("draw",)]
        kinds = db.execute("SELECT kind, points FROM ledger_entry WHERE ref_no = ? ORDER BY seq",
                           (data["draw_no"],)).fetchall()
    assert kinds == [("draw", -100), ("draw_win", 500)]
    monkeypatch.setattr(secrets, "randbelow", lambda n: 999)
    code = __import__("pos_app.cli", fromlist=["main"]).main(
        ["--db", str(demo_db), "draw", "--member", SILVER_CARD, "--campaign", "DRAW-2026-LUCKY", "--staff", "1001"])
    out = capsys.readouterr().out
    assert code == 0 and "谢谢参与" in out and "Better luck next time" in out and "balance 8300" in out


def test_refusals_exit_2_and_write_nothing(demo_db: Path, capsys: pytest.CaptureFixture[str]) -> None:  # noqa: F811
    before = digest(demo_db)
    code, _, err = run(capsys, demo_db, "draw", "--member", "13900139000", "--campaign", "DRAW-2026-LUCKY")
    assert code == 2 and "presence" in err
    code, _, err = run(capsys, demo_db, "draw", "--member", SILVER_CARD, "--campaign", "NOPE")
    assert code != 0 and "campaign" in err
    code, _, err = run(capsys, demo_db, "draw", "--member", SILVER_CARD, "--campaign", "DONATE-2026-BOOKS")
    assert code == 2 and "campaign" in err and "draw" in err
    assert digest(demo_db) == before
