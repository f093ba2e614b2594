from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from salon.db.models import Chatroom, ChatroomParticipant


async def get_with_participants(
    session: AsyncSession, id_chatroom: int, id_brand: int
) -> Chatroom | None:
    """The brand's chatroom with its participants and their ambassadors, in one query."""
    statement = (
        select(Chatroom)
        .options(joinedload(Chatroom.participants).joinedload(ChatroomParticipant.ambassador))
        .where(Chatroom.id_chatroom == id_chatroom, Chatroom.id_brand == id_brand)
    )
    return (await session.scalars(statement)).unique().one_or_none()


async def participant_ids(session: AsyncSession, id_chatroom: int) -> tuple[int, ...]:
    statement = (
        select(ChatroomParticipant.id_ambassador)
        .where(ChatroomParticipant.id_chatroom == id_chatroom)
        .order_by(ChatroomParticipant.id_ambassador)
    )
    return tuple((await session.scalars(statement)).all())
