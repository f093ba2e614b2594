"""HTTP bench: Salon's two hot routes side by side with the raw reference server.

Run through `make bench`. Two setups, in one run, same machine, same data, same load:
  sqlite    one worker, SQLite (the default install)
  postgres  two workers, PostgreSQL, Redis for events and rate limits (the production path;
            needs SALON_TEST_POSTGRES_URL and SALON_TEST_REDIS_URL from `scripts/run-tests`)

For each setup and route, wrk (bench/wrk/hot.lua) drives Salon and then the reference
(bench/reference.py) with the same requests over 64 connections, and the table shows
requests/s, p50, p99, errors and Salon/reference. What is sent is what users send:
  GET   an ambassador reads a page of 20 messages, over and over, in 64 chatrooms;
  POST  an ambassador asks the visitor for a rating, once per chatroom: every POST of the run
        (warm-up, rounds, paced row, soak, each server) has a chatroom of its own, seeded in
        bulk before the load (bench/seed.py) with enough for a rate no server here reaches.
Any answer but 201 (POST) or 200 (GET), any socket error, or a run that uses up its
chatrooms stops the bench. Before the load, both servers answer the same request and the
bodies are compared. Then Salon alone takes `--soak` ratings (100,000), each in its own
chatroom, and its memory is read before, half-way and after.
"""

import argparse
import asyncio
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from bench.processes import rss_kib, worker_pids
from bench.seed import Room, count_ratings_after, exchange_after_last_rating, last_rating_id, seed
from bench.setups import SKIPPED, postgres_and_redis
from salon.config import Settings
from salon.db import migrate
from tests import served
from tests.served import Server

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
CONNECTIONS = 64
THREADS = 2
# The ambassadors who ask: each serves many visitors, one chatroom per visitor.
HOSTS = CONNECTIONS
# A write chatroom's history: visitor and ambassador in turn, every third message a rating the
# visitor gave (the first superseded by the second), and both have spoken since the last one,
# so the ambassador may ask again (a new exchange): the POST supersedes the open rating.
WRITE_HISTORY = 8
# The paced row offers about --paced-rate req/s; its chatrooms allow for this many times that.
PACED_ROOMS = 3
# Rate limits stay on (their cost is part of Salon's), with a ceiling the bench never reaches.
SALON_ENV = {"SALON_WRITES_PER_MINUTE": "100000000"}
# Each rating of the soak reaches a new visitor, so a new person stream, which the resume log
# keeps for its window (10 minutes by default: longer than the soak). A window of 20 s turns
# over within the first half, so the second half shows what stays (docs/performance.md).
SOAK_ENV = {"SALON_REALTIME_RETENTION_SECONDS": "20"}


@dataclass
class Result:
    requests_per_s: float
    p50_ms: float
    p99_ms: float
    errors: int


class Chatrooms:
    """The write chatrooms, each handed out once."""

    def __init__(self, rooms: list[Room]) -> None:
        self.rooms, self.given = rooms, 0

    def take(self, count: int) -> list[Room]:
        if self.given + count > len(self.rooms):
            raise SystemExit(f"bench: {count} more chatrooms asked, {self.left} left")
        self.given += count
        return self.rooms[self.given - count : self.given]

    @property
    def left(self) -> int:
        return len(self.rooms) - self.given


