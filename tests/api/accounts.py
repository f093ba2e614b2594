"""A brand with a domain and a seller who logs in with a password, for the /auth/* tests."""

from collections.abc import Awaitable, Callable

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession

from salon.auth.service import set_password
from salon.provisioning import repository, service
from tests.support import Person, World

DOMAIN = "shop.example.test"
SELLER_EMAIL = "seller@shop.example.test"
SELLER_PASSWORD = "correct horse"


async def in_session(
    app: FastAPI, work: Callable[[AsyncSession], Awaitable[str | None]]
) -> str | None:
    async with app.state.database.sessionmaker() as session:
        result = await work(session)
        await session.commit()
        return result


@pytest.fixture
async def shop(app: FastAPI) -> int:
    async def work(session: AsyncSession) -> str:
        return str((await service.create_brand(session, "Shop", DOMAIN)).id_brand)

    return int(str(await in_session(app, work)))


@pytest.fixture
async def seller(app: FastAPI, world: World, shop: int) -> Person:
    person = await world.person(shop, status=3)

    async def work(session: AsyncSession) -> None:
        ambassador = await repository.get_ambassador(session, person.id)
        assert ambassador is not None
        ambassador.email = SELLER_EMAIL
        await set_password(session, ambassador, SELLER_PASSWORD)

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
