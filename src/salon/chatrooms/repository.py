from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from salon.ambassadors.repository import ambassador_of
from salon.ambassadors.repository import columns as ambassador_columns
from salon.api.listing import Sort
from salon.db.database import Row, Transaction
from salon.db.query import Query, in_list, query
from salon.ratings.repository import RATING_COLUMNS, rating_of
from salon.records import Chatroom, ChatroomType, Participant, Rating, Summary

CHATROOM_COLUMNS = (
    "c.id_chatroom, c.id_brand, c.type_chatroom, c.type_discussion, c.source, c.date_insert, "
    "c.last_message_date, c.id_brand_tag, c.established_dialogue"
)
CHATROOM_WIDTH = 9
# A participant's own state, then its ambassador: p.* (4 columns) + ambassador (15 columns).
PARTICIPANT_COLUMNS = (
    f"p.id_chatroom, p.last_read_message, p.is_blocked, p.archived, p.flag, "
    f"{ambassador_columns('a')}"
)


def participant_of(row: Row, start: int) -> Participant:
    id_chatroom, last_read, blocked, archived, flag = row[start : start + 5]
    return Participant(
        id_chatroom, ambassador_of(row, start + 5), last_read, blocked, archived, flag
    )


def chatroom_of(row: Row, participants: tuple[Participant, ...]) -> Chatroom:
    return Chatroom._make((*row[:CHATROOM_WIDTH], participants))


# One query: the chatroom's columns repeat on each participant's row (a few at most).
_WITH_PARTICIPANTS = Query(
    f"SELECT {CHATROOM_COLUMNS}, {PARTICIPANT_COLUMNS} FROM chatroom c "
    "JOIN chatroom_ambassador p ON p.id_chatroom = c.id_chatroom "
    "JOIN ambassador a ON a.id_ambassador = p.id_ambassador "
    "WHERE c.id_chatroom = :id_chatroom AND c.id_brand = :id_brand "
    "ORDER BY p.id_ambassador"
)


async def get_with_participants(
    tx: Transaction, id_chatroom: int, id_brand: int
) -> Chatroom | None:
    """The brand's chatroom with its participants and their ambassadors, in one query."""
    rows = await tx.fetch(_WITH_PARTICIPANTS, {"id_chatroom": id_chatroom, "id_brand": id_brand})
    if not rows:
        return None
    return chatroom_of(rows[0], tuple(participant_of(row, CHATROOM_WIDTH) for row in rows))


_INSERT = Query(
    "INSERT INTO chatroom (id_brand, type_chatroom, type_discussion, source, date_insert, "
    "id_brand_tag) VALUES (:id_brand, :type_chatroom, :type_discussion, :source, :now, "
    ":id_brand_tag) RETURNING id_chatroom"
)
_INSERT_PARTICIPANT = Query(
    "INSERT INTO chatroom_ambassador (id_chatroom, id_ambassador, id_brand, is_blocked, "
    "archived, date_insert) VALUES (:id_chatroom, :id_ambassador, :id_brand, false, false, :now)"
)


async def insert(
    tx: Transaction,
    *,
    id_brand: int,
    type_chatroom: int,
    type_discussion: int,
    source: int,
    id_brand_tag: int | None,
    members: Sequence[int],
    now: datetime,
) -> int:
    """A new chatroom and its participants; its id."""
    id_chatroom: int = await tx.fetchval(
        _INSERT,
        {
            "id_brand": id_brand,
            "type_chatroom": type_chatroom,
            "type_discussion": type_discussion,
            "source": source,
            "id_brand_tag": id_brand_tag,
            "now": now,
        },
    )
    await tx.executemany(
        _INSERT_PARTICIPANT,
        [
            {"id_chatroom": id_chatroom, "id_ambassador": member, "id_brand": id_brand, "now": now}
            for member in members
        ],
    )
    return id_chatroom


_SET_LAST_MESSAGE_DATE = Query(
    "UPDATE chatroom SET last_message_date = :when WHERE id_chatroom = :id_chatroom"
)


async def set_last_message_date(tx: Transaction, chatroom: Chatroom, when: datetime) -> Chatroom:
    await tx.execute(_SET_LAST_MESSAGE_DATE, {"id_chatroom": chatroom.id_chatroom, "when": when})
    return chatroom._replace(last_message_date=when)


