"""The terminal's HTTP client for headquarters (httpx): enrollment, push and the change feed.

Every request but enrollment is signed (``signing.sign``) over the exact bytes sent and the
path with its query as it goes on the wire. Failures come back as one exception type,
``SyncError``, whose ``kind`` says what the caller should do:

- ``offline``: no answer (refused, timed out, dropped): try again later, nothing is lost;
- ``auth``: headquarters refused the credentials (401/403): enroll again;
- ``gap``: 409, headquarters expects another sequence (``payload["expected_seq"]``);
- ``conflict``: 400/422, headquarters refuses the content; retrying the same body will not help;
- ``server``: any other answer (5xx, 429, a body that is not the expected JSON).

httpx is imported when the first client is made, not with this module: the window imports
``SyncError`` at start, and a till that is not enrolled never needs httpx.
"""

from __future__ import annotations

import json
import ssl
from typing import TYPE_CHECKING, Any

from pos_app.sync import signing

if TYPE_CHECKING:
    import httpx

KINDS = ("offline", "auth", "gap", "conflict", "server")


class SyncError(Exception):
    def __init__(self, kind: str, message: str, status: int | None = None,
                 payload: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.status = status
        self.payload = payload or {}

    def __str__(self) -> str:
        return f"{self.kind}: {self.message}"


def encode(body: dict[str, Any]) -> bytes:
    """The bytes a JSON body goes out as (and is signed over)."""
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode("utf-8")


def _verify(verify: bool | str) -> bool | ssl.SSLContext:
    """``True`` (system CAs), ``False`` (tests only) or a CA file that signed headquarters' certificate."""
    if isinstance(verify, str):
        return ssl.create_default_context(cafile=verify)
    return verify


class HQClient:
    def __init__(self, base_url: str, terminal_id: str, secret: str, *, timeout: float = 10,
                 verify: bool | str = True, transport: httpx.BaseTransport | None = None) -> None:
        import httpx

        self.base_url = base_url.rstrip("/")
        self.terminal_id = terminal_id
        self._secret = secret
        #: what the till reports of itself with each pull (``waiting``, ``version``), set by its sync
        self.reported: dict[str, int | str] = {}
        self._http = httpx.Client(base_url=self.base_url, timeout=timeout, verify=_verify(verify),
                                  transport=transport, follow_redirects=False)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> HQClient:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # -- requests ------------------------------------------------------------------------------------
    def _send(self, method: str, path: str, *, body: bytes = b"", params: dict[str, Any] | None = None,
              idempotency_key: str = "", signed: bool = True, timeout: float | None = None) -> httpx.Response:
        import httpx

        request = self._http.build_request(method, path, content=body or None, params=params,
                                           headers={"Content-Type": "application/json"} if body else None,
                                           timeout=httpx.Timeout(timeout) if timeout is not None
                                           else httpx.USE_CLIENT_DEFAULT)
        if signed:
            wire_path = request.url.raw_path.decode("ascii")  # the path with its query, as sent
            request.headers.update(signing.sign(self._secret, self.terminal_id, method, wire_path, body,
                                                idempotency_key=idempotency_key))
        try:
            response = self._http.send(request)
        except httpx.TimeoutException as exc:
            raise SyncError("offline", f"headquarters did not answer in time ({type(exc).__name__})") from None
        except httpx.TransportError as exc:  # refused, reset, dropped before the answer, DNS, TLS
            if "CERTIFICATE_VERIFY_FAILED" in str(exc):
                raise SyncError("offline", "headquarters' TLS certificate is not trusted by this till: give it the"
                                " CA that signed it (pos-app enroll --ca-file, or the setting hq.ca_file)"
                                f" ({exc})") from None
            raise SyncError("offline", f"cannot reach headquarters: {exc or type(exc).__name__}") from None
        if response.status_code >= 300:
            raise _error(response)
        return response

    def enroll(self, code: str, terminal_id: str) -> dict[str, Any]:
        """Exchange a one-time enrollment code for this terminal's credentials (unsigned)."""
        response = self._send("POST", "/v1/enroll", body=encode({"code": code, "terminal_id": terminal_id}),
                              signed=False)
        data = _json(response)
        for key in ("store_id", "terminal_id", "secret"):
            if not isinstance(data.get(key), str) or not data[key]:
                raise SyncError("server", f"the enrollment answer has no {key}", response.status_code)
        return data

    def push(self, body: dict[str, Any], batch_id: str) -> dict[str, Any]:
        """One batch of the outbox, with ``Idempotency-Key`` = ``batch_id``; headquarters' answer.
        An answer that is not a JSON object is a ``server`` error like any other bad answer."""
        return _json(self._send("POST", "/v1/push", body=encode(body), idempotency_key=batch_id))

    def changes(self, cursor: int | str, limit: int, mark: str | None = None) -> dict[str, Any]:
        """A page of the change feed after ``cursor`` (as headquarters gave it, kept as text).
        From cursor 0 the till asks for a snapshot of what it holds instead of the whole
        feed from the beginning (``protocol``: ``snapshot=1``). The answer's cursor comes back
        as text. ``reported`` goes along (the till's entries waiting and version, for the console)."""
        text = str(cursor)
        params: dict[str, Any] = {"cursor": text, "limit": int(limit)}
        if text == "0":
            params["snapshot"] = 1
        if mark:
            params["mark"] = mark
        params.update(self.reported)
        data = _json(self._send("GET", "/v1/changes", params=params))
        got = data.get("cursor")
        if (not isinstance(data.get("changes"), list) or isinstance(got, bool)
                or not isinstance(got, int | str) or not str(got)):
            raise SyncError("server", "the change feed's answer has no changes or cursor")
        data["cursor"] = str(got)
        return data

    def own(self, part: str, after: int, limit: int) -> dict[str, Any]:
        """A page of this terminal's own chain (``part="entries"``, after sequence ``after``) or
        events (``"events"``, after outbox id ``after``) as headquarters holds them."""
        params = {"part": part, "after": int(after), "limit": int(limit)}
        data = _json(self._send("GET", "/v1/own", params=params))
        if (not isinstance(data.get("items"), list) or not isinstance(data.get("next"), int)
                or isinstance(data.get("next"), bool) or not isinstance(data.get("more"), bool)):
            raise SyncError("server", "headquarters' answer about this till's own data has no items, next or more")
        return data

    def lookup(self, ref: str, *, after: int = 0, day: str | None = None,
               timeout: float | None = None) -> dict[str, Any]:
        """One page of a member's picture at headquarters (``POST /v1/members/lookup``):
        record, entries after HQ entry id ``after``, coupons and counters (first page).
        ``timeout``: seconds for each network step of this request (the caller bounds the total)."""
        body: dict[str, Any] = {"ref": ref}
        if after:
            body["after"] = int(after)
        if day:
            body["day"] = day
        data = _json(self._send("POST", "/v1/members/lookup", body=encode(body), timeout=timeout))
        if (not isinstance(data.get("member"), dict) or not isinstance(data.get("entries"), list)
                or not isinstance(data.get("after"), int) or not isinstance(data.get("more"), bool)):
            raise SyncError("server", "the member lookup's answer has no member, entries, after or more")
        return data

    def history(self, member_uuid: str, *, before: int | None = None, limit: int = 100,
                timeout: float | None = None) -> dict[str, Any]:
        """A page of a member's entries at headquarters, newest first (``GET /v1/members/{uuid}/history``)."""
        params: dict[str, Any] = {"limit": int(limit)}
        if before is not None:
            params["before"] = int(before)
        data = _json(self._send("GET", f"/v1/members/{member_uuid}/history", params=params, timeout=timeout))
        if not isinstance(data.get("entries"), list) or not isinstance(data.get("more"), bool):
            raise SyncError("server", "the member history's answer has no entries")
        return data


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        data = response.json()
    except ValueError:
        raise SyncError("server", f"headquarters answered {response.status_code} without JSON",
                        response.status_code) from None
    if not isinstance(data, dict):
        raise SyncError("server", "headquarters' answer is not a JSON object", response.status_code)
    return data


def _error(response: httpx.Response) -> SyncError:
    status = response.status_code
    try:
        payload = response.json()
    except ValueError:
        payload = None
    if not isinstance(payload, dict):
        payload = {"body": response.text[:300]}
    detail = payload.get("message") or payload.get("detail") or payload.get("error") or payload.get("body") or ""
    if isinstance(detail, list | dict):
        detail = json.dumps(detail, ensure_ascii=False)[:300]
    text = f"HTTP {status}" + (f": {detail}" if detail else "")
    if payload.get("field"):
        text += f" ({payload['field']})"
    if status in (401, 403):
        kind = "auth"
    elif status == 409:
        kind = "gap"
    elif status in (400, 422):
        kind = "conflict"
    else:
        kind = "server"
    return SyncError(kind, text, status, payload)
