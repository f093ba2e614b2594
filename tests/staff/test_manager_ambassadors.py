"""`GET /manager/ambassadors` and `/manager/ambassadors/micro-resource`: the brand's people, for
its staff."""

from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from tests.support import Person, World, counted_queries, run_sql

PATH = "/manager/ambassadors"
MICRO = "/manager/ambassadors/micro-resource"


@dataclass(frozen=True)
class Shop:
    manager: Person
    ann: Person  # ambassador (0), customer id and email_tmp; in two chatrooms
    bob: Person  # expert (6), in one chatroom
    cat: Person  # ambassador awaiting approval (active 0)
    dan: Person  # administrator (2)
    eve: Person  # client (7), in one chatroom
    gus: Person  # expert (6), blocked (active -1), LIKE's wildcards in his last name

    @property
    def everyone(self) -> set[int]:
        return {p.id for p in (self.manager, self.ann, self.bob, self.cat, self.dan, self.eve)} | {
            self.gus.id
        }


@pytest.fixture
async def shop(world: World, app: FastAPI, brand: int, manager: Person) -> Shop:
    ann = await world.person(brand, status=0, name="Ann Smith")
    await run_sql(
        app,
        "UPDATE ambassador SET customer_id = 'CUST-42', email_tmp = 'ann.tmp@shop.example' "
        "WHERE id_ambassador = :id",
        {"id": ann.id},
    )
    bob = await world.person(brand, status=6, name="Bob Jones")
    cat = await world.person(brand, status=0, active=0, name="Cat Lee")
    dan = await world.person(brand, status=2, name="Dan Admin")
    eve = await world.person(brand, status=7, name="Eve Shopper")
    gus = await world.person(brand, status=6, active=-1, name="Gus 100%_off")
    await world.chatroom(ann, eve)
    await world.chatroom(ann, bob)
    # Another brand's people are never listed, even with the same names.
    elsewhere = await world.brand()
    await world.person(elsewhere, status=0, name="Ann Smith")
    return Shop(manager, ann, bob, cat, dan, eve, gus)


async def listed(client: httpx.AsyncClient, shop: Shop, **params: Any) -> list[int]:
    response = await client.get(PATH, headers=shop.manager.headers, params=params)
    assert response.status_code == 200, response.text
    page = response.json()
    assert page["total"] == len(page["data"])
    return [person["id_ambassador"] for person in page["data"]]


async def test_staff_list_every_person_of_their_brand_with_their_numbers(
    client: httpx.AsyncClient, shop: Shop
) -> None:
    response = await client.get(PATH, headers=shop.manager.headers)
    assert response.status_code == 200, response.text
    page = response.json()
    assert {"current_page", "data", "links", "per_page", "total", "last_page"} <= set(page)
    by_id = {person["id_ambassador"]: person for person in page["data"]}
    assert set(by_id) == shop.everyone
    ann = by_id[shop.ann.id]
    assert (ann["firstname"], ann["lastname"], ann["customer_id"]) == ("Ann", "Smith", "CUST-42")
    assert ann["role"] == ["ambassador"]
    assert by_id[shop.dan.id]["role"] == ["administrator"]
    assert by_id[shop.eve.id]["role"] == ["client"]
    conversations = {id_: person["nb_conversations"] for id_, person in by_id.items()}
    assert conversations == {
        shop.manager.id: 0,
        shop.ann.id: 2,
        shop.bob.id: 1,
        shop.cat.id: 0,
        shop.dan.id: 0,
        shop.eve.id: 1,
        shop.gus.id: 0,
    }
    # What Salon has no source for.
    for person in page["data"]:
        assert person["suspicious"] is False
        assert person["suspicious_date"] is None
        assert person["sponsor"] is None
        assert person["nb_sales"] == person["nb_purchases"] == person["sell_token_amount"] == 0
    # The caller's own request made them online.
    assert by_id[shop.manager.id]["online"] is True


