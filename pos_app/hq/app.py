"""The headquarters HTTP service (FastAPI on uvicorn): enrollment, push, the change feed, awards.

The wire format is ``pos_app.sync.protocol``. Each endpoint reads the raw body itself:
the signature covers the exact bytes received, so the body is authenticated first and
parsed as JSON only afterwards (an unsigned request learns nothing about its body). The
blocking database work runs in the threadpool, one peewee connection per request
(``connection_context``), which PostgreSQL needs and SQLite does not mind.

Every error is JSON ``{"error", "field", "message", ...}``: 401 authentication (with a
``reason``), 403 not allowed, 404 unknown, 409 sequence gap, 413 body over ``MAX_BODY``,
422 invalid input or conflict. Bad input never causes a 500; a database error on data
the checks let through is answered 422 and logged, so it can be found and checked for.
"""

from __future__ import annotations

import gc
import hashlib
import json
import logging
import os
import re
import sqlite3
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, Literal, TypeVar

import psycopg2
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from peewee import DataError, IntegrityError
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.gzip import GZipMiddleware
from starlette.requests import ClientDisconnect

from pos_app.core.errors import (
    ApprovalRequired,
    Conflict,
    DatabaseError,
    InvalidInput,
    NotFound,
    PermissionDenied,
    PosError,
    RuleViolation,
)
from pos_app.hq import admin, auth, db, sealing
from pos_app.sync import protocol, signing

log = logging.getLogger("pos_app.hq.app")

MAX_BODY = 32 * 1024 * 1024  # a full batch: 1,000 rows of at most ~21 KB (breakdown capped at 20,000)
DEFAULT_DB = "sqlite:///hq.db"
T = TypeVar("T")

# ----------------------------------------------------------------------------- OpenAPI documentation models


class EnrollRequest(BaseModel):
    code: str = Field(description="the one-time enrollment code, e.g. ABCD-EFGH-JKLM", max_length=40)
    terminal_id: str = Field(pattern=protocol.ID_RE.pattern, max_length=32)


class EnrollAnswer(BaseModel):
    store_id: str
    terminal_id: str
    secret: str = Field(description="hex key of the terminal's request signatures (HMAC-SHA256)")
    hq_time: str


class PayloadDoc(BaseModel, extra="allow"):
    """Some of the fields event payloads carry (members, coupons, redemptions); others are kept as sent."""

    uuid: str | None = None
    phone: str | None = None
    name: str | None = None
    card_no: str | None = None
    status: str | None = None
    consent: bool | None = None
    code: str | None = None
    gift_code: str | None = None
    receipt_no: str | None = None
    points: int | None = None
    cash_fen: int | None = Field(None, ge=0, description="cash collected with a gift redemption (fen)")


class EventDoc(BaseModel):
    oid: int = Field(ge=1, description="the terminal's outbox row id (increasing)")
    kind: Literal[protocol.EVENT_KINDS] = Field(description="what happened")  # type: ignore[valid-type]
    ref: str = Field(min_length=1, max_length=100)
    payload: PayloadDoc
    created_at: str = Field(max_length=40)


class PushRequest(BaseModel):
    protocol: Literal[1] = Field(description="the protocol version")
    store_id: str
    terminal_id: str
    batch_id: str = Field(min_length=8, max_length=64)
    entries: list[dict[str, Any]] = Field(default_factory=list, description="ledger entries with hash and effects")
    events: list[EventDoc] = Field(default_factory=list, description="outbox events")


class PushAnswer(BaseModel):
    batch_id: str
    acked_seq: int
    acked_oid: int
    inserted: int
    duplicates: int


class ChangeItem(BaseModel):
    id: int
    kind: str
    data: dict[str, Any]


class ChangesAnswer(BaseModel):
    changes: list[ChangeItem]
    cursor: int | str = Field(description="where to continue: n, \"txid.n\" or a snapshot's \"s.txid.n[.uuid]\"")
    more: bool
    hq_time: str
    own_last_seq: int = Field(description="the highest sequence of the caller's own chain headquarters holds")
    own_last_oid: int = Field(description="the highest outbox id of the caller's events headquarters holds")
    mark: str | None = Field(description="the mark of the change at ``cursor``: send it back with the cursor")
    restart: bool = Field(False, description="the cursor and mark sent are not this feed's: start again from 0")
    snapshot: bool = Field(False, description="a page of a first sync's snapshot (current state, not changes)")


