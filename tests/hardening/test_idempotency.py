"""Idempotency-Key on POST: a retry answers the first response and writes nothing new."""

import asyncio

import httpx

from tests.support import Person


async def send(
    client: httpx.AsyncClient, chatroom: int, person: Person, key: str, content: str
) -> httpx.Response:
    return await client.post(
        f"/chat/chatrooms/{chatroom}/messages",
        headers=person.headers | {"Idempotency-Key": key},
        json={"id_ambassador": person.id, "content": content, "type_message": 0},
    )


async def count_messages(client: httpx.AsyncClient, chatroom: int, person: Person) -> int:
    response = await client.get(f"/chat/chatrooms/{chatroom}/messages", headers=person.headers)
    total: int = response.json()["total"]
    return total


async def test_a_retry_answers_the_first_response(
    client: httpx.AsyncClient, chatroom: int, ambassador: Person
) -> None:
    first = await send(client, chatroom, ambassador, "key-1", "hello")
    again = await send(client, chatroom, ambassador, "key-1", "hello")
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert await count_messages(client, chatroom, ambassador) == 1


async def test_the_same_key_with_another_body_is_422(
    client: httpx.AsyncClient, chatroom: int, ambassador: Person
) -> None:
    await send(client, chatroom, ambassador, "key-2", "hello")
    other = await send(client, chatroom, ambassador, "key-2", "something else")
    assert other.status_code == 422
    assert other.json()["errors"] == {
        "Idempotency-Key": ["This Idempotency-Key was already used for another request."]
    }
    assert await count_messages(client, chatroom, ambassador) == 1


async def test_keys_belong_to_their_sender(
    client: httpx.AsyncClient, chatroom: int, visitor: Person, ambassador: Person
) -> None:
    await send(client, chatroom, ambassador, "shared", "from the ambassador")
    theirs = await send(client, chatroom, visitor, "shared", "from the visitor")
    assert theirs.status_code == 201
    assert await count_messages(client, chatroom, ambassador) == 2


async def test_a_refused_request_is_not_remembered(
    client: httpx.AsyncClient, chatroom: int, ambassador: Person
) -> None:
    refused = await client.post(
        f"/chat/chatrooms/{chatroom}/messages",
        headers=ambassador.headers | {"Idempotency-Key": "key-3"},
        json={"id_ambassador": ambassador.id, "content": "", "type_message": 0},
    )
    assert refused.status_code == 422
    fixed = await send(client, chatroom, ambassador, "key-3", "now with content")
    assert fixed.status_code == 201


async def test_a_rating_request_retried_concurrently_is_made_once(
    client: httpx.AsyncClient, chatroom: int, ambassador: Person
) -> None:
    headers = ambassador.headers | {"Idempotency-Key": "rate-once"}
    responses = await asyncio.gather(
        *(
            client.post(f"/chat/chatrooms/{chatroom}/ratings", headers=headers, json={})
            for _ in range(10)
        )
    )
    assert {r.status_code for r in responses} == {201}
    assert len({r.json()["rating"]["id_rating"] for r in responses}) == 1
    assert await count_messages(client, chatroom, ambassador) == 1


async def test_an_invalid_key_is_422(
    client: httpx.AsyncClient, chatroom: int, ambassador: Person
) -> None:
    response = await send(client, chatroom, ambassador, "k" * 256, "hello")
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["Idempotency-Key"]
