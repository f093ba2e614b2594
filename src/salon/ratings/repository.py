from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from salon.api.listing import Sort
from salon.db.database import Database, Row, Transaction, UniqueViolation
from salon.db.query import Query, expand, query
from salon.records import VISITOR_STATUSES, MessageType, Rating

RATING_COLUMNS = ", ".join(f"r.{field}" for field in Rating._fields)
WIDTH = len(Rating._fields)


def rating_of(row: Row, start: int = 0) -> Rating:
    return Rating._make(row[start : start + WIDTH])


class OpenRatingExists(Exception):
    """The database refused a second open rating for the same (chatroom, rater, rated): a
    concurrent request got there first."""


_LIVE_FOR_UPDATE = Query(
    sqlite=f"SELECT {RATING_COLUMNS} FROM rating r "
    "WHERE r.id_rating = :id_rating AND r.id_brand = :id_brand AND r.date_delete IS NULL",
    # The lock orders concurrent changes of one rating, so a change's `date_update` (taken
    # after the lock) follows commit order. SQLite has no row locks; its `BEGIN IMMEDIATE`
    # already serialises writers.
    postgres=f"SELECT {RATING_COLUMNS} FROM rating r "
    "WHERE r.id_rating = :id_rating AND r.id_brand = :id_brand AND r.date_delete IS NULL "
    "FOR UPDATE",
)


async def get_live_for_update(tx: Transaction, id_rating: int, id_brand: int) -> Rating | None:
    """A rating of the brand that is not deleted, locked until the transaction ends."""
    row = await tx.fetchrow(_LIVE_FOR_UPDATE, {"id_rating": id_rating, "id_brand": id_brand})
    return None if row is None else rating_of(row)


@dataclass(frozen=True, slots=True)
class OpenRating:
    id_rating: int
    is_pending: bool
    date_asked: datetime
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


def _spoke(who: str, after: str) -> str:
    """Whether the person bound to `who` posted a message that is not a rating after message
    `after` (ix_message_chatroom_author)."""
    return (
        "EXISTS (SELECT 1 FROM message m WHERE m.id_chatroom = :id_chatroom "
        f"AND m.id_ambassador = :{who} AND m.type_message <> {MessageType.RATING:d} "
        f"AND m.id_message > {after})"
    )


# One row whatever there is: the chatroom, left-joined to its open rating for the pair (at
# most one, by uq_rating_open), with whether each side spoke.
_STANDING = Query(
    "SELECT o.id_rating, o.value, o.date_insert, o.date_rated, "
    f"{_spoke('id_user_rated', '0')}, "
    f"{_spoke('id_user_rated', 'coalesce(o.id_message, 0)')}, "
    f"{_spoke('id_user_rater', 'coalesce(o.id_message, 0)')} "
    "FROM chatroom c LEFT JOIN rating o ON o.id_chatroom = c.id_chatroom "
    "AND o.id_user_rater = :id_user_rater AND o.id_user_rated = :id_user_rated "
    "AND o.date_delete IS NULL AND o.date_supersede IS NULL "
    "WHERE c.id_chatroom = :id_chatroom"
)


async def standing(
    tx: Transaction, *, id_chatroom: int, id_user_rater: int, id_user_rated: int
) -> Standing:
    """One statement: the open rating of this (chatroom, rater, rated) and who spoke when."""
    params = {
        "id_chatroom": id_chatroom,
        "id_user_rater": id_user_rater,
        "id_user_rated": id_user_rated,
    }
    row = await tx.fetchrow(_STANDING, params)
    assert row is not None  # the chatroom was read in this transaction
    id_rating, value, date_asked, date_rated, took_part, rated_since, rater_since = row
    open_rating = None
    if id_rating is not None:
        open_rating = OpenRating(id_rating, value is None, date_asked, date_rated)
    return Standing(
        open_rating,
        bool(took_part),
        bool(rated_since) and bool(rater_since),
    )


