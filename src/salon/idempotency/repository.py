from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from salon.db.models import IdempotencyKey


async def find(session: AsyncSession, id_ambassador: int, key: str) -> IdempotencyKey | None:
    statement = select(IdempotencyKey).where(
        IdempotencyKey.id_ambassador == id_ambassador, IdempotencyKey.key == key
    )
    return (await session.scalars(statement)).one_or_none()


async def forget(session: AsyncSession, row: IdempotencyKey) -> None:
    await session.execute(
        delete(IdempotencyKey).where(IdempotencyKey.id_idempotency_key == row.id_idempotency_key)
    )


async def forget_older_than(session: AsyncSession, moment: datetime) -> int:
    result = await session.execute(
        delete(IdempotencyKey).where(IdempotencyKey.date_insert < moment)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


def add(session: AsyncSession, row: IdempotencyKey) -> None:
    session.add(row)
