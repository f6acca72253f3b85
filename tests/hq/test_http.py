"""Headquarters over real HTTP: uvicorn on loopback, on SQLite and on PostgreSQL, and over TLS."""

from __future__ import annotations

import datetime as dt
import hashlib
import ipaddress
import json
import os
import re
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from pos_app.core.chain import GENESIS_HASH, canonical_json, entry_hash
from pos_app.core.replica import effects_from_wire
from pos_app.hq import admin, db, feed, sealing
from tests.hq import hqserver
from tests.hq.hqserver import SignedClient, ThreadServer


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def hq(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ThreadServer]:
    with hqserver.database_url(request.param, tmp_path_factory.mktemp("hq")) as url, ThreadServer(url) as server:
        yield server
        db.proxy.obj.close()  # this thread's connection, before the database is dropped


def _id(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:8]}"


def enrolled(hq: ThreadServer, *, kind: str = "till", store_id: str | None = None) -> tuple[SignedClient, str]:
    """A new store (unless given) and terminal, enrolled over HTTP; returns a signing client and the store id."""
    if store_id is None:
        store_id = _id("S")
        admin.create_store(store_id, "门店 " + store_id)
    terminal_id = _id("T")
    admin.create_terminal(terminal_id, store_id, kind=kind)
    code = admin.new_enrollment_code(terminal_id)
    r = httpx.post(f"{hq.url}/v1/enroll", json={"code": code, "terminal_id": terminal_id})
    assert r.status_code == 200, r.text
    return SignedClient(hq.url, terminal_id, r.json()["secret"]), store_id


# ----------------------------------------------------------------------------- a hand-built batch


def make_entries(terminal_id: str, member_uuid: str, specs: list[tuple[str, int, dict[str, Any]]], *,
                 start_seq: int = 1, prev: str = GENESIS_HASH) -> list[dict[str, Any]]:
    out = []
    for i, (kind, points, effects) in enumerate(specs):
        fields: dict[str, Any] = {
            "uuid": str(uuid.uuid4()), "terminal_id": terminal_id, "seq": start_seq + i, "member_uuid": member_uuid,
            "kind": kind, "points": points, "tier_points": max(points, 0), "ref_type": "sale",
            "ref_no": f"R{start_seq + i}", "program_version": 1, "breakdown": canonical_json({"n": i}),
            "created_at": "2026-11-03T10:00:00", "business_date": "2026-11-03", "recorded_at": "2026-11-03T10:00:00",
            "backdated": False, "staff_code": "1001", "prev_hash": prev,
        }
        fields["hash"] = entry_hash(fields)
        fields["effects"] = effects
        prev = fields["hash"]
        out.append(fields)
    return out


def member_event(oid: int, member_uuid: str, phone: str) -> dict[str, Any]:
    return {"oid": oid, "kind": "member", "ref": member_uuid, "created_at": "2026-11-03T09:59:00",
            "payload": {"uuid": member_uuid, "phone": phone, "name": "张三", "enrolled_at": "2026-11-03T09:59:00"}}


def batch(client: SignedClient, store_id: str, entries: list[dict[str, Any]], events: list[dict[str, Any]]
          ) -> dict[str, Any]:
    return {"protocol": 1, "store_id": store_id, "terminal_id": client.terminal_id,
            "batch_id": str(uuid.uuid4()), "entries": entries, "events": events}


def push(client: SignedClient, body: dict[str, Any]) -> httpx.Response:
    return client.request("POST", "/v1/push", body, idempotency_key=body["batch_id"])


def three_entries(client: SignedClient, member_uuid: str) -> list[dict[str, Any]]:
    entries = make_entries(client.terminal_id, member_uuid, [
        ("earn", 100, {"new": [["2026-11-03", "2028-11-03", 100]]}),
        ("earn", 50, {"new": [["2026-11-03", "2028-11-03", 50]]}),
        ("redeem", -30, {"taken": []}),
    ])
    # the redeem takes from the first lot, whose key is the first entry's uuid (effects are not hashed)
    entries[2]["effects"] = {"taken": [[entries[0]["uuid"], 30]]}
    return entries


