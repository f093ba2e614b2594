"""Creating brands, people and chatrooms outside the chat API: the CLI, the demo and the
tests' fixtures all use these."""

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from salon.db.models import (
    Ambassador,
    AmbassadorStatus,
    Brand,
    Chatroom,
    ChatroomParticipant,
    ChatroomSource,
    ChatroomType,
    DiscussionType,
)
from salon.errors import Invalid, NotFound
from salon.provisioning import repository

EXTERNAL_STATUSES = frozenset({AmbassadorStatus.CLIENT, AmbassadorStatus.TEMP})


async def create_brand(session: AsyncSession, label: str) -> Brand:
    if await repository.find_brand(session, label) is not None:
        raise Invalid.field("label", f"A brand labelled {label!r} already exists.")
    brand = Brand(label=label)
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
    active: int = 1,
) -> Ambassador:
    if await repository.get_brand(session, id_brand) is None:
        raise NotFound("brand")
    if status not in AmbassadorStatus.__members__.values():
        raise Invalid.field("status", "The status field must be between 0 and 8.")
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
) -> Chatroom:
    """A chatroom between these ambassadors of one brand: one-to-one for two, else one-to-many.
    `type_discussion` follows who is in it (members, external visitors, or both)."""
    brands = {member.id_brand for member in members}
    if len(members) < 2 or len(brands) != 1:
        raise Invalid.field("ids_ambassadors", "A chatroom needs two ambassadors of one brand.")
    if len({member.id_ambassador for member in members}) != len(members):
        raise Invalid.field("ids_ambassadors", "The ambassadors of a chatroom must be distinct.")
    chatroom = Chatroom(
        id_brand=brands.pop(),
        type_chatroom=ChatroomType.ONE_TO_ONE if len(members) == 2 else ChatroomType.ONE_TO_MANY,
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
