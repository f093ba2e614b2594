"""The route that owns the request's transaction.

One transaction per request, around the handler: opened before it (with the caller, for
routes that take `Authenticated`), committed after it has built its response and before the
response is sent, so a 2xx is durable; rolled back on any error. What the transaction queued
(real-time events, revocations) is published only after the commit. An idempotent POST saves
its response in the same transaction as its write.
"""

import logging
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from salon.api import deps, idempotency
from salon.db.database import Database, Transaction
from salon.realtime import outbox
from salon.realtime.broker import Broker

log = logging.getLogger(__name__)

Handler = Callable[[Request], Coroutine[Any, Any, Response]]


def _depends_on(dependant: Dependant, call: Callable[..., Any]) -> bool:
    return any(sub.call is call or _depends_on(sub, call) for sub in dependant.dependencies)


class SalonRoute(APIRoute):
    def get_route_handler(self) -> Handler:
        handle = super().get_route_handler()
        if _depends_on(self.dependant, deps.current_call):
            return _authenticated(handle)
        if _depends_on(self.dependant, deps.current_tx):
            return _public(handle)
        return handle


def _authenticated(handle: Handler) -> Handler:
    async def handle_as_caller(request: Request) -> Response:
        database: Database = request.app.state.database
        claim: idempotency.Claim | None = None
        try:
            async with database.transaction() as tx:
                call, claim = await deps.open_call(request, tx)
                request.scope[deps.CALL] = call
                response = await handle(request)
                if claim is not None:
                    await idempotency.remember(response, tx, claim)
        except idempotency.KeyTaken:
            # A concurrent request with the same key committed first: answer what it answered.
            assert claim is not None
            raise await idempotency.replay_winner(database, claim) from None
        await publish(request, tx)
        return response

    return handle_as_caller


def _public(handle: Handler) -> Handler:
    async def handle_in_transaction(request: Request) -> Response:
        database: Database = request.app.state.database
        async with database.transaction() as tx:
            request.scope[deps.TX] = tx
            response = await handle(request)
        await publish(request, tx)
        return response

    return handle_in_transaction


async def publish(request: Request, tx: Transaction) -> None:
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
