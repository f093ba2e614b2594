"""The rater's link: asking for someone else's rating yields a link for the rater, sent to the
brand's webhooks only (its mailer or CRM sends it to the shopper); `GET`/`PUT
/public/ratings/{token}` read and answer that one rating without signing in, with the rules of
`PATCH /chat/ratings/{rating}`, until the link expires or its rating goes."""

from datetime import timedelta
from typing import Any

import httpx
from fastapi import FastAPI

from salon.app import create_app
from salon.clock import utcnow
from salon.config import Settings
from tests.ratings.helpers import ask_rating, asked_with_link, last_rating, say, submit
from tests.support import Person, run_sql
from tests.webhooks.receiver import Receiver

EXPIRED = "This rating link has expired."
WITHDRAWN = "This rating is no longer available."
REPLACED = "A newer rating request replaced this one."
REQUEST_EXPIRED = "This rating request has expired."


async def public(client: httpx.AsyncClient, token: str, body: Any = None) -> httpx.Response:
    if body is None:
        return await client.get(f"/public/ratings/{token}")
    return await client.put(f"/public/ratings/{token}", json=body)


async def test_the_rater_reads_and_rates_through_the_link_without_signing_in(
    client: httpx.AsyncClient, mailer: Receiver, chatroom: int, visitor: Person, ambassador: Person
) -> None:
    message = await asked_with_link(client, mailer, chatroom, ambassador)
    rating, asker = message["rating"], message["author"]
    token = rating["link"]["token"]
    assert token.startswith("slr_")

    read = await public(client, token)
    assert read.status_code == 200, read.text
    page = read.json()
    assert page["rating"]["id_rating"] == rating["id_rating"]
    assert page["rating"]["value"] is None
    assert "link" not in page["rating"]
    assert page["rated"] == {"firstname": asker["firstname"], "image": asker["image"]}
    assert page["brand"]["label"]
    assert page["link_expires_at"] == rating["link"]["expires_at"]

    rated = await public(client, token, {"value": 4, "content": "Thanks, it fits"})
    assert rated.status_code == 200, rated.text
    assert rated.json()["rating"]["value"] == 4
    expected = {"value": 4, "comment": "Thanks, it fits"}
    assert await last_rating(client, chatroom, visitor) == expected
    changed = await public(client, token, {"value": 5})
    assert (changed.json()["rating"]["value"], changed.json()["rating"]["content"]) == (
        5,
        "Thanks, it fits",
    )
    # The same rating as the rater signed in sees it.
    assert (await submit(client, rating["id_rating"], visitor, {"value": 3})).status_code == 200
    assert (await public(client, token)).json()["rating"]["value"] == 3


async def test_no_answer_of_the_api_holds_the_link(
    client: httpx.AsyncClient,
    mailer: Receiver,
    chatroom: int,
    visitor: Person,
    ambassador: Person,
    manager: Person,
) -> None:
    """Not the asker's (the rated ambassador would hold the rater's credential and rate
    themselves), not staff's, not a read, not a list."""
    ids = {"id_user_rated": ambassador.id, "id_user_rater": visitor.id}
    token = (await asked_with_link(client, mailer, chatroom, manager, ids))["rating"]["link"][
        "token"
    ]
    reads = [
        await client.get(f"/chat/chatrooms/{chatroom}/messages", headers=person.headers)
        for person in (visitor, ambassador, manager)
    ]
    reads.append(await client.get("/chat/ratings", headers=manager.headers))
    reads.append(await client.get("/chat/ratings/export", headers=manager.headers))
    for read in reads:
        assert read.status_code == 200
        assert token not in read.text

    # The rater asking (rating at once) needs no link: none is made.
    id_rating = (await public(client, token)).json()["rating"]["id_rating"]
    await client.delete(f"/chat/ratings/{id_rating}", headers=manager.headers)
    await say(client, chatroom, ambassador, "did it fit?")
    body = {"id_user_rated": ambassador.id, "value": 5}
    own = await asked_with_link(client, mailer, chatroom, visitor, body)
    assert "link" not in own["rating"]


