"""Campaigns at the till (``core.campaigns``): the ones headquarters published arrive by the
change feed (``storage.replica``); a till without headquarters (demos, tests) loads a file by
hand. Each kind's use is its own service (``services.donations``, ``services.draws``)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from pos_app.core.campaigns import Campaign, parse_campaign
from pos_app.core.draws import fits_program
from pos_app.core.errors import CampaignError, NotFound, RuleViolation
from pos_app.services.context import Terminal
from pos_app.storage.ledger import iso
from pos_app.storage.paths import data_root


def demo_campaign_path(name: str) -> Path:
    """A campaign shipped in ``db/campaigns`` (``donation-demo.toml``)."""
    return data_root() / "db" / "campaigns" / name


def load_campaign(t: Terminal, source: str, *, staff_code: str | None = None) -> tuple[Campaign, bool]:
    """Validate a campaign file and keep it at this till (one transaction, audited
    ``campaign.load``). Returns the campaign and whether that version is new here."""
    campaign = parse_campaign(source)
    try:
        program = t.program
    except NotFound:  # no program loaded yet
        program = None
    fits_program(campaign, program)  # a draw's prizes against the program in force
    stamp = t.stamp(staff_code=staff_code)
    with t.database.transaction():
        new = t.repo.store_campaign(campaign, at=iso(stamp.recorded_at))
        t.ledger.audit("campaign.load", f"{campaign.campaign_id}@{campaign.version}",
                       {"digest": campaign.digest, "kind": campaign.kind, "new": new, "from": "file"}, stamp)
    return campaign, new


def load_campaign_file(t: Terminal, path: str | Path, *, staff_code: str | None = None) -> tuple[Campaign, bool]:
    p = Path(path)
    try:
        source = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CampaignError("file", f"cannot read {p}: {exc}") from None
    return load_campaign(t, source, staff_code=staff_code)


def campaign_summary(c: Campaign, *, day: dt.date, store_id: str) -> dict[str, Any]:
    """A campaign as the CLI and the window list it."""
    state = c.state_on(day) if c.for_store(store_id) else "other_stores"
    return {"id": c.campaign_id, "kind": c.kind, "version": c.version, "name_zh": c.name_zh, "name_en": c.name_en,
            "starts_on": c.starts_on.isoformat(), "ends_on": c.ends_on.isoformat(), "stores": list(c.stores),
            "state": state, "digest": c.digest}


def list_campaigns(t: Terminal, *, kind: str | None = None, day: dt.date | None = None) -> list[dict[str, Any]]:
    """Every campaign held here (its latest version), with its state on ``day`` (today) at this
    store: ``upcoming``, ``running``, ``ended`` or ``other_stores``."""
    on = day or t.clock().date()
    return [campaign_summary(c, day=on, store_id=t.store_id) for c in t.repo.campaigns(kind)]


def campaigns_in_force(t: Terminal, kind: str, day: dt.date | None = None) -> list[Campaign]:
    """The campaigns of ``kind`` running today (or on ``day``) at this till's store."""
    return t.repo.campaigns_in_force(kind, day or t.clock().date(), t.store_id)


def campaign_in_force(t: Terminal, campaign_id: str, kind: str, day: dt.date, *,
                      field: str = "campaign") -> Campaign:
    """The latest version of ``campaign_id``, which must be a ``kind`` campaign running on ``day``
    at this store; else an error naming ``field`` (``NotFound``, ``RuleViolation`` with
    ``reason``: ``kind``, ``upcoming``, ``ended``, ``store``)."""
    c = t.repo.campaign(campaign_id) if isinstance(campaign_id, str) else None
    if c is None:
        raise NotFound(field, f"no campaign {campaign_id!r} at this till")
    if c.kind != kind:
        raise RuleViolation(field, f"campaign {c.campaign_id} is a {c.kind} campaign, not a {kind} campaign",
                            reason="kind")
    if not c.for_store(t.store_id):
        raise RuleViolation(field, f"campaign {c.campaign_id} does not run at store {t.store_id}", reason="store")
    state = c.state_on(day)
    if state == "upcoming":
        raise RuleViolation(field, f"campaign {c.campaign_id} starts on {c.starts_on.isoformat()}",
                            reason="upcoming", starts_on=c.starts_on.isoformat())
    if state == "ended":
        raise RuleViolation(field, f"campaign {c.campaign_id} ended on {c.ends_on.isoformat()}",
                            reason="ended", ends_on=c.ends_on.isoformat())
    return c
