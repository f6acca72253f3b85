"""The program pages: the versions (the one tills run today, the ones published ahead), each as
TOML; a new version edited as TOML or through a form of its common settings; its diff against
the current version; publishing with an effective date after a confirmation.

``POST /program/publish`` (fields ``source``, ``effective_on``, ``csrf``) is also where the
simulation page sends a draft: the first post validates and shows the diff with a confirmation
form, the second (``confirm=1``) publishes.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from pos_app.core.errors import Conflict, InvalidInput, ProgramError
from pos_app.core.program import EXPIRY_MODES, Program, parse_program
from pos_app.hq import authority, programs
from pos_app.hq.console import i18n, web
from pos_app.hq.console.i18n import _

router = APIRouter()

LIST = "program/list.html"
VIEW = "program/view.html"
EDIT = "program/edit.html"
CONFIRM = "program/confirm.html"

EXPIRY_NAMES = {"rolling": i18n.N_("Rolling (months after each earning)"),
                "fixed_clear_down": i18n.N_("Cleared down once a year"), "never": i18n.N_("Never")}


@router.get("/program")
def versions(request: Request) -> Response:
    with web.page(request, "program") as ctx:
        rows = programs.list_versions()
        current = next((v for v in rows if v.current), None)
        program = authority.active_program()
        return ctx.render(LIST, rows=rows, current=current, program=program,
                          pending=[v for v in rows if v.pending])


@router.get("/program/{version:int}")
def view(request: Request, version: int) -> Response:
    with web.page(request, "program") as ctx:
        try:
            row, source = programs.version_source(version)
        except InvalidInput:
            return web.error_page(request, 404, None, _("no such version"))
        return ctx.render(VIEW, v=row, source=source, program=parse_program(source))


@router.get("/program/new")
def new(request: Request) -> Response:
    with web.page(request, "program", action="edit") as ctx:
        source = programs.next_draft()
        return _edit(ctx, source, form={"source": source, "effective_on": ""})


@router.post("/program/new")
async def new_post(request: Request) -> Response:
    form = await web.read_form(request)
    return await run_in_threadpool(_new_post, request, form)


def _new_post(request: Request, form: FormData) -> Response:
    """The edit page's own buttons: "Apply the form" rewrites the TOML; "Show the diff" checks it."""
    with web.page(request, "program", form=form, action="edit") as ctx:
        values = {"effective_on": web.field_text(form, "effective_on", max_len=20)}
        try:
            source = programs.check_source(form.get("source"))
        except InvalidInput as exc:
            return _edit(ctx, "", form={**values, "source": ""}, status=422, exc=exc)
        op = form.get("op")
        try:
            if op == "apply":
                source = programs.apply_form(source, form)
                return _edit(ctx, source, form={**values, "source": source}, applied=True)
            difference = programs.diff(_current_source(), source)
        except (InvalidInput, Conflict) as exc:
            return _edit(ctx, source, form={**dict(form), **values, "source": source}, status=422, exc=exc)
        return _edit(ctx, source, form={**values, "source": source}, difference=difference)


@router.post("/program/publish")
async def publish(request: Request) -> Response:
    form = await web.read_form(request)
    return await run_in_threadpool(_publish, request, form)


def _publish(request: Request, form: FormData) -> Response:
    with web.page(request, "program", form=form, action="edit") as ctx:
        values = {"effective_on": web.field_text(form, "effective_on", max_len=20)}
        try:
            source = programs.check_source(form.get("source"))
        except InvalidInput as exc:
            return _edit(ctx, "", form={**values, "source": ""}, status=422, exc=exc)
        try:
            program, effective = programs.check_publish(source, values["effective_on"])
            if form.get("confirm") != "1":
                return ctx.render(CONFIRM, program=program, source=source, effective_on=effective,
                                  difference=programs.diff(_current_source(), source),
                                  current=authority.active_program())
            authority.publish_program(source, actor=ctx.actor, effective_on=effective)
        except (InvalidInput, Conflict) as exc:
            return _edit(ctx, source, form={**values, "source": source}, status=422, exc=exc)
        if effective:
            message = _("Version %(v)s published; tills run it from %(d)s.", v=program.version, d=effective)
        else:
            message = _("Version %(v)s published; tills run it from their next sync.", v=program.version)
        return ctx.redirect("/program", flash=message)


def _current_source() -> str | None:
    program = authority.active_program()
    return program.source if program else None


def _edit(ctx: web.Page, source: str, *, form: dict[str, Any], status: int = 200,
          exc: InvalidInput | Conflict | None = None, applied: bool = False,
          difference: programs.Diff | None = None) -> Response:
    """The edit page: the common settings (when the draft parses), the TOML, the buttons."""
    errors: dict[str, str] = {}
    error_path = ""
    try:
        draft: Program | None = parse_program(source) if source else None
    except ProgramError:
        draft = None
    settings = programs.common_settings(draft) if draft else []
    names = {s.name for s in settings}
    if exc is not None:
        message = i18n.translate_error(exc.message)
        if exc.field in names or exc.field == "effective_on":
            errors[exc.field] = message
        else:  # a setting of the TOML (ProgramError's path, or the version a Conflict names)
            error_path = ("program.version" if isinstance(exc, Conflict) and exc.field == "version"
                          else "" if exc.field == "source" else exc.field)
            errors["source"] = message
    shown = programs.form_values(draft) if draft else {}
    was = dict(shown)  # each field's value as shown: only the fields changed from it are applied
    if exc is not None and exc.field in names:  # the fields as typed, to be corrected
        shown.update({k: v for k, v in form.items() if k in names and isinstance(v, str)})
        was.update({k: str(form[f"was_{k}"]) for k in names if isinstance(form.get(f"was_{k}"), str)})
    return ctx.render(EDIT, status=status, form={**form, **shown}, errors=errors, error_path=error_path,
                      settings=settings, draft=draft, applied=applied, difference=difference, was=was,
                      current=authority.active_program(),
                      expiry_modes=[(m, _(EXPIRY_NAMES[m])) for m in EXPIRY_MODES])
