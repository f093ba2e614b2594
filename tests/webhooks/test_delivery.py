"""Deliveries to a real HTTP receiver on 127.0.0.1, through the app's own worker: signed so the
reference `standardwebhooks` library verifies them, retried, final on a 4xx, written with the
change (a rolled-back change sends nothing)."""

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from salon.db.database import Database
from salon.db.query import Query
from tests.ratings.helpers import ask_rating, say, submit
from tests.support import Person, World, run_sql
from tests.webhooks.receiver import Receiver, receiving


@pytest.fixture
async def receiver(app: FastAPI) -> AsyncIterator[Receiver]:
    with receiving() as running:
        yield running
        # Every attempt settled before the tables are emptied: a late outcome must not land
        # on the next test's rows (their ids start again from 1).
        dispatcher = app.state.webhooks
        while not dispatcher.idle:  # noqa: ASYNC110 (a property, not an event)
            await asyncio.sleep(0.02)


async def register(
    client: httpx.AsyncClient, manager: Person, url: str, **fields: Any
) -> dict[str, Any]:
    response = await client.post(
        "/manager/webhooks", headers=manager.headers, json={"url": url, **fields}
    )
    assert response.status_code == 201, response.text
    endpoint: dict[str, Any] = response.json()
    return endpoint


async def deliveries(
    client: httpx.AsyncClient, manager: Person, id_webhook: int, query: str = ""
) -> list[dict[str, Any]]:
    response = await client.get(
        f"/manager/webhooks/{id_webhook}/deliveries{query}", headers=manager.headers
    )
    assert response.status_code == 200, response.text
    found: list[dict[str, Any]] = response.json()["data"]
    return found


async def delivery_detail(
    client: httpx.AsyncClient, manager: Person, delivery: dict[str, Any]
) -> dict[str, Any]:
    """A delivery (as listed, or as a route answered it) with its payload and attempts."""
    response = await client.get(
        f"/manager/webhooks/{delivery['id_webhook']}/deliveries/{delivery['id_delivery']}",
        headers=manager.headers,
    )
    assert response.status_code == 200, response.text
    detail: dict[str, Any] = response.json()
    return detail


async def rated(
    client: httpx.AsyncClient, chatroom: int, visitor: Person, ambassador: Person, value: int
) -> dict[str, Any]:
    """The ambassador answers, asks the visitor for a rating, and the visitor gives `value`."""
    await say(client, chatroom, ambassador, "how can I help?")
    asked = await ask_rating(client, chatroom, ambassador, {})
    assert asked.status_code == 201, asked.text
    response = await submit(client, asked.json()["rating"]["id_rating"], visitor, {"value": value})
    assert response.status_code == 200, response.text
    rating: dict[str, Any] = response.json()
    return rating


async def test_a_submitted_rating_is_delivered_once_and_verifies(
    client: httpx.AsyncClient,
    receiver: Receiver,
    manager: Person,
    visitor: Person,
    ambassador: Person,
    chatroom: int,
) -> None:
    endpoint = await register(client, manager, receiver.url, event_types=["rating.submitted"])
    rating = await rated(client, chatroom, visitor, ambassador, 2)

    [received] = await receiver.wait_for(1)
    assert await receiver.quiet() == [received], "delivered once"
    # The reference library verifies the signature with the secret the API gave out.
    payload = Webhook(endpoint["secret"]).verify(received.body, received.headers)
    assert payload["type"] == "rating.submitted"
    assert payload["data"] == rating  # the object PATCH answered
    assert received.headers["content-type"] == "application/json"
    # Another secret does not verify it.
    other = await register(client, manager, receiver.url)
    with pytest.raises(WebhookVerificationError):
        Webhook(other["secret"]).verify(received.body, received.headers)

    [delivery] = await deliveries(client, manager, endpoint["id_webhook"])
    assert delivery["status"] == "delivered"
    assert delivery["event_id"] == received.event_id
    assert delivery["nb_attempts"] == 1
    detail = await delivery_detail(client, manager, delivery)
    assert detail["payload"] == payload
    [attempt] = detail["attempts"]
    assert attempt["status_code"] == 200
    assert attempt["response_excerpt"] == '{"ok": true}'


