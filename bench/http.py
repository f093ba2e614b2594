"""HTTP bench: Salon's two hot routes side by side with the raw reference server.

Run through `make bench`. Two setups, in one run, same machine, same data, same load:
  sqlite    one worker, SQLite (the default install)
  postgres  two workers, PostgreSQL, Redis for events and rate limits (the production path;
            needs SALON_TEST_POSTGRES_URL and SALON_TEST_REDIS_URL from `scripts/run-tests`)

For each setup and route, wrk (bench/wrk/hot.lua) drives Salon and then the reference
(bench/reference.py) with the same requests over 64 connections, spread over 64 chatrooms
and their tokens, and the table shows requests/s, p50, p99, errors and Salon/reference.
Before the load, both servers answer the same request and the bodies are compared.
Then Salon alone takes `--soak` ratings (100,000) and its memory is read before and after.
"""

import argparse
import asyncio
import json
import os
import re
import secrets
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
from salon.db.session import Database
from sqlalchemy import func, select

from bench.processes import rss_kib, worker_pids
from salon.auth.service import issue_token
from salon.clock import utcnow
from salon.config import Settings
from salon.db import migrate
from salon.db.models import Ambassador, AmbassadorStatus, Message, MessageType, Rating
from salon.provisioning import service as provisioning
from tests import served
from tests.served import Server

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
CONNECTIONS = 64
# Rate limits stay on (their cost is part of Salon's), with a ceiling the bench never reaches.
SALON_ENV = {"SALON_WRITES_PER_MINUTE": "100000000"}


@dataclass
class Room:
    id_chatroom: int
    visitor_token: str
    ambassador_id: int
    ambassador_token: str


@dataclass
class Result:
    requests_per_s: float
    p50_ms: float
    p99_ms: float
    errors: int


async def seed(url: str, rooms: int, history: int) -> list[Room]:
    """`rooms` one-to-one chatrooms (visitor + ambassador), each with `history` messages, a
    third of them answered ratings, as a real conversation has."""
    database = Database.connect(Settings(database_url=url))
    seeded = []
    async with database.sessionmaker() as session:
        brand = await provisioning.create_brand(session, f"bench {secrets.token_hex(3)}")
        start = utcnow() - timedelta(days=1)
        for _ in range(rooms):
            visitor = await provisioning.create_ambassador(
                session,
                brand.id_brand,
                status=AmbassadorStatus.CLIENT,
                firstname="Vera",
                email=f"{secrets.token_hex(6)}@example.com",
            )
            host = await provisioning.create_ambassador(
                session, brand.id_brand, status=0, firstname="Hugo", lastname="Ambassador"
            )
            room = await provisioning.create_chatroom(session, [visitor, host])
            for n in range(history):
                when = start + timedelta(seconds=n)
                author: Ambassador = (visitor, host)[n % 2]
                rated = n % 3 == 2
                message = Message(
                    id_brand=brand.id_brand,
                    id_chatroom=room.id_chatroom,
                    author=author,
                    type_message=MessageType.RATING if rated else MessageType.TEXT,
                    content="" if rated else f"Message {n}: is this in stock in size 38?",
                    date_insert=when,
                    date_update=when,
                )
                session.add(message)
                if rated:
                    session.add(
                        Rating(
                            id_brand=brand.id_brand,
                            id_chatroom=room.id_chatroom,
                            message=message,
                            id_user_rater=visitor.id_ambassador,
                            id_user_rated=host.id_ambassador,
                            value=n % 6,
                            content="Very helpful",
                            date_insert=when,
                            date_update=when,
                            date_rated=when,
                        )
                    )
            room.last_message_date = start + timedelta(seconds=history)
            seeded.append(
                Room(
                    room.id_chatroom,
                    issue_token(session, visitor),
                    host.id_ambassador,
                    issue_token(session, host),
                )
            )
        await session.commit()
    await database.dispose()
    return seeded


async def count_ratings(url: str) -> int:
    database = Database.connect(Settings(database_url=url))
    async with database.sessionmaker() as session:
        total = await session.scalar(select(func.count()).select_from(Rating))
    await database.dispose()
    return int(total or 0)


def targets_file(directory: Path, route: str, rooms: list[Room]) -> Path:
    """One request per chatroom. The visitor rates the ambassador with a value, so no request
    is refused for an unanswered one; the ambassador reads 20 messages."""
    lines = []
    for room in rooms:
        path = f"/chat/chatrooms/{room.id_chatroom}"
        if route == "post_rating":
            body = json.dumps({"id_user_rated": room.ambassador_id, "value": 5, "content": "ok"})
            lines.append(f"POST\t{path}/ratings\t{room.visitor_token}\t{body}")
        else:
            lines.append(f"GET\t{path}/messages?per_page=20\t{room.ambassador_token}\t")
    target = directory / f"{route}.targets"
    target.write_text("\n".join(lines) + "\n")
    return target