def soak_warmup(ratings: int) -> int:
    return max(1, ratings // 20)


def write_rooms_needed(args: argparse.Namespace) -> int:
    """Every POST gets a chatroom of its own: a timed run gets `--max-rate` times its seconds
    (a rate no server here reaches: wrk stops the bench if a run uses them all), the paced row
    `PACED_ROOMS` times its offered rate, the soak exactly its ratings."""
    per_server_round: int = (args.warmup + args.seconds) * args.max_rate
    timed: int = args.rounds * 2 * per_server_round
    paced: int = args.seconds * args.paced_rate * PACED_ROOMS
    soak: int = args.soak + soak_warmup(args.soak) if args.soak else 0
    return 2 + timed + paced + soak


def targets_file(path: Path, route: str, rooms: list[Room]) -> Path:
    """One request per chatroom: the ambassador reads 20 messages, or asks the visitor for a
    rating (the seed's request: no value, the ambassador is the rated)."""
    lines = []
    for room in rooms:
        chatroom = f"/chat/chatrooms/{room.id_chatroom}"
        if route == "post_rating":
            body = json.dumps(rating_request(room))
            lines.append(f"POST\t{chatroom}/ratings\t{room.ambassador_token}\t{body}")
        else:
            lines.append(f"GET\t{chatroom}/messages?per_page=20\t{room.ambassador_token}\t")
    path.write_text("\n".join(lines) + "\n")
    return path


def rating_request(room: Room) -> dict[str, int]:
    return {"id_user_rated": room.ambassador_id, "id_user_rater": room.visitor_id}


EXPECTED = {"post_rating": 201, "get_messages": 200, "get": 200}


def wrk_command(base_url: str, seconds: int, connections: int = CONNECTIONS) -> list[str]:
    return [
        "wrk",
        f"-c{connections}",
        f"-t{THREADS}",
        f"-d{seconds}s",
        "--timeout",
        "10s",
        "-s",
        str(BENCH / "wrk" / "hot.lua"),
        base_url,
    ]


def wrk_env(targets: Path, route: str, pace_ms: int | None = None) -> dict[str, str]:
    env = os.environ | {
        "BENCH_TARGETS": str(targets),
        "BENCH_THREADS": str(THREADS),
        "BENCH_EXPECT": str(EXPECTED[route]),
        # Writes use each chatroom once; reads go round their 64 chatrooms.
        "BENCH_ONCE": "1" if route == "post_rating" else "0",
    }
    if pace_ms is not None:
        env["BENCH_DELAY_MS"] = str(pace_ms)
    return env


def wrk_result(stdout: str, stderr: str, what: str, *, timed: bool = True) -> Result:
    """The run's figures; stops the bench if any answer was not the expected status, any
    socket failed, or (for a timed run) a thread ran out of chatrooms."""
    found = re.search(r"^WRK_RESULT (.*)$", stdout, re.MULTILINE)
    if found is None:
        raise RuntimeError(f"wrk printed no result:\n{stdout}\n{stderr}")
    raw = json.loads(found[1])
    errors = raw["unexpected"] + raw["socket_errors"]
    if errors:
        raise SystemExit(
            f"bench: {what}: {raw['unexpected']} unexpected answers (first: "
            f"{raw['first_unexpected'] or '-'}), {raw['socket_errors']} socket errors"
        )
    if timed and raw["exhausted"]:
        raise SystemExit(
            f"bench: {what}: wrk used up its chatrooms, so the rate is wrong; raise --max-rate"
        )
    return Result(
        requests_per_s=raw["requests"] / (raw["duration_us"] / 1e6),
        p50_ms=raw["p50_us"] / 1000,
        p99_ms=raw["p99_us"] / 1000,
        errors=errors,
    )


def wrk(
    base_url: str,
    targets: Path,
    route: str,
    seconds: int,
    what: str,
    pace_ms: int | None = None,
    connections: int = CONNECTIONS,
) -> Result:
    out = subprocess.run(  # noqa: S603
        wrk_command(base_url, seconds, connections),
        env=wrk_env(targets, route, pace_ms),
        capture_output=True,
        text=True,
        errors="replace",
        check=False,
    )
    return wrk_result(out.stdout, out.stderr, what)


class Poster:
    """Hands each timed POST run its own chatrooms, in a targets file of their own."""

    def __init__(self, directory: Path, rooms: Chatrooms, max_rate: int) -> None:
        self.directory, self.rooms, self.max_rate = directory, rooms, max_rate
        self.files = 0

    def targets(self, seconds: int, rate: int | None = None) -> Path:
        self.files += 1
        path = self.directory / f"post_rating.{self.files}.targets"
        rooms = self.rooms.take(seconds * (rate or self.max_rate))
        return targets_file(path, "post_rating", rooms)


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
        "asyncio",  # as `salon serve` runs it
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


def same_bodies(salon: str, reference: str, read: Room, writes: list[Room]) -> None:
    """Both servers answer a page of messages identically, and a rating request (each in a
    chatroom of its own) with a 201 of the same shape."""
    page = f"/chat/chatrooms/{read.id_chatroom}/messages?per_page=20"
    headers = {"Authorization": f"Bearer {read.ambassador_token}"}
    ours = httpx.get(salon + page, headers=headers).json()
    theirs = httpx.get(reference + page, headers=headers).json()
    origin = re.compile(r"http://127\.0\.0\.1:\d+")
    if origin.sub("", json.dumps(ours)) != origin.sub("", json.dumps(theirs)):
        raise SystemExit(f"GET bodies differ:\nsalon     {ours}\nreference {theirs}")

    def shape(value: Any) -> Any:
        if isinstance(value, dict):
            return {key: shape(item) for key, item in value.items()}
        return type(value).__name__

    answers = [
        httpx.post(
            f"{server}/chat/chatrooms/{room.id_chatroom}/ratings",
            json=rating_request(room),
            headers={"Authorization": f"Bearer {room.ambassador_token}"},
        )
        for server, room in zip((salon, reference), writes, strict=True)
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


# --observed: Salon as an operator would run it, its access log (JSON, to a file) and metrics on.
OBSERVED_ENV = {"SALON_LOG_LEVEL": "info", "SALON_LOG_FORMAT": "json", "SALON_METRICS": "true"}
observed_log: Path | None = None


def start_salon(url: str, workers: int, env: dict[str, str]) -> served.Server:
    if observed_log is None:
        return served.start(url, workers=workers, env=SALON_ENV | env)
    return served.start(url, workers=workers, env=SALON_ENV | OBSERVED_ENV | env, log=observed_log)


async def run_setup(
    name: str, url: str, workers: int, env: dict[str, str], args: argparse.Namespace
) -> str:
    """Prints the setup's rows; returns the memory line (printed after the table)."""
    await asyncio.to_thread(migrate.upgrade, url)
    assert exchange_after_last_rating(WRITE_HISTORY)
    writes = write_rooms_needed(args)
    began = time.monotonic()
    seeded = await seed(url, [args.history] * CONNECTIONS + [WRITE_HISTORY] * writes, HOSTS)
    print(
        f"{name:<9} seeded {len(seeded):,} chatrooms in {time.monotonic() - began:.0f} s",
        file=sys.stderr,
        flush=True,
    )
    reads, rooms = seeded[:CONNECTIONS], Chatrooms(seeded[CONNECTIONS:])
    pool_size = Settings().db_pool_size
    salon = start_salon(url, workers, env)
    reference = start_reference(url, workers, pool_size)
    try:
        same_bodies(salon.base_url, reference.base_url, reads[0], rooms.take(2))
    finally:
        stop(reference)
        stop(salon)
    with tempfile.TemporaryDirectory() as scratch:
        poster = Poster(Path(scratch), rooms, args.max_rate)
        reading = targets_file(Path(scratch) / "get_messages.targets", "get_messages", reads)

        # Reads first, so both servers read the same rows; then writes. Rounds alternate the
        # servers and the best of each is kept: this machine's speed drifts by a third from
        # minute to minute, and alternating gives both the same weather.
        def targets(route: str, seconds: int, rate: int | None = None) -> Path:
            return poster.targets(seconds, rate) if route == "post_rating" else reading

        for route in ("get_messages", "post_rating"):
            best: dict[str, Result] = {}
            paced: Result | None = None
            for _ in range(args.rounds):
                for server_name in ("salon", "reference"):
                    if server_name == "salon":
                        server = start_salon(url, workers, env)
                    else:
                        server = start_reference(url, workers, pool_size)
                    what = f"{name} {ROUTES[route]} {server_name}"
                    try:
                        warmup = targets(route, args.warmup)
                        wrk(server.base_url, warmup, route, args.warmup, what)
                        measured = targets(route, args.seconds)
                        result = wrk(server.base_url, measured, route, args.seconds, what)
                        if server_name == "salon" and paced is None:
                            pace_ms = round(CONNECTIONS * 1000 / args.paced_rate)
                            slow = targets(route, args.seconds, args.paced_rate * PACED_ROOMS)
                            paced = wrk(server.base_url, slow, route, args.seconds, what, pace_ms)
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
        return await soak(name, url, workers, env, rooms, args.soak, Path(scratch))


async def post_each_once(
    url: str, base_url: str, rooms: list[Room], path: Path, what: str, halfway: Any = None
) -> tuple[int, int]:
    """Posts one rating request in each chatroom (wrk, once each) and waits until the
    database holds them all; calls `halfway()` once half are in. Returns (ratings, errors).

    wrk runs timed; its threads stop when their chatrooms are used up, and wrk is interrupted
    once every rating is in. Bounded: by the chatrooms, and in time (20 req/s at worst, or 15 s
    without a new rating).
    """
    targets = targets_file(path, "post_rating", rooms)
    first = await last_rating_id(url)
    bound = max(60, len(rooms) // 20)
    process = await asyncio.create_subprocess_exec(
        *wrk_command(base_url, bound),
        env=wrk_env(targets, "post_rating"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    posted, moved = 0, time.monotonic()
    while process.returncode is None:
        await asyncio.sleep(0.5)
        now = await count_ratings_after(url, first)
        if now != posted:
            posted, moved = now, time.monotonic()
        if halfway is not None and posted >= len(rooms) // 2:
            halfway()
            halfway = None
        if posted >= len(rooms) or time.monotonic() - moved > 15:
            process.send_signal(signal.SIGINT)
            break
    stdout, stderr = await asyncio.wait_for(process.communicate(), 30)
    posted = await count_ratings_after(url, first)
    result = wrk_result(
        stdout.decode(errors="replace"), stderr.decode(errors="replace"), what, timed=False
    )
    if posted != len(rooms):
        raise SystemExit(f"bench: {what}: {posted:,} ratings made by {len(rooms):,} requests")
    return posted, result.errors


async def soak(
    name: str,
    url: str,
    workers: int,
    env: dict[str, str],
    rooms: Chatrooms,
    ratings: int,
    scratch: Path,
) -> str:
    """Salon's memory after a warm-up, half-way through `ratings` more ratings, and at the end.

    Each rating is asked in a chatroom of its own. Bounded caches fill in the first half: the
    resume log keeps the last 1,000 events of each stream (two per request for each
    participant: the 64 ambassadors' streams are full after 32,000 ratings) for the window of
    SOAK_ENV (each visitor's stream is new). The second half is the test: flat means no leak.
    """
    warm_rooms, soak_rooms = rooms.take(soak_warmup(ratings)), rooms.take(ratings)
    server = start_salon(url, workers, SOAK_ENV | env)
    half: list[int] = []
    try:
        pids = worker_pids(server, workers)
        what = f"{name} soak"
        await post_each_once(url, server.base_url, warm_rooms, scratch / "warm.targets", what)
        warm_kib = rss_kib(pids)
        began = time.monotonic()
        posted, errors = await post_each_once(
            url,
            server.base_url,
            soak_rooms,
            scratch / "soak.targets",
            what,
            lambda: half.append(rss_kib(pids)),
        )
        seconds = time.monotonic() - began
        end_kib = rss_kib(pids)
    finally:
        stop(server)
    half_kib = half[0] if half else warm_kib
    return MEMORY.format(
        name,
        f"{posted:,}",
        f"{seconds:.0f}",
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
    parser.add_argument("--history", type=int, default=60, help="messages per read chatroom")
    parser.add_argument(
        "--max-rate",
        type=int,
        default=5000,
        help="POST req/s no server reaches: chatrooms seeded per second of timed POST load",
    )
    parser.add_argument("--soak", type=int, default=100_000, help="ratings for the memory run")
    parser.add_argument("--only", choices=("sqlite", "postgres"), help="run one setup")
    parser.add_argument(
        "--observed",
        action="store_true",
        help="Salon with its access log (JSON, to a file) and /metrics on",
    )
    args = parser.parse_args()
    if args.observed:
        global observed_log
        observed_log = Path(tempfile.mkdtemp(prefix="salon-bench-")) / "salon.log"

    print(
        f"wrk, {CONNECTIONS} connections, {args.seconds} s per server after a warm-up, "
        f"best of {args.rounds} alternating rounds; salon@N: Salon paced to about N req/s; "
        "POST: an ambassador asks for a rating, once per chatroom"
    )
    print(ROW.format("setup", "route", "server", "req/s", "p50 ms", "p99 ms", "errors", "ratio"))
    memory = []
    if args.only != "postgres":
        with tempfile.TemporaryDirectory() as scratch:
            memory.append(await run_setup("sqlite", f"sqlite:///{scratch}/bench.db", 1, {}, args))
    if args.only != "sqlite":
        production = await postgres_and_redis()
        if production is None:
            print(SKIPPED)
        else:
            postgres, env = production
            memory.append(await run_setup("postgres", postgres, 2, env, args))
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
