"""How the member at the counter was identified (``services.presence``), as checkout and the
gifts screen both track it: a scanned card or member code is the member present, a typed phone
or card number is not; a one-time code read out by the member makes them present."""

from __future__ import annotations

from typing import Any, Protocol

from pos_app.core.errors import PosError
from pos_app.services import presence, scans
from pos_app.services.context import Terminal
from pos_app.storage.repo import MemberRecord
from pos_app.ui.errors import message
from pos_app.ui.qt import QThreadPool
from pos_app.ui.workers import ImmediatePool, Task


def presence_of(t: Terminal, text: str, *, scanned: bool) -> str:
    """What identifying the member by ``text`` proves: a member code always (it is signed and
    changes every minute), a card number only when a scanner read it, a phone number never."""
    kind = scans.read_scan(t, text).kind
    if kind == "member_qr":
        return "member_qr"
    if kind == "member_card":
        return "card" if scanned else "typed_card"
    if kind == "phone":
        return "phone"
    return "other"


def keep_stronger(old_uuid: str | None, old: str | None, new_uuid: str, new: str) -> str:
    """The same member identified again (the phone typed after the card was scanned) stays present."""
    if old_uuid == new_uuid and old in presence.PRESENT and new not in presence.PRESENT:
        return old
    return new


def is_present(presence_kind: str | None) -> bool:
    return presence_kind in presence.PRESENT


class _CodeScreen(Protocol):
    """What checkout's and the gifts screen's view-models have for a one-time code."""

    terminal: Terminal
    presence: str | None
    pool: QThreadPool | ImmediatePool | None
    code_sending: bool
    error_raised: Any
    code_sent: Any
    code_verified: Any
    member_changed: Any


def send_code(vm: _CodeScreen, member: MemberRecord) -> bool:
    """Has the chain's notification service send ``member`` a one-time code: the request goes out
    on the pool, so the counter never waits on the service (up to its 5 s timeout); then
    ``code_sent`` with the seconds it is valid, or ``error_raised`` saying the service did not
    answer. False: nothing sent (no service set up, or a code on its way already)."""
    if vm.code_sending:
        return False
    try:
        request = presence.code_request(vm.terminal, member.uuid, member.phone)
    except PosError as exc:
        vm.error_raised.emit(message(exc))
        return False

    def sent(_result: object) -> None:
        vm.code_sending = False
        vm.code_sent.emit(presence.remember_code(vm.terminal, request))

    def failed(exc: BaseException) -> None:
        vm.code_sending = False
        vm.error_raised.emit(message(exc) if isinstance(exc, PosError) else str(exc))

    vm.code_sending = True
    Task(lambda _progress: presence.post_code(request)).success(sent).failure(failed).run(
        vm.pool if vm.pool is not None else ImmediatePool())
    return True


def verify_code(vm: _CodeScreen, member: MemberRecord, typed: str) -> bool:
    """The code ``member`` read out; right: they count as present (``code_verified``)."""
    try:
        presence.verify_code(vm.terminal, member.uuid, typed)
    except PosError as exc:
        vm.error_raised.emit(message(exc))
        return False
    vm.presence = "otp"
    vm.code_verified.emit()
    vm.member_changed.emit()
    return True

