"""Where committed events go: numbered per stream, kept for resume, handed to every process's hub.

Two brokers, one interface. `MemoryBroker` serves one process. `RedisBroker` (SALON_REDIS_URL)
numbers and keeps events in Redis and fans them out over pub/sub, so a socket held by any
process or instance receives a write made on any other.

Brokers also carry revocations: the SHA-256 digests of tokens that no longer authenticate, so
that every process closes the sockets it holds with them (never the tokens themselves).

A stream is what one socket follows (`person:ID` or `brand:ID`, see events.py). Each event gets
the next sequence number of every stream it belongs to; the last `retention_events` of a stream,
no older than `retention_seconds`, can be replayed to a socket that reconnects. An `epoch`
names the numbering: it changes when the numbering restarts (a new in-memory broker, an
emptied Redis), so an old cursor is never resumed against new numbers.
"""

import asyncio
import logging
import secrets
import time
from collections import OrderedDict, deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Protocol

import redis.asyncio as redis

from salon.realtime.events import Event, frame

log = logging.getLogger(__name__)

# Called for each committed event with its body and its (stream, seq) positions.
Deliver = Callable[[bytes, list[tuple[str, int]]], None]
# Called when the broker may have missed events (the Redis subscription dropped).
Lost = Callable[[], None]
# Called with the digests of tokens revoked by a committed transaction, on any process.
Revoked = Callable[[list[str]], None]


@dataclass(frozen=True, slots=True)
class Replay:
    epoch: str
    last_seq: int
    # Frames after the cursor, in order; None when they are no longer all kept (resync).
    frames: list[tuple[int, str]] | None


class Broker(Protocol):
    async def start(self, deliver: Deliver, lost: Lost, revoked: Revoked) -> None: ...

    async def publish(self, events: list[Event]) -> None: ...

    async def revoke(self, token_hashes: list[str]) -> None:
        """Tell every process's hub that these tokens (SHA-256 digests) were revoked."""
        ...

    async def replay(self, stream: str, after: int | None, epoch: str | None) -> Replay: ...

    async def connected(self, id_ambassador: int, connection: str) -> bool:
        """Count a socket; True when it is the person's first (they came online)."""
        ...

    async def disconnected(self, id_ambassador: int, connection: str) -> bool:
        """Forget a socket; True when it was the person's last (they went offline)."""
        ...

    async def refresh(self, sockets: Iterable[tuple[int, str]]) -> None:
        """Heartbeat: the sockets this process still holds."""
        ...

    async def close(self) -> None: ...


def _settle(
    last_seq: int, after: int, kept: list[tuple[int, float, str]], oldest_allowed: float
) -> list[tuple[int, str]] | None:
    """The frames a cursor missed, or None when some of them are gone."""
    if after == last_seq:
        return []
    if after > last_seq:
        return None
    missed = [(seq, text) for seq, at, text in kept if seq > after and at >= oldest_allowed]
    if not missed or missed[0][0] != after + 1 or missed[-1][0] != last_seq:
        return None
    return missed


def numbering_base() -> int:
    """The number before a stream's first event: the time in milliseconds at which its
    numbering starts. A stream that was quiet past the retention is forgotten (its number
    too: memory stays bounded by the streams in use); when it speaks again its numbering starts
    over from a later time, beyond every number it had before, so an old cursor is never read
    as a new one (it is answered with `resync`)."""
    return int(time.time() * 1000)


@dataclass(slots=True)
class _Stream:
    seq: int
    touched: float
    log: deque[tuple[int, float, str]]


