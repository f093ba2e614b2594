"""POST /chat/chatrooms/{chatroom}/ratings: the rules of asking for a rating."""

import httpx
import pytest
from fastapi import FastAPI

from tests.ratings.helpers import (
    RATED_ALREADY,
    ask_rating,
    last_rating,
    pending_request,
    say,
    submit,
)
from tests.support import Person, World, counted_queries

FORBIDDEN = {"message": "Forbidden - You don't have permission to access this route"}


async def test_defaults_rate_the_caller_by_the_other_participant(
    client: httpx.AsyncClient, chatroom: int, visitor: Person, ambassador: Person
) -> None:
    response = await ask_rating(client, chatroom, ambassador)
    assert response.status_code == 201, response.text
    rating = response.json()["rating"]
    assert (rating["id_user_rated"], rating["id_user_rater"]) == (ambassador.id, visitor.id)


async def test_the_rater_may_ask_and_is_then_the_author(
    client: httpx.AsyncClient, chatroom: int, visitor: Person, ambassador: Person
) -> None:
    await say(client, chatroom, ambassador, "Hello, how can I help?")
    response = await ask_rating(client, chatroom, visitor, {"id_user_rated": ambassador.id})
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["author"]["id_ambassador"] == visitor.id
    assert body["rating"]["id_user_rater"] == visitor.id


async def test_staff_outside_the_chatroom_may_ask_and_the_rated_is_the_author(
    client: httpx.AsyncClient, chatroom: int, visitor: Person, ambassador: Person, manager: Person
) -> None:
    body = {"id_user_rated": ambassador.id, "id_user_rater": visitor.id}
    response = await ask_rating(client, chatroom, manager, body)
    assert response.status_code == 201, response.text
    assert response.json()["author"]["id_ambassador"] == ambassador.id


async def test_staff_outside_the_chatroom_cannot_default_to_being_rated(
    client: httpx.AsyncClient, chatroom: int, manager: Person
) -> None:
    response = await ask_rating(client, chatroom, manager, {})
    assert response.status_code == 422
    assert "id_user_rated" in response.json()["errors"]


async def test_a_non_participant_is_forbidden(
    client: httpx.AsyncClient,
    world: World,
    brand: int,
    chatroom: int,
    visitor: Person,
    ambassador: Person,
) -> None:
    outsider = await world.person(brand, status=0)
    body = {"id_user_rated": ambassador.id, "id_user_rater": visitor.id}
    response = await ask_rating(client, chatroom, outsider, body)
    assert response.status_code == 403
    assert response.json() == FORBIDDEN


async def test_a_participant_neither_rater_nor_rated_is_forbidden(
    client: httpx.AsyncClient, world: World, brand: int, visitor: Person, ambassador: Person
) -> None:
    third = await world.person(brand, status=0)
    group = await world.chatroom(visitor, ambassador, third)
    body = {"id_user_rated": ambassador.id, "id_user_rater": visitor.id}
    response = await ask_rating(client, group, third, body)
    assert response.status_code == 403


async def test_in_a_group_the_rater_must_be_named(
    client: httpx.AsyncClient, world: World, brand: int, visitor: Person, ambassador: Person
) -> None:
    third = await world.person(brand, status=0)
    group = await world.chatroom(visitor, ambassador, third)
    response = await ask_rating(client, group, ambassador, {})
    assert response.status_code == 422
    assert response.json()["errors"] == {
        "id_user_rater": ["The id_user_rater field is required unless the chatroom is one-to-one."]
    }
    named = await ask_rating(client, group, ambassador, {"id_user_rater": third.id})
    assert named.status_code == 201


@pytest.mark.parametrize("field", ["id_user_rater", "id_user_rated"])
async def test_rater_and_rated_must_be_participants(
    client: httpx.AsyncClient,
    world: World,
    brand: int,
    chatroom: int,
    visitor: Person,
    ambassador: Person,
    field: str,
) -> None:
    outsider = await world.person(brand, status=0)
    body = {"id_user_rated": ambassador.id, "id_user_rater": visitor.id, field: outsider.id}
    response = await ask_rating(client, chatroom, ambassador, body)
    assert response.status_code == 422
    assert response.json()["errors"][field] == [
        f"The selected {field} is not a participant of this chatroom."
    ]


async def test_rater_and_rated_must_differ(
    client: httpx.AsyncClient, chatroom: int, ambassador: Person
) -> None:
    body = {"id_user_rated": ambassador.id, "id_user_rater": ambassador.id}
    response = await ask_rating(client, chatroom, ambassador, body)
    assert response.status_code == 422
    assert response.json() == {
        "message": "The id_user_rater and id_user_rated fields must be different.",
        "errors": {
            "id_user_rater": ["The id_user_rater and id_user_rated fields must be different."]
        },
    }


async def test_an_unknown_chatroom_is_not_found(
    client: httpx.AsyncClient, chatroom: int, ambassador: Person
) -> None:
    response = await ask_rating(client, chatroom + 1000, ambassador)
    assert response.status_code == 404
    assert response.json() == {"message": "Not found - The chatroom does not exist"}


