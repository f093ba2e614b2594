"""The `salon` command, run in-process against its own SQLite file."""

import asyncio
import json
import re
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from salon.app import create_app
from salon.cli import app as cli
from salon.config import Settings


@pytest.fixture
def database_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("SALON_DATABASE_URL", url)
    result = CliRunner().invoke(cli, ["db", "upgrade"])
    assert result.exit_code == 0, result.output
    return url


def run(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout


def test_demo_is_idempotent_and_prints_the_documented_object(database_url: str) -> None:
    first = json.loads(run("demo", "--json"))
    second = json.loads(run("demo", "--json"))

    assert set(first) == {"brand", "ambassadors", "chatrooms"}
    assert isinstance(first["brand"]["id_brand"], int)
    people = first["ambassadors"]
    assert [p["status"] for p in people] == [7, 0, 0, 5]
    for person in people:
        assert set(person) >= {"id_ambassador", "status", "firstname", "token"}
    visitor, ada, bruno = (p["id_ambassador"] for p in people[:3])
    assert [c["ids_ambassadors"] for c in first["chatrooms"]] == [[visitor, ada], [visitor, bruno]]

    def stable(person: dict[str, object]) -> dict[str, object]:
        return {k: v for k, v in person.items() if k not in ("token", "password")}

    assert [stable(p) for p in second["ambassadors"]] == [stable(p) for p in people]
    assert second["chatrooms"] == first["chatrooms"]
    assert second["brand"] == first["brand"]
    for before, after in zip(people, second["ambassadors"], strict=True):
        assert before["token"] != after["token"]
        assert before["password"] != after["password"]


async def test_a_rerun_keeps_the_first_runs_demo_file_working(
    database_url: str, tmp_path: Path
) -> None:
    file = tmp_path / "var" / "demo.json"
    # The CLI runs its own event loop: call it from a thread, as a shell would from outside.
    await asyncio.to_thread(run, "demo", "--file", str(file))
    first = json.loads(file.read_text())
    assert file.stat().st_mode & 0o777 == 0o600  # it holds passwords
    printed = json.loads(await asyncio.to_thread(run, "demo", "--json", "--file", str(file)))
    assert json.loads(file.read_text()) == printed == first  # the same working credentials
    without_file = json.loads(await asyncio.to_thread(run, "demo", "--json"))
    assert without_file["ambassadors"][1]["token"] != first["ambassadors"][1]["token"]

    room = first["chatrooms"][0]["id_chatroom"]
    app = create_app(Settings(database_url=database_url))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://salon.test") as client:
            for data in (first, without_file):  # no run revoked an earlier run's token
                token = data["ambassadors"][1]["token"]
                response = await client.get(
                    f"/chat/chatrooms/{room}", headers={"Authorization": f"Bearer {token}"}
                )
                assert response.status_code == 200
            for data, status in ((first, 401), (without_file, 200)):  # fresh passwords
                ada = data["ambassadors"][1]
                response = await client.post(
                    "/auth/login",
                    headers={"X-Popsell-Domain": data["brand"]["domain"]},
                    json={"email": ada["email"], "password": ada["password"]},
                )
                assert response.status_code == status, response.text


def test_a_demo_file_that_is_not_the_demos_is_replaced(database_url: str, tmp_path: Path) -> None:
    file = tmp_path / "demo.json"
    file.write_text('{"ambassadors": [{"id_ambassador": 2, "token": "forged", "password": 1}]}')
    run("demo", "--file", str(file))
    written = json.loads(file.read_text())
    assert written["ambassadors"][1]["token"] != "forged"
    assert isinstance(written["ambassadors"][1]["password"], str)


def test_admin_commands_build_a_brand_people_a_chatroom_and_tokens(database_url: str) -> None:
    brand = run("brand", "create", "--label", "Acme").strip()
    ambassador = run("ambassador", "create", "--brand", brand, "--status", "0", "--firstname", "A")
    visitor = run("ambassador", "create", "--brand", brand, "--status", "7")
    chatroom = run(
        "chatroom", "create", "--ambassador", ambassador.strip(), "--ambassador", visitor.strip()
    )
    assert chatroom.strip().isdigit()
    token = run("token", "create", "--ambassador", ambassador.strip()).strip()
    assert token.startswith("sln_")
    run("token", "revoke", token)

    again = CliRunner().invoke(cli, ["token", "revoke", token])
    assert again.exit_code == 1
    duplicate = CliRunner().invoke(cli, ["brand", "create", "--label", "Acme"])
    assert duplicate.exit_code == 1
    assert "already exists" in duplicate.output
    missing = CliRunner().invoke(cli, ["token", "create", "--ambassador", "999"])
    assert missing.exit_code == 1


def test_webhook_commands_manage_a_brands_endpoints(database_url: str) -> None:
    brand = run("brand", "create", "--label", "Hooks").strip()
    other = run("brand", "create", "--label", "Other").strip()
    made = json.loads(
        run(
            "webhook", "add", "--brand", brand, "--url", "https://hooks.example.com/in",
            "--event", "rating.submitted", "--max-value", "2",
        )
    )  # fmt: skip
    assert made["secret"].startswith("whsec_")
    assert (made["event_types"], made["rating_value_max"]) == (["rating.submitted"], 2)
    webhook = str(made["id_webhook"])

    [listed] = [json.loads(line) for line in run("webhook", "list", "--brand", brand).splitlines()]
    assert listed["id_webhook"] == made["id_webhook"]
    assert "secret" not in listed
    assert run("webhook", "list", "--brand", other) == ""

    assert json.loads(run("webhook", "disable", "--brand", brand, webhook))["enabled"] is False
    assert json.loads(run("webhook", "enable", "--brand", brand, webhook))["enabled"] is True
    secret = run("webhook", "rotate", "--brand", brand, webhook).strip()
    assert secret.startswith("whsec_")
    assert secret != made["secret"]
    assert run("webhook", "test", "--brand", brand, webhook).strip().isdigit()

    # Another brand's endpoint is not found; a URL inside the network is refused.
    foreign = CliRunner().invoke(cli, ["webhook", "remove", "--brand", other, webhook])
    assert foreign.exit_code == 1
    assert "does not exist" in foreign.output
    private = CliRunner().invoke(
        cli, ["webhook", "add", "--brand", brand, "--url", "https://169.254.169.254/"]
    )
    assert private.exit_code == 1
    assert "private" in private.output
    bad_event = CliRunner().invoke(
        cli, ["webhook", "add", "--brand", brand, "--url", "https://x.example", "--event", "nope"]
    )
    assert bad_event.exit_code == 1
    assert "event_types" in bad_event.output

    run("webhook", "remove", "--brand", brand, webhook)
    assert run("webhook", "list", "--brand", brand) == ""


async def test_the_demo_prints_page_links_that_sign_each_person_in(database_url: str) -> None:
    output = await asyncio.to_thread(run, "demo", "--base-url", "http://127.0.0.1:8000/")
    links = re.findall(r"(\w+) +(chat|ratings) +(http://127\.0\.0\.1:8000/ui/\S+)", output)
    assert [(name, page) for name, page, _ in links] == [
        ("Vera", "chat"),
        ("Ada", "chat"),
        ("Bruno", "chat"),
        ("Mona", "ratings"),  # the manager: the dashboard
    ]
    app = create_app(Settings(database_url=database_url))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://salon.test") as client:
            for name, page, url in links:
                path, _, fragment = url.removeprefix("http://127.0.0.1:8000").partition("#")
                assert path == f"/ui/{page}"
                assert (await client.get(path)).status_code == 200
                token = fragment.removeprefix("token=")
                me = await client.get("/widget/me", headers={"Authorization": f"Bearer {token}"})
                assert me.json()["firstname"] == name


def test_brand_set_and_show_what_get_brand_answers(database_url: str) -> None:
    id_brand = run("brand", "create", "--label", "Maison", "--domain", "Shop.Example.com").strip()
    shown = json.loads(
        run(
            "brand",
            "set",
            "--brand",
            id_brand,
            "--default-language",
            "fr_FR",
            "--available-content-language",
            "fr_FR,en_US",
            "--widget-wl-cta-chat-topic",
            "3",
            "--widget-config",
            '{"picking": {"sku": {"selector": ".sku", "attribute": null}}}',
        )
    )
    assert shown["front_office_domain"] == "shop.example.com"
    assert shown["default_language"] == "fr_FR"
    assert shown["available_content_language"] == ["fr_FR", "en_US"]
    both = json.loads(run("brand", "show", "--brand", id_brand))
    assert both["brand"] == shown
    assert both["widget_config"]["picking"]["sku"] == {"selector": ".sku", "attribute": None}
    assert both["widget_config"]["im"] == {"chattopic": 3}

    refused = CliRunner().invoke(
        cli, ["brand", "set", "--brand", id_brand, "--widget-config", '{"picking": 1}']
    )
    assert refused.exit_code == 1
    assert "widget_config" in refused.output
    after = json.loads(run("brand", "show", "--brand", id_brand))
    assert after == both
    missing = CliRunner().invoke(cli, ["brand", "show", "--brand", "999"])
    assert missing.exit_code == 1


async def test_the_demo_domain_answers_get_brand(database_url: str) -> None:
    await asyncio.to_thread(run, "demo", "--json")
    app = create_app(Settings(database_url=database_url))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://salon.test") as http:
            headers = {"X-Popsell-Domain": "demo.salon.localhost"}
            brand = await http.get("/brand", headers=headers)
            config = await http.get("/widget/config", headers=headers)
    assert brand.status_code == 200, brand.text
    assert brand.json()["label"] == "Salon demo"
    assert brand.json()["timezone"] == "Europe/Paris"
    assert config.json()["picking"]["price"] == {
        "selector": "[data-price]",
        "attribute": "data-price",
    }