# ----------------------------------------------------------------------------- tests


def test_health_is_open_and_names_the_schema(hq: ThreadServer) -> None:
    r = httpx.get(f"{hq.url}/v1/health")
    assert r.status_code == 200
    assert r.json() == {"ok": True, "schema": db.schema_version()}


def test_openapi_describes_every_route(hq: ThreadServer) -> None:
    spec = httpx.get(f"{hq.url}/openapi.json").json()
    assert {"/v1/enroll", "/v1/push", "/v1/changes", "/v1/own", "/v1/awards", "/v1/health"} <= set(spec["paths"])
    push_body = spec["paths"]["/v1/push"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert {"protocol", "store_id", "terminal_id", "batch_id"} <= set(push_body["required"])


def test_enroll_with_a_good_code_gives_a_working_secret(hq: ThreadServer) -> None:
    client, store_id = enrolled(hq)
    r = client.request("GET", "/v1/changes?cursor=0&limit=10")
    assert r.status_code == 200, r.text
    assert set(r.json()) == {"changes", "cursor", "mark", "more", "hq_time", "own_last_seq", "own_last_oid"}
    assert r.json()["own_last_seq"] == 0  # nothing pushed yet
    bad = client.request("GET", "/v1/changes?cursor=3&mark=not-a-mark")
    assert bad.status_code == 422 and bad.json()["field"] == "mark"
    term = db.Terminal.get_by_id(client.terminal_id)
    assert sealing.unseal(term.secret, f"terminal:{term.id}") == client.secret  # stored sealed
    assert term.enrolled_at is not None and term.store_id == store_id
    audit = db.Audit.select().where((db.Audit.action == "terminal.enroll") & (db.Audit.ref == client.terminal_id))
    assert audit.count() == 1


def test_a_code_works_once(hq: ThreadServer) -> None:
    store_id = _id("S")
    admin.create_store(store_id, "x")
    terminal_id = _id("T")
    admin.create_terminal(terminal_id, store_id)
    code = admin.new_enrollment_code(terminal_id)
    first = httpx.post(f"{hq.url}/v1/enroll", json={"code": code.lower(), "terminal_id": terminal_id})
    assert first.status_code == 200
    again = httpx.post(f"{hq.url}/v1/enroll", json={"code": code, "terminal_id": terminal_id})
    assert again.status_code == 403
    assert again.json()["reason"] == "used" and again.json()["field"] == "code"
    stored = db.Terminal.get_by_id(terminal_id).secret
    assert sealing.unseal(stored, f"terminal:{terminal_id}") == first.json()["secret"]


def test_one_code_enrolls_one_terminal_under_simultaneous_requests(hq: ThreadServer) -> None:
    """Eight requests with one code at the same moment, five times: exactly one gets a secret
    each time (the claim is one conditional update), the others are refused as used."""
    import threading

    for _ in range(5):
        store_id = _id("S")
        admin.create_store(store_id, "x")
        terminal_id = _id("T")
        admin.create_terminal(terminal_id, store_id)
        code = admin.new_enrollment_code(terminal_id)
        start = threading.Barrier(8)
        answers: list[httpx.Response] = []

        def claim(body: dict[str, str], start: threading.Barrier, answers: list[httpx.Response]) -> None:
            start.wait()
            answers.append(httpx.post(f"{hq.url}/v1/enroll", json=body, timeout=30))

        body = {"code": code, "terminal_id": terminal_id}
        threads = [threading.Thread(target=claim, args=(body, start, answers)) for _ in range(8)]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        ok = [r for r in answers if r.status_code == 200]
        assert len(answers) == 8 and len(ok) == 1, [(r.status_code, r.text) for r in answers]
        assert all(r.status_code == 403 and r.json()["reason"] == "used" for r in answers if r not in ok)
        stored = db.Terminal.get_by_id(terminal_id).secret
        assert sealing.unseal(stored, f"terminal:{terminal_id}") == ok[0].json()["secret"]


def test_an_address_that_guesses_codes_is_refused_for_a_while(tmp_path: Path) -> None:
    """Three wrong codes from one address: the fourth attempt is refused with 429 even with the
    right code, and audited; once the window has passed the right code works. A used or expired
    code is no guess and does not count."""
    now = [1000.0]
    limiter = admin.EnrollLimiter(limit=3, window=60, clock=lambda: now[0])
    with ThreadServer(f"sqlite:///{tmp_path / 'hq.db'}", enroll_limiter=limiter) as server:
        admin.create_store("S1", "x")
        admin.create_terminal("T1", "S1")
        admin.create_terminal("T2", "S1")
        good = admin.new_enrollment_code("T1")
        used = admin.new_enrollment_code("T2")
        assert httpx.post(f"{server.url}/v1/enroll", json={"code": used, "terminal_id": "T2"}).status_code == 200
        for _ in range(3):  # a used code, refused, is not a guess
            assert httpx.post(f"{server.url}/v1/enroll", json={"code": used, "terminal_id": "T2"}).status_code == 403
        for guess in ("AAAA-BBBB-CCCC", "DDDD-EEEE-FFFF", used):
            r = httpx.post(f"{server.url}/v1/enroll", json={"code": guess, "terminal_id": "T1"})
            assert r.status_code == 403 and r.json()["reason"] in ("unknown", "wrong_terminal")
        r = httpx.post(f"{server.url}/v1/enroll", json={"code": good, "terminal_id": "T1"})
        assert r.status_code == 429 and r.json()["error"] == "rate_limited" and r.json()["field"] == "code"
        assert 1 <= r.json()["retry_after"] <= 61
        assert db.Terminal.get_by_id("T1").secret is None
        refusals = [json.loads(a.details) for a in db.Audit.select().where(db.Audit.action == "enroll.refused")]
        assert [x["reason"] for x in refusals].count("rate_limited") == 1
        now[0] += 61
        assert httpx.post(f"{server.url}/v1/enroll", json={"code": good, "terminal_id": "T1"}).status_code == 200
        db.proxy.obj.close()


def test_enroll_again_with_a_new_code_rotates_the_secret(hq: ThreadServer) -> None:
    client, _store = enrolled(hq)
    code = admin.new_enrollment_code(client.terminal_id)
    r = httpx.post(f"{hq.url}/v1/enroll", json={"code": code, "terminal_id": client.terminal_id})
    assert r.status_code == 200 and r.json()["secret"] != client.secret
    assert client.request("GET", "/v1/changes").status_code == 401  # the old secret is dead
    client.secret = r.json()["secret"]
    assert client.request("GET", "/v1/changes").status_code == 200


def test_a_new_code_replaces_an_unused_one(hq: ThreadServer) -> None:
    store_id = _id("S")
    admin.create_store(store_id, "x")
    terminal_id = _id("T")
    admin.create_terminal(terminal_id, store_id)
    old = admin.new_enrollment_code(terminal_id)
    new = admin.new_enrollment_code(terminal_id)
    r = httpx.post(f"{hq.url}/v1/enroll", json={"code": old, "terminal_id": terminal_id})
    assert r.status_code == 403 and r.json()["reason"] == "unknown"
    assert httpx.post(f"{hq.url}/v1/enroll", json={"code": new, "terminal_id": terminal_id}).status_code == 200


def test_an_expired_code_is_refused(hq: ThreadServer) -> None:
    store_id = _id("S")
    admin.create_store(store_id, "x")
    terminal_id = _id("T")
    admin.create_terminal(terminal_id, store_id)
    code = admin.new_enrollment_code(terminal_id, ttl_hours=1)
    past = (dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)).replace(microsecond=0).isoformat()
    db.EnrollmentCode.update(expires_at=past).where(db.EnrollmentCode.terminal_id == terminal_id).execute()
    r = httpx.post(f"{hq.url}/v1/enroll", json={"code": code, "terminal_id": terminal_id})
    assert r.status_code == 403 and r.json()["reason"] == "expired"
    assert db.Terminal.get_by_id(terminal_id).secret is None
    refusals = db.Audit.select().where((db.Audit.action == "enroll.refused") & (db.Audit.ref == terminal_id))
    assert [json.loads(a.details)["reason"] for a in refusals] == ["expired"]


