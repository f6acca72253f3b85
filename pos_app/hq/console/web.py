"""What every console page uses: templates, the signed-in user, roles, CSRF, languages, errors.

A page handler is a plain function run in the thread pool (FastAPI does that for ``def``
endpoints); it opens its context with ``page(request, area)``, which holds a database
connection, signs the user in from the session cookie (or redirects to the login page),
checks the role may see the area (or answers 403) and, for a form post, checks the CSRF
token. A post handler reads its form first (``await read_form(request)``) and passes it::

    @router.get("/members")
    def members(request: Request) -> Response:
        with page(request, "members") as ctx:
            return ctx.render("members/list.html", rows=...)

    @router.post("/members/{uuid}/revoke")
    async def revoke(request: Request, uuid: str) -> Response:
        form = await read_form(request)
        return await run_in_threadpool(_revoke, request, form, uuid)

Pages are server-rendered (Jinja2, autoescaped); htmx swaps parts of a page (``HX-Request``
answers render a partial template). No inline script or style: the Content-Security-Policy
allows only the console's own files.
"""

from __future__ import annotations

import datetime as dt
import hmac
import os
import secrets
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.datastructures import FormData

from pos_app.core.errors import InvalidInput, NotFound, PermissionDenied, PosError
from pos_app.hq import db
from pos_app.hq import staff as staff_mod
from pos_app.hq.console import i18n

PREFIX = "/console"
SESSION_COOKIE = "pos_console"
LOGIN_CSRF_COOKIE = "pos_console_login"
LANG_COOKIE = "pos_console_lang"
FLASH_COOKIE = "pos_console_flash"
TEMPLATES = Path(__file__).with_name("templates")
STATIC = Path(__file__).with_name("static")
MAX_FORM_BYTES = 2 * 1024 * 1024  # a program's TOML is the largest form (a few KB); files are uploads

ALL = frozenset(staff_mod.ROLES)

#: who may do what, per area: "view" the pages, "edit" change things, "approve" check another's change
PERMISSIONS: dict[str, dict[str, frozenset[str]]] = {
    "dashboard": {"view": ALL},
    "stores": {"view": ALL, "edit": frozenset({"admin"})},
    "program": {"view": ALL, "edit": frozenset({"admin", "marketing"})},
    "members": {"view": ALL, "edit": frozenset({"admin", "marketing"}), "approve": frozenset({"admin", "finance"}),
                "merge": frozenset({"admin"})},
    "gifts": {"view": ALL, "edit": frozenset({"admin", "marketing"})},
    "reconciliation": {"view": frozenset({"admin", "finance"}), "edit": frozenset({"admin", "finance"})},
    "reports": {"view": ALL},
    "staff": {"view": frozenset({"admin"}), "edit": frozenset({"admin"})},
    "audit": {"view": frozenset({"admin", "finance"})},
}

#: the navigation bar: (area, path, label); a user sees the areas they may view
NAV = (
    ("dashboard", "/", i18n.N_("Dashboard")),
    ("stores", "/stores", i18n.N_("Stores")),
    ("program", "/program", i18n.N_("Program")),
    ("members", "/members", i18n.N_("Members")),
    ("gifts", "/gifts", i18n.N_("Gifts")),
    ("reconciliation", "/reconciliation", i18n.N_("Reconciliation")),
    ("reports", "/reports", i18n.N_("Reports")),
    ("staff", "/staff", i18n.N_("Staff")),
    ("audit", "/audit", i18n.N_("Audit")),
)

ROLE_NAMES = {"admin": i18n.N_("Administrator"), "marketing": i18n.N_("Marketing"),
              "finance": i18n.N_("Finance / auditor"), "store_manager": i18n.N_("Store manager")}


def may(role: str, area: str, action: str = "view") -> bool:
    return role in PERMISSIONS.get(area, {}).get(action, frozenset())


# -- control flow out of a handler -----------------------------------------------------------------

class Redirect(Exception):
    def __init__(self, url: str) -> None:
        super().__init__(url)
        self.url = url


class Forbidden(PermissionDenied):
    """The signed-in user's role may not do this (403 page), or the form's CSRF token is wrong."""

    code = "forbidden"


# -- templates -------------------------------------------------------------------------------------

def _yuan(fen: Any) -> str:
    """Integer fen as yuan text (no float): 123456 -> 1,234.56."""
    if fen is None:
        return ""
    value = int(fen)
    sign = "-" if value < 0 else ""
    whole, cents = divmod(abs(value), 100)
    return f"{sign}{whole:,}.{cents:02d}"


def _num(value: Any) -> str:
    return "" if value is None else f"{int(value):,}"