# In the same statement: the dialogue is established by the first message of a second author
# (rating requests do not count: docs/decisions.md). The lookup runs only while it is not.
_NOTE_MESSAGE = Query(
    "UPDATE chatroom SET last_message_date = :when, established_dialogue = CASE "
    "WHEN established_dialogue IS NOT NULL THEN established_dialogue "
    "WHEN EXISTS (SELECT 1 FROM message m WHERE m.id_chatroom = :id_chatroom "
    "AND m.id_ambassador <> :author AND m.type_message <> 2) THEN :when "
    "ELSE NULL END WHERE id_chatroom = :id_chatroom"
)


async def note_message(tx: Transaction, chatroom: Chatroom, author: int, when: datetime) -> None:
    """A message was posted: its date is the chatroom's last, and it may establish the
    dialogue."""
    params = {"id_chatroom": chatroom.id_chatroom, "when": when, "author": author}
    await tx.execute(_NOTE_MESSAGE, params)


_SET_ESTABLISHED = Query(
    "UPDATE chatroom SET established_dialogue = :when WHERE id_chatroom = :id_chatroom"
)


async def set_established_dialogue(
    tx: Transaction, chatroom: Chatroom, when: datetime | None
) -> Chatroom:
    await tx.execute(_SET_ESTABLISHED, {"id_chatroom": chatroom.id_chatroom, "when": when})
    return chatroom._replace(established_dialogue=when)


# A participant's own state: the column is one of these names, never the client's text.
PARTICIPANT_STATE = ("last_read_message", "is_blocked", "archived", "flag")
_SET_STATE = {
    column: Query(
        f"UPDATE chatroom_ambassador SET {column} = :value "
        "WHERE id_chatroom = :id_chatroom AND id_ambassador = :id_ambassador"
    )
    for column in PARTICIPANT_STATE
}


async def set_participant_state(
    tx: Transaction, id_chatroom: int, id_ambassador: int, column: str, value: Any
) -> None:
    params = {"value": value, "id_chatroom": id_chatroom, "id_ambassador": id_ambassador}
    await tx.execute(_SET_STATE[column], params)


_UNARCHIVE = Query(
    "UPDATE chatroom_ambassador SET archived = false "
    "WHERE id_chatroom = :id_chatroom AND archived = true"
)


async def unarchive(tx: Transaction, id_chatroom: int) -> None:
    """Bring the chatroom back for every participant who had archived it."""
    await tx.execute(_UNARCHIVE, {"id_chatroom": id_chatroom})


_PARTICIPANT_IDS = Query(
    "SELECT id_ambassador FROM chatroom_ambassador WHERE id_chatroom = :id_chatroom "
    "ORDER BY id_ambassador"
)


async def participant_ids(tx: Transaction, id_chatroom: int) -> tuple[int, ...]:
    rows = await tx.fetch(_PARTICIPANT_IDS, {"id_chatroom": id_chatroom})
    return tuple(row[0] for row in rows)


_ONE_TO_ONE = Query(
    "SELECT c.id_chatroom FROM chatroom c "
    "WHERE c.id_brand = :id_brand AND c.type_chatroom = :one_to_one AND c.id_chatroom IN ("
    "  SELECT p.id_chatroom FROM chatroom_ambassador p WHERE p.id_ambassador IN (:a, :b)"
    "  GROUP BY p.id_chatroom HAVING count(*) = 2"
    ") ORDER BY c.id_chatroom LIMIT 1"
)


async def find_one_to_one(tx: Transaction, id_brand: int, id_a: int, id_b: int) -> int | None:
    """The id of the brand's one-to-one chatroom between these two people, if there is one."""
    params = {"id_brand": id_brand, "one_to_one": ChatroomType.ONE_TO_ONE, "a": id_a, "b": id_b}
    found: int | None = await tx.fetchval(_ONE_TO_ONE, params)
    return found


@dataclass(frozen=True)
class ChatroomFilters:
    archived: bool | None = None
    flag: int | None = None
    type_chatroom: int | None = None
    last_action_before: datetime | None = None
    commented: bool | None = None


_LAST_ACTION = "coalesce(c.last_message_date, c.date_insert)"
# The chatroom's `last_rating` (chatroom_wire): its live rating with the latest submission.
_LAST_RATING_OF_C = (
    "SELECT {column} FROM rating r WHERE r.id_chatroom = c.id_chatroom "
    "AND r.value IS NOT NULL AND r.date_delete IS NULL "
    "ORDER BY r.date_update DESC, r.id_rating DESC LIMIT 1"
)
LAST_RATING_VALUE = f"({_LAST_RATING_OF_C.format(column='r.value')})"
# "Commented": the rating shown as `last_rating` carries a comment.
_COMMENTED = f"coalesce(({_LAST_RATING_OF_C.format(column='r.content')}), '') <> ''"


