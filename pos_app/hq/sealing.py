"""Secrets at rest at headquarters: each terminal's signing secret and the member-QR private key
are stored sealed (AES-256-GCM, bound to the row they belong to) under a key kept outside the
database, so a database dump, a backup or a read-only SQL account does not reveal them. HQ needs
the terminal secrets themselves to check HMAC signatures, so they are encrypted, not hashed.

The key: ``$POS_HQ_SECRET_KEY`` (43 characters of base64url, 32 bytes), else the file
``$POS_HQ_KEY_FILE``, else ``hq-secrets.key`` in the working directory (``/var/lib/pos-hq`` for
the service), made on first use with a random key, readable by its owner only (0600; a file
that others may read is refused). Back the key up apart from the database: without it the sealed
secrets are lost (every terminal enrolls again, the member-QR key is made again).

A value stored by an older release (plain) is still read, and ``seal_plain_rows`` seals it.
"""

from __future__ import annotations

import base64
import binascii
import functools
import os
import secrets
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from pos_app.core.errors import PosError

PREFIX = "sealed1:"
ENV_KEY, ENV_KEY_FILE, DEFAULT_KEY_FILE = "POS_HQ_SECRET_KEY", "POS_HQ_KEY_FILE", "hq-secrets.key"
PRIVATE_KEY_SETTING = "member_qr.private_key"  # the member-QR private key's row in the setting table
KEY_CHECK_SETTING, KEY_CHECK_TEXT = "secrets.key_check", "sealed by this headquarters' key"


class SecretKeyError(PosError):
    """The key that seals headquarters' secrets is missing, unsafe or not the one they were sealed with."""

    code = "secret_key"


def _decode_key(text: str, source: str) -> bytes:
    try:
        key = base64.urlsafe_b64decode(text.strip() + "=" * (-len(text.strip()) % 4))
    except (binascii.Error, ValueError):
        key = b""
    if len(key) != 32:
        raise SecretKeyError("secret_key", f"{source} must hold 32 bytes as base64url (43 characters)")
    return key


def key_file() -> Path:
    return Path(os.environ.get(ENV_KEY_FILE) or DEFAULT_KEY_FILE)


def _key() -> bytes:
    return _load_key(os.environ.get(ENV_KEY) or "", str(key_file().absolute()))


@functools.lru_cache(maxsize=4)
def _load_key(text: str, file: str) -> bytes:
    """Read once per process (every signed request needs it); a changed key needs a restart."""
    if text:
        return _decode_key(text, f"${ENV_KEY}")
    path = Path(file)
    if not path.exists():
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        encoded = base64.urlsafe_b64encode(secrets.token_bytes(32)).rstrip(b"=")
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # another worker made it first: read theirs
        except OSError as exc:
            raise SecretKeyError("secret_key", f"cannot create {path}: {exc.strerror or exc}") from None
        else:
            with os.fdopen(fd, "wb") as f:
                f.write(encoded + b"\n")
                f.flush()
                os.fsync(f.fileno())
    try:
        if os.name == "posix" and path.stat().st_mode & 0o077:
            raise SecretKeyError("secret_key", f"{path} may be read by other users; make it private: chmod 600 {path}")
        return _decode_key(path.read_text(encoding="ascii"), str(path))
    except (OSError, UnicodeDecodeError) as exc:
        raise SecretKeyError("secret_key", f"cannot read {path}: {exc}") from None


def seal(value: str, purpose: str) -> str:
    """``value`` encrypted for storage; ``purpose`` (e.g. ``terminal:S001-T01``) binds it to its row."""
    nonce = secrets.token_bytes(12)
    sealed = AESGCM(_key()).encrypt(nonce, value.encode("utf-8"), purpose.encode("utf-8"))
    return PREFIX + base64.urlsafe_b64encode(nonce + sealed).decode("ascii")


def is_sealed(stored: str | None) -> bool:
    return bool(stored) and str(stored).startswith(PREFIX)


def unseal(stored: str, purpose: str) -> str:
    """The value ``seal`` stored (a plain value of an older release is returned as it is)."""
    if not is_sealed(stored):
        return stored
    try:
        raw = base64.urlsafe_b64decode(stored[len(PREFIX):])
        return AESGCM(_key()).decrypt(raw[:12], raw[12:], purpose.encode("utf-8")).decode("utf-8")
    except (InvalidTag, binascii.Error, ValueError):
        raise SecretKeyError("secret_key", f"a sealed secret ({purpose}) does not open with this key: it was sealed "
                             f"with another one (${ENV_KEY} or {key_file()})") from None


def check_key() -> None:
    """The key is the one the database's secrets are sealed with: a sealed check value in the
    setting table opens with it (written with the first key used). Run before sealing anything
    and when the service starts, so a lost or replaced key is said at once, not at a till's next
    request (``SecretKeyError`` names the fix)."""
    from pos_app.hq import db

    row = db.Setting.get_or_none(db.Setting.key == KEY_CHECK_SETTING)
    if row is None:  # the first key used; two first enrollments at once insert it once
        db.Setting.insert(key=KEY_CHECK_SETTING, value=seal(KEY_CHECK_TEXT, KEY_CHECK_SETTING)
                          ).on_conflict_ignore().execute()
        return
    try:
        ok = unseal(str(row.value), KEY_CHECK_SETTING) == KEY_CHECK_TEXT
    except SecretKeyError:
        ok = False
    if not ok:
        raise SecretKeyError("secret_key", f"this database's secrets were sealed with another key than ${ENV_KEY} or "
                             f"{key_file().absolute()}: put the right key back (the one backed up with the "
                             "server), or every terminal must enroll again")


def seal_plain_rows() -> int:
    """Check the key and seal the secrets an older release stored plain (at startup); returns how many."""
    from pos_app.hq import db

    check_key()
    sealed = 0
    for terminal in db.Terminal.select().where(db.Terminal.secret.is_null(False)):
        if not is_sealed(terminal.secret):
            db.Terminal.update(secret=seal(str(terminal.secret), f"terminal:{terminal.id}")).where(
                db.Terminal.id == terminal.id).execute()
            sealed += 1
    row = db.Setting.get_or_none(db.Setting.key == PRIVATE_KEY_SETTING)
    if row is not None and not is_sealed(row.value):
        db.Setting.update(value=seal(row.value, PRIVATE_KEY_SETTING)).where(
            db.Setting.key == PRIVATE_KEY_SETTING).execute()
        sealed += 1
    return sealed
