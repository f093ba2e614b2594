"""Every route that names an object, for every kind of caller: the expected status.

No token, an invalid or revoked token: 401. Staff of another brand: 404 (nothing of another
brand is ever readable or writable, nor is its existence confirmed). Someone of the brand with
no business there: 403. The person the route is for: 2xx."""

from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from tests.api.scene import build_scene
from tests.support import Person, Scene, World


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    body: Any
    allowed: str  # the scene's person the route is for
    status: int  # their status
    outsider: int = 403  # a same-brand person with no business there

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


ROUTES = [
    Route("GET", "/chat/chatrooms/{c}", None, "ambassador", 200),
    Route("POST", "/chat/chatrooms/{c}/ratings", {"id_user_rater": "{a}"}, "visitor", 201),
    Route("PATCH", "/chat/ratings/{r}", {"value": 5}, "visitor", 200),
    Route("DELETE", "/chat/ratings/{r}", None, "manager", 200),
    Route("GET", "/chat/chatrooms/{c}/messages", None, "ambassador", 200),
    Route(
        "POST",
        "/chat/chatrooms/{c}/messages",
        {"id_ambassador": "{me}", "content": "hi", "type_message": 0},
        "visitor",
        201,
    ),
    Route("GET", "/chat/messages/{m}", None, "visitor", 200),
    Route("PATCH", "/chat/messages/{m}", {"content": "edited"}, "ambassador", 200),
    Route("POST", "/chat/chatrooms/{c}/ambassadors/{a}/read", None, "ambassador", 200),
    Route(
        "PATCH",
        "/chat/chatrooms/{c}/ambassadors/{a}/block",
        {"is_blocked": True},
        "ambassador",
        200,
    ),
    Route(
        "PATCH", "/chat/chatrooms/{c}/ambassadors/{a}/archive", {"archive": True}, "ambassador", 200
    ),
    Route("PATCH", "/chat/chatrooms/{c}/ambassadors/{a}/flag", {"flag": 1}, "ambassador", 200),
    Route("PATCH", "/chat/ambassadors/{a}", {"email_tmp": "new@example.com"}, "ambassador", 200),
    Route("GET", "/chat/ambassadors/{a}/chatrooms", None, "ambassador", 200),
    Route("GET", "/chat/ambassadors/{a}/stats", None, "ambassador", 200),
]

# Routes that name no object: another brand's staff gets its own (empty) brand, not a 404.
BRAND_ROUTES = [
    Route("GET", "/chat/ambassadors", None, "ambassador", 200, outsider=200),
    Route(
        "POST", "/chat/chatrooms", {"ids_ambassadors": ["{a}", "{v}"], "source": 0}, "visitor", 200
    ),
    Route(
        "POST", "/chat/ambassadors/shop-customer", {"email_tmp": "c@example.com"}, "manager", 200
    ),
    Route("GET", "/chat/ratings", None, "manager", 200),
    Route("GET", "/chat/ratings/export", None, "manager", 200),
    Route("GET", "/chat/ratings/stats", None, "manager", 200),
]

CALLERS = ["none", "invalid", "revoked", "foreign", "outsider", "allowed"]


def fill(template: Any, ids: dict[str, int]) -> Any:
    if isinstance(template, str):
        for name, value in ids.items():
            if template == "{" + name + "}":
                return value
            template = template.replace("{" + name + "}", str(value))
        return template
    if isinstance(template, list):
        return [fill(item, ids) for item in template]
    if isinstance(template, dict):
        return {key: fill(value, ids) for key, value in template.items()}
    return template


