"""A real `salon serve --workers 2` under parallel clients: the rating rules hold across
processes and connections (on PostgreSQL: row locks and the partial unique index)."""

import asyncio
import subprocess
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from salon.clock import format_wire_datetime
from salon.config import Settings
from tests.ratings.helpers import PENDING_EXISTS
from tests.ratings.test_voices import SUPERSEDED
from tests.served import serving
from tests.support import ONE_MESSAGE_PER_RATING, Person, World, run_sql

WORKERS = 2


@pytest.fixture
def served(settings: Settings) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    # This test is about correctness under load, not about the write rate limit.
    unlimited = {"SALON_WRITES_PER_MINUTE": "100000"}
    with serving(settings.database_url, workers=WORKERS, env=unlimited) as server:
        yield server.base_url, server.process


@pytest.fixture
async def http(served: tuple[str, subprocess.Popen[bytes]]) -> AsyncIterator[httpx.AsyncClient]:
    # A kept-alive connection is dropped after 1 s idle: uvicorn closes idle ones after 5 s,
    # httpx's default expiry is also 5 s, and a request sent on a connection the server was
    # closing at that moment failed with ReadError (seen once in CI, after the sequential
    # phase left 63 connections idle).
    limits = httpx.Limits(max_connections=64, max_keepalive_connections=64, keepalive_expiry=1.0)
    async with httpx.AsyncClient(base_url=served[0], limits=limits, timeout=60) as client:
        yield client


def children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def test_serve_runs_the_requested_worker_processes(
    served: tuple[str, subprocess.Popen[bytes]],
) -> None:
    base_url, process = served
    workers = [pid for pid in children(process.pid) if b"spawn_main" in cmdline(pid)]
    assert len(workers) == WORKERS
    assert httpx.get(f"{base_url}/health").json() == {"status": "ok"}


def cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


