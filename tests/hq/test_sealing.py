"""Headquarters keeps no secret in plain rows (issue 12 item 19): a terminal's signing secret and
the member-QR private key are sealed under a key outside the database (hq.sealing), on SQLite
and PostgreSQL; signed requests and member codes work as before; an older release's plain rows
are sealed at startup; an unsafe or wrong key is a clear error."""

from __future__ import annotations

import base64
import datetime as dt
import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pos_app.hq import admin, authority, db, sealing
from pos_app.sync import member_code
from tests.hq import hqserver
from tests.hq.hqserver import ThreadServer
from tests.hq.test_authority import member
from tests.hq.test_http import enrolled


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def hq(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ThreadServer]:
    with hqserver.database_url(request.param, tmp_path_factory.mktemp("hq")) as url, ThreadServer(url) as server:
        yield server
        db.proxy.obj.close()


def test_an_enrolled_terminal_s_secret_is_stored_sealed(hq: ThreadServer) -> None:
    client, _store = enrolled(hq)
    try:
        stored = db.Terminal.get_by_id(client.terminal_id).secret
        assert stored.startswith(sealing.PREFIX) and client.secret not in stored
        assert sealing.unseal(stored, f"terminal:{client.terminal_id}") == client.secret
        r = client.request("GET", "/v1/changes?after=0&limit=10")  # signed with the secret HQ sealed
        assert r.status_code == 200, r.text
    finally:
        client.close()


def test_the_member_qr_private_key_is_stored_sealed(hq_db: Any) -> None:
    m = member()
    private_pem, public = authority.generate_member_qr_key(actor="admin")
    stored = db.Setting.get(db.Setting.key == authority.PRIVATE_KEY_SETTING).value
    assert stored.startswith(sealing.PREFIX) and b"PRIVATE KEY" not in stored.encode()
    assert private_pem.decode("ascii") not in stored
    now = dt.datetime.now()
    code = authority.issue_member_code(m.card_no, ttl_s=120, now=now)
    assert member_code.check_member_code(public, code, now).card_no == m.card_no


def test_plain_rows_of_an_older_release_are_sealed(hq_db: Any) -> None:
    db.Store.create(id="S01", name="S01", created_at=db.utcnow())
    db.Terminal.create(id="T01", store_id="S01", created_at=db.utcnow(), secret="ab" * 32)
    with db.writing(hq_db):
        assert sealing.seal_plain_rows() == 1
        assert sealing.seal_plain_rows() == 0
    stored = db.Terminal.get_by_id("T01").secret
    assert stored.startswith(sealing.PREFIX)
    assert sealing.unseal(stored, "terminal:T01") == "ab" * 32
    with pytest.raises(sealing.SecretKeyError):  # bound to its row: another terminal's sealed value fails
        sealing.unseal(stored, "terminal:T02")


def test_the_key_file_is_made_private_and_an_unsafe_or_wrong_key_is_refused(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    key_file = tmp_path / "keys" / "hq-secrets.key"
    monkeypatch.setenv(sealing.ENV_KEY_FILE, str(key_file))
    monkeypatch.delenv(sealing.ENV_KEY, raising=False)
    sealed = sealing.seal("secret text", "terminal:T9")
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600 and stat.S_IMODE(key_file.parent.stat().st_mode) == 0o700
    assert sealing.unseal(sealed, "terminal:T9") == "secret text"
    other = base64.urlsafe_b64encode(os.urandom(32)).decode().rstrip("=")
    monkeypatch.setenv(sealing.ENV_KEY, other)  # the environment's key wins; it is not the one used
    with pytest.raises(sealing.SecretKeyError, match="does not open with this key"):
        sealing.unseal(sealed, "terminal:T9")
    monkeypatch.setenv(sealing.ENV_KEY, "too-short")
    with pytest.raises(sealing.SecretKeyError, match="32 bytes"):
        sealing.seal("x", "y")
    monkeypatch.delenv(sealing.ENV_KEY)
    loose = tmp_path / "loose.key"
    loose.write_text(other + "\n", encoding="ascii")
    loose.chmod(0o644)
    monkeypatch.setenv(sealing.ENV_KEY_FILE, str(loose))
    with pytest.raises(sealing.SecretKeyError, match="chmod 600"):
        sealing.seal("x", "y")


def test_terminal_list_still_says_enrolled(hq_db: Any) -> None:
    admin.create_store("S02", "门店")
    admin.create_terminal("T02", "S02")
    code = admin.new_enrollment_code("T02")
    answer = admin.enroll(code, "T02")
    assert answer["secret"] and [t["enrolled"] for t in admin.list_terminals() if t["id"] == "T02"] == [True]


def test_a_wrong_key_is_said_before_anything_is_sealed_with_it(hq_db: Any, tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """A server started with another key (the key file lost or replaced, a command run on
    another machine) refuses to seal with it, at start and at enrollment, naming the fix."""
    admin.create_store("S03", "门店")
    admin.create_terminal("T03", "S03")
    with db.writing(hq_db):
        sealing.seal_plain_rows()  # what pos-hq serve does at start: the check value is written
    other = base64.urlsafe_b64encode(os.urandom(32)).decode().rstrip("=")
    monkeypatch.setenv(sealing.ENV_KEY, other)
    with pytest.raises(sealing.SecretKeyError, match="sealed with another key") as err, db.writing(hq_db):
        sealing.seal_plain_rows()
    assert "enroll again" in err.value.message
    code = admin.new_enrollment_code("T03")
    with pytest.raises(sealing.SecretKeyError, match="sealed with another key"):
        admin.enroll(code, "T03")
    assert db.Terminal.get_by_id("T03").secret is None  # nothing sealed with the wrong key
    with pytest.raises(sealing.SecretKeyError):
        authority.generate_member_qr_key(actor="admin")
    assert db.Setting.get_or_none(db.Setting.key == authority.PRIVATE_KEY_SETTING) is None
    monkeypatch.delenv(sealing.ENV_KEY)
    assert admin.enroll(admin.new_enrollment_code("T03"), "T03")["secret"]  # the right key again


def test_pos_hq_serve_with_another_key_refuses_to_start(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'hq.db'}"
    repo = Path(__file__).resolve().parents[2]
    base = [sys.executable, "-m", "pos_app.hq", "--db", url]
    made = subprocess.run([*base, "member-qr", "keygen"], cwd=repo, capture_output=True, text=True, timeout=120,
                          check=False)
    assert made.returncode == 0, made.stderr
    env = {**os.environ, sealing.ENV_KEY: base64.urlsafe_b64encode(os.urandom(32)).decode().rstrip("=")}
    out = subprocess.run([*base, "serve", "--port", "0"], cwd=repo, env=env, capture_output=True, text=True,
                         timeout=120, check=False)
    assert out.returncode == 2, out.stderr
    assert out.stderr.startswith("error: secret_key: this database's secrets were sealed with another key")
    assert "Traceback" not in out.stderr
