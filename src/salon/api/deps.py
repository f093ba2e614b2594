"""Dependencies shared by every router: the request's transaction, settings, the caller."""

import logging
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Annotated, Any

from fastapi import Depends, Header, Path, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from limits import RateLimitItemPerMinute
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from salon.api import idempotency
from salon.api.wire import INT32_MAX, read_as_decimal
from salon.auth import service as auth
from salon.config import Settings
from salon.db.models import Ambassador
from salon.db.session import Database
from salon.ratelimit import RateLimiter
from salon.realtime import outbox
from salon.realtime.broker import Broker

log = logging.getLogger(__name__)


async def _transaction(request: Request) -> AsyncIterator[AsyncSession]:
    """One transaction per request: committed after the handler, before the response is
    sent; rolled back on any error. Queued events and revocations are published only after the
    commit."""
    database: Database = request.app.state.database
    async with database.turns, database.sessionmaker() as session:
        yield session
        claim = idempotency.remember(request, session)
        try:
            await session.commit()
        except IntegrityError:
            if claim is None:
                raise
            # Another request with the same Idempotency-Key committed first. Give the
            # connection back before reading its answer (SQLite has one per process).
            await session.rollback()
            raise await idempotency.replay_winner(database, claim) from None
        events = outbox.take(session)
        revoked = outbox.take_revoked(session)
    broker: Broker = request.app.state.broker
    if revoked:
        try:
            await broker.revoke(revoked)
        except Exception:
            # The revocation is committed: answer as such. Each process's recheck of its
            # sockets' tokens closes them, and a broken Redis feed has closed them anyway.
            log.warning("could not announce a revocation", exc_info=True)
    if events:
        await broker.publish(events)


# scope="function": the commit happens before the response goes out, so a 2xx is durable.
SessionDep = Annotated[AsyncSession, Depends(_transaction, scope="function")]


async def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


SettingsDep = Annotated[Settings, Depends(_settings)]


async def _database(request: Request) -> Database:
    database: Database = request.app.state.database
    return database


# For the rare route whose work must not hold a connection throughout (a login): it opens its
# own short transactions with `Database.transaction`.
DatabaseDep = Annotated[Database, Depends(_database)]

bearer = HTTPBearer(auto_error=False, description="An API token: `Authorization: Bearer <token>`")


WRITE_METHODS = frozenset({"POST", "PATCH", "PUT", "DELETE"})


async def _current_ambassador(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    x_popsell_brand: Annotated[
        str | None,
        Header(
            alias="X-Popsell-Brand",
            description="The id of the target brand; when sent it must be the token's brand",
        ),
    ] = None,
) -> Ambassador:
    token = credentials.credentials if credentials is not None else None
    caller = await auth.authenticate(session, token, x_popsell_brand, settings)
    if request.method in WRITE_METHODS:
        # The person's budget, not the token's: a new token (a login, an API key) buys none.
        limiter: RateLimiter = request.app.state.rate_limiter
        writes = RateLimitItemPerMinute(settings.writes_per_minute)
        await limiter.spend_fast(writes, "writes", str(caller.id_ambassador))
    idempotency_key = request.headers.get(idempotency.HEADER)
    if request.method == "POST" and idempotency_key is not None:
        retention = timedelta(hours=settings.idempotency_retention_hours)
        await idempotency.claim(request, session, caller, idempotency_key, retention)
    return caller


CurrentAmbassador = Annotated[Ambassador, Depends(_current_ambassador)]


async def _rate_limiter(request: Request) -> RateLimiter:
    limiter: RateLimiter = request.app.state.rate_limiter
    return limiter


RateLimiterDep = Annotated[RateLimiter, Depends(_rate_limiter)]


def id_path(description: str) -> Any:
    """A path id, as every route reads it: decimal digits, 1 to 2147483647."""
    return read_as_decimal(Path(description=description, ge=1, le=INT32_MAX))


def int_query(
    alias: str | None = None, *, ge: int, le: int, description: str | None = None, **extra: Any
) -> Any:
    """An integer query parameter, read as strictly as path ids."""
    return read_as_decimal(Query(alias=alias, ge=ge, le=le, description=description, **extra))
