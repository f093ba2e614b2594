from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from salon.api.listing import Sort
from salon.db.models import Message

# A message on the wire needs its author and, for type 2, its rating: always load both.
_WITH_AUTHOR_AND_RATING = (joinedload(Message.author), joinedload(Message.rating))


@dataclass(frozen=True)
class MessageFilters:
    sent_before: datetime | None = None
    active: bool | None = None
    types: list[int] | None = None


async def page(
    session: AsyncSession,
    id_chatroom: int,
    filters: MessageFilters,
    sort: Sort,
    offset: int,
    limit: int,
) -> tuple[list[Message], int]:
    """One page of a chatroom's messages with authors and ratings (one query) and the total."""
    statement: Select[Message] = select(Message).where(Message.id_chatroom == id_chatroom)
    if filters.sent_before is not None:
        statement = statement.where(Message.date_insert < filters.sent_before)
    if filters.active is not None:
        statement = statement.where(Message.active == filters.active)
    if filters.types is not None:
        statement = statement.where(Message.type_message.in_(filters.types))
    total = await session.scalar(select(func.count()).select_from(statement.subquery()))
    if sort.descending:
        order = (Message.date_insert.desc(), Message.id_message.desc())
    else:
        order = (Message.date_insert.asc(), Message.id_message.asc())
    rows = await session.scalars(
        statement.options(*_WITH_AUTHOR_AND_RATING).order_by(*order).offset(offset).limit(limit)
    )
    return list(rows.all()), int(total or 0)


async def get(session: AsyncSession, id_message: int, id_brand: int) -> Message | None:
    statement = (
        select(Message)
        .options(*_WITH_AUTHOR_AND_RATING)
        .where(Message.id_message == id_message, Message.id_brand == id_brand)
    )
    return (await session.scalars(statement)).one_or_none()


async def latest(session: AsyncSession, id_chatroom: int) -> Message | None:
    statement = (
        select(Message)
        .options(*_WITH_AUTHOR_AND_RATING)
        .where(Message.id_chatroom == id_chatroom)
        .order_by(Message.date_insert.desc(), Message.id_message.desc())
        .limit(1)
    )
    return (await session.scalars(statement)).first()


async def latest_of_each(session: AsyncSession, chatroom_ids: list[int]) -> dict[int, Message]:
    """The newest message of each chatroom, with author and rating (one query)."""
    if not chatroom_ids:
        return {}
    newest = (
        select(func.max(Message.id_message))
        .where(Message.id_chatroom.in_(chatroom_ids))
        .group_by(Message.id_chatroom)
    )
    statement = (
        select(Message).options(*_WITH_AUTHOR_AND_RATING).where(Message.id_message.in_(newest))
    )
    return {message.id_chatroom: message for message in (await session.scalars(statement)).all()}


async def add(session: AsyncSession, message: Message) -> None:
    session.add(message)
    await session.flush()
