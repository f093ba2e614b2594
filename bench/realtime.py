"""Real-time bench: how many sockets one `salon serve` process holds and what each costs, and
how fast a committed message reaches the other participant's socket under a steady load.

Run through `make bench-realtime`. Two setups, in one run:
  sqlite   one process, SQLite, the in-memory broker (the default install)
  postgres two processes, PostgreSQL, the Redis broker (needs SALON_TEST_POSTGRES_URL and
           SALON_TEST_REDIS_URL, which `scripts/run-tests` provides)

Latency is measured from the message's `date_insert` (stamped by the server just before its
transaction commits) to the moment the client reads the frame: an upper bound of
commit-to-delivery that also includes the client's own event-loop delay.
"""

import argparse
import asyncio
import collections
import multiprocessing
import resource
import secrets
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson
from websockets.asyncio.client import ClientConnection, connect

from bench.processes import rss_kib, worker_pids
from bench.setups import SKIPPED, postgres_and_redis
from salon.auth.service import issue_token
from salon.config import Settings
from salon.db import migrate
from salon.db.open import open_database
from salon.provisioning import service as provisioning
from salon.records import AmbassadorStatus
from tests import served


@dataclass
class Pair:
    id_chatroom: int
    visitor: tuple[int, str]  # id, token
    ambassador: tuple[int, str]


async def seed(url: str, idle: int, pairs: int) -> tuple[list[str], list[Pair]]:
    """`idle` visitors (each in a chatroom with one host) and `pairs` of visitor + ambassador."""
    database = await open_database(Settings(database_url=url))
    async with database.transaction() as tx:
        brand = await provisioning.create_brand(tx, f"bench {secrets.token_hex(3)}")
        host = await provisioning.create_ambassador(tx, brand.id_brand, status=0)
        idle_tokens = []
        for _ in range(idle):
            person = await provisioning.create_ambassador(
                tx, brand.id_brand, status=AmbassadorStatus.CLIENT
            )
            await provisioning.create_chatroom(tx, [person, host])
            idle_tokens.append(await issue_token(tx, person))
        chat_pairs = []
        for _ in range(pairs):
            visitor = await provisioning.create_ambassador(
                tx, brand.id_brand, status=AmbassadorStatus.CLIENT
            )
            ambassador = await provisioning.create_ambassador(tx, brand.id_brand, status=0)
            room = await provisioning.create_chatroom(tx, [visitor, ambassador])
            chat_pairs.append(
                Pair(
                    room,
                    (visitor.id_ambassador, await issue_token(tx, visitor)),
                    (ambassador.id_ambassador, await issue_token(tx, ambassador)),
                )
            )
    await database.close()
    return idle_tokens, chat_pairs


async def open_socket(ws_url: str, token: str) -> ClientConnection:
    socket = await connect(
        f"{ws_url}/chat/ws",
        additional_headers={"Authorization": f"Bearer {token}"},
        open_timeout=60,
        ping_interval=None,
        max_queue=None,
    )
    hello = orjson.loads(await socket.recv())
    assert hello["type"] == "hello", hello
    return socket


async def open_many(ws_url: str, tokens: list[str], at_once: int = 100) -> list[ClientConnection]:
    gate = asyncio.Semaphore(at_once)

    async def one(token: str) -> ClientConnection:
        async with gate:
            return await open_socket(ws_url, token)

    return await asyncio.gather(*(one(t) for t in tokens))


async def answered_pings(sockets: list[ClientConnection]) -> int:
    async def ping(socket: ClientConnection) -> bool:
        await socket.send('{"type":"ping"}')
        while True:
            frame = orjson.loads(await asyncio.wait_for(socket.recv(), 60))
            if frame["type"] == "pong":
                return True

    return sum(await asyncio.gather(*(ping(s) for s in sockets)))


