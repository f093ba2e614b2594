"""The waiting list's SQL: one row per visitor's wait (`waiting_list`)."""

from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from salon.db.database import Transaction
from salon.db.query import Query
from salon.records import VISITOR_STATUSES


class Entry(NamedTuple):
    id_waiting_list: int
    id_brand: int
    id_user: int
    id_ambassador: int | None
    id_chat_topic: int | None
    content: str
    id_chatroom: int | None
    date_insert: datetime
    date_handled: datetime | None
    date_update: datetime
    date_delete: datetime | None
    source: int
    id_transferrer: int | None
    id_chatroom_transferred: int | None
    comment: str | None


COLUMNS = ", ".join(Entry._fields)
OPEN = "date_handled IS NULL AND date_delete IS NULL"

# One open entry per visitor: a second join meets the partial unique index and inserts
# nothing (both engines take the index's predicate as the conflict target).
_JOIN = Query(
    "INSERT INTO waiting_list (id_brand, id_user, id_chat_topic, content, date_insert, "
    "date_update, source) VALUES (:id_brand, :id_user, :id_chat_topic, :content, :now, :now, "
    f":source) ON CONFLICT (id_user) WHERE {OPEN} DO NOTHING RETURNING {COLUMNS}"
)
_OPEN_OF_USER = Query(f"SELECT {COLUMNS} FROM waiting_list WHERE id_user = :id_user AND {OPEN}")


async def join(
    tx: Transaction,
    *,
    id_brand: int,
    id_user: int,
    id_chat_topic: int | None,
    content: str,
    source: int,
    now: datetime,
) -> Entry | None:
    """The new open entry, or None when the visitor already has one."""
    row = await tx.fetchrow(
        _JOIN,
        {
            "id_brand": id_brand,
            "id_user": id_user,
            "id_chat_topic": id_chat_topic,
            "content": content,
            "source": source,
            "now": now,
        },
    )
    return None if row is None else Entry._make(row)


async def open_of_user(tx: Transaction, id_user: int) -> Entry | None:
    row = await tx.fetchrow(_OPEN_OF_USER, {"id_user": id_user})
    return None if row is None else Entry._make(row)


_GET = Query(
    f"SELECT {COLUMNS} FROM waiting_list WHERE id_waiting_list = :id AND id_brand = :id_brand "
    "AND date_delete IS NULL"
)


async def get_in_brand(tx: Transaction, id_waiting_list: int, id_brand: int) -> Entry | None:
    """The brand's entry, unless the visitor left it (a left entry is never shown)."""
    row = await tx.fetchrow(_GET, {"id": id_waiting_list, "id_brand": id_brand})
    return None if row is None else Entry._make(row)


@dataclass(frozen=True)
class Filters:
    id_user: int | None = None
    # True: handled (taken) entries only; False: open ones only.
    handled: bool = False
    id_chat_topic: int | None = None


LIST_LIMIT = 500
_LISTS: dict[tuple[bool, bool, bool], Query] = {}


def _list_query(filters: Filters) -> Query:
    key = (filters.id_user is not None, filters.handled, filters.id_chat_topic is not None)
    found = _LISTS.get(key)
    if found is None:
        where = ["id_brand = :id_brand", "date_delete IS NULL"]
        where.append("date_handled IS NOT NULL" if filters.handled else "date_handled IS NULL")
        if filters.id_user is not None:
            where.append("id_user = :id_user")
        if filters.id_chat_topic is not None:
            where.append("id_chat_topic = :id_chat_topic")
        # Open entries first come, first served; handled ones newest handled first.
        order = "date_handled DESC" if filters.handled else "date_insert"
        found = _LISTS[key] = Query(
            f"SELECT {COLUMNS} FROM waiting_list WHERE {' AND '.join(where)} "
            f"ORDER BY {order}, id_waiting_list LIMIT {LIST_LIMIT}"
        )
    return found


async def list_of_brand(tx: Transaction, id_brand: int, filters: Filters) -> list[Entry]:
    params: dict[str, object] = {"id_brand": id_brand}
    if filters.id_user is not None:
        params["id_user"] = filters.id_user
    if filters.id_chat_topic is not None:
        params["id_chat_topic"] = filters.id_chat_topic
    return [Entry._make(row) for row in await tx.fetch(_list_query(filters), params)]


# Taking is one conditional statement: of two members taking the same entry at once, the
# second finds it handled (PostgreSQL re-reads the row once the first commits; SQLite runs
# one writer at a time) and updates nothing.
_TAKE = Query(
    "UPDATE waiting_list SET id_ambassador = :id_ambassador, date_handled = :now, "
    f"date_update = :now WHERE id_waiting_list = :id AND {OPEN} RETURNING id_waiting_list"
)
_SET_CHATROOM = Query(
    "UPDATE waiting_list SET id_chatroom = :id_chatroom WHERE id_waiting_list = :id "
    f"RETURNING {COLUMNS}"
)


async def take(tx: Transaction, id_waiting_list: int, id_ambassador: int, now: datetime) -> bool:
    """Whether this call took the open entry (False: taken or left meanwhile)."""
    params = {"id": id_waiting_list, "id_ambassador": id_ambassador, "now": now}
    return await tx.fetchval(_TAKE, params) is not None


async def set_chatroom(tx: Transaction, id_waiting_list: int, id_chatroom: int) -> Entry:
    row = await tx.fetchrow(_SET_CHATROOM, {"id": id_waiting_list, "id_chatroom": id_chatroom})
    assert row is not None
    return Entry._make(row)


_TRANSFER = Query(
    "UPDATE waiting_list SET id_ambassador = :to, id_transferrer = :by, "
    "id_chatroom_transferred = :id_chatroom, comment = :comment, date_update = :now "
    "WHERE id_waiting_list = :id AND id_ambassador = :holder AND date_delete IS NULL "
    f"RETURNING {COLUMNS}"
)


async def transfer(
    tx: Transaction,
    entry: Entry,
    *,
    to: int,
    by: int,
    id_chatroom: int,
    comment: str | None,
    now: datetime,
) -> Entry | None:
    """The entry now with `to`, if it was still with its holder as read (None: moved since)."""
    row = await tx.fetchrow(
        _TRANSFER,
        {
            "id": entry.id_waiting_list,
            "holder": entry.id_ambassador,
            "to": to,
            "by": by,
            "id_chatroom": id_chatroom,
            "comment": comment,
            "now": now,
        },
    )
    return None if row is None else Entry._make(row)


_LEAVE = Query(
    "UPDATE waiting_list SET date_delete = :now, date_update = :now "
    f"WHERE id_waiting_list = :id AND {OPEN} RETURNING id_waiting_list"
)


async def leave(tx: Transaction, id_waiting_list: int, now: datetime) -> bool:
    """Whether the open entry was left (False: taken meanwhile)."""
    return await tx.fetchval(_LEAVE, {"id": id_waiting_list, "now": now}) is not None


_MEMBERS = Query(
    "SELECT id_ambassador FROM ambassador WHERE id_brand = :id_brand AND active = 1 "
    "AND status NOT IN (:client, :temp) ORDER BY id_ambassador"
)


async def member_ids(tx: Transaction, id_brand: int) -> list[int]:
    """The brand's active members (not visitors): who may take an entry."""
    client, temp = VISITOR_STATUSES
    rows = await tx.fetch(_MEMBERS, {"id_brand": id_brand, "client": client, "temp": temp})
    return [row[0] for row in rows]
