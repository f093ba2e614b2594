"""The full form and `PATCH /{environment}/me`."""

import httpx
import pytest

from tests.api.accounts import SELLER_EMAIL, SELLER_PASSWORD, login
from tests.support import Person, World

MICRO = {
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


async def test_the_full_form_has_the_profile_and_the_micro_form_is_unchanged(
    client: httpx.AsyncClient, ambassador: Person
) -> None:
    me = (await client.get("/manager/me", headers=ambassador.headers)).json()
    assert me["gender"] is None
    assert me["linkedIn_account"] is None
    assert (me["unavailable"], me["is_absent"], me["optin_cgu"]) == (False, False, False)
    assert me["email_notification_enabled"] is True
    assert me["notification_chat"] is True
    assert me["gamification_score"] == 0
    assert me["key_data"] is None
    assert "comment" not in me
    assert "password_hash" not in me
    people = (await client.get("/chat/ambassadors", headers=ambassador.headers)).json()
    assert set(people["data"][0]) == MICRO


async def test_a_person_updates_their_profile(
    client: httpx.AsyncClient, ambassador: Person
) -> None:
    body = {
        "description": "Trail runner",
        "dob": "1990-02-28",
        "linkedIn_account": "in/runner",
        "unavailable": True,
        "availability": "weekdays",
        "city": "Lyon",
        "notification_chat": False,
    }
    response = await client.patch("/widget/me", headers=ambassador.headers, json=body)
    assert response.status_code == 200, response.text
    assert {key: response.json()[key] for key in body} == body
    again = (await client.get("/platform/me", headers=ambassador.headers)).json()
    assert {key: again[key] for key in body} == body
    cleared = await client.patch(
        "/manager/me", headers=ambassador.headers, json={"description": None}
    )
    assert cleared.json()["description"] is None
    assert cleared.json()["city"] == "Lyon"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"firstname": None}, "firstname"),
        ({"unavailable": None}, "unavailable"),
        ({"status": 5}, "status"),
        ({"active": 1}, "active"),
        ({"dob": "1990-02-30"}, "dob"),
        ({"unavailable": "yes"}, "unavailable"),
        ({"linkedin_account": "x"}, "linkedin_account"),
    ],
)
async def test_bad_input_is_422_and_changes_nothing(
    client: httpx.AsyncClient, ambassador: Person, body: dict[str, object], field: str
) -> None:
    before = (await client.get("/widget/me", headers=ambassador.headers)).json()
    response = await client.patch(
        "/widget/me", headers=ambassador.headers, json=body | {"city": "Paris"}
    )
    assert response.status_code == 422, response.text
    assert set(response.json()) == {"message", "errors"}
    assert field in response.json()["errors"]
    after = (await client.get("/widget/me", headers=ambassador.headers)).json()
    assert after["city"] == before["city"] is None
    assert after["firstname"] == before["firstname"]


async def test_patch_needs_a_token_and_the_token_s_brand(
    client: httpx.AsyncClient, ambassador: Person
) -> None:
    unsigned = await client.patch("/widget/me", json={"city": "Paris"})
    assert unsigned.status_code == 401
    assert unsigned.json() == {"message": "Unauthorized."}
    other = await client.patch(
        "/widget/me",
        headers=ambassador.headers | {"X-Popsell-Brand": str(ambassador.id_brand + 1)},
        json={"city": "Paris"},
    )
    assert other.status_code == 403


async def test_platform_cannot_patch(client: httpx.AsyncClient, ambassador: Person) -> None:
    response = await client.patch("/platform/me", headers=ambassador.headers, json={})
    assert response.status_code == 405
    assert response.headers["allow"] == "GET"


