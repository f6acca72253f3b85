"""The console's merge page (issue 14, item 6): choose the other member of a pair by phone,
card or uuid, see both side by side and what the merge will do, confirm. Admins only
(area "members", action "merge"); the rules are in ``hq/merge.py``."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from pos_app.core.errors import Conflict, InvalidInput, NotFound, PosError, RuleViolation
from pos_app.hq import db, merge
from pos_app.hq import members_admin as admin
from pos_app.hq.console import i18n, web

router = APIRouter()
SURVIVORS = ("this", "other")


def _pair(member: db.Member, other: db.Member, survivor: str) -> tuple[db.Member, db.Member]:
    """(source, target): the member merged away and the one that stays."""
    return (other, member) if survivor == "this" else (member, other)


def _survivor(raw: str) -> str:
    if raw not in SURVIVORS:
        raise InvalidInput("survivor", "choose which member stays")
    return raw


def _context(member: db.Member, *, other: db.Member | None = None, survivor: str = "this",
             plan: merge.MergePlan | None = None) -> dict[str, Any]:
    return {"m": member, "other": other, "survivor": survivor, "plan": plan,
            "m_lots": admin.live_lots(member.uuid), "other_lots": admin.live_lots(other.uuid) if other else [],
            "errors": {}, "form": {"other": other.uuid if other else "", "survivor": survivor}}


@router.get("/members/{uuid}/merge")
def merge_page(request: Request, uuid: str) -> Response:
    with web.page(request, "members", action="merge") as ctx:
        member = admin.get_member(uuid)
        ref = ctx.query("other", max_len=60).strip()
        raw_survivor = ctx.query("survivor", max_len=10) or "this"
        if not ref:
            return ctx.render("merge/merge.html", **_context(member))
        try:
            survivor = _survivor(raw_survivor)
            other = merge.find_member(ref, field_name="other", exclude=member.uuid)
            source, target = _pair(member, other, survivor)
            plan = merge.plan_merge(source.uuid, target.uuid)
        except (InvalidInput, NotFound, RuleViolation, Conflict) as exc:
            context = _context(member)
            context["form"] = {"other": ref[:60], "survivor": raw_survivor[:10]}
            context["errors"] = {"other" if exc.field in ("source", "target") else exc.field:
                                 i18n.translate_error(exc.message)}
            return ctx.render("merge/merge.html", status=422, **context)
        return ctx.render("merge/merge.html", **_context(member, other=other, survivor=survivor, plan=plan))


@router.post("/members/{uuid}/merge")
async def merge_post(request: Request, uuid: str) -> Response:
    form = await web.read_form(request)
    return await run_in_threadpool(_merge, request, form, uuid)


def _merge(request: Request, form: FormData, uuid: str) -> Response:
    with web.page(request, "members", form=form, action="merge") as ctx:
        member = admin.get_member(uuid)
        other: db.Member | None = None
        survivor = "this"
        try:
            survivor = _survivor(web.field_text(form, "survivor", max_len=10, required=True))
            other = merge.find_member(web.field_text(form, "other", max_len=60, required=True), field_name="other",
                                      exclude=member.uuid)
            source, target = _pair(member, other, survivor)
            out = merge.merge_members(source.uuid, target.uuid, actor=ctx.actor)
        except (InvalidInput, NotFound, RuleViolation, Conflict) as exc:
            field = "other" if exc.field in ("source", "target") else exc.field
            return _form_error(ctx, member, other, survivor, type(exc)(field, exc.message))
        text = i18n._("Merged: %(points)s points moved; the balance is now %(balance)s.", points=out.points,
                      balance=out.balance)
        return ctx.redirect(f"/members/{out.target_uuid}", flash=text)


def _form_error(ctx: web.Page, member: db.Member, other: db.Member | None, survivor: str,
                exc: PosError) -> Response:
    context = _context(member, other=other, survivor=survivor)
    context.pop("errors")
    context.pop("form")
    return ctx.form_error("merge/merge.html", exc, **context)
