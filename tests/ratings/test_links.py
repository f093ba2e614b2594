"""The rater's link: asking for someone else's rating yields a link for the rater, shown once
to the asker; `GET`/`PUT /public/ratings/{token}` read and answer that one rating without
signing in, with the rules of `PATCH /chat/ratings/{rating}`, until the link expires or its
rating is deleted or replaced."""

from datetime import timedelta
from typing import Any

import httpx
from fastapi import FastAPI

from salon.app import create_app
from salon.clock import utcnow
from salon.config import Settings
from tests.ratings.helpers import ask_rating, last_rating, say, submit
from tests.support import Person, run_sql

EXPIRED = "This rating link has expired."
WITHDRAWN = "This rating was withdrawn."
REPLACED = "A newer rating request replaced this one."


async def asked_with_link(
    client: httpx.AsyncClient, chatroom: int, asker: Person, body: Any = None
) -> dict[str, Any]:
    response = await ask_rating(client, chatroom, asker, body if body is not None else {})
    assert response.status_code == 201, response.text
    rating: dict[str, Any] = response.json()["rating"]
    return rating


async def public(client: httpx.AsyncClient, token: str, body: Any = None) -> httpx.Response:
    if body is None:
        return await client.get(f"/public/ratings/{token}")
    return await client.put(f"/public/ratings/{token}", json=body)


async def test_the_rater_reads_and_rates_through_the_link_without_signing_in(
    client: httpx.AsyncClient, chatroom: int, visitor: Person, ambassador: Person, brand: int
) -> None:
    asked = await ask_rating(client, chatroom, ambassador, {})
    assert asked.status_code == 201, asked.text
    rating, asker = asked.json()["rating"], asked.json()["author"]
    token = rating["link"]["token"]
    assert token.startswith("slr_")

    read = await public(client, token)
    assert read.status_code == 200, read.text
    page = read.json()
    assert page["rating"]["id_rating"] == rating["id_rating"]
    assert page["rating"]["value"] is None
    assert "link" not in page["rating"]  # shown once, to the asker
    assert page["rated"] == {"firstname": asker["firstname"], "image": asker["image"]}
    assert page["brand"]["label"]
    assert page["link_expires_at"] == rating["link"]["expires_at"]

    rated = await public(client, token, {"value": 4, "content": "Thanks, it fits"})
    assert rated.status_code == 200, rated.text
    assert rated.json()["rating"]["value"] == 4
    assert await last_rating(client, chatroom, visitor) == {
        "value": 4,
        "comment": "Thanks, it fits",
    }
    # The same rating as the rater signed in sees it, changed the same way.
    changed = await public(client, token, {"value": 5})
    assert changed.json()["rating"] == {
        **changed.json()["rating"],
        "value": 5,
        "content": "Thanks, it fits",
    }
    again = await submit(client, rating["id_rating"], visitor, {"value": 3})
    assert again.status_code == 200


async def test_only_the_asker_sees_the_link_once(
    client: httpx.AsyncClient,
    chatroom: int,
    visitor: Person,
    ambassador: Person,
    manager: Person,
) -> None:
    by_staff = await asked_with_link(
        client, chatroom, manager, {"id_user_rated": ambassador.id, "id_user_rater": visitor.id}
    )
    assert by_staff["link"]["token"].startswith("slr_")
    # Nowhere else: the message, the chatroom's messages, the reports.
    message = await client.get(f"/chat/chatrooms/{chatroom}/messages", headers=visitor.headers)
    listed = await client.get("/chat/ratings", headers=manager.headers)
    assert by_staff["link"]["token"] not in message.text + listed.text

    # The rater asking (rating at once) needs no link and gets none.
    await client.delete(f"/chat/ratings/{by_staff['id_rating']}", headers=manager.headers)
    await say(client, chatroom, ambassador, "did it fit?")
    own = await asked_with_link(
        client, chatroom, visitor, {"id_user_rated": ambassador.id, "value": 5}
    )
    assert "link" not in own


async def test_bad_answers_are_refused_as_patch_refuses_them(
    client: httpx.AsyncClient, chatroom: int, ambassador: Person
) -> None:
    token = (await asked_with_link(client, chatroom, ambassador))["link"]["token"]
    for body, field in (({"value": 6}, "value"), ({"content": "no score"}, "value"), ({}, "value")):
        refused = await public(client, token, body)
        assert refused.status_code == 422, refused.text
        assert field in refused.json()["errors"]
    assert (await public(client, token)).json()["rating"]["value"] is None


async def test_a_link_stops_working_when_it_expires_or_its_rating_goes(
    app: FastAPI,
    client: httpx.AsyncClient,
    chatroom: int,
    visitor: Person,
    ambassador: Person,
    manager: Person,
) -> None:
    unknown = await public(client, "slr_" + "x" * 43)
    assert unknown.status_code == 404
    assert (await public(client, "not a token")).status_code == 422

    rating = await asked_with_link(client, chatroom, ambassador)
    token = rating["link"]["token"]
    sql = "UPDATE rating SET link_expires_at = :when WHERE id_rating = :id"
    await run_sql(app, sql, {"when": utcnow() - timedelta(seconds=1), "id": rating["id_rating"]})
    for response in (await public(client, token), await public(client, token, {"value": 5})):
        assert response.status_code == 410
        assert response.json() == {"message": EXPIRED}
    # Signed in, the rater still answers (the request itself has not expired).
    assert (await submit(client, rating["id_rating"], visitor, {"value": 2})).status_code == 200

    await client.delete(f"/chat/ratings/{rating['id_rating']}", headers=manager.headers)
    second = await asked_with_link(client, chatroom, ambassador)
    await client.delete(f"/chat/ratings/{second['id_rating']}", headers=manager.headers)
    assert (await public(client, second["link"]["token"])).json() == {"message": WITHDRAWN}

    third = await asked_with_link(client, chatroom, ambassador)
    # Unanswered for a month, it expires and a new request replaces it.
    month = app.state.settings.rating_request_expiry + timedelta(minutes=1)
    sql = "UPDATE rating SET date_insert = :when WHERE id_rating = :id"
    await run_sql(app, sql, {"when": utcnow() - month, "id": third["id_rating"]})
    await asked_with_link(client, chatroom, ambassador)
    gone = await public(client, third["link"]["token"], {"value": 5})
    assert (gone.status_code, gone.json()) == (410, {"message": REPLACED})


async def test_each_link_and_each_address_has_a_budget(
    settings: Settings, chatroom: int, ambassador: Person
) -> None:
    app = create_app(
        settings.model_copy(
            update={"rating_link_attempts_per_minute": 3, "public_requests_per_ip_per_minute": 5}
        )
    )
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://salon.test") as http:
            first = (await asked_with_link(http, chatroom, ambassador))["link"]["token"]
            statuses = [(await public(http, first)).status_code for _ in range(4)]
            assert statuses == [200, 200, 200, 429]
            refused = await public(http, first)
            assert int(refused.headers["retry-after"]) >= 1
            # The address has spent 5 of its 5: another link is refused too.
            assert (await public(http, "slr_other")).status_code == 429