def wrk(
    base_url: str,
    targets: Path,
    seconds: int,
    pace_ms: int | None = None,
    *,
    connections: int = CONNECTIONS,
) -> Result:
    command = [
        "wrk",
        f"-c{connections}",
        "-t2",
        f"-d{seconds}s",
        "--timeout",
        "10s",
        "-s",
        str(BENCH / "wrk" / "hot.lua"),
        base_url,
    ]
    env = os.environ | {"BENCH_TARGETS": str(targets)}
    if pace_ms is not None:
        env["BENCH_DELAY_MS"] = str(pace_ms)
    out = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    found = re.search(r"^WRK_RESULT (.*)$", out.stdout, re.MULTILINE)
    if found is None:
        raise RuntimeError(f"wrk printed no result:\n{out.stdout}\n{out.stderr}")
    raw = json.loads(found[1])
    return Result(
        requests_per_s=raw["requests"] / (raw["duration_us"] / 1e6),
        p50_ms=raw["p50_us"] / 1000,
        p99_ms=raw["p99_us"] / 1000,
        errors=raw["status_errors"] + raw["socket_errors"],
    )


def start_reference(url: str, workers: int, pool_size: int) -> Server:
    """The reference under the same uvicorn options as `salon serve`."""
    port = served.free_port()
    env = os.environ | {"REFERENCE_DATABASE_URL": url, "REFERENCE_POOL_SIZE": str(pool_size)}
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "bench.reference:app",
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--loop",
        "uvloop",
        "--http",
        "httptools",
        "--log-level",
        "warning",
        "--proxy-headers",
    ]
    process = subprocess.Popen(command, env=env, cwd=ROOT)  # noqa: S603
    server = Server(f"http://127.0.0.1:{port}", process)
    served.wait_until_up(server, "/chat/chatrooms/1/messages", status=401)
    return server


def stop(server: Server) -> None:
    server.process.terminate()
    server.process.wait(timeout=30)


def same_bodies(salon: str, reference: str, room: Room) -> None:
    """Both servers answer a page of messages identically, and a rating with the same shape."""
    read = f"/chat/chatrooms/{room.id_chatroom}/messages?per_page=20"
    headers = {"Authorization": f"Bearer {room.ambassador_token}"}
    ours = httpx.get(salon + read, headers=headers).json()
    theirs = httpx.get(reference + read, headers=headers).json()
    origin = re.compile(r"http://127\.0\.0\.1:\d+")
    if origin.sub("", json.dumps(ours)) != origin.sub("", json.dumps(theirs)):
        raise SystemExit(f"GET bodies differ:\nsalon     {ours}\nreference {theirs}")

    def shape(value: Any) -> Any:
        if isinstance(value, dict):
            return {key: shape(item) for key, item in value.items()}
        return type(value).__name__

    write = f"/chat/chatrooms/{room.id_chatroom}/ratings"
    body = {"id_user_rated": room.ambassador_id, "value": 4}
    headers = {"Authorization": f"Bearer {room.visitor_token}"}
    answers = [
        httpx.post(server + write, json=body, headers=headers) for server in (salon, reference)
    ]
    if [a.status_code for a in answers] != [201, 201] or shape(answers[0].json()) != shape(
        answers[1].json()
    ):
        raise SystemExit(f"POST answers differ: {[(a.status_code, a.text) for a in answers]}")


ROUTES = {"post_rating": "POST ratings", "get_messages": "GET 20 messages"}
MEMORY = "{:<9} {:>9} {:>7} {:>6} {:>9} {:>9} {:>9} {:>12}"
ROW = "{:<9} {:<16} {:<10} {:>9} {:>8} {:>8} {:>6} {:>7}"


def print_row(setup: str, route: str, server: str, result: Result, ratio: str = "") -> None:
    print(
        ROW.format(
            setup,
            ROUTES[route],
            server,
            f"{result.requests_per_s:.0f}",
            f"{result.p50_ms:.1f}",
            f"{result.p99_ms:.1f}",
            result.errors,
            ratio,
        ),
        flush=True,
    )


