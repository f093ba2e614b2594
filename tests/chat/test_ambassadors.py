"""GET /chat/ambassadors, PATCH, shop-customer, an ambassador's chatrooms."""

import httpx
import pytest
from fastapi import FastAPI

from tests.chat.test_chatrooms import post_message
from tests.ratings.helpers import pending_request, submit
from tests.support import Person, World, counted_queries


async def test_list_filters_and_sorts(
    client: httpx.AsyncClient,
    world: World,
    brand: int,
    visitor: Person,
    ambassador: Person,
    manager: Person,
) -> None:
    guest = await world.person(brand, status=8)
    path = "/chat/ambassadors"
    everyone = (await client.get(path, headers=visitor.headers)).json()
    assert everyone["total"] == 4
    # Default order: the most recently active first; people never seen come last.
    assert everyone["data"][0]["id_ambassador"] == visitor.id

    def ids(response: httpx.Response) -> list[int]:
        return [p["id_ambassador"] for p in response.json()["data"]]

    statuses = await client.get(path, headers=visitor.headers, params={"filter[status]": "7,8"})
    assert sorted(ids(statuses)) == sorted([visitor.id, guest.id])
    excluded = await client.get(
        path, headers=visitor.headers, params={"filter[exclude]": f"{visitor.id},{guest.id}"}
    )
    assert sorted(ids(excluded)) == sorted([ambassador.id, manager.id])
    named = await client.get(path, headers=visitor.headers, params={"filter[name]": "first"})
    assert named.json()["total"] == 4
    none = await client.get(path, headers=visitor.headers, params={"filter[name]": "zzz"})
    assert none.json()["total"] == 0
    by_id = await client.get(path, headers=visitor.headers, params={"sort": "id_ambassador"})
    assert ids(by_id) == sorted(ids(by_id))
    bad = await client.get(path, headers=visitor.headers, params={"filter[status]": "9"})
    assert bad.status_code == 422
    assert bad.json()["errors"] == {
        "filter[status]": [
            "The filter[status] filter must be a comma-separated list of integers from 0 to 8."
        ]
    }


async def test_update_email_tmp(
    client: httpx.AsyncClient, ambassador: Person, manager: Person
) -> None:
    path = f"/chat/ambassadors/{ambassador.id}"
    mine = await client.patch(
        path, headers=ambassador.headers, json={"email_tmp": "Me@Example.com"}
    )
    assert (mine.status_code, mine.json()["email_tmp"]) == (200, "me@example.com")
    cleared = await client.patch(path, headers=manager.headers, json={"email_tmp": None})
    assert cleared.json()["email_tmp"] is None
    invalid = await client.patch(path, headers=ambassador.headers, json={"email_tmp": "nope"})
    assert invalid.status_code == 422
    assert list(invalid.json()["errors"]) == ["email_tmp"]
    missing = await client.patch(path, headers=ambassador.headers, json={})
    assert missing.status_code == 422


async def test_shop_customer_is_created_once_with_an_api_key(
    client: httpx.AsyncClient, manager: Person
) -> None:
    body = {"email_tmp": "buyer@example.com", "firstname": "Bea", "lastname": "Buyer"}
    created = await client.post(
        "/chat/ambassadors/shop-customer", headers=manager.headers, json=body
    )
    assert created.status_code == 200
    customer = created.json()
    assert (customer["status"], customer["email_tmp"], customer["firstname"]) == (
        7,
        "buyer@example.com",
        "Bea",
    )
    assert customer["api_key"].startswith("slk_")
    again = await client.post("/chat/ambassadors/shop-customer", headers=manager.headers, json=body)
    assert again.json()["id_ambassador"] == customer["id_ambassador"]
    assert again.json()["api_key"] is None
    token = await client.post("/auth/token", json={"api_key": customer["api_key"]})
    assert token.status_code == 200


async def test_an_ambassadors_chatrooms_carry_last_message_and_last_rating(
    app: FastAPI,
    client: httpx.AsyncClient,
    world: World,
    brand: int,
    visitor: Person,
    ambassador: Person,
) -> None:
    rooms = []
    for _ in range(3):
        other = await world.person(brand, status=7)
        rooms.append(await world.chatroom(other, ambassador))
    await post_message(client, rooms[0], ambassador, "first room")
    id_rating = await pending_request(client, rooms[1], ambassador)
    path = f"/chat/ambassadors/{ambassador.id}/chatrooms"

    with counted_queries(app) as queries:
        listed = (await client.get(path, headers=ambassador.headers)).json()
    assert listed["total"] == 3
    # Most recent action first: the rating request, then the message, then the silent room.
    assert [r["id_chatroom"] for r in listed["data"]] == [rooms[1], rooms[0], rooms[2]]
    first, second, silent = listed["data"]
    assert first["last_message"]["type_message"] == 2
    assert second["last_message"]["content"] == "first room"
    assert silent["last_message"] is None
    assert all(len(r["ambassadors"]) == 2 for r in listed["data"])
    assert all(r["last_rating"] is None for r in listed["data"])

    rater = next(
        a["id_ambassador"] for a in first["ambassadors"] if a["id_ambassador"] != ambassador.id
    )
    await submit_as_participant(client, world, id_rating, rater)
    again = (await client.get(path, headers=ambassador.headers)).json()
    assert again["data"][0]["last_rating"] == {"value": 4, "comment": "good"}

    typed = await client.get(path, headers=ambassador.headers, params={"filter[type_chatroom]": 7})
    assert typed.json()["total"] == 0

    # token + caller, count, page, participants, last messages, last ratings, last summaries
    # (the listed ambassador is the caller, already loaded) -- and no more for a longer page.
    assert len(queries) == 7, queries
    for _ in range(7):
        room = await world.chatroom(await world.person(brand, status=7), ambassador)
        await post_message(client, room, ambassador, "more")
    with counted_queries(app) as more:
        longer = (await client.get(path, headers=ambassador.headers)).json()
    assert len(longer["data"]) == 10
    assert len(more) == len(queries)


async def submit_as_participant(
    client: httpx.AsyncClient, world: World, id_rating: int, rater: int
) -> None:
    token = await world.token_for(rater)
    response = await submit(client, id_rating, token, {"value": 4, "content": "good"})
    assert response.status_code == 200, response.text


@pytest.mark.parametrize(
    "query",
    [
        "filter[flag]=3",
        "filter[archived]=perhaps",
        "sort=name",
        "filter[type_chatroom]=3",
        "filter[type_chatroom]=105899",  # once a 500 on PostgreSQL (SMALLINT overflow)
    ],
)
async def test_invalid_chatroom_list_parameters(
    client: httpx.AsyncClient, ambassador: Person, query: str
) -> None:
    response = await client.get(
        f"/chat/ambassadors/{ambassador.id}/chatrooms?{query}", headers=ambassador.headers
    )
    assert response.status_code == 422
