"""SQL of brand tags, chat topics and their i18n contents (`i18n_content`, shared: `kind` says
whose list an item is in). A page's contents and members are read for the whole page at once."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from salon.ambassadors.repository import ambassador_of
from salon.ambassadors.repository import columns as ambassador_columns
from salon.api.listing import Sort
from salon.db.database import Transaction, UniqueViolation
from salon.db.query import Query, expand, query
from salon.records import Ambassador

# Whose list an i18n item is in (the CHECK constraint of `i18n_content.kind`).
TAG_NAMES = "brand_tag.names"
TAG_IMAGES = "brand_tag.images"
TOPIC_CONTENTS = "chat_topic.contents"

# A tag's members shown with it; the rest are listed by GET /chat/ambassadors?filter[brand_tag].
MEMBERS_SHOWN = 20


class I18nItem(NamedTuple):
    id_i18n_content: int
    lang: str
    content: str


class Tag(NamedTuple):
    id_brand_tag: int
    id_brand: int
    name: str
    visibility_chat: int


class Topic(NamedTuple):
    id_chat_topic: int
    id_brand: int
    color: str
    position: int
    active: bool
    roles: str
    """Role names, comma-separated, in the order of the status enum; empty: every role."""
    date_insert: datetime
    date_update: datetime


class NameTaken(Exception):
    """Another tag of the brand has this name."""


# i18n contents -------------------------------------------------------------------------------


async def contents_of(
    tx: Transaction, kinds: Sequence[str], owners: Sequence[int]
) -> dict[tuple[str, int], list[I18nItem]]:
    """The items of these lists of these owners, each list in its order (one query)."""
    if not owners:
        return {}
    params: dict[str, Any] = {}
    text = (
        "SELECT kind, id_owner, id_i18n_content, lang, content FROM i18n_content "
        f"WHERE kind IN ({expand(params, 'kind', kinds)}) "
        f"AND id_owner IN ({expand(params, 'owner', owners)}) "
        "ORDER BY kind, id_owner, position, id_i18n_content"
    )
    found: dict[tuple[str, int], list[I18nItem]] = {}
    for kind, owner, *item in await tx.fetch(query(text), params):
        found.setdefault((kind, owner), []).append(I18nItem._make(item))
    return found


_DROP_OTHER_LANGS = (
    "DELETE FROM i18n_content WHERE kind = :kind AND id_owner = :id_owner AND lang NOT IN ({langs})"
)
_DROP_ALL = Query("DELETE FROM i18n_content WHERE kind = :kind AND id_owner = :id_owner")
_UPSERT_CONTENT = Query(
    "INSERT INTO i18n_content (id_brand, kind, id_owner, lang, content, position) "
    "VALUES (:id_brand, :kind, :id_owner, :lang, :content, :position) "
    "ON CONFLICT (kind, id_owner, lang) DO UPDATE SET content = excluded.content, "
    "position = excluded.position"
)


async def set_contents(
    tx: Transaction,
    id_brand: int,
    kind: str,
    id_owner: int,
    items: Sequence[tuple[str, str]],
) -> None:
    """The list becomes `items` ((lang, content), in order): a language already there keeps its
    `id_i18n_content`, one not sent any more is deleted. Two statements."""
    params: dict[str, Any] = {"kind": kind, "id_owner": id_owner}
    if not items:
        await tx.execute(_DROP_ALL, params)
        return
    langs = expand(params, "lang", [lang for lang, _ in items])
    await tx.execute(query(_DROP_OTHER_LANGS.format(langs=langs)), params)
    await tx.executemany(
        _UPSERT_CONTENT,
        [
            {
                "id_brand": id_brand,
                "kind": kind,
                "id_owner": id_owner,
                "lang": lang,
                "content": content,
                "position": position,
            }
            for position, (lang, content) in enumerate(items)
        ],
    )


# brand tags --------------------------------------------------------------------------------

TAG_SORTS = {"id_brand_tag": "t.id_brand_tag", "visibility_chat": "t.visibility_chat"}
_TAG_COLUMNS = "t.id_brand_tag, t.id_brand, t.name, t.visibility_chat"


@dataclass(frozen=True)
class TagFilters:
    visibility_chat: int | None = None


async def page_of_tags(
    tx: Transaction, id_brand: int, filters: TagFilters, sort: Sort, offset: int, limit: int
) -> tuple[list[Tag], int]:
    params: dict[str, Any] = {"id_brand": id_brand, "offset": offset, "limit": limit}
    where = "t.id_brand = :id_brand"
    if filters.visibility_chat is not None:
        where += " AND t.visibility_chat = :visibility_chat"
        params["visibility_chat"] = filters.visibility_chat
    rows, total = await _page(tx, "brand_tag", _TAG_COLUMNS, where, params, sort, TAG_SORTS)
    return [Tag._make(row) for row in rows], total


async def _page(
    tx: Transaction,
    table: str,
    columns: str,
    condition: str,
    params: dict[str, Any],
    sort: Sort,
    sorts: dict[str, str],
) -> tuple[list[Any], int]:
    """One page of `table` (aliased t) where `condition` holds, and the total: ordered by
    `sort`, then by the table's id (`id_<table>`) in the same direction."""
    total = await tx.fetchval(query(f"SELECT count(*) FROM {table} t WHERE {condition}"), params)
    direction = "DESC" if sort.descending else "ASC"
    order = f"t.id_{table} {direction}"
    if sort.field != f"id_{table}":
        order = f"{sorts[sort.field]} {direction}, {order}"
    rows = await tx.fetch(
        query(
            f"SELECT {columns} FROM {table} t WHERE {condition} "
            f"ORDER BY {order} LIMIT :limit OFFSET :offset"
        ),
        params,
    )
    return list(rows), int(total)


