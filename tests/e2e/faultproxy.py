"""A fault-injecting HTTP proxy on loopback, for sync tests.

It forwards one request per client connection to the upstream server and can, per
request, misbehave in the ways a store's network does:

- ``"drop"``: forward the request, let the server answer, then close the client's
  connection without passing the answer on (the server did the work; the terminal
  never hears about it);
- ``"drop_before"``: close the connection before forwarding anything;
- ``"500"``: answer 500 itself without forwarding;
- ``"500_after"``: forward, then answer 500 instead of the server's answer;
- ``"html"``: forward, then answer 200 with an HTML page instead of the server's answer (a
  captive portal or a misconfigured proxy in front of headquarters);
- ``("slow", seconds)``: forward, then hold the answer for ``seconds``;
- ``("hold", event)``: forward, then hold the answer until ``event`` is set (to kill a
  process while it waits) - a ``threading.Event``;
- ``None``: pass through.

Faults are taken from ``proxy.faults`` (a list, first in first out) and apply to requests
whose path starts with ``proxy.match`` (default every path). ``proxy.log`` records
(path, fault, upstream status) for every request.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from typing import Any

Fault = Any


async def _read_message(reader: asyncio.StreamReader) -> tuple[bytes, bytes]:
    """One HTTP/1.1 message: (head including the blank line, body by Content-Length)."""
    head = await reader.readuntil(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    body = await reader.readexactly(length) if length else b""
    return head, body


def _close_header(head: bytes) -> bytes:
    lines = [ln for ln in head.rstrip(b"\r\n").split(b"\r\n") if not ln.lower().startswith(b"connection:")]
    return b"\r\n".join([*lines, b"connection: close"]) + b"\r\n\r\n"


class FaultProxy:
    def __init__(self, upstream_host: str, upstream_port: int) -> None:
        self.upstream = (upstream_host, upstream_port)
        self.faults: list[Fault] = []
        self.match = "/"
        self.log: list[tuple[str, Fault, int | None]] = []
        self.port = 0
        self._loop = asyncio.new_event_loop()
        self._server: asyncio.base_events.Server | None = None
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)

    # -- life cycle -----------------------------------------------------------------------
    def start(self) -> FaultProxy:
        self._thread.start()
        fut = asyncio.run_coroutine_threadsafe(self._start(), self._loop)
        fut.result(10)
        return self

    async def _start(self) -> None:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    def stop(self) -> None:
        async def _stop() -> None:
            if self._server:
                self._server.close()
            # connections still being handled (a client that gave up on a held answer) end
            # here, not as "Task was destroyed but it is pending" when the loop is dropped
            pending = [task for task in asyncio.all_tasks() if task is not asyncio.current_task()]
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)
        asyncio.run_coroutine_threadsafe(_stop(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop.close()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # -- one connection, one request ---------------------------------------------------------
    def _next_fault(self, path: str) -> Fault:
        if self.faults and path.startswith(self.match):
            return self.faults.pop(0)
        return None

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            try:
                head, body = await _read_message(reader)
            except (asyncio.IncompleteReadError, ConnectionError):
                return
            path = head.split(b" ", 2)[1].decode("latin-1")
            fault = self._next_fault(path)
            if fault == "drop_before":
                self.log.append((path, fault, None))
                return
            if fault == "500":
                self.log.append((path, fault, None))
                writer.write(b"HTTP/1.1 500 Internal Server Error\r\ncontent-type: application/json\r\n"
                             b"content-length: 29\r\nconnection: close\r\n\r\n{\"error\": \"injected failure\"}")
                await writer.drain()
                return
            try:
                up_reader, up_writer = await asyncio.open_connection(*self.upstream)
            except OSError:
                self.log.append((path, fault, None))
                return  # upstream down: the client sees a dropped connection
            try:
                up_writer.write(_close_header(head) + body)
                await up_writer.drain()
                try:
                    rhead, rbody = await _read_message(up_reader)
                except (asyncio.IncompleteReadError, ConnectionError):
                    self.log.append((path, fault, None))
                    return  # upstream died mid-request
            finally:
                up_writer.close()
            status = int(rhead.split(b" ", 2)[1])
            self.log.append((path, fault, status))
            if fault == "drop":
                return
            if fault == "500_after":
                writer.write(b"HTTP/1.1 500 Internal Server Error\r\ncontent-length: 0\r\nconnection: close\r\n\r\n")
                await writer.drain()
                return
            if fault == "html":
                page = b"<html><body>Wi-Fi login</body></html>"
                writer.write(b"HTTP/1.1 200 OK\r\ncontent-type: text/html\r\ncontent-length: "
                             + str(len(page)).encode() + b"\r\nconnection: close\r\n\r\n" + page)
                await writer.drain()
                return
            if isinstance(fault, tuple) and fault[0] == "slow":
                await asyncio.sleep(fault[1])
            if isinstance(fault, tuple) and fault[0] == "hold":
                event: threading.Event = fault[1]
                while not event.is_set():
                    await asyncio.sleep(0.02)
            writer.write(_close_header(rhead) + rbody)
            await writer.drain()
        finally:
            with contextlib.suppress(Exception):
                writer.close()


def wait_for(predicate: Any, timeout: float = 10.0, step: float = 0.05) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(step)
    return bool(predicate())
