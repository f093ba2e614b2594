"""`GET /manager/chatrooms` and `/manager/chatrooms/{id}`: the brand's chatrooms, for its staff."""

from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from salon.clock import utcnow
from tests.ratings.helpers import pending_request, say, submit
from tests.support import Person, World, counted_queries, run_sql

PATH = "/manager/chatrooms"


@dataclass(frozen=True)
class Brand:
    manager: Person
    ambassador: Person
    member: Person
    rated_5: int  # the ambassador and a shopper spoke; rated 5 with a comment
    one_sided: int  # only the ambassador spoke; not rated
    hot_rated_2: int  # opened by the member from the hot list; both spoke; rated 2


async def rated(
    client: httpx.AsyncClient, room: int, ambassador: Person, shopper: Person, value: int
) -> None:
    await say(client, room, ambassador)
    await say(client, room, shopper)
    id_rating = await pending_request(client, room, ambassador)
    response = await submit(client, id_rating, shopper, {"value": value, "content": "noted"})
    assert response.status_code == 200, response.text


@pytest.fixture
async def shop(client: httpx.AsyncClient, world: World, brand: int, manager: Person) -> Brand:
    ambassador, member = await world.person(brand), await world.person(brand)
    shoppers = [await world.person(brand, status=7) for _ in range(3)]
    rated_5 = await world.chatroom(ambassador, shoppers[0])
    await rated(client, rated_5, ambassador, shoppers[0], 5)
    one_sided = await world.chatroom(ambassador, shoppers[1])
    await say(client, one_sided, ambassador)
    opened = await client.post(
        "/chat/chatrooms",
        headers=member.headers,
        json={"ids_ambassadors": [member.id, shoppers[2].id], "source": 2},
    )
    assert opened.status_code == 201, opened.text
    hot = opened.json()["id_chatroom"]
    await rated(client, hot, member, shoppers[2], 2)
    # Another brand's chatroom is never listed.
    elsewhere = await world.brand()
    await world.chatroom(await world.person(elsewhere), await world.person(elsewhere, status=7))
    return Brand(manager, ambassador, member, rated_5, one_sided, hot)


async def listed(client: httpx.AsyncClient, shop: Brand, **params: Any) -> list[int]:
    response = await client.get(PATH, headers=shop.manager.headers, params=params)
    assert response.status_code == 200, response.text
    page = response.json()
    assert page["total"] == len(page["data"])
    return [room["id_chatroom"] for room in page["data"]]


async def test_staff_list_every_chatroom_of_their_brand(
    client: httpx.AsyncClient, shop: Brand
) -> None:
    response = await client.get(PATH, headers=shop.manager.headers)
    assert response.status_code == 200, response.text
    page = response.json()
    assert {"current_page", "data", "links", "per_page", "total", "last_page"} <= set(page)
    by_id = {room["id_chatroom"]: room for room in page["data"]}
    assert set(by_id) == {shop.rated_5, shop.one_sided, shop.hot_rated_2}
    assert by_id[shop.rated_5]["last_rating"] == {"value": 5, "comment": "noted"}
    assert by_id[shop.one_sided]["last_rating"] is None
    assert by_id[shop.one_sided]["established_dialogue"] is None
    assert by_id[shop.rated_5]["established_dialogue"] is not None
    assert by_id[shop.hot_rated_2]["source"] == 2
    assert all(room["last_summary"] is None for room in page["data"])
    # The manager's list shows people without their own state in the chatroom.
    people = [person for room in page["data"] for person in room["ambassadors"]]
    assert people
    assert all("chatroom_pivot_data" not in person for person in people)


async def test_every_filter(client: httpx.AsyncClient, shop: Brand) -> None:
    everything = {shop.rated_5, shop.one_sided, shop.hot_rated_2}
    cases: list[tuple[dict[str, Any], set[int]]] = [
        ({"filter[dialogue]": "established"}, {shop.rated_5, shop.hot_rated_2}),
        ({"filter[dialogue]": "not_established"}, {shop.one_sided}),
        ({"filter[last_rating]": "5"}, {shop.rated_5}),
        ({"filter[last_rating]": "2"}, {shop.hot_rated_2}),
        ({"filter[last_rating]": "0"}, set()),
        ({"filter[last_rating]": "not_rated"}, {shop.one_sided}),
        ({"filter[source]": "hot_list"}, {shop.hot_rated_2}),
        ({"filter[source]": "direct"}, {shop.rated_5, shop.one_sided}),
        ({"filter[source]": "waiting_list"}, set()),
        ({"filter[ambassador]": shop.member.id}, {shop.hot_rated_2}),
        ({"filter[ambassador]": shop.ambassador.id}, {shop.rated_5, shop.one_sided}),
        ({"filter[type_chatroom]": 0}, everything),
        ({"filter[type_chatroom]": 7}, set()),
        ({"filter[type_discussion]": 2}, everything),
        ({"filter[type_discussion]": 0}, set()),
        ({"filter[source]": "direct", "filter[dialogue]": "established"}, {shop.rated_5}),
    ]
    for params, expected in cases:
        assert set(await listed(client, shop, **params)) == expected, params


