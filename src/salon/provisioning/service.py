"""Creating brands, people and chatrooms outside the chat API: the CLI, the demo and the
tests' fixtures all use these."""

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from salon.db.models import (
    Ambassador,
    AmbassadorStatus,
    Brand,
    BrandTag,
    BrandTagMember,
    Chatroom,
    ChatroomParticipant,
    ChatroomSource,
    ChatroomType,
    DiscussionType,
)
from salon.errors import Invalid, NotFound
from salon.provisioning import repository

EXTERNAL_STATUSES = frozenset({AmbassadorStatus.CLIENT, AmbassadorStatus.TEMP})


async def create_brand(session: AsyncSession, label: str, domain: str | None = None) -> Brand:
    if await repository.find_brand(session, label) is not None:
        raise Invalid.field("label", f"A brand labelled {label!r} already exists.")
    domain = domain.strip().lower() if domain else None
    if domain is not None and await repository.find_brand_by_domain(session, domain) is not None:
        raise Invalid.field("domain", f"A brand already uses the domain {domain}.")
    brand = Brand(label=label, domain=domain)
    session.add(brand)
    await session.flush()
    return brand


async def create_ambassador(
    session: AsyncSession,
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
    if await repository.get_brand(session, id_brand) is None:
        raise NotFound("brand")
    if status not in AmbassadorStatus.__members__.values():
        raise Invalid.field("status", "The status field must be between 0 and 8.")
    email = email.strip().lower() if email else None
    if email is not None and await repository.find_ambassador_by_email(session, id_brand, email):
        raise Invalid.field("email", f"An ambassador with the email {email} already exists.")
    ambassador = Ambassador(
        id_brand=id_brand,
        status=status,
        firstname=firstname,
        lastname=lastname,
        email=email,
        username=username,
        customer_id=customer_id,
        email_tmp=email_tmp,
        active=active,
        anonymized=False,
    )
    session.add(ambassador)
    await session.flush()
    return ambassador


async def create_chatroom(
    session: AsyncSession,
    members: Sequence[Ambassador],
    *,
    source: int = ChatroomSource.DIRECT,
    id_brand_tag: int | None = None,
) -> Chatroom:
    """A chatroom between these ambassadors of one brand: one-to-one for two people, else (or
    when opened on a brand tag) one-to-many. `type_discussion` follows who is in it (members,
    external visitors, or both)."""
    brands = {member.id_brand for member in members}
    if len(members) < 2 or len(brands) != 1:
        raise Invalid.field("ids_ambassadors", "A chatroom needs two ambassadors of one brand.")
    if len({member.id_ambassador for member in members}) != len(members):
        raise Invalid.field("ids_ambassadors", "The ambassadors of a chatroom must be distinct.")
    chatroom = Chatroom(
        id_brand=brands.pop(),
        type_chatroom=(
            ChatroomType.ONE_TO_ONE
            if len(members) == 2 and id_brand_tag is None
            else ChatroomType.ONE_TO_MANY
        ),
        id_brand_tag=id_brand_tag,
        type_discussion=_discussion_type(members),
        source=source,
    )
    session.add(chatroom)
    await session.flush()
    session.add_all(
        ChatroomParticipant(
            id_chatroom=chatroom.id_chatroom,
            id_ambassador=member.id_ambassador,
            id_brand=chatroom.id_brand,
            is_blocked=False,
            archived=False,
        )
        for member in members
    )
    await session.flush()
    return chatroom


def _discussion_type(members: Sequence[Ambassador]) -> DiscussionType:
    external = [member.status in EXTERNAL_STATUSES for member in members]
    if all(external):
        return DiscussionType.BETWEEN_EXTERNAL
    if any(external):
        return DiscussionType.MEMBERS_AND_EXTERNAL
    return DiscussionType.BETWEEN_MEMBERS


async def create_brand_tag(session: AsyncSession, id_brand: int, name: str) -> BrandTag:
    if await repository.get_brand(session, id_brand) is None:
        raise NotFound("brand")
    if await repository.find_tag(session, id_brand, name) is not None:
        raise Invalid.field("name", f"The brand already has a tag named {name!r}.")
    tag = BrandTag(id_brand=id_brand, name=name, visibility_chat=1)
    session.add(tag)
    await session.flush()
    return tag


async def add_tag_member(session: AsyncSession, id_brand_tag: int, id_ambassador: int) -> None:
    tag = await repository.get_tag(session, id_brand_tag)
    if tag is None:
        raise NotFound("brand tag")
    ambassador = await repository.get_ambassador(session, id_ambassador)
    if ambassador is None or ambassador.id_brand != tag.id_brand:
        raise NotFound("ambassador")
    if id_ambassador not in await repository.tag_member_ids(session, id_brand_tag):
        session.add(
            BrandTagMember(
                id_brand_tag=id_brand_tag, id_ambassador=id_ambassador, id_brand=tag.id_brand
            )
        )
        await session.flush()
