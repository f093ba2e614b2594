from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from salon.api.listing import Sort
from salon.db.database import Row, Transaction
from salon.db.query import Query, expand, query
from salon.records import Ambassador, AmbassadorStatus, Profile

FIELDS = Ambassador._fields


def columns(alias: str) -> str:
    """The columns of an `Ambassador`, in its order, from the table aliased `alias`."""
    return ", ".join(f"{alias}.{field}" for field in FIELDS)


WIDTH = len(FIELDS)


def ambassador_of(row: Row, start: int = 0) -> Ambassador:
    """The `Ambassador` whose columns (see `columns`) start at `start` in the row."""
    return Ambassador._make(row[start : start + WIDTH])


_GET_IN_BRAND = Query(
    f"SELECT {columns('a')} FROM ambassador a "
    "WHERE a.id_ambassador = :id_ambassador AND a.id_brand = :id_brand"
)


async def get_in_brand(tx: Transaction, id_ambassador: int, id_brand: int) -> Ambassador | None:
    row = await tx.fetchrow(_GET_IN_BRAND, {"id_ambassador": id_ambassador, "id_brand": id_brand})
    return None if row is None else ambassador_of(row)


_GET = Query(f"SELECT {columns('a')} FROM ambassador a WHERE a.id_ambassador = :id_ambassador")


async def get(tx: Transaction, id_ambassador: int) -> Ambassador | None:
    row = await tx.fetchrow(_GET, {"id_ambassador": id_ambassador})
    return None if row is None else ambassador_of(row)


_BY_EMAIL = Query(
    f"SELECT {columns('a')} FROM ambassador a WHERE a.id_brand = :id_brand AND a.email = :email"
)


async def find_by_email(tx: Transaction, id_brand: int, email: str) -> Ambassador | None:
    """The brand's person with this email (emails are stored trimmed and lower case)."""
    row = await tx.fetchrow(_BY_EMAIL, {"id_brand": id_brand, "email": email.strip().lower()})
    return None if row is None else ambassador_of(row)


_PROFILE = Query(
    f"SELECT {', '.join(Profile._fields)} FROM ambassador WHERE id_ambassador = :id_ambassador"
)


async def profile(tx: Transaction, id_ambassador: int) -> Profile:
    """The rest of a person's full form (only the full form shows it)."""
    row = await tx.fetchrow(_PROFILE, {"id_ambassador": id_ambassador})
    assert row is not None
    return Profile._make(row)


WRITABLE = frozenset(
    {
        "image",
        "firstname",
        "lastname",
        "username",
        "email",
        "email_tmp",
        "active",
        "status",
        "customer_id",
        "id_brand_user",
        "brand_user_email",
        *(field for field in Profile._fields if field not in ("date_insert", "date_update")),
    }
)
"""The columns `update` may set: names from this list only, never the client's text."""


async def update(
    tx: Transaction, id_ambassador: int, changes: dict[str, Any], now: datetime
) -> Ambassador:
    """Set these columns of the person (and `date_update`); the person as they now are. The one
    writer of the profile: `PATCH /me`, the manager's writes and `POST /auth/brand`."""
    unknown = set(changes) - WRITABLE
    assert not unknown, unknown
    assignments = "".join(f"{column} = :{column}, " for column in sorted(changes))
    row = await tx.fetchrow(
        query(
            f"UPDATE ambassador SET {assignments}date_update = :date_update "
            f"WHERE id_ambassador = :id_ambassador RETURNING {', '.join(FIELDS)}"
        ),
        {**changes, "id_ambassador": id_ambassador, "date_update": now},
    )
    assert row is not None
    return ambassador_of(row)


_EMAIL_TAKEN = Query(
    "SELECT 1 FROM ambassador WHERE id_brand = :id_brand AND email = :email "
    "AND id_ambassador <> :id_ambassador"
)


async def email_taken(tx: Transaction, id_brand: int, email: str, id_ambassador: int) -> bool:
    """Whether someone else of the brand signs in with this (lower case) email."""
    params = {"id_brand": id_brand, "email": email, "id_ambassador": id_ambassador}
    return await tx.fetchval(_EMAIL_TAKEN, params) is not None


_CLIENT_BY_CUSTOMER_ID = Query(
    f"SELECT {columns('a')} FROM ambassador a "
    "WHERE a.id_brand = :id_brand AND a.status = :status AND a.customer_id = :customer_id "
    "ORDER BY a.id_ambassador LIMIT 1"
)


async def find_client_by_customer_id(
    tx: Transaction, id_brand: int, customer_id: str
) -> Ambassador | None:
    """The brand's shop customer (status 7) with this id in the brand's own system."""
    params = {"id_brand": id_brand, "status": AmbassadorStatus.CLIENT, "customer_id": customer_id}
    row = await tx.fetchrow(_CLIENT_BY_CUSTOMER_ID, params)
    return None if row is None else ambassador_of(row)


