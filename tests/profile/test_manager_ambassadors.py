"""`POST /manager/ambassadors` and `PATCH /manager/ambassadors/{id}`: brand staff's writes."""

import httpx
import pytest

from tests.support import Person, World

NEW = {"firstname": "Ada", "lastname": "Lovelace", "email": "Ada@Example.com"}


async def test_staff_create_a_person_who_signs_in_with_the_api_key(
    client: httpx.AsyncClient, manager: Person
) -> None:
    body = NEW | {
        "city": "London",
        "comment": "met at the fair",
        "customer_id": "C-42",
        "instagram_account": "@ada",
        "roles": [{"status_role": "ambassador", "manager_role": "shop_manager"}],
    }
    response = await client.post("/manager/ambassadors", headers=manager.headers, json=body)
    assert response.status_code == 201, response.text
    created = response.json()
    assert created["email"] == "ada@example.com"
    assert created["status"] == 4  # manager_role wins over status_role
    assert (created["city"], created["comment"], created["customer_id"]) == (
        "London",
        "met at the fair",
        "C-42",
    )
    assert created["id_brand"] == manager.id_brand
    exchanged = await client.post("/auth/token", json={"api_key": created["api_key"]})
    assert exchanged.status_code == 200, exchanged.text
    me = await client.get(
        "/widget/me", headers={"Authorization": f"Bearer {exchanged.json()['token']}"}
    )
    assert me.json()["id_ambassador"] == created["id_ambassador"]
    assert me.json()["instagram_account"] == "@ada"
    assert "comment" not in me.json()  # the staff's note is not the person's


async def test_roles_default_and_status_role(client: httpx.AsyncClient, manager: Person) -> None:
    plain = await client.post("/manager/ambassadors", headers=manager.headers, json=NEW)
    assert plain.json()["status"] == 0
    expert = await client.post(
        "/manager/ambassadors",
        headers=manager.headers,
        json=NEW | {"email": "grace@example.com", "roles": [{"status_role": "expert"}]},
    )
    assert expert.json()["status"] == 6


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"firstname": "Ada", "email": "ada@example.com"}, "lastname"),
        (NEW | {"email": "not an email"}, "email"),
        (NEW | {"roles": [{"status_role": "client"}]}, "roles.0.status_role"),
        (NEW | {"roles": [{"status_role": "expert"}, {"status_role": "seller"}]}, "roles"),
        (NEW | {"password": "secret!!"}, "password"),
    ],
)
async def test_a_bad_creation_is_422_and_creates_nobody(
    client: httpx.AsyncClient, manager: Person, body: dict[str, object], field: str
) -> None:
    response = await client.post("/manager/ambassadors", headers=manager.headers, json=body)
    assert response.status_code == 422, response.text
    assert field in response.json()["errors"]
    assert response.json()["message"]
    people = await client.get("/chat/ambassadors", headers=manager.headers)
    assert people.json()["total"] == 1  # the manager alone


async def test_an_email_of_the_brand_is_taken_but_not_another_brand_s(
    client: httpx.AsyncClient, world: World, manager: Person
) -> None:
    assert (
        await client.post("/manager/ambassadors", headers=manager.headers, json=NEW)
    ).status_code == 201
    again = await client.post(
        "/manager/ambassadors", headers=manager.headers, json=NEW | {"email": "ADA@example.com"}
    )
    assert again.status_code == 422
    assert again.json() == {
        "message": "The email has already been taken.",
        "errors": {"email": ["The email has already been taken."]},
    }
    elsewhere = await world.person(await world.brand(), status=2)
    other = await client.post("/manager/ambassadors", headers=elsewhere.headers, json=NEW)
    assert other.status_code == 201


async def test_creating_needs_staff(
    client: httpx.AsyncClient, ambassador: Person, visitor: Person
) -> None:
    assert (await client.post("/manager/ambassadors", json=NEW)).status_code == 401
    for person in (ambassador, visitor):
        response = await client.post("/manager/ambassadors", headers=person.headers, json=NEW)
        assert response.status_code == 403
        assert response.json() == {
            "message": "Forbidden - You don't have permission to access this route"
        }