async def test_every_event_type_reaches_an_endpoint_that_wants_it(
    client: httpx.AsyncClient,
    receiver: Receiver,
    manager: Person,
    visitor: Person,
    ambassador: Person,
) -> None:
    await register(client, manager, receiver.url)  # every type by default
    opened = await client.post(
        "/chat/chatrooms",
        headers=visitor.headers,
        json={"ids_ambassadors": [visitor.id, ambassador.id], "source": 0},
    )
    assert opened.status_code == 201, opened.text
    chatroom = opened.json()["id_chatroom"]
    rating = await rated(client, chatroom, visitor, ambassador, 4)
    changed = await submit(client, rating["id_rating"], visitor, {"value": 5})
    deleted = await client.delete(f"/chat/ratings/{rating['id_rating']}", headers=manager.headers)
    assert changed.status_code == 200
    assert deleted.status_code == 200

    await receiver.wait_for(7)
    # Attempts run side by side (up to 4 per endpoint): receivers order by `timestamp`.
    received = sorted(await receiver.quiet(), key=lambda r: r.json["timestamp"])
    by_type = {r.json["type"]: r.json["data"] for r in received}
    assert sorted(r.json["type"] for r in received) == sorted(
        [
            "chatroom.created",
            "message.created",  # the ambassador's text
            "message.created",  # the rating request is a message...
            "rating.requested",  # ...and a request
            "rating.submitted",
            "rating.changed",
            "rating.deleted",
        ]
    )
    assert received[0].json["type"] == "chatroom.created"
    assert by_type["chatroom.created"]["id_chatroom"] == chatroom
    assert by_type["rating.requested"]["rating"]["id_rating"] == rating["id_rating"]
    # The rater's link goes to the brand's systems with the request, for a mailer or a CRM,
    # and only with it: not with the message that carries the same rating.
    token = by_type["rating.requested"]["rating"]["link"]["token"]
    assert token.startswith("slr_")
    messages = [r.json["data"] for r in received if r.json["type"] == "message.created"]
    assert all("link" not in (m["rating"] or {}) for m in messages)
    # Staff reading the delivery do not see the token: it is the rater's credential.
    endpoint = (await client.get("/manager/webhooks", headers=manager.headers)).json()["data"][0]
    listed = await deliveries(
        client, manager, endpoint["id_webhook"], "?filter[event_type]=rating.requested"
    )
    detail = await delivery_detail(client, manager, listed[0])
    assert detail["payload"]["data"]["rating"]["link"]["token"] == "(hidden)"
    assert token not in str(detail)
    assert by_type["rating.changed"]["value"] == 5
    assert by_type["rating.deleted"]["date_delete"] is not None
    assert len({r.event_id for r in received}) == 7


async def test_a_rating_filter_sends_only_the_scores_it_asks_for(
    client: httpx.AsyncClient,
    receiver: Receiver,
    manager: Person,
    visitor: Person,
    ambassador: Person,
    chatroom: int,
) -> None:
    await register(
        client,
        manager,
        receiver.url,
        event_types=["rating.submitted", "rating.changed"],
        rating_value_max=2,
    )
    rating = await rated(client, chatroom, visitor, ambassador, 5)
    assert (await submit(client, rating["id_rating"], visitor, {"value": 1})).status_code == 200
    [low] = await receiver.wait_for(1)
    assert await receiver.quiet() == [low]
    assert (low.json["type"], low.json["data"]["value"]) == ("rating.changed", 1)


async def test_500_twice_then_200_is_delivered_on_the_third_attempt(
    client: httpx.AsyncClient,
    receiver: Receiver,
    manager: Person,
    visitor: Person,
    ambassador: Person,
    chatroom: int,
) -> None:
    receiver.answers = [500, 500]
    endpoint = await register(client, manager, receiver.url, event_types=["message.created"])
    await say(client, chatroom, ambassador, "hello")
    received = await receiver.wait_for(3)
    assert await receiver.quiet() == received
    assert len({r.event_id for r in received}) == 1, "one event, three attempts"
    assert len({r.headers["webhook-signature"] for r in received}) >= 1

    [delivery] = await deliveries(client, manager, endpoint["id_webhook"])
    assert (delivery["status"], delivery["nb_attempts"]) == ("delivered", 3)
    detail = await delivery_detail(client, manager, delivery)
    assert [a["status_code"] for a in detail["attempts"]] == [500, 500, 200]
    endpoint_now = await client.get(
        f"/manager/webhooks/{endpoint['id_webhook']}", headers=manager.headers
    )
    assert endpoint_now.json()["failing_since"] is None  # healthy again


