"""A chain's notification service for one-time codes, as a real HTTP server on loopback: it
keeps every JSON body the till posts (the tests read the code from it, as the member reads it
from their phone) and answers with ``status``."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class Webhook:
    def __init__(self, status: int = 200) -> None:
        self.status = status
        self.statuses: list[int] = []
        self.received: list[dict[str, Any]] = []
        # cleared: each request is held (received, not answered) until the test sets it
        self.gate = threading.Event()
        self.gate.set()
        self.raw: list[tuple[dict[str, str], bytes]] = []
        self._lock = threading.Lock()
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                with hook._lock:
                    hook.received.append({"path": self.path, "content_type": self.headers.get("Content-Type"),
                                          **json.loads(body)})
                    hook.raw.append((dict(self.headers.items()), body))
                hook.gate.wait(30)
                with hook._lock:
                    status = hook.statuses.pop(0) if hook.statuses else hook.status
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/otp"

    def last_code(self) -> str:
        with self._lock:
            return str(self.received[-1]["code"])


@contextmanager
def webhook(status: int = 200) -> Iterator[Webhook]:
    hook = Webhook(status)
    thread = threading.Thread(target=hook.server.serve_forever, daemon=True)
    thread.start()
    try:
        yield hook
    finally:
        hook.server.shutdown()
        hook.server.server_close()
        thread.join()
