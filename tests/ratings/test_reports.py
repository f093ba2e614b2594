"""Rating reports for brand staff: list, CSV export, brand and ambassador stats."""

import csv
import io

import httpx
import pytest

from salon.clock import utcnow
from salon.ratings.stats import wilson_lower_bound
from tests.ratings.helpers import pending_request, submit
from tests.support import Person, World


@pytest.fixture
async def rated(
    client: httpx.AsyncClient, world: World, brand: int, ambassador: Person
) -> list[int]:
    """Four visitors asked to rate the ambassador: 5, 4, 2, and one still pending."""
    ids = []
    for value in (5, 4, 2, None):
        visitor = await world.person(brand, status=7)
        room = await world.chatroom(visitor, ambassador)
        id_rating = await pending_request(client, room, ambassador)
        if value is not None:
            response = await submit(
                client, id_rating, visitor, {"value": value, "content": f"c{value}"}
            )
            assert response.status_code == 200
        ids.append(id_rating)
    return ids


async def test_ambassador_stats(
    client: httpx.AsyncClient, rated: list[int], ambassador: Person, manager: Person
) -> None:
    for caller in (ambassador, manager):
        response = await client.get(
            f"/chat/ambassadors/{ambassador.id}/stats", headers=caller.headers
        )
        assert response.status_code == 200
        stats = response.json()
        assert stats["nb_asked_ratings"] == 4
        assert stats["nb_ratings"] == 3
        assert stats["avg_rating"] == pytest.approx(3.67)
        assert stats["distribution"] == {"0": 0, "1": 0, "2": 1, "3": 0, "4": 1, "5": 1}
        assert stats["response_rate"] == 0.75
        assert stats["share_satisfied"] == pytest.approx(0.6667)
        # Wilson 95% lower bound of 2 satisfied out of 3, worked out by hand: 0.2077.
        assert stats["wilson_lower_bound"] == pytest.approx(0.2077, abs=1e-3)


async def test_stats_of_nobody_rated_are_empty_not_zero(
    client: httpx.AsyncClient, ambassador: Person
) -> None:
    stats = (
        await client.get(f"/chat/ambassadors/{ambassador.id}/stats", headers=ambassador.headers)
    ).json()
    assert stats["nb_asked_ratings"] == stats["nb_ratings"] == 0
    assert stats["avg_rating"] is stats["response_rate"] is stats["wilson_lower_bound"] is None


async def test_deleted_ratings_leave_the_stats(
    client: httpx.AsyncClient, rated: list[int], ambassador: Person, manager: Person
) -> None:
    await client.delete(f"/chat/ratings/{rated[2]}", headers=manager.headers)  # the 2
    stats = (
        await client.get(f"/chat/ambassadors/{ambassador.id}/stats", headers=manager.headers)
    ).json()
    assert (stats["nb_asked_ratings"], stats["nb_ratings"], stats["avg_rating"]) == (3, 2, 4.5)


def test_wilson_lower_bound_ranks_more_evidence_higher() -> None:
    assert wilson_lower_bound(0, 0) == 0.0
    assert wilson_lower_bound(1, 1) < wilson_lower_bound(90, 100) < wilson_lower_bound(950, 1000)
    assert 0 < wilson_lower_bound(5, 10) < 0.5


