from dataclasses import dataclass
from datetime import datetime
from functools import cache

from sqlalchemy import Select, bindparam, func, select
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
    count, rows = _page_statements(
        filters.sent_before is not None,
        filters.active is not None,
        filters.types is not None,
        sort.descending,
    )
    params = {
        "id_chatroom": id_chatroom,
        "sent_before": filters.sent_before,
        "active": filters.active,
        "types": filters.types,
    }
    total = await session.scalar(count, params)
    found = await session.scalars(rows, params | {"offset": offset, "limit": limit})
    return list(found.all()), int(total or 0)


@cache
def _page_statements(
    sent_before: bool, active: bool, types: bool, descending: bool
) -> tuple[Select[int], Select[Message]]:
    """The count and page statements for one combination of filters, built once: building
    and hashing a statement cost more than SQLite running it (docs/performance.md)."""
    statement = select(Message).where(Message.id_chatroom == bindparam("id_chatroom"))
    if sent_before:
        statement = statement.where(Message.date_insert < bindparam("sent_before"))
    if active:
        statement = statement.where(Message.active == bindparam("active"))
    if types:
        statement = statement.where(Message.type_message.in_(bindparam("types", expanding=True)))
    count = select(func.count()).select_from(statement.subquery())
    if descending:
        order = (Message.date_insert.desc(), Message.id_message.desc())
    else:
        order = (Message.date_insert.asc(), Message.id_message.asc())
    rows = (
        statement.options(*_WITH_AUTHOR_AND_RATING)
        .order_by(*order)
        .offset(bindparam("offset"))
        .limit(bindparam("limit"))
    )
    return count, rows


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
