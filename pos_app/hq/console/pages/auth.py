"""Signing in and out, and the language switch."""

from __future__ import annotations

import hmac
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from pos_app.core.errors import InvalidInput, PosError
from pos_app.hq import db
from pos_app.hq import staff as staff_mod
from pos_app.hq.console import i18n, web

router = APIRouter()


@router.get("/login")
def login_form(request: Request) -> Response:
    return web.render_anonymous(request, "login.html", next=web.safe_next(request.query_params.get("next")),
                                form={}, errors={})


@router.post("/login")
async def login(request: Request) -> Response:
    form = await web.read_form(request)
    return await run_in_threadpool(_login, request, form)


def _login(request: Request, form: FormData) -> Response:
    target = web.safe_next(form.get("next") if isinstance(form.get("next"), str) else None)  # type: ignore[arg-type]
    sent = form.get("csrf")
    cookie = request.cookies.get(web.LOGIN_CSRF_COOKIE, "")
    values = {"login": form.get("login") if isinstance(form.get("login"), str) else ""}
    if not cookie or not isinstance(sent, str) or not hmac.compare_digest(sent.encode(), cookie.encode()):
        return web.error_page(request, 403, web.Forbidden(
            "csrf", "the form is out of date or not from this console; reload the page"))
    client = f"{request.client.host}" if request.client else ""
    try:
        with db.proxy.obj.connection_context():
            token = staff_mod.sign_in(form.get("login"), form.get("password"), client=client)
    except (InvalidInput, staff_mod.LoginRefused) as exc:
        i18n_token = i18n.set_language(web.request_language(request))
        try:
            message = i18n.translate_error(exc.message)
        finally:
            i18n._current.reset(i18n_token)
        return web.render_anonymous(request, "login.html", status=422 if isinstance(exc, InvalidInput) else 403,
                                    next=target, form=values, errors={exc.field: message})
    response = RedirectResponse(target, status_code=303)
    web.set_cookie(response, request, web.SESSION_COOKIE, token)
    web.clear_cookie(response, request, web.LOGIN_CSRF_COOKIE)
    return response


@router.post("/logout")
async def logout(request: Request) -> Response:
    form = await web.read_form(request)
    return await run_in_threadpool(_logout, request, form)


def _logout(request: Request, form: FormData) -> Response:
    with web.page(request, "dashboard", form=form):
        pass  # the CSRF token checked: a foreign page cannot sign anyone out
    with db.proxy.obj.connection_context():
        staff_mod.sign_out(request.cookies.get(web.SESSION_COOKIE))
    response = RedirectResponse(f"{web.PREFIX}/login", status_code=303)
    web.clear_cookie(response, request, web.SESSION_COOKIE)
    return response


@router.get("/lang/{code}")
def set_language(request: Request, code: str) -> Response:
    """Switch the console's language (a display preference in a cookie, changes no data)."""
    if code not in i18n.LANGS:
        return web.error_page(request, 404, None, "no such language")
    response = RedirectResponse(web.safe_next(request.query_params.get("next")), status_code=303)
    web.set_cookie(response, request, web.LANG_COOKIE, code, max_age=365 * 24 * 3600)
    return response


def login_url(request: Request) -> str:
    return f"{web.PREFIX}/login?next={quote(request.url.path)}"


__all__ = ["PosError", "router"]