class OwnAnswer(BaseModel):
    part: Literal["entries", "events"]
    items: list[dict[str, Any]] = Field(description="entries (wire form with effects) by seq, or events by oid")
    after: int
    next: int = Field(description="the ``after`` of the next page")
    more: bool
    last_seq: int = Field(description="the highest sequence of the caller's own chain headquarters holds")
    last_oid: int = Field(description="the highest outbox id of the caller's events headquarters holds")


class AwardRequest(BaseModel):
    member: str = Field(description="member uuid, card number or phone", max_length=64)
    award: str = Field(max_length=64)
    ref: str = Field(description="the channel's idempotency key for this report", max_length=100)


class AwardAnswer(BaseModel):
    entry_uuid: str
    points: int
    balance: int
    duplicate: bool


class LookupRequest(BaseModel):
    ref: str = Field(description="card number, mobile number or member uuid", max_length=36)
    after: int = Field(0, ge=0, description="the last entry id of the previous page (a long history)")
    day: str | None = Field(None, description="the till's business date (YYYY-MM-DD) the counters are for")


class LookupAnswer(BaseModel):
    member: dict[str, Any] = Field(description="the member record, as in a ``member`` change")
    entries: list[dict[str, Any]] = Field(description="the member's entries (wire form with effects), in id order")
    after: int = Field(description="the last entry id of this page: ``after`` of the next request")
    more: bool = Field(description="more entries follow: ask again with ``after``")
    coupons: list[dict[str, Any]] = Field(default_factory=list, description="the member's coupons (first page)")
    counters: dict[str, Any] = Field(default_factory=dict, description="the chain-wide rules' counters (first page)")
    hq_time: str


class HistoryAnswer(BaseModel):
    entries: list[dict[str, Any]] = Field(description="newest first: id, store_id, terminal_id, kind, points, ...")
    more: bool
    next_before: int | None = Field(description="``before`` of the next (older) page")
    balance: int = Field(description="the member's balance at headquarters now (after the newest entry)")
    hq_time: str


class HealthAnswer(BaseModel):
    ok: bool
    schema_: int = Field(alias="schema")


class ErrorAnswer(BaseModel):
    error: str
    field: str
    message: str


def _inline(node: Any, defs: dict[str, Any]) -> Any:
    """The JSON schema with pydantic's local ``$defs`` references replaced by their bodies
    (an ``openapi_extra`` schema cannot point into ``$defs``)."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/"):
            return _inline(defs[ref.removeprefix("#/$defs/")], defs)
        return {k: _inline(v, defs) for k, v in node.items() if k != "$defs"}
    if isinstance(node, list):
        return [_inline(v, defs) for v in node]
    return node


def _body_doc(model: type[BaseModel]) -> dict[str, Any]:
    schema = model.model_json_schema()
    schema = _inline(schema, schema.get("$defs", {}))
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": schema}}}}


def _errors(*codes: int, ok: type[BaseModel]) -> dict[int | str, dict[str, Any]]:
    """Documentation of the answers (the endpoints build them; no response validation, so
    a field added by a later version is never turned into a server error)."""
    out: dict[int | str, dict[str, Any]] = {200: {"model": ok}}
    out.update({code: {"model": ErrorAnswer} for code in codes})
    return out


SIGNED_HEADERS = [
    {"name": signing.H_TERMINAL, "in": "header", "required": True, "schema": {"type": "string"}},
    {"name": signing.H_TIMESTAMP, "in": "header", "required": True, "schema": {"type": "string"}},
    {"name": signing.H_NONCE, "in": "header", "required": True, "schema": {"type": "string"}},
    {"name": signing.H_SIGNATURE, "in": "header", "required": True, "schema": {"type": "string"}},
]

# ----------------------------------------------------------------------------- errors


def status_of(exc: PosError) -> int:
    if isinstance(exc, auth.Unauthenticated):
        return 401
    if isinstance(exc, admin.TooManyAttempts):
        return 429
    if isinstance(exc, PermissionDenied | ApprovalRequired):
        return 403
    if isinstance(exc, NotFound):
        return 404
    if exc.code == "sequence_gap":
        return 409
    if isinstance(exc, DatabaseError):
        return 503
    if isinstance(exc, InvalidInput | Conflict | RuleViolation):
        return 422
    return 422


def error_response(exc: PosError) -> JSONResponse:
    return JSONResponse(exc.to_dict(), status_code=status_of(exc))


def _plain_error(status: int, error: str, field: str, message: str) -> JSONResponse:
    return JSONResponse({"error": error, "field": field, "message": message}, status_code=status)


class BodyTooLarge(Exception):
    pass


async def read_body(request: Request) -> bytes:
    """The raw body, refusing more than ``MAX_BODY`` bytes before reading them all."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY:
        raise BodyTooLarge()
    chunks = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY:
            raise BodyTooLarge()
        chunks.append(chunk)
    return b"".join(chunks)


