"""The console's stores pages (issue 14, item 3): the stores, a store's terminals, enrollment
codes (shown once), retiring a terminal, a till's history. Admins edit; a store manager sees
their own store only, read-only. The rules are in ``hq/admin.py``."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from pos_app.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied, PosError
from pos_app.hq import admin, db, reports
from pos_app.hq.console import i18n, web

router = APIRouter()
HISTORY_SIZE = 50

KIND_NAMES = {"till": i18n.N_("Till"), "channel": i18n.N_("Channel (mini-program, website)")}


def _message(exc: PosError) -> str:
    """The error in the request's language; the common run-time ones get their own sentence."""
    if isinstance(exc, Conflict) and exc.field == "store_id":
        return i18n._("A store with this id exists already.")
    if isinstance(exc, Conflict) and exc.field == "terminal_id":
        return i18n._("A terminal with this id exists already.")
    if isinstance(exc, Conflict) and exc.field == "terminal":
        return i18n._("This terminal is retired already.")
    if isinstance(exc, PermissionDenied) and exc.field == "terminal":
        return i18n._("This terminal is retired or deactivated: it gets no new code.")
    return i18n.translate_error(exc.message)


def _status(exc: PosError) -> int:
    if isinstance(exc, InvalidInput):
        return 422
    if isinstance(exc, Conflict):
        return 409
    if isinstance(exc, PermissionDenied):
        return 403
    return 404 if isinstance(exc, NotFound) else 400


# -- the stores -------------------------------------------------------------------------------------

def _list_page(ctx: web.Page, *, status: int = 200, errors: dict[str, str] | None = None,
               form: Any = None) -> Response:
    """A store manager's one store is counted now; the chain's member counts are the console's
    kept figures (``reports.member_figures``: every member is read, so a large chain's are kept
    a minute and counted again in the background), the page says as of when."""
    counted_at = ""
    if ctx.store_scope is None:
        rows, at = reports.member_figures()
        stores = admin.store_overview(members={r["store_id"]: r["members"] for r in rows})
        counted_at = at.isoformat()
    else:
        stores = admin.store_overview(ctx.store_scope)
    return ctx.render("stores/list.html", status=status, stores=stores, counted_at=counted_at,
                      errors=errors or {}, form=form or {})


@router.get("/stores")
def stores(request: Request) -> Response:
    with web.page(request, "stores") as ctx:
        return _list_page(ctx)


@router.post("/stores")
async def add_store(request: Request) -> Response:
    form = await web.read_form(request)
    return await run_in_threadpool(_add_store, request, form)


def _add_store(request: Request, form: FormData) -> Response:
    with web.page(request, "stores", form=form, action="edit") as ctx:
        try:
            store_id = web.field_text(form, "store_id", max_len=32, required=True)
            name = web.field_text(form, "name", max_len=100, required=True)
            store = admin.create_store(store_id, name, actor=ctx.actor)
        except (InvalidInput, Conflict) as exc:
            return _list_page(ctx, status=_status(exc), errors={exc.field: _message(exc)}, form=form)
        return ctx.redirect(f"/stores/{store.id}", flash=i18n._("Store %(id)s added.", id=store.id))


# -- a store and its terminals ----------------------------------------------------------------------

def _store(ctx: web.Page, store_id: str) -> db.Store:
    ctx.check_store(store_id)
    return admin.get_store(store_id)


def _store_page(ctx: web.Page, store: db.Store, *, status: int = 200, errors: dict[str, str] | None = None,
                form: Any = None, code: str | None = None, code_for: str | None = None,
                error_for: str | None = None) -> Response:
    overview = admin.store_overview(store.id)
    return ctx.render("stores/store.html", status=status, store=store, overview=overview[0] if overview else {},
                      terminals=admin.list_terminals(store.id), retired=_retired(store.id), errors=errors or {},
                      form=form or {}, code=code, code_for=code_for, error_for=error_for, KIND_NAMES=KIND_NAMES)


def _retired(store_id: str) -> dict[str, str]:
    T = db.Terminal
    return {str(t.id): str(t.retired_at) for t in T.select(T.id, T.retired_at).where(
        (T.store_id == store_id) & T.retired_at.is_null(False))}


@router.get("/stores/{store_id}")
def store_page(request: Request, store_id: str) -> Response:
    with web.page(request, "stores") as ctx:
        return _store_page(ctx, _store(ctx, store_id))


