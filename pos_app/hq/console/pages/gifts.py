"""Gifts and coupons (issue 14 item 7): the active program's catalogue, each store's stock of
the stock-tracked gifts, the stock operations (receive, transfer, count: ``hq/gifts_admin.py``),
a store's stock history of a gift, and the coupons. Administrators and marketing change stock;
everyone else reads (a store manager their own store)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from pos_app.core.errors import InvalidInput, NotFound, PosError
from pos_app.hq import gifts_admin
from pos_app.hq.console import i18n, web

router = APIRouter()
PAGE_SIZE = 50

GIFT_KINDS = {"coupon": i18n.N_("Coupon"), "service": i18n.N_("Service"), "goods": i18n.N_("Goods")}
MOVE_NAMES = {
    "receive": i18n.N_("Received"), "transfer_in": i18n.N_("Transferred in"),
    "transfer_out": i18n.N_("Transferred out"), "count": i18n.N_("Counted"), "set": i18n.N_("Set"),
    "redeem": i18n.N_("Redeemed at a till"),
}
CAMPAIGN_STATES = {"upcoming": i18n.N_("Upcoming"), "running": i18n.N_("Running"), "ended": i18n.N_("Ended")}
COUPON_STATUS_NAMES = {"unused": i18n.N_("Unused"), "used": i18n.N_("Used at a sale"), "expired": i18n.N_("Expired")}
OPERATIONS = {"receive": i18n.N_("Receive stock"), "transfer": i18n.N_("Transfer stock"),
              "count": i18n.N_("Count stock")}

NAMES: dict[str, Any] = {"GIFT_KINDS": GIFT_KINDS, "MOVE_NAMES": MOVE_NAMES, "COUPON_STATUS_NAMES": COUPON_STATUS_NAMES,
         "OPERATIONS": OPERATIONS, "CAMPAIGN_STATES": CAMPAIGN_STATES}


@router.get("/gifts")
def gifts(request: Request) -> Response:
    with web.page(request, "gifts") as ctx:
        return ctx.render("gifts/index.html", catalogue=gifts_admin.catalogue(),
                          table=gifts_admin.stock_table(ctx.store_scope), **NAMES)


@router.get("/gifts/history")
def stock_history(request: Request) -> Response:
    with web.page(request, "gifts") as ctx:
        store_id = ctx.query("store_id", max_len=40)
        gift_code = ctx.query("gift_code", max_len=40)
        ctx.check_store(store_id)
        gift = next((g for g in gifts_admin.catalogue() if g.code == gift_code), None)
        if gift is None:
            raise NotFound("gift_code", "the active program has no such gift")
        if not any(s.id == store_id for s in gifts_admin.stores()):
            raise NotFound("store_id", "no such store")
        return ctx.render("gifts/history.html", gift=gift, store_id=store_id,
                          moves=gifts_admin.history(store_id, gift_code), **NAMES)


@router.get("/gifts/donations")
def donations(request: Request) -> Response:
    """The donation campaigns (issue 16 item 2): each one's points, yuan, donors and progress to
    its goal over the whole chain (``hq.campaigns.donation_report``)."""
    from pos_app.hq import campaigns

    with web.page(request, "gifts") as ctx:
        return ctx.render("gifts/donations.html", rows=campaigns.donation_report(), **NAMES)


@router.get("/gifts/coupons")
def coupons(request: Request) -> Response:
    with web.page(request, "gifts") as ctx:
        code = ctx.query("code", max_len=40)
        member = ctx.query("member", max_len=60)
        status = ctx.query("status", max_len=20)
        offset = ctx.query_int("offset", default=0, high=10**9)
        errors: dict[str, str] = {}
        rows: list[gifts_admin.CouponRow] = []
        try:
            if status and status not in COUPON_STATUS_NAMES:
                raise InvalidInput("status", "one of unused, used, expired is required")
            rows = gifts_admin.coupons(code=code, member=member, status=status, store_id=ctx.store_scope,
                                       today=dt.date.today().isoformat(), limit=PAGE_SIZE, offset=offset)
        except PosError as exc:
            errors = {exc.field: i18n.translate_error(exc.message)}
        return ctx.render("gifts/coupons.html", status=422 if errors else 200, rows=rows, errors=errors,
                          form={"code": code, "member": member, "status": status}, offset=offset, limit=PAGE_SIZE,
                          **NAMES)


def _operation_context(ctx: web.Page, op: str) -> dict[str, Any]:
    tracked = [g for g in gifts_admin.catalogue() if g.stock_tracked]
    return {"op": op, "stores": gifts_admin.stores(), "tracked": tracked, **NAMES}


@router.get("/gifts/{op}")
def operation_form(request: Request, op: str) -> Response:
    if op not in OPERATIONS:
        return web.error_page(request, 404, None, "no such page")
    with web.page(request, "gifts", action="edit") as ctx:
        prefill = {name: ctx.query(name, max_len=40) for name in ("store_id", "from_store", "gift_code")}
        return ctx.render("gifts/operation.html", form=prefill, errors={}, **_operation_context(ctx, op))


@router.post("/gifts/{op}")
async def operation(request: Request, op: str) -> Response:
    form = await web.read_form(request)
    return await run_in_threadpool(_operation, request, form, op)


def _operation(request: Request, form: FormData, op: str) -> Response:
    if op not in OPERATIONS:
        return web.error_page(request, 404, None, "no such page")
    with web.page(request, "gifts", form=form, action="edit") as ctx:
        get = form.get
        try:
            if op == "receive":
                done = gifts_admin.receive(get("store_id"), get("gift_code"), get("qty"), get("note"), actor=ctx.actor)
                store, stock = next(iter(done.stock.items()))
                message = i18n._("Received %(qty)s of %(gift)s at %(store)s: %(stock)s in stock.", qty=done.qty,
                                 gift=done.gift_code, store=store, stock=stock)
            elif op == "transfer":
                done = gifts_admin.transfer(get("from_store"), get("to_store"), get("gift_code"), get("qty"),
                                            get("note"), actor=ctx.actor)
                message = i18n._("Transferred %(qty)s of %(gift)s: %(stock)s.", qty=done.qty, gift=done.gift_code,
                                 stock=", ".join(f"{s} {n}" for s, n in done.stock.items()))
            else:
                done = gifts_admin.count(get("store_id"), get("gift_code"), get("counted"), get("note"),
                                         actor=ctx.actor)
                store, stock = next(iter(done.stock.items()))
                diff = f"{done.qty:+d}"
                message = i18n._("Counted %(gift)s at %(store)s: %(stock)s (difference %(diff)s).", gift=done.gift_code,
                                 store=store, stock=stock, diff=diff)
        except PosError as exc:
            return ctx.form_error("gifts/operation.html", exc, **_operation_context(ctx, op))
        return ctx.redirect("/gifts", flash=message)
