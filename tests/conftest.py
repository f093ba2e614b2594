"""Every test talks HTTP to the real app, on a database migrated by Alembic.

Engines: SQLite always; PostgreSQL as well when SALON_TEST_POSTGRES_URL names a server
(`make test` starts one). SALON_TEST_REQUIRE_POSTGRES=1 turns its absence into a failure.
"""

import asyncio
import os
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from salon.app import create_app
from salon.config import Settings
from salon.db import migrate, models
from salon.db.base import Base
from salon.db.database import Database
from salon.db.query import Query
from tests.contract import ResponseContract
from tests.support import Person, World
from tests.webhooks.receiver import Receiver, receiving

POSTGRES_URL = os.environ.get("SALON_TEST_POSTGRES_URL", "")
REQUIRE_POSTGRES = os.environ.get("SALON_TEST_REQUIRE_POSTGRES") == "1"
REDIS_URL = os.environ.get("SALON_TEST_REDIS_URL", "")
if os.environ.get("SALON_TEST_REQUIRE_REDIS") == "1" and not REDIS_URL:
    raise RuntimeError("SALON_TEST_REQUIRE_REDIS=1 but SALON_TEST_REDIS_URL is not set")
ENGINES = ["sqlite", "postgresql"] if POSTGRES_URL or REQUIRE_POSTGRES else ["sqlite"]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """A test marked for one engine is not collected for the other: deselected, not skipped,
    so that a run that skips anything stands out."""
    kept: list[pytest.Item] = []
    dropped: list[pytest.Item] = []
    for item in items:
        callspec = getattr(item, "callspec", None)
        engine = callspec.params.get("engine_name") if callspec is not None else None
        wrong = (item.get_closest_marker("postgresql_only") and engine == "sqlite") or (
            item.get_closest_marker("sqlite_only") and engine == "postgresql"
        )
        (dropped if wrong else kept).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


def pytest_report_header() -> str:
    return f"salon engines: {', '.join(ENGINES)}"


@pytest.fixture(scope="session", params=ENGINES)
def engine_name(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="session")
def migrated_url(engine_name: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A fresh database at the newest migration."""
    if engine_name == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'salon.db'}"
    else:
        if not POSTGRES_URL:
            pytest.fail("SALON_TEST_REQUIRE_POSTGRES=1 but SALON_TEST_POSTGRES_URL is not set")
        url = POSTGRES_URL
        migrate.downgrade(url, "base")
    migrate.upgrade(url)
    return url


@pytest.fixture(scope="session")
def settings(migrated_url: str) -> Settings:
    # No gc.freeze: this process makes and drops an app per test.
    return Settings(
        database_url=migrated_url,
        last_action_refresh_seconds=60,
        gc_freeze=False,
        **WEBHOOKS_IN_TESTS,
    )


# Webhooks to receivers on this machine, retried at once (tests/webhooks). The worker polls
# only when told: a test that counts a route's statements counts none of the worker's.
WEBHOOKS_IN_TESTS: dict[str, Any] = {
    "webhook_allowed_networks": ["127.0.0.0/8"],
    "webhook_retry_schedule_seconds": [0.05, 0.05, 0.05],
    "webhook_timeout_seconds": 2.0,
    "webhook_poll_seconds": 3600.0,
}


@pytest.fixture(scope="session")
async def app(settings: Settings) -> AsyncIterator[FastAPI]:
    application = create_app(settings)
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture(autouse=True)
async def _empty_tables(request: pytest.FixtureRequest) -> AsyncIterator[None]:
    """Each test starts from the migrated, empty schema."""
    yield
    if "app" not in request.fixturenames:
        return
    application: FastAPI = request.getfixturevalue("app")
    await application.state.rate_limiter.reset()
    database: Database = application.state.database
    async with database.transaction() as tx:
        for statement in _EMPTY[database.dialect]:
            await tx.execute(statement)


# Every table, children first (the models module registers them on the metadata).
assert models.__all__
_TABLES = [table.name for table in reversed(Base.metadata.sorted_tables)]
_EMPTY = {
    "postgresql": [Query(f"TRUNCATE {', '.join(_TABLES)} RESTART IDENTITY CASCADE")],
    "sqlite": [Query(f"DELETE FROM {table}") for table in _TABLES],  # noqa: S608
}


@pytest.fixture(scope="session")
def contract(app: FastAPI) -> ResponseContract:
    return ResponseContract(app.openapi())


@pytest.fixture
async def client(app: FastAPI, contract: ResponseContract) -> AsyncIterator[httpx.AsyncClient]:
    """HTTP to the app; every response is checked against the schema of its operation and
    status in /openapi.json (tests/contract.py), so code and documentation cannot drift."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(
        transport=transport,
        base_url="http://salon.test",
        event_hooks={"response": [contract.check]},
    ) as http:
        yield http


@pytest.fixture
def world(app: FastAPI) -> World:
    return World(app.state.database)


@pytest.fixture
async def brand(world: World) -> int:
    return await world.brand()


@pytest.fixture
async def visitor(world: World, brand: int) -> Person:
    return await world.person(brand, status=7)


@pytest.fixture
async def ambassador(world: World, brand: int) -> Person:
    return await world.person(brand, status=0)


@pytest.fixture
async def manager(world: World, brand: int) -> Person:
    return await world.person(brand, status=5)


@pytest.fixture
async def chatroom(world: World, visitor: Person, ambassador: Person) -> int:
    """A one-to-one chatroom between the visitor and the ambassador."""
    return await world.chatroom(visitor, ambassador)


@pytest.fixture
async def mailer(
    app: FastAPI, client: httpx.AsyncClient, manager: Person
) -> AsyncIterator[Receiver]:
    """The brand's mailer: a webhook receiver of `rating.requested`, where links arrive."""
    with receiving() as receiver:
        registered = await client.post(
            "/manager/webhooks",
            headers=manager.headers,
            json={"url": receiver.url, "event_types": ["rating.requested"]},
        )
        assert registered.status_code == 201, registered.text
        yield receiver
        while not app.state.webhooks.idle:  # noqa: ASYNC110 (a property, not an event)
            await asyncio.sleep(0.02)
