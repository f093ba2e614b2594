"""`GET /widget/ambassadors/{id}`: an ambassador's card, for anyone signed in to the brand."""

import httpx

from tests.support import Person, World

CARD = {
    "id_ambassador",
    "image",
    "full_name",
    "username",
    "description",
    "status",
    "availability",
    "unavailable",
    "is_absent",
    "absent_msg",
    "fb_account",
    "twitter_account",
    "instagram_account",
    "linkedIn_account",
    "youtube_account",
    "tiktok_account",
    "online",
    "last_action_date",
    "location",
    "address_geocode",
}


async def test_a_guest_sees_an_ambassador_s_card(
    client: httpx.AsyncClient, world: World, brand: int, ambassador: Person
) -> None:
    await client.patch(
        "/widget/me",
        headers=ambassador.headers,
        json={"description": "Sommelier", "city": "Bordeaux", "is_absent": True},
    )
    guest = await world.person(brand, status=8)
    response = await client.get(f"/widget/ambassadors/{ambassador.id}", headers=guest.headers)
    assert response.status_code == 200, response.text
    card = response.json()
    assert set(card) == CARD  # no email, customer id or secret
    me = (await client.get("/widget/me", headers=ambassador.headers)).json()
    assert card["full_name"] == f"{me['firstname']} {me['lastname']}"
    assert (card["description"], card["location"], card["is_absent"]) == (
        "Sommelier",
        "Bordeaux",
        True,
    )
    assert card["online"] is True  # the ambassador's own request just now
    assert card["address_geocode"] is None


async def test_a_shopper_s_card_is_theirs_alone(
    client: httpx.AsyncClient, world: World, brand: int, visitor: Person, ambassador: Person
) -> None:
    own = await client.get(f"/widget/ambassadors/{visitor.id}", headers=visitor.headers)
    assert own.status_code == 200
    other = await client.get(f"/widget/ambassadors/{visitor.id}", headers=ambassador.headers)
    assert other.status_code == 404


async def test_the_card_needs_a_token_of_the_brand(
    client: httpx.AsyncClient, world: World, ambassador: Person
) -> None:
    path = f"/widget/ambassadors/{ambassador.id}"
    unsigned = await client.get(path)
    assert (unsigned.status_code, unsigned.json()) == (401, {"message": "Unauthorized."})
    foreign = await world.person(await world.brand(), status=8)
    hidden = await client.get(path, headers=foreign.headers)
    assert hidden.status_code == 404
    assert hidden.json() == {"message": "Not found - The ambassador does not exist"}
    wrong_brand = await client.get(
        path, headers=ambassador.headers | {"X-Popsell-Brand": str(ambassador.id_brand + 1)}
    )
    assert wrong_brand.status_code == 403
    bad_id = await client.get("/widget/ambassadors/0", headers=ambassador.headers)
    assert bad_id.status_code == 422
    assert set(bad_id.json()) == {"message", "errors"}
