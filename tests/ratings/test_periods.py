"""A period compared with the one just before (`compare=previous_period`) on every stats
answer, and one ambassador's daily series (`/chat/ratings/stats?filter[id_user_rated]=`)."""

from datetime import date, datetime, time, timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from salon.clock import utcnow
from tests.ratings.helpers import pending_request, submit
from tests.support import Person, World, run_sql


async def rated(
    app: FastAPI,
    client: httpx.AsyncClient,
    world: World,
    brand: int,
    ambassador: Person,
    value: int,
    day: date,
) -> None:
    """A new shop customer rates `ambassador` with `value`, asked on `day` (noon UTC)."""
    customer = await world.person(brand, status=7)
    room = await world.chatroom(customer, ambassador)
    id_rating = await pending_request(client, room, ambassador)
    answered = await submit(client, id_rating, customer, {"value": value})
    assert answered.status_code == 200, answered.text
    when = datetime.combine(day, time(12), utcnow().tzinfo)
    await run_sql(
        app,
        "UPDATE rating SET date_insert = :when WHERE id_rating = :id",
        {"when": when, "id": id_rating},
    )


async def get(client: httpx.AsyncClient, url: str, caller: Person, **query: str) -> Any:
    response = await client.get(url, headers=caller.headers, params=query)
    assert response.status_code == 200, response.text
    return response.json()


def week_ending(today: date) -> dict[str, str]:
    return {
        "filter[date_from]": (today - timedelta(days=6)).isoformat(),
        "filter[date_to]": today.isoformat(),
    }


async def test_every_stats_answer_compares_a_week_with_the_week_before(
    app: FastAPI, client: httpx.AsyncClient, world: World, brand: int, manager: Person
) -> None:
    today = utcnow().date()
    ada = await world.person(brand, name="Ada Lovelace")
    bruno = await world.person(brand, name="Bruno Martin")
    # This week: Ada 5 and 4, Bruno 2. The week before: Bruno 5 and 5, Ada 1.
    await rated(app, client, world, brand, ada, 5, today)
    await rated(app, client, world, brand, ada, 4, today - timedelta(days=3))
    await rated(app, client, world, brand, bruno, 2, today - timedelta(days=1))
    await rated(app, client, world, brand, bruno, 5, today - timedelta(days=8))
    await rated(app, client, world, brand, bruno, 5, today - timedelta(days=13))
    await rated(app, client, world, brand, ada, 1, today - timedelta(days=10))
    # Before both weeks: counted by neither.
    await rated(app, client, world, brand, ada, 0, today - timedelta(days=14))
    week = week_ending(today) | {"compare": "previous_period"}
    before_first = (today - timedelta(days=13)).isoformat()
    before_last = (today - timedelta(days=7)).isoformat()

    brand_stats = await get(client, "/chat/ratings/stats", manager, **week)
    assert (brand_stats["nb_ratings"], brand_stats["avg_rating"]) == (3, 3.67)
    previous = brand_stats["previous_period"]
    assert (previous["date_from"], previous["date_to"]) == (before_first, before_last)
    assert (previous["nb_ratings"], previous["avg_rating"]) == (3, 3.67)
    assert previous["distribution"] == {"0": 0, "1": 1, "2": 0, "3": 0, "4": 0, "5": 2}
    assert len(brand_stats["series"]) == 7  # the series stays the range's

    own = await get(client, f"/chat/ambassadors/{ada.id}/stats", ada, **week)
    assert (own["nb_ratings"], own["avg_rating"]) == (2, 4.5)
    assert own["previous_period"]["nb_ratings"] == 1
    assert own["previous_period"]["avg_rating"] == 1.0

    board = await get(client, "/chat/ratings/leaderboard", manager, **week, sort="avg_rating")
    moves = [
        (e["id_ambassador"], e["rank"], e["previous_rank"], e["previous_period"]["avg_rating"])
        for e in board["data"]
    ]
    assert moves == [(ada.id, 1, 2, 1.0), (bruno.id, 2, 1, 5.0)]

    # Without compare, nothing of the period before.
    plain = await get(client, "/chat/ratings/leaderboard", manager, **week_ending(today))
    assert {e["previous_rank"] for e in plain["data"]} == {None}
    assert {e["previous_period"] is None for e in plain["data"]} == {True}
    assert (await get(client, "/chat/ratings/stats", manager))["previous_period"] is None
    # All of an ambassador's ratings (no first day): nothing comes before them.
    everything = {"compare": "previous_period"}
    all_time = await get(client, f"/chat/ambassadors/{ada.id}/stats", manager, **everything)
    assert (all_time["nb_ratings"], all_time["previous_period"]) == (4, None)


