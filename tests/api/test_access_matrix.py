"""The authorization matrix: every route x every kind of caller -> the expected status.

Callers: no token, an invalid token, a revoked token, staff of another brand, and in the brand:
the rater (the visitor asked to rate the scene's rating), the rated (the ambassador), another
participant (a member of the chatroom), staff (a manager), and a non-participant.

No object of another brand is ever readable or writable, nor is its existence confirmed (404).
"""

from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from tests.api.scene import build_scene
from tests.support import Person, World

PEOPLE = ("rater", "rated", "participant", "staff", "non_participant")
ROLE_OF = {
    "rater": "visitor",
    "rated": "ambassador",
    "participant": "member",
    "staff": "manager",
    "non_participant": "outsider",
}


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    body: Any
    # Expected status for rater, rated, participant, staff, non-participant (in that order).
    expected: tuple[int, int, int, int, int]
    foreign: int = 404  # staff of another brand

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


ALL_OK, SELF_OR_STAFF, STAFF_ONLY = (200,) * 5, (403, 200, 403, 200, 403), (403, 403, 403, 200, 403)
READERS = (200, 200, 200, 200, 403)
MEMBERS = (403, 200, 200, 200, 200)  # the platform: anyone of the brand but shoppers

MATRIX = [
    Route("GET", "/chat/chatrooms/{c}", None, READERS),
    Route("PATCH", "/chat/chatrooms/{c}", {"established_dialogue": None}, STAFF_ONLY),
    Route(
        "POST",
        "/chat/chatrooms/{c}/ratings",
        {"id_user_rated": "{v}", "id_user_rater": "{a}"},
        (201, 201, 403, 201, 403),
    ),
    Route("PATCH", "/chat/ratings/{r}", {"value": 5}, (200, 403, 403, 403, 403)),
    Route("DELETE", "/chat/ratings/{r}", None, STAFF_ONLY),
    Route("GET", "/chat/chatrooms/{c}/messages", None, READERS),
    Route(
        "POST",
        "/chat/chatrooms/{c}/messages",
        {"id_ambassador": "{me}", "content": "hi", "type_message": 0},
        (201, 201, 201, 403, 403),
    ),
    Route("GET", "/chat/messages/{m}", None, READERS),
    Route("PATCH", "/chat/messages/{m}", {"content": "edited"}, (403, 200, 403, 403, 403)),
    Route("POST", "/chat/chatrooms/{c}/ambassadors/{a}/read", None, SELF_OR_STAFF),
    Route(
        "PATCH", "/chat/chatrooms/{c}/ambassadors/{a}/block", {"is_blocked": True}, SELF_OR_STAFF
    ),
    Route("PATCH", "/chat/chatrooms/{c}/ambassadors/{a}/archive", {"archive": True}, SELF_OR_STAFF),
    Route("PATCH", "/chat/chatrooms/{c}/ambassadors/{a}/flag", {"flag": 1}, SELF_OR_STAFF),
    Route("PATCH", "/chat/ambassadors/{a}", {"email_tmp": "new@example.com"}, SELF_OR_STAFF),
    Route("GET", "/chat/ambassadors/{a}/chatrooms", None, SELF_OR_STAFF),
    Route("GET", "/chat/ambassadors/{a}/stats", None, SELF_OR_STAFF),
    # Routes that name no object: another brand's staff works in its own brand.
    Route("GET", "/chat/ambassadors", None, ALL_OK, foreign=200),
    Route(
        "POST",
        "/chat/chatrooms",
        {"ids_ambassadors": ["{a}", "{v}"], "source": 0},
        (201, 201, 403, 201, 403),
        foreign=422,  # the ids name people its brand does not have
    ),
    Route(
        "POST",
        "/chat/ambassadors/shop-customer",
        {"email_tmp": "c@example.com"},
        STAFF_ONLY,
        foreign=200,
    ),
    Route("GET", "/chat/ratings", None, STAFF_ONLY, foreign=200),
    Route("GET", "/chat/ratings/export", None, STAFF_ONLY, foreign=200),
    Route("GET", "/chat/ratings/stats", None, STAFF_ONLY, foreign=200),
    Route("GET", "/chat/ratings/leaderboard", None, STAFF_ONLY, foreign=200),
    Route("GET", "/widget/me", None, ALL_OK, foreign=200),
    Route("GET", "/manager/me", None, ALL_OK, foreign=200),
    Route("GET", "/platform/me", None, ALL_OK, foreign=200),
    Route("DELETE", "/auth/token", None, (204,) * 5, foreign=204),
    # The profile: everyone edits their own; the widget's card of a member of the brand.
    Route("PATCH", "/widget/me", {"city": "Paris"}, ALL_OK, foreign=200),
    Route("PATCH", "/manager/me", {"is_absent": True}, ALL_OK, foreign=200),
    Route("GET", "/widget/ambassadors/{a}", None, ALL_OK),
    # The manager's writes of people: brand staff only.
    Route(
        "POST",
        "/manager/ambassadors",
        {"firstname": "New", "lastname": "Person", "email": "new-{me}@example.com"},
        (403, 403, 403, 201, 403),
        foreign=201,
    ),
    Route("PATCH", "/manager/ambassadors/{a}", {"city": "Paris"}, STAFF_ONLY),
    # The manager's views: brand staff only; another brand's staff see their own brand.
    Route("GET", "/manager/chatrooms", None, STAFF_ONLY, foreign=200),
    Route("GET", "/manager/chatrooms/{c}", None, STAFF_ONLY),
    Route("GET", "/manager/ambassadors", None, STAFF_ONLY, foreign=200),
    Route("GET", "/manager/ambassadors/micro-resource", None, STAFF_ONLY, foreign=200),
    Route("PATCH", "/manager/ambassadors/{p}/approve", None, STAFF_ONLY),
    Route("PATCH", "/manager/ambassadors/{p}/decline", {"reason": "Not a fit"}, STAFF_ONLY),
    # The platform's people: its members; a person's stats are theirs and the staff's.
    Route("GET", "/platform/ambassadors", None, MEMBERS, foreign=200),
    Route("GET", "/platform/ambassadors/{a}", None, MEMBERS),
    Route("GET", "/platform/ambassadors/{a}/stats", None, SELF_OR_STAFF),
    # The waiting list: members (not visitors) answer it; a visitor joins and leaves. The
    # visitor already waits: joining again answers that entry (200).
    Route("GET", "/chat/waiting-list", None, (403, 200, 200, 200, 200), foreign=200),
    Route(
        "POST",
        "/chat/waiting-list",
        {"content": "Help me"},
        (200, 403, 403, 403, 403),
        foreign=403,
    ),
    Route("POST", "/chat/waiting-list/{wl}/take", None, (403, 200, 200, 200, 200)),
    Route(
        "POST",
        "/chat/waiting-list/{wt}/transfer",
        {"id_ambassador": "{a}"},
        (403, 403, 200, 200, 403),  # the member took it
    ),
    Route("DELETE", "/chat/waiting-list/{wl}", None, (204, 403, 403, 403, 403)),
    # Webhooks: brand staff only; another brand's staff manage their own brand's.
    Route(
        "POST",
        "/manager/webhooks",
        {"url": "https://hooks.example.com/other", "enabled": False},
        (403, 403, 403, 201, 403),
        foreign=201,
    ),
    Route("GET", "/manager/webhooks", None, STAFF_ONLY, foreign=200),
    Route("GET", "/manager/webhooks/{w}", None, STAFF_ONLY),
    Route("PATCH", "/manager/webhooks/{w}", {"description": "CRM"}, STAFF_ONLY),
    Route("DELETE", "/manager/webhooks/{w}", None, (403, 403, 403, 204, 403)),
    Route("POST", "/manager/webhooks/{w}/rotate-secret", None, STAFF_ONLY),
    Route("POST", "/manager/webhooks/{w}/test", None, (403, 403, 403, 202, 403)),
    Route("GET", "/manager/webhooks/{w}/deliveries", None, STAFF_ONLY),
    Route("GET", "/manager/webhooks/{w}/deliveries/{d}", None, STAFF_ONLY),
    Route(
        "POST", "/manager/webhooks/{w}/deliveries/{d}/redeliver", None, (403, 403, 403, 202, 403)
    ),
    # Brand tags and chat topics: brand staff only; another brand's staff see their own brand's.
    Route("GET", "/manager/brand-tags", None, STAFF_ONLY, foreign=200),
    Route(
        "POST",
        "/manager/brand-tags",
        {"names": [{"lang": "fr_FR", "content": "Vendeurs"}]},
        (403, 403, 403, 201, 403),
        foreign=201,
    ),
    Route("PATCH", "/manager/brand-tags/{bt}", {"visibility_chat": 2}, STAFF_ONLY),
    Route("GET", "/manager/chat-topics", None, STAFF_ONLY, foreign=200),
    Route(
        "POST",
        "/manager/chat-topics",
        {
            "active": True,
            "position": 2,
            "color": "#00FF00",
            "contents": [{"lang": "en_GB", "content": "Orders"}],
        },
        (403, 403, 403, 201, 403),
        foreign=201,
    ),
    Route("GET", "/manager/chat-topics/{ct}", None, STAFF_ONLY),
    Route("PATCH", "/manager/chat-topics/{ct}", {"active": False}, STAFF_ONLY),
]

