"""`PATCH /manager/ambassadors/{id}/approve` and `/decline`: staff decide an application."""

from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from tests.support import Person, World, run_sql

NOT_AWAITING = "The ambassador is not awaiting approval."


def path(person: Person, decision: str) -> str:
    return f"/manager/ambassadors/{person.id}/{decision}"


async def state(app: FastAPI, person: Person) -> tuple[Any, ...]:
    """(active, validate_date set, declined_date set, decline_reason)."""
    rows = await run_sql(
        app,
        "SELECT active, validate_date IS NOT NULL, declined_date IS NOT NULL, decline_reason "
        "FROM ambassador WHERE id_ambassador = :id",
        {"id": person.id},
    )
    active, validated, declined, reason = rows[0]
    return active, bool(validated), bool(declined), reason


@pytest.fixture
async def applicant(world: World, brand: int) -> Person:
    return await world.person(brand, status=0, active=0, name="Cat Lee")


async def test_approving_makes_an_applicant_active(
    app: FastAPI, client: httpx.AsyncClient, manager: Person, applicant: Person
) -> None:
    assert await state(app, applicant) == (0, False, False, None)
    response = await client.patch(path(applicant, "approve"), headers=manager.headers)
    assert response.status_code == 200, response.text
    assert response.json() == {"message": "Ambassador approved successfully"}
    assert await state(app, applicant) == (1, True, False, None)
    # Decided once: approving or declining again is refused and changes nothing.
    for decision, body in (("approve", None), ("decline", {"reason": "changed my mind"})):
        again = await client.patch(path(applicant, decision), headers=manager.headers, json=body)
        assert again.status_code == 422, again.text
        assert again.json() == {"message": NOT_AWAITING, "errors": {"id": [NOT_AWAITING]}}
    assert await state(app, applicant) == (1, True, False, None)
    listed = await client.get(
        "/manager/ambassadors", headers=manager.headers, params={"filter[active]": "1"}
    )
    assert applicant.id in [p["id_ambassador"] for p in listed.json()["data"]]


async def test_declining_blocks_an_applicant_and_keeps_the_reason(
    app: FastAPI, client: httpx.AsyncClient, manager: Person, applicant: Person
) -> None:
    response = await client.patch(
        path(applicant, "decline"), headers=manager.headers, json={"reason": "  Not a fit  "}
    )
    assert response.status_code == 200, response.text
    assert response.json() == {"message": "Ambassador declined successfully"}
    assert await state(app, applicant) == (-1, False, True, "Not a fit")
    # Blocked: their token no longer works, and they cannot be approved.
    me = await client.get("/platform/me", headers=applicant.headers)
    assert me.status_code == 401
    again = await client.patch(path(applicant, "approve"), headers=manager.headers)
    assert again.status_code == 422
    assert await state(app, applicant) == (-1, False, True, "Not a fit")


async def test_only_an_applicant_is_decided(
    app: FastAPI, client: httpx.AsyncClient, world: World, brand: int, manager: Person
) -> None:
    for active in (1, -1, -2, -3):
        person = await world.person(brand, active=active)
        for decision in ("approve", "decline"):
            response = await client.patch(
                path(person, decision), headers=manager.headers, json={"reason": "no"}
            )
            assert response.status_code == 422, (active, decision, response.text)
            assert response.json()["errors"] == {"id": [NOT_AWAITING]}
        assert (await state(app, person))[0] == active


@pytest.mark.parametrize(
    "body",
    [
        None,
        {},
        {"reason": ""},
        {"reason": "   "},
        {"reason": "x" * 1001},
        {"reason": 3},
        {"reason": None},
        {"reason": "ok", "extra": 1},
        ["reason"],
    ],
)
async def test_a_decline_needs_a_reason(
    app: FastAPI, client: httpx.AsyncClient, manager: Person, applicant: Person, body: Any
) -> None:
    response = await client.patch(path(applicant, "decline"), headers=manager.headers, json=body)
    assert response.status_code == 422, response.text
    assert set(response.json()) == {"message", "errors"}
    assert await state(app, applicant) == (0, False, False, None)


async def test_a_preview_answers_the_mail_and_changes_nothing(
    app: FastAPI, client: httpx.AsyncClient, world: World, brand: int, manager: Person
) -> None:
    applicant = await world.person(brand, active=0, name="<script>alert(1)</script> O'Neil&Co")
    approving = await client.patch(
        path(applicant, "approve"), headers=manager.headers, params={"preview-mail": "true"}
    )
    assert approving.status_code == 200, approving.text
    assert approving.headers["content-type"].startswith("text/html")
    html = approving.text
    assert "approved" in html
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; O&#x27;Neil&amp;Co" in html
    declining = await client.patch(
        path(applicant, "decline"),
        headers=manager.headers,
        params={"preview-mail": "true"},
        json={"reason": "Too <b>many</b> applicants"},
    )
    assert declining.status_code == 200, declining.text
    assert declining.headers["content-type"].startswith("text/html")
    assert "declined" in declining.text
    assert "Too &lt;b&gt;many&lt;/b&gt; applicants" in declining.text
    assert await state(app, applicant) == (0, False, False, None)
    # preview-mail=false decides.
    decided = await client.patch(
        path(applicant, "approve"), headers=manager.headers, params={"preview-mail": "false"}
    )
    assert decided.json() == {"message": "Ambassador approved successfully"}
    # A preview of a decision that cannot be taken is refused as the decision is.
    refused = await client.patch(
        path(applicant, "approve"), headers=manager.headers, params={"preview-mail": "true"}
    )
    assert refused.status_code == 422
    bad = await client.patch(
        path(applicant, "approve"), headers=manager.headers, params={"preview-mail": "perhaps"}
    )
    assert bad.status_code == 422
    assert "preview-mail" in bad.json()["errors"]


async def test_only_staff_of_the_brand_decide(
    app: FastAPI,
    client: httpx.AsyncClient,
    world: World,
    brand: int,
    applicant: Person,
    ambassador: Person,
    visitor: Person,
) -> None:
    body = {"reason": "no"}
    for decision in ("approve", "decline"):
        unsigned = await client.patch(path(applicant, decision), json=body)
        assert (unsigned.status_code, unsigned.json()) == (401, {"message": "Unauthorized."})
        for person in (ambassador, visitor, applicant):
            refused = await client.patch(
                path(applicant, decision), headers=person.headers, json=body
            )
            assert refused.status_code == 403, refused.text
        foreign = await world.person(await world.brand(), status=5)
        hidden = await client.patch(path(applicant, decision), headers=foreign.headers, json=body)
        assert hidden.status_code == 404
        assert hidden.json() == {"message": "Not found - The ambassador does not exist"}
        admin = await world.person(brand, status=2)
        missing = await client.patch(
            f"/manager/ambassadors/2147483647/{decision}", headers=admin.headers, json=body
        )
        assert missing.status_code == 404
        zero = await client.patch(
            f"/manager/ambassadors/0/{decision}", headers=admin.headers, json=body
        )
        assert zero.status_code == 422
    assert await state(app, applicant) == (0, False, False, None)
