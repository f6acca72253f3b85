"""Program simulation (issue 14 item 5): the chain's sales replayed under a draft program with
core's earning function, against the reference program's worked examples."""

from __future__ import annotations

import datetime as dt
import json
import uuid as uuid_mod
from pathlib import Path
from typing import Any

import pytest

from pos_app.core.errors import InvalidInput, ProgramError
from pos_app.hq import db, simulation
from pos_app.services import context
from tests.hq.conftest import Till, push, register
from tests.hq.test_ingest import real_terminal

REFERENCE = context.reference_program_source()
DOUBLE = REFERENCE.replace("fen_per_point = 100 ", "fen_per_point = 50 ", 1)
GOLD, NORMAL, SILVER, OLD = (str(uuid_mod.uuid4()) for _ in range(4))
TODAY = dt.date(2026, 5, 20)


def member(till: Till, uuid: str, *, tier: str, first_purchase_at: str | None, name: str = "张三",
           birthday: str | None = None) -> dict[str, Any]:
    return till.event("member", uuid, {
        "uuid": uuid, "phone": f"138{uuid[:8].encode().hex()[:8]}", "name": name, "birthday": birthday,
        "card_no": None, "status": "active", "tier": tier, "store_id": till.store_id,
        "enrolled_at": "2026-01-03T10:00:00", "consent": True, "first_purchase_at": first_purchase_at,
        "last_purchase_at": None, "referrer_uuid": None,
    })


def line(no: int, fen: int, *, category: str = "food", flags: str = "") -> dict[str, Any]:
    return {"line_no": no, "sku": f"SKU{no}", "name": "商品", "category": category, "qty": 1, "unit_price_fen": fen,
            "discount_fen": 0, "net_fen": fen, "flags": flags, "eligible_fen": fen, "multiplier": "1"}


def sale(till: Till, member_uuid: str | None, at: str, lines: list[dict[str, Any]] | None, *, earned: int,
         bonus: int = 0, points_value_fen: int = 0) -> dict[str, Any]:
    payload: dict[str, Any] = {"total_fen": 1, "tender": "cash", "member": member_uuid}
    if lines is not None:  # a till of release 13 or later
        payload.update({
            "uuid": str(uuid_mod.uuid4()), "receipt_no": f"R-{till.oid}", "created_at": at,
            "business_date": at[:10], "total_fen": sum(ln["net_fen"] for ln in lines),
            "points_paid": points_value_fen, "points_value_fen": points_value_fen,
            "credited_purchase": earned - bonus, "credited_bonus": bonus, "earned": earned, "lines": lines,
        })
    else:
        payload["earned"] = earned
    ev = till.event("sale", f"R-{till.oid + 1}", payload)
    ev["created_at"] = at
    return ev


@pytest.fixture
def chain(hq_db: Any) -> Any:
    """Two stores; the reference program's three worked examples as real sale events, with the
    points the tills credited for them, and sales the simulation must leave out."""
    a, b = Till("T01", "S001"), Till("T03", "S002")
    ta, tb = register("T01", "S001"), register("T03", "S002")
    push(ta, a.batch([], [
        member(a, GOLD, tier="gold", first_purchase_at="2026-02-01T10:00:00", name="<script>alert(1)</script>"),
        member(a, NORMAL, tier="normal", first_purchase_at="2026-05-18T10:00:00"),
        member(a, OLD, tier="normal", first_purchase_at="2026-02-01T10:00:00"),
        # example 1: gold, Tuesday the 5th at 21:00, 100.00 yuan flagged new -> 360
        sale(a, GOLD, "2026-05-05T21:00:00", [line(1, 10000, flags="new")], earned=360),
        # example 2: normal, first purchase, the 18th at 10:00, 58.50 food + 30.00 tobacco -> 275
        sale(a, NORMAL, "2026-05-18T10:00:00", [line(1, 5850), line(2, 3000, category="tobacco")],
             earned=275, bonus=100),
        sale(a, OLD, "2026-05-06T11:00:00", None, earned=55),  # an old till's sale: no lines
        sale(a, None, "2026-05-06T11:00:00", [line(1, 1000)], earned=0),  # no member
        sale(a, GOLD, "2026-03-01T10:00:00", [line(1, 10000)], earned=150),  # before the window
    ]))
    push(tb, b.batch([], [
        member(b, SILVER, tier="normal", first_purchase_at="2026-04-01T10:00:00"),
        # silver from 1 May (a tier event); a sale before it at the normal rate
        sale(b, SILVER, "2026-04-28T14:00:00", [line(1, 10000)], earned=100),
        b.event("tier", SILVER, {"from": "normal", "to": "silver", "reason": "upgrade",
                                 "qualifying_points": 5000, "at": "2026-05-01T09:00:00"}),
        # example 3: silver, the 12th at 14:00, one 200.00 yuan line, pays 5,000 points -> 180
        sale(b, SILVER, "2026-05-12T14:00:00", [line(1, 20000)], earned=180, points_value_fen=5000),
    ]))
    return hq_db


