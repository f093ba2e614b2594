"""A brand with a domain and a seller who logs in with a password, for the /auth/* tests."""

from collections.abc import Awaitable, Callable

import httpx
import pytest
from fastapi import FastAPI

from salon.ambassadors import repository as ambassadors
from salon.auth.service import set_password
from salon.db.database import Transaction
from salon.provisioning import service
from tests.support import Person, World, run_sql

DOMAIN = "shop.example.test"
SELLER_EMAIL = "seller@shop.example.test"
SELLER_PASSWORD = "correct horse"


async def in_session(
    app: FastAPI, work: Callable[[Transaction], Awaitable[str | None]]
) -> str | None:
    async with app.state.database.transaction() as tx:
        return await work(tx)


@pytest.fixture
async def shop(app: FastAPI) -> int:
    async def work(tx: Transaction) -> str:
        return str((await service.create_brand(tx, "Shop", DOMAIN)).id_brand)

    return int(str(await in_session(app, work)))


@pytest.fixture
async def seller(app: FastAPI, world: World, shop: int) -> Person:
    person = await world.person(shop, status=3)

    await run_sql(
        app,
        "UPDATE ambassador SET email = :email WHERE id_ambassador = :id",
        {"email": SELLER_EMAIL, "id": person.id},
    )

    async def work(tx: Transaction) -> None:
        ambassador = await ambassadors.get(tx, person.id)
        assert ambassador is not None
        await set_password(tx, ambassador, SELLER_PASSWORD)

    await in_session(app, work)
    return person


async def login(
    client: httpx.AsyncClient, email: str, password: str, domain: str = DOMAIN
) -> httpx.Response:
    return await client.post(
        "/auth/login",
        headers={"X-Popsell-Domain": domain},
        json={"email": email, "password": password},
    )