CALLERS = ["no_token", "invalid_token", "revoked_token", "another_brand", *PEOPLE]


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


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize("route", MATRIX, ids=str)
async def test_access(client: httpx.AsyncClient, world: World, route: Route, caller: str) -> None:
    scene = await build_scene(client, world)
    person: Person = scene.manager
    headers: dict[str, str] = {}
    if caller in PEOPLE:
        person = getattr(scene, ROLE_OF[caller])
        headers, expected = person.headers, route.expected[PEOPLE.index(caller)]
    elif caller == "another_brand":
        person, headers, expected = scene.foreign, scene.foreign.headers, route.foreign
    elif caller == "revoked_token":
        await world.revoke(scene.manager)
        headers, expected = scene.manager.headers, 401
    elif caller == "invalid_token":
        headers, expected = {"Authorization": "Bearer sln_not-a-token"}, 401
    else:
        expected = 401

    ids = scene.ids(person)
    kwargs: dict[str, Any] = {"headers": headers}
    if route.body is not None:
        kwargs["json"] = fill(route.body, ids)
    response = await client.request(route.method, fill(route.path, ids), **kwargs)

    assert response.status_code == expected, response.text
    if expected == 401:
        assert response.json() == {"message": "Unauthorized."}
    elif expected == 403:
        assert response.json() == {
            "message": "Forbidden - You don't have permission to access this route"
        }
    elif expected == 404:
        assert response.json()["message"].startswith("Not found - The ")