# The ambassador's participant row, or one of the guest accounts bound to them.
_SELF_OR_GUEST = (
    "(own.id_ambassador = :me OR own.id_ambassador IN "
    "(SELECT g.id_ambassador FROM ambassador g WHERE g.id_brand_user = :me))"
)


async def page_of_ambassador(
    tx: Transaction,
    id_ambassador: int,
    filters: ChatroomFilters,
    sort: Sort,
    offset: int,
    limit: int,
) -> tuple[list[Chatroom], int]:
    """One page of the chatrooms this ambassador is in, or one of the guest accounts bound to
    them (`ambassador.id_brand_user`, POST /auth/brand), each with its participants, and the
    total. The filters on archive and flag read the participant row of the ambassador (or of
    their guest) in the chatroom."""
    params: dict[str, Any] = {"me": id_ambassador, "offset": offset, "limit": limit}
    own = [_SELF_OR_GUEST]
    if filters.archived is not None:
        own.append("own.archived = :archived")
        params["archived"] = filters.archived
    if filters.flag is not None:
        own.append("own.flag = :flag")
        params["flag"] = filters.flag
    where = ["1 = 1"]
    if filters.type_chatroom is not None:
        where.append("c.type_chatroom = :type_chatroom")
        params["type_chatroom"] = filters.type_chatroom
    if filters.last_action_before is not None:
        where.append(f"{_LAST_ACTION} < :before")
        params["before"] = filters.last_action_before
    if filters.commented is not None:
        where.append(_COMMENTED if filters.commented else f"NOT {_COMMENTED}")
    source = (
        "FROM chatroom c WHERE c.id_chatroom IN (SELECT own.id_chatroom FROM "
        f"chatroom_ambassador own WHERE {' AND '.join(own)}) AND {' AND '.join(where)}"
    )
    direction = "DESC" if sort.descending else "ASC"
    total = await tx.fetchval(query(f"SELECT count(*) {source}"), params)
    rows = await tx.fetch(
        query(
            f"SELECT {CHATROOM_COLUMNS} {source} "
            f"ORDER BY {_LAST_ACTION} {direction}, c.id_chatroom {direction} "
            "LIMIT :limit OFFSET :offset"
        ),
        params,
    )
    members = await participants_of([row[0] for row in rows], tx)
    return [chatroom_of(row, members.get(row[0], ())) for row in rows], int(total)


NOT_RATED = -1
"""`ManagerFilters.last_rating` for the chatrooms without a `last_rating`."""


@dataclass(frozen=True)
class ManagerFilters:
    type_chatroom: int | None = None
    type_discussion: int | None = None
    source: int | None = None
    established: bool | None = None
    last_rating: int | None = None
    """0-5, or NOT_RATED."""
    author: int | None = None
    """Only the chatrooms where this person wrote a message."""


# What the manager's list sorts by: a column name, never the client's text.
MANAGER_SORTS = {
    "id_chatroom": "c.id_chatroom",
    "date_insert": "c.date_insert",
    "last_message_date": "c.last_message_date",
    "last_rating": LAST_RATING_VALUE,
}


