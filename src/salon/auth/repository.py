from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from salon.db.models import Ambassador, ApiToken, Brand

# Built once: every request runs it, and a statement object also memoizes its cache key.
_OWNER_OF_LIVE_TOKEN = (
    select(Ambassador)
    .join(ApiToken, ApiToken.id_ambassador == Ambassador.id_ambassador)
    .where(ApiToken.token_hash == bindparam("token_hash"), ApiToken.date_revoke.is_(None))
)


async def find_owner_of_live_token(session: AsyncSession, token_hash: str) -> Ambassador | None:
    """The ambassador whose unrevoked token has this digest."""
    found = await session.scalars(_OWNER_OF_LIVE_TOKEN, {"token_hash": token_hash})
    return found.one_or_none()


async def touch_last_action(session: AsyncSession, ambassador: Ambassador, now: datetime) -> None:
    await session.execute(
        update(Ambassador)
        .where(Ambassador.id_ambassador == ambassador.id_ambassador)
        .values(last_action_date=now)
        .execution_options(synchronize_session=False)
    )
    ambassador.last_action_date = now


async def confirm_login(
    session: AsyncSession, ambassador: Ambassador, password_hash: str, now: datetime
) -> bool:
    """Refresh `last_action_date` of a login checked outside this transaction, if the account
    is still enabled with the password that was checked (a change made during the check wins)."""
    result = await session.execute(
        update(Ambassador)
        .where(
            Ambassador.id_ambassador == ambassador.id_ambassador,
            Ambassador.active >= 0,
            Ambassador.password_hash == password_hash,
        )
        .values(last_action_date=now)
        .execution_options(synchronize_session=False)
    )
    if not result.rowcount:  # type: ignore[attr-defined]
        return False
    ambassador.last_action_date = now
    return True


def add_token(
    session: AsyncSession, ambassador: Ambassador, token_hash: str, label: str
) -> ApiToken:
    token = ApiToken(
        id_brand=ambassador.id_brand,
        id_ambassador=ambassador.id_ambassador,
        token_hash=token_hash,
        label=label,
    )
    session.add(token)
    return token


async def revoke_tokens(
    session: AsyncSession, now: datetime, *, id_ambassador: int, label: str | None = None
) -> list[str]:
    """Revoke a person's live tokens (with `label` when given); the digests of those revoked."""
    statement = update(ApiToken).where(
        ApiToken.id_ambassador == id_ambassador, ApiToken.date_revoke.is_(None)
    )
    if label is not None:
        statement = statement.where(ApiToken.label == label)
    result = await session.scalars(statement.values(date_revoke=now).returning(ApiToken.token_hash))
    return list(result)


async def revoke_token(session: AsyncSession, token_hash: str, now: datetime) -> bool:
    result = await session.execute(
        update(ApiToken)
        .where(ApiToken.token_hash == token_hash, ApiToken.date_revoke.is_(None))
        .values(date_revoke=now)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def find_brand_by_domain(session: AsyncSession, domain: str) -> Brand | None:
    statement = select(Brand).where(Brand.domain == domain.strip().lower())
    return (await session.scalars(statement)).one_or_none()


async def find_by_email(session: AsyncSession, id_brand: int, email: str) -> Ambassador | None:
    statement = select(Ambassador).where(
        Ambassador.id_brand == id_brand, Ambassador.email == email.strip().lower()
    )
    return (await session.scalars(statement)).one_or_none()


async def find_by_api_key(session: AsyncSession, api_key_hash: str) -> Ambassador | None:
    statement = select(Ambassador).where(Ambassador.api_key_hash == api_key_hash)
    return (await session.scalars(statement)).one_or_none()


# Bound parameters per statement: far below SQLite's and PostgreSQL's limits (32,766 and 32,767).
LIVE_TOKENS_BATCH = 5000

_LIVE_TOKENS = (
    select(ApiToken.token_hash)
    .join(Ambassador, Ambassador.id_ambassador == ApiToken.id_ambassador)
    .where(
        ApiToken.token_hash.in_(bindparam("token_hashes", expanding=True)),
        ApiToken.date_revoke.is_(None),
        Ambassador.active >= 0,
    )
)


async def live_token_hashes(session: AsyncSession, token_hashes: Sequence[str]) -> set[str]:
    """Of these digests, those of unrevoked tokens whose owner is not disabled (`active` < 0):
    the tokens that still authenticate. One indexed statement per 5,000 digests."""
    live: set[str] = set()
    for start in range(0, len(token_hashes), LIVE_TOKENS_BATCH):
        batch = list(token_hashes[start : start + LIVE_TOKENS_BATCH])
        live.update(await session.scalars(_LIVE_TOKENS, {"token_hashes": batch}))
    return live
