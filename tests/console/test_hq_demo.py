"""``make hq-demo``: the README's one command to a working console on demo data. The seeding
script runs here as the Makefile runs it, and its accounts sign in to a real headquarters."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from pos_app.hq import db as hqdb
from tests.console.conftest import csrf_of
from tests.hq.hqserver import ThreadServer

ROOT = Path(__file__).resolve().parents[2]


def test_make_hq_demo_seeds_then_serves_the_console() -> None:
    done = subprocess.run(["make", "-n", "hq-demo"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    seed = next(i for i, line in enumerate(lines) if "scripts/hq_demo.py --db var/hq-demo.db" in line)
    serve = next(i for i, line in enumerate(lines) if "pos_app.hq.cli --db var/hq-demo.db serve --port 8800" in line)
    assert seed < serve
    assert "POS_HQ_KEY_FILE=var/hq-demo.db.key" in lines[seed] and "POS_HQ_KEY_FILE=var/hq-demo.db.key" in lines[serve]


def test_the_demo_chain_is_seeded_through_real_tills_and_its_admin_signs_in(tmp_path: Path,
                                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    db_file = tmp_path / "hq-demo.db"
    env = {**os.environ, "POS_HQ_KEY_FILE": str(tmp_path / "hq-demo.db.key"), "PYTHONPATH": str(ROOT)}
    seeded = subprocess.run([sys.executable, "scripts/hq_demo.py", "--db", str(db_file)], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=600)
    assert seeded.returncode == 0, seeded.stderr[-3000:]
    secret = tmp_path / "hq-demo.db.password"
    password = secret.read_text(encoding="utf-8").strip()
    assert stat.S_IMODE(secret.stat().st_mode) == 0o600
    assert f"password: {password}" in seeded.stdout
    again = subprocess.run([sys.executable, "scripts/hq_demo.py", "--db", str(db_file)], cwd=ROOT, env=env,
                           capture_output=True, text=True, timeout=120)
    assert again.returncode == 0 and "seeded already" in again.stdout and password not in again.stdout

    url = f"sqlite:///{db_file}"
    monkeypatch.setenv("POS_HQ_KEY_FILE", env["POS_HQ_KEY_FILE"])
    database = hqdb.connect(url)
    try:
        assert hqdb.Store.select().count() == 3
        assert hqdb.Event.select().where(hqdb.Event.kind == "sale").count() > 500  # with their lines
        assert hqdb.Entry.select().where(hqdb.Entry.kind == "redeem").count() > 0
        assert hqdb.Flag.select().where(hqdb.Flag.kind == "duplicate_phone").count() == 1
        assert "DONATE-2026-BOOKS" in {c.campaign_id for c in hqdb.Campaign.select()}  # db/campaigns/*-demo.toml
        assert {t.id for t in hqdb.Terminal.select() if t.last_seq > 0} == {"S001-T1", "S002-T1", "S003-T1"}
    finally:
        hqdb.close_pool(database)
    monkeypatch.setenv("POS_HQ_KEY_FILE", env["POS_HQ_KEY_FILE"])  # the sealed till secrets' key
    with ThreadServer(url) as server, httpx.Client(base_url=server.url, timeout=30) as client:
        form = client.get("/console/login")
        answer = client.post("/console/login", data={"login": "admin", "password": password,
                                                     "csrf": csrf_of(form.text), "next": "/console/"})
        assert answer.status_code == 303
        assert client.get("/console/").status_code == 200
