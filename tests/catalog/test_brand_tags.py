"""`/manager/brand-tags`: the brand's tags, with their i18n names and images and their members,
for its staff."""

from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from salon.provisioning.service import create_brand_tag
from tests.support import Person, World, counted_queries, run_sql

PATH = "/manager/brand-tags"
IMAGE = "https://cdn.example.com/experts.png"


def body(name: str = "Experts", **fields: Any) -> dict[str, Any]:
    return {
        "visibility_chat": 1,
        "names": [{"lang": "en_GB", "content": name}, {"lang": "fr_FR", "content": f"{name} FR"}],
        **fields,
    }


async def create(client: httpx.AsyncClient, manager: Person, **fields: Any) -> dict[str, Any]:
    response = await client.post(PATH, headers=manager.headers, json=body(**fields))
    assert response.status_code == 201, response.text
    tag: dict[str, Any] = response.json()
    return tag


async def listed(client: httpx.AsyncClient, manager: Person, **params: Any) -> list[int]:
    response = await client.get(PATH, headers=manager.headers, params=params)
    assert response.status_code == 200, response.text
    return [tag["id_brand_tag"] for tag in response.json()["data"]]


async def content_rows(app: FastAPI) -> int:
    return int((await run_sql(app, "SELECT count(*) FROM i18n_content"))[0][0])


async def test_staff_create_a_tag_and_list_it_with_its_members(
    client: httpx.AsyncClient, world: World, brand: int, manager: Person
) -> None:
    images = [{"lang": "en_GB", "content": IMAGE}]
    tag = await create(client, manager, visibility_chat=2, images=images)
    assert tag["visibility_chat"] == 2
    assert tag["name"] == "Experts"  # the first of the names
    assert tag["image"] == IMAGE
    assert [(n["lang"], n["content"]) for n in tag["names"]] == [
        ("en_GB", "Experts"),
        ("fr_FR", "Experts FR"),
    ]
    assert all(isinstance(n["id_i18n_content"], int) for n in tag["names"] + tag["images"])
    assert tag["members"] == []

    first, second = await world.person(brand), await world.person(brand, status=6)
    await world.tag_members(tag["id_brand_tag"], second, first)
    page = (await client.get(PATH, headers=manager.headers)).json()
    assert page["total"] == 1
    (shown,) = page["data"]
    assert shown | {"members": []} == tag
    assert [m["id_ambassador"] for m in shown["members"]] == sorted([first.id, second.id])
    assert {"firstname", "status", "online", "last_action_date"} <= set(shown["members"][0])

    # The group chatroom a tag opens still works on a tag made through the API.
    opened = await client.post(
        "/chat/chatrooms",
        headers=first.headers,
        json={"id_brand_tag": tag["id_brand_tag"], "source": 0},
    )
    assert opened.status_code == 201, opened.text
    people = await client.get(
        "/chat/ambassadors",
        headers=first.headers,
        params={"filter[brand_tag]": tag["id_brand_tag"]},
    )
    assert {p["id_ambassador"] for p in people.json()["data"]} == {first.id, second.id}


async def test_a_tag_made_outside_the_api_shows_its_name_and_no_items(
    client: httpx.AsyncClient, world: World, brand: int, manager: Person
) -> None:
    async with world.database.transaction() as tx:
        made = await create_brand_tag(tx, brand, "VIP")
    (tag,) = (await client.get(PATH, headers=manager.headers)).json()["data"]
    assert tag["id_brand_tag"] == made.id_brand_tag
    assert (tag["name"], tag["image"], tag["names"], tag["images"]) == ("VIP", None, [], [])
    assert tag["visibility_chat"] == 1


async def test_members_are_capped_at_twenty(
    client: httpx.AsyncClient, world: World, brand: int, manager: Person
) -> None:
    tag = await create(client, manager)
    people = [await world.person(brand) for _ in range(22)]
    await world.tag_members(tag["id_brand_tag"], *people)
    (shown,) = (await client.get(PATH, headers=manager.headers)).json()["data"]
    assert [m["id_ambassador"] for m in shown["members"]] == sorted(p.id for p in people)[:20]


