from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import (
    ColumnElement,
    Exists,
    Select,
    Subquery,
    bindparam,
    exists,
    func,
    insert,
    select,
    true,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from salon.api.listing import Sort
from salon.db.base import column_values, table_of
from salon.db.functions import utc_day
from salon.db.models import Chatroom, Message, MessageType, Rating


class OpenRatingExists(Exception):
    """The database refused a second open rating for the same (chatroom, rater, rated): a
    concurrent request got there first."""


async def get_live_for_update(
    session: AsyncSession, id_rating: int, id_brand: int
) -> Rating | None:
    """A rating of the brand that is not deleted, locked until the transaction ends.

    The lock orders concurrent changes of one rating, so a change's `date_update` (taken after
    the lock) follows commit order and the latest submission is also the last one written.
    SQLite has no row locks; its `BEGIN IMMEDIATE` already serialises writers.
    """
    statement = (
        select(Rating)
        .where(
            Rating.id_rating == id_rating,
            Rating.id_brand == id_brand,
            Rating.date_delete.is_(None),
        )
        .with_for_update()
    )
    return (await session.scalars(statement)).one_or_none()


@dataclass(frozen=True, slots=True)
class OpenRating:
    id_rating: int
    is_pending: bool
    date_rated: datetime | None


@dataclass(frozen=True, slots=True)
class Standing:
    """What the rating rules need to know about one (chatroom, rater, rated)."""

    open_rating: OpenRating | None
    """The rating that is neither deleted nor superseded, if there is one."""
    rated_took_part: bool
    """The rated has posted a message (not a rating) in the chatroom."""
    exchanged_since: bool
    """Rater and rated have both posted a message (not a rating) since the open rating was
    asked (since the chatroom began when there is none)."""


def _spoke(who: str, after: ColumnElement[int] | int) -> Exists:
    """The person bound to `who` posted a message that is not a rating after message `after`
    (ix_message_chatroom_author)."""
    return exists().where(
        Message.id_chatroom == bindparam("id_chatroom"),
        Message.id_ambassador == bindparam(who),
        Message.type_message != MessageType.RATING,
        Message.id_message > after,
    )


_OPEN_RATING = (
    select(Rating.id_rating, Rating.value, Rating.date_rated, Rating.id_message)
    .where(
        Rating.id_chatroom == bindparam("id_chatroom"),
        Rating.id_user_rater == bindparam("id_user_rater"),
        Rating.id_user_rated == bindparam("id_user_rated"),
        Rating.date_delete.is_(None),
        Rating.date_supersede.is_(None),
    )
    .subquery("open_rating")
)
_SINCE_OPEN = func.coalesce(_OPEN_RATING.c.id_message, 0)
# One row whatever there is: the chatroom, left-joined to the open rating (at most one, by
# uq_rating_open), with whether each side spoke.
_STANDING = (
    select(
        _OPEN_RATING.c.id_rating,
        _OPEN_RATING.c.value,
        _OPEN_RATING.c.date_rated,
        _spoke("id_user_rated", 0).label("rated_took_part"),
        _spoke("id_user_rated", _SINCE_OPEN).label("rated_spoke_since"),
        _spoke("id_user_rater", _SINCE_OPEN).label("rater_spoke_since"),
    )
    .select_from(Chatroom)
    .outerjoin(_OPEN_RATING, true())
    .where(Chatroom.id_chatroom == bindparam("id_chatroom"))
)


async def standing(
    session: AsyncSession, *, id_chatroom: int, id_user_rater: int, id_user_rated: int
) -> Standing:
    """One statement: the open rating of this (chatroom, rater, rated) and who spoke when."""
    params = {
        "id_chatroom": id_chatroom,
        "id_user_rater": id_user_rater,
        "id_user_rated": id_user_rated,
    }
    row = (await session.execute(_STANDING, params)).one()
    open_rating = (
        None
        if row.id_rating is None
        else OpenRating(row.id_rating, row.value is None, row.date_rated)
    )
    return Standing(
        open_rating,
        bool(row.rated_took_part),
        bool(row.rated_spoke_since) and bool(row.rater_spoke_since),
    )


async def supersede(session: AsyncSession, id_rating: int, when: datetime) -> None:
    """The open rating becomes history: a newer request of the same rater replaces it."""
    await session.execute(_SUPERSEDE, {"id": id_rating, "when": when})


_SUPERSEDE = (
    update(table_of(Rating))
    .where(
        table_of(Rating).c.id_rating == bindparam("id"),
        table_of(Rating).c.date_supersede.is_(None),
    )
    .values(date_supersede=bindparam("when"))
)


async def add_with_message(session: AsyncSession, message: Message, rating: Rating) -> None:
    """Insert the message and the rating it carries, and give both their ids.

    Two Core INSERTs rather than a flush: the unit of work cost several times what the
    statements do on this route (docs/performance.md). The objects stay out of the session.
    The partial unique index `uq_rating_open` is the last word on concurrent duplicates; the
    message id is new, so it is the only constraint the rating can break.
    """
    message.id_message = await session.scalar(_INSERT_MESSAGE, column_values(message))
    rating.id_message = message.id_message
    try:
        rating.id_rating = await session.scalar(_INSERT_RATING, column_values(rating))
    except IntegrityError as error:
        raise OpenRatingExists from error


_INSERT_MESSAGE = insert(table_of(Message)).returning(table_of(Message).c.id_message)
_INSERT_RATING = insert(table_of(Rating)).returning(table_of(Rating).c.id_rating)


@dataclass(frozen=True)
class RatingFilters:
    """Report filters; `since`/`until` bound `date_insert` (until is exclusive)."""

    since: datetime | None = None
    until: datetime | None = None
    id_user_rated: int | None = None
    id_user_rater: int | None = None
    id_chatroom: int | None = None
    values: list[int] | None = None
    status: str | None = None  # "pending" | "answered"


SORTABLE = {
    "id_rating": Rating.id_rating,
    "date_insert": Rating.date_insert,
    "date_update": Rating.date_update,
    "value": Rating.value,
}


def _live_of_brand(id_brand: int, filters: RatingFilters) -> Select[Rating]:
    statement = select(Rating).where(Rating.id_brand == id_brand, Rating.date_delete.is_(None))
    return statement.where(*_conditions(filters))


def _conditions(filters: RatingFilters) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if filters.since is not None:
        conditions.append(Rating.date_insert >= filters.since)
    if filters.until is not None:
        conditions.append(Rating.date_insert < filters.until)
    if filters.id_user_rated is not None:
        conditions.append(Rating.id_user_rated == filters.id_user_rated)
    if filters.id_user_rater is not None:
        conditions.append(Rating.id_user_rater == filters.id_user_rater)
    if filters.id_chatroom is not None:
        conditions.append(Rating.id_chatroom == filters.id_chatroom)
    if filters.values is not None:
        conditions.append(Rating.value.in_(filters.values))
    if filters.status == "pending":
        conditions.append(Rating.value.is_(None))
    elif filters.status == "answered":
        conditions.append(Rating.value.is_not(None))
    return conditions


def _ordered(statement: Select[Rating], sort: Sort) -> Select[Rating]:
    column = SORTABLE[sort.field]
    if sort.descending:
        return statement.order_by(column.desc().nulls_last(), Rating.id_rating.desc())
    return statement.order_by(column.asc().nulls_first(), Rating.id_rating.asc())


async def page(
    session: AsyncSession,
    id_brand: int,
    filters: RatingFilters,
    sort: Sort,
    offset: int,
    limit: int,
) -> tuple[list[Rating], int]:
    statement = _live_of_brand(id_brand, filters)
    total = await session.scalar(select(func.count()).select_from(statement.subquery()))
    rows = await session.scalars(_ordered(statement, sort).offset(offset).limit(limit))
    return list(rows.all()), int(total or 0)


async def stream(
    session: AsyncSession, id_brand: int, filters: RatingFilters, sort: Sort
) -> AsyncIterator[Rating]:
    """Every matching rating, fetched in batches from a server-side cursor."""
    statement = _ordered(_live_of_brand(id_brand, filters), sort)
    result = await session.stream_scalars(statement.execution_options(yield_per=500))
    async for rating in result:
        yield rating


def _voices(id_brand: int, filters: RatingFilters) -> Subquery:
    """One rating per (chatroom, rater, rated) among the live ones that match: the newest
    submitted one, else the newest request. A rater's voice counts once, however often they
    were asked (docs/security.md, "Ratings")."""
    rank = (
        func.row_number()
        .over(
            partition_by=(Rating.id_chatroom, Rating.id_user_rater, Rating.id_user_rated),
            order_by=(Rating.value.is_(None), Rating.id_rating.desc()),
        )
        .label("rank")
    )
    ranked = (
        select(Rating.value, Rating.date_insert, rank)
        .where(Rating.id_brand == id_brand, Rating.date_delete.is_(None), *_conditions(filters))
        .subquery("ranked")
    )
    return select(ranked.c.value, ranked.c.date_insert).where(ranked.c.rank == 1).subquery("voice")


async def value_counts(
    session: AsyncSession, id_brand: int, filters: RatingFilters
) -> dict[int | None, int]:
    """How many voices have each value (None: asked, not answered)."""
    voice = _voices(id_brand, filters)
    statement = select(voice.c.value, func.count()).group_by(voice.c.value)
    return {value: int(count) for value, count in (await session.execute(statement)).all()}


async def per_day(
    session: AsyncSession, id_brand: int, filters: RatingFilters
) -> list[tuple[str, int, int, int]]:
    """(day, asked, answered, sum of values) of the voices, per UTC day of their request."""
    voice = _voices(id_brand, filters)
    day = utc_day(voice.c.date_insert)
    statement = (
        select(
            day,
            func.count(),
            func.count(voice.c.value),
            func.coalesce(func.sum(voice.c.value), 0),
        )
        .group_by(day)
        .order_by(day)
    )
    rows = (await session.execute(statement)).all()
    return [
        (str(d), int(asked), int(answered), int(total or 0)) for d, asked, answered, total in rows
    ]
