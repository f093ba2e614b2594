"""POST /chat/chatrooms and each participant's own state."""

import httpx
import pytest
from fastapi import FastAPI

from salon.provisioning import service
from tests.support import Person, World


async def post_message(
    client: httpx.AsyncClient, chatroom: int, author: Person, content: str = "hi"
) -> httpx.Response:
    return await client.post(
        f"/chat/chatrooms/{chatroom}/messages",
        headers=author.headers,
        json={"id_ambassador": author.id, "content": content, "type_message": 0},
    )


async def test_two_people_share_one_chatroom(
    client: httpx.AsyncClient, visitor: Person, ambassador: Person
) -> None:
    body = {"ids_ambassadors": [visitor.id, ambassador.id], "source": 1}
    created = await client.post("/chat/chatrooms", headers=visitor.headers, json=body)
    assert created.status_code == 201, created.text
    room = created.json()
    assert set(room) == {
        "id_chatroom",
        "ambassadors",
        "date_insert",
        "last_message_date",
        "type_chatroom",
        "type_discussion",
        "source",
        "established_dialogue",
        "last_rating",
        "last_summary",
    }
    assert (room["type_chatroom"], room["type_discussion"], room["source"]) == (0, 2, 1)
    assert room["last_message_date"] is None
    assert room["last_rating"] is room["last_summary"] is room["established_dialogue"] is None
    assert [a["id_ambassador"] for a in room["ambassadors"]] == sorted([visitor.id, ambassador.id])
    assert room["ambassadors"][0]["chatroom_pivot_data"] == [
        {
            "id_chatroom": room["id_chatroom"],
            "id_ambassador": room["ambassadors"][0]["id_ambassador"],
            "last_read_message": None,
            "is_blocked": False,
            "archived": False,
            "flag": None,
        }
    ]
    reversed_pair = {"ids_ambassadors": [ambassador.id, visitor.id], "source": 0}
    again = await client.post("/chat/chatrooms", headers=ambassador.headers, json=reversed_pair)
    assert again.status_code == 200
    assert again.json()["id_chatroom"] == room["id_chatroom"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"source": 0}, "ids_ambassadors"),
        ({"ids_ambassadors": ["{v}", "{a}"], "id_brand_tag": 1, "source": 0}, "ids_ambassadors"),
        ({"ids_ambassadors": ["{v}"], "source": 0}, "ids_ambassadors"),
        ({"ids_ambassadors": ["{v}", "{a}", "{a}"], "source": 0}, "ids_ambassadors"),
        ({"ids_ambassadors": ["{v}", "{v}"], "source": 0}, "ids_ambassadors"),
        ({"ids_ambassadors": ["{v}", 999999], "source": 0}, "ids_ambassadors.1"),
        ({"ids_ambassadors": ["{v}", "{a}"]}, "source"),
        ({"ids_ambassadors": ["{v}", "{a}"], "source": 3}, "source"),
        ({"ids_ambassadors": ["{v}", "{a}"], "source": "0"}, "source"),
        ({"id_brand_tag": 999999, "source": 0}, "id_brand_tag"),
    ],
)
async def test_invalid_chatroom_bodies(
    client: httpx.AsyncClient,
    visitor: Person,
    ambassador: Person,
    body: dict[str, object],
    field: str,
) -> None:
    ids = {"{v}": visitor.id, "{a}": ambassador.id}

    def fill(value: object) -> object:
        if isinstance(value, list):
            return [ids.get(v, v) if isinstance(v, str) else v for v in value]
        return value

    filled = {key: fill(value) for key, value in body.items()}
    response = await client.post("/chat/chatrooms", headers=visitor.headers, json=filled)
    assert response.status_code == 422, response.text
    assert field in response.json()["errors"]


async def test_someone_of_another_brand_cannot_be_invited(
    client: httpx.AsyncClient, world: World, visitor: Person
) -> None:
    stranger = await world.person(await world.brand())
    body = {"ids_ambassadors": [visitor.id, stranger.id], "source": 0}
    response = await client.post("/chat/chatrooms", headers=visitor.headers, json=body)
    assert response.status_code == 422
    assert response.json()["errors"] == {
        "ids_ambassadors.1": ["The selected ids_ambassadors.1 is invalid."]
    }


async def test_a_brand_tag_opens_a_group_with_its_members(
    app: FastAPI, client: httpx.AsyncClient, world: World, brand: int, visitor: Person
) -> None:
    experts = [await world.person(brand, status=6) for _ in range(3)]
    async with app.state.database.transaction() as tx:
        tag = await service.create_brand_tag(tx, brand, "experts")
        empty = await service.create_brand_tag(tx, brand, "nobody")
        for expert in experts:
            await service.add_tag_member(tx, tag.id_brand_tag, expert.id)
        id_tag, id_empty = tag.id_brand_tag, empty.id_brand_tag

    body = {"id_brand_tag": id_tag, "source": 0}
    response = await client.post("/chat/chatrooms", headers=visitor.headers, json=body)
    assert response.status_code == 201, response.text
    room = response.json()
    assert room["type_chatroom"] == 7
    assert {a["id_ambassador"] for a in room["ambassadors"]} == {
        visitor.id,
        *(e.id for e in experts),
    }
    listed = await client.get(
        f"/chat/ambassadors?filter[brand_tag]={id_tag}", headers=visitor.headers
    )
    assert {p["id_ambassador"] for p in listed.json()["data"]} == {e.id for e in experts}

    none = await client.post(
        "/chat/chatrooms", headers=visitor.headers, json={"id_brand_tag": id_empty, "source": 0}
    )
    assert none.status_code == 422


