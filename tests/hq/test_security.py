"""Refused requests: unsigned, wrongly signed, replayed, stale, unknown, deactivated, another
terminal's or store's data, the wrong kind of credential. Each is refused with its status,
writes nothing but the audit row of the refusal, and is logged on ``pos_app.hq.security``."""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from pos_app.hq import admin, db
from pos_app.sync import signing
from tests.hq import hqserver
from tests.hq.hqserver import SignedClient, ThreadServer
from tests.hq.test_http import batch, enrolled, member_event, push, three_entries

SECURITY_LOGGER = "pos_app.hq.security"


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def hq(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ThreadServer]:
    with hqserver.database_url(request.param, tmp_path_factory.mktemp("hq")) as url, ThreadServer(url) as server:
        yield server
        db.proxy.obj.close()


def business_rows() -> dict[str, int]:
    return {m.__name__: m.select().count() for m in (db.Entry, db.Event, db.Member, db.Batch, db.Lot, db.AwardClaim)}


def refusals(terminal_id: str) -> list[dict[str, Any]]:
    rows = db.Audit.select().where((db.Audit.action == "auth.refused") & (db.Audit.actor == terminal_id))
    return [json.loads(r.details) for r in rows.order_by(db.Audit.id)]


class Refused:
    """Expect one refusal: status, reason, nothing written, one log record, one audit row."""

    def __init__(self, caplog: pytest.LogCaptureFixture, terminal_id: str, status: int, reason: str) -> None:
        self.caplog, self.terminal_id, self.status, self.reason = caplog, terminal_id, status, reason

    def __enter__(self) -> Refused:
        self.before = business_rows()
        self.audit_before = len(refusals(self.terminal_id or "-"))
        self.caplog.clear()
        return self

    def check(self, response: httpx.Response) -> None:
        assert response.status_code == self.status, response.text
        body = response.json()
        if self.status == 401:
            assert body["error"] == "unauthenticated" and body["reason"] == self.reason
        else:
            assert body["error"] == "permission_denied"
        assert business_rows() == self.before
        rows = refusals(self.terminal_id or "-")
        assert len(rows) == self.audit_before + 1
        assert rows[-1]["reason"] == self.reason and rows[-1]["status"] == self.status
        assert rows[-1]["client"].startswith("127.0.0.1:")
        records = [r for r in self.caplog.records if r.name == SECURITY_LOGGER]
        assert len(records) == 1, [r.getMessage() for r in records]
        text = records[0].getMessage()
        assert records[0].levelno == logging.WARNING
        assert self.reason in text and (self.terminal_id or "-") in text and "127.0.0.1" in text

    def __exit__(self, *exc: object) -> None:
        pass


@pytest.fixture
def caplog_security(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.WARNING, logger=SECURITY_LOGGER)
    return caplog


def a_batch(client: SignedClient, store_id: str) -> dict[str, Any]:
    member_uuid = str(uuid.uuid4())
    return batch(client, store_id, three_entries(client, member_uuid), [member_event(1, member_uuid, "13900139000")])


def test_unsigned_request(hq: ThreadServer, caplog_security: pytest.LogCaptureFixture) -> None:
    with Refused(caplog_security, "", 401, "unsigned") as expect:
        expect.check(httpx.get(f"{hq.url}/v1/changes"))


def test_named_but_unsigned(hq: ThreadServer, caplog_security: pytest.LogCaptureFixture) -> None:
    client, store_id = enrolled(hq)
    body = json.dumps(a_batch(client, store_id)).encode()
    with Refused(caplog_security, client.terminal_id, 401, "unsigned") as expect:
        expect.check(httpx.post(f"{hq.url}/v1/push", content=body,
                                headers={signing.H_TERMINAL: client.terminal_id, "Idempotency-Key": "b" * 16}))


def test_wrong_secret(hq: ThreadServer, caplog_security: pytest.LogCaptureFixture) -> None:
    client, store_id = enrolled(hq)
    client.secret = signing.new_secret()
    with Refused(caplog_security, client.terminal_id, 401, "bad_signature") as expect:
        expect.check(push(client, a_batch(client, store_id)))


