"""The headquarters console: a web workplace for headquarters staff, served by ``pos-hq serve``
under ``/console/`` (server-rendered Jinja2 pages, htmx, vendored ECharts; see
docs/architecture.md, "The headquarters console").

``mount(app)`` adds the pages, the static files and the console's error pages to the HQ
application. Its sign-in (staff accounts, ``hq/staff.py``) is separate from the tills' HMAC
signatures: a console session cannot push or pull, and a terminal's secret opens no page.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from pos_app.core.errors import PosError
from pos_app.hq.console import web
from pos_app.hq.console.pages import (
    audit,
    auth,
    dashboard,
    gifts,
    members,
    program,
    reconciliation,
    reports,
    stores,
)
from pos_app.hq.console.pages import merge as merge_pages
from pos_app.hq.console.pages import simulation as simulation_pages
from pos_app.hq.console.pages import staff as staff_pages

log = logging.getLogger("pos_app.hq.console")

PAGES = (auth, dashboard, stores, simulation_pages, program, members, gifts, reconciliation, reports, staff_pages,
         audit, merge_pages)


def is_console(request: Request) -> bool:
    path = request.url.path
    return path == web.PREFIX or path.startswith(web.PREFIX + "/")


def error_response(request: Request, exc: Exception, status: int) -> Response:
    """The console's answer to an error a page raised (the API answers JSON instead)."""
    if isinstance(exc, web.Redirect):
        return RedirectResponse(exc.url, status_code=303)
    return web.error_page(request, status, exc if isinstance(exc, PosError) else None,
                          "" if isinstance(exc, PosError) else _plain(status))


def _plain(status: int) -> str:
    return {404: "no such page", 405: "not allowed here", 500: "headquarters failed; the error is in its log"}.get(
        status, "the request cannot be answered")


def mount(app: FastAPI) -> None:
    for module in PAGES:
        app.include_router(module.router, prefix=web.PREFIX, include_in_schema=False)
    app.mount(f"{web.PREFIX}/static", StaticFiles(directory=str(web.STATIC)), name="console-static")

    @app.get(web.PREFIX, include_in_schema=False)
    def _root() -> Response:
        return RedirectResponse(web.PREFIX + "/", status_code=307)

    @app.exception_handler(web.Redirect)
    async def _redirect(request: Request, exc: web.Redirect) -> Response:
        return RedirectResponse(exc.url, status_code=303)
