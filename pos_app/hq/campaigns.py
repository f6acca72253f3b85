"""Campaigns at headquarters (``core.campaigns``: donation drives, lottery draws): validated,
kept (``db.Campaign``, migration 10) and sent to every till by the change feed, one ``campaign``
change per version (audience ``*``: a campaign limited to some stores is still held by every
till, which checks ``stores`` itself). A till that starts from a snapshot gets every version
with the snapshot's global data (``feed._globals``).

A version is immutable: publishing the same text again changes nothing, other text under a
version is a ``Conflict``, and a version not above the campaign's highest is refused; a
campaign keeps its kind."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from pos_app.core.campaigns import Campaign, latest_versions, parse_campaign
from pos_app.core.draws import fits_program
from pos_app.core.errors import Conflict
from pos_app.core.money import format_fen
from pos_app.hq import db, feed
from pos_app.hq.authority import _audit, _database, _local_now, active_program

_parsed: dict[str, Campaign] = {}


def parsed(source: str, digest: str) -> Campaign:
    """A stored campaign, parsed once per process (keyed by its digest: a version is immutable)."""
    campaign = _parsed.get(digest)
    if campaign is None:
        campaign = _parsed[digest] = parse_campaign(source)
    return campaign


def wire(row: db.Campaign) -> dict[str, Any]:
    """A stored campaign version as the feed carries it."""
    return {"campaign_id": row.campaign_id, "version": int(row.version), "source": row.source,
            "published_at": row.published_at}


def all_wire() -> list[dict[str, Any]]:
    """Every campaign version, oldest first, as feed changes' data (a snapshot's global data)."""
    C = db.Campaign
    return [wire(row) for row in C.select().order_by(C.campaign_id, C.version)]


def publish_campaign(source: str, *, actor: str) -> tuple[Campaign, bool]:
    """Validate a campaign file and send it to every till (audited ``campaign.publish``).
    Returns the campaign and whether it was new (False: this very text was published before)."""
    campaign = parse_campaign(source)  # CampaignError naming the field; nothing written
    fits_program(campaign, active_program())  # a draw's prizes against the program in force
    C = db.Campaign
    with db.writing(_database()):
        same = C.get_or_none((C.campaign_id == campaign.campaign_id) & (C.version == campaign.version))
        if same is not None:
            if same.digest != campaign.digest:
                raise Conflict("version", f"version {campaign.version} of campaign {campaign.campaign_id} was"
                               " published with a different text; publish it under a new version")
            return campaign, False
        top = C.select().where(C.campaign_id == campaign.campaign_id).order_by(C.version.desc()).first()
        if top is not None and top.version >= campaign.version:
            raise Conflict("version", f"version {campaign.version} is not above version {top.version} of campaign"
                           f" {campaign.campaign_id}")
        if top is not None and top.kind != campaign.kind:
            raise Conflict("kind", f"campaign {campaign.campaign_id} is a {top.kind} campaign, not {campaign.kind}")
        row = C.create(campaign_id=campaign.campaign_id, version=campaign.version, kind=campaign.kind,
                       source=source, digest=campaign.digest, published_at=db.utcnow(), published_by=actor)
        _audit(actor, "campaign.publish", f"{campaign.campaign_id}:{campaign.version}", digest=campaign.digest,
               kind=campaign.kind)
        feed.publish("campaign", f"{campaign.campaign_id}:{campaign.version}", wire(row))
    return campaign, True


def campaigns(kind: str | None = None) -> list[Campaign]:
    """The highest version of every campaign (of ``kind``), by first day then id."""
    C = db.Campaign
    query = C.select() if kind is None else C.select().where(C.kind == kind)
    return latest_versions([parsed(row.source, row.digest) for row in query])


def list_campaigns(kind: str | None = None, day: dt.date | None = None) -> list[dict[str, Any]]:
    """Every campaign's latest version with its state on ``day`` (today): upcoming, running, ended."""
    on = day or _local_now().date()
    C = db.Campaign
    published = {(r.campaign_id, int(r.version)): (r.published_at, r.published_by) for r in C.select()}
    out = []
    for c in campaigns(kind):
        at, by = published.get((c.campaign_id, c.version), (None, None))
        out.append({"id": c.campaign_id, "kind": c.kind, "version": c.version, "name_zh": c.name_zh,
                    "name_en": c.name_en, "starts_on": c.starts_on.isoformat(), "ends_on": c.ends_on.isoformat(),
                    "stores": ",".join(c.stores) or "*", "state": c.state_on(on), "published_at": at,
                    "published_by": by})
    return out


def donation_totals(campaign_id: str) -> dict[str, int]:
    """A campaign's donations across the chain: points, their worth in fen (each version's
    ``fen_per_point``), donors and donations. One range of the partial index ``entry_donate``
    (HQ migration 10) per campaign: ``ref_no`` is ``<id>@<version>``."""
    database = cast(Any, _database())
    p = database.param
    rows = database.execute_sql(
        f"SELECT ref_no, -sum(points), count(*) FROM entry WHERE kind = 'donate' AND ref_no >= {p} AND ref_no < {p}"
        " GROUP BY ref_no", (f"{campaign_id}@0", f"{campaign_id}@:")).fetchall()
    donors = database.execute_sql(
        f"SELECT count(DISTINCT member_uuid) FROM entry WHERE kind = 'donate' AND ref_no >= {p} AND ref_no < {p}",
        (f"{campaign_id}@0", f"{campaign_id}@:")).fetchone()[0]
    C = db.Campaign
    versions = {int(r.version): parsed(r.source, r.digest) for r in C.select().where(C.campaign_id == campaign_id)}
    points = yuan_fen = count = 0
    for ref_no, given, n in rows:
        version = versions.get(int(str(ref_no).rsplit("@", 1)[1]))
        points += int(given)
        count += int(n)
        if version is not None:
            yuan_fen += int(given) * version.body.fen_per_point
    return {"points": points, "yuan_fen": yuan_fen, "donors": int(donors or 0), "donations": count}


def donation_report(day: dt.date | None = None) -> list[dict[str, Any]]:
    """Per donation campaign (its latest version): points given across the chain, their worth in
    yuan, donors, donations and progress to the goal (whole percent, floored)."""
    on = day or _local_now().date()
    out = []
    for c in campaigns("donation"):
        totals = donation_totals(c.campaign_id)
        goal = int(c.body.goal_points)
        out.append({"campaign": c.campaign_id, "version": c.version, "name_zh": c.name_zh, "name_en": c.name_en,
                    "state": c.state_on(on), "goal_points": goal, **totals, "yuan": format_fen(totals["yuan_fen"]),
                    "progress_percent": totals["points"] * 100 // goal})
    return out