def test_a_code_for_another_terminal_is_refused(hq: ThreadServer) -> None:
    store_id = _id("S")
    admin.create_store(store_id, "x")
    mine, other = _id("T"), _id("T")
    admin.create_terminal(mine, store_id)
    admin.create_terminal(other, store_id)
    code = admin.new_enrollment_code(mine)
    r = httpx.post(f"{hq.url}/v1/enroll", json={"code": code, "terminal_id": other})
    assert r.status_code == 403 and r.json()["reason"] == "wrong_terminal"
    assert db.Terminal.get_by_id(other).secret is None and db.Terminal.get_by_id(mine).secret is None
    # the code is still good for its own terminal
    assert httpx.post(f"{hq.url}/v1/enroll", json={"code": code, "terminal_id": mine}).status_code == 200


@pytest.mark.parametrize("body", [b"", b"{", b"[]", b'{"code": 5, "terminal_id": "T1"}',
                                  b'{"code": "A", "terminal_id": "bad id"}', b'{"code": "\\u0000"}'])
def test_malformed_enrollments_are_422(hq: ThreadServer, body: bytes) -> None:
    r = httpx.post(f"{hq.url}/v1/enroll", content=body, headers={"content-type": "application/json"})
    assert r.status_code == 422
    assert r.json()["error"] == "invalid_input" and r.json()["field"] in ("body", "code", "terminal_id")


