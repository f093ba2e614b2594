"""`/chat/waiting-list`: a visitor joins, members see and take entries (one wins), the holder
transfers, the visitor leaves."""

import asyncio
from typing import Any

import httpx
import pytest

from tests.support import Person, World, run_sql

FORBIDDEN = {"message": "Forbidden - You don't have permission to access this route"}
NOT_FOUND = {"message": "Not found - The waiting list entry does not exist"}
TAKEN = {"message": "Conflict - The waiting list entry was already taken"}


async def join(
    client: httpx.AsyncClient, visitor: Person, content: str = "Help me", **extra: Any
) -> dict[str, Any]:
    response = await client.post(
        "/chat/waiting-list", headers=visitor.headers, json={"content": content, **extra}
    )
    assert response.status_code == 201, response.text
    entry: dict[str, Any] = response.json()
    return entry


async def chat_topic(client: httpx.AsyncClient, manager: Person, active: bool = True) -> int:
    response = await client.post(
        "/manager/chat-topics",
        headers=manager.headers,
        json={
            "active": active,
            "position": 1,
            "color": "#00AA00",
            "contents": [{"lang": "en_GB", "content": "Sizes"}],
        },
    )
    assert response.status_code == 201, response.text
    id_chat_topic: int = response.json()["id_chat_topic"]
    return id_chat_topic


async def take(client: httpx.AsyncClient, entry: int, member: Person) -> httpx.Response:
    return await client.post(f"/chat/waiting-list/{entry}/take", headers=member.headers)


async def listed(client: httpx.AsyncClient, member: Person, query: str = "") -> list[int]:
    response = await client.get(f"/chat/waiting-list{query}", headers=member.headers)
    assert response.status_code == 200, response.text
    return [entry["id_waiting_list"] for entry in response.json()]


async def test_a_visitor_joins_once(
    client: httpx.AsyncClient, visitor: Person, manager: Person
) -> None:
    topic = await chat_topic(client, manager)
    entry = await join(client, visitor, "  Is this coat waterproof?  ", id_chat_topic=topic)
    assert entry["id_user"] == visitor.id
    assert entry["id_brand"] == visitor.id_brand
    assert entry["content"] == "Is this coat waterproof?"
    assert entry["id_chat_topic"] == topic
    assert entry["source"] == 0
    for field in ("id_ambassador", "id_chatroom", "date_handled", "date_delete", "comment"):
        assert entry[field] is None
    again = await client.post(
        "/chat/waiting-list", headers=visitor.headers, json={"content": "Anyone?"}
    )
    assert again.status_code == 200
    assert again.json() == entry


async def test_only_visitors_join(
    client: httpx.AsyncClient, world: World, brand: int, ambassador: Person, manager: Person
) -> None:
    guest = await world.person(brand, status=8)
    assert (await join(client, guest))["id_user"] == guest.id
    for member in (ambassador, manager):
        refused = await client.post(
            "/chat/waiting-list", headers=member.headers, json={"content": "Help"}
        )
        assert refused.status_code == 403
        assert refused.json() == FORBIDDEN
    unsigned = await client.post("/chat/waiting-list", json={"content": "Help"})
    assert unsigned.status_code == 401
    assert unsigned.json() == {"message": "Unauthorized."}


@pytest.mark.parametrize(
    ("body", "field", "sentence"),
    [
        ({}, "content", "The content field is required."),
        ({"content": "   "}, "content", "The content field must not be blank."),
        ({"content": ""}, "content", "The content field must be at least 1 characters."),
        (
            {"content": "x" * 1001},
            "content",
            "The content field must not be greater than 1000 characters.",
        ),
        ({"content": 5}, "content", "The content field must be a string."),
        (
            {"content": "a", "id_chat_topic": "3"},
            "id_chat_topic",
            "The id_chat_topic field must be an integer.",
        ),
        (
            {"content": "a", "id_chat_topic": 0},
            "id_chat_topic",
            "The id_chat_topic field must be at least 1.",
        ),
        ({"content": "a", "extra": 1}, "extra", "The extra field is not allowed."),
    ],
)
async def test_a_bad_join_is_a_422_and_adds_nothing(
    client: httpx.AsyncClient,
    app: Any,
    visitor: Person,
    body: dict[str, Any],
    field: str,
    sentence: str,
) -> None:
    response = await client.post("/chat/waiting-list", headers=visitor.headers, json=body)
    assert response.status_code == 422
    assert response.json() == {"message": sentence, "errors": {field: [sentence]}}
    assert (await run_sql(app, "SELECT count(*) FROM waiting_list"))[0][0] == 0