async def test_bad_answers_are_refused_as_patch_refuses_them(
    client: httpx.AsyncClient, mailer: Receiver, chatroom: int, ambassador: Person
) -> None:
    token = (await asked_with_link(client, mailer, chatroom, ambassador))["rating"]["link"]["token"]
    for body in ({"value": 6}, {"content": "no score"}, {}):
        refused = await public(client, token, body)
        assert refused.status_code == 422, refused.text
        assert "value" in refused.json()["errors"]
    assert (await public(client, token)).json()["rating"]["value"] is None


async def test_a_link_stops_working_when_it_expires_or_its_rating_goes(
    app: FastAPI,
    client: httpx.AsyncClient,
    mailer: Receiver,
    chatroom: int,
    visitor: Person,
    ambassador: Person,
    manager: Person,
) -> None:
    assert (await public(client, "slr_" + "x" * 43)).status_code == 404
    assert (await public(client, "not a token")).status_code == 422

    async def ask() -> dict[str, Any]:
        rating: dict[str, Any] = (await asked_with_link(client, mailer, chatroom, ambassador))[
            "rating"
        ]
        return rating

    async def age(column: str, id_rating: int, by: timedelta) -> None:
        assert column in ("link_expires_at", "date_insert")
        sql = f"UPDATE rating SET {column} = :when WHERE id_rating = :id"  # noqa: S608
        await run_sql(app, sql, {"when": utcnow() - by, "id": id_rating})

    async def gone(token: str, message: str) -> None:
        for response in (await public(client, token), await public(client, token, {"value": 5})):
            assert (response.status_code, response.json()) == (410, {"message": message})

    first = await ask()
    await age("link_expires_at", first["id_rating"], timedelta(seconds=1))
    await gone(first["link"]["token"], EXPIRED)
    # Signed in, the rater still answers: the request itself has not expired.
    assert (await submit(client, first["id_rating"], visitor, {"value": 2})).status_code == 200

    await client.delete(f"/chat/ratings/{first['id_rating']}", headers=manager.headers)
    second = await ask()
    await client.delete(f"/chat/ratings/{second['id_rating']}", headers=manager.headers)
    await gone(second["link"]["token"], WITHDRAWN)

    third = await ask()
    month = app.state.settings.rating_request_expiry + timedelta(minutes=1)
    await age("date_insert", third["id_rating"], month)
    await gone(third["link"]["token"], REQUEST_EXPIRED)
    fourth = await ask()  # the expired request gives way, and is replaced
    await gone(third["link"]["token"], REPLACED)

    # A disabled rater cannot rate signed in, nor through a link.
    await run_sql(
        app, "UPDATE ambassador SET active = -1 WHERE id_ambassador = :id", {"id": visitor.id}
    )
    await gone(fourth["link"]["token"], WITHDRAWN)


async def test_each_link_and_each_address_has_a_budget(
    settings: Settings, chatroom: int, ambassador: Person
) -> None:
    budget = {"rating_link_attempts_per_minute": 3, "public_requests_per_ip_per_minute": 5}
    app = create_app(settings.model_copy(update=budget))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://salon.test") as http:
            token = "slr_" + "y" * 43  # the budget is spent before the link is looked up
            statuses = [(await public(http, token)).status_code for _ in range(4)]
            assert statuses == [404, 404, 404, 429]
            refused = await public(http, token)
            assert int(refused.headers["retry-after"]) >= 1
            # The address has spent 5 of its 5: another link is refused too.
            assert (await public(http, "slr_other")).status_code == 429


async def test_a_brand_without_webhooks_gets_no_link_made(
    app: FastAPI, client: httpx.AsyncClient, chatroom: int, ambassador: Person
) -> None:
    """Only the brand's webhooks carry the link: with none, nobody could receive it."""
    asked = await ask_rating(client, chatroom, ambassador, {})
    assert asked.status_code == 201, asked.text
    sql = "SELECT link_hash FROM rating WHERE id_rating = :id"
    [(link_hash,)] = await run_sql(app, sql, {"id": asked.json()["rating"]["id_rating"]})
    assert link_hash is None
