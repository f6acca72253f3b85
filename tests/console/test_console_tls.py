"""Under TLS the console's cookies are Secure and HSTS is sent: ``pos-hq`` serving TLS itself,
or behind a TLS proxy that the operator declares with ``POS_HQ_CONSOLE_TLS=1``."""

from __future__ import annotations

import ssl
from pathlib import Path

import httpx
import pytest

from pos_app.hq import db as hqdb
from tests.console.conftest import PASSWORD, add_accounts, csrf_of
from tests.hq.hqserver import ThreadServer, prepare_hq
from tests.hq.test_http import _self_signed


def _cookies_after_login(client: httpx.Client) -> list[str]:
    form = client.get("/console/login")
    login_cookie = next(h for h in form.headers.get_list("set-cookie") if h.startswith("pos_console_login="))
    answer = client.post("/console/login", data={"login": "admin", "password": PASSWORD, "csrf": csrf_of(form.text),
                                                 "next": "/console/"})
    assert answer.status_code == 303
    return [login_cookie, *answer.headers.get_list("set-cookie")]


def _accounts(url: str) -> None:
    prepare_hq(url, {"T01": "S001", "T03": "S002"})
    database = hqdb.connect(url)
    try:
        add_accounts()
    finally:
        hqdb.close_pool(database)


def test_over_tls_every_console_cookie_is_secure_and_hsts_is_sent(tmp_path: Path) -> None:
    certfile, keyfile = _self_signed(tmp_path)
    url = f"sqlite:///{tmp_path / 'hq.db'}"
    _accounts(url)
    with ThreadServer(url, certfile=str(certfile), keyfile=str(keyfile)) as server, \
            httpx.Client(base_url=server.url, verify=ssl.create_default_context(cafile=str(certfile)),
                         timeout=30) as client:
        cookies = _cookies_after_login(client)
        assert all("Secure" in c and "HttpOnly" in c for c in cookies), cookies
        assert client.get("/console/").headers["strict-transport-security"].startswith("max-age=")


def test_behind_a_tls_proxy_the_operator_declares_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"sqlite:///{tmp_path / 'hq.db'}"
    _accounts(url)
    monkeypatch.setenv("POS_HQ_CONSOLE_TLS", "1")
    with ThreadServer(url) as server, httpx.Client(base_url=server.url, timeout=30) as client:
        form = client.get("/console/login")  # (a browser would not send these cookies back over plain HTTP)
        assert all("Secure" in c for c in form.headers.get_list("set-cookie"))
        assert form.headers["strict-transport-security"].startswith("max-age=")