async def test_staff_update_a_person(
    client: httpx.AsyncClient, manager: Person, ambassador: Person
) -> None:
    body = {
        "availability": "mornings",
        "is_absent": True,
        "absent_msg": "Back Monday",
        "tiktok_account": "@runner",
        "customer_id": "X1",
        "comment": "top seller",
        "active": False,
    }
    path = f"/manager/ambassadors/{ambassador.id}"
    response = await client.patch(path, headers=manager.headers, json=body)
    assert response.status_code == 200, response.text
    updated = response.json()
    assert {key: updated[key] for key in body if key != "active"} == {
        key: value for key, value in body.items() if key != "active"
    }
    assert updated["active"] == 0
    me = (await client.get("/widget/me", headers=ambassador.headers)).json()
    assert (me["absent_msg"], me["active"]) == ("Back Monday", 0)
    back = await client.patch(path, headers=manager.headers, json={"active": True})
    assert back.json()["active"] == 1


async def test_unsubscribing_signs_the_person_out(
    client: httpx.AsyncClient, manager: Person, ambassador: Person
) -> None:
    response = await client.patch(
        f"/manager/ambassadors/{ambassador.id}",
        headers=manager.headers,
        json={"unsubscribe": "2026-12-01"},
    )
    assert response.status_code == 200, response.text
    assert response.json()["active"] == -3
    assert (await client.get("/widget/me", headers=ambassador.headers)).status_code == 401


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"active": 1}, "active"),
        ({"active": True, "unsubscribe": "2026-12-01T10:00:00Z"}, "active"),
        ({"firstname": None}, "firstname"),
        ({"status": 2}, "status"),
        ({"unsubscribe": "yesterday"}, "unsubscribe"),
    ],
)
async def test_a_bad_update_is_422_and_changes_nothing(
    client: httpx.AsyncClient,
    manager: Person,
    ambassador: Person,
    body: dict[str, object],
    field: str,
) -> None:
    response = await client.patch(
        f"/manager/ambassadors/{ambassador.id}",
        headers=manager.headers,
        json=body | {"city": "Rome"},
    )
    assert response.status_code == 422, response.text
    assert field in response.json()["errors"]
    me = (await client.get("/widget/me", headers=ambassador.headers)).json()
    assert (me["city"], me["active"]) == (None, 1)


async def test_staff_cannot_disable_themselves(client: httpx.AsyncClient, manager: Person) -> None:
    path = f"/manager/ambassadors/{manager.id}"
    for body in ({"active": False}, {"unsubscribe": "2026-12-01"}):
        response = await client.patch(path, headers=manager.headers, json=body)
        assert response.status_code == 422
        assert response.json()["errors"] == {
            next(iter(body)): ["You cannot deactivate or unsubscribe your own account."]
        }
    assert (await client.get("/widget/me", headers=manager.headers)).status_code == 200


async def test_an_email_clash_on_update(
    client: httpx.AsyncClient, manager: Person, ambassador: Person
) -> None:
    created = await client.post("/manager/ambassadors", headers=manager.headers, json=NEW)
    response = await client.patch(
        f"/manager/ambassadors/{ambassador.id}",
        headers=manager.headers,
        json={"email": "ada@example.com"},
    )
    assert response.status_code == 422
    assert response.json()["errors"] == {"email": ["The email has already been taken."]}
    own = await client.patch(
        f"/manager/ambassadors/{created.json()['id_ambassador']}",
        headers=manager.headers,
        json={"email": "ada@example.com"},
    )
    assert own.status_code == 200


async def test_updating_needs_staff_of_the_brand(
    client: httpx.AsyncClient, world: World, manager: Person, ambassador: Person
) -> None:
    path = f"/manager/ambassadors/{ambassador.id}"
    assert (await client.patch(path, json={"city": "Oslo"})).status_code == 401
    denied = await client.patch(path, headers=ambassador.headers, json={"city": "Oslo"})
    assert denied.status_code == 403
    foreign = await world.person(await world.brand(), status=5)
    hidden = await client.patch(path, headers=foreign.headers, json={"city": "Oslo"})
    assert hidden.status_code == 404
    assert hidden.json() == {"message": "Not found - The ambassador does not exist"}
    missing = await client.patch(
        "/manager/ambassadors/999999", headers=manager.headers, json={"city": "Oslo"}
    )
    assert missing.status_code == 404
    me = (await client.get("/widget/me", headers=ambassador.headers)).json()
    assert me["city"] is None