def test_signed_push_then_the_changes_feed_pages(hq: ThreadServer) -> None:
    client, store_id = enrolled(hq)
    member_uuid = str(uuid.uuid4())
    entries = three_entries(client, member_uuid)
    body = batch(client, store_id, entries, [member_event(1, member_uuid, "13800138000")])
    r = push(client, body)
    assert r.status_code == 200, r.text
    answer = r.json()
    assert answer["acked_seq"] == 3 and answer["acked_oid"] == 1 and answer["batch_id"] == body["batch_id"]
    member = db.Member.get_by_id(member_uuid)
    assert (member.balance, member.debt, member.phone) == (120, 0, "13800138000")
    assert db.Entry.select().where(db.Entry.terminal_id == client.terminal_id).count() == 3

    # the same batch again (a retry after a lost answer): the same answer, nothing twice
    again = push(client, body)
    assert again.status_code == 200 and again.json() == answer
    assert db.Entry.select().where(db.Entry.terminal_id == client.terminal_id).count() == 3

    # a batch that skips a sequence number: 409 with what headquarters expects
    gap = make_entries(client.terminal_id, member_uuid, [("earn", 5, {"new": [["2026-11-03", None, 5]]})],
                       start_seq=5, prev=entries[-1]["hash"])
    r = push(client, batch(client, store_id, gap, []))
    assert r.status_code == 409
    assert r.json()["error"] == "sequence_gap" and r.json()["expected_seq"] == 4 and r.json()["acked_oid"] == 1

    # the feed, two changes a page, until it says there is no more
    seen: list[dict[str, Any]] = []
    cursor = 0
    pages = 0
    while True:
        r = client.request("GET", f"/v1/changes?cursor={cursor}&limit=2")
        assert r.status_code == 200, r.text
        page = r.json()
        assert len(page["changes"]) <= 2
        seen += page["changes"]
        pages += 1
        if not page["more"]:
            break
        assert feed.parse_cursor(page["cursor"]) > feed.parse_cursor(cursor)  # (txid, id) order
        cursor = page["cursor"]
    ids = [c["id"] for c in seen]
    assert ids == sorted(ids) and len(set(ids)) == len(ids) and pages >= 2
    mine = {c["data"]["uuid"] for c in seen if c["kind"] == "entry" and c["data"]["terminal_id"] == client.terminal_id}
    assert mine == {e["uuid"] for e in entries}
    members = [c["data"] for c in seen if c["kind"] == "member" and c["data"]["uuid"] == member_uuid]
    assert members and members[-1]["balance"] == 120


