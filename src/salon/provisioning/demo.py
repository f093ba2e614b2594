"""`salon demo`: a small brand to try the API against. Running it again changes nothing but the
demo credentials: each run revokes the previous demo tokens and prints fresh tokens and
passwords (both are stored hashed, so old ones cannot be shown again). Never run it against a
production database."""

import secrets
from dataclasses import dataclass
from typing import Any

from salon.ambassadors import repository as ambassadors
from salon.auth.service import issue_token, revoke_tokens, set_password
from salon.db.database import Transaction
from salon.provisioning import repository, service
from salon.records import Ambassador, AmbassadorStatus

DEMO_BRAND = "Salon demo"
DEMO_DOMAIN = "demo.salon.localhost"
DEMO_TOKEN_LABEL = "demo"  # noqa: S105 (a label, not a secret)


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


async def load_demo(tx: Transaction) -> dict[str, Any]:
    """Create (or find) the demo brand, its people and chatrooms; issue demo tokens.
    Returns what `salon demo --json` prints."""
    brand = await repository.find_brand(tx, DEMO_BRAND)
    if brand is None:
        brand = await service.create_brand(tx, DEMO_BRAND, DEMO_DOMAIN)
    people = [await _person(tx, brand.id_brand, person) for person in DEMO_PEOPLE]
    visitor, ambassadors = people[0], people[1:3]
    chatrooms = [await _chatroom(tx, [visitor, ambassador]) for ambassador in ambassadors]

    issued, passwords = [], []
    for ambassador in people:
        await revoke_tokens(tx, ambassador.id_ambassador, label=DEMO_TOKEN_LABEL)
        issued.append(await issue_token(tx, ambassador, DEMO_TOKEN_LABEL))
        passwords.append(secrets.token_urlsafe(12))
        await set_password(tx, ambassador, passwords[-1])
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


async def _chatroom(tx: Transaction, members: list[Ambassador]) -> int:
    ids = [member.id_ambassador for member in members]
    found = await repository.find_chatroom_of_exactly(tx, members[0].id_brand, ids)
    return found if found is not None else await service.create_chatroom(tx, members)
