"""A brand's public settings (`GET /brand`, `GET /widget/config`), read by its domain."""

from typing import Any, NamedTuple

from salon.db.database import Transaction
from salon.db.query import Query


class BrandSettings(NamedTuple):
    """The brand columns the public routes show; the JSON columns as stored (text)."""

    id_brand: int
    label: str
    domain: str | None
    default_language: str
    url: str | None
    program_label: str | None
    register_restriction: str
    product_price_display_limit: int
    widget_wl_cta_chat_topic: int | None
    widget_community_default_sort_amb_by: int
    timezone: str
    brand_config: str
    available_content_language: str
    widget_config: str


COLUMNS = ", ".join(BrandSettings._fields)
_BY_DOMAIN = Query(f"SELECT {COLUMNS} FROM brand WHERE domain = :domain")
_BY_ID = Query(f"SELECT {COLUMNS} FROM brand WHERE id_brand = :id_brand")

# What `salon brand set` may change (the others: `salon brand create`).
SETTABLE = frozenset(BrandSettings._fields) - {"id_brand", "label", "domain"}


async def by_domain(tx: Transaction, domain: str) -> BrandSettings | None:
    """`domain` as stored: trimmed and lower case."""
    row = await tx.fetchrow(_BY_DOMAIN, {"domain": domain})
    return None if row is None else BrandSettings._make(row)


async def by_id(tx: Transaction, id_brand: int) -> BrandSettings | None:
    row = await tx.fetchrow(_BY_ID, {"id_brand": id_brand})
    return None if row is None else BrandSettings._make(row)


_UPDATES: dict[frozenset[str], Query] = {}


async def update(tx: Transaction, id_brand: int, values: dict[str, Any]) -> None:
    """Set these settings (names from SETTABLE) of the brand; one statement per set of names."""
    names = frozenset(values)
    assert names <= SETTABLE, names - SETTABLE
    statement = _UPDATES.get(names)
    if statement is None:
        assignments = ", ".join(f"{name} = :{name}" for name in sorted(names))
        statement = _UPDATES[names] = Query(
            f"UPDATE brand SET {assignments} WHERE id_brand = :id_brand"
        )
    await tx.execute(statement, {**values, "id_brand": id_brand})
