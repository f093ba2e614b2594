"""PATCH and DELETE /chat/ratings/{rating}, and the chatroom's last_rating."""

from datetime import timedelta

import httpx
import pytest
from fastapi import FastAPI

from salon.clock import utcnow
from tests.ratings.helpers import ask_rating, last_rating, pending_request, submit
from tests.support import Person, World, run_sql


async def test_the_rater_submits_a_score(
    client: httpx.AsyncClient, chatroom: int, visitor: Person, ambassador: Person
) -> None:
    id_rating = await pending_request(client, chatroom, ambassador)
    response = await submit(client, id_rating, visitor, {"value": 4, "content": "Great help"})
    assert response.status_code == 200, response.text
    rating = response.json()
    assert rating["id_rating"] == id_rating
    assert (rating["value"], rating["content"]) == (4, "Great help")
    assert rating["date_update"] > rating["date_insert"]
    assert rating["date_delete"] is None
    assert await last_rating(client, chatroom, ambassador) == {"value": 4, "comment": "Great help"}


async def test_zero_is_a_score(
    client: httpx.AsyncClient, chatroom: int, visitor: Person, ambassador: Person
) -> None:
    id_rating = await pending_request(client, chatroom, ambassador)
    assert (await submit(client, id_rating, visitor, {"value": 0})).json()["value"] == 0
    assert await last_rating(client, chatroom, ambassador) == {"value": 0, "comment": None}


@pytest.mark.parametrize("role", ["rated", "manager"])
async def test_only_the_rater_may_submit(
    client: httpx.AsyncClient, chatroom: int, ambassador: Person, manager: Person, role: str
) -> None:
    id_rating = await pending_request(client, chatroom, ambassador)
    caller = ambassador if role == "rated" else manager
    response = await submit(client, id_rating, caller, {"value": 5})
    assert response.status_code == 403


async def test_unknown_and_foreign_ratings_are_not_found(
    client: httpx.AsyncClient, world: World, chatroom: int, ambassador: Person
) -> None:
    id_rating = await pending_request(client, chatroom, ambassador)
    stranger = await world.person(await world.brand(), status=0)
    for caller, target in ((ambassador, id_rating + 1000), (stranger, id_rating)):
        response = await submit(client, target, caller, {"value": 5})
        assert response.status_code == 404
        assert response.json() == {"message": "Not found - The rating does not exist"}


@pytest.mark.parametrize(
    ("body", "field", "sentence"),
    [
        ({}, "value", "The value field is required."),
        ({"content": "no score"}, "value", "The value field is required."),
        ({"value": None}, "value", "The value field is required."),
        ({"value": 6}, "value", "The value field must not be greater than 5."),
        ({"value": -1}, "value", "The value field must be at least 0."),
        ({"value": "5"}, "value", "The value field must be an integer."),
        ({"value": 4.5}, "value", "The value field must be an integer."),
        ({"value": True}, "value", "The value field must be an integer."),
        ({"value": 5, "content": 12}, "content", "The content field must be a string."),
        (
            {"value": 5, "content": "x" * 2001},
            "content",
            "The content field must not be greater than 2000 characters.",
        ),
        ({"value": 5, "score": 5}, "score", "The score field is not allowed."),
    ],
)
async def test_invalid_submissions_are_refused_and_change_nothing(
    client: httpx.AsyncClient,
    chatroom: int,
    visitor: Person,
    ambassador: Person,
    body: dict[str, object],
    field: str,
    sentence: str,
) -> None:
    id_rating = await pending_request(client, chatroom, ambassador)
    response = await submit(client, id_rating, visitor, body)
    assert response.status_code == 422
    assert response.json()["errors"][field] == [sentence]
    assert await last_rating(client, chatroom, ambassador) is None
    # Still pending: a second request is refused.
    assert (await ask_rating(client, chatroom, ambassador, {})).status_code == 422


async def test_a_comment_is_exactly_2000_characters_at_most(
    client: httpx.AsyncClient, chatroom: int, visitor: Person, ambassador: Person
) -> None:
    id_rating = await pending_request(client, chatroom, ambassador)
    comment = "é" * 2000
    response = await submit(client, id_rating, visitor, {"value": 3, "content": comment})
    assert response.status_code == 200
    assert response.json()["content"] == comment


async def test_the_rater_changes_the_score_or_only_the_comment(
    client: httpx.AsyncClient, chatroom: int, visitor: Person, ambassador: Person
) -> None:
    id_rating = await pending_request(client, chatroom, ambassador)
    await submit(client, id_rating, visitor, {"value": 2, "content": "meh"})
    changed = await submit(client, id_rating, visitor, {"value": 5})
    assert (changed.json()["value"], changed.json()["content"]) == (5, "meh")
    commented = await submit(client, id_rating, visitor, {"content": "great after all"})
    assert (commented.json()["value"], commented.json()["content"]) == (5, "great after all")
    cleared = await submit(client, id_rating, visitor, {"content": None})
    assert cleared.json()["content"] is None
    assert await last_rating(client, chatroom, visitor) == {"value": 5, "comment": None}


