"""Screenshots of every console page in both languages (``make console-screenshots``).

Seeds the headquarters demo (``scripts/hq_demo.py``) into a temporary folder, serves it on
loopback, signs in as the demo admin in Chromium (Playwright with Debian's ``chromium``) and
saves each page the navigation bar leads to, plus the pages one click further that matter (a
store, a member, the program editor, the login page), as
``docs/screenshots/console/<lang>-<page>.png``.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

import hq_demo  # noqa: E402

CHROMIUM = ("/usr/lib/chromium/chromium", "/usr/bin/chromium")


def _chromium() -> str:
    for path in (os.environ.get("POS_TEST_CHROMIUM"), *CHROMIUM):
        if path and Path(path).exists():
            return path
    raise SystemExit("chromium is not installed (apt-get install -y chromium)")


def _slug(path: str) -> str:
    path = re.sub(r"[0-9a-f]{8}-[0-9a-f-]{27}", "one", path.removeprefix("/console/"))
    return re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-") or "dashboard"


def pages(page: object, base: str) -> list[str]:
    """The navigation bar's pages and the first detail page each list links to."""
    page.goto(base + "/console/")  # type: ignore[attr-defined]
    nav = page.eval_on_selector_all("nav.main a", "els => els.map(e => e.getAttribute('href'))")  # type: ignore[attr-defined]
    out: list[str] = []
    for href in nav:
        out.append(href)
        page.goto(base + href)  # type: ignore[attr-defined]
        links = page.eval_on_selector_all(  # type: ignore[attr-defined]
            "main a", "els => els.map(e => e.getAttribute('href'))")
        for link in links:
            if (link and link.startswith(href.rstrip("/") + "/") and link != href and "export" not in link
                    and not link.endswith((".csv", ".xlsx")) and link not in out):
                out.append(link)
                break
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots" / "console"))
    args = parser.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        db_file = Path(tmp) / "hq-demo.db"
        os.environ["POS_HQ_KEY_FILE"] = str(Path(tmp) / "hq.key")
        hq_demo.main(["--db", str(db_file)])
        password = (Path(tmp) / "hq-demo.db.password").read_text(encoding="utf-8").strip()
        url, server, thread = hq_demo._serve(f"sqlite:///{db_file}")
        import sqlite3

        with sqlite3.connect(db_file) as conn:  # a member with history, and the duplicate pair's first
            busy = conn.execute("SELECT member_uuid FROM entry GROUP BY member_uuid ORDER BY count(*) DESC"
                                " LIMIT 1").fetchone()[0]
        extra = ["/console/program/new", "/console/program/simulate", f"/console/members/{busy}",
                 f"/console/members/{busy}/merge", "/console/account"]
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=_chromium(), args=["--no-sandbox"])
                context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
                page = context.new_page()
                for lang in ("zh_CN", "en"):
                    context.clear_cookies()
                    page.goto(f"{url}/console/lang/{lang}?next=/console/login")
                    page.screenshot(path=str(out / f"{lang}-login.png"))
                    page.fill("#f-login", "admin")
                    page.fill("#f-password", password)
                    page.click("#sign-in")
                    page.wait_for_selector("#logout")
                    for path in [*pages(page, url), *extra]:
                        answer = page.goto(url + path)
                        if answer is None or not answer.ok:
                            raise SystemExit(f"{path}: {answer.status if answer else 'no answer'}")
                        page.wait_for_load_state("networkidle")
                        if page.locator("[data-chart]").count():
                            page.wait_for_selector("[data-chart-ready]")
                        page.screenshot(path=str(out / f"{lang}-{_slug(path)}.png"), full_page=True)
                        print(f"{lang} {path}")
                browser.close()
        finally:
            server.should_exit = True  # type: ignore[attr-defined]
            thread.join(timeout=30)
    return 0


if __name__ == "__main__":
    sys.exit(main())
