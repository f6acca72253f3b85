"""Receiving a terminal's push: entries and events into headquarters' tables and projections.

A push is one transaction, all or nothing. Every field of every entry and event is checked
first against the schema the tills share (``sync.protocol.check_push``: a 422 naming the
field, nothing written). Then entries are checked against what headquarters
holds for the terminal (sequence and hash chain), then applied to the members' lots with
the same rule the terminals use (``core.replica.apply_entry``). The work is done in
memory for the whole batch: the affected members and their lots are read with a few
queries, the entries applied one after the other, and the results written back with one
statement per table, so a batch of 500 entries costs a dozen round trips, not thousands.

Where two tills spent the same points offline, headquarters keeps the debit (the till
honoured it), lets the member go into debt and writes an explicit ``overdraft`` entry in
its own chain (terminal id ``HQ``); where two machines expired the same lot, it writes an
``expire_fix`` entry that gives the points back. Both are listed as ``Flag`` rows.

The parts: ``projection`` (members and lots in memory, headquarters' own chain, bulk writes),
``events`` (member records, coupons, gift stock, tiers), ``flags`` (once-only bonuses given
twice, limits crossed by two tills); this module checks the batch against the terminal's
chain and puts them together.

Concurrency (PostgreSQL, where pushes of different terminals run in parallel): balances and
lots are computed in memory and written back as values, so every row they come from is
locked until the commit, always in the same order: the pushing terminal's row, the
members' rows (``FOR UPDATE``, in uuid order), the ``HQ`` chain's row if an overdraft or
expiry fix is written, coupon and gift stock rows. No lock orders the change feed (see
``feed``): the push's changes are written last, fanned out to the members' home stores and
subscribed tills, after the pushing till has been subscribed to the other stores' members
it pushed for. Lots are only changed by a transaction holding their member's lock. On SQLite
``db.writing`` serialises writers.
"""

from __future__ import annotations

import json
from typing import Any

from pos_app.core.chain import canonical_json
from pos_app.core.errors import Conflict, PosError
from pos_app.core.replica import Effects
from pos_app.hq import db, feed, simulation
from pos_app.hq.events import apply_member_events, event_member, other_event
from pos_app.hq.flags import flag_crossed_limits, flag_double_bonuses, flag_draws
from pos_app.hq.projection import Projection, append_hq_entry, for_update, tuples
from pos_app.sync import protocol

__all__ = ["Projection", "SequenceGap", "append_hq_entry", "push"]


class SequenceGap(PosError):
    """The batch does not start where headquarters' copy of the terminal's chain ends."""

    code = "sequence_gap"

    def __init__(self, *, expected_seq: int, acked_oid: int, field: str = "entries[0].seq",
                 message: str | None = None) -> None:
        super().__init__(field, message or f"headquarters expects sequence {expected_seq} next",
                         expected_seq=expected_seq, acked_oid=acked_oid)


# -- push -----------------------------------------------------------------------------------------


def push(terminal: db.Terminal, body: object, *, body_digest: str, idempotency_key: str) -> dict[str, Any]:
    """Receive one batch from ``terminal`` (already authenticated) in one transaction.

    A retry of a batch already received (same key, same body) gets the first answer again;
    the same key with another body is a conflict. See the module docstring for the rest.
    """
    with db.writing(db.proxy.obj):
        term = for_update(db.Terminal.select().where(db.Terminal.id == terminal.id)).get()
        held = db.Batch.get_or_none(db.Batch.id == idempotency_key)
        if held is not None:
            if held.terminal_id != term.id or held.body_digest != body_digest:
                raise Conflict("Idempotency-Key", "this key was used for a different batch")
            return dict(json.loads(held.response))
        batch_id, entries, events = protocol.check_push(body, terminal_id=term.id, store_id=term.store_id)
        if batch_id != idempotency_key:
            raise Conflict("Idempotency-Key", "the key must equal the batch's batch_id")
        new_entries, dup_entries = _split_entries(term, entries)
        new_events, dup_events = _split_events(term, events)
        response = _apply(term, batch_id, new_entries, new_events)
        response["duplicates"] = dup_entries + dup_events
        db.Batch.insert(id=idempotency_key, terminal_id=term.id, body_digest=body_digest,
                        response=canonical_json(response), received_at=db.utcnow(),
                        entries=len(new_entries)).execute()
        return response


def _split_entries(term: db.Terminal, entries: list[tuple[dict[str, Any], Effects]]
                   ) -> tuple[list[tuple[int, dict[str, Any], Effects]], int]:
    """Entries headquarters holds already (checked to be the same) and the new ones (checked
    to continue the chain). Returns the new ones with their batch index, and the duplicates."""
    last_seq = int(term.last_seq)
    old = [(i, f) for i, (f, _) in enumerate(entries) if f["seq"] <= last_seq]
    if old:
        E = db.Entry
        held = {seq: digest for seq, digest in tuples(E.select(E.seq, E.hash).where(
            (E.terminal_id == term.id) & (E.seq.between(old[0][1]["seq"], old[-1][1]["seq"]))))}
        for i, f in old:
            if held.get(f["seq"]) != f["hash"]:
                raise Conflict(f"entries[{i}]", "a different entry with this sequence is held", seq=f["seq"])
    new = [(i, f, e) for i, (f, e) in enumerate(entries) if f["seq"] > last_seq]
    if new:
        i, first, _ = new[0]
        if first["seq"] != last_seq + 1:
            raise SequenceGap(expected_seq=last_seq + 1, acked_oid=int(term.last_oid), field=f"entries[{i}].seq")
        if first["prev_hash"] != term.last_hash:
            raise Conflict(f"entries[{i}].prev_hash", "the entry does not follow the last entry headquarters"
                           " holds for this terminal", expected_seq=last_seq + 1)
    seen: set[str] = set()
    for i, f, _ in new:
        if f["uuid"] in seen:
            raise Conflict(f"entries[{i}].uuid", "the batch holds two entries with this uuid")
        seen.add(f["uuid"])
    return new, len(old)  # a new entry whose uuid is held already fails its insert (see Projection.write)