async def test_patch_changes_what_is_sent_and_keeps_the_ids_of_kept_languages(
    client: httpx.AsyncClient, manager: Person
) -> None:
    tag = await create(client, manager, images=[{"lang": "en_GB", "content": IMAGE}])
    path = f"{PATH}/{tag['id_brand_tag']}"
    fr_id = tag["names"][1]["id_i18n_content"]

    names = [{"lang": "fr_FR", "content": "Experts !"}, {"lang": "de_DE", "content": "Experten"}]
    response = await client.patch(path, headers=manager.headers, json={"names": names})
    assert response.status_code == 200, response.text
    changed = response.json()
    assert changed["name"] == "Experts !"
    assert [(n["lang"], n["content"]) for n in changed["names"]] == [
        ("fr_FR", "Experts !"),
        ("de_DE", "Experten"),
    ]
    assert changed["names"][0]["id_i18n_content"] == fr_id  # en_GB is gone, fr_FR kept its id
    assert changed["images"] == tag["images"]
    assert changed["visibility_chat"] == 1

    response = await client.patch(path, headers=manager.headers, json={"visibility_chat": 2})
    assert response.json() | {"visibility_chat": 1} == changed
    response = await client.patch(path, headers=manager.headers, json={"images": []})
    assert (response.json()["image"], response.json()["images"]) == (None, [])
    (listed_tag,) = (await client.get(PATH, headers=manager.headers)).json()["data"]
    assert listed_tag == response.json()


async def test_sort_and_the_visibility_filter(client: httpx.AsyncClient, manager: Person) -> None:
    one = (await create(client, manager, name="a", visibility_chat=2))["id_brand_tag"]
    two = (await create(client, manager, name="b", visibility_chat=1))["id_brand_tag"]
    three = (await create(client, manager, name="c", visibility_chat=2))["id_brand_tag"]
    assert await listed(client, manager) == [one, two, three]
    assert await listed(client, manager, sort="-id_brand_tag") == [three, two, one]
    assert await listed(client, manager, sort="visibility_chat") == [two, one, three]
    assert await listed(client, manager, sort="-visibility_chat") == [three, one, two]
    assert await listed(client, manager, **{"filter[visibility_chat]": "2"}) == [one, three]
    assert await listed(client, manager, **{"filter[visibility_chat]": "1"}) == [two]
    page = await client.get(PATH, headers=manager.headers, params={"per_page": 2, "page": 2})
    assert (page.json()["total"], len(page.json()["data"])) == (3, 1)


BAD_CREATES = [
    ({"names": [{"lang": "en_GB", "content": "a"}, {"lang": "en_GB", "content": "b"}]}, "names"),
    ({"names": [{"lang": "en-GB", "content": "a"}]}, "names.0.lang"),
    ({"names": [{"lang": "EN_gb", "content": "a"}]}, "names.0.lang"),
    ({"names": [{"lang": "en_GB", "content": ""}]}, "names.0.content"),
    ({"names": [{"lang": "en_GB", "content": "x" * 256}]}, "names.0.content"),
    ({"names": [{"lang": "en_GB", "content": 5}]}, "names.0.content"),
    ({"names": [{"lang": "en_GB"}]}, "names.0.content"),
    ({"names": [{"lang": "en_GB", "content": "   "}]}, "names.0.content"),
    ({"names": []}, "names"),
    ({"names": None}, "names"),
    ({"images": [{"lang": "en_GB", "content": "javascript:alert(1)"}]}, "images.0.content"),
    ({"images": [{"lang": "en_GB", "content": IMAGE}] * 2}, "images"),
    ({"images": None}, "images"),
    ({"visibility_chat": 3}, "visibility_chat"),
    ({"visibility_chat": 0}, "visibility_chat"),
    ({"visibility_chat": "1"}, "visibility_chat"),
    ({"visibility_chat": True}, "visibility_chat"),
    ({"members": []}, "members"),
]


@pytest.mark.parametrize(("fields", "field"), BAD_CREATES)
async def test_a_bad_create_is_a_422_and_creates_nothing(
    app: FastAPI, client: httpx.AsyncClient, manager: Person, fields: dict[str, Any], field: str
) -> None:
    response = await client.post(PATH, headers=manager.headers, json=body(**fields))
    assert response.status_code == 422, response.text
    assert set(response.json()) == {"message", "errors"}
    assert field in response.json()["errors"], response.json()
    assert await listed(client, manager) == []
    assert await content_rows(app) == 0


async def test_a_name_taken_is_a_422_on_create_and_on_update(
    app: FastAPI, client: httpx.AsyncClient, manager: Person
) -> None:
    await create(client, manager, name="Experts")
    other = await create(client, manager, name="Sellers")
    before = await content_rows(app)
    for taken in ("Experts", "  Experts "):  # a name is kept without its surrounding spaces
        again = await client.post(PATH, headers=manager.headers, json=body(taken))
        assert again.status_code == 422, again.text
        assert again.json()["errors"] == {"names": ["The brand already has a tag with this name."]}
    names = [{"lang": "en_GB", "content": "Experts"}]
    renamed = await client.patch(
        f"{PATH}/{other['id_brand_tag']}", headers=manager.headers, json={"names": names}
    )
    assert renamed.status_code == 422, renamed.text
    assert "names" in renamed.json()["errors"]
    assert len(await listed(client, manager)) == 2
    assert await content_rows(app) == before
    (still,) = [
        t
        for t in (await client.get(PATH, headers=manager.headers)).json()["data"]
        if t["id_brand_tag"] == other["id_brand_tag"]
    ]
    assert still == other