@router.post("/stores/{store_id}/terminals")
async def add_terminal(request: Request, store_id: str) -> Response:
    form = await web.read_form(request)
    return await run_in_threadpool(_add_terminal, request, form, store_id)


def _add_terminal(request: Request, form: FormData, store_id: str) -> Response:
    with web.page(request, "stores", form=form, action="edit") as ctx:
        store = _store(ctx, store_id)
        try:
            terminal_id = web.field_text(form, "terminal_id", max_len=32, required=True)
            kind = web.field_text(form, "kind", max_len=20, required=True)
            terminal = admin.create_terminal(terminal_id, store.id, kind=kind, actor=ctx.actor)
        except (InvalidInput, Conflict) as exc:
            return _store_page(ctx, store, status=_status(exc), errors={exc.field: _message(exc)}, form=form)
        return ctx.redirect(f"/stores/{store.id}", flash=i18n._("Terminal %(id)s added: issue it an enrollment code.",
                                                                id=terminal.id))


# -- a terminal -------------------------------------------------------------------------------------

def _terminal(ctx: web.Page, terminal_id: str) -> db.Terminal:
    terminal = admin.get_terminal(terminal_id)
    ctx.check_store(str(terminal.store_id))
    return terminal


@router.post("/terminals/{terminal_id}/code")
async def issue_code(request: Request, terminal_id: str) -> Response:
    form = await web.read_form(request)
    return await run_in_threadpool(_issue_code, request, form, terminal_id)


def _issue_code(request: Request, form: FormData, terminal_id: str) -> Response:
    """The code is in this answer only (never stored, never shown again): no redirect."""
    with web.page(request, "stores", form=form, action="edit") as ctx:
        terminal = _terminal(ctx, terminal_id)
        store = admin.get_store(str(terminal.store_id))
        try:
            hours = web.field_text(form, "ttl_hours", max_len=4) or "72"
            if not hours.isascii() or not hours.isdigit():
                raise InvalidInput("ttl_hours", "between 1 and 720 hours is required")
            code = admin.new_enrollment_code(terminal.id, ttl_hours=int(hours), actor=ctx.actor)
        except (InvalidInput, PermissionDenied) as exc:
            return _store_page(ctx, store, status=_status(exc), errors={exc.field: _message(exc)},
                               error_for=terminal.id)
        return _store_page(ctx, store, code=code, code_for=terminal.id)


@router.get("/terminals/{terminal_id}/retire")
def retire_confirm(request: Request, terminal_id: str) -> Response:
    with web.page(request, "stores", action="edit") as ctx:
        terminal = _terminal(ctx, terminal_id)
        return ctx.render("stores/retire.html", terminal=terminal, errors={}, form={})


@router.post("/terminals/{terminal_id}/retire")
async def retire(request: Request, terminal_id: str) -> Response:
    form = await web.read_form(request)
    return await run_in_threadpool(_retire, request, form, terminal_id)


def _retire(request: Request, form: FormData, terminal_id: str) -> Response:
    with web.page(request, "stores", form=form, action="edit") as ctx:
        terminal = _terminal(ctx, terminal_id)
        try:
            typed = web.field_text(form, "confirm", max_len=40, required=True)
            if typed != terminal.id:
                raise InvalidInput("confirm", "type the terminal's id to confirm")
            admin.retire_terminal(terminal.id, actor=ctx.actor)
        except (InvalidInput, Conflict) as exc:
            return ctx.render("stores/retire.html", status=_status(exc), terminal=terminal,
                              errors={exc.field: _message(exc)}, form=form)
        return ctx.redirect(f"/stores/{terminal.store_id}",
                            flash=i18n._("Terminal %(id)s retired: headquarters refuses its requests.", id=terminal.id))


@router.get("/terminals/{terminal_id}")
def terminal_page(request: Request, terminal_id: str) -> Response:
    with web.page(request, "stores") as ctx:
        terminal = _terminal(ctx, terminal_id)
        before = ctx.query_int("before", default=0, low=0, high=2**62) or None
        rows = admin.terminal_audit(terminal.id, before=before, limit=HISTORY_SIZE)
        return ctx.render("stores/terminal.html", t=terminal, store=admin.get_store(str(terminal.store_id)),
                          batches=admin.terminal_batches(terminal.id), rows=rows, before=before,
                          more=len(rows) >= HISTORY_SIZE, KIND_NAMES=KIND_NAMES)
