"""What an attack on the profile's routes found, held shut: parallel guesses of the current
password, a declined person revived by a flag, staff deciding on or moving their own account,
a visitor squatting a sign-in email."""

import asyncio

import httpx
from fastapi import FastAPI

from tests.api.accounts import SELLER_EMAIL, SELLER_PASSWORD, login
from tests.support import Person, World, run_sql


async def test_parallel_guesses_of_the_current_password_get_the_login_s_budget(
    client: httpx.AsyncClient, seller: Person
) -> None:
    guesses = [
        client.patch(
            "/manager/me",
            headers=seller.headers,
            json={"email": f"new{i}@example.com", "current_password": f"guess {i}"},
        )
        for i in range(12)
    ]
    statuses = sorted(response.status_code for response in await asyncio.gather(*guesses))
    # Checked one at a time: five wrong guesses, then the budget is spent.
    assert statuses == [422] * 5 + [429] * 7
    assert (await login(client, SELLER_EMAIL, SELLER_PASSWORD)).status_code == 200


async def test_parallel_first_passwords_set_one_and_say_why_the_others_failed(
    client: httpx.AsyncClient, world: World, shop: int
) -> None:
    member = await world.person(shop, status=0)
    email = (await client.get("/widget/me", headers=member.headers)).json()["email"]
    bodies = [
        {"password": f"passphrase {i}", "password_confirmation": f"passphrase {i}"}
        for i in range(4)
    ]
    answers = await asyncio.gather(
        *(client.patch("/widget/me", headers=member.headers, json=body) for body in bodies)
    )
    won = [body for body, answer in zip(bodies, answers, strict=True) if answer.status_code == 200]
    assert len(won) == 1
    reasons = {
        "The password or the email changed meanwhile: send the change again.",
        "The current password field is required to change the password or the email.",
    }
    for answer in answers:
        if answer.status_code != 200:
            assert answer.status_code == 422
            (reason,) = answer.json()["errors"]["current_password"]
            assert reason in reasons
    assert (await login(client, email, won[0]["password"])).status_code == 200


async def test_a_declined_person_is_not_revived_by_the_active_flag(
    client: httpx.AsyncClient, world: World, brand: int, manager: Person
) -> None:
    applicant = await world.person(brand, status=0, active=0)
    declined = await client.patch(
        f"/manager/ambassadors/{applicant.id}/decline",
        headers=manager.headers,
        json={"reason": "Not a fit"},
    )
    assert declined.status_code == 200, declined.text
    assert (await client.get("/widget/me", headers=applicant.headers)).status_code == 401
    revived = await client.patch(
        f"/manager/ambassadors/{applicant.id}", headers=manager.headers, json={"active": True}
    )
    assert revived.status_code == 422
    assert list(revived.json()["errors"]) == ["active"]
    assert (await client.get("/widget/me", headers=applicant.headers)).status_code == 401


async def test_staff_neither_approve_themselves_nor_move_their_own_email(
    app: FastAPI, client: httpx.AsyncClient, world: World, brand: int, manager: Person
) -> None:
    await run_sql(
        app, "UPDATE ambassador SET active = 0 WHERE id_ambassador = :id", {"id": manager.id}
    )
    own = await client.patch(f"/manager/ambassadors/{manager.id}/approve", headers=manager.headers)
    assert own.status_code == 422
    assert own.json()["errors"] == {"id": ["You cannot approve or decline yourself."]}
    await run_sql(
        app, "UPDATE ambassador SET active = 1 WHERE id_ambassador = :id", {"id": manager.id}
    )
    moved = await client.patch(
        f"/manager/ambassadors/{manager.id}",
        headers=manager.headers,
        json={"email": "elsewhere@example.com"},
    )
    assert moved.status_code == 422
    assert list(moved.json()["errors"]) == ["email"]
    # Another person's email is the staff's to change.
    colleague = await world.person(brand)
    theirs = await client.patch(
        f"/manager/ambassadors/{colleague.id}",
        headers=manager.headers,
        json={"email": "colleague@example.com"},
    )
    assert theirs.status_code == 200, theirs.text


async def test_a_visitor_cannot_claim_a_sign_in_email(
    client: httpx.AsyncClient, world: World, brand: int
) -> None:
    for status in (7, 8):
        visitor = await world.person(brand, status=status)
        before = (await client.get("/widget/me", headers=visitor.headers)).json()["email"]
        claimed = await client.patch(
            "/widget/me", headers=visitor.headers, json={"email": "future.staff@example.com"}
        )
        assert claimed.status_code == 422
        assert list(claimed.json()["errors"]) == ["email"]
        assert (await client.get("/widget/me", headers=visitor.headers)).json()["email"] == before


async def test_a_profile_keeps_to_images_on_the_web_and_names_with_letters(
    client: httpx.AsyncClient, ambassador: Person
) -> None:
    for body in (
        {"image": "javascript:alert(1)"},
        {"image": "data:image/png;base64,AAAA"},
        {"firstname": "   "},
    ):
        refused = await client.patch("/widget/me", headers=ambassador.headers, json=body)
        assert refused.status_code == 422, body
        assert list(refused.json()["errors"]) == list(body)
    kept = await client.patch(
        "/widget/me",
        headers=ambassador.headers,
        json={"image": "https://cdn.example.com/me.png", "firstname": "  Ada  "},
    )
    assert kept.status_code == 200, kept.text
    assert (kept.json()["image"], kept.json()["firstname"]) == (
        "https://cdn.example.com/me.png",
        "Ada",
    )