_GET_TAG = Query(
    f"SELECT {_TAG_COLUMNS} FROM brand_tag t "
    "WHERE t.id_brand_tag = :id_brand_tag AND t.id_brand = :id_brand"
)
_GET_TAG_FOR_UPDATE = Query(sqlite=_GET_TAG.sqlite, postgres=f"{_GET_TAG.sqlite} FOR UPDATE")


async def get_tag(
    tx: Transaction, id_brand_tag: int, id_brand: int, *, for_update: bool = False
) -> Tag | None:
    """The brand's tag; `for_update`: locked until the transaction ends (PostgreSQL)."""
    statement = _GET_TAG_FOR_UPDATE if for_update else _GET_TAG
    row = await tx.fetchrow(statement, {"id_brand_tag": id_brand_tag, "id_brand": id_brand})
    return None if row is None else Tag._make(row)


_INSERT_TAG = Query(
    "INSERT INTO brand_tag (id_brand, name, visibility_chat, date_insert) "
    "VALUES (:id_brand, :name, :visibility_chat, :now) RETURNING id_brand_tag"
)


async def insert_tag(
    tx: Transaction, id_brand: int, name: str, visibility_chat: int, now: datetime
) -> Tag:
    params = {"id_brand": id_brand, "name": name, "visibility_chat": visibility_chat, "now": now}
    try:
        id_brand_tag: int = await tx.fetchval(_INSERT_TAG, params)
    except UniqueViolation as error:
        raise NameTaken from error
    return Tag(id_brand_tag, id_brand, name, visibility_chat)


_UPDATE_TAG = Query(
    "UPDATE brand_tag SET name = :name, visibility_chat = :visibility_chat "
    "WHERE id_brand_tag = :id_brand_tag"
)


async def update_tag(tx: Transaction, tag: Tag) -> None:
    params = {
        "name": tag.name,
        "visibility_chat": tag.visibility_chat,
        "id_brand_tag": tag.id_brand_tag,
    }
    try:
        await tx.execute(_UPDATE_TAG, params)
    except UniqueViolation as error:
        raise NameTaken from error


_MEMBERS_OF = (
    f"SELECT m.id_brand_tag, {ambassador_columns('a')} FROM ("
    "  SELECT id_brand_tag, id_ambassador, row_number() OVER ("
    "    PARTITION BY id_brand_tag ORDER BY id_ambassador"
    "  ) AS rank FROM brand_tag_ambassador WHERE id_brand_tag IN ({ids})"
    ") m JOIN ambassador a ON a.id_ambassador = m.id_ambassador "
    "WHERE m.rank <= :shown ORDER BY m.id_brand_tag, m.id_ambassador"
)