async def test_a_4xx_is_final_and_a_redelivery_sends_it_again(
    client: httpx.AsyncClient,
    receiver: Receiver,
    manager: Person,
    ambassador: Person,
    chatroom: int,
) -> None:
    receiver.answers = [400]
    endpoint = await register(client, manager, receiver.url, event_types=["message.created"])
    await say(client, chatroom, ambassador, "hello")
    [first] = await receiver.wait_for(1)
    assert await receiver.quiet() == [first], "a 400 is not retried"
    [delivery] = await deliveries(client, manager, endpoint["id_webhook"], "?filter[status]=failed")
    assert (delivery["last_status_code"], delivery["last_error"]) == (400, "HTTP 400")
    assert delivery["date_done"] is not None

    again = await client.post(
        f"/manager/webhooks/{endpoint['id_webhook']}/deliveries/{delivery['id_delivery']}"
        "/redeliver",
        headers=manager.headers,
    )
    assert again.status_code == 202, again.text
    assert again.json()["status"] == "pending"
    [_, second] = await receiver.wait_for(2)
    assert second.event_id == first.event_id  # the same webhook-id: receivers can tell
    [redelivered] = await deliveries(client, manager, endpoint["id_webhook"])
    assert (redelivered["status"], redelivered["nb_attempts"]) == ("delivered", 2)


async def test_retries_run_out_and_an_endpoint_that_keeps_failing_is_disabled(
    app: FastAPI,
    client: httpx.AsyncClient,
    receiver: Receiver,
    manager: Person,
    ambassador: Person,
    chatroom: int,
) -> None:
    receiver.default = 503
    endpoint = await register(client, manager, receiver.url, event_types=["message.created"])
    # Failing since long enough ago that the next failure disables it.
    await run_sql(
        app,
        "UPDATE webhook_endpoint SET failing_since = :since WHERE id_webhook = :id",
        {"since": _days_ago(4), "id": endpoint["id_webhook"]},
    )
    await say(client, chatroom, ambassador, "hello")
    [attempt] = await receiver.wait_for(1)
    assert await receiver.quiet() == [attempt], "a disabled endpoint gets no more attempts"
    found = (
        await client.get(f"/manager/webhooks/{endpoint['id_webhook']}", headers=manager.headers)
    ).json()
    assert found["enabled"] is False
    assert "HTTP 503" in found["disabled_reason"]
    [delivery] = await deliveries(client, manager, endpoint["id_webhook"])
    assert delivery["status"] == "paused"  # kept, out of the queue, until it is enabled

    # Staff enable it: the kept delivery goes, then retries run out (1 + 3 attempts).
    receiver.answers = []
    enabled = await client.patch(
        f"/manager/webhooks/{endpoint['id_webhook']}",
        headers=manager.headers,
        json={"enabled": True},
    )
    assert (enabled.json()["enabled"], enabled.json()["disabled_reason"]) == (True, None)
    await receiver.wait_for(1 + 3)
    received = await receiver.quiet()
    assert len(received) == 4
    [delivery] = await deliveries(client, manager, endpoint["id_webhook"])
    assert (delivery["status"], delivery["nb_attempts"]) == ("failed", 4)


async def test_a_test_event_goes_to_that_endpoint_only(
    client: httpx.AsyncClient, receiver: Receiver, manager: Person
) -> None:
    endpoint = await register(client, manager, receiver.url)
    await register(client, manager, receiver.url.replace("/hooks", "/other"))
    sent = await client.post(
        f"/manager/webhooks/{endpoint['id_webhook']}/test", headers=manager.headers
    )
    assert sent.status_code == 202, sent.text
    [received] = await receiver.wait_for(1)
    assert await receiver.quiet() == [received]
    assert received.path == "/hooks"
    assert received.json["type"] == "webhook.test"
    Webhook(endpoint["secret"]).verify(received.body, received.headers)


async def test_after_a_rotation_both_secrets_verify_until_the_grace_ends(
    client: httpx.AsyncClient, receiver: Receiver, manager: Person
) -> None:
    endpoint = await register(client, manager, receiver.url)
    rotated = await client.post(
        f"/manager/webhooks/{endpoint['id_webhook']}/rotate-secret", headers=manager.headers
    )
    assert rotated.status_code == 200, rotated.text
    new_secret = rotated.json()["secret"]
    assert new_secret != endpoint["secret"]
    assert rotated.json()["previous_secret_expires"] is not None
    await client.post(f"/manager/webhooks/{endpoint['id_webhook']}/test", headers=manager.headers)
    [received] = await receiver.wait_for(1)
    assert len(received.headers["webhook-signature"].split()) == 2
    for secret in (endpoint["secret"], new_secret):
        Webhook(secret).verify(received.body, received.headers)


