"""`GET /platform/ambassadors`, `/platform/ambassadors/{id}` and `/{id}/stats`: the brand's
people for its members."""

from datetime import timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from salon.clock import utcnow
from tests.ratings.helpers import pending_request, say, submit
from tests.support import Person, World, run_sql

PATH = "/platform/ambassadors"


async def seen(app: FastAPI, person: Person, minutes_ago: int | None) -> None:
    when = None if minutes_ago is None else utcnow() - timedelta(minutes=minutes_ago)
    await run_sql(
        app,
        "UPDATE ambassador SET last_action_date = :when WHERE id_ambassador = :id",
        {"when": when, "id": person.id},
    )


def ids(response: httpx.Response) -> list[int]:
    assert response.status_code == 200, response.text
    page = response.json()
    return [person["id_ambassador"] for person in page["data"]]


async def test_members_list_the_brand_by_last_action(
    app: FastAPI, client: httpx.AsyncClient, world: World, brand: int
) -> None:
    ann = await world.person(brand, status=0, name="Ann Smith")
    bob = await world.person(brand, status=6, name="Bob Jones")
    cat = await world.person(brand, status=0, active=0, name="Cat Lee")
    eve = await world.person(brand, status=7, name="Eve Shopper")
    await world.person(await world.brand(), name="Ann Smith")  # another brand's
    # Sorted by last action: the caller's request makes theirs the latest.
    await seen(app, bob, 30)
    await seen(app, cat, 60)
    await seen(app, eve, None)

    def get(**params: Any) -> Any:
        return client.get(PATH, headers=ann.headers, params=params)

    assert ids(await get()) == [ann.id, bob.id, cat.id, eve.id]
    assert ids(await get(sort="last_action_date")) == [cat.id, bob.id, ann.id, eve.id]
    assert ids(await get(sort="-last_action_date")) == [ann.id, bob.id, cat.id, eve.id]
    cases: list[tuple[dict[str, Any], list[int]]] = [
        ({"filter[name]": "SMITH"}, [ann.id]),
        ({"filter[name]": "bob jones"}, [bob.id]),
        ({"filter[name]": "%"}, []),
        ({"filter[active]": "0"}, [cat.id]),
        ({"filter[status]": "0"}, [ann.id, cat.id]),
        ({"filter[status]": "6,7"}, [bob.id, eve.id]),
        ({"filter[referrer]": str(ann.id)}, []),  # Salon records no referrer
        ({"filter[name]": "e", "filter[status]": "0"}, [cat.id]),
    ]
    for params, expected in cases:
        assert ids(await get(**params)) == expected, params
    page = (await get()).json()
    assert page["total"] == 4
    first = page["data"][0]
    assert first["full_name"] == "Ann Smith"
    assert first["online"] is True
    assert "email" not in first
    # Pages.
    second = await get(per_page=2, page=2)
    assert ids(second) == [cat.id, eve.id]
    assert second.json()["current_page"] == 2


async def test_one_person(
    app: FastAPI, client: httpx.AsyncClient, world: World, brand: int, ambassador: Person
) -> None:
    bob = await world.person(brand, status=6, name="Bob Jones")
    await seen(app, bob, 10)
    response = await client.get(f"{PATH}/{bob.id}", headers=ambassador.headers)
    assert response.status_code == 200, response.text
    person = response.json()
    inserted = person.pop("date_insert")
    assert inserted.endswith("Z")
    assert person == {
        "id_ambassador": bob.id,
        "id_brand": brand,
        "customer_id": None,
        "image": None,
        "gender": None,
        "firstname": "Bob",
        "lastname": "Jones",
        "username": None,
        "full_name": "Bob Jones",
        "gamification_score": 0,
        "active": 1,
        "status": 6,
        "online": False,
    }
    myself = await client.get(f"{PATH}/{ambassador.id}", headers=ambassador.headers)
    assert myself.json()["online"] is True
    # The profile's gender, as the person set it.
    changed = await client.patch("/manager/me", headers=bob.headers, json={"gender": "male"})
    assert changed.status_code == 200, changed.text
    again = await client.get(f"{PATH}/{bob.id}", headers=ambassador.headers)
    assert again.json()["gender"] == "male"


