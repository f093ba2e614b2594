"""Revocation bench: how soon a revoked token's socket closes, and what the periodic recheck of
the sockets' tokens costs.

Run through `make bench-revocation`. Two setups, in one run:
  sqlite   one process, SQLite, the in-memory broker
  postgres two processes, PostgreSQL, the Redis broker: each socket is held by process B and its
           token revoked by `DELETE /auth/token` on process A (needs SALON_TEST_POSTGRES_URL and
           SALON_TEST_REDIS_URL, which `scripts/run-tests` provides)

While `--sockets` other sockets are open, each round opens one socket, revokes its token over
REST and times the close frame (4401) from the moment the DELETE is sent. The recheck is timed
in this process, on the same database: one call of the hub's check for the digests of 1,000 and
5,000 tokens, as a process holding that many sockets runs it every SALON_WS_TOKEN_RECHECK_SECONDS.
"""

import argparse
import asyncio
import resource
import statistics
import sys
import tempfile
import time

import httpx
from websockets.asyncio.client import ClientConnection
from websockets.exceptions import ConnectionClosed

from bench.realtime import open_many, open_socket, seed
from bench.setups import SKIPPED, postgres_and_redis
from salon.auth.tokens import hash_token
from salon.config import Settings
from salon.db import migrate
from salon.db.open import open_database
from salon.realtime import service
from tests import served

WAIT = 10.0
ROW = "{:<9} {:>9} {:>6}  {:>7} {:>7} {:>7}  {:>7} {:>7} {:>7}"
RECHECK_ROW = "{:<9} {:>7} {:>12} {:>12}"


async def closed_after(socket: ClientConnection, started: float) -> tuple[int | None, float]:
    """The socket's close code and the seconds from `started` to its close."""
    try:
        while True:
            await asyncio.wait_for(socket.recv(), WAIT)
    except ConnectionClosed:
        return socket.close_code, time.perf_counter() - started
    except TimeoutError:
        return None, WAIT


async def rounds(
    revoke_url: str, ws_url: str, tokens: list[str]
) -> tuple[list[float], list[float], int]:
    """Per round: seconds from sending the DELETE to the close, and from its 204 to the close;
    and how many rounds closed with anything but 4401 within WAIT seconds."""
    to_close, after_answer, wrong = [], [], 0
    async with httpx.AsyncClient(base_url=revoke_url, timeout=WAIT) as http:
        for token in tokens:
            socket = await open_socket(ws_url, token)
            started = time.perf_counter()
            waiting = asyncio.create_task(closed_after(socket, started))
            response = await http.delete(
                "/auth/token", headers={"Authorization": f"Bearer {token}"}
            )
            answered = time.perf_counter() - started
            assert response.status_code == 204, response.text
            code, elapsed = await waiting
            if code != 4401:
                wrong += 1
                continue
            to_close.append(elapsed)
            after_answer.append(elapsed - answered)
    return to_close, after_answer, wrong


def quantiles(values: list[float]) -> tuple[float, float, float]:
    ordered = sorted(values)
    p99 = ordered[max(0, int(len(ordered) * 0.99) - 1)]
    return statistics.median(ordered) * 1000, p99 * 1000, ordered[-1] * 1000


async def recheck_cost(name: str, url: str, tokens: list[str], repeat: int) -> list[str]:
    database = await open_database(Settings(database_url=url))
    rows = []
    try:
        for size in (1000, 5000):
            digests = [hash_token(t) for t in tokens[:size]]
            timings = []
            for _ in range(repeat):
                async with database.transaction() as tx:
                    started = time.perf_counter()
                    dead = await service.dead_tokens(tx, digests)
                    timings.append(time.perf_counter() - started)
                assert not dead, "every token is live"
            best = min(timings) * 1000
            median = statistics.median(timings) * 1000
            rows.append(RECHECK_ROW.format(name, len(digests), f"{median:.1f}", f"{best:.1f}"))
    finally:
        await database.close()
    return rows


async def run_setup(
    name: str, url: str, env: dict[str, str], two: bool, args: argparse.Namespace
) -> tuple[str, list[str]]:
    await asyncio.to_thread(migrate.upgrade, url)
    idle_tokens, _ = await seed(url, max(args.sockets, 5000) + args.rounds, 0)
    held, revoked = idle_tokens[: args.sockets], idle_tokens[-args.rounds :]
    env = {"SALON_WRITES_PER_MINUTE": "100000000", **env}
    a = served.start(url, env=env)
    b = served.start(url, env=env) if two else a
    try:
        ws_url = b.base_url.replace("http://", "ws://")
        sockets = await open_many(ws_url, held)
        to_close, after_answer, wrong = await rounds(a.base_url, ws_url, revoked)
        await asyncio.gather(*(s.close() for s in sockets))
    finally:
        for server in {id(a): a, id(b): b}.values():
            server.process.terminate()
            server.process.wait(timeout=30)
    if not to_close:
        return f"{name:<9} no socket closed with 4401 ({wrong} rounds)", []
    row = ROW.format(
        name,
        "2 (A->B)" if two else "1",
        str(len(sockets)),
        *(f"{ms:.1f}" for ms in quantiles(to_close) + quantiles(after_answer)),
    ) + (f"  ({wrong} rounds not closed with 4401)" if wrong else "")
    return row, await recheck_cost(name, url, idle_tokens, args.repeat)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sockets", type=int, default=5000, help="other sockets held meanwhile")
    parser.add_argument("--rounds", type=int, default=200, help="revocations timed per setup")
    parser.add_argument("--repeat", type=int, default=20, help="recheck calls timed per size")
    args = parser.parse_args()
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))  # the servers inherit it
    if hard < 2 * args.sockets + 1000:
        sys.exit(f"open files limited to {hard}; {args.sockets} sockets need more")

    rows, rechecks = [], []
    with tempfile.TemporaryDirectory() as scratch:
        row, recheck = await run_setup("sqlite", f"sqlite:///{scratch}/bench.db", {}, False, args)
        rows.append(row)
        rechecks += recheck
    production = await postgres_and_redis()
    if production is None:
        rows.append(SKIPPED)
    else:
        postgres, env = production
        row, recheck = await run_setup("postgres", postgres, env, True, args)
        rows.append(row)
        rechecks += recheck

    print(f"Revocation to the socket's close (4401), {args.rounds} revocations, ms")
    print(f"{'':<9} {'':>9} {'':>6}  {'from the DELETE sent':^23}  {'from its 204':^23}")
    print(ROW.format("setup", "processes", "held", "p50", "p99", "max", "p50", "p99", "max"))
    print("\n".join(rows))
    print()
    print(f"One recheck of a process's sockets' tokens, {args.repeat} calls (ms)")
    print(RECHECK_ROW.format("setup", "tokens", "median", "best"))
    print("\n".join(rechecks))


if __name__ == "__main__":
    asyncio.run(main())