async def test_read_marker(
    client: httpx.AsyncClient, chatroom: int, visitor: Person, ambassador: Person
) -> None:
    path = f"/chat/chatrooms/{chatroom}/ambassadors/{visitor.id}/read"
    empty = await client.post(path, headers=visitor.headers)
    assert empty.status_code == 422
    await post_message(client, chatroom, ambassador, "one")
    last = (await post_message(client, chatroom, ambassador, "two")).json()
    response = await client.post(path, headers=visitor.headers)
    assert response.status_code == 200
    assert response.json() == last | {"author": response.json()["author"]}
    room = (await client.get(f"/chat/chatrooms/{chatroom}", headers=visitor.headers)).json()
    pivots = {a["id_ambassador"]: a["chatroom_pivot_data"][0] for a in room["ambassadors"]}
    assert pivots[visitor.id]["last_read_message"] == last["id_message"]
    assert pivots[ambassador.id]["last_read_message"] is None


async def test_not_a_participant_is_404_for_the_ambassador(
    client: httpx.AsyncClient, world: World, brand: int, chatroom: int, manager: Person
) -> None:
    other = await world.person(brand)
    path = f"/chat/chatrooms/{chatroom}/ambassadors/{other.id}/archive"
    response = await client.patch(path, headers=manager.headers, json={"archive": True})
    assert response.status_code == 404
    assert response.json() == {"message": "Not found - The ambassador does not exist"}


async def test_block_stops_the_others_not_the_blocker(
    client: httpx.AsyncClient, chatroom: int, visitor: Person, ambassador: Person
) -> None:
    path = f"/chat/chatrooms/{chatroom}/ambassadors/{visitor.id}/block"
    response = await client.patch(path, headers=visitor.headers, json={"is_blocked": True})
    assert response.json() == {
        "message": f"chatroom {chatroom} blocked successfully for ambassador {visitor.id}"
    }
    assert (await post_message(client, chatroom, ambassador)).status_code == 403
    asked = await client.post(f"/chat/chatrooms/{chatroom}/ratings", headers=ambassador.headers)
    assert asked.status_code == 403
    assert (await post_message(client, chatroom, visitor)).status_code == 201
    # Reading still works for everyone.
    listed = await client.get(f"/chat/chatrooms/{chatroom}/messages", headers=ambassador.headers)
    assert listed.status_code == 200

    await client.patch(path, headers=visitor.headers, json={"is_blocked": False})
    assert (await post_message(client, chatroom, ambassador)).status_code == 201


async def test_archive_until_a_new_message(
    client: httpx.AsyncClient, chatroom: int, visitor: Person, ambassador: Person
) -> None:
    path = f"/chat/chatrooms/{chatroom}/ambassadors/{visitor.id}/archive"
    response = await client.patch(path, headers=visitor.headers, json={"archive": True})
    assert response.json() == {"message": "Chatroom archived successfully"}
    mine = f"/chat/ambassadors/{visitor.id}/chatrooms"
    archived = await client.get(f"{mine}?filter[archived]=true", headers=visitor.headers)
    assert [r["id_chatroom"] for r in archived.json()["data"]] == [chatroom]
    active = await client.get(f"{mine}?filter[archived]=false", headers=visitor.headers)
    assert active.json()["total"] == 0

    await post_message(client, chatroom, ambassador)
    active = await client.get(f"{mine}?filter[archived]=false", headers=visitor.headers)
    assert active.json()["total"] == 1


@pytest.mark.parametrize(
    ("flag", "status", "message"),
    [
        (1, 200, "Chatroom flagged successfully"),
        (2, 200, "Chatroom flagged successfully"),
        (None, 200, "Chatroom unflagged successfully"),
        (3, 422, None),
        ("1", 422, None),
    ],
)
async def test_flag(
    client: httpx.AsyncClient,
    chatroom: int,
    visitor: Person,
    flag: object,
    status: int,
    message: str | None,
) -> None:
    path = f"/chat/chatrooms/{chatroom}/ambassadors/{visitor.id}/flag"
    response = await client.patch(path, headers=visitor.headers, json={"flag": flag})
    assert response.status_code == status
    if message:
        assert response.json() == {"message": message}
        room = (await client.get(f"/chat/chatrooms/{chatroom}", headers=visitor.headers)).json()
        mine = next(a for a in room["ambassadors"] if a["id_ambassador"] == visitor.id)
        assert mine["chatroom_pivot_data"][0]["flag"] == flag
    missing = await client.patch(path, headers=visitor.headers, json={})
    assert missing.status_code == 422
