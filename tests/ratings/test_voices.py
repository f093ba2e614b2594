"""A rater's voice counts once: the stuffing attacks of the outside probe, replayed.

The rules (docs/security.md, "Ratings"): the rater starts a rating only where the rated
ambassador has taken part; one open rating per (chatroom, rater, rated), changed with PATCH;
asking again needs a new exchange (or the cool-down) and supersedes the previous one; stats
count one voice per (chatroom, rater, rated).
"""

import asyncio
from datetime import timedelta
from typing import Any

import httpx
from fastapi import FastAPI

from salon.clock import utcnow
from salon.provisioning import service
from tests.ratings.helpers import (
    NOT_TAKEN_PART,
    PENDING_EXISTS,
    RATED_ALREADY,
    ask_rating,
    last_rating,
    pending_request,
    say,
    submit,
)
from tests.ratings.test_submit_and_delete import set_first_submission
from tests.support import Person, World

SUPERSEDED = "The rating can no longer be changed: a newer request in this chatroom replaced it."


async def stats_of(client: httpx.AsyncClient, ambassador: Person, manager: Person) -> Any:
    response = await client.get(f"/chat/ambassadors/{ambassador.id}/stats", headers=manager.headers)
    assert response.status_code == 200, response.text
    return response.json()


async def test_posting_a_score_again_and_again_counts_once(
    client: httpx.AsyncClient,
    chatroom: int,
    visitor: Person,
    ambassador: Person,
    manager: Person,
) -> None:
    """The probe: the same visitor posted {"id_user_rated": 4, "value": 5} five times, all 201,
    and nb_ratings went 1 -> 6, avg_rating 2.0 -> 4.5."""
    await say(client, chatroom, visitor, "Does it come in blue?")
    await say(client, chatroom, ambassador, "It does.")
    id_rating = await pending_request(client, chatroom, ambassador)
    assert (await submit(client, id_rating, visitor, {"value": 2})).status_code == 200

    body = {"id_user_rated": ambassador.id, "value": 5}
    answers = [await ask_rating(client, chatroom, visitor, body) for _ in range(5)]
    assert [a.status_code for a in answers] == [422] * 5
    assert all(a.json()["errors"] == {"id_user_rater": [RATED_ALREADY]} for a in answers)

    stats = await stats_of(client, ambassador, manager)
    assert (stats["nb_ratings"], stats["avg_rating"]) == (1, 2.0)
    assert await last_rating(client, chatroom, visitor) == {"value": 2, "comment": None}


async def test_a_score_at_once_counts_once_too(
    client: httpx.AsyncClient,
    chatroom: int,
    visitor: Person,
    ambassador: Person,
    manager: Person,
) -> None:
    await say(client, chatroom, ambassador, "Welcome!")
    body = {"id_user_rated": ambassador.id, "value": 5}
    first = await ask_rating(client, chatroom, visitor, body)
    assert first.status_code == 201, first.text
    again = [await ask_rating(client, chatroom, visitor, body) for _ in range(4)]
    assert {a.status_code for a in again} == {422}
    stats = await stats_of(client, ambassador, manager)
    assert (stats["nb_asked_ratings"], stats["nb_ratings"]) == (1, 1)


async def test_concurrent_scores_from_one_rater_make_one_rating(
    client: httpx.AsyncClient,
    chatroom: int,
    visitor: Person,
    ambassador: Person,
    manager: Person,
) -> None:
    await say(client, chatroom, ambassador, "Welcome!")
    body = {"id_user_rated": ambassador.id, "value": 5}
    answers = await asyncio.gather(
        *(ask_rating(client, chatroom, visitor, body) for _ in range(20))
    )
    assert sorted(a.status_code for a in answers) == [201] + [422] * 19
    stats = await stats_of(client, ambassador, manager)
    assert (stats["nb_asked_ratings"], stats["nb_ratings"]) == (1, 1)


async def test_guests_cannot_manufacture_a_conversation(
    app: FastAPI, client: httpx.AsyncClient, world: World, manager: Person
) -> None:
    """The probe, with no credentials at all: POST /auth/guest, POST /chat/chatrooms with the
    guest and an ambassador, four rating posts per guest, three guests: 0 -> 12 ratings at 5.0."""
    async with app.state.database.transaction() as tx:
        brand = await service.create_brand(tx, "Guest shop", "guests.example.test")
    target = await world.person(brand.id_brand, status=0)
    staff = await world.person(brand.id_brand, status=5)
    for _ in range(3):
        minted = await client.post(
            "/auth/guest", headers={"X-Popsell-Domain": "guests.example.test"}
        )
        assert minted.status_code == 200, minted.text
        guest = {"Authorization": f"Bearer {minted.json()['token']}"}
        me = (await client.get("/chat/ambassadors?filter[status]=8", headers=guest)).json()
        id_guest = max(person["id_ambassador"] for person in me["data"])
        opened = await client.post(
            "/chat/chatrooms",
            headers=guest,
            json={"ids_ambassadors": [id_guest, target.id], "source": 0},
        )
        assert opened.status_code == 201, opened.text
        room = opened.json()["id_chatroom"]
        for _ in range(4):
            rated = await client.post(
                f"/chat/chatrooms/{room}/ratings",
                headers=guest,
                json={"id_user_rated": target.id, "value": 5},
            )
            assert rated.status_code == 422
            assert rated.json()["errors"] == {"id_user_rated": [NOT_TAKEN_PART]}
    stats = await stats_of(client, target, staff)
    assert (stats["nb_asked_ratings"], stats["nb_ratings"], stats["wilson_lower_bound"]) == (
        0,
        0,
        None,
    )