_SUPERSEDE = Query(
    "UPDATE rating SET date_supersede = :when "
    "WHERE id_rating = :id_rating AND date_supersede IS NULL"
)


async def supersede(tx: Transaction, id_rating: int, when: datetime) -> None:
    """The open rating becomes history: a newer request of the same rater replaces it."""
    await tx.execute(_SUPERSEDE, {"id_rating": id_rating, "when": when})


_INSERT = Query(
    "INSERT INTO rating (id_brand, id_chatroom, id_message, id_user_rater, id_user_rated, "
    "value, content, date_insert, date_update, date_rated, link_hash, link_expires_at) "
    "VALUES (:id_brand, :id_chatroom, :id_message, :id_user_rater, :id_user_rated, :value, "
    ":content, :now, :now, :date_rated, :link_hash, :link_expires_at) RETURNING id_rating"
)


async def insert(
    tx: Transaction,
    *,
    id_brand: int,
    id_chatroom: int,
    id_message: int,
    id_user_rater: int,
    id_user_rated: int,
    value: int | None,
    content: str | None,
    now: datetime,
    link_hash: str | None = None,
    link_expires_at: datetime | None = None,
) -> Rating:
    """The rating a message carries, with the digest of its rater's link when it has one.
    The partial unique index `uq_rating_open` is the last word on concurrent duplicates
    (OpenRatingExists); the message is new, so it is the only constraint the rating can
    break."""
    date_rated = now if value is not None else None
    params = {
        "id_brand": id_brand,
        "id_chatroom": id_chatroom,
        "id_message": id_message,
        "id_user_rater": id_user_rater,
        "id_user_rated": id_user_rated,
        "value": value,
        "content": content,
        "now": now,
        "date_rated": date_rated,
        "link_hash": link_hash,
        "link_expires_at": link_expires_at,
    }
    try:
        id_rating: int = await tx.fetchval(_INSERT, params)
    except UniqueViolation as error:
        raise OpenRatingExists from error
    return Rating(
        id_rating,
        id_brand,
        id_chatroom,
        id_message,
        id_user_rater,
        id_user_rated,
        value,
        content,
        now,
        now,
        date_rated,
        None,
        None,
    )


@dataclass(frozen=True, slots=True)
class Linked:
    """A rating reached by its rater's link, with what the rater's page shows."""

    rating: Rating
    link_expires_at: datetime
    rater_active: bool
    rated_firstname: str
    rated_image: str | None
    brand_label: str


_BY_LINK_COLUMNS = (
    f"SELECT {RATING_COLUMNS}, r.link_expires_at, rater.active >= 0, a.firstname, a.image, "
    "b.label FROM rating r JOIN ambassador rater ON rater.id_ambassador = r.id_user_rater "
    "JOIN ambassador a ON a.id_ambassador = r.id_user_rated "
    "JOIN brand b ON b.id_brand = r.id_brand WHERE r.link_hash = :link_hash"
)
_BY_LINK = Query(_BY_LINK_COLUMNS)
# As `_LIVE_FOR_UPDATE`: a submission locks its rating (SQLite's BEGIN IMMEDIATE already does).
_BY_LINK_FOR_UPDATE = Query(sqlite=_BY_LINK_COLUMNS, postgres=_BY_LINK_COLUMNS + " FOR UPDATE OF r")


async def find_by_link(tx: Transaction, link_hash: str, *, for_update: bool) -> Linked | None:
    """The rating whose link has this digest, deleted and superseded ones included (its page
    says why it no longer works)."""
    query = _BY_LINK_FOR_UPDATE if for_update else _BY_LINK
    row = await tx.fetchrow(query, {"link_hash": link_hash})
    if row is None:
        return None
    expires_at, rater_active, firstname, image, label = row[WIDTH:]
    return Linked(rating_of(row), expires_at, bool(rater_active), firstname or "", image, label)


_SUBMIT = Query(
    "UPDATE rating SET value = :value, content = :content, date_update = :date_update, "
    "date_rated = :date_rated WHERE id_rating = :id_rating"
)