async def test_someone_new_this_period_has_no_previous_rank_and_zeros(
    app: FastAPI, client: httpx.AsyncClient, world: World, brand: int, manager: Person
) -> None:
    today = utcnow().date()
    newcomer = await world.person(brand)
    await rated(app, client, world, brand, newcomer, 4, today)
    week = week_ending(today) | {"compare": "previous_period"}
    (entry,) = (await get(client, "/chat/ratings/leaderboard", manager, **week))["data"]
    assert entry["previous_rank"] is None
    assert entry["previous_period"]["nb_ratings"] == 0
    assert entry["previous_period"]["avg_rating"] is None


async def test_one_ambassadors_daily_series(
    app: FastAPI, client: httpx.AsyncClient, world: World, brand: int, manager: Person
) -> None:
    today = utcnow().date()
    ada = await world.person(brand)
    bruno = await world.person(brand)
    await rated(app, client, world, brand, ada, 5, today - timedelta(days=2))
    await rated(app, client, world, brand, ada, 3, today - timedelta(days=2))
    await rated(app, client, world, brand, bruno, 1, today - timedelta(days=2))
    query = week_ending(today) | {"filter[id_user_rated]": str(ada.id)}
    series = (await get(client, "/chat/ratings/stats", manager, **query))["series"]
    by_day = {day["date"]: (day["nb_ratings"], day["avg_rating"]) for day in series}
    assert by_day[(today - timedelta(days=2)).isoformat()] == (2, 4.0)
    assert sum(day["nb_ratings"] for day in series) == 2


async def test_the_calendars_first_day_has_no_period_before(
    client: httpx.AsyncClient, manager: Person
) -> None:
    query = {
        "filter[date_from]": "0001-01-01",
        "filter[date_to]": "0001-01-31",
        "compare": "previous_period",
    }
    assert (await get(client, "/chat/ratings/stats", manager, **query))["previous_period"] is None
    board = await get(client, "/chat/ratings/leaderboard", manager, **query)
    assert board["data"] == []
    # The first days of the calendar: the period before is shorter, and exists.
    query["filter[date_from]"] = "0001-01-05"
    previous = (await get(client, "/chat/ratings/stats", manager, **query))["previous_period"]
    assert (previous["date_from"], previous["date_to"]) == ("0001-01-01", "0001-01-04")


@pytest.mark.parametrize(
    ("url", "query", "field"),
    [
        ("/chat/ratings/stats", {"compare": "last_year"}, "compare"),
        ("/chat/ratings/leaderboard", {"compare": "1"}, "compare"),
        ("/chat/ratings/stats", {"filter[id_user_rated]": "0"}, "filter[id_user_rated]"),
        ("ambassador", {"compare": "previous"}, "compare"),
    ],
)
async def test_bad_comparisons_are_422_in_the_documented_shape(
    client: httpx.AsyncClient,
    manager: Person,
    ambassador: Person,
    url: str,
    query: dict[str, str],
    field: str,
) -> None:
    if url == "ambassador":
        url = f"/chat/ambassadors/{ambassador.id}/stats"
    response = await client.get(url, headers=manager.headers, params=query)
    assert response.status_code == 422, response.text
    assert set(response.json()) == {"message", "errors"}
    assert field in response.json()["errors"]
