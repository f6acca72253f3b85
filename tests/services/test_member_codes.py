"""Dynamic member codes (会员码): signed by headquarters, checked offline, refused with the reason."""

from __future__ import annotations

import base64
import datetime as dt
import json
from pathlib import Path

import pytest

from pos_app.core.errors import Conflict, InvalidInput, PosError, RuleViolation
from pos_app.core.members import make_card_number
from pos_app.services import member_codes as mc
from pos_app.services import settings
from pos_app.services.context import Terminal

CARD = make_card_number(1234)
NOW = dt.datetime(2026, 11, 3, 10, 0)


@pytest.fixture
def keys(terminal: Terminal) -> bytes:
    private, public = mc.generate_keypair()
    settings.set_setting(terminal, "member_qr.public_key", public)
    return private


def reason(exc: pytest.ExceptionInfo[PosError]) -> str:
    assert exc.value.field == "member_qr"
    return str(exc.value.params["reason"])


def test_a_fresh_code_gives_the_card(terminal: Terminal, keys: bytes) -> None:
    code = mc.sign_member_code(keys, CARD, NOW, ttl_s=60)
    assert code.startswith("MQ1.") and len(code) < 200  # fits a small QR code
    assert mc.verify_member_code(terminal, code, NOW) == CARD
    assert mc.verify_member_code(terminal, code, NOW + dt.timedelta(seconds=60)) == CARD
    assert mc.verify_member_code(terminal, f"  {code}\r\n", NOW) == CARD


def test_two_codes_for_one_card_differ(keys: bytes) -> None:
    assert mc.sign_member_code(keys, CARD, NOW) != mc.sign_member_code(keys, CARD, NOW)


def test_expired_and_not_yet_valid_allow_a_little_clock_skew(terminal: Terminal, keys: bytes) -> None:
    code = mc.sign_member_code(keys, CARD, NOW, ttl_s=60)
    late = NOW + dt.timedelta(seconds=60 + mc.CLOCK_SKEW_S)
    assert mc.verify_member_code(terminal, code, late) == CARD
    with pytest.raises(RuleViolation) as exc:
        mc.verify_member_code(terminal, code, late + dt.timedelta(seconds=1))
    assert reason(exc) == "expired"
    early = NOW - dt.timedelta(seconds=mc.CLOCK_SKEW_S)
    assert mc.verify_member_code(terminal, code, early) == CARD
    with pytest.raises(RuleViolation) as exc:
        mc.verify_member_code(terminal, code, early - dt.timedelta(seconds=1))
    assert reason(exc) == "not_yet_valid"


def test_a_code_signed_by_another_key_is_forged(terminal: Terminal, keys: bytes) -> None:
    other, _public = mc.generate_keypair()
    with pytest.raises(InvalidInput) as exc:
        mc.verify_member_code(terminal, mc.sign_member_code(other, CARD, NOW), NOW)
    assert reason(exc) == "forged"


def test_a_tampered_payload_is_forged(terminal: Terminal, keys: bytes) -> None:
    code = mc.sign_member_code(keys, CARD, NOW, nonce="abcdefgh12")
    _prefix, payload, signature = code.split(".")
    other_card = make_card_number(9999)
    forged_payload = base64.urlsafe_b64encode(
        base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)).replace(CARD.encode(), other_card.encode())
    ).rstrip(b"=").decode()
    assert forged_payload != payload
    with pytest.raises(InvalidInput) as exc:
        mc.verify_member_code(terminal, f"MQ1.{forged_payload}.{signature}", NOW)
    assert reason(exc) == "forged"
    # a longer validity written into the payload is caught the same way
    longer = base64.urlsafe_b64encode(
        base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
        .replace(str(int(NOW.timestamp()) + 60).encode(), str(int(NOW.timestamp()) + 600).encode())
    ).rstrip(b"=").decode()
    with pytest.raises(InvalidInput):
        mc.verify_member_code(terminal, f"MQ1.{longer}.{signature}", NOW)


@pytest.mark.parametrize("text", [
    "MQ1.", "MQ1.abc", "MQ1.a.b.c", "MQ1.!!!.???", "MQ1." + "A" * 500, "MQ2.abc.def", "hello",
    "MQ1." + base64.urlsafe_b64encode(b"2900000012342|1|2|nonce").decode() + "." + "A" * 86,
])
def test_malformed_codes(terminal: Terminal, keys: bytes, text: str) -> None:
    with pytest.raises(InvalidInput) as exc:
        mc.verify_member_code(terminal, text, NOW)
    assert reason(exc) == "malformed"


def test_no_key_configured(terminal: Terminal) -> None:
    private, _public = mc.generate_keypair()
    with pytest.raises(RuleViolation) as exc:
        mc.verify_member_code(terminal, mc.sign_member_code(private, CARD, NOW), NOW)
    assert reason(exc) == "no_key"