async def submit(tx: Transaction, rating: Rating) -> None:
    """Store the rating's score, comment and dates as they now are."""
    await tx.execute(
        _SUBMIT,
        {
            "value": rating.value,
            "content": rating.content,
            "date_update": rating.date_update,
            "date_rated": rating.date_rated,
            "id_rating": rating.id_rating,
        },
    )


_DELETE = Query("UPDATE rating SET date_delete = :when WHERE id_rating = :id_rating")


async def delete(tx: Transaction, id_rating: int, when: datetime) -> None:
    await tx.execute(_DELETE, {"id_rating": id_rating, "when": when})


@dataclass(frozen=True)
class RatingFilters:
    """Report filters; `since`/`until` bound `date_insert` (until is exclusive)."""

    since: datetime | None = None
    until: datetime | None = None
    id_user_rated: int | None = None
    id_user_rater: int | None = None
    id_chatroom: int | None = None
    values: list[int] | None = None
    status: str | None = None  # "pending" | "expired" | "answered"
    # Requests asked before this have expired (needed by the "pending" and "expired" statuses).
    asked_since: datetime | None = None


SORTABLE = ("id_rating", "date_insert", "date_update", "value")


def _live_of_brand(id_brand: int, filters: RatingFilters) -> tuple[str, dict[str, Any]]:
    """The WHERE clause of the brand's live ratings that match, and its parameters."""
    params: dict[str, Any] = {"id_brand": id_brand}
    where = ["r.id_brand = :id_brand", "r.date_delete IS NULL"]
    if filters.since is not None:
        where.append("r.date_insert >= :since")
        params["since"] = filters.since
    if filters.until is not None:
        where.append("r.date_insert < :until")
        params["until"] = filters.until
    for column in ("id_user_rated", "id_user_rater", "id_chatroom"):
        value = getattr(filters, column)
        if value is not None:
            where.append(f"r.{column} = :{column}")
            params[column] = value
    if filters.values is not None:
        where.append(f"r.value IN ({expand(params, 'value', filters.values)})")
    if filters.status in ("pending", "expired"):
        assert filters.asked_since is not None
        newer = filters.status == "pending"
        where.append(f"r.value IS NULL AND r.date_insert {'>=' if newer else '<'} :asked_since")
        params["asked_since"] = filters.asked_since
    elif filters.status == "answered":
        where.append("r.value IS NOT NULL")
    return " AND ".join(where), params


def _order(sort: Sort) -> str:
    assert sort.field in SORTABLE  # a column name from a fixed list, never from the client
    if sort.descending:
        return f"r.{sort.field} DESC NULLS LAST, r.id_rating DESC"
    return f"r.{sort.field} ASC NULLS FIRST, r.id_rating ASC"


async def page(
    tx: Transaction,
    id_brand: int,
    filters: RatingFilters,
    sort: Sort,
    offset: int,
    limit: int,
) -> tuple[list[Rating], int]:
    condition, params = _live_of_brand(id_brand, filters)
    total = await tx.fetchval(
        query(f"SELECT count(*) FROM rating r WHERE {condition}"),
        params,
    )
    rows = await tx.fetch(
        query(
            f"SELECT {RATING_COLUMNS} FROM rating r WHERE {condition} "
            f"ORDER BY {_order(sort)} LIMIT :limit OFFSET :offset"
        ),
        params | {"limit": limit, "offset": offset},
    )
    return [rating_of(row) for row in rows], int(total)


async def stream(
    database: Database, id_brand: int, filters: RatingFilters, sort: Sort
) -> AsyncIterator[Rating]:
    """Every matching rating, read in batches on a connection of the stream's own."""
    condition, params = _live_of_brand(id_brand, filters)
    statement = query(
        f"SELECT {RATING_COLUMNS} FROM rating r WHERE {condition} ORDER BY {_order(sort)}"
    )
    async for row in database.stream(statement, params):
        yield rating_of(row)