async def test_a_topic_must_be_an_active_one_of_the_brand(
    app: Any,
    client: httpx.AsyncClient,
    world: World,
    visitor: Person,
    manager: Person,
) -> None:
    foreign_manager = await world.person(await world.brand(), status=5)
    for topic in (
        await chat_topic(client, manager, active=False),
        await chat_topic(client, foreign_manager),
        2_000_000,
    ):
        response = await client.post(
            "/chat/waiting-list",
            headers=visitor.headers,
            json={"content": "Help", "id_chat_topic": topic},
        )
        assert response.status_code == 422, response.text
        sentence = "The selected id_chat_topic is invalid."
        assert response.json() == {"message": sentence, "errors": {"id_chat_topic": [sentence]}}
    assert (await run_sql(app, "SELECT count(*) FROM waiting_list"))[0][0] == 0


async def test_members_see_the_brand_s_waiting_entries(
    client: httpx.AsyncClient,
    world: World,
    brand: int,
    visitor: Person,
    ambassador: Person,
    manager: Person,
) -> None:
    second = await world.person(brand, status=8)
    topic = await chat_topic(client, manager)
    first_entry = await join(client, visitor, id_chat_topic=topic)
    second_entry = await join(client, second)
    foreign_brand = await world.brand()
    foreign_visitor = await world.person(foreign_brand, status=7)
    foreign_staff = await world.person(foreign_brand, status=5)
    foreign_entry = await join(client, foreign_visitor)

    response = await client.get("/chat/waiting-list", headers=ambassador.headers)
    assert response.status_code == 200
    assert response.json() == [first_entry, second_entry]  # a plain array, first come first
    assert await listed(client, foreign_staff) == [foreign_entry["id_waiting_list"]]
    assert await listed(client, ambassador, f"?filter[id_user]={second.id}") == [
        second_entry["id_waiting_list"]
    ]
    assert await listed(client, ambassador, f"?filter[id_chat_topic]={topic}") == [
        first_entry["id_waiting_list"]
    ]
    assert await listed(client, ambassador, f"?filter[id_chat_topic]={topic + 1}") == []

    assert (await take(client, first_entry["id_waiting_list"], ambassador)).status_code == 200
    assert await listed(client, ambassador) == [second_entry["id_waiting_list"]]
    assert await listed(client, ambassador, "?filter[date_handled]=null") == [
        second_entry["id_waiting_list"]
    ]
    assert await listed(client, ambassador, "?filter[date_handled]=not_null") == [
        first_entry["id_waiting_list"]
    ]


async def test_visitors_may_not_read_the_list(client: httpx.AsyncClient, visitor: Person) -> None:
    await join(client, visitor)
    response = await client.get("/chat/waiting-list", headers=visitor.headers)
    assert response.status_code == 403
    assert response.json() == FORBIDDEN
    assert (await client.get("/chat/waiting-list")).status_code == 401


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("filter[date_handled]=yesterday", "filter[date_handled]"),
        ("filter[id_user]=abc", "filter[id_user]"),
        ("filter[id_chat_topic]=0", "filter[id_chat_topic]"),
    ],
)
async def test_a_bad_filter_is_a_422(
    client: httpx.AsyncClient, ambassador: Person, query: str, field: str
) -> None:
    response = await client.get(f"/chat/waiting-list?{query}", headers=ambassador.headers)
    assert response.status_code == 422
    body = response.json()
    assert list(body["errors"]) == [field]
    assert body["message"] == body["errors"][field][0]


async def test_a_member_takes_an_entry_into_a_waiting_list_chatroom(
    client: httpx.AsyncClient, visitor: Person, ambassador: Person
) -> None:
    entry = await join(client, visitor)
    response = await take(client, entry["id_waiting_list"], ambassador)
    assert response.status_code == 200, response.text
    taken = response.json()
    assert taken["id_ambassador"] == ambassador.id
    assert taken["date_handled"] is not None
    assert taken["id_chatroom"] is not None
    room = await client.get(f"/chat/chatrooms/{taken['id_chatroom']}", headers=visitor.headers)
    assert room.status_code == 200
    assert room.json()["source"] == 1
    assert room.json()["type_chatroom"] == 0
    assert {a["id_ambassador"] for a in room.json()["ambassadors"]} == {visitor.id, ambassador.id}
    # Taken is taken: a second member gets 409; the visitor may wait again.
    again = await take(client, entry["id_waiting_list"], ambassador)
    assert again.status_code == 409
    assert again.json() == TAKEN
    assert (await join(client, visitor))["id_waiting_list"] != entry["id_waiting_list"]