async def test_stats_count_the_ratings_received_as_the_chat_does(
    client: httpx.AsyncClient, world: World, brand: int, ambassador: Person, manager: Person
) -> None:
    shoppers = [await world.person(brand, status=7) for _ in range(3)]
    rooms = [await world.chatroom(ambassador, shopper) for shopper in shoppers]
    # Two established dialogues, rated 5 and 2; a third chatroom where only the ambassador
    # spoke, with a pending request.
    for room, shopper, value in ((rooms[0], shoppers[0], 5), (rooms[1], shoppers[1], 2)):
        await say(client, room, ambassador)
        await say(client, room, shopper)
        id_rating = await pending_request(client, room, ambassador)
        submitted = await submit(client, id_rating, shopper, {"value": value})
        assert submitted.status_code == 200, submitted.text
    await say(client, rooms[2], ambassador)
    await pending_request(client, rooms[2], ambassador)

    for caller in (ambassador, manager):
        response = await client.get(f"{PATH}/{ambassador.id}/stats", headers=caller.headers)
        assert response.status_code == 200, response.text
        assert response.json() == {
            "gamification_score": 0,
            "nb_established_conversations": 2,
            "nb_sponsored": 0,
            "nb_chat_sales": 0,
            "nb_sales": 0,
            "nb_ratings": 2,
            "nb_asked_ratings": 3,
            "avg_rating": 3.5,
            "nb_publications": 0,
        }
    chat = await client.get(f"/chat/ambassadors/{ambassador.id}/stats", headers=manager.headers)
    body = chat.json()
    assert (body["nb_ratings"], body["nb_asked_ratings"], body["avg_rating"]) == (2, 3, 3.5)
    # A shopper received no rating and took part in one established dialogue.
    theirs = await client.get(f"{PATH}/{shoppers[0].id}/stats", headers=manager.headers)
    assert theirs.json()["nb_established_conversations"] == 1
    assert (theirs.json()["nb_ratings"], theirs.json()["avg_rating"]) == (0, None)


async def test_who_may_read(
    client: httpx.AsyncClient,
    world: World,
    brand: int,
    ambassador: Person,
    visitor: Person,
    manager: Person,
) -> None:
    member = await world.person(brand, status=6)
    guest = await world.person(brand, status=8)
    paths = (PATH, f"{PATH}/{ambassador.id}", f"{PATH}/{ambassador.id}/stats")
    for path in paths:
        unsigned = await client.get(path)
        assert (unsigned.status_code, unsigned.json()) == (401, {"message": "Unauthorized."})
        # Shoppers use the widget, not the platform.
        for shopper in (visitor, guest):
            assert (await client.get(path, headers=shopper.headers)).status_code == 403
        assert (await client.get(path, headers=manager.headers)).status_code == 200
    assert (await client.get(PATH, headers=member.headers)).status_code == 200
    assert (await client.get(paths[1], headers=member.headers)).status_code == 200
    # A person's stats are theirs and the staff's.
    assert (await client.get(paths[2], headers=member.headers)).status_code == 403
    foreign = await world.person(await world.brand(), status=5)
    for path in paths[1:]:
        hidden = await client.get(path, headers=foreign.headers)
        assert hidden.status_code == 404
        assert hidden.json() == {"message": "Not found - The ambassador does not exist"}
    theirs = await client.get(PATH, headers=foreign.headers)
    assert ids(theirs) == [foreign.id]
    for path in (f"{PATH}/2147483647", f"{PATH}/2147483647/stats"):
        assert (await client.get(path, headers=manager.headers)).status_code == 404


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"sort": "firstname"}, "sort"),
        ({"filter[active]": "2"}, "filter[active]"),
        ({"filter[status]": "9"}, "filter[status]"),
        ({"filter[referrer]": "0"}, "filter[referrer]"),
        ({"filter[referrer]": "x"}, "filter[referrer]"),
        ({"filter[name]": "x" * 256}, "filter[name]"),
        ({"page": "0"}, "page"),
    ],
)
async def test_a_bad_query_is_a_422(
    client: httpx.AsyncClient, ambassador: Person, params: dict[str, str], field: str
) -> None:
    response = await client.get(PATH, headers=ambassador.headers, params=params)
    assert response.status_code == 422, response.text
    assert set(response.json()) == {"message", "errors"}
    assert field in response.json()["errors"]


async def test_a_bad_id_is_a_422(client: httpx.AsyncClient, ambassador: Person) -> None:
    for path in (f"{PATH}/0", f"{PATH}/0/stats", f"{PATH}/2147483648"):
        response = await client.get(path, headers=ambassador.headers)
        assert response.status_code == 422, (path, response.text)
        assert set(response.json()) == {"message", "errors"}
