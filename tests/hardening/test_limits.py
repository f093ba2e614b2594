"""Request limits, write rate limits and security headers."""

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI

from salon.api.guards import json_depth
from salon.app import create_app
from salon.config import Settings
from tests.ratings.helpers import ask_rating
from tests.support import Person, World


async def test_a_body_over_the_limit_is_413_and_writes_nothing(
    client: httpx.AsyncClient, chatroom: int, ambassador: Person
) -> None:
    huge = {"id_ambassador": ambassador.id, "content": "x" * 300_000, "type_message": 0}
    response = await client.post(
        f"/chat/chatrooms/{chatroom}/messages", headers=ambassador.headers, json=huge
    )
    assert response.status_code == 413
    assert response.json() == {"message": "Payload Too Large."}
    listed = await client.get(f"/chat/chatrooms/{chatroom}/messages", headers=ambassador.headers)
    assert listed.json()["total"] == 0


async def test_a_streamed_body_over_the_limit_is_413(
    client: httpx.AsyncClient, chatroom: int, ambassador: Person
) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(300):
            yield b" " * 1024  # no Content-Length: the guard counts what arrives

    response = await client.post(
        f"/chat/chatrooms/{chatroom}/messages",
        headers=ambassador.headers | {"Content-Type": "application/json"},
        content=chunks(),
    )
    assert response.status_code == 413


async def test_deeply_nested_json_is_422(
    client: httpx.AsyncClient, chatroom: int, ambassador: Person
) -> None:
    body = b'{"id_user_rater": ' + b"[" * 5000 + b"]" * 5000 + b"}"
    response = await client.post(
        f"/chat/chatrooms/{chatroom}/ratings",
        headers=ambassador.headers | {"Content-Type": "application/json"},
        content=body,
    )
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["body"]
    nested_but_fine = await ask_rating(client, chatroom, ambassador, {"id_user_rater": None})
    assert nested_but_fine.status_code == 201


def test_json_depth_ignores_brackets_in_strings() -> None:
    assert json_depth(b'{"a": "[[[[{{{{", "b": [1, {"c": []}]}') == 4
    assert json_depth(b'"\\"[["') == 0
    assert json_depth(b"42") == 0


async def test_security_headers(client: httpx.AsyncClient, ambassador: Person) -> None:
    response = await client.get("/chat/ambassadors", headers=ambassador.headers)
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["content-security-policy"].startswith("default-src 'none'")
    docs = await client.get("/docs")  # a page: its own CSP, as strict (tests/operations)
    assert docs.headers["content-security-policy"].startswith("default-src 'none'")
    assert "script-src 'self';" in docs.headers["content-security-policy"]


@pytest.fixture
async def limited(app: FastAPI, settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """The same database, served with 3 writes per token per minute."""
    strict = create_app(settings.model_copy(update={"writes_per_minute": 3}))
    async with strict.router.lifespan_context(strict):
        transport = httpx.ASGITransport(app=strict)
        async with httpx.AsyncClient(transport=transport, base_url="http://salon.test") as client:
            yield client


async def test_writes_are_rate_limited_per_token(
    limited: httpx.AsyncClient, chatroom: int, visitor: Person, ambassador: Person
) -> None:
    def post(person: Person) -> "asyncio.Future[httpx.Response]":
        body = {"id_ambassador": person.id, "content": "hi", "type_message": 0}
        return asyncio.ensure_future(
            limited.post(f"/chat/chatrooms/{chatroom}/messages", headers=person.headers, json=body)
        )

    statuses = [(await post(ambassador)).status_code for _ in range(4)]
    assert statuses == [201, 201, 201, 429]
    refused = await post(ambassador)
    assert refused.json() == {"message": "Too Many Requests."}
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    # Reads are not writes; another token has its own budget.
    assert (
        await limited.get(f"/chat/chatrooms/{chatroom}", headers=ambassador.headers)
    ).status_code == 200
    assert (await post(visitor)).status_code == 201


async def test_the_schema_declares_the_limits_of_every_operation(
    client: httpx.AsyncClient,
) -> None:
    """Every write may answer 429 (the write limit), every method with a body 413 (the body
    limit), every operation 422 (the guard refuses a query string with NUL before routing):
    12 writes did not declare 429 (issue #11)."""
    spec = (await client.get("/openapi.json")).json()
    operations = [
        (method.upper(), path, set(operation["responses"]))
        for path, item in spec["paths"].items()
        for method, operation in item.items()
    ]
    # 31, 10 of webhooks, /health/live and /ready, 2 public, 7 of the staff's and the
    # platform's ambassadors, /brand, /widget/config and 5 of the waiting list, 7 of brand
    # tags and chat topics, 5 of the profile
    assert len(operations) == 71
    for method, path, statuses in operations:
        assert "422" in statuses, (method, path)
        if method in ("POST", "PATCH", "PUT", "DELETE"):
            assert "429" in statuses, (method, path)
        if method in ("POST", "PATCH", "PUT"):
            assert "413" in statuses, (method, path)
        for status in ("413", "422", "429"):
            if status in statuses:
                assert "content" in spec["paths"][path][method.lower()]["responses"][status]


async def test_the_write_budget_is_the_persons_not_the_tokens(
    limited: httpx.AsyncClient, world: World, chatroom: int, ambassador: Person
) -> None:
    # A new token (a login, an API key exchange) brought a fresh budget.
    second = await world.token_for(ambassador.id)
    body = {"id_ambassador": ambassador.id, "content": "hi", "type_message": 0}
    path = f"/chat/chatrooms/{chatroom}/messages"
    for _ in range(3):
        assert (await limited.post(path, headers=ambassador.headers, json=body)).status_code == 201
    refused = await limited.post(path, headers=second.headers, json=body)
    assert refused.status_code == 429