async def test_rating_list_filters_and_sorts(
    client: httpx.AsyncClient, rated: list[int], ambassador: Person, manager: Person
) -> None:
    def listed(**params: str) -> list[int]:
        return [r["id_rating"] for r in pages[tuple(sorted(params.items()))]["data"]]

    queries = [
        {},
        {"filter[status]": "pending"},
        {"filter[status]": "answered", "sort": "value"},
        {"filter[value]": "4,5"},
        {"filter[id_user_rated]": str(ambassador.id), "sort": "-value"},
    ]
    pages = {}
    for params in queries:
        response = await client.get("/chat/ratings", headers=manager.headers, params=params)
        assert response.status_code == 200, response.text
        pages[tuple(sorted(params.items()))] = response.json()
    assert listed() == list(reversed(rated))
    assert listed(**{"filter[status]": "pending"}) == [rated[3]]
    assert listed(**{"filter[status]": "answered", "sort": "value"}) == [
        rated[2],
        rated[1],
        rated[0],
    ]
    assert sorted(listed(**{"filter[value]": "4,5"})) == sorted(rated[:2])
    assert (
        listed(**{"filter[id_user_rated]": str(ambassador.id), "sort": "-value"})[:3] == rated[:3]
    )
    item = pages[()]["data"][0]
    assert {"id_rating", "id_chatroom", "id_message", "value", "content", "id_user_rater"} <= set(
        item
    )

    today = utcnow().date().isoformat()
    bounded = await client.get(
        "/chat/ratings",
        headers=manager.headers,
        params={"filter[date_from]": today, "filter[date_to]": today},
    )
    assert bounded.json()["total"] == 4
    backwards = await client.get(
        "/chat/ratings",
        headers=manager.headers,
        params={"filter[date_from]": today, "filter[date_to]": "2020-01-01"},
    )
    assert backwards.status_code == 422
    a_number = await client.get(
        "/chat/ratings",
        headers=manager.headers,
        params={"filter[date_from]": "1699920000"},  # 2023-11-14, midnight
    )
    assert a_number.status_code == 422
    assert a_number.json()["errors"] == {
        "filter[date_from]": ["The filter[date_from] field must be a date."]
    }
    wrong = await client.get(
        "/chat/ratings", headers=manager.headers, params={"filter[status]": "maybe"}
    )
    assert wrong.status_code == 422


async def test_csv_export_streams_every_matching_rating(
    client: httpx.AsyncClient, rated: list[int], manager: Person
) -> None:
    response = await client.get(
        "/chat/ratings/export", headers=manager.headers, params={"sort": "id_rating"}
    )
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [int(row["id_rating"]) for row in rows] == rated
    assert [row["value"] for row in rows] == ["5", "4", "2", ""]
    assert rows[0]["content"] == "c5"
    assert rows[0]["date_insert"].endswith("Z")
    answered = await client.get(
        "/chat/ratings/export", headers=manager.headers, params={"filter[status]": "answered"}
    )
    assert len(list(csv.DictReader(io.StringIO(answered.text)))) == 3


async def test_brand_stats_with_a_daily_series(
    client: httpx.AsyncClient, rated: list[int], manager: Person
) -> None:
    response = await client.get("/chat/ratings/stats", headers=manager.headers)
    assert response.status_code == 200
    stats = response.json()
    today = utcnow().date().isoformat()
    assert stats["date_to"] == today
    assert len(stats["series"]) == 30
    assert stats["series"][-1] == {
        "date": today,
        "nb_asked_ratings": 4,
        "nb_ratings": 3,
        "avg_rating": 3.67,
    }
    assert all(day["nb_asked_ratings"] == 0 for day in stats["series"][:-1])
    assert (stats["nb_asked_ratings"], stats["nb_ratings"]) == (4, 3)
    too_long = await client.get(
        "/chat/ratings/stats", headers=manager.headers, params={"filter[date_from]": "2020-01-01"}
    )
    assert too_long.status_code == 422


# Dates at the ends of the calendar (issue #11): every day the schema admits (0001-01-01 to
# 9999-12-31) answers 200; a range reaching past them is bounded by them.


