"""The seed: `POST /chat/chatrooms/{chatroom}/ratings`, reproduced with the demo's ids."""

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from fastapi import FastAPI

from salon.provisioning.demo import load_demo

WIRE_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$")
AUTHOR_FIELDS: dict[str, type | tuple[type, ...]] = {
    "id_ambassador": int,
    "image": (str, type(None)),
    "firstname": str,
    "lastname": str,
    "username": (str, type(None)),
    "email": (str, type(None)),
    "email_tmp": (str, type(None)),
    "active": int,
    "status": int,
    "online": bool,
    "last_action_date": str,
    "customer_id": (str, type(None)),
    "anonymized": bool,
}
RATING_FIELDS = {
    "id_rating",
    "date_insert",
    "date_update",
    "date_delete",
    "value",
    "content",
    "id_user_rater",
    "id_user_rated",
}


async def demo(app: FastAPI) -> dict[str, Any]:
    async with app.state.database.transaction() as tx:
        return await load_demo(tx)


def parse_wire_date(value: str) -> datetime:
    assert WIRE_DATE.match(value), value
    return datetime.strptime(value, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)


async def test_seed_request_example_returns_the_message_with_its_rating(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    data = await demo(app)
    visitor, ada = data["ambassadors"][0], data["ambassadors"][1]
    room = data["chatrooms"][0]
    assert room["ids_ambassadors"] == [visitor["id_ambassador"], ada["id_ambassador"]]
    before = datetime.now(UTC)

    response = await client.post(
        f"/chat/chatrooms/{room['id_chatroom']}/ratings",
        headers={"Authorization": f"Bearer {ada['token']}", "Content-Type": "application/json"},
        json={"id_user_rated": ada["id_ambassador"], "id_user_rater": visitor["id_ambassador"]},
    )

    assert response.status_code == 201, response.text
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert set(body) == {
        "id_message",
        "date_insert",
        "author",
        "content",
        "type_message",
        "status_moderation",
        "rating",
    }
    assert isinstance(body["id_message"], int)
    inserted = parse_wire_date(body["date_insert"])
    assert before - timedelta(seconds=1) <= inserted <= datetime.now(UTC)
    assert body["content"] == ""
    assert body["type_message"] == 2
    assert body["status_moderation"] == 0

    author = body["author"]
    assert set(author) == set(AUTHOR_FIELDS)
    for field, kind in AUTHOR_FIELDS.items():
        assert isinstance(author[field], kind), field
    assert author["id_ambassador"] == ada["id_ambassador"]
    assert author["firstname"] == "Ada"
    assert author["status"] == 0
    assert author["active"] == 1
    assert author["anonymized"] is False
    # The request itself is an action: the caller is online now.
    assert author["online"] is True
    parse_wire_date(author["last_action_date"])

    rating = body["rating"]
    # The seed's fields: the rater's link goes to the brand's webhooks only, never to the
    # asker (here the rated ambassador, who must not hold the rater's credential).
    assert set(rating) == RATING_FIELDS
    assert isinstance(rating["id_rating"], int)
    assert rating["id_user_rated"] == ada["id_ambassador"]
    assert rating["id_user_rater"] == visitor["id_ambassador"]
    assert rating["value"] is None
    assert rating["content"] is None
    assert rating["date_delete"] is None
    assert parse_wire_date(rating["date_insert"]) == inserted
    assert parse_wire_date(rating["date_update"]) == inserted


async def test_openapi_describes_the_seed_operation(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/openapi.json")).json()
    operation = spec["paths"]["/chat/chatrooms/{chatroom}/ratings"]["post"]
    assert operation["summary"] == "Rate a chatroom"

    (parameter,) = [p for p in operation["parameters"] if p["in"] == "path"]
    assert parameter["name"] == "chatroom"
    assert parameter["required"] is True
    assert parameter["schema"]["type"] == "integer"
    assert parameter["description"] == "The chatroom id"

    body_ref = operation["requestBody"]["content"]["application/json"]["schema"]
    body_schema = resolve(spec, body_ref)
    for field in ("id_user_rated", "id_user_rater"):
        assert integer_types(spec, body_schema["properties"][field]) == {"integer"}
    assert "required" not in body_schema

    assert set(operation["responses"]) >= {"201", "401", "403", "404", "422"}
    created = operation["responses"]["201"]
    assert created["description"] == "Return the created message with rating"
    message = resolve(spec, created["content"]["application/json"]["schema"])
    assert message["properties"]["type_message"]["description"] == (
        "0: text, 1: picture, 2: rating, 3: product, 4: connection, 5: request, "
        "6: unavailable, 7: video, 8: email, 9: missed"
    )
    author = resolve(spec, message["properties"]["author"])
    assert author["properties"]["id_ambassador"]["format"] == "int32"
    assert author["properties"]["online"]["description"] == (
        "true: when last_action_date is less than 5 minutes ago"
    )
    unprocessable = resolve(
        spec, operation["responses"]["422"]["content"]["application/json"]["schema"]
    )
    assert set(unprocessable["properties"]) == {"message", "errors"}


async def test_interactive_docs_are_served(client: httpx.AsyncClient) -> None:
    response = await client.get("/docs")
    assert response.status_code == 200
    assert "swagger" in response.text.lower()


def resolve(spec: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    if "anyOf" in schema:
        schema = next(s for s in schema["anyOf"] if s.get("type") != "null")
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[1]
        schema = spec["components"]["schemas"][name]
    return schema


def integer_types(spec: dict[str, Any], schema: dict[str, Any]) -> set[str]:
    options = schema.get("anyOf", [schema])
    return {o["type"] for o in options if o.get("type") != "null"}
