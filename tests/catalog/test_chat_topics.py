"""`/manager/chat-topics`: what waiting-list requests are about, with i18n contents, for the
brand's staff."""

from datetime import datetime
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from tests.support import Person, World, counted_queries, run_sql

PATH = "/manager/chat-topics"


def body(label: str = "Product advice", **fields: Any) -> dict[str, Any]:
    return {
        "active": True,
        "position": 1,
        "color": "#ff0000",
        "contents": [
            {"lang": "en_GB", "content": label},
            {"lang": "fr_FR", "content": f"{label} (fr)"},
        ],
        **fields,
    }


async def create(client: httpx.AsyncClient, manager: Person, **fields: Any) -> dict[str, Any]:
    response = await client.post(PATH, headers=manager.headers, json=body(**fields))
    assert response.status_code == 201, response.text
    topic: dict[str, Any] = response.json()
    return topic


async def listed(client: httpx.AsyncClient, manager: Person, **params: Any) -> list[int]:
    response = await client.get(PATH, headers=manager.headers, params=params)
    assert response.status_code == 200, response.text
    page = response.json()
    assert page["total"] == len(page["data"])
    return [topic["id_chat_topic"] for topic in page["data"]]


async def test_staff_create_a_topic_and_get_it(client: httpx.AsyncClient, manager: Person) -> None:
    topic = await create(client, manager, roles=["seller", "administrator"], position=3)
    assert topic["color"] == "#FF0000"
    assert topic["roles"] == ["administrator", "seller"]  # in the order of the status enum
    assert (topic["position"], topic["active"]) == (3, True)
    assert [(c["lang"], c["content"]) for c in topic["contents"]] == [
        ("en_GB", "Product advice"),
        ("fr_FR", "Product advice (fr)"),
    ]
    assert topic["date_insert"] == topic["date_update"]
    assert topic["date_insert"].endswith("Z")
    one = await client.get(f"{PATH}/{topic['id_chat_topic']}", headers=manager.headers)
    assert one.status_code == 200, one.text
    assert one.json() == topic
    assert (await create(client, manager, label="Other"))["roles"] == []


async def test_patch_changes_what_is_sent(client: httpx.AsyncClient, manager: Person) -> None:
    topic = await create(client, manager)
    path = f"{PATH}/{topic['id_chat_topic']}"
    en_id = topic["contents"][0]["id_i18n_content"]

    response = await client.patch(path, headers=manager.headers, json={"active": False})
    assert response.status_code == 200, response.text
    changed = response.json()
    assert changed["active"] is False
    assert datetime.fromisoformat(changed["date_update"]) > datetime.fromisoformat(
        topic["date_update"]
    )
    assert changed | {"active": True, "date_update": topic["date_update"]} == topic

    contents = [{"lang": "es_ES", "content": "Consejo"}, {"lang": "en_GB", "content": "Advice"}]
    fields = {"contents": contents, "color": "#00aa11", "position": 0, "roles": ["expert"]}
    response = await client.patch(path, headers=manager.headers, json=fields)
    assert response.status_code == 200, response.text
    changed = response.json()
    assert [(c["lang"], c["content"]) for c in changed["contents"]] == [
        ("es_ES", "Consejo"),
        ("en_GB", "Advice"),
    ]
    assert changed["contents"][1]["id_i18n_content"] == en_id
    assert (changed["color"], changed["position"], changed["roles"]) == ("#00AA11", 0, ["expert"])
    assert changed["active"] is False
    response = await client.patch(path, headers=manager.headers, json={"roles": []})
    assert response.json()["roles"] == []
    assert (await client.get(path, headers=manager.headers)).json() == response.json()


async def test_sort_and_filters(client: httpx.AsyncClient, manager: Person) -> None:
    sale = (await create(client, manager, label="50% off", position=2))["id_chat_topic"]
    advice = (await create(client, manager, label="Product ADVICE", position=1))["id_chat_topic"]
    off = await create(client, manager, label="500 off_line", position=3, active=False)
    old = off["id_chat_topic"]
    assert await listed(client, manager) == [advice, sale, old]  # by position
    assert await listed(client, manager, sort="-position") == [old, sale, advice]
    assert await listed(client, manager, sort="id_chat_topic") == [sale, advice, old]
    assert await listed(client, manager, sort="-id_chat_topic") == [old, advice, sale]
    assert await listed(client, manager, **{"filter[active]": "true"}) == [advice, sale]
    assert await listed(client, manager, **{"filter[active]": "1"}) == [advice, sale]
    assert await listed(client, manager, **{"filter[active]": "false"}) == [old]
    assert await listed(client, manager, **{"filter[active]": "0"}) == [old]

    def search(text: str) -> dict[str, str]:
        return {"filter[chat_topic_search]": text}

    assert await listed(client, manager, **search("advice")) == [advice]
    assert await listed(client, manager, **search("(FR)")) == [advice, sale, old]
    # LIKE's wildcards are taken literally.
    assert await listed(client, manager, **search("50%")) == [sale]
    assert await listed(client, manager, **search("0_l")) == []
    assert await listed(client, manager, **search("f_l")) == [old]
    assert await listed(client, manager, **search("%")) == [sale]
    assert await listed(client, manager, **search("nothing")) == []
    assert await listed(client, manager, **search("")) == [advice, sale, old]
    both = {**search("off"), "filter[active]": "true"}
    assert await listed(client, manager, **both) == [sale]


