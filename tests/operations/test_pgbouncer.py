"""Two `salon serve` processes behind Debian's PgBouncer in transaction pooling mode: a
conversation through both, with more client connections than server connections, loses and
duplicates nothing and no request fails. PgBouncer before 1.21 (Debian 12 ships 1.18) keeps no
prepared statement from one transaction to the next: Salon runs with
SALON_DB_STATEMENT_CACHE_SIZE=0 there."""

import asyncio
import csv
import io
from collections.abc import Iterator
from contextlib import AbstractContextManager
from typing import Any

import httpx
import pytest

from salon.config import Settings
from tests.conftest import REQUIRE_POSTGRES
from tests.operations.bouncer import INSTALL, Bouncer, binary, bouncing
from tests.served import serving
from tests.support import Person, World

pytestmark = pytest.mark.postgresql_only

# Fewer server connections than the two processes' pools hold (10 each, plus overflow): the
# transactions of 40 client connections take turns on these.
SERVER_CONNECTIONS = 4
SERVED = {
    "SALON_DB_STATEMENT_CACHE_SIZE": "0",
    "SALON_WRITES_PER_MINUTE": "100000",
}
MESSAGES = 60
RATERS_ASKED = 8  # ambassadors who ask the visitor for a rating


def pgbouncer(
    settings: Settings, engine_name: str, pool_size: int
) -> AbstractContextManager[Bouncer]:
    assert engine_name == "postgresql", "PgBouncer pools PostgreSQL connections"
    if binary() is None:
        message = f"PgBouncer is not installed: {INSTALL}"
        if REQUIRE_POSTGRES:
            pytest.fail(f"{message} (SALON_TEST_REQUIRE_POSTGRES=1)")
        pytest.skip(message)
    return bouncing(settings.database_url, pool_size=pool_size)


@pytest.fixture
def bouncer(settings: Settings, engine_name: str) -> Iterator[Bouncer]:
    with pgbouncer(settings, engine_name, SERVER_CONNECTIONS) as running:
        yield running


class Calls:
    """Every response, to check that none was a server error."""

    def __init__(self) -> None:
        self.responses: list[httpx.Response] = []

    async def send(
        self, http: httpx.AsyncClient, method: str, url: str, person: Person, body: Any = None
    ) -> httpx.Response:
        response = await http.request(method, url, headers=person.headers, json=body)
        self.responses.append(response)
        return response

    async def created(
        self, http: httpx.AsyncClient, url: str, person: Person, body: Any
    ) -> dict[str, Any]:
        response = await self.send(http, "POST", url, person, body)
        assert response.status_code == 201, response.text
        created: dict[str, Any] = response.json()
        return created


def message(author: Person, text: str) -> dict[str, Any]:
    return {"id_ambassador": author.id, "content": text, "type_message": 0}


