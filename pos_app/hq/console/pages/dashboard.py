"""The dashboard: the first page after signing in (points issued and redeemed, liability,
active members, the stores' figures and the tills' sync health)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from pos_app.core.errors import InvalidInput
from pos_app.hq import dashboard as dash
from pos_app.hq.console import i18n, web

router = APIRouter()

#: who may change the silent-till setting
SETTING_ROLES = frozenset({"admin"})


def _chart(figures: dash.Figures) -> dict[str, Any]:
    """The ECharts option of issued vs redeemed per day (integers; console.js draws it)."""
    return {
        "tooltip": {"trigger": "axis"},
        "legend": {"data": [i18n._("Points issued"), i18n._("Points redeemed")]},
        "grid": {"left": 60, "right": 20, "top": 40, "bottom": 40},
        "xAxis": {"type": "category", "data": [d[5:] for d, _i, _r in figures.days]},
        "yAxis": {"type": "value", "name": i18n._("Points")},
        "series": [
            {"name": i18n._("Points issued"), "type": "bar", "data": [i for _d, i, _r in figures.days],
             "itemStyle": {"color": "#1e7e34"}},
            {"name": i18n._("Points redeemed"), "type": "line", "data": [r for _d, _i, r in figures.days],
             "itemStyle": {"color": "#c0392b"}},
        ],
    }


def _render(ctx: web.Page, *, status: int = 200, **extra: Any) -> Response:
    scope = ctx.store_scope
    figures = dash.figures(dt.date.today(), store_id=scope)
    hours = dash.silent_hours()
    tills = dash.tills(dt.datetime.now(dt.UTC), store_id=scope, hours=hours)
    return ctx.render("dashboard.html", status=status, figures=figures, chart=_chart(figures), tills=tills,
                      silent_hours=hours, may_set=ctx.user.role in SETTING_ROLES,
                      silent_count=sum(1 for t in tills if t.silent), **extra)


@router.get("/")
def dashboard(request: Request) -> Response:
    with web.page(request, "dashboard") as ctx:
        return _render(ctx, form={}, errors={})


@router.post("/dashboard/silent-hours")
async def set_silent_hours(request: Request) -> Response:
    form = await web.read_form(request)
    return await run_in_threadpool(_set_silent_hours, request, form)


def _set_silent_hours(request: Request, form: FormData) -> Response:
    with web.page(request, "dashboard", form=form) as ctx:
        if ctx.user.role not in SETTING_ROLES:
            raise web.Forbidden("role", "your role may not do this")
        try:
            hours = dash.set_silent_hours(form.get("silent_hours"), actor=ctx.actor)
        except InvalidInput as exc:
            return _render(ctx, status=422, form=form,
                           errors={exc.field: i18n.translate_error(exc.message)})
        return ctx.redirect("/", flash=i18n._("Tills silent for more than %(n)s hours are highlighted.", n=hours))