async def test_editing_closes_after_the_window(
    app: FastAPI, client: httpx.AsyncClient, chatroom: int, visitor: Person, ambassador: Person
) -> None:
    id_rating = await pending_request(client, chatroom, ambassador)
    await submit(client, id_rating, visitor, {"value": 2})
    window = app.state.settings.rating_edit_window
    await set_first_submission(app, id_rating, utcnow() - window + timedelta(minutes=1))
    assert (await submit(client, id_rating, visitor, {"value": 3})).status_code == 200

    await set_first_submission(app, id_rating, utcnow() - window - timedelta(minutes=1))
    response = await submit(client, id_rating, visitor, {"value": 4})
    assert response.status_code == 422
    assert response.json()["errors"] == {
        "rating": ["The rating can no longer be changed: it was submitted over 14 days ago."]
    }
    assert await last_rating(client, chatroom, visitor) == {"value": 3, "comment": None}


async def set_first_submission(app: FastAPI, id_rating: int, when: object) -> None:
    """Move the clock of one rating back (the only way to age it within a test)."""
    sql = "UPDATE rating SET date_rated = :when WHERE id_rating = :id"
    await run_sql(app, sql, {"when": when, "id": id_rating})


async def test_last_rating_is_the_latest_submission(
    client: httpx.AsyncClient, world: World, brand: int, visitor: Person, ambassador: Person
) -> None:
    third = await world.person(brand, status=0)
    group = await world.chatroom(visitor, ambassador, third)
    first = await pending_request(client, group, ambassador, {"id_user_rater": visitor.id})
    second = await pending_request(client, group, third, {"id_user_rater": visitor.id})
    assert await last_rating(client, group, visitor) is None

    await submit(client, second, visitor, {"value": 2, "content": "second"})
    await submit(client, first, visitor, {"value": 5, "content": "first"})
    assert await last_rating(client, group, visitor) == {"value": 5, "comment": "first"}
    # Changing the older rating makes it the latest submission again.
    await submit(client, second, visitor, {"value": 1})
    assert await last_rating(client, group, visitor) == {"value": 1, "comment": "second"}


async def test_staff_soft_delete_and_last_rating_falls_back(
    client: httpx.AsyncClient,
    world: World,
    brand: int,
    visitor: Person,
    ambassador: Person,
    manager: Person,
) -> None:
    third = await world.person(brand, status=0)
    group = await world.chatroom(visitor, ambassador, third)
    older = await pending_request(client, group, ambassador, {"id_user_rater": visitor.id})
    newer = await pending_request(client, group, third, {"id_user_rater": visitor.id})
    await submit(client, older, visitor, {"value": 4, "content": "older"})
    await submit(client, newer, visitor, {"value": 1, "content": "newer"})

    response = await client.delete(f"/chat/ratings/{newer}", headers=manager.headers)
    assert response.status_code == 200, response.text
    assert response.json()["id_rating"] == newer
    assert response.json()["date_delete"] is not None
    assert await last_rating(client, group, visitor) == {"value": 4, "comment": "older"}

    # Gone: neither editable nor deletable again.
    assert (await submit(client, newer, visitor, {"value": 5})).status_code == 404
    again = await client.delete(f"/chat/ratings/{newer}", headers=manager.headers)
    assert again.status_code == 404

    await client.delete(f"/chat/ratings/{older}", headers=manager.headers)
    assert await last_rating(client, group, visitor) is None


async def test_a_deleted_pending_request_frees_the_pair(
    client: httpx.AsyncClient, chatroom: int, ambassador: Person, manager: Person
) -> None:
    id_rating = await pending_request(client, chatroom, ambassador)
    await client.delete(f"/chat/ratings/{id_rating}", headers=manager.headers)
    assert (await ask_rating(client, chatroom, ambassador, {})).status_code == 201


@pytest.mark.parametrize("role", ["rater", "rated"])
async def test_only_staff_may_delete(
    client: httpx.AsyncClient, chatroom: int, visitor: Person, ambassador: Person, role: str
) -> None:
    id_rating = await pending_request(client, chatroom, ambassador)
    caller = visitor if role == "rater" else ambassador
    response = await client.delete(f"/chat/ratings/{id_rating}", headers=caller.headers)
    assert response.status_code == 403


async def test_staff_of_another_brand_cannot_delete(
    client: httpx.AsyncClient, world: World, chatroom: int, ambassador: Person
) -> None:
    id_rating = await pending_request(client, chatroom, ambassador)
    foreign_manager = await world.person(await world.brand(), status=5)
    response = await client.delete(f"/chat/ratings/{id_rating}", headers=foreign_manager.headers)
    assert response.status_code == 404
