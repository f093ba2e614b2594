"""A rating request unanswered for `SALON_RATING_REQUEST_EXPIRY_DAYS` expires: it no longer
blocks a new request of the same rater for the same ambassador, it can no longer be answered,
and reports tell it apart from the pending ones."""

from datetime import timedelta

import httpx
from fastapi import FastAPI

from salon.clock import utcnow
from tests.ratings.helpers import PENDING_EXISTS, ask_rating, pending_request, submit
from tests.support import Person, run_sql

EXPIRED = "The rating request expired: it was not answered within 30 days."


async def asked_at(app: FastAPI, id_rating: int, when: object) -> None:
    """Move a request back in time (the only way to age it within a test)."""
    await run_sql(
        app,
        "UPDATE rating SET date_insert = :when WHERE id_rating = :id",
        {
            "when": when,
            "id": id_rating,
        },
    )


async def statuses(client: httpx.AsyncClient, manager: Person, status: str) -> list[int]:
    response = await client.get(
        "/chat/ratings", headers=manager.headers, params={"filter[status]": status}
    )
    assert response.status_code == 200, response.text
    return [rating["id_rating"] for rating in response.json()["data"]]


async def test_an_unanswered_request_expires_and_gives_way_to_a_new_one(
    app: FastAPI,
    client: httpx.AsyncClient,
    chatroom: int,
    visitor: Person,
    ambassador: Person,
    manager: Person,
) -> None:
    expiry = app.state.settings.rating_request_expiry
    old = await pending_request(client, chatroom, ambassador)

    # A minute before it expires, it still stands in the way, and can still be answered.
    await asked_at(app, old, utcnow() - expiry + timedelta(minutes=1))
    again = await ask_rating(client, chatroom, ambassador, {})
    assert again.status_code == 422
    assert again.json()["errors"] == {"id_user_rater": [PENDING_EXISTS]}
    assert await statuses(client, manager, "pending") == [old]
    assert await statuses(client, manager, "expired") == []

    # Expired: reports say so, the rater can no longer answer it, and it gives way.
    await asked_at(app, old, utcnow() - expiry - timedelta(minutes=1))
    assert await statuses(client, manager, "pending") == []
    assert await statuses(client, manager, "expired") == [old]
    late = await submit(client, old, visitor, {"value": 5})
    assert late.status_code == 422
    assert late.json()["errors"] == {"rating": [EXPIRED]}

    new = await pending_request(client, chatroom, ambassador)
    assert new != old
    assert await statuses(client, manager, "pending") == [new]
    # The expired request is history now (superseded), and the new one is answered.
    assert (await submit(client, new, visitor, {"value": 4})).status_code == 200
    assert await statuses(client, manager, "answered") == [new]
    stats = await client.get(f"/chat/ambassadors/{ambassador.id}/stats", headers=manager.headers)
    assert stats.json()["nb_ratings"] == 1


async def test_an_answered_rating_never_expires(
    app: FastAPI, client: httpx.AsyncClient, chatroom: int, visitor: Person, ambassador: Person
) -> None:
    id_rating = await pending_request(client, chatroom, ambassador)
    assert (await submit(client, id_rating, visitor, {"value": 3})).status_code == 200
    expiry = app.state.settings.rating_request_expiry
    await asked_at(app, id_rating, utcnow() - expiry - timedelta(days=1))
    # Within the edit window of its submission, the rater still changes it.
    assert (await submit(client, id_rating, visitor, {"value": 4})).status_code == 200