async def test_taking_reuses_the_pair_s_chatroom(
    client: httpx.AsyncClient, visitor: Person, ambassador: Person, chatroom: int
) -> None:
    entry = await join(client, visitor)
    taken = (await take(client, entry["id_waiting_list"], ambassador)).json()
    assert taken["id_chatroom"] == chatroom


async def test_who_may_take_and_whose_entries(
    client: httpx.AsyncClient, world: World, visitor: Person, ambassador: Person
) -> None:
    entry = await join(client, visitor)
    refused = await take(client, entry["id_waiting_list"], visitor)
    assert refused.status_code == 403
    assert refused.json() == FORBIDDEN
    foreign = await world.person(await world.brand(), status=5)
    hidden = await take(client, entry["id_waiting_list"], foreign)
    assert hidden.status_code == 404
    assert hidden.json() == NOT_FOUND
    assert (await take(client, 99999, ambassador)).status_code == 404
    unsigned = await client.post(f"/chat/waiting-list/{entry['id_waiting_list']}/take")
    assert unsigned.status_code == 401
    bad = await take(client, 0, ambassador)
    assert bad.status_code == 422
    assert list(bad.json()["errors"]) == ["entry"]
    still = await listed(client, ambassador)
    assert still == [entry["id_waiting_list"]]


async def test_of_members_racing_for_an_entry_exactly_one_wins(
    client: httpx.AsyncClient, world: World, brand: int, visitor: Person
) -> None:
    members = [await world.person(brand, status=0) for _ in range(4)]
    entry = await join(client, visitor)
    responses = await asyncio.gather(
        *(take(client, entry["id_waiting_list"], member) for member in members)
    )
    statuses = sorted(response.status_code for response in responses)
    assert statuses == [200, 409, 409, 409], [r.text for r in responses]
    winner = next(r.json() for r in responses if r.status_code == 200)
    holder = next(m for m in members if m.id == winner["id_ambassador"])
    # One chatroom was opened, the winner's.
    rooms = await client.get(f"/chat/ambassadors/{visitor.id}/chatrooms", headers=visitor.headers)
    assert [room["id_chatroom"] for room in rooms.json()["data"]] == [winner["id_chatroom"]]
    handled = await listed(client, holder, "?filter[date_handled]=not_null")
    assert handled == [entry["id_waiting_list"]]


async def test_the_holder_transfers_to_another_member(
    client: httpx.AsyncClient, world: World, brand: int, visitor: Person, ambassador: Person
) -> None:
    expert = await world.person(brand, status=6)
    entry = await join(client, visitor)
    first = (await take(client, entry["id_waiting_list"], ambassador)).json()
    path = f"/chat/waiting-list/{entry['id_waiting_list']}/transfer"
    response = await client.post(
        path,
        headers=ambassador.headers,
        json={"id_ambassador": expert.id, "comment": "An expert's question"},
    )
    assert response.status_code == 200, response.text
    moved = response.json()
    assert moved["id_ambassador"] == expert.id
    assert moved["id_transferrer"] == ambassador.id
    assert moved["comment"] == "An expert's question"
    assert moved["id_chatroom"] == first["id_chatroom"]
    assert moved["date_handled"] == first["date_handled"]
    new_room = moved["id_chatroom_transferred"]
    assert new_room not in (None, first["id_chatroom"])
    room = (await client.get(f"/chat/chatrooms/{new_room}", headers=expert.headers)).json()
    assert room["source"] == 1
    assert {a["id_ambassador"] for a in room["ambassadors"]} == {visitor.id, expert.id}
    # The former holder no longer holds it.
    again = await client.post(path, headers=ambassador.headers, json={"id_ambassador": expert.id})
    assert again.status_code == 403


