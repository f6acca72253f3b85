"""Campaigns as data: a donation drive or a lottery draw, defined by headquarters in a small
TOML file and published like a program version (``pos-hq campaign publish FILE``).

A campaign file has common fields and one table named after its kind, read by the validator
that kind registered (``register_kind``): ``core.donations`` reads ``[donation]``,
``core.draws`` reads ``[draw]``. Like a program, every value is checked and an error names its
field (``donation.goal_points``); unknown keys are refused; a version is immutable (the
digest of its text identifies it), and a campaign's later version replaces the earlier one.

    format = 1
    id = "DONATE-2026-WINTER"
    kind = "donation"
    version = 1
    name_zh = "冬季助学捐赠"
    name_en = "Winter school donation"
    starts_on = 2026-12-01
    ends_on = 2027-02-28          # inclusive
    stores = ["S001", "S002"]     # optional; absent: every store

    [donation]
    ...
"""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pos_app.core.errors import CampaignError, ProgramError
from pos_app.core.program import FieldReader

FORMAT_VERSION = 1
#: a campaign's id: letters, digits, - and _, up to 40 (``DONATE-2026-WINTER``)
CAMPAIGN_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_\-]{0,39}$")
#: a store id as headquarters issues them (``sync.protocol.ID_RE``)
STORE_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_\-]{0,31}$")
#: the modules whose import registers a kind's validator (imported at the first parse)
KIND_MODULES: tuple[str, ...] = ("pos_app.core.donations", "pos_app.core.draws")

#: Reads a campaign's kind table (``FieldReader`` of ``[<kind>]``) and returns its body, a frozen
#: dataclass; raises ``ProgramError``/``CampaignError`` naming the field (``<kind>.<key>``). The
#: reader's ``done()`` (unknown keys) is called after it returns.
Validator = Callable[[FieldReader], Any]

_validators: dict[str, Validator] = {}
_loaded = False


def register_kind(kind: str, validator: Validator) -> None:
    """Make ``kind`` a campaign kind whose ``[kind]`` table ``validator`` reads."""
    _validators[kind] = validator


def kinds() -> tuple[str, ...]:
    """The campaign kinds this build reads."""
    _load_kinds()
    return tuple(sorted(_validators))


def _load_kinds() -> None:
    global _loaded
    if not _loaded:
        for name in KIND_MODULES:
            importlib.import_module(name)
        _loaded = True


@dataclass(frozen=True)
class Campaign:
    campaign_id: str
    kind: str
    version: int
    name_zh: str
    name_en: str
    starts_on: dt.date
    ends_on: dt.date  # inclusive
    stores: tuple[str, ...]  # empty: every store
    body: Any  # the kind's frozen dataclass (core.donations.Donation, core.draws ...)
    source: str = ""

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.source.encode("utf-8")).hexdigest()

    def name(self, language: str) -> str:
        return self.name_zh if language == "zh_CN" else self.name_en

    def for_store(self, store_id: str) -> bool:
        return not self.stores or store_id in self.stores

    def state_on(self, day: dt.date) -> str:
        """``upcoming`` before its first day, ``running`` from it to its last day, then ``ended``."""
        if day < self.starts_on:
            return "upcoming"
        return "running" if day <= self.ends_on else "ended"

    def in_force(self, day: dt.date, store_id: str) -> bool:
        return self.state_on(day) == "running" and self.for_store(store_id)


def parse_campaign(source: str) -> Campaign:
    """Parse and validate a campaign file; raises ``CampaignError`` naming the first bad field."""
    try:
        return _parse(source)
    except CampaignError:
        raise
    except ProgramError as exc:  # the shared field reader's errors, as the campaign's
        raise CampaignError(exc.field, exc.message, **exc.params) from None


def _parse(source: str) -> Campaign:
    if not isinstance(source, str):
        raise CampaignError("campaign", "must be text")
    try:
        data = tomllib.loads(source)
    except tomllib.TOMLDecodeError as exc:
        raise CampaignError("campaign", f"is not valid TOML: {exc}") from None
    _load_kinds()
    root = FieldReader(data, "")
    fmt = root.whole("format", lo=1, hi=10**6)
    if fmt != FORMAT_VERSION:
        raise CampaignError("format", f"this version reads campaign format {FORMAT_VERSION}, got {fmt}")
    campaign_id = root.text("id")
    if not CAMPAIGN_ID_RE.match(campaign_id):
        raise CampaignError("id", f"1 to 40 letters, digits, - or _, got {campaign_id!r}")
    kind = root.text("kind")
    validator = _validators.get(kind)
    if validator is None:
        raise CampaignError("kind", f"must be one of {', '.join(sorted(_validators))}, got {kind!r}")
    version = root.whole("version", lo=1, hi=10**9)
    name_zh = _name(root, "name_zh")
    name_en = _name(root, "name_en")
    starts_on = root.date("starts_on")
    if starts_on is None:
        raise CampaignError("starts_on", "is required (a date such as 2026-12-01)")
    ends_on = root.date("ends_on")
    if ends_on is None:
        raise CampaignError("ends_on", "is required (a date such as 2027-02-28)")
    if ends_on < starts_on:
        raise CampaignError("ends_on", f"must not be before starts_on ({starts_on.isoformat()}), got {ends_on}")
    stores = _stores(root)
    body_reader = root.table(kind)
    body = validator(body_reader)
    body_reader.done()
    root.done()
    return Campaign(campaign_id=campaign_id, kind=kind, version=version, name_zh=name_zh, name_en=name_en,
                    starts_on=starts_on, ends_on=ends_on, stores=stores, body=body, source=source)


def _name(r: FieldReader, key: str) -> str:
    text = str(r.text(key)).strip()
    if len(text) > 80:
        raise CampaignError(key, f"at most 80 characters, got {len(text)}")
    return text


def _stores(r: FieldReader) -> tuple[str, ...]:
    if not r.has("stores"):
        return ()
    stores = r.str_list("stores")
    if not stores:
        raise CampaignError("stores", "an empty list names no store; leave it out for every store")
    seen: set[str] = set()
    for i, store in enumerate(stores):
        if not STORE_ID_RE.match(store):
            raise CampaignError(f"stores[{i}]", f"not a store id: {store!r}")
        if store in seen:
            raise CampaignError(f"stores[{i}]", f"store {store!r} is listed twice")
        seen.add(store)
    return stores


def latest_versions(campaigns: list[Campaign]) -> list[Campaign]:
    """The highest version of each campaign id, ordered by first day, then id."""
    best: dict[str, Campaign] = {}
    for c in campaigns:
        if c.campaign_id not in best or best[c.campaign_id].version < c.version:
            best[c.campaign_id] = c
    return sorted(best.values(), key=lambda c: (c.starts_on, c.campaign_id))