def test_own_gives_a_till_back_its_own_chain_and_events_only_paged(hq: ThreadServer) -> None:
    """``GET /v1/own``: what a rebuilt till takes back. Entries by sequence with their effects,
    events by outbox id, paged; another till's rows never; a bad part or number is a 422
    naming it; unsigned is 401."""
    client, store_id = enrolled(hq)
    other, _ = enrolled(hq, store_id=store_id)
    member_uuid = str(uuid.uuid4())
    entries = three_entries(client, member_uuid)
    sale = {"oid": 3, "kind": "sale", "ref": "R1", "created_at": "2026-11-03T10:00:00",
            "payload": {"total_fen": 100, "tender": "cash", "member": None}}
    assert push(client, batch(client, store_id, entries, [member_event(1, member_uuid, "13800138001"), sale])
                ).status_code == 200
    theirs = make_entries(other.terminal_id, member_uuid, [("earn", 7, {"new": [["2026-11-03", None, 7]]})])
    assert push(other, batch(other, store_id, theirs, [member_event(9, member_uuid, "13800138001")])
                ).status_code == 200

    got: list[dict[str, Any]] = []
    after = 0
    while True:
        r = client.request("GET", f"/v1/own?part=entries&after={after}&limit=2")
        assert r.status_code == 200, r.text
        page = r.json()
        assert (page["last_seq"], page["last_oid"]) == (3, 3) and len(page["items"]) <= 2
        got += page["items"]
        after = page["next"]
        if not page["more"]:
            break
    def bare(e: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in e.items() if k != "effects"}

    assert [bare(e) for e in got] == [bare(e) for e in entries]  # the wire form as pushed
    assert [effects_from_wire(e["effects"], points=e["points"]) for e in got] == [
        effects_from_wire(e["effects"], points=e["points"]) for e in entries]  # with their effects
    r = client.request("GET", "/v1/own?part=events&after=1")
    assert r.status_code == 200 and r.json()["items"] == [sale] and not r.json()["more"]
    r = other.request("GET", "/v1/own?part=events")
    assert [e["oid"] for e in r.json()["items"]] == [9]
    assert [e["uuid"] for e in other.request("GET", "/v1/own?part=entries").json()["items"]] == [theirs[0]["uuid"]]
    for query, field in (("part=lots", "part"), ("after=0", "part"), ("part=entries&after=-1", "after"),
                         ("part=events&limit=0", "limit"), (f"part=events&limit={10**6}", "limit")):
        r = client.request("GET", f"/v1/own?{query}")
        assert r.status_code == 422 and r.json()["field"] == field, (query, r.text)
    assert httpx.get(f"{hq.url}/v1/own?part=entries").status_code == 401