async def page_of_brand(
    tx: Transaction,
    id_brand: int,
    filters: ManagerFilters,
    sort: Sort,
    offset: int,
    limit: int,
) -> tuple[list[Chatroom], int]:
    """One page of the brand's chatrooms, each with its participants, and the total: two
    queries and the participants' one, whatever the page size. Chatrooms without the sorted
    value (no message, no rating) come last either way."""
    params: dict[str, Any] = {"id_brand": id_brand, "offset": offset, "limit": limit}
    where = ["c.id_brand = :id_brand"]
    for column in ("type_chatroom", "type_discussion", "source"):
        value = getattr(filters, column)
        if value is not None:
            where.append(f"c.{column} = :{column}")
            params[column] = value
    if filters.established is not None:
        where.append(f"c.established_dialogue IS {'NOT ' if filters.established else ''}NULL")
    if filters.last_rating == NOT_RATED:
        where.append(f"{LAST_RATING_VALUE} IS NULL")
    elif filters.last_rating is not None:
        where.append(f"{LAST_RATING_VALUE} = :last_rating")
        params["last_rating"] = filters.last_rating
    if filters.author is not None:
        where.append(
            "EXISTS (SELECT 1 FROM message m WHERE m.id_chatroom = c.id_chatroom "
            "AND m.id_ambassador = :author)"
        )
        params["author"] = filters.author
    source = f"FROM chatroom c WHERE {' AND '.join(where)}"
    total = await tx.fetchval(query(f"SELECT count(*) {source}"), params)
    by, direction = MANAGER_SORTS[sort.field], "DESC" if sort.descending else "ASC"
    order = f"c.id_chatroom {direction}"
    if by != "c.id_chatroom":
        order = f"({by}) IS NULL, {by} {direction}, {order}"
    rows = await tx.fetch(
        query(f"SELECT {CHATROOM_COLUMNS} {source} ORDER BY {order} LIMIT :limit OFFSET :offset"),
        params,
    )
    members = await participants_of([row[0] for row in rows], tx)
    return [chatroom_of(row, members.get(row[0], ())) for row in rows], int(total)


_PARTICIPANTS_OF = (
    f"SELECT {PARTICIPANT_COLUMNS} FROM chatroom_ambassador p "
    "JOIN ambassador a ON a.id_ambassador = p.id_ambassador "
    "WHERE p.id_chatroom IN ({ids}) ORDER BY p.id_chatroom, p.id_ambassador"
)


async def participants_of(
    chatroom_ids: Sequence[int], tx: Transaction
) -> dict[int, tuple[Participant, ...]]:
    """The participants of each chatroom (one query)."""
    if not chatroom_ids:
        return {}
    rows = await tx.fetch(*in_list(_PARTICIPANTS_OF, chatroom_ids))
    found: dict[int, list[Participant]] = {}
    for row in rows:
        found.setdefault(row[0], []).append(participant_of(row, 0))
    return {id_chatroom: tuple(people) for id_chatroom, people in found.items()}


_LAST_RATINGS = (
    f"SELECT {RATING_COLUMNS} FROM ("
    "  SELECT r.*, row_number() OVER ("
    "    PARTITION BY r.id_chatroom ORDER BY r.date_update DESC, r.id_rating DESC"
    "  ) AS rank FROM rating r"
    "  WHERE r.id_chatroom IN ({ids}) AND r.value IS NOT NULL"
    "  AND r.date_delete IS NULL"
    ") r WHERE r.rank = 1"
)


async def last_ratings(tx: Transaction, chatroom_ids: Sequence[int]) -> dict[int, Rating]:
    """For each chatroom, its live rating with the latest submission (one query)."""
    if not chatroom_ids:
        return {}
    rows = await tx.fetch(*in_list(_LAST_RATINGS, chatroom_ids))
    return {rating.id_chatroom: rating for rating in map(rating_of, rows)}


_LAST_SUMMARIES = (
    "SELECT s.id_chatroom, s.date_insert, s.summary, s.anomaly, s.topic FROM ("
    "  SELECT s.*, row_number() OVER ("
    "    PARTITION BY s.id_chatroom ORDER BY s.date_insert DESC, s.id_chatroom_summary DESC"
    "  ) AS rank FROM chatroom_summary s WHERE s.id_chatroom IN ({ids})"
    ") s WHERE s.rank = 1"
)


async def last_summaries(tx: Transaction, chatroom_ids: Sequence[int]) -> dict[int, Summary]:
    """For each chatroom, its newest summary (one query)."""
    if not chatroom_ids:
        return {}
    rows = await tx.fetch(*in_list(_LAST_SUMMARIES, chatroom_ids))
    return {row[0]: Summary._make(row) for row in rows}


_CO_PARTICIPANTS = Query(
    "SELECT DISTINCT p.id_ambassador FROM chatroom_ambassador p "
    "WHERE p.id_chatroom IN ("
    "  SELECT own.id_chatroom FROM chatroom_ambassador own WHERE own.id_ambassador = :me"
    ") AND p.id_ambassador <> :me ORDER BY p.id_ambassador"
)


async def co_participants(tx: Transaction, id_ambassador: int) -> list[int]:
    """Everyone who shares at least one chatroom with `id_ambassador`."""
    return [row[0] for row in await tx.fetch(_CO_PARTICIPANTS, {"me": id_ambassador})]
