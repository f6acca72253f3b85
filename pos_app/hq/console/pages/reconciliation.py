"""The reconciliation queue (issue 14 item 8): the flags pushes raised, their evidence, and the
resolutions (``hq/recon.py``): take a double bonus back, write an overdraft off, resolve a
duplicate once merged, dismiss with a note. Administrators and finance only."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from pos_app.core.errors import PosError
from pos_app.hq import db, recon
from pos_app.hq.console import i18n, web

router = APIRouter()
PAGE_SIZE = 50

KIND_NAMES = {
    "overdraft": i18n.N_("Overdraft"),
    "double_bonus": i18n.N_("Bonus given twice"),
    "coupon_reuse": i18n.N_("Coupon used twice"),
    "duplicate_phone": i18n.N_("Duplicate phone"),
    "duplicate_card": i18n.N_("Duplicate card"),
    "daily_cap": i18n.N_("Daily earning cap crossed"),
    "redeem_cap": i18n.N_("Monthly redemption cap crossed"),
    "gift_limit": i18n.N_("Gift limit crossed"),
    "award_limit": i18n.N_("Award limit crossed"),
    "double_expiry": i18n.N_("Points expired twice"),
    "unknown_member": i18n.N_("Entry for an unknown member"),
    "draw_limit": i18n.N_("Draw limit crossed"),
    "draw_stock": i18n.N_("Draw prize stock crossed"),
}
RESOLUTION_NAMES = {
    "taken_back": i18n.N_("Taken back"),
    "taken_back_partly": i18n.N_("Taken back in part"),
    "written_off": i18n.N_("Written off"),
    "merged": i18n.N_("Merged"),
    "dismissed": i18n.N_("Dismissed"),
}

#: the names of a flag's details (its evidence), by key
DETAIL_NAMES = {
    "bonus": i18n.N_("Bonus"),
    "entry": i18n.N_("Entry"),
    "first_entry": i18n.N_("First entry"),
    "first_terminal_id": i18n.N_("First till"),
    "kind": i18n.N_("Kind"),
    "year": i18n.N_("Year"),
    "shortfall": i18n.N_("Shortfall"),
    "store_id": i18n.N_("Store"),
    "terminal_id": i18n.N_("Till"),
    "other": i18n.N_("Other member"),
    "phone": i18n.N_("Phone"),
    "card_no": i18n.N_("Card number"),
    "limit": i18n.N_("Limit"),
    "earned": i18n.N_("Points earned"),
    "redeemed": i18n.N_("Redeemed"),
    "month": i18n.N_("Month"),
    "day": i18n.N_("Day"),
    "gift": i18n.N_("Gift"),
    "count": i18n.N_("Count"),
    "award": i18n.N_("Award"),
    "referred": i18n.N_("Referred member"),
    "receipt_no": i18n.N_("Receipt"),
    "at": i18n.N_("Time"),
    "first_receipt_no": i18n.N_("First receipt"),
    "first_at": i18n.N_("First time"),
}


def _filters(ctx: web.Page) -> dict[str, Any]:
    kind = ctx.query("kind", max_len=40)
    status = ctx.query("status", max_len=20) or "open"
    return {"kind": kind if kind in recon.KINDS else "", "store": ctx.query("store", max_len=40),
            "status": "resolved" if status == "resolved" else "open"}


@router.get("/reconciliation")
def queue(request: Request) -> Response:
    with web.page(request, "reconciliation") as ctx:
        filters = _filters(ctx)
        offset = ctx.query_int("offset", default=0, high=10**9)
        flags = recon.list_flags(kind=filters["kind"], store_id=filters["store"],
                                 resolved=filters["status"] == "resolved", limit=PAGE_SIZE, offset=offset)
        return ctx.render("reconciliation/queue.html", flags=flags, evidence=recon.evidence(flags),
                          counts=recon.open_counts(store_id=filters["store"]), filters=filters, offset=offset,
                          limit=PAGE_SIZE, stores=list(db.Store.select().order_by(db.Store.id)), kinds=recon.KINDS,
                          KIND_NAMES=KIND_NAMES, RESOLUTION_NAMES=RESOLUTION_NAMES,
                          DETAIL_NAMES=DETAIL_NAMES)


def _flag_page(ctx: web.Page, flag_id: str, **extra: Any) -> dict[str, Any]:
    flag = recon.get_flag(flag_id)
    return {"flag": flag, "evidence": recon.evidence([flag]), "KIND_NAMES": KIND_NAMES,
            "RESOLUTION_NAMES": RESOLUTION_NAMES,
            "DETAIL_NAMES": DETAIL_NAMES, **extra}


@router.get("/reconciliation/{flag_id}")
def flag_page(request: Request, flag_id: str) -> Response:
    with web.page(request, "reconciliation") as ctx:
        return ctx.render("reconciliation/flag.html", form={}, errors={}, **_flag_page(ctx, flag_id))


_ACTIONS: dict[str, Callable[..., recon.Resolution]] = {
    "take_back": recon.take_back, "write_off": recon.write_off, "merged": recon.mark_merged, "dismiss": recon.dismiss,
}


@router.post("/reconciliation/{flag_id}/{action}")
async def resolve(request: Request, flag_id: str, action: str) -> Response:
    form = await web.read_form(request)
    return await run_in_threadpool(_resolve, request, form, flag_id, action)


def _resolve(request: Request, form: FormData, flag_id: str, action: str) -> Response:
    with web.page(request, "reconciliation", form=form, action="edit") as ctx:
        do = _ACTIONS.get(action)
        if do is None:
            return web.error_page(request, 404, None, "no such page")
        try:
            done = do(flag_id, form.get("note"), actor=ctx.actor)
        except PosError as exc:
            try:
                context = _flag_page(ctx, flag_id, action=action)
            except PosError:
                raise exc from None
            return ctx.form_error("reconciliation/flag.html", exc, **context)
        if done.resolution.startswith("taken_back"):
            message = i18n._("Flag %(id)s: %(points)s points taken back, %(rest)s not taken (the balance was too low).",
                             id=done.flag_id, points=done.points, rest=done.not_taken) if done.not_taken else \
                i18n._("Flag %(id)s: %(points)s points taken back.", id=done.flag_id, points=done.points)
        elif done.resolution == "written_off":
            message = i18n._("Flag %(id)s: %(points)s points of debt written off.", id=done.flag_id,
                             points=done.points)
        else:
            message = i18n._("Flag %(id)s resolved.", id=done.flag_id)
        return ctx.redirect(f"/reconciliation/{done.flag_id}", flash=message)