def test_revoked_code_and_revoked_card(terminal: Terminal, keys: bytes) -> None:
    code = mc.sign_member_code(keys, CARD, NOW)
    other = mc.sign_member_code(keys, CARD, NOW)
    nonce = mc.revoke_code(terminal, "member_qr", code, "shown on a screenshot", staff_code="9001")
    assert nonce == mc.read_member_code(code)[0].nonce
    with pytest.raises(RuleViolation) as exc:
        mc.verify_member_code(terminal, code, NOW)
    assert reason(exc) == "revoked" and exc.value.params["revoked_kind"] == "member_qr"
    assert mc.verify_member_code(terminal, other, NOW) == CARD  # only that code
    mc.revoke_code(terminal, "card", CARD, "card reported lost")
    with pytest.raises(RuleViolation) as exc:
        mc.verify_member_code(terminal, other, NOW)
    assert exc.value.params["revoked_kind"] == "card"
    audit = terminal.repo.rows("SELECT action, ref, staff_code FROM audit WHERE action = 'code.revoke' ORDER BY id")
    assert audit == [{"action": "code.revoke", "ref": f"member_qr:{nonce}", "staff_code": "9001"},
                     {"action": "code.revoke", "ref": f"card:{CARD}", "staff_code": None}]
    with pytest.raises(Conflict):
        mc.revoke_code(terminal, "card", CARD, "again")


def test_revocation_input_is_checked(terminal: Terminal) -> None:
    with pytest.raises(InvalidInput) as exc:
        mc.revoke_code(terminal, "phone", CARD, "x")
    assert exc.value.field == "kind"
    with pytest.raises(InvalidInput) as exc:
        mc.revoke_code(terminal, "card", CARD, "  ")
    assert exc.value.field == "reason"
    with pytest.raises(InvalidInput) as exc:
        mc.revoke_code(terminal, "card", "12345", "lost")
    assert exc.value.field == "card"
    with pytest.raises(InvalidInput) as exc:
        mc.revoke_code(terminal, "member_qr", "not a code!", "x")
    assert exc.value.field == "member_qr"
    assert terminal.repo.rows("SELECT * FROM revoked_code") == []


def test_signing_input_is_checked(keys: bytes) -> None:
    with pytest.raises(InvalidInput) as exc:
        mc.sign_member_code(keys, "12345", NOW)
    assert exc.value.field == "card"
    with pytest.raises(InvalidInput) as exc:
        mc.sign_member_code(keys, CARD, NOW, ttl_s=0)
    assert exc.value.field == "ttl"
    with pytest.raises(InvalidInput) as exc:
        mc.load_private_key(b"not a key")
    assert exc.value.field == "key"


def test_keygen_makes_the_key_file_private_at_creation(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """Not written first and chmod-ed after (readable by others in between): with chmod not
    available the file is private all the same."""
    import os

    from pos_app.cli import main

    def no_chmod(*_args: object, **_kwargs: object) -> None:
        raise PermissionError("chmod is not used")

    monkeypatch.setattr(os, "chmod", no_chmod)
    monkeypatch.setattr(Path, "chmod", no_chmod)
    old = os.umask(0o022)
    try:
        assert main(["member-qr", "keygen", "--out", str(tmp_path / "hq.pem")]) == 0
    finally:
        os.umask(old)
    capsys.readouterr()
    assert (tmp_path / "hq.pem").stat().st_mode & 0o777 == 0o600


def test_cli_round_trip(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from pos_app.cli import main

    db = tmp_path / "store.db"
    key = tmp_path / "hq.pem"
    assert main(["--db", str(db), "init", "--store", "S001", "--terminal", "T01"]) == 0
    assert main(["--db", str(db), "demo-seed"]) == 0  # trusts the demo key, not the one made below
    capsys.readouterr()
    assert main(["member-qr", "keygen", "--out", str(key)]) == 0
    public = capsys.readouterr().out.strip()
    assert len(public) == 43 and key.stat().st_mode & 0o077 == 0
    assert main(["member-qr", "keygen", "--out", str(key)]) == 2  # never overwrites a key
    assert "file" in capsys.readouterr().err

    card = make_card_number(1)  # demo member 张伟
    code = [main(["--db", str(db), "member-qr", "issue", "--key", str(key), "--card", card, "--ttl", "120"])]
    text = capsys.readouterr().out.strip()
    assert code == [0] and text.startswith("MQ1.")
    assert main(["--db", str(db), "--json", "member-qr", "check", text]) == 2  # not the trusted key yet
    assert json.loads(capsys.readouterr().out.splitlines()[0])["reason"] == "forged"
    # a base64url key may start with "-": after "--" argparse takes it as the value, not an option
    assert main(["--db", str(db), "member-qr", "set-key", "--", public]) == 0
    capsys.readouterr()
    assert main(["--db", str(db), "--json", "member-qr", "check", text]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["card_no"] == card and data["member"]["name"] == "张伟"

    assert main(["--db", str(db), "revoke", "--kind", "member_qr", text, "--reason", "screenshot"]) == 0
    capsys.readouterr()
    assert main(["--db", str(db), "--json", "member-qr", "check", text]) == 2
    assert json.loads(capsys.readouterr().out.splitlines()[0])["reason"] == "revoked"
    assert main(["--db", str(db), "revoke", "--kind", "card", "12345", "--reason", "lost"]) == 2
    assert "card" in capsys.readouterr().err
    assert main(["--db", str(db), "member-qr", "set-key", "short"]) == 2
    assert "member_qr.public_key" in capsys.readouterr().err


def test_the_demo_trusts_its_demo_key(terminal: Terminal) -> None:
    from pos_app.services import demo

    terminal.repo.set_setting("member_qr.public_key", "")
    demo.seed_demo(terminal)
    private = demo.demo_member_qr_key_file().read_bytes()
    assert b"DEMO ONLY" in private
    code = mc.sign_member_code(private, make_card_number(1), terminal.clock())
    assert mc.verify_member_code(terminal, code) == make_card_number(1)