async def capacity(ws_url: str, pids: list[int], tokens: list[str]) -> dict[str, float]:
    # Warm every code path first (auth, presence, replay) so the baseline is not cold.
    for socket in await open_many(ws_url, tokens[:200]):
        await socket.close()
    await asyncio.sleep(1)
    before = rss_kib(pids)
    sockets = await open_many(ws_url, tokens)
    await asyncio.sleep(1)
    after = rss_kib(pids)
    alive = await answered_pings(sockets)
    await asyncio.gather(*(s.close() for s in sockets))
    return {
        "sockets": len(sockets),
        "answered": alive,
        "rss_before_mib": before / 1024,
        "rss_after_mib": after / 1024,
        "kib_per_socket": (after - before) / len(sockets),
    }


def _date(text: str) -> float:
    return datetime.fromisoformat(text).timestamp()


class RawClient:
    """HTTP/1.1 with keep-alive over asyncio streams: tens of µs a request where httpx took
    about a millisecond, so that the load generator is not what limits the rate."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer

    @classmethod
    async def connect(cls, host: str, port: int) -> "RawClient":
        return cls(*await asyncio.open_connection(host, port))

    async def post(self, path: str, token: str, body: bytes) -> int:
        head = (
            f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
        )
        self.writer.write(head.encode() + body)
        status = int((await self.reader.readline()).split()[1])
        length = 0
        while (line := await self.reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        await self.reader.readexactly(length)
        return status


async def _post_steadily(base_url: str, pairs: list[Pair], rate: float, seconds: float) -> Any:
    """Posts `rate` messages/s for one second of warm-up (content `w<n>`), then for `seconds`
    (content `m<n>`, the measured ones); each visitor writes to its ambassador. Open loop: a
    message is sent at its time whether or not the previous ones were answered."""
    host, port = base_url.removeprefix("http://").split(":")
    clients: asyncio.Queue[RawClient] = asyncio.Queue()
    for _ in range(64):
        clients.put_nowait(await RawClient.connect(host, int(port)))
    errors = 0

    async def send(tag: str, n: int) -> None:
        nonlocal errors
        pair = pairs[n % len(pairs)]
        id_visitor, token = pair.visitor
        body = orjson.dumps(
            {"id_ambassador": id_visitor, "type_message": 0, "content": f"{tag}{n}"}
        )
        client = await clients.get()
        try:
            status = await client.post(f"/chat/chatrooms/{pair.id_chatroom}/messages", token, body)
        except (OSError, ValueError, IndexError, asyncio.IncompleteReadError):
            errors += 1
            client = await RawClient.connect(host, int(port))
        else:
            errors += status != 201
        clients.put_nowait(client)

    async def steady(tag: str, count: int) -> float:
        loop = asyncio.get_running_loop()
        began = loop.time()
        tasks = []
        for n in range(count):
            delay = began + n / rate - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(send(tag, n)))
        await asyncio.gather(*tasks)
        return loop.time() - began

    await steady("w", int(rate))
    await asyncio.sleep(0.5)
    sent = int(rate * seconds)
    elapsed = await steady("m", sent)
    return {"messages": sent, "rate": sent / elapsed, "errors": errors}


def _poster(base_url: str, pairs: list[Pair], rate: float, seconds: float, out: Any) -> None:
    out.put(asyncio.run(_post_steadily(base_url, pairs, rate, seconds)))


async def latency(
    base_url: str, ws_url: str, pairs: list[Pair], rate: float, seconds: float
) -> dict[str, float]:
    """The messages are posted by a process of their own, so that neither the posting nor
    this process's reading delays the other."""
    latencies: list[float] = []
    delivered: collections.Counter[str] = collections.Counter()

    async def listen(socket: ClientConnection) -> None:
        async for raw in socket:
            now = time.time()
            frame = orjson.loads(raw)
            if frame["type"] == "message.created" and frame["data"]["content"][0] == "m":
                delivered[frame["data"]["content"]] += 1
                latencies.append(now - _date(frame["data"]["date_insert"]))

    sockets = await open_many(ws_url, [p.ambassador[1] for p in pairs])
    listeners = [asyncio.create_task(listen(s)) for s in sockets]
    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    poster = context.Process(target=_poster, args=(base_url, pairs, rate, seconds, results))
    poster.start()
    posted: dict[str, float] = await asyncio.to_thread(results.get)
    await asyncio.to_thread(poster.join)
    await asyncio.sleep(1)  # the last deliveries
    for task in listeners:
        task.cancel()
    await asyncio.gather(*(s.close() for s in sockets))
    ordered = sorted(latencies)
    return posted | {
        "delivered": len(delivered),
        "duplicates": sum(delivered.values()) - len(delivered),
        "p50_ms": statistics.median(ordered) * 1000,
        "p99_ms": ordered[int(len(ordered) * 0.99) - 1] * 1000,
        "max_ms": ordered[-1] * 1000,
    }


