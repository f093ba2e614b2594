from datetime import datetime

from salon.db.database import Transaction
from salon.db.query import Query, in_list
from salon.records import Brand, BrandTag

_BRAND = "SELECT id_brand, label, domain FROM brand"
_FIND_BRAND = Query(f"{_BRAND} WHERE label = :label")
_GET_BRAND = Query(f"{_BRAND} WHERE id_brand = :id_brand")
_BRAND_BY_DOMAIN = Query(f"{_BRAND} WHERE domain = :domain")


async def find_brand(tx: Transaction, label: str) -> Brand | None:
    row = await tx.fetchrow(_FIND_BRAND, {"label": label})
    return None if row is None else Brand._make(row)


async def get_brand(tx: Transaction, id_brand: int) -> Brand | None:
    row = await tx.fetchrow(_GET_BRAND, {"id_brand": id_brand})
    return None if row is None else Brand._make(row)


async def find_brand_by_domain(tx: Transaction, domain: str) -> Brand | None:
    """`domain` as stored: trimmed and lower case."""
    row = await tx.fetchrow(_BRAND_BY_DOMAIN, {"domain": domain})
    return None if row is None else Brand._make(row)


_INSERT_BRAND = Query(
    "INSERT INTO brand (label, domain, date_insert) VALUES (:label, :domain, :now) "
    "RETURNING id_brand"
)


async def insert_brand(tx: Transaction, label: str, domain: str | None, now: datetime) -> Brand:
    params = {"label": label, "domain": domain, "now": now}
    return Brand(await tx.fetchval(_INSERT_BRAND, params), label, domain)


_EMAIL_TAKEN = Query("SELECT 1 FROM ambassador WHERE id_brand = :id_brand AND email = :email")


async def email_taken(tx: Transaction, id_brand: int, email: str) -> bool:
    return await tx.fetchval(_EMAIL_TAKEN, {"id_brand": id_brand, "email": email}) is not None


_INSERT_AMBASSADOR = Query(
    "INSERT INTO ambassador (id_brand, status, firstname, lastname, email, username, "
    "customer_id, email_tmp, active, anonymized, date_insert, date_update) VALUES (:id_brand, "
    ":status, :firstname, :lastname, :email, :username, :customer_id, :email_tmp, :active, "
    "false, :now, :now) RETURNING id_ambassador"
)


async def insert_ambassador(
    tx: Transaction,
    *,
    id_brand: int,
    status: int,
    firstname: str,
    lastname: str,
    email: str | None,
    username: str | None,
    customer_id: str | None,
    email_tmp: str | None,
    active: int,
    now: datetime,
) -> int:
    return int(
        await tx.fetchval(
            _INSERT_AMBASSADOR,
            {
                "id_brand": id_brand,
                "status": status,
                "firstname": firstname,
                "lastname": lastname,
                "email": email,
                "username": username,
                "customer_id": customer_id,
                "email_tmp": email_tmp,
                "active": active,
                "now": now,
            },
        )
    )


_TAG = "SELECT id_brand_tag, id_brand, name FROM brand_tag"
_GET_TAG = Query(f"{_TAG} WHERE id_brand_tag = :id_brand_tag")
_FIND_TAG = Query(f"{_TAG} WHERE id_brand = :id_brand AND name = :name")


async def get_tag(tx: Transaction, id_brand_tag: int) -> BrandTag | None:
    row = await tx.fetchrow(_GET_TAG, {"id_brand_tag": id_brand_tag})
    return None if row is None else BrandTag._make(row)


async def find_tag(tx: Transaction, id_brand: int, name: str) -> BrandTag | None:
    row = await tx.fetchrow(_FIND_TAG, {"id_brand": id_brand, "name": name})
    return None if row is None else BrandTag._make(row)


_INSERT_TAG = Query(
    "INSERT INTO brand_tag (id_brand, name, visibility_chat, date_insert) "
    "VALUES (:id_brand, :name, 1, :now) RETURNING id_brand_tag"
)


async def insert_tag(tx: Transaction, id_brand: int, name: str, now: datetime) -> BrandTag:
    params = {"id_brand": id_brand, "name": name, "now": now}
    return BrandTag(await tx.fetchval(_INSERT_TAG, params), id_brand, name)


_TAG_MEMBERS = Query(
    "SELECT id_ambassador FROM brand_tag_ambassador WHERE id_brand_tag = :id_brand_tag "
    "ORDER BY id_ambassador"
)


async def tag_member_ids(tx: Transaction, id_brand_tag: int) -> list[int]:
    return [row[0] for row in await tx.fetch(_TAG_MEMBERS, {"id_brand_tag": id_brand_tag})]


_ADD_TAG_MEMBER = Query(
    "INSERT INTO brand_tag_ambassador (id_brand_tag, id_ambassador, id_brand) "
    "VALUES (:id_brand_tag, :id_ambassador, :id_brand)"
)


async def add_tag_member(tx: Transaction, tag: BrandTag, id_ambassador: int) -> None:
    params = {
        "id_brand_tag": tag.id_brand_tag,
        "id_ambassador": id_ambassador,
        "id_brand": tag.id_brand,
    }
    await tx.execute(_ADD_TAG_MEMBER, params)


_CHATROOM_OF_EXACTLY = (
    "SELECT p.id_chatroom FROM chatroom_ambassador p WHERE p.id_brand = :id_brand "
    "GROUP BY p.id_chatroom HAVING count(*) = :count "
    "AND sum(CASE WHEN p.id_ambassador IN ({ids}) THEN 1 ELSE 0 END) = :count "
    "ORDER BY p.id_chatroom LIMIT 1"
)


async def find_chatroom_of_exactly(
    tx: Transaction, id_brand: int, ids_ambassadors: list[int]
) -> int | None:
    """The id of a chatroom of the brand whose participants are exactly these ambassadors."""
    exactly, params = in_list(_CHATROOM_OF_EXACTLY, ids_ambassadors)
    params |= {"id_brand": id_brand, "count": len(ids_ambassadors)}
    found: int | None = await tx.fetchval(exactly, params)
    return found