async def test_a_chatroom_of_another_brand_is_not_found(
    client: httpx.AsyncClient, world: World, chatroom: int, visitor: Person, ambassador: Person
) -> None:
    other_brand = await world.brand()
    stranger = await world.person(other_brand, status=5)
    body = {"id_user_rated": ambassador.id, "id_user_rater": visitor.id}
    response = await ask_rating(client, chatroom, stranger, body)
    assert response.status_code == 404
    assert response.json() == {"message": "Not found - The chatroom does not exist"}


async def test_one_pending_request_per_rater_and_rated(
    client: httpx.AsyncClient, chatroom: int, visitor: Person, ambassador: Person
) -> None:
    id_rating = await pending_request(client, chatroom, ambassador)
    second = await ask_rating(client, chatroom, ambassador, {})
    assert second.status_code == 422
    assert second.json()["errors"] == {
        "id_user_rater": [
            "A rating request from this rater for this ambassador is already pending."
        ]
    }
    # The other direction is another request (the visitor asks to be rated: no rule on it).
    assert (await ask_rating(client, chatroom, visitor, {})).status_code == 201
    # Once answered, the same question needs a new exchange (tests/ratings/test_voices.py).
    assert (await submit(client, id_rating, visitor, {"value": 4})).status_code == 200
    again = await ask_rating(client, chatroom, ambassador, {})
    assert again.status_code == 422
    assert again.json()["errors"] == {"id_user_rater": [RATED_ALREADY]}
    await say(client, chatroom, visitor, "One more question")
    await say(client, chatroom, ambassador, "Sure")
    assert (await ask_rating(client, chatroom, ambassador, {})).status_code == 201


async def test_the_rater_may_rate_at_once(
    client: httpx.AsyncClient, chatroom: int, visitor: Person, ambassador: Person
) -> None:
    await say(client, chatroom, ambassador, "Hello, how can I help?")
    body = {"id_user_rated": ambassador.id, "value": 5, "content": "bien"}
    response = await ask_rating(client, chatroom, visitor, body)
    assert response.status_code == 201, response.text
    rating = response.json()["rating"]
    assert (rating["value"], rating["content"]) == (5, "bien")
    assert await last_rating(client, chatroom, visitor) == {"value": 5, "comment": "bien"}
    # A rating given at once is the rater's voice: asking again needs a new exchange.
    again = await ask_rating(client, chatroom, ambassador, {})
    assert again.status_code == 422
    assert again.json()["errors"] == {"id_user_rater": [RATED_ALREADY]}


@pytest.mark.parametrize("field", ["value", "content"])
async def test_only_the_rater_may_send_a_score(
    client: httpx.AsyncClient, chatroom: int, ambassador: Person, field: str
) -> None:
    body = {field: 5 if field == "value" else "great"}
    response = await ask_rating(client, chatroom, ambassador, body)
    assert response.status_code == 422
    assert response.json()["errors"] == {
        field: [f"Only the rater (id_user_rater) can send the {field} field."]
    }


async def test_content_needs_a_value(
    client: httpx.AsyncClient, chatroom: int, visitor: Person, ambassador: Person
) -> None:
    body = {"id_user_rated": ambassador.id, "content": "great"}
    response = await ask_rating(client, chatroom, visitor, body)
    assert response.status_code == 422
    assert "value" in response.json()["errors"]


async def test_asking_moves_the_chatrooms_last_message_date(
    client: httpx.AsyncClient, chatroom: int, ambassador: Person
) -> None:
    before = (await client.get(f"/chat/chatrooms/{chatroom}", headers=ambassador.headers)).json()
    assert before["last_message_date"] is None
    response = await ask_rating(client, chatroom, ambassador)
    after = (await client.get(f"/chat/chatrooms/{chatroom}", headers=ambassador.headers)).json()
    assert after["last_message_date"] == response.json()["date_insert"]
    assert after["last_rating"] is None  # a request is not a rating


async def test_brand_header_must_name_the_tokens_brand(
    client: httpx.AsyncClient, chatroom: int, ambassador: Person
) -> None:
    wrong = await ask_rating(
        client, chatroom, ambassador, {}, **{"X-Popsell-Brand": str(ambassador.id_brand + 1)}
    )
    assert wrong.status_code == 403
    assert wrong.json() == FORBIDDEN
    right = await ask_rating(
        client, chatroom, ambassador, {}, **{"X-Popsell-Brand": str(ambassador.id_brand)}
    )
    assert right.status_code == 201


async def test_rating_a_chatroom_costs_six_statements(
    app: FastAPI,
    client: httpx.AsyncClient,
    world: World,
    chatroom: int,
    visitor: Person,
    ambassador: Person,
) -> None:
    """The hot route's statement count: a regression (an N+1, a stray flush) fails here."""
    # Warm-up: each caller's first request also refreshes its last_action_date.
    await say(client, chatroom, ambassador)
    await say(client, chatroom, visitor)
    with counted_queries(app) as rated:
        body = {"id_user_rated": ambassador.id, "value": 5}
        assert (await ask_rating(client, chatroom, visitor, body)).status_code == 201
    # token + caller (and whether the brand has a webhook endpoint: none), chatroom with
    # participants, the rater's standing (open rating, who spoke), INSERT message, INSERT
    # rating, UPDATE chatroom
    assert len(rated) == 6, "\n".join(rated)
    other = await world.chatroom(visitor, ambassador)
    with counted_queries(app) as asked:
        assert (await ask_rating(client, other, ambassador)).status_code == 201
    assert len(asked) == 6, "\n".join(asked)