CAPACITY = "{:<9} {:>7} {:>8} {:>8} {:>9} {:>8}"
LATENCY = "{:<9} {:>7} {:>8} {:>8} {:>13} {:>5} {:>5} {:>7} {:>7} {:>7}"


async def run_setup(
    name: str, url: str, workers: int, env: dict[str, str], args: argparse.Namespace
) -> list[str]:
    """Prints the capacity row; returns the latency rows (printed after every setup's)."""
    await asyncio.to_thread(migrate.upgrade, url)
    idle_tokens, pairs = await seed(url, args.sockets, args.pairs)
    load = {"SALON_WRITES_PER_MINUTE": "100000000", "SALON_DB_POOL_SIZE": "20"}
    server = served.start(url, workers=workers, env=load | env)
    rows = []
    try:
        pids = worker_pids(server, workers)
        ws_url = server.base_url.replace("http://", "ws://")
        held = await capacity(ws_url, pids, idle_tokens)
        print(
            CAPACITY.format(
                name,
                workers,
                f"{held['sockets']:.0f}",
                f"{held['answered']:.0f}",
                f"{held['kib_per_socket']:.1f}",
                f"{held['rss_after_mib']:.0f}",
            ),
            flush=True,
        )
        for rate in args.rates:
            timed = await latency(server.base_url, ws_url, pairs, rate, args.seconds)
            rows.append(
                LATENCY.format(
                    name,
                    workers,
                    f"{rate:.0f}",
                    f"{timed['rate']:.0f}",
                    f"{timed['delivered']:.0f}/{timed['messages']:.0f}",
                    f"{timed['errors']:.0f}",
                    f"{timed['duplicates']:.0f}",
                    f"{timed['p50_ms']:.1f}",
                    f"{timed['p99_ms']:.1f}",
                    f"{timed['max_ms']:.1f}",
                )
            )
    finally:
        server.process.terminate()
        server.process.wait(timeout=30)
    return rows


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sockets", type=int, default=5000)
    parser.add_argument("--pairs", type=int, default=100)
    parser.add_argument(
        "--rates",
        type=lambda text: [float(r) for r in text.split(",")],
        default=[500.0, 80.0],
        help="messages per second, comma separated: the target, and one the server sustains",
    )
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args()
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))  # the server inherits it
    if hard < 2 * args.sockets + 1000:
        sys.exit(f"open files limited to {hard}; {args.sockets} sockets need more")

    print("Sockets held by the server (targets: >= 5,000 sockets, <= 50 KB each)")
    print(CAPACITY.format("setup", "workers", "sockets", "answered", "KiB/sock", "RSS MiB"))
    rows: list[str] = []
    with tempfile.TemporaryDirectory() as scratch:
        rows += await run_setup("sqlite", f"sqlite:///{scratch}/bench.db", 1, {}, args)
    production = await postgres_and_redis()
    if production is None:
        print(SKIPPED)
    else:
        postgres, env = production
        rows += await run_setup("postgres", postgres, 2, env, args)
    print()
    print("Insert-to-delivery latency, messages posted over REST at a steady rate (p99 <= 50 ms)")
    print(
        LATENCY.format(
            "setup",
            "workers",
            "offered",
            "achieved",
            "delivered",
            "err",
            "dup",
            "p50 ms",
            "p99 ms",
            "max ms",
        )
    )
    print("\n".join(rows))


if __name__ == "__main__":
    asyncio.run(main())
