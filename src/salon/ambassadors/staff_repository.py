# ruff: noqa: S608 -- as every repository.py (pyproject.toml): the SQL text is made of this
# module's own fragments, and values are always bound.
"""The queries of the staff's and the platform's views of the brand's people
(`/manager/ambassadors`, `/platform/ambassadors`)."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from salon.ambassadors.repository import WIDTH, ambassador_of, columns, like_pattern
from salon.api.listing import Sort
from salon.db.database import Transaction
from salon.db.query import Query, expand, query
from salon.records import Ambassador

# The chatrooms a person takes part in (`nb_conversations`).
NB_CONVERSATIONS = (
    "(SELECT count(*) FROM chatroom_ambassador p WHERE p.id_ambassador = a.id_ambassador)"
)

# What the manager's list sorts by: an expression of ours, never the client's text. None: Salon
# has no source for the value (it is 0 or null for everyone), so the order is by id.
MANAGER_SORTS: dict[str, str | None] = {
    "id_ambassador": "a.id_ambassador",
    "firstname": "lower(a.firstname)",
    "lastname": "lower(a.lastname)",
    "customer_id": "a.customer_id",
    "email": "a.email",
    "active": "a.active",
    "status": "a.status",
    "date_insert": "a.date_insert",
    "gamification_score": None,
    "sell_token_amount": None,
    "nb_conversations": NB_CONVERSATIONS,
    "nb_diffused_publications": None,
    "nb_sales": None,
    "nb_chat_sales": None,
    "nb_purchases": None,
    "pertinence": None,
}


@dataclass(frozen=True)
class StaffFilters:
    search: str | None = None
    """First, last or full name, email, email_tmp or customer_id contains (any case)."""
    statuses: Sequence[int] | None = None
    """Any of these statuses (`filter[status]`, `filter[has_role]`, `manager_users_only`)."""
    active: int | None = None
    nothing: bool = False
    """A filter on what Salon does not record matched no one (`filter[suspicious]=true`)."""


@dataclass(frozen=True)
class StaffRow:
    """A person in the manager's list: the row, and what is computed for it."""

    ambassador: Ambassador
    date_insert: datetime
    nb_conversations: int


# What the searches read: the platform's by name, the manager's by name and contact too.
NAMES = ("a.firstname", "a.lastname", "a.firstname || ' ' || a.lastname")
NAMES_AND_CONTACTS = (*NAMES, "a.email", "a.email_tmp", "a.customer_id")


def _where(
    id_brand: int,
    params: dict[str, Any],
    *,
    search: str | None,
    searched: Sequence[str],
    statuses: Sequence[int] | None,
    active: int | None,
    nothing: bool,
) -> str:
    """The condition on the brand's people (`a`) of both lists: one of `searched` contains
    `search` (any case), the status is one of `statuses`, `active` is it; `nothing`: no one."""
    where = ["a.id_brand = :id_brand"]
    params["id_brand"] = id_brand
    if nothing:
        where.append("1 = 0")
    if search:
        params["pattern"] = like_pattern(search)
        matches = " OR ".join(f"lower({column}) LIKE :pattern ESCAPE '\\'" for column in searched)
        where.append(f"({matches})")
    if statuses is not None:
        where.append(f"a.status IN ({expand(params, 'status', statuses)})")
    if active is not None:
        where.append("a.active = :active")
        params["active"] = active
    return " AND ".join(where)


async def manager_page(
    tx: Transaction, id_brand: int, filters: StaffFilters, sort: Sort, offset: int, limit: int
) -> tuple[list[StaffRow], int]:
    """One page of the brand's people with their computed numbers, and the total: two
    statements whatever the page size. Null values (no email, no customer id) come last either
    way; ties go by id in the same direction."""
    params: dict[str, Any] = {"offset": offset, "limit": limit}
    condition = _where(
        id_brand,
        params,
        search=filters.search,
        searched=NAMES_AND_CONTACTS,
        statuses=filters.statuses,
        active=filters.active,
        nothing=filters.nothing,
    )
    direction = "DESC" if sort.descending else "ASC"
    order = f"a.id_ambassador {direction}"
    by = MANAGER_SORTS[sort.field]  # a key of ours: parse_sort checked it
    if by is not None and by != "a.id_ambassador":
        order = f"({by}) IS NULL, {by} {direction}, {order}"
    total = await tx.fetchval(query(f"SELECT count(*) FROM ambassador a WHERE {condition}"), params)
    rows = await tx.fetch(
        query(
            f"SELECT {columns('a')}, a.date_insert, {NB_CONVERSATIONS} FROM ambassador a "
            f"WHERE {condition} ORDER BY {order} LIMIT :limit OFFSET :offset"
        ),
        params,
    )
    found = [StaffRow(ambassador_of(row), row[WIDTH], int(row[WIDTH + 1])) for row in rows]
    return found, int(total)


