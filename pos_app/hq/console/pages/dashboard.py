"""The dashboard: the first page after signing in."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from pos_app.hq.console import web

router = APIRouter()


@router.get("/")
def dashboard(request: Request) -> Response:
    with web.page(request, "dashboard") as ctx:
        return ctx.render("dashboard.html")