def test_tampered_body(hq: ThreadServer, caplog_security: pytest.LogCaptureFixture) -> None:
    client, store_id = enrolled(hq)
    body = a_batch(client, store_id)
    raw = json.dumps(body).encode()
    headers = signing.sign(client.secret, client.terminal_id, "POST", "/v1/push", raw,
                           idempotency_key=body["batch_id"])
    tampered = raw.replace(b'"points": 100', b'"points": 900')
    assert tampered != raw
    with Refused(caplog_security, client.terminal_id, 401, "bad_signature") as expect:
        expect.check(httpx.post(f"{hq.url}/v1/push", content=tampered, headers=headers))


def test_tampered_path(hq: ThreadServer, caplog_security: pytest.LogCaptureFixture) -> None:
    client, _store = enrolled(hq)
    headers = signing.sign(client.secret, client.terminal_id, "GET", "/v1/changes?cursor=0", b"")
    assert httpx.get(f"{hq.url}/v1/changes?cursor=0", headers=headers).status_code == 200
    headers = signing.sign(client.secret, client.terminal_id, "GET", "/v1/changes?cursor=0", b"")
    with Refused(caplog_security, client.terminal_id, 401, "bad_signature") as expect:
        expect.check(httpx.get(f"{hq.url}/v1/changes?cursor=5", headers=headers))


def test_tampered_idempotency_key(hq: ThreadServer, caplog_security: pytest.LogCaptureFixture) -> None:
    client, store_id = enrolled(hq)
    body = a_batch(client, store_id)
    raw = json.dumps(body).encode()
    headers = signing.sign(client.secret, client.terminal_id, "POST", "/v1/push", raw,
                           idempotency_key=body["batch_id"])
    headers["Idempotency-Key"] = str(uuid.uuid4())
    with Refused(caplog_security, client.terminal_id, 401, "bad_signature") as expect:
        expect.check(httpx.post(f"{hq.url}/v1/push", content=raw, headers=headers))


def test_replayed_push(hq: ThreadServer, caplog_security: pytest.LogCaptureFixture) -> None:
    client, store_id = enrolled(hq)
    body = a_batch(client, store_id)
    raw = json.dumps(body).encode()
    headers = signing.sign(client.secret, client.terminal_id, "POST", "/v1/push", raw,
                           idempotency_key=body["batch_id"])
    first = httpx.post(f"{hq.url}/v1/push", content=raw, headers=headers)
    assert first.status_code == 200, first.text
    with Refused(caplog_security, client.terminal_id, 401, "replay") as expect:
        expect.check(httpx.post(f"{hq.url}/v1/push", content=raw, headers=headers))
    # a retry signed afresh (same batch, new nonce) is how a terminal resends: accepted, same answer
    again = client.request("POST", "/v1/push", raw, idempotency_key=body["batch_id"])
    assert again.status_code == 200 and again.json() == first.json()


def test_replayed_read(hq: ThreadServer, caplog_security: pytest.LogCaptureFixture) -> None:
    client, _store = enrolled(hq)
    headers = signing.sign(client.secret, client.terminal_id, "GET", "/v1/changes", b"")
    assert httpx.get(f"{hq.url}/v1/changes", headers=headers).status_code == 200
    with Refused(caplog_security, client.terminal_id, 401, "replay") as expect:
        expect.check(httpx.get(f"{hq.url}/v1/changes", headers=headers))


@pytest.mark.parametrize("offset", [-600, 600])
def test_stale_timestamp(hq: ThreadServer, caplog_security: pytest.LogCaptureFixture, offset: int) -> None:
    client, store_id = enrolled(hq)
    body = a_batch(client, store_id)
    with Refused(caplog_security, client.terminal_id, 401, "stale") as expect:
        expect.check(client.request("POST", "/v1/push", body, idempotency_key=body["batch_id"],
                                    now=time.time() + offset))


def test_unknown_terminal(hq: ThreadServer, caplog_security: pytest.LogCaptureFixture) -> None:
    stranger = SignedClient(hq.url, "T-nobody", signing.new_secret())
    with Refused(caplog_security, "T-nobody", 401, "unknown_terminal") as expect:
        expect.check(stranger.request("GET", "/v1/changes"))


