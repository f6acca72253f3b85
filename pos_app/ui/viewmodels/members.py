"""The members screen's state: search, a member's detail and history, register, edit, freeze."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from pos_app.core.draws import DrawBody
from pos_app.core.errors import Conflict, InvalidInput, NotFound, PosError
from pos_app.core.members import normalize_phone, validate_name
from pos_app.core.money import format_fen
from pos_app.services import members, online, scans
from pos_app.services.context import Terminal
from pos_app.services.members import HISTORY_KINDS, HistoryEntry, MemberPicture, TierChange
from pos_app.storage.repo import MemberRecord
from pos_app.ui.errors import message
from pos_app.ui.qt import QCoreApplication, QObject, QThreadPool, Signal
from pos_app.ui.workers import ImmediatePool, Task


def award_name(award_id: str) -> str:
    """A behaviour award's name as staff read it (the program names an award by its id only); an
    award this list does not know shows its id."""
    names = {
        "signup": QCoreApplication.translate("Awards", "Sign-up"),
        "profile_completed": QCoreApplication.translate("Awards", "Profile completed"),
        "referral": QCoreApplication.translate("Awards", "Referral"),
        "survey": QCoreApplication.translate("Awards", "Survey"),
        "review_photo": QCoreApplication.translate("Awards", "Review with a photo"),
        "review": QCoreApplication.translate("Awards", "Review"),
        "share": QCoreApplication.translate("Awards", "Share"),
        "check_in": QCoreApplication.translate("Awards", "Check-in"),
    }
    return names.get(award_id, award_id)

if TYPE_CHECKING:
    from pos_app.sync.client import HQClient

#: The table shows this many entries at most; the CSV export has them all.
HISTORY_LIMIT = 1000


class MembersViewModel(QObject):
    """Signals: ``results_changed()``, ``member_opened()`` (detail loaded or reloaded, or cleared),
    ``history_changed()``, ``similar_found(list[MemberRecord])`` (same name and birthday: the
    cashier must confirm), ``duplicate_found(MemberRecord)`` (the phone is a member already),
    ``member_registered(MemberRecord)``, ``member_updated(MemberRecord)``,
    ``status_changed(MemberRecord)``, ``export_finished(str path, int rows)``, ``error_raised(str)``."""

    results_changed = Signal()
    member_opened = Signal()
    history_changed = Signal()
    similar_found = Signal(list)
    duplicate_found = Signal(object)
    member_registered = Signal(object)
    member_updated = Signal(object)
    status_changed = Signal(object)
    export_finished = Signal(str, int)
    error_raised = Signal(str)

    def __init__(self, terminal: Terminal, pool: QThreadPool | ImmediatePool, *, staff_code: Callable[[], str | None],
                 is_manager: Callable[[], bool], tier_names: dict[str, str] | None = None,
                 language: str = "zh_CN") -> None:
        super().__init__()
        self.terminal = terminal
        self.pool = pool
        self._staff_code = staff_code
        self._is_manager = is_manager
        self.tier_names = tier_names or {}
        self.language = language
        self.results: list[MemberRecord] = []
        self.picture: MemberPicture | None = None
        self.referrer: MemberRecord | None = None
        self.tier_changes: list[TierChange] = []
        self.history: list[HistoryEntry] = []
        self.history_truncated = False
        # where the history on screen comes from: "hq" (headquarters, every store) or "local" (this till)
        self.history_source = "local"
        self.history_offline = False  # headquarters was asked for the history and did not answer
        self.history_loading = False
        self._hq_next: int | None = None  # ``before`` of headquarters' next (older) page; None: no more
        self._history_generation = 0
        self.member_offline = False  # headquarters was asked for the member and did not answer
        self.kind_filter: str | None = None
        self.date_from: dt.date | None = None
        self.date_to: dt.date | None = None
        self.similar: list[MemberRecord] = []
        self._similar_confirmed: tuple[str, str] | None = None
        self.exporting = False
        self._tasks: set[Task] = set()

    # -- helpers ------------------------------------------------------------------------------
    @property
    def member(self) -> MemberRecord | None:
        return self.picture.member if self.picture else None

    def _fail(self, exc: PosError) -> None:
        self.error_raised.emit(message(exc))

    def tier_name(self, tier_id: str) -> str:
        return self.tier_names.get(tier_id, tier_id)

    def segment_name(self, segment_id: str) -> str:
        for rule in self.terminal.program.segments.rules:
            if rule.id == segment_id:
                return rule.name_zh if self.language == "zh_CN" else rule.name_en
        if segment_id == "regular":
            return self.tr("Regular")
        return segment_id

    def kind_names(self) -> dict[str, str]:
        return {
            "earn": self.tr("Purchase"), "redeem": self.tr("Paid with points"), "gift": self.tr("Gift"),
            "award": self.tr("Award"), "adjust": self.tr("Adjustment"), "clawback": self.tr("Refund clawback"),
            "return": self.tr("Points returned"), "expire": self.tr("Expired"), "import": self.tr("Imported"),
            "donate": self.tr("Donation"),
            "draw": self.tr("Lottery draw"), "draw_win": self.tr("Draw prize"),
        }

    def tier_reason(self, change: TierChange) -> str:
        if change.reason == "upgrade":
            return self.tr("Upgrade")
        if change.reason == "review":
            return self.tr("Yearly review")
        if change.reason.startswith("manual:"):
            return self.tr("Set by hand: %1").replace("%1", change.reason[len("manual:"):].strip())
        return change.reason

    def describe(self, e: HistoryEntry) -> str:
        """A translated one-line account of an entry, from its stored breakdown."""
        b = e.breakdown
        if e.kind == "earn":
            parts = [self.tr("purchase %1").replace("%1", str(b.get("credited_purchase", 0)))]
            names = {"first_purchase": self.tr("first purchase"), "birthday": self.tr("birthday")}
            parts += [f"{names.get(x['id'], x['id'])} +{x['points']}" for x in b.get("bonuses", [])]
            mults = [f"×{m['multiplier']}" for m in b.get("sale_multipliers", []) if m["multiplier"] != "1"]
            text = ", ".join(parts) + (f" ({' '.join(mults)})" if mults else "")
            if b.get("flags"):
                text += "; " + self.tr("capped")
            return text
        if e.kind == "redeem":
            return self.tr("paid %1 yuan").replace("%1", format_fen(int(b.get("value_fen", 0))))
        if e.kind == "gift":
            gift = self.terminal.program.gift(str(b.get("gift", "")))
            name = (gift.name_zh if self.language == "zh_CN" else gift.name_en) if gift else str(b.get("gift", ""))
            cash = int(b.get("cash_fen") or 0)
            return name + (" + " + self.tr("%1 yuan").replace("%1", format_fen(cash)) if cash else "")
        if e.kind == "award":
            return self.tr("award: %1").replace("%1", award_name(str(b.get("award", ""))))
        if e.kind == "adjust":
            return self.tr("%1 (approved by %2)").replace("%1", str(b.get("reason", ""))).replace(
                "%2", str(b.get("approved_by", "")))
        if e.kind == "clawback":
            text = self.tr("refund %1").replace("%1", str(b.get("refund_no", "")))
            if b.get("shortfall"):
                text += "; " + self.tr("owed %1").replace("%1", str(b["shortfall"]))
            return text
        if e.kind == "return":
            return self.tr("refund %1").replace("%1", str(b.get("refund_no", "")))
        if e.kind == "donate":
            campaign = self.terminal.repo.campaign(str(b.get("campaign", "")))
            name = campaign.name(self.language) if campaign else str(b.get("campaign", ""))
            return self.tr("donated to %1 (%2 yuan)").replace("%1", name).replace(
                "%2", format_fen(int(b.get("yuan_fen") or 0)))
        if e.kind == "expire":
            return self.tr("points past their expiry date")
        if e.kind == "import":
            return self.tr("earned on %1").replace("%1", str(b.get("earned_on", "")))
        if e.kind in ("draw", "draw_win"):
            return self._draw_text(e)
        return e.summary

    def _draw_text(self, e: HistoryEntry) -> str:
        """A draw's campaign and prize by name (the campaign version it was drawn under)."""
        b = e.breakdown
        campaign = self.terminal.repo.campaign(str(b.get("campaign", "")), int(b.get("version") or 0) or None)
        name, prize = str(b.get("campaign", "")), str(b.get("prize", ""))
        if campaign is not None:
            name = campaign.name(self.language)
            found = campaign.body.prize(prize) if isinstance(campaign.body, DrawBody) else None
            prize = found.name(self.language) if found else prize
        if e.kind == "draw":
            return self.tr("%1: %2").replace("%1", name).replace("%2", prize)
        return self.tr("won %1").replace("%1", prize)

    # -- search and detail -----------------------------------------------------------------------
    def search(self, text: str) -> bool:
        """By phone, card or name; a single match opens at once."""
        try:
            self.results = members.search_members(self.terminal, text)
        except PosError as exc:
            self._fail(exc)
            return False
        if not self.results:  # a card or phone number this till does not hold: headquarters may
            with contextlib.suppress(PosError):
                self.results = [online.identify(self.terminal, text).member]
        self.results_changed.emit()
        if not self.results:
            self.error_raised.emit(self.tr("No member matches %1.").replace("%1", text.strip()))
            return False
        if len(self.results) == 1:
            return self.open(self.results[0].id)
        return True

    def open(self, member_id: int) -> bool:
        member = self.terminal.repo.member_by_id(member_id)
        if member is None:
            self._fail(NotFound("member", f"no member with id {member_id}"))
            return False
        if self.member is None or self.member.id != member_id:
            self.kind_filter = self.date_from = self.date_to = None
            try:  # identified on this screen: headquarters first when this till's copy is stale
                found = online.identify(self.terminal, member.uuid)
            except PosError as exc:
                self._fail(exc)
                return False
            member, self.member_offline = found.member, found.offline
        self.picture = members.member_picture(self.terminal, member, lots=True)
        self.referrer = self.terminal.repo.member_by_id(member.referrer_id) if member.referrer_id else None
        self.tier_changes = members.tier_history(self.terminal, member.id)
        self.member_opened.emit()
        self._load_history()
        return True

    def open_scanned(self, text: str) -> bool:
        """The member of a scanned card, member code or phone number (headquarters first when
        this till's copy is stale)."""
        try:
            member = online.identify(self.terminal, text).member
        except PosError as exc:
            self._fail(exc)
            return False
        return self.open(member.id)

    def card_of_code(self, code: str, field: str = "referrer") -> str | None:
        """The card number a member code (会员码) stands for, the code verified (and a revoked
        card refused), for a form's field that takes a card number."""
        try:
            return scans.identify_member(self.terminal, code, field=field).card_no
        except PosError as exc:
            self._fail(exc)
            return None

    def reload(self) -> None:
        """After anything may have changed the member (a sale, a refund, another screen)."""
        if self.member is not None:
            self.open(self.member.id)

    def clear(self) -> None:
        """Nothing of the last member stays on screen (a new cashier logs in)."""
        self.results = []
        self.picture = None
        self.referrer = None
        self.tier_changes = []
        self.history = []
        self.history_truncated = False
        self.kind_filter = self.date_from = self.date_to = None
        self.results_changed.emit()
        self.member_opened.emit()
        self.history_changed.emit()

    # -- history ---------------------------------------------------------------------------------
    def _parse_day(self, text: str, field: str) -> dt.date | None:
        text = text.strip()
        if not text:
            return None
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            raise InvalidInput(field, f"not a date: {text!r}") from None

    def set_history_filter(self, kind: str | None, date_from: str = "", date_to: str = "") -> bool:
        """Kind (``None`` for all) and business dates ``YYYY-MM-DD`` (empty for open-ended)."""
        try:
            if kind is not None and kind not in HISTORY_KINDS:
                raise InvalidInput("kind", f"not a ledger entry kind: {kind!r}")
            start = self._parse_day(date_from, "date_from")
            end = self._parse_day(date_to, "date_to")
        except InvalidInput:
            self.error_raised.emit(self.tr("Dates are written like 2026-11-03."))
            return False
        if start and end and start > end:
            self.error_raised.emit(self.tr("The end date is before the start date."))
            return False
        self.kind_filter, self.date_from, self.date_to = kind, start, end
        self._load_history()
        return True

    def _query(self, limit: int | None) -> list[HistoryEntry]:
        assert self.member is not None
        return members.member_history(self.terminal, self.member.id,
                                      kinds=(self.kind_filter,) if self.kind_filter else None,
                                      date_from=self.date_from, date_to=self.date_to, limit=limit)

    def _load_history(self) -> None:
        """Headquarters' history (every store's entries, paged) when the till is enrolled and no
        filter is set, fetched off the UI thread; this till's ledger otherwise, or when
        headquarters does not answer (``history_offline``)."""
        self._history_generation += 1
        self._hq_next = None
        self.history_offline = False
        member = self.member
        if member is not None and self.kind_filter is None and self.date_from is None and self.date_to is None:
            try:
                client = online.history_client(self.terminal)
            except online.LookupUnavailable:
                client = None
            if client is not None:
                self._fetch_history(client, member.uuid, None, self._history_generation)
                return
        self._load_local_history()

    def _load_local_history(self) -> None:
        self.history_source = "local"
        self.history_loading = False
        if self.member is None:
            self.history = []
            self.history_truncated = False
        else:
            found = self._query(HISTORY_LIMIT + 1)
            self.history_truncated = len(found) > HISTORY_LIMIT
            self.history = found[:HISTORY_LIMIT]
        self.history_changed.emit()

    @property
    def history_more(self) -> bool:
        """Headquarters holds older entries than those shown (``load_more_history``)."""
        return self.history_source == "hq" and self._hq_next is not None

    def load_more_history(self) -> bool:
        """The next (older) page of headquarters' history."""
        member = self.member
        if member is None or not self.history_more or self.history_loading:
            return False
        try:
            client = online.history_client(self.terminal)
        except online.LookupUnavailable:
            return False
        self._fetch_history(client, member.uuid, self._hq_next, self._history_generation)
        return True

    def _fetch_history(self, client: HQClient, member_uuid: str, before: int | None, generation: int) -> None:
        self.history_loading = True
        task = Task(lambda _progress: online.history_page(client, member_uuid, before=before,
                                                          limit=online.HISTORY_PAGE))

        def done(page: online.HistoryPage) -> None:
            self._tasks.discard(task)
            if generation != self._history_generation or self.member is None:
                return  # another member or filter since
            self.history_loading = False
            if before is None:
                balance = page.balance if page.balance is not None else self.member.balance
                self.history = online.as_history(page.entries, balance)
            else:
                last = self.history[-1] if self.history else None
                start = last.balance_after - last.points if last else 0
                self.history = self.history + online.as_history(page.entries, start)
            self.history_source = "hq"
            self.history_truncated = False
            self._hq_next = page.next_before
            self.history_changed.emit()

        def failed(exc: BaseException) -> None:
            self._tasks.discard(task)
            if generation != self._history_generation:
                return
            self.history_offline = True
            if before is None:
                self._load_local_history()
            else:
                self.history_loading = False
                self.history_changed.emit()

        self._tasks.add(task)
        task.success(done).failure(failed).run(self.pool)

    def csv_headers(self) -> list[str]:
        return [self.tr("Business date"), self.tr("Time"), self.tr("Kind"), self.tr("Points"),
                self.tr("Balance after"), self.tr("Reference"), self.tr("Details"), self.tr("Staff"),
                self.tr("Entry ID")]

    def export_csv(self, path: str | Path) -> bool:
        """The history as filtered now, every entry (not only those on screen), to ``path``.
        The file is written on the pool; ``export_finished`` or ``error_raised`` follows."""
        member = self.member
        if member is None or not str(path).strip():
            return False
        if self.exporting:
            self.error_raised.emit(self.tr("An export is still running."))
            return False
        entries = self._query(None)
        # everything that reads the database or translates is done here, on the UI thread
        headers, kinds = self.csv_headers(), self.kind_names()
        texts = {e.id: self.describe(e) for e in entries}
        target = Path(path)
        if target.suffix.lower() != ".csv":
            target = target.with_name(target.name + ".csv")
        task = Task(lambda _progress: members.write_history_csv(target, entries, headers=headers, kind_names=kinds,
                                                                describe=lambda e: texts[e.id]))

        def done(rows: int) -> None:
            self._tasks.discard(task)
            self.exporting = False
            try:
                members.record_history_export(self.terminal, member.id, path=target, rows=rows,
                                              staff_code=self._staff_code())
            except PosError as exc:
                self._fail(exc)
            self.export_finished.emit(str(target), rows)

        def failed(exc: BaseException) -> None:
            self._tasks.discard(task)
            self.exporting = False
            if isinstance(exc, PosError) and exc.field == "file":
                self.error_raised.emit(self.tr("Could not write %1.").replace("%1", str(target)))
            else:
                self.error_raised.emit(message(exc))

        self.exporting = True
        self._tasks.add(task)  # the task must outlive this call until its result is delivered
        task.success(done).failure(failed).run(self.pool)
        return True

    # -- register --------------------------------------------------------------------------------
    def register(self, *, phone: str, name: str, birthday: str = "", referrer: str = "", consent: bool = False,
                 card_no: str = "") -> MemberRecord | None:
        """Register a member. A person with the same name and birthday is shown first
        (``similar_found``); registering the same details again confirms."""
        self.similar = []
        if not consent:
            self.error_raised.emit(self.tr("The member must agree to the program's terms (tick the box)."))
            return None
        try:
            phone_no = normalize_phone(phone)
            validate_name(name)
            existing = self.terminal.repo.member_by_phone(phone_no)
            if existing is not None:
                raise Conflict("phone", f"{phone_no} is already a member", phone=phone_no)
            key = (name.strip(), birthday.strip())
            similar = members.similar_members(self.terminal, name, birthday.strip() or None,
                                              card_no=card_no.strip() or None)
            if similar and self._similar_confirmed != key:
                self.similar = similar
                self._similar_confirmed = key
                self.similar_found.emit(similar)
                return None
            member = members.enroll_member(
                self.terminal, phone=phone, name=name, birthday=birthday.strip() or None,
                card_no=card_no.strip() or None, referrer=referrer.strip() or None, consent=True,
                staff_code=self._staff_code())
        except Conflict as exc:
            self._fail(exc)
            if exc.field == "phone":
                existing = self.terminal.repo.member_by_phone(str(exc.params.get("phone", "")))
                if existing is not None:
                    self.duplicate_found.emit(existing)
            return None
        except PosError as exc:
            self._fail(exc)
            return None
        self._similar_confirmed = None
        self.member_registered.emit(member)
        self.open(member.id)
        return member

    def forget_similar(self) -> None:
        """The form was changed or left: a later duplicate warning must be confirmed again."""
        self._similar_confirmed = None
        self.similar = []

    # -- edit and status ----------------------------------------------------------------------------
    def update(self, *, name: str, birthday: str, phone: str) -> MemberRecord | None:
        member = self.member
        if member is None:
            return None
        try:
            updated = members.update_member(self.terminal, member_ref=member.card_no, name=name,
                                            birthday=birthday.strip(), phone=phone,
                                            staff_code=self._staff_code())
        except PosError as exc:
            self._fail(exc)
            return None
        self.open(updated.id)
        self.member_updated.emit(updated)
        return updated

    def may_change_status(self) -> bool:
        """Freezing is a store manager's decision; says so to anyone else."""
        if self._is_manager():
            return True
        self.error_raised.emit(self.tr("Only a store manager may freeze or unfreeze a member."))
        return False

    def awards(self) -> list[tuple[str, int, str]]:
        """The behaviour awards staff may grant here (id, points, its limit as text): the program's
        awards but the automatic ones (sign-up, referral, profile completed, check-in)."""
        try:
            program = self.terminal.program
        except PosError:
            return []
        out = []
        for a in program.awards:
            if a.on_enroll or a.referral or a.check_in or a.id == members.PROFILE_AWARD:
                continue
            limit = (self.tr("once per member") if a.once else
                     self.tr("%1 a day").replace("%1", str(a.daily_limit)) if a.daily_limit else "")
            out.append((a.id, a.points, limit))
        return out

    def grant_award(self, award_id: str, reason: str) -> MemberRecord | None:
        """A behaviour award for the open member, with what they did; the program's limits are
        the service's to check (a refusal says which)."""
        member = self.member
        if member is None:
            return None
        try:
            updated = members.award_behaviour(self.terminal, member_ref=member.card_no, award_id=award_id,
                                              staff_code=self._staff_code(), reason=reason or None)
        except PosError as exc:
            self._fail(exc)
            return None
        self.open(updated.id)
        return updated

    def set_frozen(self, frozen: bool, reason: str) -> MemberRecord | None:
        """Freeze or unfreeze the open member; store managers only, and a reason is required."""
        member = self.member
        if member is None:
            return None
        if not self.may_change_status():
            return None
        if not reason.strip():
            self.error_raised.emit(self.tr("Please give a reason."))
            return None
        try:
            updated = members.set_status(self.terminal, member_ref=member.card_no,
                                         status="frozen" if frozen else "active", reason=reason,
                                         staff_code=self._staff_code())
        except PosError as exc:
            self._fail(exc)
            return None
        self.open(updated.id)
        self.status_changed.emit(updated)
        return updated
