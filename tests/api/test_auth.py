"""Bearer tokens: the documented 401, revocation, disabled accounts, brand header."""

import httpx
import pytest

from tests.ratings.helpers import ask_rating
from tests.support import Person, World

UNAUTHORIZED = {"message": "Unauthorized."}


@pytest.mark.parametrize(
    "authorization",
    [None, "", "Bearer", "Bearer ", "Bearer not-a-token", "Basic dXNlcjpwYXNz", "Token x"],
)
async def test_missing_or_invalid_credentials_are_401(
    client: httpx.AsyncClient, chatroom: int, authorization: str | None
) -> None:
    headers = {} if authorization is None else {"Authorization": authorization}
    response = await client.post(f"/chat/chatrooms/{chatroom}/ratings", headers=headers, json={})
    assert response.status_code == 401
    assert response.json() == UNAUTHORIZED


async def test_authentication_comes_before_validation(
    client: httpx.AsyncClient, chatroom: int
) -> None:
    response = await client.post(
        f"/chat/chatrooms/{chatroom}/ratings",
        content=b"{bad",
        headers={"Authorization": "Bearer x"},
    )
    assert response.status_code == 401


async def test_a_revoked_token_is_401(
    client: httpx.AsyncClient, world: World, chatroom: int, ambassador: Person
) -> None:
    await world.revoke(ambassador)
    response = await ask_rating(client, chatroom, ambassador, {})
    assert response.status_code == 401
    assert response.json() == UNAUTHORIZED


async def test_a_disabled_account_is_401(
    client: httpx.AsyncClient, world: World, brand: int, visitor: Person
) -> None:
    blocked = await world.person(brand, status=0, active=-1)
    chatroom = await world.chatroom(visitor, blocked)
    response = await ask_rating(client, chatroom, blocked, {})
    assert response.status_code == 401


async def test_scheme_is_case_insensitive(
    client: httpx.AsyncClient, chatroom: int, ambassador: Person
) -> None:
    response = await client.post(
        f"/chat/chatrooms/{chatroom}/ratings",
        headers={"Authorization": f"bearer {ambassador.token}"},
        json={},
    )
    assert response.status_code == 201


async def test_a_request_marks_the_caller_online(
    client: httpx.AsyncClient, chatroom: int, visitor: Person, ambassador: Person
) -> None:
    room = (await client.get(f"/chat/chatrooms/{chatroom}", headers=ambassador.headers)).json()
    people = {p["id_ambassador"]: p for p in room["ambassadors"]}
    assert people[ambassador.id]["online"] is True
    assert people[ambassador.id]["last_action_date"] is not None
    assert people[visitor.id]["online"] is False
    assert people[visitor.id]["last_action_date"] is None