def test_terminal_not_enrolled(hq: ThreadServer, caplog_security: pytest.LogCaptureFixture) -> None:
    store_id = f"S{uuid.uuid4().hex[:6]}"
    admin.create_store(store_id, "x")
    admin.create_terminal(f"{store_id}-T1", store_id)
    guess = SignedClient(hq.url, f"{store_id}-T1", signing.new_secret())
    with Refused(caplog_security, f"{store_id}-T1", 401, "not_enrolled") as expect:
        expect.check(guess.request("GET", "/v1/changes"))


def test_deactivated_terminal(hq: ThreadServer, caplog_security: pytest.LogCaptureFixture) -> None:
    client, store_id = enrolled(hq)
    admin.set_terminal_active(client.terminal_id, False)
    body = a_batch(client, store_id)
    with Refused(caplog_security, client.terminal_id, 401, "inactive") as expect:
        expect.check(push(client, body))
    admin.set_terminal_active(client.terminal_id, True)
    assert push(client, body).status_code == 200


def test_pushing_another_terminals_entries(hq: ThreadServer, caplog_security: pytest.LogCaptureFixture) -> None:
    mine, store_id = enrolled(hq)
    other, _ = enrolled(hq, store_id=store_id)
    entries_of_other = a_batch(other, store_id)["entries"]
    # as the other terminal's batch
    body = a_batch(other, store_id)
    with Refused(caplog_security, mine.terminal_id, 403, "foreign_data") as expect:
        expect.check(push(mine, body))
    # the other terminal's entries inside a batch of its own
    body = {**a_batch(mine, store_id), "entries": entries_of_other}
    with Refused(caplog_security, mine.terminal_id, 403, "foreign_data") as expect:
        r = push(mine, body)
        expect.check(r)
    assert r.json()["field"] == "entries[0].terminal_id"


def test_pushing_into_another_store(hq: ThreadServer, caplog_security: pytest.LogCaptureFixture) -> None:
    client, _store = enrolled(hq)
    _other_client, other_store = enrolled(hq)
    body = a_batch(client, other_store)
    with Refused(caplog_security, client.terminal_id, 403, "foreign_data") as expect:
        r = push(client, body)
        expect.check(r)
    assert r.json()["field"] == "store_id"


def test_a_channel_cannot_push(hq: ThreadServer, caplog_security: pytest.LogCaptureFixture) -> None:
    channel, store_id = enrolled(hq, kind="channel")
    with Refused(caplog_security, channel.terminal_id, 403, "till_only") as expect:
        expect.check(push(channel, a_batch(channel, store_id)))
    with Refused(caplog_security, channel.terminal_id, 403, "till_only") as expect:
        expect.check(channel.request("GET", "/v1/changes"))


def test_a_till_cannot_report_awards(hq: ThreadServer, caplog_security: pytest.LogCaptureFixture) -> None:
    till, _store = enrolled(hq)
    with Refused(caplog_security, till.terminal_id, 403, "channel_only") as expect:
        expect.check(till.request("POST", "/v1/awards", {"member": "13800138000", "award": "signup", "ref": "r-1"}))


def test_a_channel_reaches_the_awards_endpoint(hq: ThreadServer) -> None:
    """The role check lets a channel through: what answers is the award logic (no program here)."""
    channel, _store = enrolled(hq, kind="channel")
    r = channel.request("POST", "/v1/awards", {"member": "13800138000", "award": "signup", "ref": "r-1"})
    assert r.status_code in (404, 422), r.text
    assert r.json()["error"] != "unauthenticated" and r.json()["field"] not in ("terminal", "signature")


def test_old_nonces_are_purged_but_never_accepted_again(hq: ThreadServer) -> None:
    from pos_app.hq import auth

    client, _store = enrolled(hq)
    old = int(time.time()) - 3 * signing.WINDOW_S
    db.Nonce.insert(terminal_id=client.terminal_id, nonce="a" * 16, at=old).execute()
    auth._last_purge = 0.0  # the next accepted request purges
    assert client.request("GET", "/v1/changes").status_code == 200
    assert db.Nonce.get_or_none((db.Nonce.terminal_id == client.terminal_id) & (db.Nonce.nonce == "a" * 16)) is None
    # that old request cannot come back: its timestamp is outside the window
    headers = signing.sign(client.secret, client.terminal_id, "GET", "/v1/changes", b"", now=old, nonce="a" * 16)
    r = httpx.get(f"{hq.url}/v1/changes", headers=headers)
    assert r.status_code == 401 and r.json()["reason"] == "stale"