@pytest.mark.parametrize(
    ("params", "total"),
    [
        ({"filter[date_to]": "9999-12-31"}, 4),
        ({"filter[date_from]": "0001-01-01", "filter[date_to]": "9999-12-31"}, 4),
        ({"filter[date_from]": "9999-12-31"}, 0),
        ({"filter[date_to]": "0001-01-01"}, 0),
    ],
)
async def test_report_dates_at_the_ends_of_the_calendar(
    client: httpx.AsyncClient,
    rated: list[int],
    ambassador: Person,
    manager: Person,
    params: dict[str, str],
    total: int,
) -> None:
    listed = await client.get("/chat/ratings", headers=manager.headers, params=params)
    assert listed.status_code == 200, listed.text
    assert listed.json()["total"] == total
    exported = await client.get("/chat/ratings/export", headers=manager.headers, params=params)
    assert exported.status_code == 200, exported.text
    assert len(list(csv.DictReader(io.StringIO(exported.text)))) == total
    mine = await client.get(
        f"/chat/ambassadors/{ambassador.id}/stats", headers=manager.headers, params=params
    )
    assert mine.status_code == 200, mine.text
    assert mine.json()["nb_asked_ratings"] == total


@pytest.mark.parametrize(
    ("params", "first", "last", "days"),
    [
        ({"filter[date_to]": "0001-01-01"}, "0001-01-01", "0001-01-01", 1),
        ({"filter[date_to]": "0001-01-10"}, "0001-01-01", "0001-01-10", 10),
        ({"filter[date_to]": "9999-12-31"}, "9999-12-02", "9999-12-31", 30),
        (
            {"filter[date_from]": "9999-12-31", "filter[date_to]": "9999-12-31"},
            "9999-12-31",
            "9999-12-31",
            1,
        ),
        (
            {"filter[date_from]": "0001-01-01", "filter[date_to]": "0001-12-31"},
            "0001-01-01",
            "0001-12-31",
            365,
        ),
    ],
)
async def test_brand_stats_at_the_ends_of_the_calendar(
    client: httpx.AsyncClient,
    manager: Person,
    params: dict[str, str],
    first: str,
    last: str,
    days: int,
) -> None:
    response = await client.get("/chat/ratings/stats", headers=manager.headers, params=params)
    assert response.status_code == 200, response.text
    stats = response.json()
    assert (stats["date_from"], stats["date_to"], len(stats["series"])) == (first, last, days)
    assert (stats["series"][0]["date"], stats["series"][-1]["date"]) == (first, last)


# CSV injection (issue #11): a comment that a spreadsheet would run as a formula. Cells that
# start with = + - @, a tab or a line break get a leading apostrophe (OWASP, "CSV Injection"),
# which spreadsheets do not show; separators and quotes stay inside their cell.
FORMULA_PAYLOADS = [
    '=HYPERLINK("http://x","y")',
    "=1+1",
    "+1+1",
    "-1+1",
    "@SUM(1+1)",
    "\t=1+1",
    "\r=1+1",
    "\n=1+1",
    "=cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "a,=1+1",
    "a;=1+1",
    '"=1+1',
    "'=1+1",
    " =1+1",
    'DDE("cmd";"/C calc";"!A0")A0',
    "+33 6 12 34 56 78",
]
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


async def test_csv_cells_never_start_a_formula(
    client: httpx.AsyncClient, world: World, brand: int, ambassador: Person, manager: Person
) -> None:
    for payload in FORMULA_PAYLOADS:
        visitor = await world.person(brand, status=7)
        room = await world.chatroom(visitor, ambassador)
        id_rating = await pending_request(client, room, ambassador)
        given = await submit(client, id_rating, visitor, {"value": 1, "content": payload})
        assert given.status_code == 200, given.text
    response = await client.get(
        "/chat/ratings/export", headers=manager.headers, params={"sort": "id_rating"}
    )
    assert response.status_code == 200
    header, *rows = list(csv.reader(io.StringIO(response.text, newline="")))
    assert len(rows) == len(FORMULA_PAYLOADS)
    content = header.index("content")
    for row, payload in zip(rows, FORMULA_PAYLOADS, strict=True):
        assert len(row) == len(header), row  # nothing leaked into another cell
        assert not row[content].startswith(FORMULA_STARTS), row[content]
        expected = "'" + payload if payload.startswith(FORMULA_STARTS) else payload
        assert row[content] == expected
    neutralised = [p for p in FORMULA_PAYLOADS if p.startswith(FORMULA_STARTS)]
    assert len(neutralised) == 11