def test_ingest_keeps_a_sales_lines_and_takes_an_old_tills_sale_without_them(chain: Any) -> None:
    query = db.Event.select(db.Event.payload).where(db.Event.kind == "sale").order_by(db.Event.id)
    payloads = [json.loads(text) for text in query.scalars()]
    with_lines = [p for p in payloads if p.get("lines")]
    assert len(payloads) == 7 and len(with_lines) == 6
    assert with_lines[0]["lines"][0] == line(1, 10000, flags="new")


def test_the_reference_program_earns_what_the_worked_examples_say(chain: Any) -> None:
    result = simulation.simulate(REFERENCE, days=30, today=TODAY)
    assert (result.since, result.until) == (dt.date(2026, 4, 21), TODAY)
    assert result.total.sales == 4  # the three examples and the silver member's sale before the upgrade
    assert result.total.simulated == result.total.actual == 360 + 275 + 180 + 100
    assert result.by_store["S001"].simulated == 360 + 275 and result.by_store["S002"].simulated == 280
    assert {k: v.simulated for k, v in result.by_tier.items()} == {"gold": 360, "normal": 275 + 100, "silver": 180}
    assert result.by_day["2026-05-05"].simulated == 360 and result.by_day["2026-05-18"].simulated == 275
    assert result.by_day["2026-05-12"].simulated == 180 and result.by_day["2026-05-19"].sales == 0
    assert len(result.by_day) == 30
    assert (result.no_lines, result.no_lines_points, result.without_member) == (1, 55, 1)
    assert result.change_points == 0 and result.liability_change_fen == 0 and result.top_members == []
    rules = {r.rule_id: r.points for r in result.by_rule}
    # 1: base 100, new +20, gold x1.5 +60, evening x2 +180; 2: base 58, member day +117, first +100;
    # 3: base 150, silver +30; the sale before the upgrade: base 100
    assert rules == {"base": 100 + 58 + 150 + 100, "new_product": 20, "tier:normal": 0, "tier:silver": 30,
                     "tier:gold": 60, "tier:diamond": 0, "evening": 180, "member_day": 117,
                     "first_purchase": 100, "birthday": 0}


def test_a_draft_with_double_the_rate_doubles_the_purchase_points(chain: Any) -> None:
    result = simulation.simulate(DOUBLE, days=30, today=TODAY)
    assert result.total.actual == 915
    # 36000/50, 17550/50 (=351, where the reference floors 175.5 to 175) + the flat 100, 18000/50, 10000/50
    assert result.total.simulated == 720 + 451 + 360 + 200
    assert result.change_points == 1731 - 915
    assert result.liability_change_fen == (1731 - 915) * 100 // 100  # 100 points = 1.00 yuan
    for groups in (result.by_day, result.by_store, result.by_tier):
        assert sum(f.simulated for f in groups.values()) == result.total.simulated
        assert sum(f.actual for f in groups.values()) == result.total.actual
        assert sum(f.sales for f in groups.values()) == result.total.sales
    assert sum(r.points for r in result.by_rule) == result.total.simulated
    top = {m.uuid: m for m in result.top_members}
    assert [m.uuid for m in result.top_members] == [GOLD, SILVER, NORMAL]
    assert (top[GOLD].actual, top[GOLD].simulated, top[GOLD].name) == (360, 720, "<script>alert(1)</script>")
    assert top[SILVER].sales == 2 and top[SILVER].store_id == "S002"


def test_caps_and_bonuses_are_the_drafts(chain: Any) -> None:
    capped = REFERENCE.replace("max_points_per_sale = 50000", "max_points_per_sale = 200", 1)
    result = simulation.simulate(capped, days=30, today=TODAY)
    rules = {r.rule_id: r.points for r in result.by_rule}
    assert rules["sale_cap"] == 200 - 360
    assert result.total.simulated == 200 + 275 + 180 + 100 == sum(rules.values())
    one_store = simulation.simulate(REFERENCE, days=30, today=TODAY, store_id="S002")
    assert set(one_store.by_store) == {"S002"} and one_store.total.simulated == 280


def test_bad_drafts_and_days_are_refused_naming_the_field(chain: Any) -> None:
    with pytest.raises(ProgramError) as bad:
        simulation.simulate(REFERENCE.replace("fen_per_point = 100 ", "fen_per_point = -1 ", 1), today=TODAY)
    assert bad.value.field == "earning.fen_per_point"
    with pytest.raises(ProgramError) as broken:
        simulation.simulate("format = [", today=TODAY)
    assert broken.value.field == "program"
    for days in (0, 367, "x", "1.5", True):
        with pytest.raises(InvalidInput) as wrong:
            simulation.simulate(REFERENCE, days=days, today=TODAY)  # type: ignore[arg-type]
        assert wrong.value.field == "days"
    assert simulation.check_days(" 90 ") == 90


