from dataclasses import dataclass

from sqlalchemy import Select, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from salon.api.listing import Sort
from salon.db.models import Ambassador, AmbassadorStatus, BrandTagMember


async def get_in_brand(
    session: AsyncSession, id_ambassador: int, id_brand: int
) -> Ambassador | None:
    ambassador = await session.get(Ambassador, id_ambassador)
    return ambassador if ambassador is not None and ambassador.id_brand == id_brand else None


async def find_client(session: AsyncSession, id_brand: int, email_tmp: str) -> Ambassador | None:
    """The brand's shop customer (status 7) known by this email."""
    statement = select(Ambassador).where(
        Ambassador.id_brand == id_brand,
        Ambassador.status == AmbassadorStatus.CLIENT,
        Ambassador.email_tmp == email_tmp,
    )
    return (await session.scalars(statement.order_by(Ambassador.id_ambassador).limit(1))).first()


@dataclass(frozen=True)
class AmbassadorFilters:
    name: str | None = None
    statuses: list[int] | None = None
    exclude: list[int] | None = None
    id_brand_tag: int | None = None


SORTABLE = {
    "last_action_date": Ambassador.last_action_date,
    "id_ambassador": Ambassador.id_ambassador,
    "firstname": Ambassador.firstname,
    "lastname": Ambassador.lastname,
}


async def page(
    session: AsyncSession,
    id_brand: int,
    filters: AmbassadorFilters,
    sort: Sort,
    offset: int,
    limit: int,
) -> tuple[list[Ambassador], int]:
    statement: Select[Ambassador] = select(Ambassador).where(Ambassador.id_brand == id_brand)
    if filters.name:
        pattern = f"%{filters.name.lower()}%"
        full_name = func.lower(Ambassador.firstname + " " + Ambassador.lastname)
        statement = statement.where(
            or_(
                func.lower(Ambassador.firstname).like(pattern),
                func.lower(Ambassador.lastname).like(pattern),
                func.lower(Ambassador.username).like(pattern),
                full_name.like(pattern),
            )
        )
    if filters.statuses is not None:
        statement = statement.where(Ambassador.status.in_(filters.statuses))
    if filters.exclude is not None:
        statement = statement.where(Ambassador.id_ambassador.not_in(filters.exclude))
    if filters.id_brand_tag is not None:
        members = select(BrandTagMember.id_ambassador).where(
            BrandTagMember.id_brand_tag == filters.id_brand_tag
        )
        statement = statement.where(Ambassador.id_ambassador.in_(members))
    total = await session.scalar(select(func.count()).select_from(statement.subquery()))
    column = SORTABLE[sort.field]
    order = column.desc().nulls_last() if sort.descending else column.asc().nulls_first()
    tiebreak = (
        Ambassador.id_ambassador.desc() if sort.descending else Ambassador.id_ambassador.asc()
    )
    rows = await session.scalars(statement.order_by(order, tiebreak).offset(offset).limit(limit))
    return list(rows.all()), int(total or 0)
