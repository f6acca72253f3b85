"""Program versions without HTTP: the form's settings rewriting the TOML (comments kept), the
diff by field, the effective date at headquarters, and a till's choice of version by its
business date when headquarters published one ahead."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from pos_app.core.errors import Conflict, InvalidInput, ProgramError
from pos_app.core.program import parse_program
from pos_app.hq import authority, programs
from pos_app.services import context
from pos_app.storage import replica

REFERENCE = context.reference_program_source()
V2 = REFERENCE.replace("version = 1", "version = 2", 1)
TODAY = dt.date.today()


def _form(source: str, **changes: str) -> dict[str, str]:
    shown = programs.form_values(parse_program(source))
    return {**shown, **{f"was_{k}": v for k, v in shown.items()}, **changes}


def test_the_form_rewrites_only_what_changed_and_keeps_the_comments() -> None:
    edited = REFERENCE.replace("max_points_per_sale = 50000", "max_points_per_sale = 40000", 1)
    out = programs.apply_form(edited, _form(REFERENCE, fen_per_point="50", tier_silver="1.25",
                                            name='A "quoted" # name', expiry_mode="never"))
    program = parse_program(out)
    assert program.earning.fen_per_point == 50
    assert program.earning.max_points_per_sale == 40000  # the TOML edit made meanwhile is kept
    assert str(program.tiers.get("silver").multiplier) == "5/4" and program.name == 'A "quoted" # name'
    assert program.expiry.mode == "never"
    assert "\nfen_per_point = 50                        # 1 point per yuan before multipliers\n" in out
    assert programs.apply_form(REFERENCE, _form(REFERENCE)) == REFERENCE  # nothing changed, nothing written


def test_a_key_the_table_lacks_is_added_and_bad_values_name_the_form_field() -> None:
    without = REFERENCE.replace('mode = "rolling"                          # each lot expires 24 months after its'
                                " day, end of day\nmonths = 24\n", 'mode = "rolling"\n', 1)
    assert parse_program(without).expiry.months == 24  # the default
    out = programs.apply_form(without, {**_form(without), "expiry_months": "12"})
    assert parse_program(out).expiry.months == 12
    for name, value in (("fen_per_point", "0"), ("fen_per_point", "1.5"), ("tier_gold", "abc"),
                        ("tier_gold", "0"), ("name", ""), ("expiry_mode", "sometimes")):
        with pytest.raises(InvalidInput) as caught:
            programs.apply_form(REFERENCE, _form(REFERENCE, **{name: value}))
        assert caught.value.field == name, (name, value, caught.value)
    with pytest.raises(ProgramError) as bad:
        programs.apply_form(REFERENCE.replace("fen_per_point = 100", 'fen_per_point = "x"', 1), _form(REFERENCE))
    assert bad.value.field == "earning.fen_per_point"


def test_the_diff_names_the_changed_settings() -> None:
    new = V2.replace('multiplier = "1.5"', 'multiplier = "1.6"', 1).replace("points = 100\nkind = \"coupon\"",
                                                                            "points = 90\nkind = \"coupon\"", 1)
    d = programs.diff(REFERENCE, new)
    assert (d.old_version, d.new_version) == (1, 2)
    assert {(c.field, c.old, c.new) for c in d.changes} == {
        ("program.version", "1", "2"), ("tiers.levels[gold].multiplier", '"1.5"', '"1.6"'),
        ("gifts[G001].points", "100", "90")}
    assert "-version = 1" in d.unified and "+version = 2" in d.unified
    assert programs.diff(None, REFERENCE).old_version is None


def test_the_effective_date_is_today_or_later() -> None:
    assert authority.check_effective_on("", today=TODAY) is None
    assert authority.check_effective_on(f" {TODAY.isoformat()} ", today=TODAY) == TODAY.isoformat()
    for bad in ("2020-01-01", "tomorrow", "2026-13-01", "20261201"):
        with pytest.raises(InvalidInput) as caught:
            authority.check_effective_on(bad, today=dt.date(2026, 1, 2))
        assert caught.value.field == "effective_on"


def test_headquarters_runs_the_version_whose_date_has_come(hq_db: object) -> None:
    authority.publish_program(REFERENCE, actor="test")
    later = (TODAY + dt.timedelta(days=3)).isoformat()
    with pytest.raises(InvalidInput):
        programs.check_publish(V2, (TODAY - dt.timedelta(days=1)).isoformat())
    authority.publish_program(V2, actor="test", effective_on=later)
    assert authority.active_program().version == 1
    assert authority.active_program(TODAY + dt.timedelta(days=3)).version == 2
    rows = programs.list_versions()
    assert [(v.version, v.current, v.pending, v.effective_on) for v in rows] == [
        (2, False, True, later), (1, True, False, None)]
    with pytest.raises(Conflict):
        programs.check_publish(V2.replace("version = 2", "version = 2\n#", 1), "")
    assert programs.next_draft().count("version = 3") == 1  # from the highest published


def test_a_till_keeps_a_version_published_ahead_until_its_business_date(tmp_path: Path) -> None:
    now = dt.datetime.combine(TODAY, dt.time(10, 0))
    clock = [now]
    till = context.init_terminal(tmp_path / "t.db", store_id="S01", terminal_id="T1", clock=lambda: clock[0])
    try:
        context.load_program(till, REFERENCE)
        later = (TODAY + dt.timedelta(days=2)).isoformat()
        v3 = REFERENCE.replace("version = 1", "version = 3", 1)
        replica.apply_changes(till.database, "T1", "S01", [
            {"id": 1, "kind": "program", "data": {"program_id": "reference", "version": 2, "source": V2,
                                                  "effective_on": later}},
        ])
        assert till.program.version == 1
        clock[0] = now + dt.timedelta(days=2)
        assert till.program.version == 2
        clock[0] = now
        replica.apply_changes(till.database, "T1", "S01", [  # a later version at once wins over both
            {"id": 2, "kind": "program", "data": {"program_id": "reference", "version": 3, "source": v3}}])
        assert till.program.version == 3
        clock[0] = now + dt.timedelta(days=5)
        assert till.program.version == 3
        report = replica.apply_changes(till.database, "T1", "S01", [  # a bad date: set aside, not run
            {"id": 3, "kind": "program", "data": {"program_id": "reference", "version": 4, "source": v3.replace(
                "version = 3", "version = 4", 1), "effective_on": "soon"}}])
        assert report.bad and till.program.version == 3
    finally:
        till.close()
