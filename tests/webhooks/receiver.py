"""A real HTTP receiver on 127.0.0.1 for webhook tests: it records every request and answers
what the test tells it to (a sequence of statuses, or no answer at all)."""

import asyncio
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import orjson


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> Any:
        return orjson.loads(self.body)

    @property
    def event_id(self) -> str:
        return self.headers["webhook-id"]


@dataclass
class Receiver:
    port: int
    received: list[Received] = field(default_factory=list)
    # Statuses to answer, in order; then `default`.
    answers: list[int] = field(default_factory=list)
    default: int = 200
    # While set, requests are recorded and held without an answer.
    holding: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks"

    def answer(self) -> int:
        with self.lock:
            return self.answers.pop(0) if self.answers else self.default

    async def wait_for(self, count: int, within: float = 10.0) -> list[Received]:
        """Until `count` requests have arrived (AssertionError after `within` seconds)."""
        deadline = time.monotonic() + within
        while len(self.received) < count:
            assert time.monotonic() < deadline, f"{len(self.received)} of {count} arrived"
            await asyncio.sleep(0.02)
        return list(self.received)

    async def quiet(self, seconds: float = 0.5) -> list[Received]:
        """What has arrived once nothing more has for `seconds`."""
        seen = -1
        while seen != len(self.received):
            seen = len(self.received)
            await asyncio.sleep(seconds)
        return list(self.received)


@contextmanager
def receiving() -> Iterator[Receiver]:
    receiver: Receiver

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            length = int(self.headers.get("content-length", 0))
            body = self.rfile.read(length)
            headers = {k.lower(): v for k, v in self.headers.items()}
            with receiver.lock:
                receiver.received.append(Received(self.path, headers, body))
            while receiver.holding.is_set():
                time.sleep(0.05)
            status = receiver.answer()
            reply = b'{"ok": true}'
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    receiver = Receiver(server.server_address[1])
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        receiver.holding.clear()
        server.shutdown()
        server.server_close()
