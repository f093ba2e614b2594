"""Webhook bench: what one enabled endpoint costs a rating, and how fast one process delivers.

Run through `make bench-webhooks`. For each setup (SQLite, one worker; PostgreSQL + Redis, two
workers, when `scripts/run-tests` provides them), on the seeded data of `make bench`:

1. **Cost.** wrk posts the seed's request (an ambassador asks for a rating, once per chatroom)
   with no endpoint, then with one enabled endpoint subscribed to every event (each rating
   request is two deliveries: `message.created` and `rating.requested`) whose receiver
   (bench/receiver.py, a process of its own) answers 200 at once, delivered by the same Salon
   processes while they serve (the row says whether they kept up: pending when wrk stopped,
   and how long the rest took); and between the two, the same endpoint with the processes'
   workers off, which isolates what writing the deliveries costs. Rounds alternate the three
   and the best of each is kept, as `make bench` does.
2. **Delivery rate.** A process that only records deliveries (SALON_WEBHOOK_WORKER=false)
   takes `--backlog` rating requests; then one Salon process with its worker, and no request
   load, delivers them all: deliveries per second, from its start to the receiver's last count.
"""

import argparse
import asyncio
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from bench.http import (
    CONNECTIONS,
    SALON_ENV,
    WRITE_HISTORY,
    Chatrooms,
    Poster,
    Result,
    post_each_once,
    stop,
    wrk,
)
from bench.seed import seed
from bench.setups import SKIPPED, postgres_and_redis
from salon.clock import utcnow
from salon.config import Settings
from salon.db import migrate
from salon.db.database import Database
from salon.db.open import open_database
from salon.db.query import query
from salon.webhooks import repository
from salon.webhooks.events import EVENT_TYPES
from salon.webhooks.signing import new_secret
from tests import served
from tests.served import Server

WEBHOOK_ENV = {"SALON_WEBHOOK_ALLOWED_NETWORKS": "127.0.0.0/8"}
RECORDED = "one endpoint, recorded only"
MODES = ("no endpoint", RECORDED, "one endpoint")
ROW = "{:<9} {:<28} {:>8} {:>8} {:>8} {:>7} {:>24}"


async def database(url: str) -> Database:
    return await open_database(Settings(database_url=url, db_pool_size=1, db_max_overflow=0))


async def add_endpoint(url: str, id_brand: int, target: str) -> int:
    db = await database(url)
    try:
        async with db.transaction() as tx:
            endpoint = await repository.insert_endpoint(
                tx,
                id_brand=id_brand,
                url=target,
                description="bench",
                event_types=",".join(EVENT_TYPES),
                rating_value_min=None,
                rating_value_max=None,
                enabled=False,
                secret=new_secret(),
                now=utcnow(),
            )
        return endpoint.id_webhook
    finally:
        await db.close()


async def sql(url: str, text: str, params: dict[str, object] | None = None) -> int:
    """Run one statement; its first value (a count), or the rows it changed."""
    db = await database(url)
    try:
        async with db.transaction() as tx:
            if text.lstrip().upper().startswith("SELECT"):
                return int(await tx.fetchval(query(text), params or {}))
            return await tx.execute(query(text), params or {})
    finally:
        await db.close()


def start_receiver() -> Server:
    port = served.free_port()
    command = [sys.executable, "-m", "bench.receiver", "--port", str(port)]
    process = subprocess.Popen(command, cwd=Path(__file__).resolve().parent.parent)  # noqa: S603
    receiver = Server(f"http://127.0.0.1:{port}", process)
    served.wait_until_up(receiver, "/")
    return receiver


def received(receiver: Server) -> int:
    return int(httpx.get(receiver.base_url + "/", timeout=5).text)


async def until_delivered(url: str, receiver: Server, expected: int, limit: float) -> float:
    """Seconds until the receiver has counted `expected` deliveries (SystemExit past `limit`)."""
    began = time.monotonic()
    while received(receiver) < expected:
        if time.monotonic() - began > limit:
            pending = await sql(url, "SELECT count(*) FROM webhook_delivery WHERE status = 0")
            raise SystemExit(
                f"bench: {received(receiver):,} of {expected:,} delivered after {limit:.0f} s "
                f"({pending:,} pending)"
            )
        await asyncio.sleep(0.05)
    return time.monotonic() - began


