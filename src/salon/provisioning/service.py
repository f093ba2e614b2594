"""Creating brands, people and chatrooms: the CLI, the demo, the tests' fixtures, and the
routes that open chatrooms or shop customers all use these."""

from collections.abc import Sequence

from salon.ambassadors import repository as ambassadors
from salon.chatrooms import repository as chatrooms
from salon.clock import utcnow
from salon.db.database import Transaction
from salon.errors import Invalid, NotFound
from salon.provisioning import repository
from salon.records import (
    Ambassador,
    AmbassadorStatus,
    Brand,
    BrandTag,
    ChatroomSource,
    ChatroomType,
    DiscussionType,
)

EXTERNAL_STATUSES = frozenset({AmbassadorStatus.CLIENT, AmbassadorStatus.TEMP})


async def create_brand(tx: Transaction, label: str, domain: str | None = None) -> Brand:
    if await repository.find_brand(tx, label) is not None:
        raise Invalid.field("label", f"A brand labelled {label!r} already exists.")
    domain = domain.strip().lower() if domain else None
    if domain is not None and await repository.find_brand_by_domain(tx, domain) is not None:
        raise Invalid.field("domain", f"A brand already uses the domain {domain}.")
    return await repository.insert_brand(tx, label, domain, utcnow())


async def create_ambassador(
    tx: Transaction,
    id_brand: int,
    *,
    status: int,
    firstname: str = "",
    lastname: str = "",
    email: str | None = None,
    username: str | None = None,
    customer_id: str | None = None,
    email_tmp: str | None = None,
    active: int = 1,
) -> Ambassador:
    if await repository.get_brand(tx, id_brand) is None:
        raise NotFound("brand")
    if status not in AmbassadorStatus.__members__.values():
        raise Invalid.field("status", "The status field must be between 0 and 8.")
    email = email.strip().lower() if email else None
    if email is not None and await repository.email_taken(tx, id_brand, email):
        raise Invalid.field("email", f"An ambassador with the email {email} already exists.")
    id_ambassador = await repository.insert_ambassador(
        tx,
        id_brand=id_brand,
        status=status,
        firstname=firstname,
        lastname=lastname,
        email=email,
        username=username,
        customer_id=customer_id,
        email_tmp=email_tmp,
        active=active,
        now=utcnow(),
    )
    created = await ambassadors.get(tx, id_ambassador)
    assert created is not None
    return created


async def create_chatroom(
    tx: Transaction,
    members: Sequence[Ambassador],
    *,
    source: int = ChatroomSource.DIRECT,
    id_brand_tag: int | None = None,
) -> int:
    """A chatroom between these ambassadors of one brand, and its id: one-to-one for two
    people, else (or when opened on a brand tag) one-to-many. `type_discussion` follows who is
    in it (members, external visitors, or both)."""
    brands = {member.id_brand for member in members}
    if len(members) < 2 or len(brands) != 1:
        raise Invalid.field("ids_ambassadors", "A chatroom needs two ambassadors of one brand.")
    if len({member.id_ambassador for member in members}) != len(members):
        raise Invalid.field("ids_ambassadors", "The ambassadors of a chatroom must be distinct.")
    one_to_one = len(members) == 2 and id_brand_tag is None
    return await chatrooms.insert(
        tx,
        id_brand=brands.pop(),
        type_chatroom=ChatroomType.ONE_TO_ONE if one_to_one else ChatroomType.ONE_TO_MANY,
        type_discussion=_discussion_type(members),
        source=source,
        id_brand_tag=id_brand_tag,
        members=[member.id_ambassador for member in members],
        now=utcnow(),
    )


def _discussion_type(members: Sequence[Ambassador]) -> DiscussionType:
    external = [member.status in EXTERNAL_STATUSES for member in members]
    if all(external):
        return DiscussionType.BETWEEN_EXTERNAL
    if any(external):
        return DiscussionType.MEMBERS_AND_EXTERNAL
    return DiscussionType.BETWEEN_MEMBERS


async def create_brand_tag(tx: Transaction, id_brand: int, name: str) -> BrandTag:
    if await repository.get_brand(tx, id_brand) is None:
        raise NotFound("brand")
    if await repository.find_tag(tx, id_brand, name) is not None:
        raise Invalid.field("name", f"The brand already has a tag named {name!r}.")
    return await repository.insert_tag(tx, id_brand, name, utcnow())


async def add_tag_member(tx: Transaction, id_brand_tag: int, id_ambassador: int) -> None:
    tag = await repository.get_tag(tx, id_brand_tag)
    if tag is None:
        raise NotFound("brand tag")
    ambassador = await ambassadors.get(tx, id_ambassador)
    if ambassador is None or ambassador.id_brand != tag.id_brand:
        raise NotFound("ambassador")
    if id_ambassador not in await repository.tag_member_ids(tx, id_brand_tag):
        await repository.add_tag_member(tx, tag, id_ambassador)
