"""The schema as a client generator reads it: `/openapi.json` is valid OpenAPI 3.1, and a
client generated from it by openapi-python-client (a real generator nobody here wrote) runs
the README's whole conversation against a real `salon serve`."""

import importlib
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest
from openapi_spec_validator import validate

from salon.config import Settings
from tests.served import Server, serving
from tests.support import Person

PACKAGE = "salon_generated_client"


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    from salon.app import create_app

    app = create_app(Settings(database_url="sqlite:///unused.db"))
    return app.openapi()


@pytest.fixture(scope="module")
def generated(schema: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Generates the client into a folder of its own; the name of its importable package."""
    folder = tmp_path_factory.mktemp("client")
    spec = folder / "openapi.json"
    spec.write_text(json.dumps(schema))
    tools = str(Path(sys.executable).parent)  # the generator formats its output with ruff
    result = subprocess.run(  # noqa: S603
        [
            f"{tools}/openapi-python-client",
            "generate",
            "--path",
            str(spec),
            "--meta",
            "none",
            "--output-path",
            str(folder / PACKAGE),
        ],
        env=os.environ | {"PATH": f"{tools}:{os.environ.get('PATH', '')}"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    # A warning means an operation or a model was left out of the client.
    assert "Warning" not in result.stdout, result.stdout
    sys.path.insert(0, str(folder))
    try:
        yield PACKAGE
    finally:
        sys.path.remove(str(folder))
        for name in [m for m in sys.modules if m.split(".")[0] == PACKAGE]:
            del sys.modules[name]


def test_the_schema_is_valid_openapi_31(schema: dict[str, Any]) -> None:
    assert schema["openapi"].startswith("3.1")
    validate(schema)


def test_operation_ids_are_the_documented_titles(schema: dict[str, Any]) -> None:
    ids = [op["operationId"] for path in schema["paths"].values() for op in path.values()]
    assert len(ids) == len(set(ids))
    by_route = {
        (method, path): op["operationId"]
        for path, operations in schema["paths"].items()
        for method, op in operations.items()
    }
    assert by_route["post", "/chat/chatrooms/{chatroom}/ratings"] == "rateAChatroom"
    assert by_route["patch", "/chat/ratings/{rating}"] == "updateARating"
    assert by_route["post", "/auth/login"] == "loginWithEmailAndPassword"
    assert by_route["get", "/chat/chatrooms/{chatroom}/messages"] == "getAllMessagesOfAChatroom"
    assert all(len(operation_id) <= 45 and "_" not in operation_id for operation_id in ids)


def test_every_write_declares_its_refusals(schema: dict[str, Any]) -> None:
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            statuses = set(operation["responses"])
            assert "422" in statuses, (method, path)
            if method in ("post", "patch", "put"):
                assert {"413", "429"} <= statuses, (method, path)
            if "429" in statuses:
                assert "Retry-After" in operation["responses"]["429"]["headers"], (method, path)
            if operation.get("security"):
                assert "401" in statuses, (method, path)


def test_the_rating_request_body_may_be_omitted(schema: dict[str, Any]) -> None:
    body = schema["paths"]["/chat/chatrooms/{chatroom}/ratings"]["post"]["requestBody"]
    assert not body.get("required", False)
    assert body["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/RatingRequest"
    }
    example = schema["components"]["schemas"]["RatingRequest"]["examples"][0]
    assert example == {"id_user_rated": 5, "id_user_rater": 2}  # the seed's request example


@pytest.fixture
def server(settings: Settings, engine_name: str) -> Iterator[Server]:
    with serving(settings.database_url) as served:
        yield served


def demo(settings: Settings) -> Any:
    result = subprocess.run(
        [sys.executable, "-m", "salon", "demo", "--json"],
        env=os.environ | {"SALON_DATABASE_URL": settings.database_url},
        capture_output=True,
        check=True,
        timeout=60,
    )
    return json.loads(result.stdout)


def module(package: str, name: str) -> ModuleType:
    return importlib.import_module(f"{package}.{name}")


def test_the_readme_conversation_through_a_generated_client(
    generated: str, server: Server, settings: Settings
) -> None:
    data = demo(settings)
    vera, ada = data["ambassadors"][0], data["ambassadors"][1]
    domain = data["brand"]["domain"]
    client = module(generated, "client")
    models = module(generated, "models")

    def api(group: str, operation: str) -> Any:
        return module(generated, f"api.{group}.{operation}")

    def as_person(token: str) -> Any:
        return client.AuthenticatedClient(base_url=server.base_url, token=token)

    # "Try it": Ada asks Vera for a rating with the seed's body; a second ask is refused.
    as_ada = as_person(ada["token"])
    ask = models.RatingRequest(
        id_user_rated=ada["id_ambassador"], id_user_rater=vera["id_ambassador"]
    )
    room = data["chatrooms"][0]["id_chatroom"]
    asked = api("ratings", "rate_a_chatroom").sync_detailed(room, client=as_ada, body=ask)
    assert asked.status_code == 201, asked.content
    assert isinstance(asked.parsed, models.MessageOut)
    assert asked.parsed.type_message == 2
    assert asked.parsed.rating.value is None
    again = api("ratings", "rate_a_chatroom").sync_detailed(room, client=as_ada, body=ask)
    assert again.status_code == 422
    assert isinstance(again.parsed, models.ValidationBody)
    assert "id_user_rater" in again.parsed.errors.additional_properties
    as_vera = as_person(vera["token"])
    score = models.RatingSubmission(value=5, content="bien")
    rating = asked.parsed.rating.id_rating
    rated = api("ratings", "update_a_rating").sync_detailed(rating, client=as_vera, body=score)
    assert rated.status_code == 200, rated.content

    # 1. Ada logs in with the demo password.
    anonymous = client.Client(base_url=server.base_url)
    login = models.LoginRequest(email=ada["email"], password=ada["password"])
    logged_in = api("auth", "login_with_email_and_password").sync_detailed(
        client=anonymous, body=login, x_popsell_domain=domain
    )
    assert logged_in.status_code == 200, logged_in.content
    as_ada = as_person(logged_in.parsed.token)
    assert logged_in.parsed.user.id_ambassador == ada["id_ambassador"]

    # 2. Ada opens their chatroom: the pair has one, so 200 and its id.
    pair = [vera["id_ambassador"], ada["id_ambassador"]]
    opened = api("chatrooms", "create_a_chatroom").sync_detailed(
        client=as_ada, body=models.ChatroomCreate(ids_ambassadors=pair, source=0)
    )
    assert opened.status_code == 200, opened.content
    assert opened.parsed.id_chatroom == room

    # 3. They exchange messages; Vera reads the conversation, newest first.
    post = api("messages", "post_a_message_in_a_chatroom")
    text = models.MessageCreateTypeMessage(0)
    for person, session, content in (
        (ada, as_ada, "Hello Vera, how can I help?"),
        (vera, as_vera, "Which size should I take?"),
    ):
        message = models.MessageCreate(
            id_ambassador=person["id_ambassador"], content=content, type_message=text
        )
        posted = post.sync_detailed(room, client=session, body=message)
        assert posted.status_code == 201, posted.content
    listed = api("messages", "get_all_messages_of_a_chatroom").sync_detailed(
        room, client=as_vera, per_page=10
    )
    assert listed.status_code == 200
    contents = [message.content for message in listed.parsed.data]
    assert contents[:2] == ["Which size should I take?", "Hello Vera, how can I help?"]

    # 4. Ada asks Vera for a rating, with no body at all: every field has its default.
    asked = api("ratings", "rate_a_chatroom").sync_detailed(room, client=as_ada)
    assert asked.status_code == 201, asked.content
    assert asked.parsed.rating.id_user_rater == vera["id_ambassador"]

    # 5. Vera rates; the chatroom's last_rating follows.
    score = models.RatingSubmission(value=4, content="Perfect advice")
    rating = asked.parsed.rating.id_rating
    rated = api("ratings", "update_a_rating").sync_detailed(rating, client=as_vera, body=score)
    assert rated.status_code == 200, rated.content
    chatroom = api("chatrooms", "get_a_chatroom_by_id").sync_detailed(room, client=as_vera)
    assert chatroom.status_code == 200
    assert (chatroom.parsed.last_rating.value, chatroom.parsed.last_rating.comment) == (
        4,
        "Perfect advice",
    )

    # 6. Ada reads her stats: one judgement of one conversation, the latest.
    stats = api("ambassadors", "get_ambassador_rating_stats").sync_detailed(
        ada["id_ambassador"], client=as_ada
    )
    assert stats.status_code == 200, stats.content
    assert (stats.parsed.nb_asked_ratings, stats.parsed.nb_ratings) == (1, 1)
    assert stats.parsed.avg_rating == 4

    # Refusals parse as their documented shapes too.
    stranger = as_person("not-a-token")
    refused = api("chatrooms", "get_a_chatroom_by_id").sync_detailed(room, client=stranger)
    assert refused.status_code == 401
    assert refused.parsed.message == "Unauthorized."
    with httpx.Client(base_url=server.base_url) as raw:
        assert raw.get("/health/ready").json()["status"] == "ok"


async def test_a_null_rating_body_is_refused_like_any_body_that_is_not_an_object(
    client: httpx.AsyncClient, ambassador: Person, visitor: Person, chatroom: int
) -> None:
    for body in (b"null", b"[]", b"5"):
        refused = await client.post(
            f"/chat/chatrooms/{chatroom}/ratings",
            headers=ambassador.headers | {"Content-Type": "application/json"},
            content=body,
        )
        assert refused.status_code == 422, (body, refused.text)
        assert "body" in refused.json()["errors"]
    omitted = await client.post(f"/chat/chatrooms/{chatroom}/ratings", headers=ambassador.headers)
    assert omitted.status_code == 201, omitted.text
    assert omitted.json()["rating"]["id_user_rater"] == visitor.id
