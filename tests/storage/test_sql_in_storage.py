"""SQL lives in storage (issue 12 item 32): services, the window and the command line reach the
database only through storage's functions, so a schema change is made and indexed in one place."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2] / "pos_app"
SQL = re.compile(r"^\s*(SELECT|INSERT|REPLACE INTO|UPDATE|DELETE FROM|WITH|PRAGMA|CREATE|ALTER|DROP)\s")
#: Everything above storage: no SQL string of its own.
CLEAN = ["services", "ui", "cli.py"]


def sql_strings(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        head = node.values[0] if isinstance(node, ast.JoinedStr) and node.values else node
        if isinstance(head, ast.Constant) and isinstance(head.value, str) and SQL.match(head.value):
            found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {head.value[:60]}")
    return found


def test_services_the_window_and_the_command_line_run_no_sql_of_their_own() -> None:
    files = [p for name in CLEAN for p in ([ROOT / name] if name.endswith(".py") else (ROOT / name).rglob("*.py"))]
    assert len(files) > 40 and ROOT / "services" / "backup.py" in files and ROOT / "cli.py" in files
    assert [s for f in files for s in sql_strings(f)] == []


def test_the_check_finds_sql_where_there_is_some() -> None:
    found = sql_strings(ROOT / "storage" / "repo.py")
    assert any("SELECT" in s for s in found) and any("UPDATE" in s for s in found)
    assert any("INSERT OR REPLACE" in s for s in sql_strings(ROOT / "storage" / "files.py"))
