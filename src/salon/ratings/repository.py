from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Select, exists, func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from salon.api.listing import Sort
from salon.db.base import column_values, table_of
from salon.db.functions import utc_day
from salon.db.models import Message, Rating


class PendingRequestExists(Exception):
    """The database refused a second pending request for the same (chatroom, rater, rated)."""


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


async def has_pending_request(
    session: AsyncSession, *, id_chatroom: int, id_user_rater: int, id_user_rated: int
) -> bool:
    statement = select(
        exists().where(
            Rating.id_chatroom == id_chatroom,
            Rating.id_user_rater == id_user_rater,
            Rating.id_user_rated == id_user_rated,
            Rating.value.is_(None),
            Rating.date_delete.is_(None),
        )
    )
    return bool(await session.scalar(statement))


async def add_with_message(session: AsyncSession, message: Message, rating: Rating) -> None:
    """Insert the message and the rating it carries, and give both their ids.

    Two Core INSERTs rather than a flush: the unit of work cost several times what the
    statements do on this route (docs/performance.md). The objects stay out of the session.
    The partial unique index `uq_rating_pending_request` is the last word on concurrent
    duplicates; the message id is new, so it is the only constraint the rating can break.
    """
    message.id_message = await session.scalar(_INSERT_MESSAGE, column_values(message))
    rating.id_message = message.id_message
    try:
        rating.id_rating = await session.scalar(_INSERT_RATING, column_values(rating))
    except IntegrityError as error:
        raise PendingRequestExists from error


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


async def value_counts(
    session: AsyncSession, id_brand: int, filters: RatingFilters
) -> dict[int | None, int]:
    """How many live ratings have each value (None: still pending)."""
    statement = (
        select(Rating.value, func.count())
        .where(Rating.id_brand == id_brand, Rating.date_delete.is_(None), *_conditions(filters))
        .group_by(Rating.value)
    )
    return {value: int(count) for value, count in (await session.execute(statement)).all()}


async def per_day(
    session: AsyncSession, id_brand: int, filters: RatingFilters
) -> list[tuple[str, int, int, int]]:
    """(day, asked, answered, sum of values) per UTC day of the request."""
    day = utc_day(Rating.date_insert)
    statement = (
        select(
            day, func.count(), func.count(Rating.value), func.coalesce(func.sum(Rating.value), 0)
        )
        .where(Rating.id_brand == id_brand, Rating.date_delete.is_(None), *_conditions(filters))
        .group_by(day)
        .order_by(day)
    )
    rows = (await session.execute(statement)).all()
    return [
        (str(d), int(asked), int(answered), int(total or 0)) for d, asked, answered, total in rows
    ]
