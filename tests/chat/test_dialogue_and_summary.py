"""A chatroom's `established_dialogue`, `last_summary`, `PATCH /chat/chatrooms/{id}` and the
`filter[commented]` of an ambassador's chatrooms."""

from datetime import UTC, datetime

import httpx
import pytest
from fastapi import FastAPI

from tests.ratings.helpers import pending_request, say, submit
from tests.support import Person, World, run_sql


async def chatroom_of(
    client: httpx.AsyncClient, chatroom: int, caller: Person
) -> dict[str, object]:
    response = await client.get(f"/chat/chatrooms/{chatroom}", headers=caller.headers)
    assert response.status_code == 200, response.text
    room: dict[str, object] = response.json()
    return room


async def test_the_dialogue_is_established_by_the_first_message_of_a_second_author(
    client: httpx.AsyncClient, chatroom: int, visitor: Person, ambassador: Person
) -> None:
    await say(client, chatroom, ambassador, "hello")
    await say(client, chatroom, ambassador, "anyone there?")
    # A rating request is the ambassador's too, and a request is no reply.
    await pending_request(client, chatroom, ambassador)
    assert (await chatroom_of(client, chatroom, visitor))["established_dialogue"] is None

    reply = await say(client, chatroom, visitor, "yes")
    message = (await client.get(f"/chat/messages/{reply}", headers=visitor.headers)).json()
    room = await chatroom_of(client, chatroom, visitor)
    assert room["established_dialogue"] == message["date_insert"]

    await say(client, chatroom, ambassador, "great")  # later messages keep the first date
    assert (await chatroom_of(client, chatroom, visitor))["established_dialogue"] == (
        message["date_insert"]
    )


async def test_staff_correct_the_dialogue_and_nobody_else(
    client: httpx.AsyncClient,
    world: World,
    chatroom: int,
    visitor: Person,
    ambassador: Person,
    manager: Person,
) -> None:
    path = f"/chat/chatrooms/{chatroom}"
    body = {"established_dialogue": "2026-11-30T10:00:00+01:00"}
    for participant in (visitor, ambassador):
        refused = await client.patch(path, headers=participant.headers, json=body)
        assert refused.status_code == 403, refused.text
    assert (await client.patch(path, json=body)).json() == {"message": "Unauthorized."}

    updated = await client.patch(path, headers=manager.headers, json=body)
    assert updated.status_code == 200, updated.text
    assert updated.json()["established_dialogue"] == "2026-11-30T09:00:00.000000Z"
    assert updated.json()["id_chatroom"] == chatroom
    assert (await chatroom_of(client, chatroom, visitor))["established_dialogue"] == (
        "2026-11-30T09:00:00.000000Z"
    )
    cleared = await client.patch(path, headers=manager.headers, json={"established_dialogue": None})
    assert cleared.json()["established_dialogue"] is None

    other_brand_staff = await world.person(await world.brand(), status=5)
    hidden = await client.patch(path, headers=other_brand_staff.headers, json=body)
    assert hidden.status_code == 404, hidden.text


@pytest.mark.parametrize(
    "body",
    [
        {"established_dialogue": 1764583200},
        {"established_dialogue": "yesterday"},
        {"established_dialogue": "2026-13-01T00:00:00Z"},
        {"established_dialogue": None, "source": 2},
        {},
    ],
)
async def test_a_bad_update_is_a_422_and_changes_nothing(
    client: httpx.AsyncClient, chatroom: int, visitor: Person, manager: Person, body: object
) -> None:
    before = await chatroom_of(client, chatroom, visitor)
    response = await client.patch(f"/chat/chatrooms/{chatroom}", headers=manager.headers, json=body)
    assert response.status_code == 422, response.text
    assert set(response.json()) == {"message", "errors"}
    assert await chatroom_of(client, chatroom, visitor) == before


async def test_last_summary_is_the_newest_summary(
    app: FastAPI, client: httpx.AsyncClient, chatroom: int, visitor: Person, brand: int
) -> None:
    assert (await chatroom_of(client, chatroom, visitor))["last_summary"] is None
    insert = (
        "INSERT INTO chatroom_summary (id_chatroom, id_brand, date_insert, summary, anomaly, "
        "topic) VALUES (:c, :b, :d, :s, :a, :t)"
    )
    await run_sql(
        app,
        insert,
        {
            "c": chatroom,
            "b": brand,
            "d": datetime(2026, 11, 1, tzinfo=UTC),
            "s": "older",
            "a": 0,
            "t": None,
        },
    )
    await run_sql(
        app,
        insert,
        {
            "c": chatroom,
            "b": brand,
            "d": datetime(2026, 11, 2, tzinfo=UTC),
            "s": "Asked about sizes; bought the M.",
            "a": 1,
            "t": 3,
        },
    )
    assert (await chatroom_of(client, chatroom, visitor))["last_summary"] == {
        "date_insert": "2026-11-02T00:00:00.000000Z",
        "summary": "Asked about sizes; bought the M.",
        "anomaly": 1,
        "topic": 3,
    }


async def test_commented_chatrooms_are_those_whose_last_rating_has_a_comment(
    client: httpx.AsyncClient, world: World, brand: int, ambassador: Person
) -> None:
    rooms: dict[str, int] = {}
    for name, comment in (("commented", "Lovely help"), ("bare", None), ("unrated", None)):
        shopper = await world.person(brand, status=7)
        room = rooms[name] = await world.chatroom(shopper, ambassador)
        await say(client, room, ambassador)
        await say(client, room, shopper)
        if name != "unrated":
            id_rating = await pending_request(client, room, ambassador)
            body = {"value": 5} | ({"content": comment} if comment else {})
            assert (await submit(client, id_rating, shopper, body)).status_code == 200

    async def listed(value: str) -> set[int]:
        response = await client.get(
            f"/chat/ambassadors/{ambassador.id}/chatrooms",
            headers=ambassador.headers,
            params={"filter[commented]": value},
        )
        assert response.status_code == 200, response.text
        return {room["id_chatroom"] for room in response.json()["data"]}

    assert await listed("commented") == {rooms["commented"]}
    assert await listed("not_commented") == {rooms["bare"], rooms["unrated"]}
    refused = await client.get(
        f"/chat/ambassadors/{ambassador.id}/chatrooms",
        headers=ambassador.headers,
        params={"filter[commented]": "yes"},
    )
    assert refused.status_code == 422
    assert "filter[commented]" in refused.json()["errors"]
