from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, bindparam, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from salon.api.listing import Sort
from salon.db.base import table_of
from salon.db.models import Chatroom, ChatroomParticipant, ChatroomType, Rating

# Built once: nearly every chatroom route runs it.
_WITH_PARTICIPANTS = (
    select(Chatroom)
    .options(joinedload(Chatroom.participants).joinedload(ChatroomParticipant.ambassador))
    .where(
        Chatroom.id_chatroom == bindparam("id_chatroom"),
        Chatroom.id_brand == bindparam("id_brand"),
    )
)


async def get_with_participants(
    session: AsyncSession, id_chatroom: int, id_brand: int
) -> Chatroom | None:
    """The brand's chatroom with its participants and their ambassadors, in one query."""
    params = {"id_chatroom": id_chatroom, "id_brand": id_brand}
    return (await session.scalars(_WITH_PARTICIPANTS, params)).unique().one_or_none()


async def set_last_message_date(session: AsyncSession, chatroom: Chatroom, when: datetime) -> None:
    """One UPDATE, and the loaded chatroom says the same without being flushed again."""
    await session.execute(_SET_LAST_MESSAGE_DATE, {"id": chatroom.id_chatroom, "when": when})
    set_committed_value(chatroom, "last_message_date", when)


_SET_LAST_MESSAGE_DATE = (
    update(table_of(Chatroom))
    .where(table_of(Chatroom).c.id_chatroom == bindparam("id"))
    .values(last_message_date=bindparam("when"))
)


async def participant_ids(session: AsyncSession, id_chatroom: int) -> tuple[int, ...]:
    statement = (
        select(ChatroomParticipant.id_ambassador)
        .where(ChatroomParticipant.id_chatroom == id_chatroom)
        .order_by(ChatroomParticipant.id_ambassador)
    )
    return tuple((await session.scalars(statement)).all())


async def find_one_to_one(
    session: AsyncSession, id_brand: int, id_a: int, id_b: int
) -> Chatroom | None:
    """The brand's one-to-one chatroom between these two people, if there is one."""
    pair = (
        select(ChatroomParticipant.id_chatroom)
        .where(ChatroomParticipant.id_ambassador.in_((id_a, id_b)))
        .group_by(ChatroomParticipant.id_chatroom)
        .having(func.count() == 2)
    )
    statement = (
        select(Chatroom.id_chatroom)
        .where(
            Chatroom.id_brand == id_brand,
            Chatroom.type_chatroom == ChatroomType.ONE_TO_ONE,
            Chatroom.id_chatroom.in_(pair),
        )
        .order_by(Chatroom.id_chatroom)
        .limit(1)
    )
    id_chatroom = await session.scalar(statement)
    return (
        None if id_chatroom is None else await get_with_participants(session, id_chatroom, id_brand)
    )


@dataclass(frozen=True)
class ChatroomFilters:
    archived: bool | None = None
    flag: int | None = None
    type_chatroom: int | None = None
    last_action_before: datetime | None = None


async def page_of_ambassador(
    session: AsyncSession,
    id_ambassador: int,
    filters: ChatroomFilters,
    sort: Sort,
    offset: int,
    limit: int,
) -> tuple[list[Chatroom], int]:
    """One page of the chatrooms this ambassador is in, each with its participants, and the
    total. The filters on archive and flag read this ambassador's own participant row."""
    mine = select(ChatroomParticipant).where(ChatroomParticipant.id_ambassador == id_ambassador)
    if filters.archived is not None:
        mine = mine.where(ChatroomParticipant.archived == filters.archived)
    if filters.flag is not None:
        mine = mine.where(ChatroomParticipant.flag == filters.flag)
    own = mine.subquery()
    statement: Select[Chatroom] = select(Chatroom).join(
        own, own.c.id_chatroom == Chatroom.id_chatroom
    )
    if filters.type_chatroom is not None:
        statement = statement.where(Chatroom.type_chatroom == filters.type_chatroom)
    last_action = func.coalesce(Chatroom.last_message_date, Chatroom.date_insert)
    if filters.last_action_before is not None:
        statement = statement.where(last_action < filters.last_action_before)
    total = await session.scalar(select(func.count()).select_from(statement.subquery()))
    order = last_action.desc() if sort.descending else last_action.asc()
    tiebreak = Chatroom.id_chatroom.desc() if sort.descending else Chatroom.id_chatroom.asc()
    rows = await session.scalars(
        statement.options(
            selectinload(Chatroom.participants).joinedload(ChatroomParticipant.ambassador)
        )
        .order_by(order, tiebreak)
        .offset(offset)
        .limit(limit)
    )
    return list(rows.all()), int(total or 0)


async def last_ratings(session: AsyncSession, chatroom_ids: list[int]) -> dict[int, Rating]:
    """For each chatroom, its live rating with the latest submission (one query)."""
    if not chatroom_ids:
        return {}
    rank = (
        func.row_number()
        .over(
            partition_by=Rating.id_chatroom,
            order_by=(Rating.date_update.desc(), Rating.id_rating.desc()),
        )
        .label("rank")
    )
    ranked = (
        select(Rating.id_rating, rank)
        .where(
            Rating.id_chatroom.in_(chatroom_ids),
            Rating.value.is_not(None),
            Rating.date_delete.is_(None),
        )
        .subquery()
    )
    statement = (
        select(Rating)
        .join(ranked, ranked.c.id_rating == Rating.id_rating)
        .where(ranked.c.rank == 1)
    )
    return {rating.id_chatroom: rating for rating in (await session.scalars(statement)).all()}


async def co_participants(session: AsyncSession, id_ambassador: int) -> list[int]:
    """Everyone who shares at least one chatroom with `id_ambassador`."""
    mine = select(ChatroomParticipant.id_chatroom).where(
        ChatroomParticipant.id_ambassador == id_ambassador
    )
    statement = (
        select(ChatroomParticipant.id_ambassador)
        .where(
            ChatroomParticipant.id_chatroom.in_(mine),
            ChatroomParticipant.id_ambassador != id_ambassador,
        )
        .distinct()
        .order_by(ChatroomParticipant.id_ambassador)
    )
    return list((await session.scalars(statement)).all())
