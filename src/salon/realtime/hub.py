"""The sockets this process holds, by stream and by token, the delivery of committed events to
them, and their closing when their token is revoked."""

import asyncio
import logging
import secrets
import time
from collections import deque
from collections.abc import Awaitable, Callable, Iterable

import orjson

from salon import metrics
from salon.realtime.broker import Broker
from salon.realtime.events import frame

log = logging.getLogger(__name__)

HEARTBEAT = '{"type":"heartbeat"}'

# Given the token digests of the sockets a process holds, those that no longer authenticate.
Recheck = Callable[[list[str]], Awaitable[set[str]]]

# How long a revocation is remembered for sockets that authenticated just before it was
# committed but join the hub after it was announced.
REVOKED_MEMORY_SECONDS = 60.0
REVOKED_MEMORY_SIZE = 10_000


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
        "epoch",
        "id",
        "id_ambassador",
        "stream",
        "token_hash",
    )

    def __init__(self, stream: str, id_ambassador: int, queue_size: int, token_hash: str) -> None:
        self.id = secrets.token_hex(8)
        self.stream = stream
        self.id_ambassador = id_ambassador
        # The SHA-256 digest of the socket's token, as stored and as revocations name it.
        self.token_hash = token_hash
        self._frames: deque[tuple[int, str]] = deque()
        self._limit = queue_size
        self._waiter: asyncio.Future[None] | None = None
        self.delivered = 0
        self.epoch = ""  # of the numbering `delivered` belongs to (set with the hello)
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
            if seq != self.delivered + 1:
                # The stream was quiet past the retention and its numbering started over
                # (broker.numbering_base): say so, as a resume would, then go on from here.
                self._frames.appendleft((seq, text))
                self.delivered = seq - 1
                return control("resync", epoch=self.epoch, seq=self.delivered)
            self.delivered = seq
            return text
        return None


class Hub:
    """A revoked token's sockets are closed (4401) as soon as the revocation is announced
    through the broker, and, for what no announcement reaches (a revocation by a CLI without
    Redis, a person disabled outside the API), by a recheck of every token this process's
    sockets hold, one query every `recheck_seconds`."""

    def __init__(
        self,
        broker: Broker,
        heartbeat_seconds: float,
        recheck: Recheck | None = None,
        recheck_seconds: float = 10.0,
    ) -> None:
        self._broker = broker
        self._heartbeat_seconds = heartbeat_seconds
        self._recheck = recheck
        self._recheck_seconds = recheck_seconds
        self._streams: dict[str, set[Connection]] = {}
        self._tokens: dict[str, set[Connection]] = {}
        # Digest -> when its revocation arrived, oldest first.
        self._revoked: dict[str, float] = {}
        self._tasks: list[asyncio.Task[None]] = []

    async def start(self) -> None:
        await self._broker.start(self.deliver, self.lost, self.revoked)
        self._tasks.append(asyncio.create_task(self._beat()))
        if self._recheck is not None:
            self._tasks.append(asyncio.create_task(self._recheck_tokens()))

    def attach(self, connection: Connection) -> None:
        self._streams.setdefault(connection.stream, set()).add(connection)
        metrics.SOCKETS.inc()
        self._tokens.setdefault(connection.token_hash, set()).add(connection)
        if connection.token_hash in self._revoked:
            # Authenticated before the revocation committed, here after it was announced.
            connection.end(Close.UNAUTHORIZED)

    def detach(self, connection: Connection) -> None:
        if connection in self._streams.get(connection.stream, ()):
            metrics.SOCKETS.dec()
        for index, key in (
            (self._streams, connection.stream),
            (self._tokens, connection.token_hash),
        ):
            connections = index.get(key)
            if connections is not None:
                connections.discard(connection)
                if not connections:
                    del index[key]

    def revoked(self, token_hashes: Iterable[str]) -> None:
        """These tokens no longer authenticate: close their sockets, and any that joins soon."""
        now = time.monotonic()
        for token_hash in token_hashes:
            for connection in self._tokens.get(token_hash, ()):
                connection.end(Close.UNAUTHORIZED)
            self._revoked.pop(token_hash, None)
            self._revoked[token_hash] = now
        oldest_kept = now - REVOKED_MEMORY_SECONDS
        while self._revoked:
            token_hash, at = next(iter(self._revoked.items()))
            if at >= oldest_kept and len(self._revoked) <= REVOKED_MEMORY_SIZE:
                break
            del self._revoked[token_hash]

    def deliver(self, body: bytes, positions: list[tuple[str, int]]) -> None:
        delivered = 0
        for stream, seq in positions:
            connections = self._streams.get(stream)
            if connections:
                text = frame(seq, body)
                for connection in connections:
                    connection.offer(seq, text)
                delivered += len(connections)
        if delivered:
            metrics.FRAMES_DELIVERED.inc(delivered)

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

    async def _recheck_tokens(self) -> None:
        assert self._recheck is not None
        while True:
            await asyncio.sleep(self._recheck_seconds)
            if not self._tokens:
                continue
            try:
                dead = await self._recheck(list(self._tokens))
            except Exception:
                log.warning("could not recheck the sockets' tokens", exc_info=True)
                continue
            if dead:
                self.revoked(dead)

    async def close(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        for connection in self._all():
            connection.end(Close.GOING_AWAY)
        await self._broker.close()


def control(type_: str, **fields: object) -> str:
    return orjson.dumps({"type": type_, **fields}).decode()