def _days_ago(days: int) -> Any:
    from datetime import timedelta

    from salon.clock import utcnow

    return utcnow() - timedelta(days=days)


# A failure injected after the deliveries are written and before the commit: the saved answer
# of an idempotent POST (api/routing.py writes it last) cannot be inserted.
_FAIL_IDEMPOTENCY = {
    "sqlite": [
        "CREATE TRIGGER fail_idempotency BEFORE INSERT ON idempotency_key "
        "BEGIN SELECT RAISE(ABORT, 'injected failure'); END"
    ],
    "postgresql": [
        "CREATE FUNCTION fail_idempotency() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN RAISE EXCEPTION 'injected failure'; END $$",
        "CREATE TRIGGER fail_idempotency BEFORE INSERT ON idempotency_key "
        "FOR EACH ROW EXECUTE FUNCTION fail_idempotency()",
    ],
}
_UNDO = {
    "sqlite": ["DROP TRIGGER fail_idempotency"],
    "postgresql": [
        "DROP TRIGGER fail_idempotency ON idempotency_key",
        "DROP FUNCTION fail_idempotency()",
    ],
}


async def _run_all(database: Database, statements: list[str]) -> None:
    async with database.transaction() as tx:
        for statement in statements:
            await tx.execute(Query(statement))


async def test_a_rolled_back_write_sends_nothing(
    app: FastAPI,
    receiver: Receiver,
    client: httpx.AsyncClient,
    manager: Person,
    ambassador: Person,
    chatroom: int,
) -> None:
    await register(client, manager, receiver.url, event_types=["message.created"])
    database: Database = app.state.database
    await _run_all(database, _FAIL_IDEMPOTENCY[database.dialect])
    try:
        # Not through the contract-checked client: this 500 is the injected failure's.
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://salon.test") as raw:
            failed = await raw.post(
                f"/chat/chatrooms/{chatroom}/messages",
                headers=ambassador.headers | {"Idempotency-Key": "rolled-back"},
                json={"id_ambassador": ambassador.id, "content": "never", "type_message": 0},
            )
        assert failed.status_code == 500
    finally:
        await _run_all(database, _UNDO[database.dialect])
    [[messages, pending]] = await run_sql(
        app,
        "SELECT (SELECT count(*) FROM message), (SELECT count(*) FROM webhook_delivery)",
    )
    assert (messages, pending) == (0, 0)
    # A committed write after it is delivered, and it is the only one.
    await say(client, chatroom, ambassador, "committed")
    [received] = await receiver.wait_for(1)
    assert await receiver.quiet() == [received]
    assert received.json["data"]["content"] == "committed"


async def test_a_dead_receiver_holds_its_own_slots_only(
    app: FastAPI,
    client: httpx.AsyncClient,
    world: World,
    receiver: Receiver,
    manager: Person,
    ambassador: Person,
    chatroom: int,
) -> None:
    """Three endpoints of one brand on a receiver that never answers: the requests that feed
    them answer at once, each endpoint holds at most SALON_WEBHOOK_ENDPOINT_CONCURRENCY
    attempts of the process and the brand at most SALON_WEBHOOK_BRAND_CONCURRENCY, and another
    brand's endpoint is delivered meanwhile."""
    settings = app.state.settings
    per_endpoint, per_brand = (
        settings.webhook_endpoint_concurrency,
        settings.webhook_brand_concurrency,
    )
    assert per_brand < 3 * per_endpoint
    for path in ("a", "b", "c"):
        await register(client, manager, f"{receiver.url}/{path}", event_types=["message.created"])
    other_brand = await world.brand()
    other_manager = await world.person(other_brand, status=5)
    seller = await world.person(other_brand, status=0)
    shopper = await world.person(other_brand, status=7)
    other_chatroom = await world.chatroom(seller, shopper)
    messages = per_endpoint + 2
    with receiving() as healthy:
        await register(client, other_manager, healthy.url, event_types=["message.created"])
        receiver.holding.set()
        for n in range(messages):
            await say(client, chatroom, ambassador, f"into the void {n}")
        await receiver.wait_for(per_brand)
        await say(client, other_chatroom, seller, "to a receiver that answers")
        [delivered] = await healthy.wait_for(1)
        assert delivered.json["data"]["content"] == "to a receiver that answers"
        held = list(receiver.received)
        assert len(held) == per_brand, "no more attempts held by one brand"
        by_endpoint = {r.path for r in held}
        assert all(sum(r.path == p for r in held) <= per_endpoint for p in by_endpoint)
        receiver.holding.clear()
        await receiver.wait_for(3 * messages)


