"""`POST /auth/brand`: the brand's site signs its customer in, and binds a guest to them."""

from collections.abc import Mapping

import httpx
import pytest
from fastapi import FastAPI

from salon.ambassadors import repository as ambassadors
from salon.auth.service import set_api_key
from salon.db.database import Transaction
from tests.api.accounts import DOMAIN, in_session
from tests.support import Person, World

CUSTOMER = {"email_tmp": "Jane@Example.com", "firstname": "Jane"}


async def api_key_of(app: FastAPI, person: Person) -> str:
    async def work(tx: Transaction) -> str:
        ambassador = await ambassadors.get(tx, person.id)
        assert ambassador is not None
        return await set_api_key(tx, ambassador)

    return str(await in_session(app, work))


@pytest.fixture
async def site_key(app: FastAPI, world: World, shop: int) -> str:
    """The shop's integration key: the API key of one of its managers."""
    return await api_key_of(app, await world.person(shop, status=5))


async def connect(
    client: httpx.AsyncClient, body: Mapping[str, object], token: str | None = None
) -> httpx.Response:
    headers = {"X-Popsell-Domain": DOMAIN}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    return await client.post("/auth/brand", headers=headers, json=body)


async def me(client: httpx.AsyncClient, token: str) -> dict[str, object]:
    response = await client.get("/widget/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.text
    me: dict[str, object] = response.json()
    return me


async def test_the_site_creates_then_finds_its_customer(
    client: httpx.AsyncClient, site_key: str, shop: int
) -> None:
    body = CUSTOMER | {"user_api_key": site_key, "city": "Lille", "dob": "1985-06-01"}
    first = await connect(client, body)
    assert first.status_code == 200, first.text
    assert set(first.json()) == {"token"}
    customer = await me(client, first.json()["token"])
    assert (customer["status"], customer["id_brand"]) == (7, shop)
    assert (customer["email_tmp"], customer["email"]) == ("jane@example.com", None)
    assert (customer["city"], customer["dob"]) == ("Lille", "1985-06-01")
    again = await connect(
        client, CUSTOMER | {"user_api_key": site_key, "lastname": "Doe", "customer_id": "S-1"}
    )
    found = await me(client, again.json()["token"])
    assert found["id_ambassador"] == customer["id_ambassador"]
    assert (found["lastname"], found["customer_id"], found["city"]) == ("Doe", "S-1", "Lille")
    # By customer_id first: a new email at the shop is the same customer.
    moved = await connect(
        client,
        {"email_tmp": "jane.doe@example.com", "firstname": "Jane", "customer_id": "S-1"}
        | {"user_api_key": site_key},
    )
    renamed = await me(client, moved.json()["token"])
    assert renamed["id_ambassador"] == customer["id_ambassador"]
    assert renamed["email_tmp"] == "jane.doe@example.com"


@pytest.mark.parametrize("customer_id", [None, "S-9"])
async def test_a_customer_cannot_steal_another_s_account_through_email_tmp(
    client: httpx.AsyncClient, world: World, site_key: str, shop: int, customer_id: str | None
) -> None:
    """Mallory, a customer, sets her `email_tmp` to Alice's: when the site signs Alice in,
    Alice gets an account of her own, not Mallory's (her chats, her ratings)."""
    mallory_token = (
        await connect(
            client,
            {"email_tmp": "mallory@example.com", "firstname": "Mallory"}
            | {"user_api_key": site_key},
        )
    ).json()["token"]
    mallory = await me(client, mallory_token)
    headers = {"Authorization": f"Bearer {mallory_token}"}
    claimed = await client.patch(
        f"/chat/ambassadors/{mallory['id_ambassador']}",
        headers=headers,
        json={"email_tmp": "alice@example.com"},
    )
    assert claimed.status_code == 200, claimed.text
    alice_body = {"email_tmp": "alice@example.com", "firstname": "Alice", "user_api_key": site_key}
    if customer_id is not None:
        alice_body["customer_id"] = customer_id
    alice = await me(client, (await connect(client, alice_body)).json()["token"])
    assert alice["id_ambassador"] != mallory["id_ambassador"]
    assert (alice["firstname"], alice["customer_id"]) == ("Alice", customer_id)
    # Mallory is still herself, and Alice is found again as herself.
    assert (await me(client, mallory_token))["firstname"] == "Mallory"
    again = await me(client, (await connect(client, alice_body)).json()["token"])
    assert again["id_ambassador"] == alice["id_ambassador"]


async def test_only_a_staff_key_of_the_domain_s_brand_connects(
    app: FastAPI, client: httpx.AsyncClient, world: World, shop: int, site_key: str
) -> None:
    seller_key = await api_key_of(app, await world.person(shop, status=3))
    other_brand_key = await api_key_of(app, await world.person(await world.brand(), status=5))
    for key in ("slk_not-a-key", seller_key, other_brand_key):
        response = await connect(client, CUSTOMER | {"user_api_key": key})
        assert (response.status_code, response.json()) == (401, {"message": "Unauthorized."})
    people = await client.get(
        "/chat/ambassadors",
        headers={"Authorization": f"Bearer {(await world.person(shop, status=5)).token}"},
    )
    assert 7 not in {p["status"] for p in people.json()["data"]}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"firstname": "Jane"}, "email_tmp"),
        ({"email_tmp": "jane@example.com"}, "firstname"),
        ({"email_tmp": "jane@example.com", "firstname": "Jane", "status": 2}, "status"),
        ({"email_tmp": "jane@example.com", "firstname": "Jane", "dob": "1985-13-01"}, "dob"),
    ],
)
async def test_a_bad_body_is_422(
    client: httpx.AsyncClient, site_key: str, body: dict[str, object], field: str
) -> None:
    response = await connect(client, body | {"user_api_key": site_key})
    assert response.status_code == 422, response.text
    assert field in response.json()["errors"]


