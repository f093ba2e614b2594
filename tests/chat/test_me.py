"""`GET /{environment}/me`: the connected person, as `/auth/login` returns them."""

import httpx
import pytest

from tests.support import Person


@pytest.mark.parametrize("environment", ["manager", "platform", "widget"])
async def test_me_is_the_token_s_owner(
    client: httpx.AsyncClient, ambassador: Person, environment: str
) -> None:
    response = await client.get(f"/{environment}/me", headers=ambassador.headers)
    assert response.status_code == 200, response.text
    me = response.json()
    assert me["id_ambassador"] == ambassador.id
    assert me["id_brand"] == ambassador.id_brand
    assert me["status"] == ambassador.status
    assert {"firstname", "lastname", "email", "date_insert", "date_update", "online"} <= set(me)


async def test_me_needs_a_token_and_a_known_environment(
    client: httpx.AsyncClient, ambassador: Person
) -> None:
    unsigned = await client.get("/widget/me")
    assert unsigned.status_code == 401
    assert unsigned.json() == {"message": "Unauthorized."}
    assert (await client.get("/chat/me", headers=ambassador.headers)).status_code == 404
    assert (await client.get("/Widget/me", headers=ambassador.headers)).status_code == 404