class PlatformPerson(NamedTuple):
    """A person as the platform lists them: the record, and two columns it does not hold."""

    ambassador: Ambassador
    date_insert: datetime
    gender: str | None


@dataclass(frozen=True)
class PlatformFilters:
    name: str | None = None
    """First, last or full name contains (any case)."""
    statuses: Sequence[int] | None = None
    active: int | None = None
    referrer: int | None = None
    """People this person referred: Salon records no referrer, so no one."""


async def platform_page(
    tx: Transaction, id_brand: int, filters: PlatformFilters, sort: Sort, offset: int, limit: int
) -> tuple[list[PlatformPerson], int]:
    """One page of the brand's people (with their `date_insert` and `gender`) by `last_action_date`,
    never-seen people last, and the total."""
    params: dict[str, Any] = {"offset": offset, "limit": limit}
    condition = _where(
        id_brand,
        params,
        search=filters.name,
        searched=NAMES,
        statuses=filters.statuses,
        active=filters.active,
        nothing=filters.referrer is not None,
    )
    assert sort.field == "last_action_date"
    direction = "DESC" if sort.descending else "ASC"
    order = (
        f"a.last_action_date IS NULL, a.last_action_date {direction}, a.id_ambassador {direction}"
    )
    total = await tx.fetchval(query(f"SELECT count(*) FROM ambassador a WHERE {condition}"), params)
    rows = await tx.fetch(
        query(
            f"SELECT {columns('a')}, a.date_insert, a.gender FROM ambassador a WHERE {condition} "
            f"ORDER BY {order} LIMIT :limit OFFSET :offset"
        ),
        params,
    )
    return [_platform_person(row) for row in rows], int(total)


_GET_WITH_DATE = Query(
    f"SELECT {columns('a')}, a.date_insert, a.gender FROM ambassador a "
    "WHERE a.id_ambassador = :id_ambassador AND a.id_brand = :id_brand"
)


def _platform_person(row: Sequence[Any]) -> PlatformPerson:
    return PlatformPerson(ambassador_of(row), row[WIDTH], row[WIDTH + 1])


async def get_with_date(
    tx: Transaction, id_ambassador: int, id_brand: int
) -> PlatformPerson | None:
    """The brand's person, their `date_insert` and `gender`."""
    row = await tx.fetchrow(_GET_WITH_DATE, {"id_ambassador": id_ambassador, "id_brand": id_brand})
    return None if row is None else _platform_person(row)


_ESTABLISHED = Query(
    "SELECT count(*) FROM chatroom_ambassador p "
    "JOIN chatroom c ON c.id_chatroom = p.id_chatroom "
    "WHERE p.id_ambassador = :id_ambassador AND c.established_dialogue IS NOT NULL"
)


async def nb_established_conversations(tx: Transaction, id_ambassador: int) -> int:
    """The chatrooms this person takes part in where a dialogue was established."""
    return int(await tx.fetchval(_ESTABLISHED, {"id_ambassador": id_ambassador}))


# An application is decided once: only a person awaiting approval (active 0)
# changes, so of two concurrent decisions the second changes nothing.
_APPROVE = Query(
    "UPDATE ambassador SET active = 1, validate_date = :now, date_update = :now "
    "WHERE id_ambassador = :id_ambassador AND active = 0"
)
_DECLINE = Query(
    "UPDATE ambassador SET active = -1, declined_date = :now, decline_reason = :reason, "
    "date_update = :now "
    "WHERE id_ambassador = :id_ambassador AND active = 0"
)


async def approve(tx: Transaction, id_ambassador: int, now: datetime) -> bool:
    """True if the person was awaiting approval and now is active."""
    return await tx.execute(_APPROVE, {"id_ambassador": id_ambassador, "now": now}) == 1


async def decline(tx: Transaction, id_ambassador: int, reason: str, now: datetime) -> bool:
    """True if the person was awaiting approval and now is declined (active -1)."""
    params = {"id_ambassador": id_ambassador, "reason": reason, "now": now}
    return await tx.execute(_DECLINE, params) == 1