_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")


def parse_json(body: bytes) -> Any:
    """JSON from the body, or ``InvalidInput('body')``: also refuses what a database cannot
    store as text (NUL characters, unpaired surrogates), whatever the field."""
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):  # malformed, not UTF-8, too deep, too many digits
        raise InvalidInput("body", "a JSON document is required") from None
    if b"\\u0000" in body:
        raise InvalidInput("body", "NUL characters are not allowed")
    if _SURROGATE_ESCAPE.search(body):
        try:
            json.dumps(data, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError:
            raise InvalidInput("body", "unpaired surrogate characters are not allowed") from None
    return data


def path_with_query(request: Request) -> str:
    """The path and query exactly as the client sent them (what it signed)."""
    raw = request.scope.get("raw_path")
    path = raw.decode("latin-1") if isinstance(raw, bytes | bytearray) and raw else request.url.path
    path = path.split("?", 1)[0]
    query = request.scope.get("query_string", b"")
    return f"{path}?{query.decode('latin-1')}" if query else path


def client_address(request: Request) -> str:
    return f"{request.client.host}:{request.client.port}" if request.client else ""


def in_db(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run ``fn`` with a database connection of this thread, closed afterwards."""
    database = db.proxy.obj
    with database.connection_context():
        return fn(*args, **kwargs)


# ----------------------------------------------------------------------------- the application


#: answers smaller than this go uncompressed; larger ones are gzipped at this level
GZIP_MIN_BYTES = 1024
GZIP_LEVEL = 5
#: allocations between two runs of the cyclic garbage collector's youngest generation
GC_THRESHOLD = 50_000


def create_app(db_url: str, *, enroll_limiter: admin.EnrollLimiter | None = None) -> FastAPI:
    """The application on the database at ``db_url`` (opened and migrated at startup)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        def open_database() -> Any:
            database = db.connect(db_url)  # migrated here; requests open their own connections
            with db.writing(database):
                if sealing.seal_plain_rows():  # secrets an older release stored plain
                    log.info("sealed the secrets an older release stored plain")
            database.close()
            return database

        app.state.db = await run_in_threadpool(open_database)
        # a push allocates tens of thousands of short-lived containers, none in cycles: with
        # the default thresholds the cyclic collector runs every 700 and costs a tenth of a
        # push. Collect less often, and never scan what startup made (modules, the app).
        gc.collect()
        gc.freeze()
        gc.set_threshold(GC_THRESHOLD, *gc.get_threshold()[1:])
        yield
        db.close_pool(app.state.db)

    app = FastAPI(title="积分收银台 headquarters", version=str(protocol.PROTOCOL), lifespan=lifespan,
                  docs_url=None, redoc_url=None)
    app.state.enroll_limiter = enroll_limiter or admin.EnrollLimiter()
    # change pages are bytes on the wire to every till (JSON of hashes and uuids: about 4 to 1);
    # level 5 costs a fraction of level 9's CPU for nearly the same size. httpx decodes it.
    app.add_middleware(GZipMiddleware, minimum_size=GZIP_MIN_BYTES, compresslevel=GZIP_LEVEL)

    from pos_app.hq import console  # the staff's web pages (their errors are pages, not JSON)

    @app.exception_handler(PosError)
    async def _pos_error(request: Request, exc: PosError) -> Response:
        status = status_of(exc)
        if console.is_console(request):
            return console.error_response(request, exc, status)
        terminal = getattr(request.state, "terminal", None)
        if terminal is not None and status in (404, 422):  # a signed request refused: which till, which field
            # (401 and 403 are audited where they are decided; 409 is a till catching up, not a refusal)
            await run_in_threadpool(in_db, auth.record_refusal, terminal.id, exc.code, method=request.method,
                                    path=path_with_query(request), client=client_address(request), status=status,
                                    field=exc.field)
        return error_response(exc)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> Response:
        if console.is_console(request):
            return console.error_response(request, exc, 422)
        errors = exc.errors()
        loc = ".".join(str(x) for x in errors[0].get("loc", ())) if errors else "request"
        return _plain_error(422, "invalid_input", loc or "request", errors[0].get("msg", "invalid") if errors
                            else "invalid request")

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if console.is_console(request):
            return console.error_response(request, exc, exc.status_code)
        names = {404: "not_found", 405: "method_not_allowed"}
        return _plain_error(exc.status_code, names.get(exc.status_code, "http_error"), "path", str(exc.detail))

    @app.exception_handler(ClientDisconnect)
    async def _client_gone(request: Request, exc: ClientDisconnect) -> JSONResponse:
        # the network dropped (or the client gave up) mid-request: nothing was read or written
        log.info("client %s disconnected during %s %s", client_address(request) or "-", request.method,
                 request.url.path)
        return _plain_error(400, "disconnected", "body", "the client disconnected before its request was complete")

    @app.exception_handler(BodyTooLarge)
    async def _too_large(request: Request, exc: BodyTooLarge) -> JSONResponse:
        return _plain_error(413, "too_large", "body", f"at most {MAX_BODY} bytes per request")

    async def _data_error(request: Request, exc: Exception) -> JSONResponse:
        log.warning("database refused data of %s %s: %s", request.method, request.url.path, exc)
        return _plain_error(422, "invalid_input", "body", "a value cannot be stored (out of range or malformed)")

    async def _integrity_error(request: Request, exc: Exception) -> JSONResponse:
        log.warning("integrity error on %s %s: %s", request.method, request.url.path, exc)
        return _plain_error(422, "conflict", "body", "the data collides with what headquarters holds")

    # peewee's wrappers and the drivers' own classes (bulk paths use the DB-API cursor directly)
    for data_error in (DataError, sqlite3.DataError, psycopg2.DataError):
        app.add_exception_handler(data_error, _data_error)
    for integrity_error in (IntegrityError, sqlite3.IntegrityError, psycopg2.IntegrityError):
        app.add_exception_handler(integrity_error, _integrity_error)

    @app.exception_handler(Exception)
    async def _internal(request: Request, exc: Exception) -> Response:  # a bug: JSON all the same
        log.error("server error on %s %s", request.method, request.url.path, exc_info=exc)
        if console.is_console(request):
            return console.error_response(request, exc, 500)
        return _plain_error(500, "internal", "server", "headquarters failed; the error is in its log")

    async def signed(request: Request) -> tuple[db.Terminal, bytes]:
        body = await read_body(request)
        headers = {k.lower(): v for k, v in request.headers.items()}
        terminal = await run_in_threadpool(in_db, auth.authenticate, request.method, path_with_query(request), body,
                                           headers, client=client_address(request))
        request.state.terminal = terminal  # what it sends from here on and is refused is audited (_pos_error)
        return terminal, body

    @app.get("/v1/health", response_model=None, responses={200: {"model": HealthAnswer}}, tags=["service"])
    def health() -> dict[str, Any]:
        """Unauthenticated liveness: the database answers and its schema version."""
        def version() -> int:
            row = db.SchemaVersion.select().order_by(db.SchemaVersion.version.desc()).first()
            return int(row.version) if row else 0
        return {"ok": True, "schema": in_db(version)}

    @app.post("/v1/enroll", response_model=None, tags=["terminals"],
              responses=_errors(403, 413, 422, 429, ok=EnrollAnswer),
              openapi_extra=_body_doc(EnrollRequest))
    async def enroll(request: Request) -> dict[str, Any]:
        """Exchange a one-time enrollment code for the terminal's signing secret."""
        data = parse_json(await read_body(request))
        if not isinstance(data, dict):
            raise InvalidInput("body", "a JSON object is required")
        code, terminal_id = data.get("code"), data.get("terminal_id")
        if not isinstance(code, str):
            raise InvalidInput("code", "an enrollment code is required")
        if not isinstance(terminal_id, str):
            raise InvalidInput("terminal_id", "a terminal id is required")
        address = request.client.host if request.client else ""
        wait = app.state.enroll_limiter.retry_after(address)
        if wait:
            await run_in_threadpool(in_db, admin.refuse_rate_limited, terminal_id, client=client_address(request),
                                    retry_after=wait)
        try:
            return await run_in_threadpool(in_db, admin.enroll, code, terminal_id, client=client_address(request))
        except admin.EnrollmentRefused as exc:
            if exc.params.get("reason") in admin.GUESS_REASONS:
                app.state.enroll_limiter.guessed_wrong(address)
            raise

    @app.post("/v1/push", response_model=None, tags=["sync"], responses=_errors(401, 403, 409, 413, 422, ok=PushAnswer),
              openapi_extra={**_body_doc(PushRequest), "parameters": [
                  *SIGNED_HEADERS,
                  {"name": signing.H_IDEMPOTENCY, "in": "header", "required": True, "schema": {"type": "string"}}]})
    async def push(request: Request) -> dict[str, Any]:
        """A batch of the terminal's outbox (ledger entries and events), all or nothing."""
        terminal, body = await signed(request)
        data = parse_json(body)
        key = request.headers.get(signing.H_IDEMPOTENCY, "")
        if not 8 <= len(key) <= 64 or not protocol.ID_RE.match(key[:32]) or not key.isascii():
            raise InvalidInput(signing.H_IDEMPOTENCY, "the batch id (8 to 64 letters, digits or -) is required")
        from pos_app.hq import ingest

        try:
            return await run_in_threadpool(in_db, ingest.push, terminal, data,
                                           body_digest=hashlib.sha256(body).hexdigest(), idempotency_key=key)
        except PermissionDenied as exc:
            await run_in_threadpool(in_db, auth.record_refusal, terminal.id, "foreign_data", method="POST",
                                    path=path_with_query(request), client=client_address(request), status=403,
                                    field=exc.field)
            raise

    @app.get("/v1/changes", response_model=None, tags=["sync"], responses=_errors(401, 403, 422, ok=ChangesAnswer),
             openapi_extra={"parameters": [
                 *SIGNED_HEADERS,
                 {"name": "cursor", "in": "query", "required": False,
                  "schema": {"type": "string", "pattern": r"^(s\.)?[0-9]{1,19}(\.[0-9]{1,19})?(\.[A-Za-z0-9-]{1,64})?$",
                             "default": "0"}},
                 {"name": "snapshot", "in": "query", "required": False,
                  "schema": {"type": "integer", "enum": [0, 1], "default": 0}},
                 {"name": "limit", "in": "query", "required": False,
                  "schema": {"type": "integer", "minimum": 1, "maximum": protocol.MAX_PAGE,
                             "default": protocol.DEFAULT_BATCH}},
                 {"name": "mark", "in": "query", "required": False,
                  "schema": {"type": "string", "pattern": "^[A-Za-z0-9]{1,64}$"}},
                 {"name": "waiting", "in": "query", "required": False,
                  "schema": {"type": "integer", "minimum": 0, "maximum": 10**9}},
                 {"name": "version", "in": "query", "required": False,
                  "schema": {"type": "string", "pattern": "^[0-9A-Za-z.+-]{1,32}$"}}]})
    async def changes(request: Request) -> dict[str, Any]:
        """Changes after ``cursor`` for the caller (its store's, its own and everybody's), oldest
        first, at most ``limit``; with ``snapshot=1`` and cursor 0 a snapshot first (see ``feed``).
        The till may report its outbox rows waiting and its version (kept for the console's
        dashboard, with the pull's time and the till's clock offset); older tills send neither."""
        terminal, _body = await signed(request)
        from pos_app.hq import dashboard, feed

        reported = dashboard.parse_pull_report(request.query_params)

        cursor = feed.parse_cursor(request.query_params.get("cursor") or "0")
        snapshot = _int_param(request, "snapshot", 0, 0, 1) == 1
        limit = _int_param(request, "limit", protocol.DEFAULT_BATCH, 1, protocol.MAX_PAGE)
        mark = request.query_params.get("mark") or None
        if mark is not None and (len(mark) > 64 or not mark.isascii() or not mark.isalnum()):
            raise InvalidInput("mark", "the mark headquarters gave with the cursor is required (letters and digits)")
        answer = await run_in_threadpool(in_db, feed.page, store_id=terminal.store_id, terminal_id=terminal.id,
                                         cursor=cursor, limit=limit, mark=mark, snapshot=snapshot)
        # a till restored from an older backup learns here that headquarters holds more of its chain
        answer["own_last_seq"] = int(terminal.last_seq)
        answer["own_last_oid"] = int(terminal.last_oid)
        await run_in_threadpool(in_db, dashboard.record_pull, terminal.id, reported,
                                signed_at=int(request.headers[signing.H_TIMESTAMP]))
        return answer

    @app.get("/v1/own", response_model=None, tags=["sync"], responses=_errors(401, 403, 422, ok=OwnAnswer),
             openapi_extra={"parameters": [
                 *SIGNED_HEADERS,
                 {"name": "part", "in": "query", "required": True,
                  "schema": {"type": "string", "enum": ["entries", "events"]}},
                 {"name": "after", "in": "query", "required": False,
                  "schema": {"type": "integer", "minimum": 0, "default": 0}},
                 {"name": "limit", "in": "query", "required": False,
                  "schema": {"type": "integer", "minimum": 1, "maximum": protocol.MAX_PAGE, "default": 500}}]})
    async def own_data(request: Request) -> dict[str, Any]:
        """The caller's own chain entries (by seq) or events (by outbox id) after ``after``: what a
        rebuilt or restored till gets back."""
        terminal, _body = await signed(request)  # a channel is refused there (403): tills only
        part = request.query_params.get("part") or ""
        if part not in ("entries", "events"):
            raise InvalidInput("part", "entries or events is required")
        after = _int_param(request, "after", 0, 0, 2**62)
        limit = _int_param(request, "limit", 500, 1, protocol.MAX_PAGE)
        from pos_app.hq import own

        return await run_in_threadpool(in_db, own.own, terminal, part=part, after=after, limit=limit)

    @app.post("/v1/awards", response_model=None, tags=["channels"],
              responses=_errors(401, 403, 404, 422, ok=AwardAnswer),
              openapi_extra={**_body_doc(AwardRequest), "parameters": SIGNED_HEADERS})
    async def awards(request: Request) -> dict[str, Any]:
        """A behaviour award (sign-up, survey, review, share, referral) reported by a channel."""
        channel, body = await signed(request)
        data = parse_json(body)
        if not isinstance(data, dict):
            raise InvalidInput("body", "a JSON object is required")
        for name in ("member", "award", "ref"):
            value = data.get(name)
            if not isinstance(value, str) or not 0 < len(value) <= 100:
                raise InvalidInput(name, "a text of 1 to 100 characters is required")
        from pos_app.hq import authority

        return await run_in_threadpool(in_db, authority.report_award, channel, member_ref=data["member"],
                                       award_id=data["award"], ref=data["ref"])

    _member_routes(app, signed)
    console.mount(app)
    return app


def _member_routes(app: FastAPI, signed: Callable[[Request], Any]) -> None:
    """Online member lookup and member history (``hq/lookup.py``), for tills."""

    @app.post("/v1/members/lookup", response_model=None, tags=["members"],
              responses=_errors(401, 403, 404, 413, 422, ok=LookupAnswer),
              openapi_extra={**_body_doc(LookupRequest), "parameters": SIGNED_HEADERS})
    async def member_lookup(request: Request) -> dict[str, Any]:
        """A member's record, every entry headquarters holds of them, their coupons and the
        chain-wide counters, by card, phone or uuid; the till is subscribed to the member."""
        terminal, body = await signed(request)
        data = parse_json(body)
        from pos_app.hq import lookup

        return await run_in_threadpool(in_db, lookup.lookup, terminal, data)

    @app.get("/v1/members/{member_uuid}/history", response_model=None, tags=["members"],
             responses=_errors(401, 403, 404, 422, ok=HistoryAnswer),
             openapi_extra={"parameters": [
                 *SIGNED_HEADERS,
                 {"name": "before", "in": "query", "required": False, "schema": {"type": "integer", "minimum": 1}},
                 {"name": "limit", "in": "query", "required": False,
                  "schema": {"type": "integer", "minimum": 1, "maximum": 500, "default": 100}}]})
    async def member_history(request: Request, member_uuid: str) -> dict[str, Any]:
        """The member's entries newest first, paged (``before`` = ``next_before`` of the last page)."""
        await signed(request)
        from pos_app.hq import lookup

        raw_before = request.query_params.get("before")
        before = None if raw_before in (None, "") else _int_param(request, "before", 0, 1, 2**62)
        limit = _int_param(request, "limit", lookup.DEFAULT_HISTORY_PAGE, 1, lookup.MAX_HISTORY_PAGE)
        if not protocol.UUID_RE.match(member_uuid):
            raise InvalidInput("uuid", "a member uuid is required")
        return await run_in_threadpool(in_db, lookup.history, member_uuid, before=before, limit=limit)


def _int_param(request: Request, name: str, default: int, low: int, high: int) -> int:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    if not raw.isascii() or not raw.isdigit() or len(raw) > 19 or not low <= int(raw) <= high:
        raise InvalidInput(name, f"a whole number from {low} to {high} is required")
    return int(raw)


def app_from_env() -> FastAPI:
    """``uvicorn --factory pos_app.hq.app:app_from_env``: the database from ``POS_HQ_DB``."""
    return create_app(os.environ.get("POS_HQ_DB") or DEFAULT_DB)


def serve(db_url: str, host: str = "127.0.0.1", port: int = 8443, *, certfile: str | None = None,
          keyfile: str | None = None, workers: int = 1, log_level: str = "info") -> None:
    """Run headquarters under uvicorn (TLS with ``certfile``/``keyfile``); blocks until stopped."""
    import uvicorn

    if (certfile is None) != (keyfile is None):
        raise InvalidInput("cert" if certfile is None else "key", "a certificate needs its key and the other way round")
    for name, path in (("cert", certfile), ("key", keyfile)):
        if path is not None and not Path(path).is_file():
            raise InvalidInput(name, f"no such file: {path}")
    if "://" not in db_url:
        db_url = f"sqlite:///{Path(db_url).resolve()}"
    if not isinstance(workers, int) or isinstance(workers, bool) or not 1 <= workers <= 64:
        raise InvalidInput("workers", "between 1 and 64 workers")
    if workers > 1 and db_url.startswith("sqlite:"):
        # each worker would take SQLite's write lock through its own process lock: pushes would
        # wait on each other's busy timeouts instead of queueing, and gain nothing
        raise InvalidInput("workers", "one worker on SQLite; several workers need PostgreSQL (--db postgresql://...)")
    database = db.connect(db_url)  # migrate once here, not racing in every worker
    try:
        with db.writing(database):  # the secrets key checked (a wrong one is said here), old plain rows sealed
            sealing.seal_plain_rows()
    finally:
        database.close()
    os.environ["POS_HQ_DB"] = db_url
    uvicorn.run("pos_app.hq.app:app_from_env", factory=True, host=host, port=port, workers=workers,
                ssl_certfile=certfile, ssl_keyfile=keyfile, log_level=log_level, proxy_headers=False)