BAD = [
    ({"color": "red"}, "color"),
    ({"color": "#FFF"}, "color"),
    ({"color": "#GGGGGG"}, "color"),
    ({"color": "#FF00001"}, "color"),
    ({"position": -1}, "position"),
    ({"position": 2147483648}, "position"),
    ({"position": 1.5}, "position"),
    ({"position": "1"}, "position"),
    ({"active": "true"}, "active"),
    ({"active": 1}, "active"),
    ({"contents": []}, "contents"),
    (
        {"contents": [{"lang": "fr_FR", "content": "a"}, {"lang": "fr_FR", "content": "b"}]},
        "contents",
    ),
    ({"contents": [{"lang": "french", "content": "a"}]}, "contents.0.lang"),
    (
        {"contents": [{"lang": "fr_FR", "content": "a", "id_i18n_content": 1}]},
        "contents.0.id_i18n_content",
    ),
    ({"roles": ["seller", "seller"]}, "roles"),
    ({"roles": ["boss"]}, "roles.0"),
    ({"roles": None}, "roles"),
    ({"id_brand": 1}, "id_brand"),
]


@pytest.mark.parametrize(("fields", "field"), BAD)
async def test_a_bad_create_is_a_422_and_creates_nothing(
    app: FastAPI, client: httpx.AsyncClient, manager: Person, fields: dict[str, Any], field: str
) -> None:
    response = await client.post(PATH, headers=manager.headers, json=body(**fields))
    assert response.status_code == 422, response.text
    assert set(response.json()) == {"message", "errors"}
    assert field in response.json()["errors"], response.json()
    assert await listed(client, manager) == []
    assert (await run_sql(app, "SELECT count(*) FROM i18n_content"))[0][0] == 0


@pytest.mark.parametrize("missing", ["active", "position", "color", "contents"])
async def test_create_requires_its_fields(
    client: httpx.AsyncClient, manager: Person, missing: str
) -> None:
    sent = body()
    del sent[missing]
    response = await client.post(PATH, headers=manager.headers, json=sent)
    assert response.status_code == 422, response.text
    assert missing in response.json()["errors"]


@pytest.mark.parametrize(
    ("patch", "field"),
    [*BAD, ({}, "active"), ({"color": None}, "color"), ({"contents": None}, "contents")],
)
async def test_a_bad_update_is_a_422_and_changes_nothing(
    client: httpx.AsyncClient, manager: Person, patch: dict[str, Any], field: str
) -> None:
    topic = await create(client, manager)
    path = f"{PATH}/{topic['id_chat_topic']}"
    response = await client.patch(path, headers=manager.headers, json=patch)
    assert response.status_code == 422, response.text
    assert field in response.json()["errors"], response.json()
    assert (await client.get(path, headers=manager.headers)).json() == topic


@pytest.mark.parametrize(
    "params",
    [
        {"sort": "color"},
        {"filter[active]": "yes"},
        {"filter[chat_topic_search]": "x" * 256},
        {"per_page": "101"},
    ],
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
    topic = await create(client, manager)
    path = f"{PATH}/{topic['id_chat_topic']}"
    for method, url, sent in (
        ("GET", PATH, None),
        ("POST", PATH, body()),
        ("GET", path, None),
        ("PATCH", path, {"active": False}),
    ):
        unsigned = await client.request(method, url, json=sent)
        assert (unsigned.status_code, unsigned.json()) == (401, {"message": "Unauthorized."})
        for person in (ambassador, visitor):
            refused = await client.request(method, url, headers=person.headers, json=sent)
            assert refused.status_code == 403, (method, url)

    foreign = await world.person(await world.brand(), status=4)
    for method, sent in (("GET", None), ("PATCH", {"active": False})):
        elsewhere = await client.request(method, path, headers=foreign.headers, json=sent)
        assert (elsewhere.status_code, elsewhere.json()) == (
            404,
            {"message": "Not found - The chat topic does not exist"},
        )
    assert (await client.get(PATH, headers=foreign.headers)).json()["total"] == 0
    assert (await client.get(f"{PATH}/2147483647", headers=manager.headers)).status_code == 404
    assert (await client.get(path, headers=manager.headers)).json() == topic


async def test_a_page_of_50_costs_what_a_page_of_1_does(
    app: FastAPI, client: httpx.AsyncClient, manager: Person
) -> None:
    await create(client, manager, label="topic 0")
    await listed(client, manager)  # the caller's first request also records their last action
    with counted_queries(app) as few:
        await listed(client, manager, per_page=50)
    for n in range(1, 50):
        await create(client, manager, label=f"topic {n}", position=n)
    with counted_queries(app) as many:
        page = await client.get(
            PATH,
            headers=manager.headers,
            params={"per_page": 50, "filter[chat_topic_search]": "topic"},
        )
    data = page.json()["data"]
    assert len(data) == 50
    assert all(len(topic["contents"]) == 2 for topic in data)
    # token + caller, count, page, i18n items
    assert len(many) == len(few) == 4, many
