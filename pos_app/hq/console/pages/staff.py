"""The console's staff pages (issue 14, item 1): the accounts (admins only: add, disable and
enable, change a role, reset a password, unlock) and everyone's own password at /account.
The rules are in ``hq/staff.py`` (the last active admin stays one)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from pos_app.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied, PosError
from pos_app.hq import admin, db
from pos_app.hq import staff as staff_mod
from pos_app.hq.console import i18n, web

router = APIRouter()


def _message(exc: PosError) -> str:
    if isinstance(exc, Conflict) and exc.field == "login":
        return i18n._("An account with this login exists already.")
    if isinstance(exc, NotFound) and exc.field == "store_id":
        return i18n._("No such store.")
    return i18n.translate_error(exc.message)


def _status(exc: PosError) -> int:
    return 409 if isinstance(exc, Conflict) else 403 if isinstance(exc, PermissionDenied) else 422


def _role_options() -> list[tuple[str, str]]:
    return [(role, i18n.gettext(web.ROLE_NAMES[role])) for role in staff_mod.ROLES]


def _store_options() -> list[tuple[str, str]]:
    return [("", i18n._("(none)"))] + [(s["id"], f'{s["id"]} · {s["name"]}') for s in admin.list_stores()]


# -- the list and adding an account -----------------------------------------------------------------

def _list_page(ctx: web.Page, *, status: int = 200, errors: dict[str, str] | None = None, form: Any = None) -> Response:
    return ctx.render("staff/list.html", status=status, accounts=staff_mod.list_staff(), errors=errors or {},
                      form=form or {}, roles=_role_options(), stores=_store_options(), now=db.utcnow())


@router.get("/staff")
def staff_list(request: Request) -> Response:
    with web.page(request, "staff") as ctx:
        return _list_page(ctx)


@router.post("/staff")
async def add(request: Request) -> Response:
    form = await web.read_form(request)
    return await run_in_threadpool(_add, request, form)


def _add(request: Request, form: FormData) -> Response:
    with web.page(request, "staff", form=form, action="edit") as ctx:
        values = {k: form.get(k) for k in ("login", "name", "role", "store_id")}  # never the password back
        try:
            login = web.field_text(form, "login", max_len=32, required=True)
            name = web.field_text(form, "name", max_len=100)
            role = web.field_text(form, "role", max_len=20, required=True)
            store_id = web.field_text(form, "store_id", max_len=32) or None
            password = form.get("password")
            if role != "store_manager" and store_id:
                raise InvalidInput("store_id", "only a store manager has a store")
            account = staff_mod.add_staff(login, password if isinstance(password, str) else "", role, name=name,
                                          store_id=store_id, actor=ctx.actor)
        except (InvalidInput, Conflict, NotFound) as exc:
            return _list_page(ctx, status=_status(exc), errors={exc.field: _message(exc)}, form=values)
        return ctx.redirect(f"/staff/{account['login']}",
                            flash=i18n._("Account %(login)s added.", login=account["login"]))


# -- one account ------------------------------------------------------------------------------------

def _account(login: str) -> dict[str, Any]:
    row = db.Staff.get_or_none(db.Staff.login == login)
    if row is None:
        raise NotFound("login", "no such account")
    return staff_mod.describe(row)


def _account_page(ctx: web.Page, login: str, *, status: int = 200, errors: dict[str, str] | None = None,
                  form: Any = None) -> Response:
    account = _account(login)
    return ctx.render("staff/account.html", status=status, a=account, errors=errors or {},
                      form=form or {"role": account["role"], "store_id": account["store_id"] or ""},
                      roles=_role_options(), stores=_store_options(), now=db.utcnow())


@router.get("/staff/{login}")
def account_page(request: Request, login: str) -> Response:
    with web.page(request, "staff") as ctx:
        return _account_page(ctx, login)


@router.post("/staff/{login}/{what}")
async def change(request: Request, login: str, what: str) -> Response:
    form = await web.read_form(request)
    return await run_in_threadpool(_change, request, form, login, what)


def _change(request: Request, form: FormData, login: str, what: str) -> Response:
    with web.page(request, "staff", form=form, action="edit") as ctx:
        _account(login)
        values: dict[str, Any] = {}
        try:
            if what == "role":
                role = web.field_text(form, "role", max_len=20, required=True)
                store_id = web.field_text(form, "store_id", max_len=32) or None
                values = {"role": role, "store_id": store_id or ""}
                if role != "store_manager" and store_id:
                    raise InvalidInput("store_id", "only a store manager has a store")
                staff_mod.update_staff(login, role=role, store_id=store_id, actor=ctx.actor)
                text = i18n._("The role of %(login)s changed; their sessions ended.", login=login)
            elif what == "disable":
                staff_mod.update_staff(login, active=False, actor=ctx.actor)
                text = i18n._("Account %(login)s disabled; its sessions ended.", login=login)
            elif what == "enable":
                staff_mod.update_staff(login, active=True, actor=ctx.actor)
                text = i18n._("Account %(login)s enabled.", login=login)
            elif what == "unlock":
                staff_mod.update_staff(login, unlock=True, actor=ctx.actor)
                text = i18n._("Account %(login)s unlocked.", login=login)
            elif what == "password":
                password = form.get("password")
                staff_mod.set_password(login, password if isinstance(password, str) else "", actor=ctx.actor)
                text = i18n._("The password of %(login)s was reset; their sessions ended.", login=login)
            else:
                raise NotFound("what", "no such page")
        except (InvalidInput, Conflict, PermissionDenied) as exc:
            return _account_page(ctx, login, status=_status(exc), errors={exc.field: _message(exc)},
                                 form=values or None)
        except NotFound as exc:
            if exc.field == "what":
                raise
            return _account_page(ctx, login, status=422, errors={exc.field: _message(exc)}, form=values or None)
        if login == ctx.user.login and what in ("role", "disable", "password"):
            return ctx.redirect("/login")  # this session ended with the change
        return ctx.redirect(f"/staff/{login}", flash=text)


# -- one's own account ------------------------------------------------------------------------------

@router.get("/account")
def own_account(request: Request) -> Response:
    with web.page(request, "dashboard") as ctx:
        return ctx.render("staff/own.html", errors={}, form={})


@router.post("/account/password")
async def own_password(request: Request) -> Response:
    form = await web.read_form(request)
    return await run_in_threadpool(_own_password, request, form)


def _own_password(request: Request, form: FormData) -> Response:
    with web.page(request, "dashboard", form=form) as ctx:
        current, new, again = (form.get(k) for k in ("current", "password", "again"))
        try:
            if isinstance(new, str) and new and new != again:
                raise InvalidInput("again", "the two new passwords differ")
            staff_mod.change_own_password(ctx.user.login, current, new,
                                          keep_session=request.cookies.get(web.SESSION_COOKIE))
        except InvalidInput as exc:
            return ctx.render("staff/own.html", status=422, errors={exc.field: _message(exc)}, form={})
        return ctx.redirect("/account", flash=i18n._("Your password changed; your other sessions ended."))
