"""The sockets this process holds, by stream, and the delivery of committed events to them."""

import asyncio
import logging
import secrets
from collections import deque

import orjson

from salon.realtime.broker import Broker
from salon.realtime.events import frame

log = logging.getLogger(__name__)

HEARTBEAT = '{"type":"heartbeat"}'


class Close:
    """Close codes (docs/realtime.md). 4000-4999 are the application's own."""

    GOING_AWAY = 1001  # this process is shutting down: reconnect with your cursor
    RESTART = 1012  # this process lost its event feed: reconnect with your cursor
    LIFETIME = 4000  # the connection reached its maximum lifetime: reconnect with your cursor
    BAD_REQUEST = 4400  # a query parameter is invalid
    UNAUTHORIZED = 4401  # no token, or not a live one
    FORBIDDEN = 4403  # the brand scope without being staff, or X-Popsell-Brand not the token's
    TOO_SLOW = 4408  # the socket fell more than the queue behind: reconnect with your cursor


class Connection:
    """One socket's queue of frames. Events arrive in sequence order; `delivered` skips the
    ones a replay already sent. A control frame has seq 0. A deque and one future, not an
    asyncio.Queue: thousands of sockets per process make its three deques count."""

    __slots__ = (
        "_frames",
        "_limit",
        "_waiter",
        "close_code",
        "delivered",
        "id",
        "id_ambassador",
        "stream",
    )

    def __init__(self, stream: str, id_ambassador: int, queue_size: int) -> None:
        self.id = secrets.token_hex(8)
        self.stream = stream
        self.id_ambassador = id_ambassador
        self._frames: deque[tuple[int, str]] = deque()
        self._limit = queue_size
        self._waiter: asyncio.Future[None] | None = None
        self.delivered = 0
        # Set when the socket must end: a Close code, or 0 when the peer already left.
        self.close_code: int | None = None

    def offer(self, seq: int, text: str) -> None:
        if len(self._frames) >= self._limit:
            # Never block the publisher for one slow reader: drop the socket; its client
            # resumes from the log with its cursor.
            self.end(Close.TOO_SLOW)
            return
        self._frames.append((seq, text))
        self._wake()

    def end(self, code: int) -> None:
        if self.close_code is None:
            self.close_code = code
        self._wake()

    def _wake(self) -> None:
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)

    async def next_frame(self) -> str | None:
        """The next frame to send, or None when the socket must end."""
        while self.close_code is None:
            if not self._frames:
                self._waiter = asyncio.get_running_loop().create_future()
                try:
                    await self._waiter
                finally:
                    self._waiter = None
                continue
            seq, text = self._frames.popleft()
            if seq == 0:
                return text
            if seq <= self.delivered:
                continue  # already sent by the replay
            self.delivered = seq
            return text
        return None


class Hub:
    def __init__(self, broker: Broker, heartbeat_seconds: float) -> None:
        self._broker = broker
        self._heartbeat_seconds = heartbeat_seconds
        self._streams: dict[str, set[Connection]] = {}
        self._ticker: asyncio.Task[None] | None = None

    async def start(self) -> None:
        await self._broker.start(self.deliver, self.lost)
        self._ticker = asyncio.create_task(self._beat())

    def attach(self, connection: Connection) -> None:
        self._streams.setdefault(connection.stream, set()).add(connection)

    def detach(self, connection: Connection) -> None:
        connections = self._streams.get(connection.stream)
        if connections is not None:
            connections.discard(connection)
            if not connections:
                del self._streams[connection.stream]

    def deliver(self, body: bytes, positions: list[tuple[str, int]]) -> None:
        for stream, seq in positions:
            connections = self._streams.get(stream)
            if connections:
                text = frame(seq, body)
                for connection in connections:
                    connection.offer(seq, text)

    def lost(self) -> None:
        """The event feed broke, so any socket may have missed something: end them all."""
        for connection in self._all():
            connection.end(Close.RESTART)

    def _all(self) -> list[Connection]:
        return [c for connections in self._streams.values() for c in connections]

    async def _beat(self) -> None:
        while True:
            await asyncio.sleep(self._heartbeat_seconds)
            connections = self._all()
            for connection in connections:
                connection.offer(0, HEARTBEAT)
            try:
                await self._broker.refresh((c.id_ambassador, c.id) for c in connections)
            except Exception:
                log.warning("could not refresh presence", exc_info=True)

    async def close(self) -> None:
        if self._ticker is not None:
            self._ticker.cancel()
            await asyncio.gather(self._ticker, return_exceptions=True)
        for connection in self._all():
            connection.end(Close.GOING_AWAY)
        await self._broker.close()


def control(type_: str, **fields: object) -> str:
    return orjson.dumps({"type": type_, **fields}).decode()