class MemoryBroker:
    def __init__(
        self,
        retention_events: int = 1000,
        retention_seconds: float = 600,
        retention_streams: int = 100_000,
    ) -> None:
        self.epoch = secrets.token_hex(8)
        self._retention_events = retention_events
        self._retention_seconds = retention_seconds
        self._retention_streams = retention_streams
        # Least recently touched first: the sweep and the cap take from the front.
        self._streams: OrderedDict[str, _Stream] = OrderedDict()
        self._sockets: dict[int, set[str]] = {}
        self._deliver: Deliver = lambda body, positions: None
        self._revoked: Revoked = lambda token_hashes: None

    async def start(self, deliver: Deliver, lost: Lost, revoked: Revoked) -> None:
        self._deliver = deliver
        self._revoked = revoked

    async def revoke(self, token_hashes: list[str]) -> None:
        self._revoked(token_hashes)

    def _stream(self, name: str, now: float) -> _Stream:
        streams = self._streams
        stream = streams.get(name)
        if stream is None:
            log: deque[tuple[int, float, str]] = deque(maxlen=self._retention_events)
            stream = streams[name] = _Stream(numbering_base(), now, log)
            if len(streams) > self._retention_streams:
                streams.popitem(last=False)
        else:
            stream.touched = now
            streams.move_to_end(name)
        return stream

    async def publish(self, events: list[Event]) -> None:
        now = time.monotonic()
        for event in events:
            body = event.body()
            positions = []
            for name in event.streams():
                stream = self._stream(name, now)
                stream.seq = seq = stream.seq + 1
                stream.log.append((seq, now, frame(seq, body)))
                positions.append((name, seq))
            self._deliver(body, positions)
        self._sweep(now)

    def _sweep(self, now: float) -> None:
        """Forget the streams nobody has published to or opened for longer than the retention:
        their logs have expired, and their numbers start over (see `numbering_base`). They
        are the first in line, so this stops at the first stream still in use."""
        streams = self._streams
        oldest_allowed = now - self._retention_seconds
        while streams:
            name = next(iter(streams))
            if streams[name].touched >= oldest_allowed:
                break
            del streams[name]

    async def replay(self, stream: str, after: int | None, epoch: str | None) -> Replay:
        now = time.monotonic()
        known = self._stream(stream, now)  # a socket opens it: the numbering starts here
        last_seq = known.seq
        if after is None:
            return Replay(self.epoch, last_seq, [])
        if epoch != self.epoch:
            return Replay(self.epoch, last_seq, None)
        oldest_allowed = now - self._retention_seconds
        return Replay(
            self.epoch, last_seq, _settle(last_seq, after, list(known.log), oldest_allowed)
        )

    async def connected(self, id_ambassador: int, connection: str) -> bool:
        sockets = self._sockets.setdefault(id_ambassador, set())
        sockets.add(connection)
        return len(sockets) == 1

    async def disconnected(self, id_ambassador: int, connection: str) -> bool:
        sockets = self._sockets.get(id_ambassador)
        if sockets is None or connection not in sockets:
            return False
        sockets.discard(connection)
        if sockets:
            return False
        del self._sockets[id_ambassador]
        return True

    async def refresh(self, sockets: Iterable[tuple[int, str]]) -> None:
        return None

    async def close(self) -> None:
        self._streams.clear()


# KEYS: seq and log key of each stream, in pairs. ARGV: body, now (ms), retention events,
# retention seconds, channel, then the stream names. Numbering, keeping and publishing happen
# in one step, so the channel carries every stream's events in the order of their numbers. A
# stream's counter lives as long as its log: a new one starts at the time in milliseconds
# (see `numbering_base`).
_PUBLISH = """
local positions = {}
local tail = string.sub(ARGV[1], 2)
for i = 1, #KEYS, 2 do
  redis.call('SET', KEYS[i], ARGV[2], 'NX')
  local seq = redis.call('INCR', KEYS[i])
  redis.call('EXPIRE', KEYS[i], ARGV[4])
  redis.call('ZADD', KEYS[i + 1], seq, ARGV[2] .. ' {"seq":' .. seq .. ',' .. tail)
  redis.call('ZREMRANGEBYRANK', KEYS[i + 1], 0, -(tonumber(ARGV[3]) + 1))
  redis.call('EXPIRE', KEYS[i + 1], ARGV[4])
  positions[#positions + 1] = ARGV[5 + (i + 1) / 2] .. '=' .. seq
end
redis.call('PUBLISH', ARGV[5], table.concat(positions, ' ') .. '\\n' .. ARGV[1])
"""

# KEYS: presence key. ARGV: now (ms), this socket's expiry (ms), socket id, key ttl (s).
_CONNECT = """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[3])
redis.call('EXPIRE', KEYS[1], ARGV[4])
return redis.call('ZCARD', KEYS[1])
"""

# KEYS: presence key. ARGV: now (ms), socket id. Returns 1 when the last live socket left.
_DISCONNECT = """
local removed = redis.call('ZREM', KEYS[1], ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if removed == 1 and redis.call('ZCARD', KEYS[1]) == 0 then return 1 end
return 0
"""