def test_change_pages_are_gzipped(hq: ThreadServer) -> None:
    """Bytes on the wire count (issue 13): a page of changes goes compressed to a client that
    accepts it (httpx does, and decodes it), plain to one that does not."""
    client, store_id = enrolled(hq)
    member_uuid = str(uuid.uuid4())
    r = push(client, batch(client, store_id, three_entries(client, member_uuid),
                           [member_event(1, member_uuid, "13800138001")]))
    assert r.status_code == 200, r.text
    zipped = client.request("GET", "/v1/changes?cursor=0&limit=100")
    assert zipped.status_code == 200 and zipped.headers["content-encoding"] == "gzip"
    assert len(zipped.json()["changes"]) == 4
    assert zipped.num_bytes_downloaded * 2 < len(zipped.content)  # at least halved
    plain = client.request("GET", "/v1/changes?cursor=0&limit=100", headers={"accept-encoding": "identity"})
    assert "content-encoding" not in plain.headers and plain.json() == {**zipped.json(),
                                                                        "hq_time": plain.json()["hq_time"]}


def test_changes_refuses_a_bad_cursor(hq: ThreadServer) -> None:
    client, _store = enrolled(hq)
    for query in ("cursor=-1", "cursor=abc", "limit=0", f"limit={10**6}"):
        r = client.request("GET", f"/v1/changes?{query}")
        assert r.status_code == 422, query
        assert r.json()["field"] in ("cursor", "limit")


def test_an_oversized_body_is_413(hq: ThreadServer) -> None:
    client, _store = enrolled(hq)
    from pos_app.hq.app import MAX_BODY

    r = client.request("POST", "/v1/push", b"x" * (MAX_BODY + 1), idempotency_key="batch-0001")
    assert r.status_code == 413 and r.json()["error"] == "too_large"


def test_unknown_routes_answer_json(hq: ThreadServer) -> None:
    r = httpx.get(f"{hq.url}/v1/nothing")
    assert r.status_code == 404 and r.json()["error"] == "not_found"
    r = httpx.get(f"{hq.url}/v1/push")
    assert r.status_code == 405 and r.json()["error"] == "method_not_allowed"


# ----------------------------------------------------------------------------- TLS through serve()


def _self_signed(tmp_path: Path) -> tuple[Path, Path]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "pos-hq test")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                                                        x509.DNSName("localhost")]), critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    certfile, keyfile = tmp_path / "hq.crt", tmp_path / "hq.key"
    certfile.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    keyfile.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                          serialization.NoEncryption()))
    return certfile, keyfile


def test_tls_round_trip_through_serve(tmp_path: Path) -> None:
    certfile, keyfile = _self_signed(tmp_path)
    url = f"sqlite:///{tmp_path / 'tls.db'}"
    with hqserver._free_socket() as s:
        port = s.getsockname()[1]
    code = (f"from pos_app.hq.app import serve; serve({url!r}, '127.0.0.1', {port}, certfile={str(certfile)!r}, "
            f"keyfile={str(keyfile)!r}, log_level='warning')")
    proc = subprocess.Popen([sys.executable, "-c", code], cwd=hqserver.ROOT, env=dict(os.environ))
    base = f"https://127.0.0.1:{port}"
    verify = hqserver.tls_context(str(certfile))
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                r = httpx.get(f"{base}/v1/health", verify=verify, timeout=2)
                break
            except httpx.TransportError:
                assert proc.poll() is None and time.monotonic() < deadline, "serve() did not start"
                time.sleep(0.1)
        assert r.status_code == 200 and r.json()["ok"] is True
        # an untrusting client refuses the certificate: it really is TLS with this certificate
        with pytest.raises(httpx.ConnectError):
            httpx.get(f"{base}/v1/health", timeout=2)
        # enroll and a signed request over TLS (the admin functions write the same file)
        db.connect(url)
        admin.create_store("S1", "总店")
        admin.create_terminal("T1", "S1")
        code_ = admin.new_enrollment_code("T1")
        r = httpx.post(f"{base}/v1/enroll", json={"code": code_, "terminal_id": "T1"}, verify=verify)
        assert r.status_code == 200, r.text
        client = SignedClient(base, "T1", r.json()["secret"], verify=verify)
        r = client.request("GET", "/v1/changes?cursor=0")
        assert r.status_code == 200 and r.json()["changes"] == []
        client.close()
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        if not db.proxy.obj.is_closed():
            db.proxy.obj.close()


