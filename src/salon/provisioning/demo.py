"""`salon demo`: a small brand to try the API against. Running it again changes no data and
revokes nothing: credentials stored hashed cannot be shown again, so each run issues a new
token per person and sets new passwords, except those an earlier run's output (`earlier`,
what `salon demo --file var/demo.json` wrote) still holds and that still work: they are kept
and printed again. So a second `make serve` leaves the first one's var/demo.json working.
Never run it against a production database."""

import secrets
from dataclasses import dataclass
from typing import Any

from salon.ambassadors import repository as ambassadors
from salon.ambassadors.repository import like_pattern
from salon.api.listing import Sort
from salon.auth.service import issue_token, password_matches, set_password, token_owner
from salon.brands import service as brands
from salon.catalog import repository as catalog
from salon.clock import utcnow
from salon.db.database import Transaction
from salon.provisioning import repository, service
from salon.records import Ambassador, AmbassadorStatus

DEMO_BRAND = "Salon demo"
DEMO_DOMAIN = "demo.salon.localhost"
DEMO_TOKEN_LABEL = "demo"  # noqa: S105 (a label, not a secret)
DEMO_SETTINGS: dict[str, Any] = {
    "default_language": "en_US",
    "url": "https://demo.salon.localhost",
    "program_label": "Salon demo ambassadors",
    "available_content_language": "en_US,fr_FR",
    "timezone": "Europe/Paris",
    "brand_config": '{"theme": {"primary": "#2f5d50"}}',
    "widget_config": (
        '{"global": {"signInUrl": "https://demo.salon.localhost/login", '
        '"signUpUrl": "https://demo.salon.localhost/register"}, '
        '"community": {"defaultGeolocation": [48.8566, 2.3522], "locationType": "city"}, '
        '"picking": {"name": {"selector": "h1.product-title"}, '
        '"price": {"selector": "[data-price]", "attribute": "data-price"}}}'
    ),
}


@dataclass(frozen=True)
class DemoPerson:
    status: AmbassadorStatus
    firstname: str
    lastname: str
    email: str


DEMO_PEOPLE = (
    DemoPerson(AmbassadorStatus.CLIENT, "Vera", "Visitor", "vera.visitor@demo.salon.invalid"),
    DemoPerson(AmbassadorStatus.AMBASSADOR, "Ada", "Lovelace", "ada@demo.salon.invalid"),
    DemoPerson(AmbassadorStatus.AMBASSADOR, "Bruno", "Martin", "bruno@demo.salon.invalid"),
    DemoPerson(AmbassadorStatus.MANAGER, "Mona", "Manager", "mona.manager@demo.salon.invalid"),
)


async def load_demo(tx: Transaction, earlier: dict[str, Any] | None = None) -> dict[str, Any]:
    """Create (or find) the demo brand, its people and chatrooms; issue the demo credentials
    that `earlier` does not hold working. Returns what `salon demo --json` prints."""
    brand = await repository.find_brand(tx, DEMO_BRAND)
    if brand is None:
        brand = await service.create_brand(tx, DEMO_BRAND, DEMO_DOMAIN)
        # What GET /brand and GET /widget/config answer for the demo domain.
        await brands.set_settings(tx, brand.id_brand, DEMO_SETTINGS)
    people = [await _person(tx, brand.id_brand, person) for person in DEMO_PEOPLE]
    visitor, ambassadors = people[0], people[1:3]
    chatrooms = [await _chatroom(tx, [visitor, ambassador]) for ambassador in ambassadors]
    await _tag(tx, brand.id_brand, ambassadors)
    await _topic(tx, brand.id_brand)

    kept = _credentials(earlier)
    issued, passwords = [], []
    for ambassador in people:
        token, password = kept.get(ambassador.id_ambassador, (None, None))
        if not await _token_works(tx, ambassador, token):
            token = await issue_token(tx, ambassador, DEMO_TOKEN_LABEL)
        if not await _password_works(tx, ambassador, password):
            password = secrets.token_urlsafe(12)
            await set_password(tx, ambassador, password)
        issued.append(token)
        passwords.append(password)
    return {
        "brand": {"id_brand": brand.id_brand, "label": brand.label, "domain": brand.domain},
        "ambassadors": [
            {
                "id_ambassador": ambassador.id_ambassador,
                "status": ambassador.status,
                "firstname": ambassador.firstname,
                "email": ambassador.email,
                "password": password,
                "token": token,
            }
            for ambassador, token, password in zip(people, issued, passwords, strict=True)
        ],
        "chatrooms": [
            {
                "id_chatroom": id_chatroom,
                "ids_ambassadors": [visitor.id_ambassador, ambassador.id_ambassador],
            }
            for id_chatroom, ambassador in zip(chatrooms, ambassadors, strict=True)
        ],
    }


