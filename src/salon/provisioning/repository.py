from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from salon.db.models import (
    Ambassador,
    Brand,
    BrandTag,
    BrandTagMember,
    Chatroom,
    ChatroomParticipant,
)


async def find_brand(session: AsyncSession, label: str) -> Brand | None:
    return (await session.scalars(select(Brand).where(Brand.label == label))).one_or_none()


async def get_brand(session: AsyncSession, id_brand: int) -> Brand | None:
    return await session.get(Brand, id_brand)


async def get_ambassador(session: AsyncSession, id_ambassador: int) -> Ambassador | None:
    return await session.get(Ambassador, id_ambassador)


async def find_ambassador_by_email(
    session: AsyncSession, id_brand: int, email: str
) -> Ambassador | None:
    statement = select(Ambassador).where(Ambassador.id_brand == id_brand, Ambassador.email == email)
    return (await session.scalars(statement)).one_or_none()


async def find_chatroom_of_exactly(
    session: AsyncSession, id_brand: int, ids_ambassadors: list[int]
) -> Chatroom | None:
    """A chatroom of the brand whose participants are exactly these ambassadors."""
    members = (
        select(ChatroomParticipant.id_chatroom)
        .where(ChatroomParticipant.id_brand == id_brand)
        .group_by(ChatroomParticipant.id_chatroom)
        .having(
            func.count() == len(ids_ambassadors),
            func.sum(case((ChatroomParticipant.id_ambassador.in_(ids_ambassadors), 1), else_=0))
            == len(ids_ambassadors),
        )
    )
    statement = select(Chatroom).where(Chatroom.id_chatroom.in_(members)).limit(1)
    return (await session.scalars(statement)).first()


async def find_brand_by_domain(session: AsyncSession, domain: str) -> Brand | None:
    return (await session.scalars(select(Brand).where(Brand.domain == domain))).one_or_none()


async def get_tag(session: AsyncSession, id_brand_tag: int) -> BrandTag | None:
    return await session.get(BrandTag, id_brand_tag)


async def find_tag(session: AsyncSession, id_brand: int, name: str) -> BrandTag | None:
    statement = select(BrandTag).where(BrandTag.id_brand == id_brand, BrandTag.name == name)
    return (await session.scalars(statement)).one_or_none()


async def tag_member_ids(session: AsyncSession, id_brand_tag: int) -> list[int]:
    statement = (
        select(BrandTagMember.id_ambassador)
        .where(BrandTagMember.id_brand_tag == id_brand_tag)
        .order_by(BrandTagMember.id_ambassador)
    )
    return list((await session.scalars(statement)).all())
