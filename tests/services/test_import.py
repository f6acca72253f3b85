"""Member import: every invalid row reported with its CSV line in the dry run (a phone twice,
an unterminated quote, a field over csv's size limit), and short transactions that let the
counter's sales through while a large file is imported."""

from __future__ import annotations

import csv
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from pos_app.services import importer, sales
from pos_app.services.context import Terminal
from tests.services.test_reference_examples import line

HEADER = "phone,name,birthday,card_no,points,earned_on\n"


def write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "legacy.csv"
    path.write_text(HEADER + body, encoding="utf-8")
    return path


def lines_and_fields(report: importer.ImportReport) -> list[tuple[int, str]]:
    return [(e["line"], e["field"]) for e in report.errors]


def test_a_phone_twice_in_the_file_is_an_invalid_row_and_counts_add_up(terminal: Terminal, tmp_path: Path) -> None:
    path = write(tmp_path, "13512345678,赵六,,,500,2026-01-15\n"
                           "13587654321,钱七,,,,\n"
                           "135 1234 5678,另一个人,,,300,2026-06-01\n")
    dry = importer.import_members(terminal, path, dry_run=True)
    assert lines_and_fields(dry) == [(4, "phone")] and "line 2" in dry.errors[0]["message"]
    assert (dry.rows, dry.valid, dry.members_created, dry.written) == (3, 2, 2, False)
    done = importer.import_members(terminal, path, skip_bad=True)
    assert (done.valid, done.members_created, done.points_imported, done.written) == (2, 2, 500, True)
    assert terminal.repo.row("SELECT count(*) n FROM member") == {"n": 2}
    assert terminal.repo.member_by_phone("13512345678").name == "赵六"  # type: ignore[union-attr]


def test_an_unterminated_quote_spoils_its_own_row_only(terminal: Terminal, tmp_path: Path) -> None:
    path = write(tmp_path, '13512345678,"赵六,,,,\n'
                           "13587654321,钱七,,,,\n"
                           "13511112222,孙八,,,100,2026-01-01\n")
    dry = importer.import_members(terminal, path, dry_run=True)
    assert lines_and_fields(dry) == [(2, "row")] and "quote" in dry.errors[0]["message"]
    assert (dry.rows, dry.valid, dry.members_created) == (3, 2, 2)
    done = importer.import_members(terminal, path, skip_bad=True)
    assert done.written and done.members_created == 2
    names = [r["name"] for r in terminal.repo.rows("SELECT name FROM member ORDER BY phone")]
    assert names == ["孙八", "钱七"]


def test_a_field_over_the_csv_size_limit_is_an_invalid_row(terminal: Terminal, tmp_path: Path) -> None:
    huge = "张" * (csv.field_size_limit() + 1)
    path = write(tmp_path, f"13512345678,{huge},,,,\n13587654321,钱七,,,,\n")
    dry = importer.import_members(terminal, path, dry_run=True)
    assert lines_and_fields(dry) == [(2, "row")] and "too long" in dry.errors[0]["message"]
    assert (dry.rows, dry.valid) == (2, 1)


class ImportThread(threading.Thread):
    """An import in a thread of its own, with its own connection, as the window's workers do."""

    def __init__(self, terminal: Terminal, path: Path) -> None:
        super().__init__()
        self.terminal, self.path = terminal, path
        self.report: importer.ImportReport | None = None
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            self.report = importer.import_members(self.terminal, self.path)
        except BaseException as exc:  # reported to the test
            self.error = exc
        finally:
            self.terminal.database.db.close()  # this thread's connection


def test_sales_go_through_while_a_large_import_writes(terminal: Terminal, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    n = 2000
    path = write(tmp_path, "".join(f"139{i:08d},会员{i},,,100,2026-01-01\n" for i in range(n)))
    # after its first chunk the import waits until a sale went through: that a sale can go in
    # between two chunks is what is tested, not how the threads happen to be scheduled (on a
    # loaded machine the import finished before the first sale now and then). The first chunk is
    # at most 100 rows: chunks are cut by time (CHUNK_SECONDS), and on a quiet machine the whole
    # file fitted in the first one, so no sale could come between two
    first_chunk, sale_made = threading.Event(), threading.Event()
    write_chunk = importer._write_chunk

    def chunk_then_wait(t: Terminal, program: Any, good: list[Any], start: int, *args: Any) -> int:
        if first_chunk.is_set():
            return write_chunk(t, program, good, start, *args)
        done = write_chunk(t, program, good[:100], start, *args)
        first_chunk.set()
        assert sale_made.wait(60)
        return done

    monkeypatch.setattr(importer, "_write_chunk", chunk_then_wait)
    worker = ImportThread(terminal, path)
    worker.start()
    assert first_chunk.wait(60), worker.error
    seen: list[int] = []  # members already imported, as each sale saw them right after it
    while worker.is_alive():
        sales.record_sale(terminal, lines=[line(1, 1000)])  # raises "database is locked" if the import holds on
        seen.append(int(terminal.repo.row("SELECT count(*) n FROM member")["n"]))  # type: ignore[index]
        sale_made.set()
    worker.join()
    assert worker.error is None and worker.report and worker.report.written and worker.report.members_created == n
    assert any(0 < s < n for s in seen), "no sale was made between two of the import's transactions"
    assert terminal.repo.row("SELECT count(*) n FROM sale") == {"n": len(seen)}


def test_an_import_waits_out_a_counter_that_keeps_the_lock(terminal: Terminal, tmp_path: Path,
                                                           caplog: pytest.LogCaptureFixture) -> None:
    """Another program holds the write lock past the busy timeout: the chunk is rolled back whole
    and tried again once the lock is free, instead of the import failing half-way."""
    import logging
    import sqlite3

    path = write(tmp_path, "".join(f"139{i:08d},会员{i},,,100,2026-01-01\n" for i in range(50)))
    holder = sqlite3.connect(terminal.database.path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    caplog.set_level(logging.INFO, logger="pos_app.services.importer")
    worker = ImportThread(terminal, path)
    worker.start()
    try:
        deadline = time.monotonic() + 60
        while not any("waits for the counter" in r.getMessage() for r in caplog.records):
            assert worker.is_alive() and time.monotonic() < deadline, worker.error
            worker.join(0.05)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    worker.join(60)
    assert worker.error is None and worker.report and worker.report.written
    assert worker.report.members_created == 50
    assert terminal.repo.member_count() == 50