async def test_every_filter(client: httpx.AsyncClient, shop: Shop) -> None:
    s = shop
    cases: list[tuple[dict[str, Any], set[int]]] = [
        ({"filter[ambassador_search]": "ann"}, {s.ann.id}),
        ({"filter[ambassador_search]": "SMITH"}, {s.ann.id}),
        ({"filter[ambassador_search]": "ann smith"}, {s.ann.id}),
        ({"filter[ambassador_search]": "cust-4"}, {s.ann.id}),
        ({"filter[ambassador_search]": "tmp@shop"}, {s.ann.id}),
        ({"filter[ambassador_search]": f"person{s.bob.id}"[:6]}, s.everyone),  # emails
        # LIKE's wildcards are taken literally.
        ({"filter[ambassador_search]": "%"}, {s.gus.id}),
        ({"filter[ambassador_search]": "0%_o"}, {s.gus.id}),
        ({"filter[ambassador_search]": "_"}, {s.gus.id}),
        ({"filter[ambassador_search]": "zzz"}, set()),
        ({"filter[has_role]": "administrator"}, {s.dan.id}),
        ({"filter[has_role]": "manager"}, {s.manager.id}),
        ({"filter[has_role]": "expert"}, {s.bob.id, s.gus.id}),
        ({"filter[has_role]": "shop_manager"}, set()),
        ({"filter[active]": "0"}, {s.cat.id}),
        ({"filter[active]": "-1"}, {s.gus.id}),
        ({"filter[active]": "-5"}, set()),
        ({"filter[status]": "0"}, {s.ann.id, s.cat.id}),
        ({"filter[status]": "2,7"}, {s.dan.id, s.eve.id}),
        ({"filter[manager_users_only]": "true"}, {s.manager.id, s.dan.id}),
        ({"filter[manager_users_only]": "false"}, s.everyone),
        ({"filter[manager_users_only]": "true", "filter[status]": "2,6"}, {s.dan.id}),
        ({"filter[manager_users_only]": "true", "filter[has_role]": "expert"}, set()),
        ({"filter[has_role]": "ambassador", "filter[active]": "1"}, {s.ann.id}),
        ({"filter[suspicious]": "true"}, set()),
        ({"filter[suspicious]": "false"}, s.everyone),
        ({"filter[quarantine]": "true"}, set()),
        ({"filter[quarantine]": "false"}, s.everyone),
    ]
    for params, expected in cases:
        assert set(await listed(client, shop, **params)) == expected, params


async def test_sorts(client: httpx.AsyncClient, shop: Shop) -> None:
    s = shop
    ids = sorted(s.everyone)
    assert await listed(client, s) == ids  # default: id_ambassador
    assert await listed(client, s, sort="-id_ambassador") == ids[::-1]
    # The manager's first name is First<n>.
    assert await listed(client, s, sort="firstname") == [
        s.ann.id,
        s.bob.id,
        s.cat.id,
        s.dan.id,
        s.eve.id,
        s.manager.id,
        s.gus.id,
    ]
    # People without the value come last either way; ties go by id in the same direction.
    assert (await listed(client, s, sort="customer_id"))[0] == s.ann.id
    assert (await listed(client, s, sort="-customer_id"))[0] == s.ann.id
    by_conversations = await listed(client, s, sort="-nb_conversations")
    assert by_conversations[:3] == [s.ann.id, *sorted([s.bob.id, s.eve.id], reverse=True)]
    assert (await listed(client, s, sort="nb_conversations"))[-1] == s.ann.id
    by_status = await listed(client, s, sort="-status")
    assert by_status[0] == s.eve.id
    assert by_status[-2:] == sorted([s.ann.id, s.cat.id], reverse=True)
    assert (await listed(client, s, sort="active"))[:2] == [s.gus.id, s.cat.id]
    # Values Salon has no source for: accepted, by id.
    for field in ("gamification_score", "nb_sales", "pertinence", "sell_token_amount"):
        assert await listed(client, s, sort=field) == ids, field
        assert await listed(client, s, sort=f"-{field}") == ids[::-1], field


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"sort": "name"}, "sort"),
        ({"sort": "--email"}, "sort"),
        ({"filter[active]": "2"}, "filter[active]"),
        ({"filter[active]": "-6"}, "filter[active]"),
        ({"filter[active]": "-0"}, "filter[active]"),
        ({"filter[status]": "9"}, "filter[status]"),
        ({"filter[status]": "1,,2"}, "filter[status]"),
        ({"filter[has_role]": "boss"}, "filter[has_role]"),
        ({"filter[has_role]": "Administrator"}, "filter[has_role]"),
        ({"filter[suspicious]": "maybe"}, "filter[suspicious]"),
        ({"filter[quarantine]": "2"}, "filter[quarantine]"),
        ({"filter[manager_users_only]": "yes"}, "filter[manager_users_only]"),
        ({"filter[ambassador_search]": "x" * 256}, "filter[ambassador_search]"),
        ({"per_page": "101"}, "per_page"),
    ],
)
async def test_a_bad_query_is_a_422(
    client: httpx.AsyncClient, manager: Person, params: dict[str, str], field: str
) -> None:
    for path in (PATH, MICRO) if field in ("filter[status]", "per_page") else (PATH,):
        response = await client.get(path, headers=manager.headers, params=params)
        assert response.status_code == 422, response.text
        assert set(response.json()) == {"message", "errors"}
        assert field in response.json()["errors"]