async def test_an_address_refused_at_attempt_time_is_final_and_says_only_the_rule(
    app: FastAPI, client: httpx.AsyncClient, receiver: Receiver, manager: Person
) -> None:
    """An endpoint whose URL points inside the network by the time it is attempted (here
    written behind the API's back) is refused before any connection, finally, and the
    attempt records the rule, not the address."""
    endpoint = await register(client, manager, receiver.url)
    await run_sql(
        app,
        "UPDATE webhook_endpoint SET url = :url WHERE id_webhook = :id",
        {"url": "https://169.254.169.254/latest/meta-data", "id": endpoint["id_webhook"]},
    )
    sent = await client.post(
        f"/manager/webhooks/{endpoint['id_webhook']}/test", headers=manager.headers
    )
    for _ in range(200):
        detail = await delivery_detail(client, manager, sent.json())
        if detail["status"] != "pending":
            break
        await asyncio.sleep(0.02)
    assert detail["status"] == "failed"
    [attempt] = detail["attempts"]
    assert attempt["status_code"] is None
    assert attempt["error"] == (
        "The url must not point to a private, loopback, link-local or reserved address."
    )
    assert receiver.received == []


async def test_a_disabled_endpoint_keeps_its_deliveries_paused_until_enabled(
    client: httpx.AsyncClient, receiver: Receiver, manager: Person
) -> None:
    endpoint = await register(client, manager, receiver.url, enabled=False)
    path = f"/manager/webhooks/{endpoint['id_webhook']}"
    sent = await client.post(f"{path}/test", headers=manager.headers)
    assert sent.json()["status"] == "paused"
    await asyncio.sleep(0.2)
    assert receiver.received == []
    await client.patch(path, headers=manager.headers, json={"enabled": True})
    [received] = await receiver.wait_for(1)
    assert received.json["type"] == "webhook.test"
    [delivery] = await deliveries(client, manager, endpoint["id_webhook"])
    assert delivery["status"] == "delivered"


async def test_an_attempt_that_ends_after_its_endpoint_is_deleted_changes_nothing(
    app: FastAPI, client: httpx.AsyncClient, world: World, receiver: Receiver, manager: Person
) -> None:
    """The outside attack's race: an attempt in flight, its endpoint deleted, another brand's
    endpoint and delivery made; the attempt's answer must not land on them."""
    first = await register(client, manager, receiver.url)
    receiver.holding.set()
    old = await client.post(
        f"/manager/webhooks/{first['id_webhook']}/test", headers=manager.headers
    )
    await receiver.wait_for(1)
    deleted = await client.delete(
        f"/manager/webhooks/{first['id_webhook']}", headers=manager.headers
    )
    assert deleted.status_code == 204

    other_manager = await world.person(await world.brand(), status=5)
    second = await register(client, other_manager, receiver.url, enabled=False)
    new = await client.post(
        f"/manager/webhooks/{second['id_webhook']}/test", headers=other_manager.headers
    )
    assert (second["id_webhook"], new.json()["id_delivery"]) != (
        first["id_webhook"],
        old.json()["id_delivery"],
    ), "ids are never reused"
    receiver.holding.clear()
    while not app.state.webhooks.idle:  # noqa: ASYNC110 (a property, not an event)
        await asyncio.sleep(0.02)
    untouched = await delivery_detail(client, other_manager, new.json())
    assert (untouched["status"], untouched["nb_attempts"], untouched["attempts"]) == (
        "paused",
        0,
        [],
    )


async def test_a_queued_delivery_is_not_redelivered(
    client: httpx.AsyncClient, receiver: Receiver, manager: Person
) -> None:
    """Pending or paused, it will be sent anyway: a second copy would be sent twice."""
    endpoint = await register(client, manager, receiver.url, enabled=False)
    paused = (
        await client.post(
            f"/manager/webhooks/{endpoint['id_webhook']}/test", headers=manager.headers
        )
    ).json()
    again = await client.post(
        f"/manager/webhooks/{endpoint['id_webhook']}/deliveries/{paused['id_delivery']}/redeliver",
        headers=manager.headers,
    )
    assert again.status_code == 422, again.text
    assert again.json()["errors"] == {
        "delivery": [
            "The delivery is still queued (pending or paused): it will be sent without asking."
        ]
    }