def _credentials(earlier: dict[str, Any] | None) -> dict[int, tuple[str | None, str | None]]:
    """(token, password) by person id from an earlier run's output; anything else is ignored."""
    found: dict[int, tuple[str | None, str | None]] = {}
    people = (earlier or {}).get("ambassadors")
    for person in people if isinstance(people, list) else ():
        if isinstance(person, dict) and isinstance(person.get("id_ambassador"), int):
            token, password = person.get("token"), person.get("password")
            found[person["id_ambassador"]] = (
                token if isinstance(token, str) else None,
                password if isinstance(password, str) else None,
            )
    return found


async def _token_works(tx: Transaction, ambassador: Ambassador, token: str | None) -> bool:
    if token is None:
        return False
    owner = await token_owner(tx, token)
    return owner is not None and owner.id_ambassador == ambassador.id_ambassador


async def _password_works(tx: Transaction, ambassador: Ambassador, password: str | None) -> bool:
    return password is not None and await password_matches(tx, ambassador, password)


async def _person(tx: Transaction, id_brand: int, person: DemoPerson) -> Ambassador:
    found = await ambassadors.find_by_email(tx, id_brand, person.email)
    if found is not None:
        return found
    return await service.create_ambassador(
        tx,
        id_brand,
        status=person.status,
        firstname=person.firstname,
        lastname=person.lastname,
        email=person.email,
    )


DEMO_TAG = (("en_GB", "Experts"), ("fr_FR", "Experts"))
DEMO_TOPIC = (("en_GB", "Product advice"), ("fr_FR", "Conseil produit"))


async def _tag(tx: Transaction, id_brand: int, members: list[Ambassador]) -> None:
    """A brand tag of the two ambassadors (a group chatroom can be opened on it)."""
    name = DEMO_TAG[0][1]
    tag = await repository.find_tag(tx, id_brand, name)
    if tag is None:
        tag = await service.create_brand_tag(tx, id_brand, name)
        await catalog.set_contents(tx, id_brand, catalog.TAG_NAMES, tag.id_brand_tag, DEMO_TAG)
    for member in members:
        await service.add_tag_member(tx, tag.id_brand_tag, member.id_ambassador)


async def _topic(tx: Transaction, id_brand: int) -> None:
    """A chat topic, unless the brand has one about product advice already."""
    about = catalog.TopicFilters(search=like_pattern(DEMO_TOPIC[0][1]))
    _, found = await catalog.page_of_topics(tx, id_brand, about, Sort("position", False), 0, 1)
    if found:
        return
    topic = await catalog.insert_topic(
        tx, id_brand=id_brand, color="#1E88E5", position=1, active=True, roles="", now=utcnow()
    )
    await catalog.set_contents(
        tx, id_brand, catalog.TOPIC_CONTENTS, topic.id_chat_topic, DEMO_TOPIC
    )


async def _chatroom(tx: Transaction, members: list[Ambassador]) -> int:
    ids = [member.id_ambassador for member in members]
    found = await repository.find_chatroom_of_exactly(tx, members[0].id_brand, ids)
    return found if found is not None else await service.create_chatroom(tx, members)
