"""What every route depends on: one dependency opens the request's transaction and, for the
authenticated routes, finds the caller, spends the write budget and claims the
`Idempotency-Key`, all in one step (FastAPI's dependency resolution was a sixth of a request,
docs/performance.md). Headers are read here directly; the OpenAPI schema documents the bearer
scheme and `X-Popsell-Brand` on the routes that use `Authenticated` (api/openapi.py)."""

import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Path, Request
from limits import RateLimitItem, RateLimitItemPerMinute

from salon.api import idempotency
from salon.api.wire import INT32_MAX
from salon.auth import service as auth
from salon.config import Settings
from salon.db.database import Database, Transaction
from salon.ratelimit import RateLimiter
from salon.realtime import outbox
from salon.realtime.broker import Broker
from salon.records import Ambassador

log = logging.getLogger(__name__)

WRITE_METHODS = frozenset({"POST", "PATCH", "PUT", "DELETE"})
BRAND_HEADER = "x-popsell-brand"


@dataclass(slots=True)
class Call:
    """An authenticated request: its transaction, who is calling, and the settings."""

    tx: Transaction
    caller: Ambassador
    settings: Settings


async def _publish(request: Request, tx: Transaction) -> None:
    """After the commit: the events the request queued, and the tokens it revoked."""
    if not tx.outbox:
        return
    events, revoked = outbox.take(tx)
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


async def _authenticated(request: Request) -> AsyncIterator[Call]:
    """One transaction per request: committed after the handler and before the response is
    sent (`scope="function"`), so a 2xx is durable; rolled back on any error. Events are
    published only after the commit."""
    state = request.app.state
    settings: Settings = state.settings
    database: Database = state.database
    headers = request.headers
    claim: idempotency.Claim | None = None
    try:
        async with database.transaction() as tx:
            caller = await auth.authenticate(
                tx, bearer_token(headers.get("authorization")), headers.get(BRAND_HEADER), settings
            )
            method = request.method
            if method in WRITE_METHODS:
                limiter: RateLimiter = state.rate_limiter
                await limiter.spend(_writes(settings), "writes", str(caller.id_ambassador))
            key = headers.get(idempotency.HEADER)
            if key is not None and method == "POST":
                claim = await idempotency.claim(request, tx, caller, key, settings)
            yield Call(tx, caller, settings)
            if claim is not None:
                await idempotency.remember(request, tx, claim)
    except idempotency.KeyTaken:
        # A concurrent request with the same key committed first: answer what it answered.
        assert claim is not None
        raise await idempotency.replay_winner(database, claim) from None
    await _publish(request, tx)


Authenticated = Annotated[Call, Depends(_authenticated, scope="function")]


async def _public(request: Request) -> AsyncIterator[Transaction]:
    """The transaction of a route without a caller (`/auth/*`, `/health`)."""
    database: Database = request.app.state.database
    async with database.transaction() as tx:
        yield tx
    await _publish(request, tx)


Public = Annotated[Transaction, Depends(_public, scope="function")]


def bearer_token(authorization: str | None) -> str | None:
    """The token of an `Authorization: Bearer <token>` header."""
    if not authorization:
        return None
    scheme, _, token = authorization.partition(" ")
    token = token.strip()
    return token if scheme.lower() == "bearer" and token else None


_WRITES: dict[int, RateLimitItem] = {}


def _writes(settings: Settings) -> RateLimitItem:
    """The write budget, per person per minute (one item per setting, made once)."""
    per_minute = settings.writes_per_minute
    item = _WRITES.get(per_minute)
    if item is None:
        item = _WRITES[per_minute] = RateLimitItemPerMinute(per_minute)
    return item


def id_path(description: str) -> object:
    return Path(description=description, ge=1, le=INT32_MAX)