def _voices(id_brand: int, filters: RatingFilters) -> tuple[str, dict[str, Any]]:
    """One rating per (chatroom, rater, rated) among the live ones that match: the newest
    submitted one, else the newest request. A rater's voice counts once, however often they
    were asked (docs/security.md, "Ratings"). A subquery with `value`, `date_insert`,
    `id_user_rated` and `id_user_rater`."""
    condition, params = _live_of_brand(id_brand, filters)
    return (
        "(SELECT v.value, v.date_insert, v.id_user_rated, v.id_user_rater FROM ("
        "  SELECT r.value, r.date_insert, r.id_user_rated, r.id_user_rater, row_number() OVER ("
        "    PARTITION BY r.id_chatroom, r.id_user_rater, r.id_user_rated"
        "    ORDER BY (CASE WHEN r.value IS NULL THEN 1 ELSE 0 END), r.id_rating DESC"
        f"  ) AS rank FROM rating r WHERE {condition}"
        ") v WHERE v.rank = 1) voice"
    ), params


async def value_counts(
    tx: Transaction, id_brand: int, filters: RatingFilters
) -> dict[int | None, int]:
    """How many voices have each value (None: asked, not answered)."""
    voices, params = _voices(id_brand, filters)
    rows = await tx.fetch(
        query(f"SELECT voice.value, count(*) FROM {voices} GROUP BY voice.value"),
        params,
    )
    return {value: int(count) for value, count in rows}


@dataclass(frozen=True)
class Named:
    id_ambassador: int
    firstname: str
    lastname: str
    image: str | None


async def value_counts_by_rated(
    tx: Transaction, id_brand: int, filters: RatingFilters, rater_statuses: Sequence[int]
) -> dict[Named, dict[int | None, int]]:
    """`value_counts` of each rated ambassador, with their name, in one statement: only the
    voices of raters with one of `rater_statuses`, only of people who are not visitors."""
    voices, params = _voices(id_brand, filters)
    visitors = expand(params, "visitor", VISITOR_STATUSES)
    raters = expand(params, "rater", list(rater_statuses))
    rows = await tx.fetch(
        query(
            "SELECT a.id_ambassador, a.firstname, a.lastname, a.image, voice.value, count(*) "
            f"FROM {voices} JOIN ambassador a ON a.id_ambassador = voice.id_user_rated "
            "JOIN ambassador rater ON rater.id_ambassador = voice.id_user_rater "
            f"WHERE a.status NOT IN ({visitors}) AND rater.status IN ({raters}) "
            "GROUP BY a.id_ambassador, a.firstname, a.lastname, a.image, voice.value"
        ),
        params,
    )
    counts: dict[Named, dict[int | None, int]] = {}
    for id_rated, firstname, lastname, image, value, count in rows:
        named = Named(int(id_rated), firstname, lastname, image)
        counts.setdefault(named, {})[value] = int(count)
    return counts


_UTC_DAY = {
    # SQLite stores naive UTC text; PostgreSQL a timestamptz to read in UTC.
    "sqlite": "date(voice.date_insert)",
    "postgresql": "to_char(voice.date_insert AT TIME ZONE 'UTC', 'YYYY-MM-DD')",
}


async def per_day(
    tx: Transaction, id_brand: int, filters: RatingFilters
) -> list[tuple[str, int, int, int]]:
    """(day, asked, answered, sum of values) of the voices, per UTC day of their request."""
    voices, params = _voices(id_brand, filters)
    day = _UTC_DAY[tx.dialect]
    rows = await tx.fetch(
        query(
            f"SELECT {day} AS day, count(*), count(voice.value), "
            f"coalesce(sum(voice.value), 0) FROM {voices} GROUP BY day ORDER BY day"
        ),
        params,
    )
    return [
        (str(d), int(asked), int(answered), int(total or 0)) for d, asked, answered, total in rows
    ]
