from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from salon.ambassadors.repository import WIDTH as AMBASSADOR_WIDTH
from salon.ambassadors.repository import ambassador_of
from salon.ambassadors.repository import columns as ambassador_columns
from salon.api.listing import Sort
from salon.db.database import Row, Transaction
from salon.db.query import Query, expand, in_list, query
from salon.ratings.repository import RATING_COLUMNS, rating_of
from salon.records import Ambassador, Message

MESSAGE_COLUMNS = (
    "m.id_message, m.id_brand, m.id_chatroom, m.type_message, m.content, m.status_moderation, "
    "m.active, m.date_insert"
)
# A message on the wire needs its author and, for type 2, its rating: always read both.
WITH_AUTHOR_AND_RATING = (
    f"SELECT {MESSAGE_COLUMNS}, {ambassador_columns('a')}, {RATING_COLUMNS} FROM message m "
    "JOIN ambassador a ON a.id_ambassador = m.id_ambassador "
    "LEFT JOIN rating r ON r.id_message = m.id_message"
)
_AUTHOR_AT = 8
_RATING_AT = _AUTHOR_AT + AMBASSADOR_WIDTH


def message_of(row: Row) -> Message:
    rating = rating_of(row, _RATING_AT) if row[_RATING_AT] is not None else None
    return Message._make((*row[:_AUTHOR_AT], ambassador_of(row, _AUTHOR_AT), rating))


@dataclass(frozen=True)
class MessageFilters:
    sent_before: datetime | None = None
    active: bool | None = None
    types: Sequence[int] | None = None


async def page(
    tx: Transaction,
    id_chatroom: int,
    filters: MessageFilters,
    sort: Sort,
    offset: int,
    limit: int,
) -> tuple[list[Message], int]:
    """One page of a chatroom's messages with authors and ratings (one query) and the total."""
    params: dict[str, Any] = {"id_chatroom": id_chatroom, "offset": offset, "limit": limit}
    where = "m.id_chatroom = :id_chatroom"
    if filters.sent_before is not None:
        where += " AND m.date_insert < :sent_before"
        params["sent_before"] = filters.sent_before
    if filters.active is not None:
        where += " AND m.active = :active"
        params["active"] = filters.active
    if filters.types is not None:
        where += f" AND m.type_message IN ({expand(params, 'type', filters.types)})"
    direction = "DESC" if sort.descending else "ASC"
    total = await tx.fetchval(
        query(f"SELECT count(*) FROM message m WHERE {where}"),
        params,
    )
    rows = await tx.fetch(
        query(
            f"{WITH_AUTHOR_AND_RATING} WHERE {where} "
            f"ORDER BY m.date_insert {direction}, m.id_message {direction} "
            "LIMIT :limit OFFSET :offset"
        ),
        params,
    )
    return [message_of(row) for row in rows], int(total)


_GET = Query(
    f"{WITH_AUTHOR_AND_RATING} WHERE m.id_message = :id_message AND m.id_brand = :id_brand"
)


async def get(tx: Transaction, id_message: int, id_brand: int) -> Message | None:
    row = await tx.fetchrow(_GET, {"id_message": id_message, "id_brand": id_brand})
    return None if row is None else message_of(row)


_LATEST = Query(
    f"{WITH_AUTHOR_AND_RATING} WHERE m.id_chatroom = :id_chatroom "
    "ORDER BY m.date_insert DESC, m.id_message DESC LIMIT 1"
)


async def latest(tx: Transaction, id_chatroom: int) -> Message | None:
    row = await tx.fetchrow(_LATEST, {"id_chatroom": id_chatroom})
    return None if row is None else message_of(row)


_LATEST_OF_EACH = (
    f"{WITH_AUTHOR_AND_RATING} WHERE m.id_message IN ("
    "SELECT max(n.id_message) FROM message n WHERE n.id_chatroom IN ({ids}) "
    "GROUP BY n.id_chatroom)"
)


async def latest_of_each(tx: Transaction, chatroom_ids: Sequence[int]) -> dict[int, Message]:
    """The newest message of each chatroom, with author and rating (one query)."""
    if not chatroom_ids:
        return {}
    rows = await tx.fetch(*in_list(_LATEST_OF_EACH, chatroom_ids))
    return {message.id_chatroom: message for message in map(message_of, rows)}


_INSERT = Query(
    "INSERT INTO message (id_brand, id_chatroom, id_ambassador, type_message, content, "
    "status_moderation, active, date_insert, date_update) VALUES (:id_brand, :id_chatroom, "
    ":id_ambassador, :type_message, :content, 0, true, :now, :now) RETURNING id_message"
)


async def insert(
    tx: Transaction,
    *,
    id_brand: int,
    id_chatroom: int,
    author: Ambassador,
    type_message: int,
    content: str,
    now: datetime,
) -> Message:
    """A new message, shown and unmoderated, without a rating (the rating route adds one)."""
    params = {
        "id_brand": id_brand,
        "id_chatroom": id_chatroom,
        "id_ambassador": author.id_ambassador,
        "type_message": type_message,
        "content": content,
        "now": now,
    }
    id_message: int = await tx.fetchval(_INSERT, params)
    return Message(
        id_message, id_brand, id_chatroom, type_message, content, 0, True, now, author, None
    )


_UPDATE = Query(
    "UPDATE message SET content = :content, active = :active, date_update = :date_update "
    "WHERE id_message = :id_message"
)


async def update(tx: Transaction, message: Message, now: datetime) -> None:
    """Store the message's content and visibility as they now are, changed `now`."""
    params = {
        "content": message.content,
        "active": message.active,
        "date_update": now,
        "id_message": message.id_message,
    }
    await tx.execute(_UPDATE, params)
