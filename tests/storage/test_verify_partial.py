"""``verify`` on a partial replica (own chain complete, other chains held in part), the signed
checkpoint and the incremental verify from it, and the canonical JSON SQLite builds for the fast pass."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from pos_app.cli import main
from pos_app.core.chain import GENESIS_HASH, HASHED_FIELDS, canonical_json, entry_hash
from pos_app.services import backup, demo, sales, verify
from pos_app.services.context import Terminal
from pos_app.storage import integrity
from tests.conftest import FakeClock
from tests.services.test_reference_examples import line

GOLD = "13800138000"


def foreign_chain(t: Terminal, terminal: str, length: int, held: list[int],
                  forge: dict[int, dict[str, Any]] | None = None) -> list[str]:
    """Another terminal's chain of ``length`` entries of which only the seqs in ``held`` are here (as a
    partial replica holds them), inserted in the order of ``held`` as given. The entries carry no
    points (their projections stay true); ``forge`` changes fields of an entry after its hash was made."""
    member_id, member_uuid = t.database.execute("SELECT id, uuid FROM member ORDER BY id LIMIT 1").fetchone()
    prev, rows, hashes = GENESIS_HASH, {}, []
    for seq in range(1, length + 1):
        fields: dict[str, Any] = {
            "uuid": f"{terminal}-{seq:06d}", "terminal_id": terminal, "seq": seq, "member_uuid": member_uuid,
            "kind": "adjust", "points": 0, "tier_points": 0, "ref_type": "adjust", "ref_no": f"{terminal}-{seq}",
            "program_version": 1, "breakdown": canonical_json({"note": "零"}), "created_at": "2026-11-01T10:00:00",
            "business_date": "2026-11-01", "recorded_at": "2026-11-01T10:00:00", "backdated": False,
            "staff_code": None, "prev_hash": prev}
        digest = entry_hash(fields)
        rows[seq] = {**fields, "hash": digest, **(forge or {}).get(seq, {})}
        hashes.append(digest)
        prev = digest
    for seq in held:
        r = rows[seq]
        t.database.execute(
            f"INSERT INTO ledger_entry (member_id, {', '.join(HASHED_FIELDS)}, hash)"
            f" VALUES (?, {', '.join('?' * len(HASHED_FIELDS))}, ?)",
            (member_id, *(int(r[f]) if f == "backdated" else r[f] for f in HASHED_FIELDS), r["hash"]))
    return hashes


@pytest.fixture
def till(terminal: Terminal) -> Terminal:
    demo.seed_demo(terminal)
    sales.record_sale(terminal, lines=[line(1, 20000)], member_ref=GOLD)
    return terminal


def chains(report: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = report["checks"]["hash_chains"]
    return result


def test_partial_copies_of_other_chains_pass_and_are_reported_apart(till: Terminal) -> None:
    own = till.database.execute("SELECT count(*) FROM ledger_entry WHERE terminal_id = 'T01'").fetchone()[0]
    foreign_chain(till, "T02", 10, [2, 3, 4, 7, 9, 10])  # no seq 1: the copy starts later
    foreign_chain(till, "T03", 5, [1, 2, 5])
    report = verify.verify(till)
    assert report["ok"], {k: v for k, v in report["checks"].items() if not v["ok"]}
    c = chains(report)
    assert c["own_chain"] == {"terminal_id": "T01", "complete": True, "entries": own, "last_seq": own,
                              "hash": c["own_chain"]["hash"]}
    assert c["other_chains"] == {"terminals": 2, "entries": 9, "partial": True}
    # links checked: the own chain's (from genesis), T02 2-3, 3-4, 9-10, T03 genesis-1, 1-2
    assert c["links_checked"] == own + 3 + 2


def test_a_broken_link_of_a_foreign_chain_is_found_where_both_ends_are_held(till: Terminal) -> None:
    # entry 4's prev_hash is forged (and its hash made over the forged content, so only the link is wrong)
    forged = {4: {"prev_hash": "f" * 64, "hash": entry_hash({**_fields("T02", 4, till), "prev_hash": "f" * 64})}}
    foreign_chain(till, "T02", 6, [3, 4, 6], forge=forged)
    report = verify.verify(till)
    assert not report["ok"]
    assert chains(report)["problems"] == [{"terminal_id": "T02", "seq": 4, "problem": "previous hash does not match"}]


def _fields(terminal: str, seq: int, t: Terminal) -> dict[str, Any]:
    """The fields foreign_chain gives entry ``seq`` (its real prev_hash is recomputed by walking)."""
    member_uuid = t.database.execute("SELECT uuid FROM member ORDER BY id LIMIT 1").fetchone()[0]
    return {"uuid": f"{terminal}-{seq:06d}", "terminal_id": terminal, "seq": seq, "member_uuid": member_uuid,
            "kind": "adjust", "points": 0, "tier_points": 0, "ref_type": "adjust", "ref_no": f"{terminal}-{seq}",
            "program_version": 1, "breakdown": canonical_json({"note": "零"}), "created_at": "2026-11-01T10:00:00",
            "business_date": "2026-11-01", "recorded_at": "2026-11-01T10:00:00", "backdated": False,
            "staff_code": None}


def test_entries_held_out_of_order_are_linked_both_ways(till: Terminal) -> None:
    # a lookup filled a gap later: 5 and 6 came first, then 2, then 4 (id order 5, 6, 2, 4)
    foreign_chain(till, "T02", 6, [5, 6, 2])
    report = verify.verify(till, write_checkpoint=False)
    assert report["ok"]
    links_before = chains(report)["links_checked"]  # of T02: 5-6
    foreign_chain(till, "T02", 6, [4])
    report = verify.verify(till, write_checkpoint=False)
    assert report["ok"] and chains(report)["links_checked"] == links_before + 1  # 4-5 (3 is not held)
    # now the same with a late entry whose content was changed: both its hash and its successor's link fail
    till.database.execute("DROP TRIGGER ledger_entry_no_update")
    till.database.execute("UPDATE ledger_entry SET hash = ? WHERE terminal_id = 'T02' AND seq = 4", ("0" * 64,))
    report = verify.verify(till, write_checkpoint=False)
    problems = {(p["seq"], p["problem"]) for p in chains(report)["problems"]}
    assert problems == {(4, "entry hash does not match its content"), (5, "previous hash does not match")}


def test_a_gap_in_the_own_chain_is_an_error(till: Terminal) -> None:
    last_seq, last_hash = till.database.execute(
        "SELECT seq, hash FROM ledger_entry WHERE terminal_id = 'T01' ORDER BY seq DESC LIMIT 1").fetchone()
    member_id, member_uuid = till.database.execute("SELECT id, uuid FROM member ORDER BY id LIMIT 1").fetchone()
    fields = {**_fields("T01", last_seq + 2, till), "member_uuid": member_uuid, "prev_hash": last_hash}
    till.database.execute(
        f"INSERT INTO ledger_entry (member_id, {', '.join(HASHED_FIELDS)}, hash)"
        f" VALUES (?, {', '.join('?' * len(HASHED_FIELDS))}, ?)",
        (member_id, *(int(fields[f]) if f == "backdated" else fields[f] for f in HASHED_FIELDS), entry_hash(fields)))
    report = verify.verify(till)
    c = chains(report)
    assert not report["ok"] and not c["own_chain"]["complete"]
    assert {"terminal_id": "T01", "seq": last_seq + 2, "problem": f"sequence gap: entry {last_seq + 1} is missing"} \
        in c["problems"]
    assert not report["checkpoint"]["written"]


def test_canonical_json_of_sqlite_is_pythons_for_every_character() -> None:
    conn = sqlite3.connect(":memory:")
    numbers = ("seq", "points", "tier_points", "program_version", "backdated")
    cols = ", ".join(f"{f} {'INTEGER' if f in numbers else 'TEXT'}" for f in HASHED_FIELDS)
    conn.execute(f"CREATE TABLE ledger_entry ({cols})")
    texts = ["".join(chr(c) for c in range(start, min(start + 64, 0x110000)) if not 0xD800 <= c < 0xE000)
             for start in range(0, 0x3000, 64)] + ["\u2028\u2029\ufeff\uffff\U0001f600\U0010ffff", "", '"\\/']
    for i, text in enumerate(texts):
        fields: dict[str, Any] = {f: text for f in HASHED_FIELDS}
        fields.update(seq=i, points=-i * 7, tier_points=2**62, program_version=None if i % 2 else i,
                      backdated=bool(i % 3), staff_code=None if i % 5 == 0 else text)
        conn.execute(f"INSERT INTO ledger_entry VALUES ({', '.join('?' * len(HASHED_FIELDS))})",
                     [int(fields[f]) if f == "backdated" else fields[f] for f in HASHED_FIELDS])
        body = conn.execute(f"SELECT {integrity._CANONICAL_SQL} FROM ledger_entry WHERE seq = ?", (i,)).fetchone()[0]
        assert body == canonical_json({k: fields[k] for k in sorted(HASHED_FIELDS)}), repr(text[:8])


def test_a_blob_in_a_hashed_field_is_reported_not_a_crash(till: Terminal) -> None:
    till.database.execute("DROP TRIGGER ledger_entry_no_update")
    till.database.execute("UPDATE ledger_entry SET ref_no = x'00ff' WHERE terminal_id = 'T01' AND seq = 2")
    report = verify.verify(till)
    assert {"terminal_id": "T01", "seq": 2, "problem": "entry hash does not match its content"} \
        in chains(report)["problems"]


# ------------------------------------------------------------------------------------------ checkpoint


def test_full_verify_leaves_a_signed_checkpoint_and_the_incremental_checks_only_what_came_after(
        till: Terminal) -> None:
    first = verify.verify(till)
    assert first["ok"] and first["mode"] == "full" and first["checkpoint"]["written"]
    body, why = integrity.read_checkpoint(till.database)
    assert body is not None, why
    own_seq = body["own_head"][0]
    sales.record_sale(till, lines=[line(1, 5000)], member_ref=GOLD)
    sales.record_sale(till, lines=[line(2, 3000)])
    foreign_chain(till, "T02", 3, [2, 3])
    report = verify.verify(till, since_checkpoint=True)
    assert report["ok"] and report["mode"] == "incremental", report["checkpoint"]
    c = chains(report)
    new_own = c["own_chain"]["last_seq"] - own_seq
    assert new_own >= 1 and c["own_chain"]["new"] == new_own and c["own_chain"]["complete"]
    assert c["other_chains"] == {"new": 2, "links_checked": 1, "partial": True} and c["checked"] == new_own + 2
    # the new checkpoint starts where this one ended: nothing new, nothing checked
    again = verify.verify(till, since_checkpoint=True)
    assert again["mode"] == "incremental" and chains(again)["checked"] == 0


def test_a_tampered_new_entry_is_found_and_the_full_verify_reports_it(till: Terminal) -> None:
    assert verify.verify(till)["ok"]
    r = sales.record_sale(till, lines=[line(1, 5000)], member_ref=GOLD)
    till.database.execute("DROP TRIGGER ledger_entry_no_update")
    till.database.execute("UPDATE ledger_entry SET points = points + 1 WHERE ref_no = ?", (r.receipt_no,))
    till.database.execute("CREATE TRIGGER ledger_entry_no_update BEFORE UPDATE ON ledger_entry "
                          "BEGIN SELECT RAISE(ABORT, 'ledger entries are append-only'); END")
    report = verify.verify(till, since_checkpoint=True)
    assert not report["ok"] and report["mode"] == "full"
    assert report["checkpoint"]["reason"].startswith("the checks since the checkpoint found problems in")
    assert "hash_chains" in report["checkpoint"]["reason"] and "balance_equals_ledger" in report["checkpoint"]["reason"]
    assert not report["checks"]["hash_chains"]["ok"] and not report["checkpoint"]["written"]


def test_a_changed_balance_of_a_member_untouched_since_is_caught_by_the_sums(till: Terminal) -> None:
    assert verify.verify(till)["ok"]
    till.database.execute("UPDATE member SET balance = balance + 5 WHERE phone = '13900139000'")
    report = verify.verify(till, since_checkpoint=True)
    assert not report["ok"] and report["mode"] == "full"
    assert "balances_equal_checkpoint_sums" in report["checkpoint"]["reason"]
    assert report["checks"]["balance_equals_ledger"]["count"] == 1


@pytest.mark.parametrize("damage", ["signature", "key", "body"])
def test_a_checkpoint_whose_signature_fails_is_ignored(till: Terminal, damage: str) -> None:
    assert verify.verify(till)["ok"]
    ex = till.database.execute
    stored = json.loads(ex("SELECT value FROM setting WHERE key = ?", (integrity.CHECKPOINT,)).fetchone()[0])
    if damage == "signature":
        stored["mac"] = "0" * 64
    elif damage == "body":  # moved forward, as if the history up to here had been checked
        stored["body"]["max_id"]["ledger_entry"] += 1000
    if damage == "key":
        ex("UPDATE setting SET value = ? WHERE key = ?", ("ab" * 32, integrity.CHECKPOINT_KEY))
    else:
        ex("UPDATE setting SET value = ? WHERE key = ?", (json.dumps(stored), integrity.CHECKPOINT))
    report = verify.verify(till, since_checkpoint=True)
    assert report["ok"] and report["mode"] == "full"
    assert report["checkpoint"]["reason"] == "the checkpoint's signature does not match"
    assert report["checkpoint"]["written"]  # a new one, signed again
    assert verify.verify(till, since_checkpoint=True)["mode"] == "incremental"


def test_a_checkpoint_over_rows_that_are_gone_is_not_used(till: Terminal) -> None:
    foreign_chain(till, "T02", 2, [1, 2])  # the last entry the checkpoint covers
    assert verify.verify(till)["ok"]
    till.database.execute("DROP TRIGGER ledger_entry_no_delete")
    till.database.execute("DELETE FROM ledger_entry WHERE terminal_id = 'T02'")  # pruned
    report = verify.verify(till, since_checkpoint=True)
    assert report["mode"] == "full"
    assert report["checkpoint"]["reason"] == "the last entry the checkpoint covered is gone"


def test_the_checkpoint_key_stays_out_of_backups(till: Terminal, tmp_path: Path) -> None:
    assert verify.verify(till)["ok"]
    result = backup.take_backup(till, tmp_path / "out")
    con = sqlite3.connect(result.path)
    keys = {k for (k,) in con.execute("SELECT key FROM setting")}
    con.close()
    assert integrity.CHECKPOINT_KEY not in keys and "sync.secret" not in keys


def test_cli_verify_since_checkpoint(till: Terminal, db_path: Path, capsys: pytest.CaptureFixture[str],
                                     clock: FakeClock) -> None:
    till.close()
    assert main(["--db", str(db_path), "verify", "--since-checkpoint"]) == 0
    out = capsys.readouterr().out
    assert "verify: OK" in out and "full (no checkpoint yet): own chain complete" in out
    assert main(["--db", str(db_path), "verify", "--since-checkpoint"]) == 0
    out = capsys.readouterr().out
    assert "incremental, from the checkpoint of" in out and "(0 new)" in out
    assert main(["--json", "--db", str(db_path), "verify", "--since-checkpoint"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["mode"] == "incremental" and data["checkpoint"]["used"]


def test_the_full_run_finds_changed_lots_and_tier_buckets(till: Terminal) -> None:
    assert verify.verify(till)["ok"]
    ex = till.database.execute
    untouched = ex("SELECT id FROM lot l WHERE remaining = points AND NOT EXISTS "
                   "(SELECT 1 FROM lot_move WHERE lot_id = l.id) LIMIT 1").fetchone()[0]
    ex("UPDATE lot SET remaining = remaining - 1 WHERE id = ?", (untouched,))
    moved = ex("SELECT lot_id FROM lot_move LIMIT 1").fetchone()[0]
    ex("UPDATE lot SET remaining = remaining + 1 WHERE id = ?", (moved,))
    member_id, month, points = ex("SELECT member_id, month, points FROM tier_month LIMIT 1").fetchone()
    ex("UPDATE tier_month SET points = points + 7 WHERE member_id = ? AND month = ?", (member_id, month))
    ex("INSERT INTO tier_month (member_id, month, points) VALUES (?, '1999-01', 3)", (member_id,))
    checks = verify.verify(till)["checks"]
    assert {p["lot_id"] for p in checks["lot_remaining_equals_moves"]["problems"]} == {untouched, moved}
    assert checks["balance_equals_lots_minus_debt"]["count"] >= 1
    assert {(p["month"], p["projection"], p["ledger"]) for p in checks["tier_points_equal_ledger"]["problems"]} == {
        (month, points + 7, points), ("1999-01", 3, None)}


def test_cli_verify_without_quick_check(till: Terminal, db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    till.close()
    assert main(["--db", str(db_path), "verify"]) == 0
    capsys.readouterr()
    assert main(["--json", "--db", str(db_path), "verify", "--since-checkpoint", "--no-quick-check"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["mode"] == "incremental" and data["checks"]["sqlite_quick_check"]["skipped"]
    assert main(["--db", str(db_path), "verify", "--no-quick-check"]) == 2
    assert "no_quick_check: --no-quick-check goes with --since-checkpoint" in capsys.readouterr().err



def test_a_checkpoint_whose_last_lot_is_gone_is_not_used(till: Terminal) -> None:
    """A prune can remove the newest lot; a later lot would get its id and not count as new."""
    assert verify.verify(till)["ok"]
    till.database.execute("PRAGMA foreign_keys = OFF")
    till.database.execute("DROP TRIGGER lot_move_no_delete")
    till.database.execute("DELETE FROM lot_move WHERE lot_id = (SELECT max(id) FROM lot)")
    till.database.execute("DELETE FROM lot WHERE id = (SELECT max(id) FROM lot)")
    report = verify.verify(till, since_checkpoint=True)
    assert report["mode"] == "full"
    assert report["checkpoint"]["reason"] == "the last lot row the checkpoint covered is gone"
