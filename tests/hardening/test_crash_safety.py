"""SIGKILL mid-load, restart, and check that every acknowledged write is there, every rating has
its message and nothing is half-written. Three crashes per engine."""

import asyncio
import contextlib
from dataclasses import dataclass, field

import httpx
from fastapi import FastAPI

from salon.config import Settings
from tests.served import Server, kill, serving, start
from tests.support import ONE_MESSAGE_PER_RATING, Person, World, run_sql

CRASHES = 3
WRITERS = 24
# The kill comes once this many more writes were acknowledged (so requests are surely in
# flight, whatever the machine's load), or after the deadline.
ACKED_BEFORE_KILL = 100
LOAD_DEADLINE_SECONDS = 30.0
UNLIMITED = {"SALON_WRITES_PER_MINUTE": "1000000"}


@dataclass
class Acknowledged:
    messages: dict[int, str] = field(default_factory=dict)
    # id_rating -> highest submission number answered 200 (content is f"s{n}")
    submissions: dict[int, int] = field(default_factory=dict)
    ratings: set[int] = field(default_factory=set)


async def drive(
    server: Server, rooms: list[tuple[int, Person, Person]], acked: Acknowledged
) -> None:
    """Writers post messages, ask for ratings and submit them until the server dies."""
    limits = httpx.Limits(max_connections=WRITERS)
    async with httpx.AsyncClient(base_url=server.base_url, limits=limits, timeout=10) as client:

        async def say(room: int, author: Person, content: str) -> None:
            body = {"id_ambassador": author.id, "content": content, "type_message": 0}
            response = await client.post(
                f"/chat/chatrooms/{room}/messages", headers=author.headers, json=body
            )
            if response.status_code == 201:
                acked.messages[response.json()["id_message"]] = content

        async def messages(n: int) -> None:
            room, author, _ = rooms[n % len(rooms)]
            for k in range(10_000):
                await say(room, author, f"w{n}-{k}")

        async def ratings(n: int) -> None:
            room, rated, rater = rooms[n % len(rooms)]
            for round_ in range(10_000):
                # A new exchange each round: the rater may then be asked again.
                await say(room, rater, f"q{n}-{round_}")
                await say(room, rated, f"a{n}-{round_}")
                asked = await client.post(f"/chat/chatrooms/{room}/ratings", headers=rated.headers)
                if asked.status_code != 201:
                    continue
                id_rating = asked.json()["rating"]["id_rating"]
                acked.ratings.add(id_rating)
                for k in range(1, 4):
                    body = {"value": k, "content": f"s{k}"}
                    done = await client.patch(
                        f"/chat/ratings/{id_rating}", headers=rater.headers, json=body
                    )
                    if done.status_code == 200:
                        acked.submissions[id_rating] = k

        async def until_dead(work: object) -> None:
            with contextlib.suppress(httpx.TransportError):
                await work  # type: ignore[misc]

        def count() -> int:
            return len(acked.messages) + len(acked.ratings) + sum(acked.submissions.values())

        start_count = count()
        tasks = [asyncio.create_task(until_dead(messages(n))) for n in range(WRITERS // 2)]
        tasks += [asyncio.create_task(until_dead(ratings(n))) for n in range(WRITERS // 2)]
        deadline = asyncio.get_running_loop().time() + LOAD_DEADLINE_SECONDS
        while count() < start_count + ACKED_BEFORE_KILL:
            if asyncio.get_running_loop().time() > deadline:
                break
            await asyncio.sleep(0.01)
        kill(server)  # mid-load: requests are in flight
        await asyncio.gather(*tasks)


async def test_acknowledged_writes_survive_sigkill(
    app: FastAPI, settings: Settings, world: World, brand: int, manager: Person
) -> None:
    rooms = []
    for _ in range(4):
        visitor = await world.person(brand, status=7)
        ambassador = await world.person(brand, status=0)
        rooms.append((await world.chatroom(visitor, ambassador), ambassador, visitor))
    acked = Acknowledged()

    for _ in range(CRASHES):
        server = await asyncio.to_thread(start, settings.database_url, env=UNLIMITED)
        before = len(acked.messages) + len(acked.ratings)
        await drive(server, rooms, acked)
        assert len(acked.messages) + len(acked.ratings) > before, "no write was acknowledged"

    with serving(settings.database_url, env=UNLIMITED) as server:
        async with httpx.AsyncClient(base_url=server.base_url, headers=manager.headers) as client:
            for id_message, content in acked.messages.items():
                response = await client.get(f"/chat/messages/{id_message}")
                assert response.status_code == 200
                assert response.json()["content"] == content
            stored: dict[int, dict[str, object]] = {}
            for room, _, _ in rooms:
                page = 1
                while True:
                    listed = (
                        await client.get(
                            "/chat/ratings",
                            params={"filter[id_chatroom]": room, "per_page": 100, "page": page},
                        )
                    ).json()
                    stored |= {r["id_rating"]: r for r in listed["data"]}
                    if listed["next_page_url"] is None:
                        break
                    page += 1
    assert acked.ratings <= set(stored)
    for id_rating, k in acked.submissions.items():
        # A submission in flight at the crash may have landed after the last acknowledged one.
        content = str(stored[id_rating]["content"])
        assert int(content.removeprefix("s")) >= k

    [(ratings, rating_messages, joined)] = await run_sql(app, ONE_MESSAGE_PER_RATING)
    assert ratings == rating_messages == joined, "a rating without its message, or the reverse"
    print(
        f"crash safety: {CRASHES} SIGKILLs, {len(acked.messages)} messages, "
        f"{len(acked.ratings)} rating requests, {len(acked.submissions)} submissions acknowledged, "
        "all present"
    )