async def test_a_password_change_keeps_this_session_and_ends_the_others(
    client: httpx.AsyncClient, world: World, seller: Person
) -> None:
    other_session = await world.token_for(seller.id)
    body = {
        "password": "a new passphrase",
        "password_confirmation": "a new passphrase",
        "current_password": SELLER_PASSWORD,
    }
    response = await client.patch("/manager/me", headers=seller.headers, json=body)
    assert response.status_code == 200, response.text
    assert (await client.get("/widget/me", headers=seller.headers)).status_code == 200
    assert (await client.get("/widget/me", headers=other_session.headers)).status_code == 401
    assert (await login(client, SELLER_EMAIL, SELLER_PASSWORD)).status_code == 401
    assert (await login(client, SELLER_EMAIL, "a new passphrase")).status_code == 200


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (
            {
                "password": "a new passphrase",
                "password_confirmation": "a new passphrase",
                "current_password": "wrong guess",
            },
            "current_password",
        ),
        (
            {"password": "a new passphrase", "password_confirmation": "a new passphrase"},
            "current_password",
        ),
        (
            {"password": "a new passphrase", "current_password": SELLER_PASSWORD},
            "password_confirmation",
        ),
        (
            {
                "password": "a new passphrase",
                "password_confirmation": "another one!",
                "current_password": SELLER_PASSWORD,
            },
            "password",
        ),
        ({"email": "new@example.com", "current_password": "wrong guess"}, "current_password"),
    ],
)
async def test_a_password_or_email_change_needs_the_current_password(
    client: httpx.AsyncClient,
    world: World,
    seller: Person,
    body: dict[str, str],
    field: str,
) -> None:
    other_session = await world.token_for(seller.id)
    response = await client.patch(
        "/manager/me", headers=seller.headers, json=body | {"city": "Nice"}
    )
    assert response.status_code == 422, response.text
    assert list(response.json()["errors"]) == [field]
    assert (await login(client, SELLER_EMAIL, SELLER_PASSWORD)).status_code == 200
    me = (await client.get("/widget/me", headers=other_session.headers)).json()
    assert me["city"] is None
    assert me["email"] == SELLER_EMAIL


async def test_an_email_change_with_the_password_and_the_brand_s_uniqueness(
    client: httpx.AsyncClient, world: World, seller: Person
) -> None:
    colleague = await world.person(seller.id_brand)  # no password: no current_password asked
    taken = await client.patch(
        "/widget/me", headers=colleague.headers, json={"email": "Taken@Example.com"}
    )
    assert taken.status_code == 200, taken.text
    assert taken.json()["email"] == "taken@example.com"
    clash = await client.patch(
        "/manager/me",
        headers=seller.headers,
        json={"email": "TAKEN@example.com", "current_password": SELLER_PASSWORD},
    )
    assert clash.status_code == 422
    assert clash.json()["errors"] == {"email": ["The email has already been taken."]}
    moved = await client.patch(
        "/manager/me",
        headers=seller.headers,
        json={"email": "Moved@Example.com", "current_password": SELLER_PASSWORD},
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["email"] == "moved@example.com"
    assert (await login(client, "moved@example.com", SELLER_PASSWORD)).status_code == 200


async def test_a_person_without_a_password_sets_one_but_a_guest_cannot(
    client: httpx.AsyncClient, world: World, shop: int
) -> None:
    member = await world.person(shop, status=0)
    email = (await client.get("/widget/me", headers=member.headers)).json()["email"]
    body = {"password": "first passphrase", "password_confirmation": "first passphrase"}
    response = await client.patch("/widget/me", headers=member.headers, json=body)
    assert response.status_code == 200, response.text
    assert (await login(client, email, "first passphrase")).status_code == 200
    guest = await world.person(shop, status=8)
    refused = await client.patch("/widget/me", headers=guest.headers, json=body)
    assert refused.status_code == 422
    assert list(refused.json()["errors"]) == ["password"]


async def test_wrong_current_passwords_count_like_failed_logins(
    client: httpx.AsyncClient, seller: Person
) -> None:
    guess = {
        "password": "a new passphrase",
        "password_confirmation": "a new passphrase",
        "current_password": "guess",
    }
    for _ in range(5):
        wrong = await client.patch("/manager/me", headers=seller.headers, json=guess)
        assert wrong.status_code == 422
    right = guess | {"current_password": SELLER_PASSWORD}
    refused = await client.patch("/manager/me", headers=seller.headers, json=right)
    assert refused.status_code == 429
    assert refused.json() == {"message": "Too Many Requests."}
    assert (await login(client, SELLER_EMAIL, SELLER_PASSWORD)).status_code == 200
