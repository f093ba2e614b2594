from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from salon.auth import repository
from salon.auth.tokens import generate_token, hash_token
from salon.clock import utcnow
from salon.config import Settings
from salon.db.models import Ambassador
from salon.errors import Forbidden, Unauthorized


async def authenticate(
    session: AsyncSession, token: str | None, brand_header: str | None, settings: Settings
) -> Ambassador:
    """The ambassador behind a bearer token, or Unauthorized.

    `X-Popsell-Brand`, when sent, must name the token's brand (Forbidden otherwise).
    A disabled account (`active` < 0) is Unauthorized. `last_action_date` is refreshed only
    when it is older than `last_action_refresh_seconds`, so not every request writes.
    """
    if not token:
        raise Unauthorized
    api_token = await repository.find_live_token(session, hash_token(token))
    if api_token is None or api_token.ambassador.active < 0:
        raise Unauthorized
    ambassador = api_token.ambassador
    if brand_header is not None and brand_header.strip() != str(ambassador.id_brand):
        raise Forbidden
    now = utcnow()
    refresh = timedelta(seconds=settings.last_action_refresh_seconds)
    if ambassador.last_action_date is None or now - ambassador.last_action_date >= refresh:
        await repository.touch_last_action(session, ambassador, now)
    return ambassador


def issue_token(session: AsyncSession, ambassador: Ambassador, label: str = "") -> str:
    """Create a token for `ambassador`; the clear token is returned once and never stored."""
    token = generate_token()
    repository.add_token(session, ambassador, hash_token(token), label)
    return token


async def revoke_token(session: AsyncSession, token: str) -> bool:
    return await repository.revoke_token(session, hash_token(token), utcnow())