async def run_setup(
    name: str, url: str, workers: int, env: dict[str, str], args: argparse.Namespace
) -> None:
    await asyncio.to_thread(migrate.upgrade, url)
    per_run = (args.warmup + args.seconds) * args.max_rate
    writes = len(MODES) * args.rounds * per_run + args.backlog
    began = time.monotonic()
    rooms = Chatrooms(await seed(url, [WRITE_HISTORY] * writes, CONNECTIONS))
    print(f"{name:<9} seeded {writes:,} chatrooms in {time.monotonic() - began:.0f} s", flush=True)
    id_brand = await sql(
        url,
        "SELECT id_brand FROM chatroom WHERE id_chatroom = :id",
        {"id": rooms.rooms[0].id_chatroom},
    )
    receiver = start_receiver()
    try:
        endpoint = await add_endpoint(url, id_brand, receiver.base_url + "/hooks")
        salon_env = SALON_ENV | WEBHOOK_ENV | env
        with tempfile.TemporaryDirectory() as scratch:
            poster = Poster(Path(scratch), rooms, args.max_rate)
            best: dict[str, Result] = {}
            lag: dict[str, str] = {}
            for _ in range(args.rounds):
                for mode in MODES:
                    await sql(
                        url,
                        "UPDATE webhook_endpoint SET enabled = :on WHERE id_webhook = :id",
                        {"on": mode != "no endpoint", "id": endpoint},
                    )
                    before = received(receiver)
                    deliveries_before = await sql(url, "SELECT count(*) FROM webhook_delivery")
                    # Recorded only: the same rows written, no worker sending them here (they
                    # are sent by the next run's processes, before its load).
                    mode_env = {"SALON_WEBHOOK_WORKER": "false"} if mode == RECORDED else {}
                    server = served.start(url, workers=workers, env=salon_env | mode_env)
                    what = f"{name} webhooks {mode}"
                    try:
                        wrk(server.base_url, poster.targets(args.warmup), "post_rating",
                            args.warmup, what)  # fmt: skip
                        result = wrk(
                            server.base_url,
                            poster.targets(args.seconds),
                            "post_rating",
                            args.seconds,
                            what,
                        )
                        made = (
                            await sql(url, "SELECT count(*) FROM webhook_delivery")
                            - deliveries_before
                        )
                        pending = await sql(
                            url, "SELECT count(*) FROM webhook_delivery WHERE status = 0"
                        )
                        if mode == RECORDED:
                            rest = 0.0
                        else:
                            rest = await until_delivered(url, receiver, before + made, 120)
                    finally:
                        stop(server)
                    if mode == RECORDED:
                        # Leave the queue empty for the next run: a process with a worker
                        # delivers what was recorded.
                        drainer = served.start(url, workers=1, env=salon_env)
                        try:
                            await until_delivered(url, receiver, before + made, 600)
                        finally:
                            stop(drainer)
                    kept = best.get(mode)
                    if kept is None or result.requests_per_s > kept.requests_per_s:
                        best[mode] = result
                        if not made:
                            lag[mode] = "no deliveries"
                        elif mode == RECORDED:
                            lag[mode] = f"{made:,} recorded"
                        else:
                            lag[mode] = f"{pending:,} pending, +{rest:.1f} s"
            none = best["no endpoint"].requests_per_s
            for mode in MODES:
                r = best[mode]
                ratio = r.requests_per_s / none
                print(
                    ROW.format(
                        name,
                        mode,
                        f"{r.requests_per_s:,.0f}",
                        f"{r.p50_ms:.1f}",
                        f"{r.p99_ms:.1f}",
                        f"{ratio:.2f}x" if mode != "no endpoint" else "",
                        lag[mode],
                    ),
                    flush=True,
                )

            # The delivery rate of one process, on a backlog recorded by a process without a
            # worker.
            backlog_rooms = rooms.take(args.backlog)
            recorder = served.start(
                url, workers=1, env=salon_env | {"SALON_WEBHOOK_WORKER": "false"}
            )
            try:
                await post_each_once(
                    url,
                    recorder.base_url,
                    backlog_rooms,
                    Path(scratch) / "backlog.targets",
                    f"{name} backlog",
                )
            finally:
                stop(recorder)
            pending = await sql(url, "SELECT count(*) FROM webhook_delivery WHERE status = 0")
            before = received(receiver)
            deliverer = served.start(url, workers=1, env=salon_env)
            try:
                seconds = await until_delivered(url, receiver, before + pending, 600)
            finally:
                stop(deliverer)
            print(
                f"{name:<9} one process delivered {pending:,} deliveries in {seconds:.1f} s: "
                f"{pending / seconds:,.0f} deliveries/s (no request load)",
                flush=True,
            )
    finally:
        stop(receiver)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10, help="measured run per mode")
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=2, help="alternations, best kept")
    parser.add_argument("--max-rate", type=int, default=3000, help="chatrooms per second of load")
    parser.add_argument("--backlog", type=int, default=5000, help="rating requests to deliver")
    parser.add_argument("--only", choices=("sqlite", "postgres"))
    args = parser.parse_args()
    print(
        f"wrk, {CONNECTIONS} connections, {args.seconds} s per mode after a warm-up, best of "
        f"{args.rounds} alternating rounds; one endpoint: every event type, a receiver that "
        "answers 200 at once; ratio: with / without"
    )
    print(ROW.format("setup", "route", "req/s", "p50 ms", "p99 ms", "ratio", "deliveries"))
    if args.only != "postgres":
        with tempfile.TemporaryDirectory() as scratch:
            await run_setup("sqlite", f"sqlite:///{scratch}/bench.db", 1, {}, args)
    if args.only == "sqlite":
        return
    production = await postgres_and_redis()
    if production is None:
        print(SKIPPED)
    else:
        postgres, env = production
        await run_setup("postgres", postgres, 2, env, args)


if __name__ == "__main__":
    asyncio.run(main())