@pytest.mark.parametrize(
    ("chatrooms", "rated_per_room", "copies", "submissions_each"),
    [
        pytest.param(5, 4, 10, 8, id="200-operations-per-round"),
        pytest.param(5, 5, 10, 8, id="500-operations"),
    ],
)
async def test_parallel_requests_and_submissions_lose_and_duplicate_nothing(
    app: FastAPI,
    http: httpx.AsyncClient,
    world: World,
    brand: int,
    visitor: Person,
    chatrooms: int,
    rated_per_room: int,
    copies: int,
    submissions_each: int,
) -> None:
    """Round 1: `copies` identical requests per (chatroom, rated) pair, all at once. Round 2:
    `submissions_each` submissions per rating racing two new requests per pair. 200 + 200
    operations, or 250 + 250 (the hardening issue's 500)."""
    ambassadors = [await world.person(brand, status=0) for _ in range(rated_per_room)]
    rooms = [await world.chatroom(visitor, *ambassadors) for _ in range(chatrooms)]

    async def ask(room: int, rated: Person) -> httpx.Response:
        return await http.post(
            f"/chat/chatrooms/{room}/ratings",
            headers=rated.headers,
            json={"id_user_rater": visitor.id},
        )

    async def rate(id_rating: int, value: int, comment: str) -> httpx.Response:
        return await http.patch(
            f"/chat/ratings/{id_rating}",
            headers=visitor.headers,
            json={"value": value, "content": comment},
        )

    pairs = [(room, rated) for room in rooms for rated in ambassadors]
    first = await asyncio.gather(
        *(ask(room, rated) for room, rated in pairs for _ in range(copies))
    )
    n = len(pairs)
    assert Counter(r.status_code for r in first) == {201: n, 422: n * (copies - 1)}
    refused = [r.json()["errors"] for r in first if r.status_code == 422]
    assert all(errors == {"id_user_rater": [PENDING_EXISTS]} for errors in refused)
    ratings = [r.json()["rating"] for r in first if r.status_code == 201]
    await assert_one_message_per_rating_and_pending(app, expected_ratings=n, expected_pending=n)

    # A new exchange in every chatroom, so that each pair may be asked again once answered.
    for room in rooms:
        for person in (visitor, *ambassadors):
            said = await http.post(
                f"/chat/chatrooms/{room}/messages",
                headers=person.headers,
                json={"id_ambassador": person.id, "content": "again", "type_message": 0},
            )
            assert said.status_code == 201, said.text

    submissions = [
        rate(r["id_rating"], k % 6, f"{r['id_rating']}-{k}")
        for r in ratings
        for k in range(submissions_each)
    ]
    again = [ask(room, rated) for room, rated in pairs for _ in range(2)]
    results = await asyncio.gather(*submissions, *again)
    submitted, asked = results[: len(submissions)], results[len(submissions) :]
    # A new request succeeds only once its pair's previous one was answered, and never twice:
    # it supersedes the answered one, whose later submissions are refused.
    assert set(Counter(r.status_code for r in asked)) <= {201, 422}
    new_pending = sum(r.status_code == 201 for r in asked)
    assert all(sum(r.status_code == 201 for r in asked[i : i + 2]) <= 1 for i in range(0, 2 * n, 2))
    late = [r for r in submitted if r.status_code != 200]
    assert all(r.status_code == 422 for r in late)
    assert all(r.json()["errors"] == {"rating": [SUPERSEDED]} for r in late)
    submitted = [r for r in submitted if r.status_code == 200]
    # A rating is superseded only once answered: each got its first submission in.
    assert {r.json()["id_rating"] for r in submitted} == {r["id_rating"] for r in ratings}
    await assert_one_message_per_rating_and_pending(
        app, expected_ratings=n + new_pending, expected_pending=new_pending
    )

    # Every rating holds its latest submission; every chatroom shows its latest one.
    latest: dict[int, dict[str, Any]] = {}
    for body in (r.json() for r in submitted):
        kept = latest.get(body["id_rating"])
        if kept is None or order(body) > order(kept):
            latest[body["id_rating"]] = body
    stored = await stored_ratings(app)
    for id_rating, body in latest.items():
        assert stored[id_rating][1:] == (body["value"], body["content"], body["date_update"])

    for room in rooms:
        expected = max((b for i, b in latest.items() if stored[i][0] == room), key=order)
        response = await http.get(f"/chat/chatrooms/{room}", headers=visitor.headers)
        assert response.json()["last_rating"] == {
            "value": expected["value"],
            "comment": expected["content"],
        }


def order(rating: dict[str, Any]) -> tuple[str, int]:
    """The latest submission: by date_update, then by id (the wire dates sort as text)."""
    return rating["date_update"], rating["id_rating"]


async def stored_ratings(app: FastAPI) -> dict[int, tuple[int, int | None, str | None, str]]:
    """id_rating -> (id_chatroom, value, content, date_update on the wire)."""
    rows = await run_sql(
        app, "SELECT id_rating, id_chatroom, value, content, date_update FROM rating"
    )
    return {
        id_rating: (id_chatroom, value, content, format_wire_datetime(date_update))
        for id_rating, id_chatroom, value, content, date_update in rows
    }


async def assert_one_message_per_rating_and_pending(
    app: FastAPI, *, expected_ratings: int, expected_pending: int
) -> None:
    [(ratings, messages, joined)] = await run_sql(app, ONE_MESSAGE_PER_RATING)
    pending_pairs = await run_sql(
        app,
        "SELECT id_chatroom, id_user_rater, id_user_rated, count(*) FROM rating "
        "WHERE value IS NULL AND date_delete IS NULL "
        "GROUP BY id_chatroom, id_user_rater, id_user_rated",
    )
    assert ratings == messages == joined == expected_ratings
    assert len(pending_pairs) == expected_pending
    assert all(count == 1 for *_, count in pending_pairs)