@pytest.mark.parametrize(
    ("patch", "field"),
    [
        ({}, "visibility_chat"),
        ({"names": None}, "names"),
        ({"visibility_chat": None}, "visibility_chat"),
        ({"names": [{"lang": "fr_FR", "content": "a"}] * 2}, "names"),
        ({"name": "Experts"}, "name"),
    ],
)
async def test_a_bad_update_is_a_422_and_changes_nothing(
    client: httpx.AsyncClient, manager: Person, patch: dict[str, Any], field: str
) -> None:
    tag = await create(client, manager)
    path = f"{PATH}/{tag['id_brand_tag']}"
    response = await client.patch(path, headers=manager.headers, json=patch)
    assert response.status_code == 422, response.text
    assert field in response.json()["errors"], response.json()
    assert (await client.get(PATH, headers=manager.headers)).json()["data"] == [tag]


@pytest.mark.parametrize(
    "params",
    [{"sort": "name"}, {"filter[visibility_chat]": "3"}, {"filter[visibility_chat]": "x"}],
)
async def test_a_bad_query_is_a_422(
    client: httpx.AsyncClient, manager: Person, params: dict[str, str]
) -> None:
    response = await client.get(PATH, headers=manager.headers, params=params)
    assert response.status_code == 422, response.text
    assert set(response.json()["errors"]) == set(params)


async def test_only_staff_of_the_brand(
    client: httpx.AsyncClient, world: World, manager: Person, ambassador: Person, visitor: Person
) -> None:
    tag = await create(client, manager)
    path = f"{PATH}/{tag['id_brand_tag']}"
    unsigned = await client.get(PATH)
    assert (unsigned.status_code, unsigned.json()) == (401, {"message": "Unauthorized."})
    assert (await client.post(PATH, json=body("x"))).status_code == 401
    assert (await client.patch(path, json={"visibility_chat": 2})).status_code == 401
    for person in (ambassador, visitor):
        assert (await client.get(PATH, headers=person.headers)).status_code == 403
        made = await client.post(PATH, headers=person.headers, json=body("x"))
        assert made.status_code == 403
        changed = await client.patch(path, headers=person.headers, json={"visibility_chat": 2})
        assert changed.status_code == 403
        assert changed.json() == {
            "message": "Forbidden - You don't have permission to access this route"
        }

    foreign = await world.person(await world.brand(), status=2)
    elsewhere = await client.patch(path, headers=foreign.headers, json={"visibility_chat": 2})
    assert (elsewhere.status_code, elsewhere.json()) == (
        404,
        {"message": "Not found - The brand tag does not exist"},
    )
    assert (await client.get(PATH, headers=foreign.headers)).json()["total"] == 0
    missing = await client.patch(
        f"{PATH}/2147483647", headers=manager.headers, json={"visibility_chat": 2}
    )
    assert missing.status_code == 404
    assert (await client.get(PATH, headers=manager.headers)).json()["data"] == [tag]


async def test_a_page_of_50_costs_what_a_page_of_1_does(
    app: FastAPI, client: httpx.AsyncClient, world: World, brand: int, manager: Person
) -> None:
    """Names, images and members of a whole page: one query for the i18n items, one for the
    members."""
    people = [await world.person(brand) for _ in range(3)]
    first = await create(
        client, manager, name="tag 0", images=[{"lang": "en_GB", "content": IMAGE}]
    )
    await world.tag_members(first["id_brand_tag"], *people)
    await listed(client, manager)  # the caller's first request also records their last action
    with counted_queries(app) as few:
        await listed(client, manager, per_page=50)
    for n in range(1, 50):
        tag = await create(
            client, manager, name=f"tag {n}", images=[{"lang": "de_DE", "content": IMAGE}]
        )
        await world.tag_members(tag["id_brand_tag"], people[n % 3])
    with counted_queries(app) as many:
        page = await client.get(PATH, headers=manager.headers, params={"per_page": 50})
    data = page.json()["data"]
    assert len(data) == 50
    assert all(len(tag["names"]) == 2 and tag["image"] == IMAGE for tag in data)
    assert sum(len(tag["members"]) for tag in data) == 3 + 49
    # token + caller, count, page, i18n items, members
    assert len(many) == len(few) == 5, many