def test_app_from_env_survives_a_kill_and_restart(tmp_path: Path) -> None:
    """``uvicorn --factory pos_app.hq.app:app_from_env`` in a subprocess (POS_HQ_DB), killed and
    started again on the same port: what it had committed is still there."""
    url = f"sqlite:///{tmp_path / 'restart.db'}"
    server = hqserver.ProcessServer(url).start()
    try:
        db.connect(url)
        admin.create_store("S1", "总店")
        admin.create_terminal("T1", "S1")
        code = admin.new_enrollment_code("T1")
        r = httpx.post(f"{server.url}/v1/enroll", json={"code": code, "terminal_id": "T1"})
        assert r.status_code == 200
        server.stop(kill=True)
        with pytest.raises(httpx.TransportError):
            httpx.get(f"{server.url}/v1/health", timeout=1)
        server.start()
        client = SignedClient(server.url, "T1", r.json()["secret"])
        assert client.request("GET", "/v1/changes").status_code == 200
        client.close()
    finally:
        server.stop()
        if not db.proxy.obj.is_closed():
            db.proxy.obj.close()


def test_admin_refuses_bad_stores_and_terminals(hq: ThreadServer) -> None:
    from pos_app.core.errors import Conflict, InvalidInput, NotFound

    store_id = _id("S")
    admin.create_store(store_id, "x")
    with pytest.raises(Conflict) as exc:
        admin.create_store(store_id, "again")
    assert exc.value.field == "store_id"
    with pytest.raises(NotFound) as nf:
        admin.create_terminal(_id("T"), "S-nowhere")
    assert nf.value.field == "store"
    terminal_id = _id("T")
    admin.create_terminal(terminal_id, store_id)
    other_store = _id("S")
    admin.create_store(other_store, "y")
    with pytest.raises(Conflict):  # terminal ids are unique across stores
        admin.create_terminal(terminal_id, other_store)
    for bad in ("HQ", "bad id", ""):
        with pytest.raises(InvalidInput):
            admin.create_terminal(bad, store_id)
    with pytest.raises(InvalidInput):
        admin.create_terminal(_id("T"), store_id, kind="robot")
    listed = {t["id"]: t for t in admin.list_terminals(store_id)}
    assert set(listed) == {terminal_id} and listed[terminal_id]["enrolled"] is False
    assert "secret" not in listed[terminal_id]
    code = admin.new_enrollment_code(terminal_id)
    assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", code)
    stored = db.EnrollmentCode.get(db.EnrollmentCode.terminal_id == terminal_id)
    assert stored.code_hash == hashlib.sha256(code.replace("-", "").encode()).hexdigest()
    actions = {a.action for a in db.Audit.select().where(db.Audit.ref.in_([store_id, terminal_id]))}
    assert {"store.create", "terminal.create", "enrollment.code"} <= actions


def test_a_client_that_disconnects_mid_body_is_no_server_error(hq: ThreadServer,
                                                              caplog: pytest.LogCaptureFixture) -> None:
    """A till whose connection drops while it sends a push is logged as such, not as a bug."""
    import logging
    import socket

    caplog.set_level(logging.INFO)
    host, port = "127.0.0.1", int(hq.url.rsplit(":", 1)[1])
    with socket.create_connection((host, port), timeout=10) as sock:
        sock.sendall(b"POST /v1/push HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                     b"Content-Length: 100000\r\nX-POS-Terminal: T1\r\n\r\n" + b'{"entries": [' + b" " * 5000)
    deadline = time.monotonic() + 20
    while not any("disconnected" in r.getMessage() for r in caplog.records if r.name == "pos_app.hq.app"):
        assert time.monotonic() < deadline, [r.getMessage() for r in caplog.records]
        time.sleep(0.02)
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