async def test_two_processes_hold_a_conversation_through_pgbouncer(
    bouncer: Bouncer, world: World, brand: int, visitor: Person, manager: Person
) -> None:
    ambassadors = [await world.person(brand, status=0) for _ in range(RATERS_ASKED)]
    room = await world.chatroom(visitor, *ambassadors)
    messages_url = f"/chat/chatrooms/{room}/messages"
    calls = Calls()
    before = total_transactions(bouncer)
    limits = httpx.Limits(max_connections=100, keepalive_expiry=1.0)
    with (
        serving(bouncer.url, env=SERVED) as a,
        serving(bouncer.url, env=SERVED) as b,
    ):
        async with (
            httpx.AsyncClient(base_url=a.base_url, limits=limits, timeout=60) as on_a,
            httpx.AsyncClient(base_url=b.base_url, limits=limits, timeout=60) as on_b,
        ):
            servers = (on_a, on_b)

            def on(n: int) -> httpx.AsyncClient:
                return servers[n % 2]

            # Messages from everyone at once, alternately on each process, with reads between.
            authors = [visitor, *ambassadors]
            writes = [
                calls.created(on(n), messages_url, author, message(author, f"message {n}"))
                for n, author in enumerate(authors[n % len(authors)] for n in range(MESSAGES))
            ]
            reads = [calls.send(on(n), "GET", messages_url, visitor) for n in range(20)]
            done = await asyncio.gather(*writes, *reads)
            posted = done[:MESSAGES]

            # Every ambassador asks the visitor for a rating, who gives it on the other process.
            asked = await asyncio.gather(
                *(
                    calls.created(
                        on(n),
                        f"/chat/chatrooms/{room}/ratings",
                        rated,
                        {"id_user_rater": visitor.id},
                    )
                    for n, rated in enumerate(ambassadors)
                )
            )
            given = {r["rating"]["id_rating"]: (n % 5, f"rated {n}") for n, r in enumerate(asked)}
            submitted = await asyncio.gather(
                *(
                    calls.send(
                        on(n + 1),
                        "PATCH",
                        f"/chat/ratings/{rating}",
                        visitor,
                        {"value": value, "content": text},
                    )
                    for n, (rating, (value, text)) in enumerate(given.items())
                )
            )
            assert all(r.status_code == 200 for r in submitted), [r.text for r in submitted]

            # Each process reads back everything, both wrote: messages, ratings, the CSV export
            # (a read of its own, on a connection of its own).
            for http in servers:
                listed = await all_messages(calls, http, messages_url, visitor)
                ids = [m["id_message"] for m in listed]
                assert len(ids) == len(set(ids)), "no message twice"
                texts = sorted(m["content"] for m in listed if m["type_message"] == 0)
                assert texts == sorted(m["content"] for m in posted)
                assert set(ids) >= {m["id_message"] for m in [*posted, *asked]}

                response = await calls.send(http, "GET", "/chat/ratings?per_page=100", manager)
                assert response.status_code == 200, response.text
                ratings = {
                    r["id_rating"]: (r["value"], r["content"]) for r in response.json()["data"]
                }
                assert ratings == given

            exports = await asyncio.gather(
                *(calls.send(on(n), "GET", "/chat/ratings/export", manager) for n in range(6))
            )
            for export in exports:
                assert export.status_code == 200, export.text
                rows = list(csv.DictReader(io.StringIO(export.text)))
                exported = {int(r["id_rating"]): (int(r["value"]), r["content"]) for r in rows}
                assert exported == given

            # More client connections than server connections: PgBouncer shared these.
            clients = [
                c for c in bouncer.admin("SHOW CLIENTS") if c["database"] == bouncer.database
            ]
            servers_used = [
                s for s in bouncer.admin("SHOW SERVERS") if s["database"] == bouncer.database
            ]
            assert len(servers_used) <= SERVER_CONNECTIONS < len(clients)

    errors = [
        (r.request.url, r.status_code, r.text) for r in calls.responses if r.status_code >= 500
    ]
    assert errors == []
    # Through PgBouncer, not around it: it counted at least one transaction per request.
    assert total_transactions(bouncer) - before >= len(calls.responses)
    pools = bouncer.admin("SHOW POOLS")
    [pool] = [p for p in pools if p["database"] == bouncer.database]
    assert pool["pool_mode"] == "transaction"


def total_transactions(bouncer: Bouncer) -> int:
    """Transactions PgBouncer ran on the database (none before its first client came)."""
    stats = [s for s in bouncer.admin("SHOW STATS") if s["database"] == bouncer.database]
    return sum(int(s["total_xact_count"]) for s in stats)


async def all_messages(
    calls: Calls, http: httpx.AsyncClient, url: str, person: Person
) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    page = 1
    while True:
        response = await calls.send(http, "GET", f"{url}?per_page=100&page={page}", person)
        assert response.status_code == 200, response.text
        body = response.json()
        found += body["data"]
        if page >= body["last_page"]:
            return found
        page += 1


@pytest.mark.parametrize("cache_size", ["100", "0"])
async def test_behind_pgbouncer_1_18_the_statement_cache_must_be_off(
    settings: Settings,
    engine_name: str,
    manager: Person,
    visitor: Person,
    ambassador: Person,
    chatroom: int,
    cache_size: str,
) -> None:
    """One server connection for two processes, so that every transaction of both runs on it,
    and each process names its prepared statements `__asyncpg_stmt_1__`, 2, ... in turn. With
    asyncpg's statement cache on (Salon's default, 100), the second process's first statement
    has a name the first one left on that connection: PostgreSQL refuses it. With the cache off,
    nothing fails, the CSV export included (it used to leave a named statement there as well:
    `PostgresDatabase.stream`)."""
    env = {
        "SALON_DB_STATEMENT_CACHE_SIZE": cache_size,
        "SALON_WEBHOOK_WORKER": "false",  # no statement but the requests below
    }
    with (
        pgbouncer(settings, engine_name, pool_size=1) as bouncer,
        serving(bouncer.url, env=env, ready="/openapi.json") as a,
        serving(bouncer.url, env=env, ready="/openapi.json") as b,
    ):
        async with (
            httpx.AsyncClient(base_url=a.base_url, timeout=60) as on_a,
            httpx.AsyncClient(base_url=b.base_url, timeout=60) as on_b,
        ):
            health = [(await http.get("/health")).status_code for http in (on_a, on_b)]
            if cache_size != "0":
                assert health == [200, 500]
                return
            assert health == [200, 200]
            asked = await on_a.post(
                f"/chat/chatrooms/{chatroom}/ratings",
                headers=ambassador.headers,
                json={"id_user_rater": visitor.id},
            )
            assert asked.status_code == 201, asked.text
            for http in (on_a, on_b):
                export = await http.get("/chat/ratings/export", headers=manager.headers)
                assert export.status_code == 200, export.text
                [row] = csv.DictReader(io.StringIO(export.text))
                assert int(row["id_rating"]) == asked.json()["rating"]["id_rating"]
