"""Schemathesis against the running headquarters (uvicorn on loopback, SQLite): every
operation of the OpenAPI schema, with generated valid and invalid requests, sent unsigned and
signed by an enrolled terminal, with the generated signature headers under an enrolled
terminal's name (every refusal audited) (and, for pushes, with the caller's own ids so the batch gets
past the ownership checks into the ledger code); no request may cause a server error."""

from __future__ import annotations

import logging
import uuid
from collections import Counter
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from pos_app.hq import admin, db
from pos_app.hq.app import create_app
from pos_app.sync import signing
from tests.hq.hqserver import ThreadServer

CALLS: Counter[str] = Counter()
SAFETY_NET: list[str] = []  # database errors the app turned into 4xx: the checks before them missed something


class _Collect(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        SAFETY_NET.append(record.getMessage())
STATUSES: Counter[int] = Counter()


# The module's fixture counts what every test of the module sent (at its teardown): the tests stay
# together in one process (`make unit` runs pytest-xdist with --dist loadfile); split over three
# processes, each process's share was too small for the counts and the module failed at random.


class Enrolled:
    def __init__(self, server: ThreadServer, store_id: str, terminal_id: str, secret: str) -> None:
        self.server, self.store_id, self.terminal_id, self.secret = server, store_id, terminal_id, secret


@pytest.fixture(scope="module")
def hq(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Enrolled]:
    url = f"sqlite:///{tmp_path_factory.mktemp('hq') / 'hq.db'}"
    handler = _Collect(logging.WARNING)
    logging.getLogger("pos_app.hq.app").addHandler(handler)
    with ThreadServer(url) as server:
        admin.create_store("S1", "总店")
        admin.create_terminal("T1", "S1")
        admin.create_terminal("C1", "S1", kind="channel")
        secrets = {}
        for terminal_id in ("T1", "C1"):
            code = admin.new_enrollment_code(terminal_id)
            r = httpx.post(f"{server.url}/v1/enroll", json={"code": code, "terminal_id": terminal_id})
            assert r.status_code == 200, r.text
            secrets[terminal_id] = r.json()["secret"]
        hq = Enrolled(server, "S1", "T1", secrets["T1"])
        hq.channel_secret = secrets["C1"]  # type: ignore[attr-defined]
        yield hq
        db.proxy.obj.close()
    logging.getLogger("pos_app.hq.app").removeHandler(handler)
    # after every test of the module, in whatever order they ran (CI shuffles them)
    print("schemathesis calls", dict(CALLS), "statuses", dict(STATUSES))
    assert CALLS["unsigned"] >= 10 and CALLS["signed"] >= 10 and CALLS["own_ids"] >= 1 and CALLS["named"] >= 1, CALLS
    assert STATUSES[401] > 0 and STATUSES[422] > 0, STATUSES
    assert not [s for s in STATUSES if s >= 500]
    assert SAFETY_NET == [], sorted({m.split(":")[0] + ":" + m.split(":")[-1] for m in SAFETY_NET})


# the schema the application serves, built without a server or a database (the module-level
# form: schemathesis' lazy ``from_fixture`` does not run under pytest 9); the tests send the
# generated requests to the real server and ``test_schema_is_the_served_one`` checks it is the same
APP_SCHEMA = create_app("sqlite:///unused.db").openapi()
schema = schemathesis.openapi.from_dict(APP_SCHEMA)
schema.config.generation.update(max_examples=15)


def _send(session: requests.Session, case: Any, base_url: str, sign_as: tuple[str, str] | None) -> requests.Response:
    """Send the case as generated; signed: the exact bytes and path the server will see."""
    kwargs = case.as_transport_kwargs(base_url=base_url)
    prepared = session.prepare_request(requests.Request(
        method=kwargs["method"], url=kwargs["url"], headers=kwargs.get("headers"), params=kwargs.get("params"),
        json=kwargs.get("json"), data=kwargs.get("data"), cookies=kwargs.get("cookies")))
    if sign_as is not None:
        terminal_id, secret = sign_as
        body = prepared.body or b""
        raw = body.encode("utf-8") if isinstance(body, str) else body
        key = str(prepared.headers.get(signing.H_IDEMPOTENCY, ""))
        prepared.headers.update(signing.sign(secret, terminal_id, prepared.method or "GET", prepared.path_url, raw,
                                             idempotency_key=key))
        if not key:
            prepared.headers.pop(signing.H_IDEMPOTENCY, None)
    return session.send(prepared, timeout=30)


def _refusals(terminal_id: str) -> int:
    return int(db.Audit.select().where((db.Audit.action == "auth.refused") & (db.Audit.actor == terminal_id)).count())


@schema.parametrize()
@settings(deadline=None, suppress_health_check=list(HealthCheck))
def test_no_server_error(case: Any, hq: Enrolled) -> None:
    session = requests.Session()
    base = hq.server.url
    secret = hq.channel_secret if case.path == "/v1/awards" else hq.secret  # type: ignore[attr-defined]
    terminal_id = "C1" if case.path == "/v1/awards" else "T1"
    variants: list[tuple[str, Any, tuple[str, str] | None]] = [("unsigned", case, None),
                                                               ("signed", case, (terminal_id, secret))]
    if case.headers:  # the generated timestamp, nonce and signature under a real terminal's name:
        # they reach the signature checks (an unknown terminal is refused before them)
        named = case.operation.Case(body=case.body, query=case.query, media_type=case.media_type,
                                    path_parameters=case.path_parameters,
                                    headers={**case.headers, signing.H_TERMINAL: terminal_id})
        variants.append(("named", named, None))
    if case.path == "/v1/push" and isinstance(case.body, dict):
        batch_id = str(uuid.uuid4())
        own = case.operation.Case(body={**case.body, "protocol": 1, "store_id": hq.store_id,
                                        "terminal_id": hq.terminal_id, "batch_id": batch_id},
                                  headers={**(case.headers or {}), signing.H_IDEMPOTENCY: batch_id},
                                  media_type="application/json")
        variants.append(("own_ids", own, (terminal_id, secret)))
    for name, variant, sign_as in variants:
        audited = _refusals(terminal_id)
        response = _send(session, variant, base, sign_as)
        CALLS[name] += 1
        STATUSES[response.status_code] += 1
        assert response.status_code < 500, (name, response.status_code, response.text, variant.body)
        if name == "named" and response.status_code == 401:  # every refused header is audited
            assert _refusals(terminal_id) == audited + 1, (variant.headers, response.text)
        variant.validate_response(response, checks=[not_a_server_error])


def test_schema_is_the_served_one(hq: Enrolled) -> None:
    spec = httpx.get(f"{hq.server.url}/openapi.json").json()
    assert spec == APP_SCHEMA and spec["openapi"].startswith("3.")
    for path in ("/v1/enroll", "/v1/push", "/v1/awards"):
        method = next(iter(spec["paths"][path]))
        assert "requestBody" in spec["paths"][path][method], path
