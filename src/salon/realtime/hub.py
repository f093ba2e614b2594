"""The sockets this process holds, by stream, and the delivery of committed events to them."""

import asyncio
import contextlib
import logging
import secrets

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
    ones a replay already sent. A control frame has seq 0."""

    __slots__ = ("close_code", "delivered", "id", "id_ambassador", "queue", "stream")

    def __init__(self, stream: str, id_ambassador: int, queue_size: int) -> None:
        self.id = secrets.token_hex(8)
        self.stream = stream
        self.id_ambassador = id_ambassador
        self.queue: asyncio.Queue[tuple[int, str] | None] = asyncio.Queue(queue_size)
        self.delivered = 0
        # Set when the socket must end: a Close code, or 0 when the peer already left.
        self.close_code: int | None = None

    def offer(self, seq: int, text: str) -> None:
        try:
            self.queue.put_nowait((seq, text))
        except asyncio.QueueFull:
            # Never block the publisher for one slow reader: drop the socket; its client
            # resumes from the log with its cursor.
            self.end(Close.TOO_SLOW)

    def end(self, code: int) -> None:
        if self.close_code is None:
            self.close_code = code
        with contextlib.suppress(asyncio.QueueFull):  # a full queue wakes the writer anyway
            self.queue.put_nowait(None)

    async def next_frame(self) -> str | None:
        """The next frame to send, or None when the socket must end."""
        while self.close_code is None:
            item = await self.queue.get()
            if item is None:
                continue
            seq, text = item
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

    def count(self) -> int:
        return sum(len(connections) for connections in self._streams.values())

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