async def members_of(tx: Transaction, tag_ids: Sequence[int]) -> dict[int, list[Ambassador]]:
    """The first `MEMBERS_SHOWN` members of each tag, by id (one query)."""
    if not tag_ids:
        return {}
    params: dict[str, Any] = {"shown": MEMBERS_SHOWN}
    text = _MEMBERS_OF.format(ids=expand(params, "id", tag_ids))
    found: dict[int, list[Ambassador]] = {}
    for row in await tx.fetch(query(text), params):
        found.setdefault(row[0], []).append(ambassador_of(row, 1))
    return found


# chat topics -------------------------------------------------------------------------------

TOPIC_SORTS = {"id_chat_topic": "t.id_chat_topic", "position": "t.position"}
_TOPIC_COLUMNS = (
    "t.id_chat_topic, t.id_brand, t.color, t.position, t.active, t.roles, t.date_insert, "
    "t.date_update"
)


@dataclass(frozen=True)
class TopicFilters:
    search: str | None = None
    """A LIKE pattern (`ambassadors.repository.like_pattern`) over the topic's contents."""
    active: bool | None = None


async def page_of_topics(
    tx: Transaction, id_brand: int, filters: TopicFilters, sort: Sort, offset: int, limit: int
) -> tuple[list[Topic], int]:
    params: dict[str, Any] = {"id_brand": id_brand, "offset": offset, "limit": limit}
    where = ["t.id_brand = :id_brand"]
    if filters.active is not None:
        where.append("t.active = :active")
        params["active"] = filters.active
    if filters.search is not None:
        where.append(
            "EXISTS (SELECT 1 FROM i18n_content i WHERE i.kind = :kind "
            "AND i.id_owner = t.id_chat_topic AND lower(i.content) LIKE :pattern ESCAPE '\\')"
        )
        params["kind"] = TOPIC_CONTENTS
        params["pattern"] = filters.search
    condition = " AND ".join(where)
    rows, total = await _page(
        tx, "chat_topic", _TOPIC_COLUMNS, condition, params, sort, TOPIC_SORTS
    )
    return [Topic._make(row) for row in rows], total


_GET_TOPIC = Query(
    f"SELECT {_TOPIC_COLUMNS} FROM chat_topic t "
    "WHERE t.id_chat_topic = :id_chat_topic AND t.id_brand = :id_brand"
)
_GET_TOPIC_FOR_UPDATE = Query(sqlite=_GET_TOPIC.sqlite, postgres=f"{_GET_TOPIC.sqlite} FOR UPDATE")


async def get_topic(
    tx: Transaction, id_chat_topic: int, id_brand: int, *, for_update: bool = False
) -> Topic | None:
    statement = _GET_TOPIC_FOR_UPDATE if for_update else _GET_TOPIC
    row = await tx.fetchrow(statement, {"id_chat_topic": id_chat_topic, "id_brand": id_brand})
    return None if row is None else Topic._make(row)


_INSERT_TOPIC = Query(
    "INSERT INTO chat_topic (id_brand, color, position, active, roles, date_insert, "
    "date_update) VALUES (:id_brand, :color, :position, :active, :roles, :now, :now) "
    "RETURNING id_chat_topic"
)


async def insert_topic(
    tx: Transaction,
    *,
    id_brand: int,
    color: str,
    position: int,
    active: bool,
    roles: str,
    now: datetime,
) -> Topic:
    params = {
        "id_brand": id_brand,
        "color": color,
        "position": position,
        "active": active,
        "roles": roles,
        "now": now,
    }
    id_chat_topic: int = await tx.fetchval(_INSERT_TOPIC, params)
    return Topic(id_chat_topic, id_brand, color, position, active, roles, now, now)


_UPDATE_TOPIC = Query(
    "UPDATE chat_topic SET color = :color, position = :position, active = :active, "
    "roles = :roles, date_update = :date_update WHERE id_chat_topic = :id_chat_topic"
)


async def update_topic(tx: Transaction, topic: Topic) -> None:
    await tx.execute(
        _UPDATE_TOPIC,
        {
            "color": topic.color,
            "position": topic.position,
            "active": topic.active,
            "roles": topic.roles,
            "date_update": topic.date_update,
            "id_chat_topic": topic.id_chat_topic,
        },
    )
