"""Program simulation: a draft program replayed on the last days' real sales, before publishing."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from pos_app.core.errors import InvalidInput
from pos_app.core.program import Program
from pos_app.hq import authority, db, simulation
from pos_app.hq.console import i18n, web
from pos_app.hq.console.i18n import _
from pos_app.hq.projection import tuples

router = APIRouter()

FORM = "simulation/form.html"
RESULT = "simulation/result.html"
MAX_SOURCE = 200_000  # characters of TOML (a program is a few KB)

#: the rows of the per-rule table that are not one of the program's rules
ROW_NAMES = {
    simulation.BASE: i18n.N_("Base rate (no multiplier)"),
    simulation.SALE_CAP: i18n.N_("Cut by the per-sale cap"),
    simulation.DAILY_CAP: i18n.N_("Cut by the daily cap"),
}


@router.get("/program/simulate")
def simulate_form(request: Request) -> Response:
    """The form: the published program's text to edit, and the days to replay."""
    with web.page(request, "program", action="edit") as ctx:
        current = authority.active_program()
        form = {"source": current.source if current else "", "days": str(simulation.DEFAULT_DAYS)}
        return ctx.render(FORM, form=form, errors={}, max_days=simulation.MAX_DAYS)


@router.post("/program/simulate")
async def simulate(request: Request) -> Response:
    form = await web.read_form(request)
    return await run_in_threadpool(_simulate, request, form)


def _simulate(request: Request, form: FormData) -> Response:
    with web.page(request, "program", form=form, action="edit") as ctx:
        try:
            source = _source(form)
            days = simulation.check_days(web.field_text(form, "days") or str(simulation.DEFAULT_DAYS))
            result = simulation.simulate(source, days=days)
        except InvalidInput as exc:  # ProgramError too: the field of the TOML it names
            return ctx.form_error(FORM, exc, max_days=simulation.MAX_DAYS)
        return ctx.render(RESULT, r=result, source=source, **_view(result, ctx.lang))


def _source(form: FormData) -> str:
    """The draft as typed (a browser sends a textarea's lines ending in CRLF; kept otherwise as is,
    so the version published from the result page is the text simulated)."""
    raw = form.get("source")
    text = raw.replace("\r\n", "\n") if isinstance(raw, str) else ""
    if not text.strip():
        raise InvalidInput("source", "this field is required")
    if len(text) > MAX_SOURCE:
        raise InvalidInput("source", f"at most {MAX_SOURCE} characters")
    return text


def _view(r: simulation.SimulationResult, lang: str) -> dict[str, Any]:
    """What the result page shows beside the figures: names, rows in order, the charts."""
    program = r.program
    stores = {s: n for s, n in tuples(db.Store.select(db.Store.id, db.Store.name))}
    tier_order = {t.id: i for i, t in enumerate(program.tiers.tiers)}
    days = sorted(r.by_day.items())
    store_rows = sorted(r.by_store.items())
    tier_rows = sorted(r.by_tier.items(), key=lambda kv: (tier_order.get(kv[0], len(tier_order)), kv[0]))
    rule_rows = [(rule.rule_id, _rule_name(program, rule.rule_id, lang), rule.sales, rule.points)
                 for rule in r.by_rule if rule.points or rule.rule_id in _program_rules(program)]
    actual_label, simulated_label = _("Actually issued"), _("Under the draft")
    by_day = {
        "tooltip": {"trigger": "axis"},
        "legend": {"data": [actual_label, simulated_label]},
        "grid": {"left": 60, "right": 20, "top": 40, "bottom": 40},
        "xAxis": {"type": "category", "data": [d for d, _f in days]},
        "yAxis": {"type": "value", "name": _("Points")},
        "series": [
            {"name": actual_label, "type": "line", "data": [f.actual for _d, f in days]},
            {"name": simulated_label, "type": "line", "data": [f.simulated for _d, f in days]},
        ],
    }
    by_store = {
        "tooltip": {"trigger": "axis"},
        "legend": {"data": [actual_label, simulated_label]},
        "grid": {"left": 60, "right": 20, "top": 40, "bottom": 60},
        "xAxis": {"type": "category", "data": [stores.get(s, s) for s, _f in store_rows]},
        "yAxis": {"type": "value", "name": _("Points")},
        "series": [
            {"name": actual_label, "type": "bar", "data": [f.actual for _s, f in store_rows]},
            {"name": simulated_label, "type": "bar", "data": [f.simulated for _s, f in store_rows]},
        ],
    }
    return {
        "days": days, "store_rows": store_rows, "stores": stores, "rule_rows": rule_rows,
        "tier_rows": [(t, _tier_name(program, t, lang), f) for t, f in tier_rows],
        "chart_by_day": by_day, "chart_by_store": by_store, "seconds": f"{r.elapsed_ms / 1000:.1f}",
        "current_version": r.current_version,
    }


def _program_rules(program: Program) -> set[str]:
    e = program.earning
    return {simulation.BASE, *(lm.id for lm in e.line_multipliers), *(sm.id for sm in e.sale_multipliers),
            *(b.id for b in e.bonuses), *(f"tier:{t.id}" for t in program.tiers.tiers)}


def _rule_name(program: Program, rule_id: str, lang: str) -> str:
    if rule_id in ROW_NAMES:
        return _(ROW_NAMES[rule_id])
    name = program.rule_name(rule_id, lang)
    return name if name and name != rule_id else rule_id


def _tier_name(program: Program, tier_id: str, lang: str) -> str:
    for tier in program.tiers.tiers:
        if tier.id == tier_id:
            return tier.name_zh if lang == "zh_CN" else tier.name_en
    return tier_id