async def test_the_rater_rates_once_the_rated_has_answered(
    client: httpx.AsyncClient, world: World, brand: int, visitor: Person, ambassador: Person
) -> None:
    """Taking part means a message that is not a rating: asking someone else to rate does not
    count."""
    member = await world.person(brand, status=6)
    group = await world.chatroom(visitor, ambassador, member)
    await say(client, group, visitor, "Hello?")
    body = {"id_user_rated": ambassador.id, "id_user_rater": visitor.id, "value": 4}
    refused = await ask_rating(client, group, visitor, body)
    assert refused.status_code == 422
    assert refused.json()["errors"] == {"id_user_rated": [NOT_TAKEN_PART]}
    # The ambassador's rating request to someone else is a message of type 2, not a reply.
    await pending_request(client, group, ambassador, {"id_user_rater": member.id})
    assert (await ask_rating(client, group, visitor, body)).status_code == 422
    await say(client, group, ambassador, "Hello! How can I help?")
    assert (await ask_rating(client, group, visitor, body)).status_code == 201


async def test_the_edit_window_cannot_be_sidestepped_with_a_new_post(
    app: FastAPI, client: httpx.AsyncClient, chatroom: int, visitor: Person, ambassador: Person
) -> None:
    """The probe: PATCH refused after the edit window, a new POST with `value` accepted."""
    await say(client, chatroom, ambassador, "Welcome!")
    id_rating = await pending_request(client, chatroom, ambassador)
    assert (await submit(client, id_rating, visitor, {"value": 1})).status_code == 200
    window = app.state.settings.rating_edit_window
    await set_first_submission(app, id_rating, utcnow() - window - timedelta(minutes=1))
    assert (await submit(client, id_rating, visitor, {"value": 5})).status_code == 422
    body = {"id_user_rated": ambassador.id, "value": 5}
    posted = await ask_rating(client, chatroom, visitor, body)
    assert posted.status_code == 422
    assert posted.json()["errors"] == {"id_user_rater": [RATED_ALREADY]}
    assert await last_rating(client, chatroom, visitor) == {"value": 1, "comment": None}


async def test_a_pending_request_is_answered_with_patch_not_a_new_post(
    client: httpx.AsyncClient, chatroom: int, visitor: Person, ambassador: Person
) -> None:
    await say(client, chatroom, ambassador, "Welcome!")
    await pending_request(client, chatroom, ambassador)
    posted = await ask_rating(
        client, chatroom, visitor, {"id_user_rated": ambassador.id, "value": 5}
    )
    assert posted.status_code == 422
    assert posted.json()["errors"] == {"id_user_rater": [PENDING_EXISTS]}


async def test_a_new_exchange_opens_a_new_rating_and_the_old_one_becomes_history(
    client: httpx.AsyncClient,
    chatroom: int,
    visitor: Person,
    ambassador: Person,
    manager: Person,
) -> None:
    await say(client, chatroom, visitor, "March: which size?")
    await say(client, chatroom, ambassador, "M.")
    march = await pending_request(client, chatroom, ambassador)
    assert (await submit(client, march, visitor, {"value": 5})).status_code == 200

    # Only one side speaking is not a new exchange.
    await say(client, chatroom, ambassador, "Anything else?")
    assert (await ask_rating(client, chatroom, ambassador)).status_code == 422
    await say(client, chatroom, visitor, "June: and for my son?")
    june = await pending_request(client, chatroom, ambassador)

    # March's score is history: it cannot change, and it is still the voice while June's
    # request is unanswered.
    changed = await submit(client, march, visitor, {"value": 1})
    assert changed.status_code == 422
    assert changed.json()["errors"] == {"rating": [SUPERSEDED]}
    stats = await stats_of(client, ambassador, manager)
    assert (stats["nb_asked_ratings"], stats["nb_ratings"], stats["avg_rating"]) == (1, 1, 5.0)

    # Once June's is answered, it is the voice: still one.
    assert (await submit(client, june, visitor, {"value": 3})).status_code == 200
    stats = await stats_of(client, ambassador, manager)
    assert (stats["nb_asked_ratings"], stats["nb_ratings"], stats["avg_rating"]) == (1, 1, 3.0)
    assert await last_rating(client, chatroom, visitor) == {"value": 3, "comment": None}

    listed = (await client.get("/chat/ratings?sort=id_rating", headers=manager.headers)).json()
    assert [(r["id_rating"], r["value"]) for r in listed["data"]] == [(march, 5), (june, 3)]
    assert listed["data"][0]["date_supersede"] is not None
    assert listed["data"][1]["date_supersede"] is None


