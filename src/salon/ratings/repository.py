from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

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
    """Insert the rating and the message that carries it.

    The partial unique index `uq_rating_pending_request` is the last word on concurrent
    duplicates; the message id is new, so it is the only constraint this insert can break.
    """
    session.add_all([message, rating])
    try:
        await session.flush()
    except IntegrityError as error:
        raise PendingRequestExists from error


async def last_rating(session: AsyncSession, id_chatroom: int) -> Rating | None:
    """The live rating with the latest submission."""
    statement = (
        select(Rating)
        .where(
            Rating.id_chatroom == id_chatroom,
            Rating.value.is_not(None),
            Rating.date_delete.is_(None),
        )
        .order_by(Rating.date_update.desc(), Rating.id_rating.desc())
        .limit(1)
    )
    return (await session.scalars(statement)).first()
