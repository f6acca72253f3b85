"""First start: the till's database made from nothing, all or nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from pos_app.core.errors import InvalidInput
from pos_app.services import setup, staff
from pos_app.services.verify import verify

GOOD = {"store_id": "S001", "terminal_id": "T01", "manager_code": "9001", "manager_name": "王经理",
        "pin": "2468", "pin_again": "2468"}


def test_first_start_makes_a_till_with_the_program_and_a_manager(tmp_path: Path) -> None:
    path = tmp_path / "data" / "pos.db"
    t = setup.first_start(path, **GOOD)
    try:
        assert (t.store_id, t.terminal_id) == ("S001", "T01")
        assert t.program.program_id == "reference"
        assert staff.authenticate(t, "9001", "2468").is_manager
        assert verify(t)["ok"]
    finally:
        t.close()
    assert sorted(p.name for p in path.parent.iterdir()) == ["pos.db"]


@pytest.mark.parametrize(("field", "change"), [
    ("store", {"store_id": "S 1"}), ("terminal", {"terminal_id": ""}), ("code", {"manager_code": "12"}),
    ("name", {"manager_name": " "}), ("pin", {"pin": "12", "pin_again": "12"}), ("pin_again", {"pin_again": "2469"}),
])
def test_bad_input_names_the_field_and_leaves_no_file(tmp_path: Path, field: str, change: dict[str, str]) -> None:
    with pytest.raises(InvalidInput) as err:
        setup.first_start(tmp_path / "pos.db", **{**GOOD, **change})
    assert err.value.field == field
    assert list(tmp_path.iterdir()) == []


def test_an_existing_database_is_never_replaced(tmp_path: Path) -> None:
    path = tmp_path / "pos.db"
    path.write_bytes(b"not yours")
    with pytest.raises(InvalidInput) as err:
        setup.first_start(path, **GOOD)
    assert err.value.field == "db"
    assert path.read_bytes() == b"not yours"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pos.db"]