async def test_after_the_cool_down_the_rater_may_be_asked_again_without_an_exchange(
    app: FastAPI, client: httpx.AsyncClient, chatroom: int, visitor: Person, ambassador: Person
) -> None:
    await say(client, chatroom, ambassador, "Welcome!")
    id_rating = await pending_request(client, chatroom, ambassador)
    assert (await submit(client, id_rating, visitor, {"value": 4})).status_code == 200
    cooldown = app.state.settings.rating_request_cooldown
    await set_first_submission(app, id_rating, utcnow() - cooldown + timedelta(minutes=1))
    assert (await ask_rating(client, chatroom, ambassador)).status_code == 422
    await set_first_submission(app, id_rating, utcnow() - cooldown - timedelta(minutes=1))
    assert (await ask_rating(client, chatroom, ambassador)).status_code == 201


async def test_staff_deleting_the_open_rating_frees_its_place(
    client: httpx.AsyncClient,
    chatroom: int,
    visitor: Person,
    ambassador: Person,
    manager: Person,
) -> None:
    await say(client, chatroom, ambassador, "Welcome!")
    id_rating = await pending_request(client, chatroom, ambassador)
    assert (await submit(client, id_rating, visitor, {"value": 0})).status_code == 200
    deleted = await client.delete(f"/chat/ratings/{id_rating}", headers=manager.headers)
    assert deleted.status_code == 200
    assert (await ask_rating(client, chatroom, ambassador)).status_code == 201
    stats = await stats_of(client, ambassador, manager)
    assert (stats["nb_asked_ratings"], stats["nb_ratings"]) == (1, 0)


async def test_a_deleted_ratings_message_no_longer_shows_its_score(
    client: httpx.AsyncClient,
    chatroom: int,
    visitor: Person,
    ambassador: Person,
    manager: Person,
) -> None:
    """The probe: a deleted rating's message still showed its `value`."""
    await say(client, chatroom, ambassador, "Welcome!")
    asked = await ask_rating(client, chatroom, ambassador)
    id_message, id_rating = asked.json()["id_message"], asked.json()["rating"]["id_rating"]
    await submit(client, id_rating, visitor, {"value": 1, "content": "rude"})
    deleted = await client.delete(f"/chat/ratings/{id_rating}", headers=manager.headers)
    assert (deleted.json()["value"], deleted.json()["content"]) == (None, None)
    assert deleted.json()["date_delete"] is not None

    message = (await client.get(f"/chat/messages/{id_message}", headers=visitor.headers)).json()
    assert message["rating"]["date_delete"] is not None
    assert (message["rating"]["value"], message["rating"]["content"]) == (None, None)
    page = await client.get(f"/chat/chatrooms/{chatroom}/messages", headers=visitor.headers)
    listed = next(m for m in page.json()["data"] if m["id_message"] == id_message)
    assert (listed["rating"]["value"], listed["rating"]["content"]) == (None, None)


async def test_brand_stats_count_voices(
    client: httpx.AsyncClient,
    world: World,
    brand: int,
    chatroom: int,
    visitor: Person,
    ambassador: Person,
    manager: Person,
) -> None:
    """Two raters, one of them asked twice in one chatroom: two voices, not three."""
    await say(client, chatroom, visitor, "Hi")
    await say(client, chatroom, ambassador, "Hello")
    first = await pending_request(client, chatroom, ambassador)
    await submit(client, first, visitor, {"value": 2})
    await say(client, chatroom, visitor, "Back again")
    await say(client, chatroom, ambassador, "Welcome back")
    second = await pending_request(client, chatroom, ambassador)
    await submit(client, second, visitor, {"value": 4})

    other = await world.person(brand, status=7)
    room = await world.chatroom(other, ambassador)
    third = await pending_request(client, room, ambassador)
    await submit(client, third, other, {"value": 5})

    stats = (await client.get("/chat/ratings/stats", headers=manager.headers)).json()
    assert (stats["nb_asked_ratings"], stats["nb_ratings"], stats["avg_rating"]) == (2, 2, 4.5)
    assert stats["distribution"] == {"0": 0, "1": 0, "2": 0, "3": 0, "4": 1, "5": 1}
    assert sum(day["nb_ratings"] for day in stats["series"]) == 2