async def guest_token(client: httpx.AsyncClient) -> str:
    response = await client.post("/auth/guest", headers={"X-Popsell-Domain": DOMAIN})
    assert response.status_code == 200, response.text
    token: str = response.json()["token"]
    return token


async def test_a_guest_bound_to_the_customer_brings_its_chatrooms(
    client: httpx.AsyncClient, world: World, shop: int, site_key: str
) -> None:
    guest = await guest_token(client)
    guest_id = int(str((await me(client, guest))["id_ambassador"]))
    seller = await world.person(shop, status=3)
    guest_person = Person(guest_id, shop, 8, guest)
    chatroom = await world.chatroom(guest_person, seller)
    response = await connect(client, CUSTOMER | {"user_api_key": site_key}, token=guest)
    assert response.status_code == 200, response.text
    token = response.json()["token"]
    customer_id = (await me(client, token))["id_ambassador"]
    rooms = await client.get(
        f"/chat/ambassadors/{customer_id}/chatrooms",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert rooms.status_code == 200, rooms.text
    assert [room["id_chatroom"] for room in rooms.json()["data"]] == [chatroom]
    assert rooms.json()["total"] == 1
    # The customer's own chatroom is listed once beside it, even where both are in one room.
    own = await world.chatroom(Person(int(str(customer_id)), shop, 7, token), seller, guest_person)
    both = await client.get(
        f"/chat/ambassadors/{customer_id}/chatrooms",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert sorted(room["id_chatroom"] for room in both.json()["data"]) == sorted([chatroom, own])
    # Binding again to the same customer is fine; to another, refused.
    again = await connect(client, CUSTOMER | {"user_api_key": site_key}, token=guest)
    assert again.status_code == 200
    other = await connect(
        client,
        {"email_tmp": "other@example.com", "firstname": "Other", "user_api_key": site_key},
        token=guest,
    )
    assert other.status_code == 422
    assert other.json()["errors"] == {
        "Authorization": ["The guest is already bound to another brand user."]
    }
    # The guest itself still sees only its own chatrooms.
    guest_rooms = await client.get(
        f"/chat/ambassadors/{guest_id}/chatrooms", headers={"Authorization": f"Bearer {guest}"}
    )
    assert sorted(room["id_chatroom"] for room in guest_rooms.json()["data"]) == sorted(
        [chatroom, own]
    )


async def test_only_a_guest_of_the_brand_can_be_bound(
    client: httpx.AsyncClient, world: World, shop: int, site_key: str
) -> None:
    member = await world.person(shop, status=0)
    not_guest = await connect(client, CUSTOMER | {"user_api_key": site_key}, token=member.token)
    assert not_guest.status_code == 422
    assert list(not_guest.json()["errors"]) == ["Authorization"]
    foreign_guest = await world.person(await world.brand(), status=8)
    foreign = await connect(
        client, CUSTOMER | {"user_api_key": site_key}, token=foreign_guest.token
    )
    assert foreign.status_code == 401
    revoked = await connect(client, CUSTOMER | {"user_api_key": site_key}, token="sln_nothing")
    assert revoked.status_code == 401
    # None of these created the customer.
    staff = await world.person(shop, status=5)
    clients = await client.get("/chat/ambassadors?filter[status]=7", headers=staff.headers)
    assert clients.json()["total"] == 0