async def test_sorts_put_chatrooms_without_the_value_last(
    client: httpx.AsyncClient, shop: Brand
) -> None:
    assert await listed(client, shop, sort="last_rating") == [
        shop.hot_rated_2,
        shop.rated_5,
        shop.one_sided,
    ]
    assert await listed(client, shop, sort="-last_rating") == [
        shop.rated_5,
        shop.hot_rated_2,
        shop.one_sided,
    ]
    ids = sorted([shop.rated_5, shop.one_sided, shop.hot_rated_2])
    assert await listed(client, shop, sort="id_chatroom") == ids
    assert await listed(client, shop, sort="-date_insert") == ids[::-1]
    # The default: the latest conversation first.
    assert (await listed(client, shop))[0] == shop.hot_rated_2


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"filter[last_rating]": "6"}, "filter[last_rating]"),
        ({"filter[source]": "2"}, "filter[source]"),
        ({"filter[dialogue]": "yes"}, "filter[dialogue]"),
        ({"filter[type_chatroom]": "3"}, "filter[type_chatroom]"),
        ({"filter[type_discussion]": "01"}, "filter[type_discussion]"),
        ({"filter[ambassador]": "0"}, "filter[ambassador]"),
        ({"sort": "name"}, "sort"),
        ({"per_page": "101"}, "per_page"),
    ],
)
async def test_a_bad_query_is_a_422(
    client: httpx.AsyncClient, manager: Person, params: dict[str, str], field: str
) -> None:
    response = await client.get(PATH, headers=manager.headers, params=params)
    assert response.status_code == 422, response.text
    assert set(response.json()) == {"message", "errors"}
    assert field in response.json()["errors"]


async def test_only_staff_of_the_brand(
    client: httpx.AsyncClient, world: World, shop: Brand, visitor: Person
) -> None:
    unsigned = await client.get(PATH)
    assert (unsigned.status_code, unsigned.json()) == (401, {"message": "Unauthorized."})
    for person in (shop.ambassador, visitor):
        assert (await client.get(PATH, headers=person.headers)).status_code == 403
        one = await client.get(f"{PATH}/{shop.rated_5}", headers=person.headers)
        assert one.status_code == 403
    assert (await client.get(f"{PATH}/{shop.rated_5}")).status_code == 401

    foreign = await world.person(await world.brand(), status=5)
    assert (await client.get(f"{PATH}/{shop.rated_5}", headers=foreign.headers)).status_code == 404
    assert (await client.get(PATH, headers=foreign.headers)).json()["total"] == 0
    missing = await client.get(f"{PATH}/2147483647", headers=shop.manager.headers)
    assert missing.status_code == 404


async def test_one_chatroom_with_its_conversation(client: httpx.AsyncClient, shop: Brand) -> None:
    response = await client.get(f"{PATH}/{shop.rated_5}", headers=shop.manager.headers)
    assert response.status_code == 200, response.text
    room = response.json()
    assert room["id_chatroom"] == shop.rated_5
    assert room["last_rating"] == {"value": 5, "comment": "noted"}
    assert [m["type_message"] for m in room["messages"]] == [0, 0, 2]  # oldest first
    assert room["messages"][2]["rating"]["value"] == 5
    assert room["messages"][0]["author"]["id_ambassador"] == shop.ambassador.id
    assert all(person["chatroom_pivot_data"] for person in room["ambassadors"])


async def test_a_page_of_50_costs_what_a_page_of_3_does(
    app: FastAPI, client: httpx.AsyncClient, world: World, brand: int, shop: Brand
) -> None:
    """`last_rating`, `last_summary` and the people of a whole page: one query each."""
    await listed(client, shop)  # the caller's first request also records their last action
    with counted_queries(app) as few:
        await listed(client, shop, per_page=50)
    for n in range(47):
        shopper = await world.person(brand, status=7)
        room = await world.chatroom(shop.ambassador, shopper)
        if n % 2:
            await rated(client, room, shop.ambassador, shopper, n % 6)
        await run_sql(
            app,
            "INSERT INTO chatroom_summary (id_chatroom, id_brand, date_insert, summary, anomaly) "
            "VALUES (:c, :b, :d, 'a summary', 0)",
            {"c": room, "b": brand, "d": utcnow()},
        )
    with counted_queries(app) as many:
        page = await client.get(PATH, headers=shop.manager.headers, params={"per_page": 50})
    data = page.json()["data"]
    assert len(data) == 50
    assert sum(room["last_rating"] is not None for room in data) == 23 + 2
    assert sum(room["last_summary"] is not None for room in data) == 47
    # token + caller, count, page, participants, last ratings, last summaries
    assert len(many) == len(few) == 6, many
