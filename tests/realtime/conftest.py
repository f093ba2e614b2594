"""Real sockets: each test gets its own app instance served by uvicorn on loopback, with the
in-memory broker and, when a Redis server runs (`make test` starts one), the Redis broker."""

import asyncio
import contextlib
import secrets
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import orjson
import pytest
import uvicorn
from fastapi import FastAPI
from websockets.asyncio.client import ClientConnection, connect

from salon.app import create_app
from salon.config import Settings
from tests.conftest import REDIS_URL
from tests.served import free_port
from tests.support import Person

BROKERS = ["memory", "redis"] if REDIS_URL else ["memory"]
WAIT = 5.0


class _Server(uvicorn.Server):
    """uvicorn inside the test's event loop; pytest keeps its own signal handling."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


class Socket:
    def __init__(self, connection: ClientConnection) -> None:
        self.connection = connection
        self.hello: dict[str, Any] = {}

    async def frame(self) -> dict[str, Any]:
        """The next frame; heartbeats are skipped unless a test asks for them."""
        while True:
            frame: dict[str, Any] = orjson.loads(
                await asyncio.wait_for(self.connection.recv(), WAIT)
            )
            if frame["type"] != "heartbeat":
                return frame

    async def frames(self, n: int) -> list[dict[str, Any]]:
        return [await self.frame() for _ in range(n)]

    async def closed(self) -> tuple[int | None, str | None]:
        """Wait for the server to close the socket; its close code and reason."""
        with contextlib.suppress(Exception):
            while True:
                await asyncio.wait_for(self.connection.recv(), WAIT)
        return self.connection.close_code, self.connection.close_reason


@dataclass
class Live:
    app: FastAPI
    http: httpx.AsyncClient
    ws_url: str

    def socket(
        self,
        person: Person | None = None,
        query: str = "",
        *,
        token: str | None = None,
        subprotocols: list[str] | None = None,
        hello: bool = True,
    ) -> contextlib.AbstractAsyncContextManager[Socket]:
        return open_socket(
            self.ws_url, person, query, token=token, subprotocols=subprotocols, hello=hello
        )


@contextlib.asynccontextmanager
async def open_socket(
    ws_url: str,
    person: Person | None = None,
    query: str = "",
    *,
    token: str | None = None,
    subprotocols: list[str] | None = None,
    hello: bool = True,
) -> AsyncIterator[Socket]:
    """A socket for `person` (or `token`); its hello frame is read unless `hello=False`."""
    token = token if token is not None else (person.token if person else None)
    headers = {"Authorization": f"Bearer {token}"} if token and not subprotocols else {}
    async with connect(
        f"{ws_url}/chat/ws{query}",
        additional_headers=headers,
        subprotocols=subprotocols,  # type: ignore[arg-type]
        open_timeout=WAIT,
    ) as connection:
        socket = Socket(connection)
        if hello:
            first = await socket.frame()
            assert first["type"] == "hello", first
            socket.hello = first
        yield socket


@contextlib.asynccontextmanager
async def serve(settings: Settings) -> AsyncIterator[Live]:
    app = create_app(settings)
    port = free_port()
    server = _Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, lifespan="off", log_level="warning")
    )
    async with app.router.lifespan_context(app):
        task = asyncio.create_task(server.serve())
        while not server.started:
            assert not task.done(), "uvicorn did not start"
            await asyncio.sleep(0.01)
        base = f"127.0.0.1:{port}"
        try:
            async with httpx.AsyncClient(base_url=f"http://{base}") as http:
                yield Live(app, http, f"ws://{base}")
        finally:
            server.should_exit = True
            await task


@pytest.fixture(params=BROKERS)
def broker_kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def realtime_settings(settings: Settings, broker_kind: str, **changes: Any) -> Settings:
    if broker_kind == "redis":
        # A prefix of its own: sequence numbers and presence start from nothing.
        changes |= {"redis_url": REDIS_URL, "redis_prefix": f"test-{secrets.token_hex(6)}:"}
    return settings.model_copy(update=changes | {"writes_per_minute": 10_000})


@pytest.fixture
async def live(settings: Settings, broker_kind: str) -> AsyncIterator[Live]:
    async with serve(realtime_settings(settings, broker_kind)) as running:
        yield running