class RedisBroker:
    """Sequence counters, logs and presence in Redis; one pub/sub channel for every process.

    A socket counts as present while its process refreshes it (every heartbeat); a process that
    dies stops counting after `presence_ttl_seconds` without anyone being told it went away.
    """

    def __init__(
        self,
        url: str,
        prefix: str = "salon:",
        retention_events: int = 1000,
        retention_seconds: int = 600,
        presence_ttl_seconds: int = 60,
    ) -> None:
        self._client = redis.Redis.from_url(url)
        self._prefix = prefix + "rt:"
        self._channel = self._prefix + "events"
        self._revoked_channel = self._prefix + "revoked"
        self._retention_events = retention_events
        self._retention_seconds = retention_seconds
        self._presence_ttl_ms = presence_ttl_seconds * 1000
        self._publish = self._client.register_script(_PUBLISH)
        self._connect = self._client.register_script(_CONNECT)
        self._disconnect = self._client.register_script(_DISCONNECT)
        self._listener: asyncio.Task[None] | None = None
        self.epoch = ""

    async def start(self, deliver: Deliver, lost: Lost, revoked: Revoked) -> None:
        epoch_key = self._prefix + "epoch"
        await self._client.set(epoch_key, secrets.token_hex(8), nx=True)
        epoch = await self._client.get(epoch_key)
        self.epoch = epoch.decode() if isinstance(epoch, bytes) else str(epoch)
        subscribed = asyncio.Event()
        self._listener = asyncio.create_task(self._listen(deliver, lost, revoked, subscribed))
        await asyncio.wait_for(subscribed.wait(), timeout=10)

    async def _listen(
        self, deliver: Deliver, lost: Lost, revoked: Revoked, subscribed: asyncio.Event
    ) -> None:
        revoked_channel = self._revoked_channel.encode()
        while True:
            try:
                async with self._client.pubsub() as pubsub:
                    await pubsub.subscribe(self._channel, self._revoked_channel)
                    subscribed.set()
                    async for message in pubsub.listen():
                        if message["type"] != "message":
                            continue
                        if message["channel"] == revoked_channel:
                            revoked(message["data"].decode().split())
                        else:
                            deliver(*_parse(message["data"]))
            except (redis.RedisError, OSError):
                log.warning("lost the Redis event subscription; reconnecting", exc_info=True)
                lost()
                await asyncio.sleep(1)

    async def publish(self, events: list[Event]) -> None:
        now_ms = int(time.time() * 1000)
        for event in events:
            streams = event.streams()
            keys = [key for s in streams for key in (self._seq_key(s), self._log_key(s))]
            args: list[str | bytes | int] = [
                event.body(),
                now_ms,
                self._retention_events,
                self._retention_seconds,
                self._channel,
                *streams,
            ]
            await self._publish(keys=keys, args=args)

    async def revoke(self, token_hashes: list[str]) -> None:
        """Needs no `start`: a process that only revokes (the CLI) publishes and leaves."""
        await self._client.publish(self._revoked_channel, " ".join(token_hashes))

    async def replay(self, stream: str, after: int | None, epoch: str | None) -> Replay:
        seq_key = self._seq_key(stream)
        async with self._client.pipeline(transaction=True) as pipe:
            # A socket opens the stream: its numbering starts here if it had none.
            pipe.set(seq_key, numbering_base(), nx=True)
            pipe.expire(seq_key, self._retention_seconds)
            pipe.get(seq_key)
            if after is not None:
                pipe.zrangebyscore(self._log_key(stream), f"({after}", "+inf")
            answers = await pipe.execute()
        counter = answers[2]
        if after is None:  # a fresh socket needs only the stream's position
            return Replay(self.epoch, int(counter), [])
        entries = answers[3]
        last_seq = int(counter or 0)
        if epoch != self.epoch:
            return Replay(self.epoch, last_seq, None)
        oldest_allowed = time.time() - self._retention_seconds
        kept = []
        for entry in entries:
            stamp, text = entry.decode().split(" ", 1)
            seq = int(text[7 : text.index(",")])  # '{"seq":N,...'
            kept.append((seq, int(stamp) / 1000, text))
        return Replay(self.epoch, last_seq, _settle(last_seq, after, kept, oldest_allowed))

    async def connected(self, id_ambassador: int, connection: str) -> bool:
        now_ms = int(time.time() * 1000)
        count = await self._connect(
            keys=[self._presence_key(id_ambassador)],
            args=[
                now_ms,
                now_ms + self._presence_ttl_ms,
                connection,
                self._presence_ttl_ms // 1000,
            ],
        )
        return int(count) == 1

    async def disconnected(self, id_ambassador: int, connection: str) -> bool:
        now_ms = int(time.time() * 1000)
        gone = await self._disconnect(
            keys=[self._presence_key(id_ambassador)], args=[now_ms, connection]
        )
        return int(gone) == 1

    async def refresh(self, sockets: Iterable[tuple[int, str]]) -> None:
        expires = int(time.time() * 1000) + self._presence_ttl_ms
        async with self._client.pipeline(transaction=False) as pipe:
            for id_ambassador, connection in sockets:
                key = self._presence_key(id_ambassador)
                pipe.zadd(key, {connection: expires}, xx=True)
                pipe.expire(key, self._presence_ttl_ms // 1000)
            await pipe.execute()

    async def close(self) -> None:
        if self._listener is not None:
            self._listener.cancel()
            await asyncio.gather(self._listener, return_exceptions=True)
        await self._client.aclose()

    def _seq_key(self, stream: str) -> str:
        return f"{self._prefix}seq:{stream}"

    def _log_key(self, stream: str) -> str:
        return f"{self._prefix}log:{stream}"

    def _presence_key(self, id_ambassador: int) -> str:
        return f"{self._prefix}presence:{id_ambassador}"


def _parse(message: bytes) -> tuple[bytes, list[tuple[str, int]]]:
    header, body = message.split(b"\n", 1)
    positions = []
    for position in header.decode().split(" "):
        stream, seq = position.rsplit("=", 1)
        positions.append((stream, int(seq)))
    return body, positions
