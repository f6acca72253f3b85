"""The console's members pages (issue 14, item 6): search, a member's file, revoking a card,
adjusting points with maker-checker approval. The rules are in ``hq/members_admin.py``."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from pos_app.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied, PosError, RuleViolation
from pos_app.hq import db
from pos_app.hq import members_admin as admin
from pos_app.hq.console import i18n, web

router = APIRouter()
PAGE_SIZE = 20


def _is_htmx(request: Request) -> bool:
    """An htmx swap (the partial), not a boosted link or a history restore (the whole page)."""
    headers = request.headers
    return (headers.get("hx-request") == "true" and headers.get("hx-boosted") != "true"
            and headers.get("hx-history-restore-request") != "true")


# -- search -----------------------------------------------------------------------------------------

@router.get("/members")
def search(request: Request) -> Response:
    with web.page(request, "members") as ctx:
        template = "members/_results.html" if _is_htmx(request) else "members/search.html"
        q = request.query_params.get("q", "")
        errors: dict[str, str] = {}
        try:
            offset = ctx.query_int("offset", default=0, high=10_000)
            found = admin.search_members(q, store_id=ctx.store_scope, limit=PAGE_SIZE, offset=offset)
        except InvalidInput as exc:
            errors[exc.field] = i18n.translate_error(exc.message)
            offset, found = 0, admin.SearchResult("", [], False)
        return ctx.render(template, q=q.strip()[:40], result=found, offset=offset, limit=PAGE_SIZE, errors=errors,
                          form={"q": q[:40]}, status=422 if errors else 200)


# -- approvals (declared before /members/{uuid}) ----------------------------------------------------

@router.get("/members/approvals")
def approvals(request: Request) -> Response:
    with web.page(request, "members") as ctx:
        _require_maker_or_checker(ctx)
        return _approvals_page(ctx)


def _require_maker_or_checker(ctx: web.Page) -> None:
    """Pending adjustments name members of every store: makers and checkers only."""
    if not (ctx.may("edit") or ctx.may("approve")):
        raise web.Forbidden("role", "your role may not do this")


def _approvals_page(ctx: web.Page, *, status: int = 200, errors: dict[str, str] | None = None) -> Response:
    return ctx.render("members/approvals.html", status=status, pending=admin.pending_approvals(),
                      decided=admin.recent_decisions(), errors=errors or {})


@router.post("/members/approvals/{number}/{verdict}")
async def decide(request: Request, number: str, verdict: str) -> Response:
    form = await web.read_form(request)
    return await run_in_threadpool(_decide, request, form, number, verdict)


def _decide(request: Request, form: FormData, number: str, verdict: str) -> Response:
    with web.page(request, "members", form=form, action="approve") as ctx:
        if verdict not in ("approve", "reject"):
            raise NotFound("verdict", "no such page")
        try:
            note = web.field_text(form, "note", max_len=admin.REASON_MAX)
            outcome = admin.decide(number, approve=verdict == "approve", actor=ctx.actor, note=note)
        except (InvalidInput, RuleViolation, Conflict, PermissionDenied, NotFound) as exc:
            message = i18n.translate_error(exc.message)
            return _approvals_page(ctx, status=422 if isinstance(exc, InvalidInput | RuleViolation) else 403
                                   if isinstance(exc, PermissionDenied) else 409,
                                   errors={exc.field: message, "approval_id": str(number)})
        text = (i18n._("Adjustment %(n)s approved: %(points)s points written.", n=number, points=outcome.points)
                if outcome.status == "approved" else i18n._("Adjustment %(n)s rejected.", n=number))
        return ctx.redirect("/members/approvals", flash=text)


# -- a member's page --------------------------------------------------------------------------------

def _member(ctx: web.Page, uuid: str) -> db.Member:
    member = admin.get_member(uuid)
    ctx.check_store(str(member.store_id))
    return member


def _member_context(ctx: web.Page, member: db.Member) -> dict[str, Any]:
    before = ctx.query_int("before", default=0, low=0, high=2**62) or None
    return {
        "m": member,
        "merged_into": admin.get_member(member.merged_into) if member.merged_into else None,
        "lots": admin.live_lots(member.uuid),
        "hist": admin.history(member.uuid, before=before, limit=PAGE_SIZE),
        "before": before,
        "coupons": admin.coupons(member.uuid),
        "stores": admin.stores_visited(member.uuid),
        "months": admin.tier_months(member.uuid),
        "revoked": admin.card_revoked(member.card_no),
        "threshold": admin.approval_threshold(),
        "pending": admin.pending_approvals(member_uuid=member.uuid) if ctx.store_scope is None else [],
        "errors": {},
        "form": {},
    }


@router.get("/members/{uuid}")
def member_page(request: Request, uuid: str) -> Response:
    with web.page(request, "members") as ctx:
        member = _member(ctx, uuid)
        return ctx.render("members/member.html", **_member_context(ctx, member))


@router.get("/members/{uuid}/tiers")
def member_tiers(request: Request, uuid: str) -> Response:
    """The member's tier changes (a partial the member's page loads after itself: a scan)."""
    with web.page(request, "members") as ctx:
        member = _member(ctx, uuid)
        return ctx.render("members/_tiers.html", m=member, changes=admin.tier_history(member))


@router.post("/members/{uuid}/adjust")
async def adjust(request: Request, uuid: str) -> Response:
    form = await web.read_form(request)
    return await run_in_threadpool(_adjust, request, form, uuid)


def _adjust(request: Request, form: FormData, uuid: str) -> Response:
    with web.page(request, "members", form=form, action="edit") as ctx:
        member = _member(ctx, uuid)
        try:
            points = web.field_text(form, "points", max_len=20, required=True)
            reason = web.field_text(form, "reason", max_len=admin.REASON_MAX, required=True)
            outcome = admin.request_adjustment(member.uuid, points, reason, actor=ctx.actor)
        except (InvalidInput, RuleViolation) as exc:
            return _form_error(ctx, member, exc)
        if outcome.status == "pending":
            text = i18n._("The adjustment of %(points)s points needs a second person's approval (number %(n)s).",
                          points=outcome.points, n=outcome.approval_id)
        else:
            text = i18n._("Adjusted by %(points)s points.", points=outcome.points)
        return ctx.redirect(f"/members/{member.uuid}", flash=text)


@router.post("/members/{uuid}/revoke")
async def revoke(request: Request, uuid: str) -> Response:
    form = await web.read_form(request)
    return await run_in_threadpool(_revoke, request, form, uuid)


def _revoke(request: Request, form: FormData, uuid: str) -> Response:
    with web.page(request, "members", form=form, action="edit") as ctx:
        member = _member(ctx, uuid)
        try:
            reason = web.field_text(form, "revoke_reason", max_len=admin.REASON_MAX, required=True)
            admin.revoke_card(member.uuid, reason, actor=ctx.actor)
        except (InvalidInput, RuleViolation, Conflict) as exc:
            # the revoke form's field is revoke_reason (the adjust form has its own reason)
            named = type(exc)("revoke_reason" if exc.field == "reason" else exc.field, exc.message)
            return _form_error(ctx, member, named)
        return ctx.redirect(f"/members/{member.uuid}",
                            flash=i18n._("Card %(card)s revoked at every till.", card=member.card_no))


def _form_error(ctx: web.Page, member: db.Member, exc: PosError) -> Response:
    context = _member_context(ctx, member)
    context.pop("errors")
    context.pop("form")
    return ctx.form_error("members/member.html", exc, **context)
