"""Malformed requests: always a 4xx in the documented shape, never a 500, nothing written."""

from typing import Any

import httpx
import pytest

from tests.ratings.helpers import ask_rating
from tests.support import Person

BIG = 2**31


@pytest.mark.parametrize(
    ("content", "errors"),
    [
        (b"{bad", {"body": ["The request body must be valid JSON."]}),
        (b'{"id_user_rated": 1,}', {"body": ["The request body must be valid JSON."]}),
        (b"[1, 2]", {"body": ["The request body must be a JSON object."]}),
        (b'"text"', {"body": ["The request body must be a JSON object."]}),
        (b"42", {"body": ["The request body must be a JSON object."]}),
    ],
)
async def test_a_body_that_is_not_a_json_object(
    client: httpx.AsyncClient, chatroom: int, ambassador: Person, content: bytes, errors: Any
) -> None:
    response = await client.post(
        f"/chat/chatrooms/{chatroom}/ratings",
        content=content,
        headers=ambassador.headers | {"Content-Type": "application/json"},
    )
    assert response.status_code == 422
    assert response.json()["errors"] == errors
    await assert_nothing_written(client, chatroom, ambassador)


@pytest.mark.parametrize(
    ("body", "field", "sentence"),
    [
        ({"id_user_rated": "2"}, "id_user_rated", "The id_user_rated field must be an integer."),
        ({"id_user_rater": True}, "id_user_rater", "The id_user_rater field must be an integer."),
        ({"id_user_rater": 2.5}, "id_user_rater", "The id_user_rater field must be an integer."),
        ({"id_user_rater": 2.0}, "id_user_rater", "The id_user_rater field must be an integer."),
        ({"id_user_rater": [2]}, "id_user_rater", "The id_user_rater field must be an integer."),
        ({"id_user_rater": {}}, "id_user_rater", "The id_user_rater field must be an integer."),
        ({"id_user_rater": 0}, "id_user_rater", "The id_user_rater field must be at least 1."),
        ({"id_user_rater": -3}, "id_user_rater", "The id_user_rater field must be at least 1."),
        (
            {"id_user_rater": BIG},
            "id_user_rater",
            "The id_user_rater field must not be greater than 2147483647.",
        ),
        (
            {"id_user_rater": 10**40},
            "id_user_rater",
            "The id_user_rater field must not be greater than 2147483647.",
        ),
        ({"rated": 2}, "rated", "The rated field is not allowed."),
    ],
)
async def test_wrong_field_types_and_ranges(
    client: httpx.AsyncClient,
    chatroom: int,
    ambassador: Person,
    body: dict[str, Any],
    field: str,
    sentence: str,
) -> None:
    response = await ask_rating(client, chatroom, ambassador, body)
    assert response.status_code == 422
    assert response.json() == {"message": sentence, "errors": {field: [sentence]}}
    await assert_nothing_written(client, chatroom, ambassador)


async def test_the_message_counts_the_other_errors(
    client: httpx.AsyncClient, chatroom: int, ambassador: Person
) -> None:
    two = await ask_rating(
        client, chatroom, ambassador, {"id_user_rated": "a", "id_user_rater": "b"}
    )
    assert two.json()["message"] == "The id_user_rated field must be an integer. (and 1 more error)"
    three = await ask_rating(
        client, chatroom, ambassador, {"id_user_rated": "a", "id_user_rater": "b", "x": 1}
    )
    assert three.json()["message"] == (
        "The id_user_rated field must be an integer. (and 2 more errors)"
    )
    assert set(three.json()["errors"]) == {"id_user_rated", "id_user_rater", "x"}


@pytest.mark.parametrize("chatroom_path", ["abc", "0", "-1", "1.5", str(BIG), str(10**30)])
async def test_a_malformed_chatroom_id(
    client: httpx.AsyncClient, ambassador: Person, chatroom_path: str
) -> None:
    response = await client.post(
        f"/chat/chatrooms/{chatroom_path}/ratings", headers=ambassador.headers, json={}
    )
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["chatroom"]


async def test_null_fields_mean_the_defaults(
    client: httpx.AsyncClient, chatroom: int, visitor: Person, ambassador: Person
) -> None:
    body = {"id_user_rated": None, "id_user_rater": None}
    response = await ask_rating(client, chatroom, ambassador, body)
    assert response.status_code == 201
    assert response.json()["rating"]["id_user_rater"] == visitor.id


async def test_no_body_at_all_means_the_defaults(
    client: httpx.AsyncClient, chatroom: int, ambassador: Person
) -> None:
    response = await client.post(f"/chat/chatrooms/{chatroom}/ratings", headers=ambassador.headers)
    assert response.status_code == 201


async def test_unknown_routes_and_methods_answer_in_json(client: httpx.AsyncClient) -> None:
    missing = await client.get("/chat/nowhere")
    assert (missing.status_code, missing.json()) == (404, {"message": "Not found"})
    wrong_method = await client.get("/chat/ratings/1")
    assert (wrong_method.status_code, wrong_method.json()) == (
        405,
        {"message": "Method Not Allowed."},
    )


async def assert_nothing_written(client: httpx.AsyncClient, chatroom: int, caller: Person) -> None:
    room = (await client.get(f"/chat/chatrooms/{chatroom}", headers=caller.headers)).json()
    assert room["last_message_date"] is None
    assert (await ask_rating(client, chatroom, caller, {})).status_code == 201


# Date-times at the ends of the calendar (issue #11): an offset can put a well-formed date-time
# outside what Python represents in UTC (0001-01-01T00:00:00+14:00 is in year 0). Such a bound
# stands for "before everything" or "after everything", and answers 200.


@pytest.mark.parametrize(
    ("before", "listed"),
    [
        ("0001-01-01T00:00:00+14:00", 0),
        ("0001-01-01T00:00:00+01:00", 0),
        ("0001-01-01T00:00:00Z", 0),
        ("9999-12-31T23:59:59-14:00", 1),
        ("9999-12-31T23:59:59.999999Z", 1),
        ("9999-12-31T23:59:59", 1),
    ],
)
async def test_date_time_filters_at_the_ends_of_the_calendar(
    client: httpx.AsyncClient, chatroom: int, ambassador: Person, before: str, listed: int
) -> None:
    posted = await client.post(
        f"/chat/chatrooms/{chatroom}/messages",
        headers=ambassador.headers,
        json={"id_ambassador": ambassador.id, "content": "hi", "type_message": 0},
    )
    assert posted.status_code == 201
    messages = await client.get(
        f"/chat/chatrooms/{chatroom}/messages",
        headers=ambassador.headers,
        params={"filter[sent_before]": before},
    )
    assert messages.status_code == 200, messages.text
    assert messages.json()["total"] == listed
    rooms = await client.get(
        f"/chat/ambassadors/{ambassador.id}/chatrooms",
        headers=ambassador.headers,
        params={"filter[last_action_date_before]": before},
    )
    assert rooms.status_code == 200, rooms.text
    assert rooms.json()["total"] == listed