def _split_events(term: db.Terminal, events: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], int]:
    """Events already received (outbox id not above the terminal's last) are skipped, after
    checking they are the same; the rest are new. An event under an outbox id headquarters
    passed without receiving one (a till's entry row had it) is refused: the till numbered its
    outbox again (rebuilt, or restored from an older backup) and the event would be lost as a
    "duplicate"; the till moves it past what HQ holds when it takes its history back."""
    last_oid = int(term.last_oid)
    old = [(i, ev) for i, ev in enumerate(events) if ev["oid"] <= last_oid]
    if old:
        E = db.Event
        held = {oid: (kind, ref) for oid, kind, ref in tuples(E.select(E.oid, E.kind, E.ref).where(
            (E.terminal_id == term.id) & E.oid.in_([ev["oid"] for _, ev in old])))}
        for i, ev in old:
            if ev["oid"] not in held:
                raise Conflict(f"events[{i}].oid", "headquarters holds later events of this till but none under"
                               " this outbox id: the till's outbox was numbered again (rebuilt or restored);"
                               " it sends the event again after it took its history back", oid=ev["oid"],
                               acked_oid=last_oid)
            if held[ev["oid"]] != (ev["kind"], ev["ref"]):
                raise Conflict("events", "a different event with this outbox id is held", oid=ev["oid"])
    return [ev for ev in events if ev["oid"] > last_oid], len(old)


def _apply(term: db.Terminal, batch_id: str, entries: list[tuple[int, dict[str, Any], Effects]],
           events: list[dict[str, Any]]) -> dict[str, Any]:
    proj = Projection()
    store_id = term.store_id
    member_events = [ev for ev in events if ev["kind"] == "member"]
    other_events = [ev for ev in events if ev["kind"] != "member"]
    entry_members = {f["member_uuid"] for _, f, _ in entries}
    event_members = {event_member(ev) for ev in member_events}
    # the members the other events name (a coupon issued, a gift redeemed, a sale) are locked
    # with the rest, in the same order: the push subscribes the till to them and fans their
    # changes out under their row locks (see ``feed``)
    named = {ev["payload"]["member"] for ev in other_events if isinstance(ev["payload"].get("member"), str)}
    proj.load_members(entry_members | event_members | named
                      | {ev["ref"] for ev in other_events if ev["kind"] == "tier"})
    created = proj.ensure_members(entry_members | event_members, store_id=store_id)
    for _, f, _ in entries:  # an entry naming a member HQ never heard of: kept, and flagged once
        if f["member_uuid"] in created - event_members:
            created.discard(f["member_uuid"])
            proj.flag("unknown_member", store_id=store_id, terminal_id=term.id, member_uuid=f["member_uuid"],
                      ref=f["uuid"], details={"note": "an entry names a member headquarters has no record of"})
    apply_member_events(proj, term, member_events)
    proj.load_lots((), [k for _, _, e in entries for k, _ in (*e.back, *e.taken)])
    for i, f, e in entries:
        applied = proj.apply(f, e, store_id=store_id, batch_id=batch_id, name=f"entries[{i}]")
        proj.check_double_spend(f, e, applied, store_id=store_id)
    flag_double_bonuses(proj, term, [f for _, f, _ in entries])
    flag_crossed_limits(proj, term, [f for _, f, _ in entries])
    flag_draws(proj, term, [f for _, f, _ in entries])
    for ev in other_events:
        other_event(proj, term, ev)
    proj.write()
    now = db.utcnow()
    feed.bulk_insert(db.Event, ("terminal_id", "oid", "store_id", "kind", "ref", "payload", "created_at",
                                "received_at"),
                     [(term.id, ev["oid"], store_id, ev["kind"], ev["ref"], canonical_json(ev["payload"]),
                       ev["created_at"], now) for ev in events])
    simulation.write_sale_facts(term.id, store_id, [ev for ev in events if ev["kind"] == "sale"])
    if entries:
        term.last_seq = entries[-1][1]["seq"]
        term.last_hash = entries[-1][1]["hash"]
    if events:
        term.last_oid = events[-1]["oid"]
    db.Terminal.update(last_seq=term.last_seq, last_hash=term.last_hash, last_oid=term.last_oid,
                       last_push_at=now, last_seen_at=now).where(db.Terminal.id == term.id).execute()
    # the till holds the other stores' members it pushed for: it gets their changes from now on
    # (this push's own included: subscribed before the fan-out, under the members' row locks)
    foreign = [u for u, m in proj.members.items() if m.store_id and m.store_id != store_id]
    if foreign:
        feed.subscribe_many(term.id, foreign, at=now)
    proj.changes.flush(locked=proj.members)
    return {"batch_id": batch_id, "acked_seq": int(term.last_seq), "acked_oid": int(term.last_oid),
            "inserted": len(entries) + len(events), "duplicates": 0}