def _local(text: Any) -> str:
    """An ISO time stored in UTC, shown in headquarters' local time to the minute."""
    if not text:
        return ""
    try:
        moment = dt.datetime.fromisoformat(str(text))
    except ValueError:
        return str(text)
    if moment.tzinfo is not None:
        moment = moment.astimezone()
    return moment.strftime("%Y-%m-%d %H:%M")


def _environment() -> Environment:
    env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(default=True),
                      extensions=["jinja2.ext.i18n"], trim_blocks=True, lstrip_blocks=True)
    env.install_gettext_callables(i18n.gettext, i18n.ngettext, newstyle=True)  # type: ignore[attr-defined]
    env.filters.update(yuan=_yuan, num=_num, local=_local, tr=i18n.gettext)
    env.globals.update(NAV=NAV, ROLE_NAMES=ROLE_NAMES, LANGS=i18n.LANGS, LANG_NAMES=i18n.LANG_NAMES, PREFIX=PREFIX,
                       may=may)
    return env


templates = _environment()

SECURITY_HEADERS = {
    "Content-Security-Policy": ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
                                " object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


def secure(request: Request) -> bool:
    """Cookies are ``Secure`` (and HSTS is sent) when the browser reached the console over TLS:
    ``pos-hq serve --cert`` itself, or a TLS proxy in front when ``POS_HQ_CONSOLE_TLS=1`` says so
    (uvicorn does not trust forwarded headers; docs/operations/console.md)."""
    return request.url.scheme == "https" or os.environ.get("POS_HQ_CONSOLE_TLS") == "1"


def security_headers(request: Request) -> dict[str, str]:
    if secure(request):
        return {**SECURITY_HEADERS, "Strict-Transport-Security": "max-age=31536000"}
    return SECURITY_HEADERS


def set_cookie(response: Response, request: Request, name: str, value: str, *, max_age: int | None = None,
               path: str = PREFIX) -> None:
    response.set_cookie(name, value, max_age=max_age, path=path, httponly=True, samesite="lax",
                        secure=secure(request))


def clear_cookie(response: Response, request: Request, name: str) -> None:
    response.delete_cookie(name, path=PREFIX, httponly=True, samesite="lax", secure=secure(request))


def request_language(request: Request) -> str:
    lang = request.cookies.get(LANG_COOKIE, "")
    return lang if lang in i18n.LANGS else i18n.DEFAULT_LANG


def safe_next(target: str | None) -> str:
    """Where to go after signing in: a console path only (never another site)."""
    if target and target.startswith(PREFIX + "/") and not target.startswith("//") and "\\" not in target:
        return target
    return PREFIX + "/"


# -- forms -----------------------------------------------------------------------------------------

async def read_form(request: Request) -> FormData:
    """The posted form (at most ``MAX_FORM_BYTES``; files up to the same)."""
    length = request.headers.get("content-length")
    if length and length.isdigit() and int(length) > MAX_FORM_BYTES:
        raise InvalidInput("body", f"at most {MAX_FORM_BYTES // 1024} KB per form")
    return await request.form(max_part_size=MAX_FORM_BYTES)


def field_text(form: Mapping[str, Any] | None, name: str, *, max_len: int = 200, required: bool = False) -> str:
    """A form field as stripped text, at most ``max_len`` characters (an error naming it otherwise)."""
    raw = (form or {}).get(name)
    text = raw.strip() if isinstance(raw, str) else ""
    if required and not text:
        raise InvalidInput(name, "this field is required")
    if len(text) > max_len:
        raise InvalidInput(name, f"at most {max_len} characters")
    return text


# -- the page context ------------------------------------------------------------------------------

@dataclass
class Page:
    request: Request
    user: staff_mod.StaffUser
    area: str
    form: Mapping[str, Any] | None = None
    cookies: list[tuple[str, str, int | None]] = field(default_factory=list)

    @property
    def lang(self) -> str:
        return i18n.language()

    def may(self, action: str = "view", area: str | None = None) -> bool:
        return may(self.user.role, area or self.area, action)

    def require(self, action: str, area: str | None = None) -> None:
        if not self.may(action, area):
            raise Forbidden("role", "your role may not do this")

    @property
    def store_scope(self) -> str | None:
        """The one store this user may see (a store manager's), or None for the whole chain."""
        return self.user.store_id if self.user.role == "store_manager" else None

    def check_store(self, store_id: str | None) -> None:
        """Refuse another store's data to a store manager."""
        scope = self.store_scope
        if scope is not None and store_id != scope:
            raise Forbidden("store_id", "a store manager sees their own store only")

    def query(self, name: str, *, max_len: int = 100, default: str = "") -> str:
        value = self.request.query_params.get(name, default)
        if len(value) > max_len:
            raise InvalidInput(name, f"at most {max_len} characters")
        return value.strip()

    def query_int(self, name: str, *, default: int, low: int = 0, high: int = 10**12) -> int:
        raw = self.request.query_params.get(name, "")
        if raw == "":
            return default
        if not raw.isascii() or not raw.lstrip("-").isdigit() or len(raw) > 14 or not low <= int(raw) <= high:
            raise InvalidInput(name, f"a whole number from {low} to {high} is required")
        return int(raw)

    def flash(self, message: str) -> None:
        """A message shown on the next page (after a redirect)."""
        self.cookies.append((FLASH_COOKIE, quote(message), 60))

    def redirect(self, path: str, *, flash: str | None = None) -> Response:
        if flash:
            self.flash(flash)
        response = RedirectResponse(PREFIX + path if path.startswith("/") else path, status_code=303)
        return self._finish(response)

    def render(self, template: str, *, status: int = 200, **context: Any) -> Response:
        flash = self.request.cookies.get(FLASH_COOKIE)
        body = templates.get_template(template).render(
            request=self.request, user=self.user, area=self.area, lang=self.lang, csrf=self.user.csrf,
            page=self, flash=_unquote(flash) if flash else None, path=self.request.url.path,
            query=str(self.request.url.query), **context)
        response = HTMLResponse(body, status_code=status, headers=security_headers(self.request))
        if flash:
            clear_cookie(response, self.request, FLASH_COOKIE)
        return self._finish(response)

    def form_error(self, template: str, exc: PosError, **context: Any) -> Response:
        """The form again with the error beside its field (422), nothing written."""
        return self.render(template, status=422, error=exc, errors={exc.field: i18n.translate_error(exc.message)},
                           form=self.form or {}, **context)

    def _finish(self, response: Response) -> Response:
        for name, value, max_age in self.cookies:
            set_cookie(response, self.request, name, value, max_age=max_age)
        return response

    @property
    def actor(self) -> str:
        return self.user.actor


def _unquote(text: str) -> str:
    from urllib.parse import unquote

    return unquote(text)[:500]


@contextmanager
def page(request: Request, area: str, *, form: Mapping[str, Any] | None = None,
         action: str = "view") -> Iterator[Page]:
    """The context of one console request (see the module's doc). A post (``form`` given) must
    carry the session's CSRF token, in the form's ``csrf`` field or the ``X-CSRF-Token`` header."""
    token = i18n.set_language(request_language(request))
    try:
        database = db.proxy.obj
        with database.connection_context():
            user = staff_mod.session_user(request.cookies.get(SESSION_COOKIE))
            if user is None:
                target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
                raise Redirect(f"{PREFIX}/login?next={quote(target)}")
            if request.method != "GET":
                sent = (form or {}).get("csrf") or request.headers.get("x-csrf-token") or ""
                if not isinstance(sent, str) or not hmac.compare_digest(sent.encode(), user.csrf.encode()):
                    raise Forbidden("csrf", "the form is out of date or not from this console; reload the page")
            ctx = Page(request=request, user=user, area=area, form=form)
            ctx.require(action)
            yield ctx
    finally:
        i18n._current.reset(token)


def anonymous_csrf(request: Request) -> str:
    """The login form's token (no session yet): a cookie the form must echo (double submit)."""
    return request.cookies.get(LOGIN_CSRF_COOKIE) or secrets.token_urlsafe(24)


def render_anonymous(request: Request, template: str, *, status: int = 200, **context: Any) -> Response:
    """A page without a signed-in user (the login page, errors before sign-in)."""
    token = i18n.set_language(request_language(request))
    try:
        csrf = anonymous_csrf(request)
        body = templates.get_template(template).render(request=request, user=None, lang=i18n.language(), csrf=csrf,
                                                       path=request.url.path, query=str(request.url.query),
                                                       flash=None, **context)
    finally:
        i18n._current.reset(token)
    response = HTMLResponse(body, status_code=status, headers=security_headers(request))
    set_cookie(response, request, LOGIN_CSRF_COOKIE, csrf, max_age=3600)
    return response


def error_page(request: Request, status: int, exc: PosError | None, message: str = "") -> Response:
    """A console error as a page (the JSON API's handlers answer JSON elsewhere)."""
    text = i18n.translate_error(exc.message) if exc is not None else message
    field_name = exc.field if exc is not None else ""
    return render_anonymous(request, "error.html", status=status, status_code=status, message=text,
                            field_name=field_name, not_found=isinstance(exc, NotFound) or status == 404)
