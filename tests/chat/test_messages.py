"""Messages: posting, reading (paginated, sorted, filtered), editing; query counts."""

import httpx
import pytest
from fastapi import FastAPI

from tests.chat.test_chatrooms import post_message
from tests.support import Person, counted_queries

PAGINATOR = {
    "current_page",
    "data",
    "first_page_url",
    "from",
    "last_page",
    "last_page_url",
    "links",
    "next_page_url",
    "path",
    "per_page",
    "prev_page_url",
    "to",
    "total",
}


@pytest.mark.parametrize("type_message", [0, 1, 3, 4, 5, 6, 7, 8, 9])
async def test_post_every_type_but_rating(
    client: httpx.AsyncClient, chatroom: int, ambassador: Person, type_message: int
) -> None:
    body = {"id_ambassador": ambassador.id, "content": "x", "type_message": type_message}
    response = await client.post(
        f"/chat/chatrooms/{chatroom}/messages", headers=ambassador.headers, json=body
    )
    assert response.status_code == 201
    message = response.json()
    assert message["type_message"] == type_message
    assert message["rating"] is None
    assert message["author"]["id_ambassador"] == ambassador.id
    room = (await client.get(f"/chat/chatrooms/{chatroom}", headers=ambassador.headers)).json()
    assert room["last_message_date"] == message["date_insert"]


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"content": "x", "type_message": 2}, 422, "type_message"),
        ({"content": "  ", "type_message": 0}, 422, "content"),
        ({"content": "x", "type_message": 10}, 422, "type_message"),
        ({"content": "x"}, 422, "type_message"),
        ({"content": "x" * 10_001, "type_message": 0}, 422, "content"),
        ({"content": 5, "type_message": 0}, 422, "content"),
    ],
)
async def test_invalid_messages(
    client: httpx.AsyncClient,
    chatroom: int,
    ambassador: Person,
    body: dict[str, object],
    status: int,
    field: str,
) -> None:
    response = await client.post(
        f"/chat/chatrooms/{chatroom}/messages",
        headers=ambassador.headers,
        json={"id_ambassador": ambassador.id} | body,
    )
    assert response.status_code == status
    assert field in response.json()["errors"]


async def test_nobody_posts_in_someone_elses_name(
    client: httpx.AsyncClient, chatroom: int, visitor: Person, ambassador: Person
) -> None:
    body = {"id_ambassador": visitor.id, "content": "x", "type_message": 0}
    response = await client.post(
        f"/chat/chatrooms/{chatroom}/messages", headers=ambassador.headers, json=body
    )
    assert response.status_code == 403


async def test_list_is_paginated_sorted_and_filtered(
    client: httpx.AsyncClient, chatroom: int, visitor: Person, ambassador: Person
) -> None:
    sent = [(await post_message(client, chatroom, ambassador, f"m{i}")).json() for i in range(5)]
    path = f"/chat/chatrooms/{chatroom}/messages"
    first = (await client.get(f"{path}?per_page=2", headers=visitor.headers)).json()
    assert set(first) == PAGINATOR
    assert [m["content"] for m in first["data"]] == ["m4", "m3"]
    assert (first["current_page"], first["last_page"], first["total"]) == (1, 3, 5)
    assert (first["from"], first["to"], first["per_page"]) == (1, 2, 2)
    assert first["prev_page_url"] is None
    assert first["path"] == f"http://salon.test{path}"
    assert "page=2" in first["next_page_url"]
    assert "per_page=2" in first["next_page_url"]
    assert [link["label"] for link in first["links"]] == [
        "&laquo; Previous",
        "1",
        "2",
        "3",
        "Next &raquo;",
    ]
    assert [link["active"] for link in first["links"]][1:4] == [True, False, False]

    last = (await client.get(first["last_page_url"], headers=visitor.headers)).json()
    assert [m["content"] for m in last["data"]] == ["m0"]
    assert last["next_page_url"] is None

    oldest_first = (
        await client.get(f"{path}?sort=date_insert&per_page=2", headers=visitor.headers)
    ).json()
    assert [m["content"] for m in oldest_first["data"]] == ["m0", "m1"]

    before = sent[2]["date_insert"]
    earlier = (
        await client.get(path, headers=visitor.headers, params={"filter[sent_before]": before})
    ).json()
    assert [m["content"] for m in earlier["data"]] == ["m1", "m0"]

    await client.post(f"/chat/chatrooms/{chatroom}/ratings", headers=ambassador.headers)
    ratings_only = (
        await client.get(f"{path}?filter[type_message]=2", headers=visitor.headers)
    ).json()
    assert [m["type_message"] for m in ratings_only["data"]] == [2]
    assert ratings_only["data"][0]["rating"]["value"] is None

    hidden = await client.patch(
        f"/chat/messages/{sent[0]['id_message']}",
        headers=ambassador.headers,
        json={"active": False},
    )
    assert hidden.status_code == 200
    inactive = (await client.get(f"{path}?filter[active]=false", headers=visitor.headers)).json()
    assert [m["id_message"] for m in inactive["data"]] == [sent[0]["id_message"]]

    past_the_end = (await client.get(f"{path}?page=9", headers=visitor.headers)).json()
    assert (past_the_end["data"], past_the_end["from"], past_the_end["to"]) == ([], None, None)