async def test_only_staff_of_the_brand(client: httpx.AsyncClient, world: World, shop: Shop) -> None:
    for path in (PATH, MICRO):
        unsigned = await client.get(path)
        assert (unsigned.status_code, unsigned.json()) == (401, {"message": "Unauthorized."})
        for person in (shop.ann, shop.bob, shop.eve):
            refused = await client.get(path, headers=person.headers)
            assert refused.status_code == 403
            assert refused.json() == {
                "message": "Forbidden - You don't have permission to access this route"
            }
        assert (await client.get(path, headers=shop.dan.headers)).status_code == 200
        foreign = await world.person(await world.brand(), status=5)
        theirs = (await client.get(path, headers=foreign.headers)).json()
        assert [p["id_ambassador"] for p in theirs["data"]] == [foreign.id]


async def test_the_micro_resource(client: httpx.AsyncClient, shop: Shop) -> None:
    response = await client.get(MICRO, headers=shop.manager.headers)
    assert response.status_code == 200, response.text
    page = response.json()
    assert [p["id_ambassador"] for p in page["data"]] == sorted(shop.everyone)
    assert set(page["data"][0]) == {
        "id_ambassador",
        "image",
        "firstname",
        "lastname",
        "username",
        "email",
        "email_tmp",
        "active",
        "status",
        "online",
        "last_action_date",
        "customer_id",
        "anonymized",
    }
    experts = await client.get(MICRO, headers=shop.manager.headers, params={"filter[status]": "6"})
    assert [p["id_ambassador"] for p in experts.json()["data"]] == sorted(
        [shop.bob.id, shop.gus.id]
    )
    second = await client.get(
        MICRO, headers=shop.manager.headers, params={"per_page": 2, "page": 2}
    )
    assert [p["id_ambassador"] for p in second.json()["data"]] == sorted(shop.everyone)[2:4]
    assert second.json()["total"] == 7
    # `micro-resource` is no id: the decisions' paths do not take it.
    taken = await client.patch(f"{PATH}/micro-resource/approve", headers=shop.manager.headers)
    assert taken.status_code == 404


async def test_a_page_of_50_costs_what_a_page_of_7_does(
    app: FastAPI, client: httpx.AsyncClient, world: World, brand: int, shop: Shop
) -> None:
    """`nb_conversations` of a whole page is computed in the page's statement."""
    await listed(client, shop)  # the caller's first request also records their last action
    with counted_queries(app) as few:
        await listed(client, shop, per_page=50, sort="-nb_conversations")
    for _ in range(45):
        someone = await world.person(brand)
        await world.chatroom(someone, shop.eve)
    with counted_queries(app) as many:
        page = await client.get(
            PATH, headers=shop.manager.headers, params={"per_page": 50, "sort": "-nb_conversations"}
        )
    data = page.json()["data"]
    assert len(data) == 50
    assert data[0]["id_ambassador"] == shop.eve.id
    assert data[0]["nb_conversations"] == 46
    # token + caller, count, page
    assert len(many) == len(few) == 3, many