async def run_setup(
    name: str, url: str, workers: int, env: dict[str, str], args: argparse.Namespace
) -> str:
    """Prints the setup's rows; returns the memory line (printed after the table)."""
    await asyncio.to_thread(migrate.upgrade, url)
    rooms = await seed(url, CONNECTIONS, args.history)
    pool_size = Settings().db_pool_size
    salon = served.start(url, workers=workers, env=SALON_ENV | env)
    reference = start_reference(url, workers, pool_size)
    try:
        same_bodies(salon.base_url, reference.base_url, rooms[0])
    finally:
        stop(reference)
        stop(salon)
    with tempfile.TemporaryDirectory() as scratch:
        # Reads first, so both servers read the same rows; then writes. Rounds alternate the
        # servers and the best of each is kept: this machine's speed drifts by a third from
        # minute to minute, and alternating gives both the same weather.
        for route in ("get_messages", "post_rating"):
            targets = targets_file(Path(scratch), route, rooms)
            best: dict[str, Result] = {}
            paced: Result | None = None
            for _ in range(args.rounds):
                for server_name in ("salon", "reference"):
                    if server_name == "salon":
                        server = served.start(url, workers=workers, env=SALON_ENV | env)
                    else:
                        server = start_reference(url, workers, pool_size)
                    try:
                        wrk(server.base_url, targets, args.warmup)
                        result = wrk(server.base_url, targets, args.seconds)
                        if server_name == "salon" and paced is None:
                            pace_ms = round(CONNECTIONS * 1000 / args.paced_rate)
                            paced = wrk(server.base_url, targets, args.seconds, pace_ms)
                    finally:
                        stop(server)
                    kept = best.get(server_name)
                    if kept is None or result.requests_per_s > kept.requests_per_s:
                        best[server_name] = result
            ratio = best["salon"].requests_per_s / best["reference"].requests_per_s
            print_row(name, route, "salon", best["salon"], f"{ratio:.2f}x")
            print_row(name, route, "reference", best["reference"])
            assert paced is not None
            print_row(name, route, f"salon@{args.paced_rate}", paced)
        if not args.soak:
            return ""
        return await soak(name, url, workers, env, targets, args.soak)


async def soak(
    name: str, url: str, workers: int, env: dict[str, str], targets: Path, ratings: int
) -> str:
    """Salon's memory after a warm-up, half-way through `ratings` more ratings, and at the end.

    Bounded caches fill in the first half (the event log for resume keeps the last 1,000 events
    of each stream: three per rating for each of two participants, full after about 21,000
    ratings over 64 chatrooms). The second half is the test: flat means no leak.
    """
    server = served.start(url, workers=workers, env=SALON_ENV | env)
    try:
        pids = worker_pids(server, workers)
        wrk(server.base_url, targets, 10)
        warm_kib, first = rss_kib(pids), await count_ratings(url)
        began = time.monotonic()
        errors = 0
        half_kib = None
        while (posted := await count_ratings(url) - first) < ratings:
            if half_kib is None and posted >= ratings // 2:
                half_kib = rss_kib(pids)
            errors += wrk(server.base_url, targets, 20).errors
        end_kib = rss_kib(pids)
    finally:
        stop(server)
    half_kib = half_kib or warm_kib
    return MEMORY.format(
        name,
        f"{posted:,}",
        f"{time.monotonic() - began:.0f}",
        errors,
        f"{warm_kib / 1024:.1f}",
        f"{half_kib / 1024:.1f}",
        f"{end_kib / 1024:.1f}",
        f"{(end_kib - half_kib) / 1024:+.1f}",
    )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10, help="measured run per server")
    parser.add_argument("--warmup", type=int, default=3, help="unmeasured run before it")
    parser.add_argument("--rounds", type=int, default=2, help="alternations, best kept")
    parser.add_argument(
        "--paced-rate", type=int, default=100, help="req/s offered for the paced latency row"
    )
    parser.add_argument("--history", type=int, default=60, help="messages per chatroom")
    parser.add_argument("--soak", type=int, default=100_000, help="ratings for the memory run")
    parser.add_argument("--only", choices=("sqlite", "postgres"), help="run one setup")
    args = parser.parse_args()

    print(
        f"wrk, {CONNECTIONS} connections, {args.seconds} s per server after a warm-up, "
        f"best of {args.rounds} alternating rounds; salon@N: Salon paced to about N req/s"
    )
    print(ROW.format("setup", "route", "server", "req/s", "p50 ms", "p99 ms", "errors", "ratio"))
    memory = []
    if args.only != "postgres":
        with tempfile.TemporaryDirectory() as scratch:
            memory.append(await run_setup("sqlite", f"sqlite:///{scratch}/bench.db", 1, {}, args))
    postgres = os.environ.get("SALON_TEST_POSTGRES_URL")
    redis_url = os.environ.get("SALON_TEST_REDIS_URL")
    if args.only == "sqlite":
        pass
    elif postgres and redis_url:
        await asyncio.to_thread(migrate.downgrade, postgres, "base")
        env = {"SALON_REDIS_URL": redis_url, "SALON_REDIS_PREFIX": "bench:"}
        memory.append(await run_setup("postgres", postgres, 2, env, args))
    else:
        print("postgres  skipped: SALON_TEST_POSTGRES_URL and SALON_TEST_REDIS_URL not set")
    if any(memory):
        print(
            f"\nSalon's memory (RSS of the workers, MiB) over {args.soak:,} ratings (target: flat)"
        )
        print(
            MEMORY.format(
                "setup", "ratings", "seconds", "errors", "warm", "half-way", "end", "second half"
            )
        )
        print("\n".join(line for line in memory if line))


if __name__ == "__main__":
    asyncio.run(main())