def test_a_real_tills_sales_replayed_under_its_own_program_earn_what_it_credited(hq_db: Any,
                                                                                 tmp_path: Path) -> None:
    from tests.hq.conftest import push_outbox

    t = real_terminal(tmp_path / "till.db")
    try:
        term = register("T01", "S001")
        push_outbox(t.database, term, size=50)
    finally:
        t.close()
    result = simulation.simulate(REFERENCE, days=30, today=dt.date(2026, 11, 3))
    assert result.total.sales >= 3 and result.total.actual > 0
    assert result.total.simulated == result.total.actual
    assert sum(r.points for r in result.by_rule) == result.total.simulated


@pytest.mark.parametrize("hq_db", ["postgresql"], indirect=True)  # SQLite replays in one thread
def test_workers_on_postgresql_add_up_to_the_same_figures(chain: Any) -> None:
    from tests.postgres import PG_ADMIN_URL

    url = f"{PG_ADMIN_URL.rsplit('/', 1)[0]}/{chain.database}"
    one = simulation.simulate(DOUBLE, days=30, today=TODAY)
    two = simulation.simulate(DOUBLE, days=30, today=TODAY, workers=3, db_url=url)
    assert two.total == one.total and two.by_store == one.by_store and two.by_tier == one.by_tier
    assert two.by_day == one.by_day and sorted(two.by_rule, key=lambda r: r.rule_id) == sorted(
        one.by_rule, key=lambda r: r.rule_id)
    assert two.top_members == one.top_members and two.members == one.members == 3
    assert (two.no_lines, two.without_member) == (one.no_lines, one.without_member) == (1, 1)


def test_the_rules_of_any_sale_add_up_to_what_core_credits() -> None:
    import random

    from pos_app.core.earning import SaleLine, compute_earning
    from pos_app.core.program import parse_program

    rng = random.Random(14)
    capped = REFERENCE.replace("max_points_per_sale = 50000", "max_points_per_sale = 900", 1).replace(
        "max_points_per_member_day = 100000", "max_points_per_member_day = 1500", 1)
    for program in (parse_program(REFERENCE), parse_program(DOUBLE), parse_program(capped)):
        for _ in range(400):
            lines = [SaleLine(n, f"S{n}", "", rng.choice(("food", "tobacco", "home")), rng.randint(1, 3),
                              rng.randint(1, 40000), 0, ("new",) if rng.random() < 0.3 else ())
                     for n in range(1, rng.randint(2, 6))]
            at = dt.datetime(2026, 5, rng.randint(1, 28), rng.randint(8, 22), 30)
            earn = compute_earning(program, lines, at=at, tier_id=rng.choice(("normal", "silver", "gold", "diamond")),
                                   deduction_fen=rng.choice((0, 0, 500, 5000)), first_purchase=rng.random() < 0.1,
                                   birthday=rng.random() < 0.1, earned_today=rng.choice((0, 0, 800)))
            rows = simulation.attribute(program, earn)
            assert sum(points for _, points in rows) == earn.total
            purchase = [p for rule, p in rows if rule not in (simulation.SALE_CAP, simulation.DAILY_CAP,
                                                                "first_purchase", "birthday")]
            assert sum(purchase) == earn.purchase_points_uncapped


def test_migration_7_gives_older_sales_the_facts_ingest_writes(chain: Any) -> None:
    """Ingest writes each sale's facts (Python); migration 7 made them in SQL for the sales
    received before it, on each backend: the same rows for the same events (an old till's sale
    without lines or the sale's own time, a sale without a member, points paid, tier changes)."""
    from tests.hq.test_db import undo_migration_7

    def facts() -> list[tuple[Any, ...]]:
        rows = db.SaleFact.select().order_by(db.SaleFact.event_id).tuples()
        return [(*row[:-1], json.loads(row[-1]) if row[-1] is not None else None) for row in rows]

    till, terminal = Till("T02", "S001"), register("T02", "S001")
    odd = [sale(till, GOLD, "2026-05-07T10:00:00", [line(1, 1000)], earned=15),
           sale(till, None, "2026-05-07T12:00:00", [line(1, 1000, flags="new,promo")], earned=0)]
    odd[0]["payload"]["memo"] = "member"  # other keys are kept as sent
    odd[1]["payload"]["aaa"] = {"member": NORMAL}  # nested: not the sale's member
    push(terminal, till.batch([], odd))
    written = facts()
    sales = db.Event.select().where(db.Event.kind == "sale").count()
    assert len(written) == sales == 9
    assert written[-1][2] is None and written[-1][7] == [[1, "SKU1", "food", 1, 1000, 0, "new,promo"]]
    assert {(f[2], f[5], f[7] is None) for f in written} >= {(OLD, 55, True), (None, 0, False), (SILVER, 180, False)}
    undo_migration_7(chain)
    db.SchemaVersion.delete().where(db.SchemaVersion.version > 6).execute()
    assert db.migrate(chain) == db.schema_version()
    assert facts() == written