async def call(
    client: httpx.AsyncClient, route: Route, scene: Scene, caller: Person, headers: dict[str, str]
) -> httpx.Response:
    ids = scene.ids(caller)
    kwargs: dict[str, Any] = {"headers": headers}
    if route.body is not None:
        kwargs["json"] = fill(route.body, ids)
    return await client.request(route.method, fill(route.path, ids), **kwargs)


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize("route", ROUTES + BRAND_ROUTES, ids=str)
async def test_access(client: httpx.AsyncClient, world: World, route: Route, caller: str) -> None:
    scene = await build_scene(client, world)
    person: Person = getattr(scene, route.allowed)
    headers = person.headers
    expected = route.status
    if caller == "none":
        headers, expected = {}, 401
    elif caller == "invalid":
        headers, expected = {"Authorization": "Bearer sln_not-a-token"}, 401
    elif caller == "revoked":
        await world.revoke(person)
        expected = 401
    elif caller == "foreign":
        person, headers = scene.foreign, scene.foreign.headers
        expected = 404 if route in ROUTES else _foreign_status(route)
    elif caller == "outsider":
        person, headers, expected = scene.outsider, scene.outsider.headers, route.outsider

    response = await call(client, route, scene, person, headers)

    assert response.status_code == expected, response.text
    if expected == 401:
        assert response.json() == {"message": "Unauthorized."}
    elif expected == 403:
        assert response.json() == {
            "message": "Forbidden - You don't have permission to access this route"
        }
    elif expected == 404:
        assert response.json()["message"].startswith("Not found - The ")


def _foreign_status(route: Route) -> int:
    # Staff of another brand: their own brand's lists (200, empty); the chatroom body names
    # people of another brand, which their brand does not have (422).
    return 422 if route.path == "/chat/chatrooms" else 200


async def test_every_documented_route_is_in_the_schema(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/openapi.json")).json()
    operations = {(method.upper(), path) for path, item in spec["paths"].items() for method in item}
    documented = {
        ("POST", "/auth/login"),
        ("POST", "/auth/token"),
        ("POST", "/auth/guest"),
        ("DELETE", "/auth/token"),
        ("GET", "/chat/ambassadors"),
        ("PATCH", "/chat/ambassadors/{ambassador}"),
        ("POST", "/chat/ambassadors/shop-customer"),
        ("GET", "/chat/ambassadors/{ambassador}/chatrooms"),
        ("GET", "/chat/ambassadors/{ambassador}/stats"),
        ("POST", "/chat/chatrooms"),
        ("GET", "/chat/chatrooms/{id}"),
        ("POST", "/chat/chatrooms/{chatroom}/ambassadors/{ambassador}/read"),
        ("PATCH", "/chat/chatrooms/{chatroom}/ambassadors/{ambassador}/block"),
        ("PATCH", "/chat/chatrooms/{chatroom}/ambassadors/{ambassador}/archive"),
        ("PATCH", "/chat/chatrooms/{chatroom}/ambassadors/{ambassador}/flag"),
        ("GET", "/chat/chatrooms/{chatroom}/messages"),
        ("POST", "/chat/chatrooms/{chatroom}/messages"),
        ("GET", "/chat/messages/{id}"),
        ("PATCH", "/chat/messages/{id}"),
        ("POST", "/chat/chatrooms/{chatroom}/ratings"),
        ("PATCH", "/chat/ratings/{rating}"),
        ("DELETE", "/chat/ratings/{rating}"),
        ("GET", "/chat/ratings"),
        ("GET", "/chat/ratings/export"),
        ("GET", "/chat/ratings/stats"),
    }
    assert documented <= operations


async def test_another_brand_sees_none_of_this_brand(
    client: httpx.AsyncClient, world: World
) -> None:
    scene = await build_scene(client, world)
    headers = scene.foreign.headers
    people = (await client.get("/chat/ambassadors", headers=headers)).json()
    assert [p["id_ambassador"] for p in people["data"]] == [scene.foreign.id]
    assert (await client.get("/chat/ratings", headers=headers)).json()["total"] == 0
    stats = (await client.get("/chat/ratings/stats", headers=headers)).json()
    assert stats["nb_asked_ratings"] == 0
    export = await client.get("/chat/ratings/export", headers=headers)
    assert export.text.strip().splitlines()[1:] == []
