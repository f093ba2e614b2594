"""`GET /chat/ratings/leaderboard`: brand staff rank the brand's ambassadors by their ratings,
by default by the lower bound of the Wilson interval of their share of satisfied ratings."""

from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from salon.ratings.stats import wilson_lower_bound
from tests.ratings.helpers import ask_rating, pending_request, say, submit
from tests.support import Person, World, counted_queries

URL = "/chat/ratings/leaderboard"


async def give(
    client: httpx.AsyncClient,
    world: World,
    brand: int,
    rated: Person,
    values: list[int | None],
    rater_status: int = 7,
) -> None:
    """One new rater (a shop customer unless said) per value, asked by `rated`; None stays
    pending."""
    for value in values:
        visitor = await world.person(brand, status=rater_status)
        room = await world.chatroom(visitor, rated)
        id_rating = await pending_request(client, room, rated)
        if value is not None:
            answered = await submit(client, id_rating, visitor, {"value": value})
            assert answered.status_code == 200, answered.text


async def ranking(client: httpx.AsyncClient, staff: Person, **query: Any) -> dict[str, Any]:
    response = await client.get(URL, headers=staff.headers, params=query)
    assert response.status_code == 200, response.text
    page: dict[str, Any] = response.json()
    return page


async def test_many_good_ratings_rank_above_one_lucky_five(
    client: httpx.AsyncClient, world: World, brand: int, manager: Person
) -> None:
    steady = await world.person(brand)  # eight 4s and 5s, one 2
    lucky = await world.person(brand)  # one 5
    poor = await world.person(brand)  # 1s, and a pending request
    await give(client, world, brand, steady, [5, 5, 4, 4, 5, 4, 5, 4, 2])
    await give(client, world, brand, lucky, [5])
    await give(client, world, brand, poor, [1, 1, 2, None])

    page = await ranking(client, manager)
    order = [entry["id_ambassador"] for entry in page["data"]]
    assert order == [steady.id, lucky.id, poor.id]
    assert [entry["rank"] for entry in page["data"]] == [1, 2, 3]
    first = page["data"][0]
    assert first["nb_ratings"] == 9
    assert first["wilson_lower_bound"] == round(wilson_lower_bound(8, 9), 4)
    assert first["firstname"]
    last = page["data"][2]
    assert last["nb_asked_ratings"] == 4
    assert last["response_rate"] == 0.75
    assert last["distribution"] == {"0": 0, "1": 2, "2": 1, "3": 0, "4": 0, "5": 0}

    # By average, the lucky 5 is first; ties would go to more ratings.
    by_average = await ranking(client, manager, sort="avg_rating")
    assert [e["id_ambassador"] for e in by_average["data"]] == [lucky.id, steady.id, poor.id]
    # A minimum number of ratings leaves the lucky one out; ranks stay those of the ranking.
    serious = await ranking(client, manager, **{"filter[min_ratings]": "2"})
    assert [e["id_ambassador"] for e in serious["data"]] == [steady.id, poor.id]
    # Paginated like every list; ranks count from the whole ranking.
    second = await ranking(client, manager, per_page="1", page="2")
    assert second["total"] == 3
    assert [(e["rank"], e["id_ambassador"]) for e in second["data"]] == [(2, lucky.id)]


async def test_only_shoppers_rate_and_only_staff_are_ranked(
    client: httpx.AsyncClient, world: World, brand: int, manager: Person
) -> None:
    """Colleagues rating each other would lift a friend or sink a rival; a shopper asked to
    be rated by an ambassador is no one to rank. Guests count, unless only customers do."""
    ada = await world.person(brand, name="Ada Lovelace")
    bruno = await world.person(brand, name="Bruno Martin")
    await give(client, world, brand, ada, [4])  # a shop customer
    await give(client, world, brand, ada, [5, 5], rater_status=8)  # two guests
    await give(client, world, brand, bruno, [5])
    # Ada asks Bruno, a colleague, to rate her; he gives her a 0.
    room = await world.chatroom(ada, bruno)
    await say(client, room, ada)
    await say(client, room, bruno)
    asked = await ask_rating(
        client, room, ada, {"id_user_rated": ada.id, "id_user_rater": bruno.id}
    )
    assert asked.status_code == 201, asked.text
    rated = await submit(client, asked.json()["rating"]["id_rating"], bruno, {"value": 0})
    assert rated.status_code == 200, rated.text
    # A shopper asks Ada to rate *them*; Ada gives a 5.
    shopper = await world.person(brand, status=7)
    room = await world.chatroom(shopper, ada)
    await say(client, room, ada)
    asked = await ask_rating(client, room, shopper, {"id_user_rater": ada.id})
    assert asked.status_code == 201, asked.text
    rated = await submit(client, asked.json()["rating"]["id_rating"], ada, {"value": 5})
    assert rated.status_code == 200, rated.text

    page = await ranking(client, manager)
    assert [(e["id_ambassador"], e["nb_ratings"]) for e in page["data"]] == [
        (ada.id, 3),  # the customer's 4 and the guests' 5s; not Bruno's 0
        (bruno.id, 1),
    ]
    only = {"filter[raters]": "customers", "sort": "avg_rating"}
    customers = await ranking(client, manager, **only)
    assert [(e["id_ambassador"], e["avg_rating"]) for e in customers["data"]] == [
        (bruno.id, 5.0),
        (ada.id, 4.0),
    ]
    # The brand's stats still count every voice: they are the brand's, not a ranking.
    stats = (await client.get("/chat/ratings/stats", headers=manager.headers)).json()
    assert stats["nb_ratings"] == 6


async def test_only_the_range_counts(
    client: httpx.AsyncClient, world: World, brand: int, manager: Person
) -> None:
    rated = await world.person(brand)
    await give(client, world, brand, rated, [5])
    past = {"filter[date_from]": "2020-01-01", "filter[date_to]": "2020-12-31"}
    assert (await ranking(client, manager, **past))["data"] == []
    assert len((await ranking(client, manager))["data"]) == 1


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"sort": "firstname"}, "sort"),
        ({"filter[raters]": "everyone"}, "filter[raters]"),
        ({"filter[min_ratings]": "0"}, "filter[min_ratings]"),
        ({"filter[min_ratings]": "two"}, "filter[min_ratings]"),
        ({"filter[date_from]": "2025-01-01", "filter[date_to]": "2026-06-30"}, "filter[date_from]"),
        ({"filter[date_from]": "2026-02-01", "filter[date_to]": "2026-01-01"}, "filter[date_from]"),
    ],
)
async def test_bad_queries_are_422_in_the_documented_shape(
    client: httpx.AsyncClient, manager: Person, query: dict[str, str], field: str
) -> None:
    response = await client.get(URL, headers=manager.headers, params=query)
    assert response.status_code == 422, response.text
    body = response.json()
    assert set(body) == {"message", "errors"}
    assert field in body["errors"]


async def test_a_leaderboard_costs_the_same_statements_for_three_people_or_thirty(
    app: FastAPI, client: httpx.AsyncClient, world: World, brand: int, manager: Person
) -> None:
    people = [await world.person(brand) for _ in range(30)]
    await give(client, world, brand, people[0], [5])
    await ranking(client, manager)  # the token's first use also records the caller's activity
    with counted_queries(app) as few:
        await ranking(client, manager)
    for rated in people[1:]:
        await give(client, world, brand, rated, [4])
    with counted_queries(app) as many:
        page = await ranking(client, manager, per_page="100")
    assert len(page["data"]) == 30
    assert len(many) == len(few) == 2  # the caller's token, the counts with the names