async def test_a_bad_transfer_changes_nothing(
    client: httpx.AsyncClient, world: World, brand: int, visitor: Person, ambassador: Person
) -> None:
    member = await world.person(brand, status=0)
    entry = await join(client, visitor)
    path = f"/chat/waiting-list/{entry['id_waiting_list']}/transfer"
    not_yet = await client.post(path, headers=ambassador.headers, json={"id_ambassador": member.id})
    assert not_yet.status_code == 403  # nobody holds it yet: not the caller's
    manager = await world.person(brand, status=5)
    open_one = await client.post(path, headers=manager.headers, json={"id_ambassador": member.id})
    assert open_one.status_code == 409
    assert open_one.json() == {"message": "Conflict - The waiting list entry is not taken yet"}
    taken = (await take(client, entry["id_waiting_list"], ambassador)).json()
    foreign = await world.person(await world.brand(), status=0)
    for target, sentence in [
        (visitor.id, "The selected id_ambassador is not a member of the brand."),
        (foreign.id, "The selected id_ambassador is not a member of the brand."),
        (ambassador.id, "The selected id_ambassador already holds this entry."),
    ]:
        refused = await client.post(
            path, headers=ambassador.headers, json={"id_ambassador": target}
        )
        assert refused.status_code == 422
        assert refused.json() == {"message": sentence, "errors": {"id_ambassador": [sentence]}}
    missing = await client.post(path, headers=ambassador.headers, json={})
    assert missing.status_code == 422
    by_member = await client.post(path, headers=member.headers, json={"id_ambassador": member.id})
    assert by_member.status_code == 403
    hidden = await client.post(path, headers=foreign.headers, json={"id_ambassador": member.id})
    assert hidden.status_code == 404
    after = await client.get(
        "/chat/waiting-list?filter[date_handled]=not_null", headers=ambassador.headers
    )
    assert after.json() == [taken]


async def test_the_visitor_leaves(
    client: httpx.AsyncClient, world: World, brand: int, visitor: Person, ambassador: Person
) -> None:
    entry = await join(client, visitor)
    path = f"/chat/waiting-list/{entry['id_waiting_list']}"
    others = [ambassador, await world.person(brand, status=5), await world.person(brand, 8)]
    for other in others:
        refused = await client.delete(path, headers=other.headers)
        assert refused.status_code == 403
    assert (await client.delete(path)).status_code == 401
    foreign = await world.person(await world.brand(), status=7)
    assert (await client.delete(path, headers=foreign.headers)).status_code == 404
    left = await client.delete(path, headers=visitor.headers)
    assert left.status_code == 204
    assert left.content == b""
    assert await listed(client, ambassador) == []
    assert await listed(client, ambassador, "?filter[date_handled]=not_null") == []
    gone = await client.delete(path, headers=visitor.headers)
    assert gone.status_code == 404
    assert gone.json() == NOT_FOUND
    assert (await take(client, entry["id_waiting_list"], ambassador)).status_code == 404
    # Having left, the visitor may join again.
    assert (await join(client, visitor))["id_waiting_list"] != entry["id_waiting_list"]


async def test_a_taken_entry_cannot_be_left(
    client: httpx.AsyncClient, visitor: Person, ambassador: Person
) -> None:
    entry = await join(client, visitor)
    await take(client, entry["id_waiting_list"], ambassador)
    refused = await client.delete(
        f"/chat/waiting-list/{entry['id_waiting_list']}", headers=visitor.headers
    )
    assert refused.status_code == 409
    assert refused.json() == TAKEN


async def test_taking_updates_only_an_entry_still_waiting(
    client: httpx.AsyncClient, world: World, brand: int, visitor: Person, ambassador: Person
) -> None:
    """The race's guard is the statement itself, not the check before it: a second take of
    the same entry, after the first has read it waiting, changes nothing."""
    from salon.clock import utcnow
    from salon.waiting_list import repository

    entry = (await join(client, visitor))["id_waiting_list"]
    other = await world.person(brand, status=0)
    async with world.database.transaction() as tx:
        assert await repository.take(tx, entry, ambassador.id, utcnow())
        assert not await repository.take(tx, entry, other.id, utcnow())
    handled = await client.get(
        "/chat/waiting-list?filter[date_handled]=not_null", headers=ambassador.headers
    )
    assert [e["id_ambassador"] for e in handled.json()] == [ambassador.id]