@pytest.mark.parametrize(
    "query",
    [
        "per_page=0",
        "per_page=101",
        "page=0",
        "sort=content",
        "filter[type_message]=1,x",
        "filter[active]=maybe",
        "filter[sent_before]=yesterday",
        # Found by the contract fuzzer: Pydantic reads numbers as Unix times.
        "filter[sent_before]=1700000000",
        "filter[sent_before]=-1.9e-75",
    ],
)
async def test_invalid_list_parameters(
    client: httpx.AsyncClient, chatroom: int, visitor: Person, query: str
) -> None:
    response = await client.get(
        f"/chat/chatrooms/{chatroom}/messages?{query}", headers=visitor.headers
    )
    assert response.status_code == 422
    assert response.json()["errors"]


async def test_a_list_of_50_messages_costs_a_constant_number_of_queries(
    app: FastAPI, client: httpx.AsyncClient, chatroom: int, visitor: Person, ambassador: Person
) -> None:
    path = f"/chat/chatrooms/{chatroom}/messages?per_page=50"
    await post_message(client, chatroom, visitor)
    await client.post(f"/chat/chatrooms/{chatroom}/ratings", headers=ambassador.headers)
    with counted_queries(app) as few:
        small = await client.get(path, headers=visitor.headers)
    for i in range(48):
        await post_message(client, chatroom, ambassador if i % 2 else visitor, f"m{i}")
    await client.post(f"/chat/chatrooms/{chatroom}/ratings", headers=visitor.headers)
    with counted_queries(app) as many:
        large = await client.get(path, headers=visitor.headers)
    assert len(large.json()["data"]) == 50
    assert sum(m["rating"] is not None for m in large.json()["data"]) == 2
    assert len(small.json()["data"]) == 2
    # token + caller, chatroom with participants, count, the page with authors and ratings
    assert len(many) == len(few) == 4, many


async def test_get_and_edit_a_message(
    client: httpx.AsyncClient, chatroom: int, visitor: Person, ambassador: Person, manager: Person
) -> None:
    message = (await post_message(client, chatroom, ambassador, "hello")).json()
    path = f"/chat/messages/{message['id_message']}"
    assert (await client.get(path, headers=visitor.headers)).json() == message | {
        "author": (await client.get(path, headers=visitor.headers)).json()["author"]
    }
    edited = await client.patch(path, headers=ambassador.headers, json={"content": "hello!"})
    assert (edited.status_code, edited.json()["content"]) == (200, "hello!")
    assert (
        await client.patch(path, headers=visitor.headers, json={"content": "no"})
    ).status_code == 403
    assert (
        await client.patch(path, headers=manager.headers, json={"content": "no"})
    ).status_code == 403
    assert (
        await client.patch(path, headers=manager.headers, json={"active": False})
    ).status_code == 200
    assert (await client.patch(path, headers=ambassador.headers, json={})).status_code == 422

    rating_message = (
        await client.post(f"/chat/chatrooms/{chatroom}/ratings", headers=ambassador.headers)
    ).json()
    rating_path = f"/chat/messages/{rating_message['id_message']}"
    refused = await client.patch(rating_path, headers=ambassador.headers, json={"content": "x"})
    assert refused.status_code == 422


async def test_posting_a_message_costs_four_statements_and_one_more_to_unarchive(
    app: FastAPI,
    client: httpx.AsyncClient,
    chatroom: int,
    visitor: Person,
    ambassador: Person,
    manager: Person,
) -> None:
    await post_message(client, chatroom, ambassador, "warm: the caller's presence is fresh")
    with counted_queries(app) as plain:
        assert (await post_message(client, chatroom, ambassador, "plain")).status_code == 201
    # token + caller (and whether the brand has a webhook endpoint: it has none), chatroom with
    # participants, INSERT message, UPDATE last_message_date
    assert len(plain) == 4, plain

    archive = f"/chat/chatrooms/{chatroom}/ambassadors/{visitor.id}/archive"
    await client.patch(archive, headers=visitor.headers, json={"archive": True})
    with counted_queries(app) as unarchiving:
        assert (await post_message(client, chatroom, ambassador, "back")).status_code == 201
    assert len(unarchiving) == 5, unarchiving
    mine = f"/chat/ambassadors/{visitor.id}/chatrooms?filter[archived]=true"
    assert (await client.get(mine, headers=visitor.headers)).json()["total"] == 0

    endpoint = {"url": "http://127.0.0.1:9/", "event_types": ["message.created"]}
    registered = await client.post("/manager/webhooks", headers=manager.headers, json=endpoint)
    assert registered.status_code == 201
    with counted_queries(app) as subscribed:
        assert (await post_message(client, chatroom, ambassador, "hooked")).status_code == 201
    # and, now that the brand has one, its endpoints and the INSERT of the delivery
    assert len(subscribed) == 6, subscribed