@pytest.mark.parametrize(("header", "value", "reason"), [
    (signing.H_TIMESTAMP, "\u00b2", "bad_timestamp"),  # str.isdigit() accepts a superscript two
    (signing.H_TIMESTAMP, "\u00b9\u00b2\u00b3", "bad_timestamp"),
    (signing.H_NONCE, "\u00e9" * 16, "bad_nonce"),  # str.isalnum() accepts letters beyond ASCII
    (signing.H_SIGNATURE, "\u00e9" * 64, "bad_signature"),  # hmac.compare_digest refuses non-ASCII text
    (signing.H_SIGNATURE, "zz", "bad_signature"),
])
def test_malformed_signature_headers_are_refused(hq: ThreadServer, caplog_security: pytest.LogCaptureFixture,
                                                 header: str, value: str, reason: str) -> None:
    """Header values arrive as Latin-1: every one of them is refused with a 401, audited."""
    client, _store = enrolled(hq)
    headers: dict[str, Any] = signing.sign(client.secret, client.terminal_id, "GET", "/v1/changes", b"")
    headers[header] = value.encode("latin-1")
    with Refused(caplog_security, client.terminal_id, 401, reason) as expect:
        expect.check(httpx.get(f"{hq.url}/v1/changes", headers=headers))


@pytest.mark.parametrize("key", ["short", "!" * 20, "a" * 65])
def test_a_malformed_idempotency_key_is_refused_and_audited(hq: ThreadServer, key: str) -> None:
    """A signed push whose Idempotency-Key is no batch id: 422 naming the header, audited like the
    signature headers' refusals, nothing written."""
    client, store_id = enrolled(hq)
    body = {**a_batch(client, store_id), "batch_id": key}
    before, audited = business_rows(), len(refusals(client.terminal_id))
    response = client.request("POST", "/v1/push", body, idempotency_key=key)
    assert response.status_code == 422 and response.json()["field"] == signing.H_IDEMPOTENCY, response.text
    assert business_rows() == before
    rows = refusals(client.terminal_id)
    assert len(rows) == audited + 1 and rows[-1]["status"] == 422
    assert (rows[-1]["reason"], rows[-1]["field"]) == ("invalid_input", signing.H_IDEMPOTENCY)


@pytest.mark.parametrize(("path", "field"), [("/v1/changes?cursor=%C2%B2", "cursor"),
                                             ("/v1/changes?limit=x", "limit"),
                                             ("/v1/changes?mark=%C3%A9", "mark")])
def test_a_malformed_query_field_is_refused_and_audited(hq: ThreadServer, path: str, field: str) -> None:
    client, _store = enrolled(hq)
    audited = len(refusals(client.terminal_id))
    response = client.request("GET", path)
    assert response.status_code == 422 and response.json()["field"] == field, response.text
    rows = refusals(client.terminal_id)
    assert len(rows) == audited + 1 and (rows[-1]["reason"], rows[-1]["field"]) == ("invalid_input", field)


def test_a_push_with_a_malformed_field_is_refused_and_audited(hq: ThreadServer,
                                                             caplog_security: pytest.LogCaptureFixture) -> None:
    """The till that sends bad data is named in the journal and the audit, with the field."""
    client, store_id = enrolled(hq)
    body = a_batch(client, store_id)
    body["events"][0]["payload"]["birthday"] = {"y": 1990}
    before, audited = business_rows(), len(refusals(client.terminal_id))
    response = push(client, body)
    assert response.status_code == 422 and response.json()["field"] == "events[0].payload.birthday", response.text
    assert business_rows() == before
    rows = refusals(client.terminal_id)
    assert len(rows) == audited + 1 and rows[-1]["field"] == "events[0].payload.birthday"
    assert any("invalid_input (422)" in r.getMessage() and client.terminal_id in r.getMessage()
               for r in caplog_security.records)