def test_the_matrix_covers_every_operation_of_the_schema() -> None:
    from salon.app import create_app
    from salon.config import Settings

    spec = create_app(Settings(database_url="sqlite://")).openapi()
    operations = {(m.upper(), path) for path, item in spec["paths"].items() for m in item}
    public = {("POST", "/auth/login"), ("POST", "/auth/token"), ("POST", "/auth/guest")}
    public |= {("POST", "/auth/brand")}
    public |= {("GET", "/health"), ("GET", "/health/live"), ("GET", "/health/ready")}
    public |= {("GET", "/public/ratings/{token}"), ("PUT", "/public/ratings/{token}")}
    public |= {("GET", "/brand"), ("GET", "/widget/config")}  # tests/widget/test_brand.py
    aliases = {
        "{c}": "{chatroom}",
        "{r}": "{rating}",
        "{m}": "{id}",
        "{a}": "{ambassador}",
        "{w}": "{webhook}",
        "{d}": "{delivery}",
        "{wl}": "{entry}",
        "{wt}": "{entry}",
        "{bt}": "{id}",
        "{ct}": "{id}",
    }

    def schema_path(route: Route) -> str:
        path = route.path
        if path.endswith("/chatrooms/{c}"):
            return path.removesuffix("{c}") + "{id}"
        if path.endswith("/me"):
            return "/{environment}/me"
        if path.startswith(
            ("/manager/ambassadors/", "/platform/ambassadors/", "/widget/ambassadors/")
        ):
            return path.replace("{a}", "{id}").replace("{p}", "{id}")
        for short, name in aliases.items():
            path = path.replace(short, name)
        return path

    covered = {(route.method, schema_path(route)) for route in MATRIX}
    assert operations - public == covered


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
    ranking = (await client.get("/chat/ratings/leaderboard", headers=headers)).json()
    assert ranking["total"] == 0
    me = (await client.get("/widget/me", headers=headers)).json()
    assert me["id_ambassador"] == scene.foreign.id
