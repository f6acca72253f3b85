"""The console's audit page (issue 14, item 1): every audited change, newest first, filtered by
actor, action, reference and days, paged by keyset on the id (fast on millions of rows)."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response

from pos_app.core.errors import InvalidInput
from pos_app.hq import admin
from pos_app.hq.console import i18n, web

router = APIRouter()
PAGE_SIZE = 50
FILTERS = ("actor", "action", "ref", "since", "until")


@router.get("/audit")
def audit(request: Request) -> Response:
    with web.page(request, "audit") as ctx:
        values = {name: request.query_params.get(name, "").strip()[:300] for name in FILTERS}
        errors: dict[str, str] = {}
        rows: list[object] = []
        before = None
        try:
            values = {name: ctx.query(name, max_len=300) for name in FILTERS}
            before = ctx.query_int("before", default=0, low=0, high=2**62) or None
            rows = list(admin.audit_rows(**values, before=before, limit=PAGE_SIZE))
        except InvalidInput as exc:
            errors[exc.field] = i18n.translate_error(exc.message)
        kept = urlencode({k: v for k, v in values.items() if v})
        return ctx.render("audit/list.html", status=422 if errors else 200, rows=rows, form=values, errors=errors,
                          before=before, kept=kept, more=len(rows) >= PAGE_SIZE)