_CLIENT_BY_BRAND_USER_EMAIL = Query(
    f"SELECT {columns('a')} FROM ambassador a "
    "WHERE a.id_brand = :id_brand AND a.status = :status AND a.customer_id IS NULL "
    "AND a.brand_user_email = :email ORDER BY a.id_ambassador LIMIT 1"
)


async def find_brand_user_by_email(tx: Transaction, id_brand: int, email: str) -> Ambassador | None:
    """The brand user (status 7, no customer id) that the brand's site vouched for with this
    email at `POST /auth/brand`. Never by `email_tmp`, which its owner may set to anything."""
    params = {"id_brand": id_brand, "status": AmbassadorStatus.CLIENT, "email": email}
    row = await tx.fetchrow(_CLIENT_BY_BRAND_USER_EMAIL, params)
    return None if row is None else ambassador_of(row)


_FIND_CLIENT = Query(
    f"SELECT {columns('a')} FROM ambassador a "
    "WHERE a.id_brand = :id_brand AND a.status = :status AND a.email_tmp = :email_tmp "
    "ORDER BY a.id_ambassador LIMIT 1"
)


async def find_client(tx: Transaction, id_brand: int, email_tmp: str) -> Ambassador | None:
    """The brand's shop customer (status 7) known by this email."""
    params = {"id_brand": id_brand, "status": AmbassadorStatus.CLIENT, "email_tmp": email_tmp}
    row = await tx.fetchrow(_FIND_CLIENT, params)
    return None if row is None else ambassador_of(row)


_SET_EMAIL_TMP = Query(
    "UPDATE ambassador SET email_tmp = :email_tmp, date_update = :now "
    "WHERE id_ambassador = :id_ambassador"
)


async def set_email_tmp(
    tx: Transaction, ambassador: Ambassador, email_tmp: str | None, now: datetime
) -> Ambassador:
    params = {"email_tmp": email_tmp, "now": now, "id_ambassador": ambassador.id_ambassador}
    await tx.execute(_SET_EMAIL_TMP, params)
    return ambassador._replace(email_tmp=email_tmp)


@dataclass(frozen=True)
class AmbassadorFilters:
    name: str | None = None
    statuses: Sequence[int] | None = None
    exclude: Sequence[int] | None = None
    id_brand_tag: int | None = None


SORTABLE = ("last_action_date", "id_ambassador", "firstname", "lastname")


def like_pattern(text: str) -> str:
    """`text` anywhere, with LIKE's own wildcards taken literally (ESCAPE '\\')."""
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


async def page(
    tx: Transaction,
    id_brand: int,
    filters: AmbassadorFilters,
    sort: Sort,
    offset: int,
    limit: int,
) -> tuple[list[Ambassador], int]:
    where = ["a.id_brand = :id_brand"]
    params: dict[str, Any] = {"id_brand": id_brand, "offset": offset, "limit": limit}
    if filters.name:
        params["pattern"] = like_pattern(filters.name)
        where.append(
            "(lower(a.firstname) LIKE :pattern ESCAPE '\\' "
            "OR lower(a.lastname) LIKE :pattern ESCAPE '\\' "
            "OR lower(a.username) LIKE :pattern ESCAPE '\\' "
            "OR lower(a.firstname || ' ' || a.lastname) LIKE :pattern ESCAPE '\\')"
        )
    if filters.statuses is not None:
        where.append(f"a.status IN ({expand(params, 'status', filters.statuses)})")
    if filters.exclude is not None:
        where.append(f"a.id_ambassador NOT IN ({expand(params, 'exclude', filters.exclude)})")
    if filters.id_brand_tag is not None:
        params["id_brand_tag"] = filters.id_brand_tag
        where.append(
            "a.id_ambassador IN (SELECT m.id_ambassador FROM brand_tag_ambassador m "
            "WHERE m.id_brand_tag = :id_brand_tag)"
        )
    condition = " AND ".join(where)
    assert sort.field in SORTABLE  # a column name from a fixed list, never from the client
    if sort.descending:
        order = f"a.{sort.field} DESC NULLS LAST, a.id_ambassador DESC"
    else:
        order = f"a.{sort.field} ASC NULLS FIRST, a.id_ambassador ASC"
    total = await tx.fetchval(
        query(f"SELECT count(*) FROM ambassador a WHERE {condition}"),
        params,
    )
    rows = await tx.fetch(
        query(
            f"SELECT {columns('a')} FROM ambassador a WHERE {condition} "
            f"ORDER BY {order} LIMIT :limit OFFSET :offset"
        ),
        params,
    )
    return [ambassador_of(row) for row in rows], int(total)
